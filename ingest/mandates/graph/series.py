"""The series graph: which resolutions form a series, in which order, how each clause continues
the previous edition's, and which requested reports were noted.

A cross-document step of a build (``mandates.build.pipeline``): it reads every included
document's header facts (``mandates.graph.seriesfacts``) and mints the named graph
``{base}graph/series``, rebuilt from all of them whenever the corpus outputs are made, so that
adding or removing a file changes it as a clean build would.

Membership, for a resolution (its language versions together):

* a series of ``ontology/vocab/series.ttl`` (``mandates.vocab.series``) when one of its titles
  is a title of the series (compared folded: case, width, spaces and punctuation aside), or
  its symbol is one the series lists. The series' IRI is the vocabulary's, whatever other
  files the build holds;
* else, resolutions printing the same title in the same language, one of which cites another
  (an explicit recall: "Recalling its resolution 72/278"), form a series named by that title:
  ``{base}series/title-{lang}-{12 hex digits of the title's hash}``. Such series sharing a
  resolution (its Chinese and English titles) are one, named by the first of their titles.

Members are ordered by adoption date (``eli:date_document``), else by their session (a session
opens in September of 1945 + N); each is linked to the one before and after it
(``mnd:previousInSeries``/``mnd:nextInSeries``) and ``eli:is_member_of`` the series (which
``eli:has_member`` it). Consecutive members present in the build are compared clause by clause
(``mandates.graph.lineage``); report requests are linked to the reports noted later
(``mandates.graph.followup``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Callable

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS as _DCTERMS
from rdflib.namespace import PROV as _PROV
from rdflib.namespace import RDF as _RDF
from rdflib.namespace import SKOS as _SKOS
from rdflib.namespace import XSD as _XSD

from mandates.core.text import fold_label
from mandates.graph.followup import FollowUp, follow_ups
from mandates.graph.lineage import Lineage, align, records
from mandates.graph.seriesfacts import ClauseFacts, DocFacts
from mandates.rdf.iris import check, rebase
from mandates.rdf.namespaces import DEFAULT_BASE, ELI, MND
from mandates.vocab.series import KnownSeries, known_series

SERIES_GRAPH = "graph/series"  # relative to the base


def title_key(title: str, lang: str) -> str:
    """A title folded for comparison: case, width, spaces and punctuation aside.

    >>> title_key("Interaction between the United Nations,  national parliaments", "en")
    'interactionbetweentheunitednationsnationalparliaments'
    """
    return "".join(ch for ch in fold_label(title, lang=lang) if ch.isalnum())


@dataclass
class Work:
    """A resolution as the series step sees it: its language versions together."""

    iri: str
    symbols: set[str] = field(default_factory=set)  # its symbol and the symbols its versions print
    titles: dict[str, str] = field(default_factory=dict)
    session: int | None = None
    adopted: str | None = None
    cited: set[str] = field(default_factory=set)
    incomplete: bool = True  # every language version stops before the end

    def order(self) -> tuple[str, str]:
        """Its place in time: the adoption date, else mid-September of its session's year."""
        if self.adopted:
            when = self.adopted
        elif self.session is not None:
            when = f"{1945 + self.session:04d}-09-15"
        else:
            when = "9999-12-31"
        return when, self.iri


def works(docs: list[DocFacts]) -> dict[str, Work]:
    out: dict[str, Work] = {}
    for d in sorted(docs, key=lambda d: d.expression):
        w = out.setdefault(d.work, Work(d.work))
        w.symbols.update(s for s in (d.symbol, d.printed) if s)
        if d.title:
            w.titles.setdefault(d.lang, d.title)
        w.session = w.session if w.session is not None else d.session
        w.adopted = w.adopted or d.adopted
        w.cited.update(d.cited)
        w.incomplete = w.incomplete and d.truncated
    return out


@dataclass
class Found:
    """A series the build holds: its IRI, its titles (for one found in the texts), its members in order."""

    iri: str
    members: list[str]
    titles: dict[str, list[str]] = field(default_factory=dict)
    known: bool = False


def _known_membership(ws: dict[str, Work], known: tuple[KnownSeries, ...], base: str) -> dict[str, str]:
    by_title = {(lang, title_key(t, lang)): s for s in known for lang, ts in s.titles.items() for t in ts}
    out = {}
    for w in ws.values():
        hits = {rebase(s.iri, base) for s in known if w.symbols & s.members}
        hits |= {rebase(by_title[(lang, title_key(t, lang))].iri, base)
                 for lang, t in w.titles.items() if (lang, title_key(t, lang)) in by_title}
        if hits:
            out[w.iri] = sorted(hits)[0]
    return out


class _Union:
    def __init__(self) -> None:
        self.parent: dict = {}

    def find(self, x):  # type: ignore[no-untyped-def]
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b) -> None:  # type: ignore[no-untyped-def]
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _title_series(ws: dict[str, Work], skip: set[str], base: str) -> dict[str, tuple[str, dict[str, list[str]]]]:
    """Series found in the texts: work -> (series IRI, titles by language)."""
    groups: dict[tuple[str, str], list[Work]] = {}
    for w in sorted(ws.values(), key=lambda w: w.iri):
        if w.iri not in skip:
            for lang, t in sorted(w.titles.items()):
                key = title_key(t, lang)
                if key:
                    groups.setdefault((lang, key), []).append(w)
    u = _Union()
    title_of: dict[tuple[str, str], str] = {}
    for (lang, key), members in sorted(groups.items()):
        by_symbol = {sym: m for m in members for sym in sorted(m.symbols)}
        for a in members:
            for sym in sorted(a.cited):
                b = by_symbol.get(sym)
                if b is not None and b is not a:  # a recalls b
                    u.union(("w", a.iri), ("w", b.iri))
                    u.union(("w", a.iri), ("t", lang, key))
                    title_of[(lang, key)] = min(m.titles[lang] for m in members)
    roots: dict = {}
    for (lang, key), title in sorted(title_of.items()):
        roots.setdefault(u.find(("t", lang, key)), []).append((lang, key, title))
    named: dict = {}
    for root, keys in roots.items():
        lang, key, _ = keys[0]
        iri = check(f"{base}series/title-{lang}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:12]}")
        titles: dict[str, list[str]] = {}
        for lg, _, t in keys:
            titles.setdefault(lg, []).append(t)
        named[root] = (iri, titles)
    return {node[1]: named[u.find(node)] for node in sorted(u.parent) if node[0] == "w"}


def find_series(ws: dict[str, Work], *, base: str = DEFAULT_BASE,
                known: tuple[KnownSeries, ...] | None = None) -> list[Found]:
    """The series the resolutions ``ws`` belong to, their members in order (a known series with
    one member in the build included: its membership is stated all the same)."""
    member = _known_membership(ws, known_series() if known is None else known, base)
    found: dict[str, Found] = {}
    for w, s in member.items():
        found.setdefault(s, Found(s, [], known=True)).members.append(w)
    for w, (s, titles) in _title_series(ws, set(member), base).items():
        found.setdefault(s, Found(s, [], titles=titles)).members.append(w)
    for f in found.values():
        f.members.sort(key=lambda w: ws[w].order())
    return [found[k] for k in sorted(found)]


# ---------------------------------------------------------------- the graph


class _T:
    """The terms the series graph uses (made once)."""

    type = URIRef(_RDF.type)
    member_of, has_member = URIRef(ELI + "is_member_of"), URIRef(ELI + "has_member")
    previous, next = URIRef(MND + "previousInSeries"), URIRef(MND + "nextInSeries")
    series, clause_in_series = URIRef(MND + "Series"), URIRef(MND + "ClauseInSeries")
    revision_of = URIRef(_PROV.wasRevisionOf)
    change, confidence = URIRef(MND + "change"), URIRef(MND + "alignmentConfidence")
    dropped_in, flag = URIRef(MND + "droppedIn"), URIRef(MND + "flag")
    noted, noted_in = URIRef(MND + "NotedReportingRequest"), URIRef(MND + "notedIn")
    noted_report, basis = URIRef(MND + "notedReport"), URIRef(MND + "followUpBasis")
    pref, alt = URIRef(_SKOS.prefLabel), URIRef(_SKOS.altLabel)
    source = URIRef(_DCTERMS.source)
    decimal = URIRef(_XSD.decimal)


@dataclass
class SeriesGraph:
    """The series graph: its name, its triples (rdflib terms), and what it was made from."""

    name: str
    triples: set = field(default_factory=set)  # type: ignore[type-arg]
    series: list[Found] = field(default_factory=list)
    lineages: dict[str, Lineage] = field(default_factory=dict)  # later work -> its lineage
    follow_ups: list[FollowUp] = field(default_factory=list)


def _membership(g: set, f: Found) -> None:  # type: ignore[type-arg]
    s = URIRef(f.iri)
    if not f.known:
        g.add((s, _T.type, _T.series))
        for lang, titles in sorted(f.titles.items()):
            for i, t in enumerate(sorted(set(titles))):
                g.add((s, _T.pref if i == 0 else _T.alt, Literal(t, lang=lang)))
        g.add((s, _T.source, Literal("titles and recalls of the texts")))
    for a, b in zip(f.members, f.members[1:]):
        g.add((URIRef(b), _T.previous, URIRef(a)))
        g.add((URIRef(a), _T.next, URIRef(b)))
    for w in f.members:
        g.add((URIRef(w), _T.member_of, s))
        g.add((s, _T.has_member, URIRef(w)))


def _lineage(g: set, lineage: Lineage, later: str, base: str) -> None:  # type: ignore[type-arg]
    for link in lineage.links:
        c = URIRef(link.clause)
        g.add((c, _T.type, _T.clause_in_series))
        g.add((c, _T.change, URIRef(f"{base}change/{link.change}")))
        g.add((c, _T.confidence, Literal(f"{link.confidence:.2f}", datatype=_T.decimal)))
        if link.previous:
            g.add((c, _T.revision_of, URIRef(link.previous)))
        for name in link.flags:
            g.add((c, _T.flag, URIRef(f"{base}flag/{name}")))
    for clause, flags in lineage.dropped:
        p = URIRef(clause)
        g.add((p, _T.type, _T.clause_in_series))
        g.add((p, _T.dropped_in, URIRef(later)))
        for name in flags:
            g.add((p, _T.flag, URIRef(f"{base}flag/{name}")))


def _follow_up(g: set, f: FollowUp) -> None:  # type: ignore[type-arg]
    r = URIRef(f.request)
    g.add((r, _T.type, _T.noted))
    g.add((r, _T.noted_in, URIRef(f.noted_in)))
    g.add((r, _T.noted_report, URIRef(f.report)))
    g.add((r, _T.basis, Literal(f.basis)))


_SESSION = re.compile(r"^A/RES/(\d+)/")


def _gap(prev: Work, cur: Work, listed: frozenset[str], present: set[str]) -> bool:
    """Whether the series lists a member adopted between two sessions that the build lacks.

    >>> _gap(Work("a", session=50), Work("b", session=52), frozenset({"A/RES/51/7"}), set())
    True
    """
    if prev.session is None or cur.session is None:
        return False
    for sym in listed - present:
        m = _SESSION.match(sym)
        if m and prev.session < int(m.group(1)) < cur.session:
            return True
    return False


def series_graph(docs: list[DocFacts], clauses_of: Callable[[str], list[ClauseFacts]], *,
                 base: str = DEFAULT_BASE, known: tuple[KnownSeries, ...] | None = None) -> SeriesGraph:
    """The series graph of the documents ``docs`` (every language version of every resolution a
    build includes). ``clauses_of(work)`` gives the clauses of a resolution's language versions;
    it is called only for members of a series with two or more members in the build."""
    ws = works(docs)
    known = known_series() if known is None else known
    listed = {rebase(k.iri, base): k.members for k in known}
    present = {s for w in ws.values() for s in w.symbols}
    out = SeriesGraph(check(base + SERIES_GRAPH), series=find_series(ws, base=base, known=known))
    series_of = {w: f.iri for f in out.series for w in f.members}
    for f in out.series:
        _membership(out.triples, f)
        loaded = {w: records(clauses_of(w), ws[w].session) for w in (f.members if len(f.members) > 1 else [])}
        for prev, cur in zip(f.members, f.members[1:]):
            lineage = align(loaded[prev], loaded[cur], prev_incomplete=ws[prev].incomplete,
                            cur_incomplete=ws[cur].incomplete,
                            gap=_gap(ws[prev], ws[cur], listed.get(f.iri, frozenset()), present))
            out.lineages[cur] = lineage
            _lineage(out.triples, lineage, cur, base)
    out.follow_ups = follow_ups(docs, {w.iri: w.order() for w in ws.values()}, series_of)
    for fu in out.follow_ups:
        _follow_up(out.triples, fu)
    return out
