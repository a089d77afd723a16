"""Language versions of one resolution: which files are the same resolution, and where
their readings disagree.

The UN publishes every resolution in six languages under one symbol; language versions
share the resolution's IRI and its paragraph, clause and footnote IRIs (``mandates.rdf.iris``).
Converted texts sometimes print different symbols for the same resolution (the Chinese
seed prints 74/303 where the English prints 74/304). The decision recorded here:

* A resolution is named by the symbol its own text prints, in canonical form, or by the
  symbol ``ontology/corrections.ttl`` records for a known misprint (with its evidence):
  never by what the other files of a build print, so its IRI does not depend on them.
* Two files are versions of one resolution when they agree on the session, the adoption
  date and the draft symbols (a draft is adopted once). Where such versions print different
  symbols, each keeps its own and the build reports it (``symbol-differs-between-versions``:
  a misprint to record in the corrections table). Nothing is guessed: without drafts and a
  date in both texts, nothing is linked.

``compare`` reads the built store and lists where two versions of one resolution
disagree: paragraph counts, clauses found in one language only, clause verbs with
different meanings, actors and instruments named in one version but not the other, and
the symbols printed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from mandates.extract.extractors import REGISTRY, Context
from mandates.extract.read import InputError, read_source
from mandates.vocab.concepts import load


@dataclass(frozen=True)
class HeaderFacts:
    path: str
    lang: str
    symbol: str | None
    symbol_source: str
    session: int | None
    adopted: str | None
    drafts: tuple[str, ...]
    agenda: int | None = None


def header_facts(path: Path, *, lang: str | None = None) -> HeaderFacts | None:
    """The header of one file (symbol, session, date, drafts), read without the full extraction.

    Returns None when the file cannot be read (the build reports it).
    """

    try:
        src = read_source(path, lang=lang)
    except InputError:
        return None
    ctx = Context(source=src, vocab=load(), lang=src.lang)
    for name in ("normalise", "footnotes", "structure", "header"):
        REGISTRY[name].run(ctx)
    h = ctx.header
    return HeaderFacts(str(path), src.lang, h.symbol, h.symbol_source, h.session, h.adopted, tuple(sorted(h.drafts)),
                       h.agenda_item)


def identify(paths: list[Path], *, lang: str | None = None) -> dict[str, str]:
    """Which files print a symbol that another language version of the same resolution prints
    differently (same drafts, adoption date and session).

    The build reports each such file (``symbol-differs-between-versions``) and names it by its
    own symbol all the same: a resolution's IRI comes from its own text and the corrections
    table (``ontology/corrections.ttl``), never from the other files built with it.

    Returns:
        path -> the symbol the other versions print, for the files whose own symbol differs.

    >>> from mandates.core.resources import corpus_dir
    >>> c = corpus_dir()
    >>> identify([c / "A-RES-74-303.zh.md", c / "A-RES-74-304.en.txt"])  # the table corrects the Chinese
    {}
    """
    facts = [f for f in (header_facts(p, lang=lang) for p in paths) if f is not None and f.symbol]
    # union-find over "same resolution" links
    parent = {f.path: f.path for f in facts}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    by_symbol: dict[str, list[HeaderFacts]] = defaultdict(list)
    by_adoption: dict[tuple, list[HeaderFacts]] = defaultdict(list)
    for f in facts:
        by_symbol[f.symbol].append(f)  # type: ignore[index]
        if f.drafts and f.adopted and f.session and f.symbol_source in ("text", "correction"):
            by_adoption[(f.session, f.adopted, f.drafts)].append(f)
    linked = list(by_symbol.values())
    for group in by_adoption.values():
        # a resolution has one text per language: two texts in one language that print
        # different symbols are two resolutions, and the adoption facts do not say which
        # other-language text goes with which (no guess: each keeps its own symbol)
        # nor are texts that print different agenda items (session, date and drafts agreeing by chance)
        symbols: dict[str | None, set[str | None]] = defaultdict(set)
        for f in group:
            symbols[f.lang].add(f.symbol)
        agendas = {f.agenda for f in group if f.agenda is not None}
        if all(len(s) == 1 for s in symbols.values()) and len(agendas) <= 1:
            linked.append(group)
    for group in linked:
        for f in group[1:]:
            union(group[0].path, f.path)
    groups: dict[str, list[HeaderFacts]] = defaultdict(list)
    for f in facts:
        groups[find(f.path)].append(f)
    out: dict[str, str] = {}
    for members in groups.values():
        symbols = {f.symbol for f in members}
        if len(symbols) < 2:
            continue
        counts: dict[str, int] = defaultdict(int)
        for f in members:
            counts[f.symbol] += 1  # type: ignore[index]
        best = max(counts.values())
        tied = sorted(s for s, n in counts.items() if n == best)
        english = sorted(f.symbol for f in members if f.lang == "en" and f.symbol in tied)  # type: ignore[misc]
        chosen = english[0] if english else tied[0]
        for f in members:
            if f.symbol != chosen:
                out[f.path] = chosen
    return out


