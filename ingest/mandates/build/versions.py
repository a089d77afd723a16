"""Language versions of one resolution: which files are the same resolution, and where
their readings disagree.

The UN publishes every resolution in six languages under one symbol; language versions
share the resolution's IRI and its paragraph, clause and footnote IRIs (``mandates.rdf.iris``).
Converted texts sometimes print different symbols for the same resolution (the Chinese
seed prints 74/303 where the English prints 74/304). The decision recorded here:

* Two files are versions of one resolution when they print the same symbol, or when they
  agree on the session, the adoption date and the draft symbols (a draft is adopted once).
* The resolution is then named by the symbol most versions print; on a tie, by the
  English version's symbol, else the first in symbol order. Each version keeps the symbol
  it prints (``mnd:printedSymbol``); a version named by another's symbol has
  ``mnd:symbolSource "other-version"`` and a warning in the report. Nothing is guessed:
  without drafts and a date in both texts, files with different symbols stay apart.

``compare`` reads the built store and lists where two versions of one resolution
disagree: paragraph counts, clauses found in one language only, clause verbs with
different meanings, actors and instruments named in one version but not the other, and
the symbols printed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any


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
    from mandates.extract.extractors import REGISTRY, Context
    from mandates.extract.read import InputError, read_source
    from mandates.vocab.concepts import load

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
    """Which files must be named by another version's symbol.

    Returns:
        path -> the symbol to use, for the files whose own printed symbol differs from
        the one chosen for their resolution (all other files keep their own).

    >>> from mandates.core.resources import corpus_dir
    >>> c = corpus_dir()
    >>> identify([c / "A-RES-74-303.zh.md", c / "A-RES-74-304.en.txt"])
    {'.../A-RES-74-303.zh.md': 'A/RES/74/304'}
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
        if f.drafts and f.adopted and f.session and f.symbol_source == "text":
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


_PHASE = {"symbol": 0, "paragraph-count": 1, "clause-missing": 2, "verb": 2,
          "actor-in-one-version": 3, "instrument-in-one-version": 3}


def disagreement_key(d: dict[str, Any]) -> tuple[Any, ...]:
    """The order of the disagreement report: symbols, paragraph counts, clauses, then names;
    within each, by resolution, paragraph, clause, kind and entity."""
    return (_PHASE.get(d["kind"], 9), d["work"], d.get("paragraph") or "", d.get("clause") or "", d["kind"],
            d.get("entity") or "")


def compare(store) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Where the language versions of each resolution in the store disagree."""
    from mandates.exports.view import view_rows

    out: list[dict[str, Any]] = []
    versions: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for d in view_rows(store, "documents"):
        versions[d["work"]][d["lang"]] = d
    multi = {w: v for w, v in versions.items() if len(v) > 1}
    if not multi:
        return out
    complete = {(w, lang): not bool(d.get("truncated")) for w, v in multi.items() for lang, d in v.items()}
    for work, v in sorted(multi.items()):
        printed = {lang: d.get("printed") for lang, d in v.items()}
        if len(set(printed.values())) > 1:
            out.append({"work": work, "kind": "symbol", "detail": printed})
    paras: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in view_rows(store, "versions-paragraphs"):
        paras[(r["work"], r["lang"])].add(r["p"])
    for work, v in sorted(multi.items()):
        counts = {lang: len(paras[(work, lang)]) for lang in sorted(v)}
        if len(set(counts.values())) > 1:
            note = {lang: ("complete" if complete[(work, lang)] else "truncated") for lang in sorted(v)}
            out.append({"work": work, "kind": "paragraph-count", "detail": counts, "texts": note})
    shared = {w: set.intersection(*(paras[(w, lang)] for lang in v)) for w, v in multi.items()}
    clauses: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in view_rows(store, "versions-clauses"):  # per language, the verb whose longest label the printed words hold
        best = clauses[(r["p"], r["c"])].get(r["lang"])
        if best is None or len(r["label"]) > len(best["label"]):
            clauses[(r["p"], r["c"])][r["lang"]] = r
    for (p, c), by_lang in sorted(clauses.items()):
        work = next((w for w in shared if p in shared[w]), None)
        if work is None:
            continue
        langs = sorted(multi[work])
        if set(by_lang) != set(langs):
            out.append({"work": work, "kind": "clause-missing", "paragraph": p, "clause": c,
                        "detail": {lang: (by_lang[lang]["verbText"] if lang in by_lang else None) for lang in langs}})
            continue
        keys = {lang: r["key"] for lang, r in by_lang.items()}
        if len(set(keys.values())) > 1:
            out.append({"work": work, "kind": "verb", "paragraph": p, "clause": c, "detail": keys})
    named: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for r in view_rows(store, "versions-mentions"):
        named[(r["p"], r["kind"], r["lang"])].add(r["x"])
    for work, ps in sorted(shared.items()):
        langs = sorted(multi[work])
        for p in sorted(ps):
            for kind in ("actor", "instrument"):
                sets = {lang: named[(p, kind, lang)] for lang in langs}
                union_ = set.union(*sets.values())
                for x in sorted(union_):
                    missing = [lang for lang in langs if x not in sets[lang]]
                    if missing:
                        out.append({"work": work, "kind": f"{kind}-in-one-version", "paragraph": p, "entity": x,
                                    "detail": {lang: x in sets[lang] for lang in langs}})
    return sorted(out, key=disagreement_key)
