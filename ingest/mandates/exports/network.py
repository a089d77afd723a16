"""The networks of a built store that the Gephi exports and the pictures show: projections
assembled from the rows of the SPARQL views ``queries/export/gephi-*.rq`` (never from
extraction objects), their time, their colours and their layout.

``mandate`` (directed)
    The asker (the General Assembly concept of the actors vocabulary; the resolution itself
    if the vocabulary lacks it) points to every actor a mandate clause asks: one edge per
    asker, addressee and verb (relation ``mandate``), weight = the clauses that ask the
    addressee with that verb. The weighted in-degree of an actor is the number of mandate
    clauses that ask it; only the asker has out-edges.
``co-addressee`` (undirected)
    Actors asked in the same mandate clause (relation ``asked-with``); weight = the number
    of such clauses, with their verbs and forces kept as counts.
``actor-instrument`` (undirected, bipartite)
    Actors and instruments named in the same paragraph; weight = the number of paragraphs.
``actor-theme`` (undirected, bipartite)
    Actors asked by a mandate clause and the themes of the clause's paragraph; weight =
    the number of clauses, with their verbs and forces kept as counts.

Nodes are typed ``actor``, ``instrument``, ``resolution`` (a resolution of the corpus or a
cited instrument whose type is a resolution) or ``theme``; their id is the IRI relative to
the base with the first ``/`` as ``:`` (``actor:world-health-organization``,
``doc:A-RES-70-1``), so ids do not change with ``--base``. An actor's ``group`` is the most
specific of its ontology classes that has a colour in :data:`ACTOR_PALETTE`.

Time (``gephi-works.rq``): every edge knows the resolutions whose clauses or paragraphs it
stands for. When the store holds two or more resolutions of one series (``eli:is_member_of``
a ``mnd:Series``), the network is dynamic: what a resolution asks holds from its adoption
date (``eli:date_document``) until the day before the next resolution of its series is
adopted (``mnd:nextInSeries``, or the next member by date), and the latest one's until the
last adoption date in the store; a node or an edge lives in the union of the periods of the
resolutions it appears in (:meth:`Timeline.spells`).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Iterable

from mandates.exports.rows import iter_view_rows, view_rows
from mandates.rdf.namespaces import MND, graph_base
from mandates.rdf.store import graph_names

PROJECTIONS = ("mandate", "co-addressee", "actor-instrument", "actor-theme")
DEFAULT_PROJECTION = "mandate"
TYPES = ("actor", "instrument", "resolution", "theme")
LANGS = ("en", "zh")

#: the colour of an actor: the first class of this list that the actor is an instance of
#: (directly, or through rdfs:subClassOf: a Member State is a State). Paul Tol's "muted"
#: scheme and two Okabe-Ito colours, told apart by colour-blind readers; the UN family in
#: blues and greens, parliaments in reds, States in greens, the rest in warm colours.
ACTOR_PALETTE: tuple[tuple[str, str], ...] = (
    ("UNPrincipalOrgan", "#332288"),
    ("UNSubsidiaryBody", "#44AA99"),
    ("UNEntity", "#88CCEE"),
    ("UNOfficial", "#AA4499"),
    ("ParliamentaryOrganization", "#CC6677"),
    ("Parliament", "#882255"),
    ("IntergovernmentalOrganization", "#DDCC77"),
    ("State", "#117733"),
    ("StateGroup", "#999933"),
    ("NonStateGroup", "#D55E00"),
    ("Person", "#A6761D"),
    ("Organization", "#777777"),
    ("Actor", "#BBBBBB"),
)
#: the colour and GEXF shape of the other node types
TYPE_STYLE: dict[str, tuple[str, str]] = {
    "instrument": ("#E69F00", "square"),
    "resolution": ("#F0E442", "diamond"),
    "theme": ("#0072B2", "triangle"),
}
#: mandate edges: a grey from light to dark by the verb's force (0 to 5, ontology/vocab/verbs.ttl)
FORCE_GREYS = ("#D9D9D9", "#BDBDBD", "#969696", "#737373", "#525252", "#252525")
RELATIONS: dict[str, dict[str, Any]] = {
    # relation: edge colour (mandate edges: by force), what the weight counts
    "mandate": {"colour": "#737373", "counts": "mandate clauses"},
    "asked-with": {"colour": "#969696", "counts": "mandate clauses"},
    "named-with": {"colour": "#969696", "counts": "paragraphs"},
    "asked-about": {"colour": "#969696", "counts": "mandate clauses"},
}
SIZE_MIN, SIZE_MAX = 6.0, 30.0

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def clean(text: str | None) -> str:
    r"""Text an XML attribute can hold, on one line: control characters dropped, runs of
    white space made one space.

    >>> clean("Inter-Parliamentary\x0b Union\n (IPU) ")
    'Inter-Parliamentary Union (IPU)'
    """
    if not text:
        return ""
    return " ".join(_ILLEGAL_XML.sub("", text).split())


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """``#RRGGBB`` as integers.

    >>> hex_rgb("#88CCEE")
    (136, 204, 238)
    """
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


@dataclass(frozen=True)
class Node:
    """A node of a projection; ``id`` is stable (from the IRI), ``type`` one of TYPES,
    ``label`` in the network's language, ``group`` the key of its colour, ``works`` the
    resolutions it appears in."""

    id: str
    iri: str
    type: str
    label: str
    label_zh: str
    label_en: str
    cls: str = ""
    symbol: str = ""
    group: str = ""
    works: frozenset[str] = frozenset()


@dataclass
class Edge:
    """An edge: ``weight`` counts its evidence (clause or paragraph IRIs), kept per resolution.

    A mandate edge has one verb (``verb``, ``strength``, labels); the other clause-based
    edges keep how many of their clauses open with each verb and each force."""

    source: str
    target: str
    relation: str
    verb: str = ""
    strength: int = 0
    verb_zh: str = ""
    verb_en: str = ""
    by_work: dict[str, set[str]] = field(default_factory=dict)
    verbs: dict[str, int] = field(default_factory=dict)  # verb key -> clauses
    strengths: dict[int, int] = field(default_factory=dict)  # force -> clauses

    @property
    def evidence(self) -> set[str]:
        return set().union(*self.by_work.values()) if self.by_work else set()

    @property
    def weight(self) -> int:
        return sum(len(v) for v in self.by_work.values())

    @property
    def works(self) -> set[str]:
        return set(self.by_work)

    @property
    def id(self) -> str:
        return f"{self.source}|{self.relation}|{self.target}" + (f"|{self.verb}" if self.verb else "")

    def add(self, work: str, evidence: str, key: str = "", strength: int = 0) -> None:
        """Count ``evidence`` (a clause or a paragraph) of ``work`` once."""
        seen = self.by_work.setdefault(work, set())
        if evidence in seen:
            return
        seen.add(evidence)
        if key:
            self.verbs[key] = self.verbs.get(key, 0) + 1
            self.strengths[strength] = self.strengths.get(strength, 0) + 1


@dataclass(frozen=True)
class Work:
    """A resolution on the timeline: adopted on ``date``, in force until ``end`` (both ISO
    dates, empty when the store has no date), ``after`` the next resolution of its series."""

    iri: str
    symbol: str
    date: str
    end: str
    series: tuple[str, ...] = ()
    after: str = ""


@dataclass
class Timeline:
    """The resolutions of the store in time; ``dynamic`` when a series has two or more."""

    works: dict[str, Work]
    dynamic: bool

    @property
    def dates(self) -> list[str]:
        return sorted({w.date for w in self.works.values() if w.date})

    @property
    def start(self) -> str:
        return self.dates[0] if self.dates else ""

    @property
    def end(self) -> str:
        return self.dates[-1] if self.dates else ""

    def spells(self, works: Iterable[str]) -> list[tuple[str, str]]:
        """The periods (inclusive ISO dates) in which something that appears in ``works``
        holds: the union of their periods, touching periods joined."""
        spans = sorted((self.works[w].date, self.works[w].end) for w in works if w in self.works and self.works[w].date)
        out: list[tuple[str, str]] = []
        for s, e in spans:
            if out and _day(out[-1][1]) + timedelta(days=1) >= _day(s):
                out[-1] = (out[-1][0], max(out[-1][1], e))
            else:
                out.append((s, e))
        return out

    def values(self, counts: dict[str, int]) -> list[tuple[int, str, str]]:
        """A value that changes in time, from ``counts`` per resolution: (sum of the counts of
        the resolutions in force, start, end) for each period in which the sum stays the same
        (a sweep over the periods' bounds)."""
        events: dict[str, int] = defaultdict(int)
        for w, n in counts.items():
            work = self.works.get(w)
            if work and work.date:
                events[work.date] += n
                events[_next_day(work.end)] -= n
        out: list[tuple[int, str, str]] = []
        total = 0
        days = sorted(events)
        for a, b in zip(days, days[1:]):
            total += events[a]
            if not total:
                continue
            end = _prev_day(b)
            if out and out[-1][0] == total and _next_day(out[-1][2]) == a:
                out[-1] = (total, out[-1][1], end)
            else:
                out.append((total, a, end))
        return out


def _day(iso: str) -> date:
    return date.fromisoformat(iso)


def _next_day(iso: str) -> str:
    return (_day(iso) + timedelta(days=1)).isoformat()


def _prev_day(iso: str) -> str:
    return (_day(iso) - timedelta(days=1)).isoformat()


def timeline(store) -> Timeline:  # type: ignore[no-untyped-def]
    """The resolutions of ``store`` in time (``queries/export/gephi-works.rq``)."""
    dates: dict[str, str] = {}
    symbols: dict[str, str] = {}
    series: dict[str, set[str]] = defaultdict(set)
    nexts: dict[str, set[str]] = defaultdict(set)
    for r in iter_view_rows(store, "gephi-works"):
        w = r["work"]
        symbols[w] = min(filter(None, (symbols.get(w), r.get("symbol"))), default="")
        d = str(r.get("date") or "")
        if _DATE.match(d):
            dates[w] = min(dates.get(w, d[:10]), d[:10])
        if r.get("series"):
            series[w].add(r["series"])
        if r.get("next"):
            nexts[w].add(r["next"])
    members: dict[str, list[str]] = defaultdict(list)
    for w, ss in series.items():
        for s in ss:
            if w in dates:
                members[s].append(w)
    last = max(dates.values(), default="")
    works = {}
    for w in sorted(symbols):
        d = dates.get(w, "")
        later = sorted((dates[o], o) for s in series.get(w, ()) for o in members[s] if o != w and dates[o] > d)
        later += sorted((dates[o], o) for o in nexts.get(w, ()) if o in dates and d and dates[o] > d)
        after = min(later)[1] if d and later else ""
        end = _prev_day(dates[after]) if after else last if d else ""
        works[w] = Work(w, symbols[w], d, end, tuple(sorted(series.get(w, ()))), after)
    return Timeline(works, dynamic=any(len(m) >= 2 for m in members.values()))


@dataclass
class Network:
    """One projection, sorted: nodes by id, edges by (source, target, relation, verb)."""

    projection: str
    directed: bool
    nodes: list[Node]
    edges: list[Edge]
    asker: str  # the label of the asker (mandate projection), else ""
    clause_based: bool
    timeline: Timeline = field(default_factory=lambda: Timeline({}, False))
    groups: dict[str, tuple[str, str]] = field(default_factory=dict)  # group -> (zh, en) label
    lang: str = "en"

    @property
    def dynamic(self) -> bool:
        return self.timeline.dynamic

    def weighted_degree(self) -> dict[str, int]:
        out = {n.id: 0 for n in self.nodes}
        for e in self.edges:
            out[e.source] += e.weight
            if e.target != e.source:
                out[e.target] += e.weight
        return out

    def colour(self, n: Node) -> str:
        """The node's colour (``#RRGGBB``): by actor class, or by type."""
        if n.type == "actor":
            return dict(ACTOR_PALETTE).get(n.group, ACTOR_PALETTE[-1][1])
        return TYPE_STYLE[n.type][0]

    def group_label(self, group: str) -> str:
        """The label of an actor group in the network's language (the class's rdfs:label)."""
        zh, en = self.groups.get(group, ("", ""))
        return (zh or en or group) if self.lang == "zh" else (en or zh or group)


# ---------------------------------------------------------------------------------------
# projections (SPARQL rows -> Network)
# ---------------------------------------------------------------------------------------

def store_base(store) -> str:  # type: ignore[no-untyped-def]
    """The base IRI the store was built with (:func:`mandates.rdf.namespaces.graph_base`)."""
    return graph_base(graph_names(store))


def node_id(iri: str, base: str) -> str:
    """A stable node id: the IRI relative to ``base``, its first ``/`` made ``:``.

    >>> node_id("https://w3id.org/un-mandates/actor/world-health-organization", "https://w3id.org/un-mandates/")
    'actor:world-health-organization'
    >>> node_id("https://w3id.org/un-mandates/doc/A-RES-70-1", "https://w3id.org/un-mandates/")
    'doc:A-RES-70-1'
    >>> node_id("http://example.org/x", "https://w3id.org/un-mandates/")
    'http://example.org/x'
    """
    if not iri.startswith(base):
        return iri
    rel = iri[len(base):]
    head, sep, rest = rel.partition("/")
    return f"{head}:{rest}" if sep and rest else rel


def pick(lang: str, zh: str, en: str) -> str:
    """The label in ``lang``, else the other one.

    >>> pick("zh", "大会", "General Assembly"), pick("en", "大会", ""), pick("en", "", "")
    ('大会', '大会', '')
    """
    return (zh or en) if lang == "zh" else (en or zh)


def actor_classes(store) -> tuple[dict[str, set[str]], dict[str, tuple[str, str]]]:  # type: ignore[no-untyped-def]
    """The actor classes of the ontology (``gephi-actor-classes.rq``): each class's broader
    classes and its (zh, en) labels, by local name."""
    supers: dict[str, set[str]] = defaultdict(set)
    labels: dict[str, tuple[str, str]] = {}
    for r in iter_view_rows(store, "gephi-actor-classes"):
        c = r["class"][len(MND):] if r["class"].startswith(MND) else r["class"]
        if r.get("super", "") and r["super"].startswith(MND):
            supers[c].add(r["super"][len(MND):])
        else:
            supers.setdefault(c, set())
        zh, en = labels.get(c, ("", ""))
        labels[c] = (min(filter(None, (zh, clean(r.get("zh")))), default=""),
                     min(filter(None, (en, clean(r.get("en")))), default=""))
    return supers, labels


def actor_group(classes: Iterable[str], supers: dict[str, set[str]]) -> str:
    """The first class of :data:`ACTOR_PALETTE` among ``classes`` and their broader classes.

    >>> actor_group(["MemberState"], {"MemberState": {"State"}, "State": {"Actor"}})
    'State'
    >>> actor_group([], {})
    'Actor'
    """
    seen: set[str] = set()
    todo = list(classes)
    while todo:
        c = todo.pop()
        if c not in seen:
            seen.add(c)
            todo.extend(supers.get(c, ()))
    return next((g for g, _ in ACTOR_PALETTE if g in seen), ACTOR_PALETTE[-1][0])


def _node_table(store, base: str, lang: str, supers: dict[str, set[str]]) -> dict[str, Node]:  # type: ignore[no-untyped-def]
    nodes: dict[str, Node] = {}
    for r in iter_view_rows(store, "gephi-nodes"):
        iri = r["x"]
        kind = next((k for k in ("resolution", "theme", "actor", "instrument") if r.get(k)), "")
        if not kind:
            continue
        general = {f"{MND}{c}" for c in ("Actor", "Instrument", "Theme")}
        classes = sorted(c[len(MND):] for c in (r.get("classes") or "").split()
                         if c.startswith(MND) and c not in general)
        if kind in ("instrument", "resolution") and r.get("itype"):
            classes = [r["itype"].rsplit("#", 1)[-1]]
        nid = node_id(iri, base)
        zh, en, symbol = clean(r.get("zh")), clean(r.get("en")), clean(r.get("symbol"))
        group = actor_group(classes, supers) if kind == "actor" else kind
        nodes[iri] = Node(id=nid, iri=iri, type=kind, label=pick(lang, zh, en) or symbol or nid, label_zh=zh,
                          label_en=en, cls=" ".join(classes), symbol=symbol, group=group)
    return nodes


def _mandate_clauses(store) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    verbs = {r["key"]: (clean(r.get("zh")), clean(r.get("en"))) for r in iter_view_rows(store, "gephi-verbs")}
    clauses: dict[str, dict[str, Any]] = {}
    for r in iter_view_rows(store, "gephi-mandates"):
        key = r.get("key") or ""
        zh, en = verbs.get(key, ("", ""))
        c = clauses.setdefault(r["c"], {
            "work": r["work"], "p": r["p"], "key": key, "strength": int(r.get("strength") or 0),
            "zh": zh, "en": en, "asker": r.get("asker"), "actors": set()})
        c["actors"].add(r["actor"])
    return clauses


class _Builder:
    """Edges keyed by (source IRI, target IRI, relation, verb), and the kinds of their ends."""

    def __init__(self) -> None:
        self.edges: dict[tuple[str, str, str, str], Edge] = {}
        self.kinds: dict[str, str] = {}

    def edge(self, a: str, b: str, relation: str, kind_a: str, kind_b: str, verb: str = "") -> Edge:
        self.kinds.setdefault(a, kind_a)
        self.kinds.setdefault(b, kind_b)
        key = (a, b, relation, verb)
        if key not in self.edges:
            self.edges[key] = Edge(a, b, relation, verb=verb)
        return self.edges[key]


def _clause_edges(store, projection: str, nid, out: _Builder) -> None:  # type: ignore[no-untyped-def]
    themes: dict[str, set[str]] = defaultdict(set)
    if projection == "actor-theme":
        for r in iter_view_rows(store, "gephi-paragraph-themes"):
            themes[r["p"]].add(r["theme"])
    for ci, c in sorted(_mandate_clauses(store).items()):
        actors = sorted(c["actors"], key=nid)
        hits: list[Edge] = []
        if projection == "mandate":
            asker = c["asker"] or c["work"]
            kind = "actor" if c["asker"] else "resolution"
            for a in actors:
                e = out.edge(asker, a, "mandate", kind, "actor", verb=c["key"] or "unknown")
                e.strength, e.verb_zh, e.verb_en = c["strength"], c["zh"], c["en"]
                hits.append(e)
        elif projection == "co-addressee":
            hits += [out.edge(a, b, "asked-with", "actor", "actor") for i, a in enumerate(actors) for b in actors[i + 1:]]
        else:
            hits += [out.edge(a, t, "asked-about", "actor", "theme") for a in actors for t in sorted(themes.get(c["p"], ()))]
        for e in hits:
            e.add(c["work"], ci, c["key"], c["strength"])


def _paragraph_edges(store, out: _Builder) -> None:  # type: ignore[no-untyped-def]
    paragraphs: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: {"actor": set(), "instrument": set()})
    for r in iter_view_rows(store, "gephi-paragraph-entities"):
        paragraphs[(r["work"], r["p"])][r["kind"]].add(r["entity"])
    for (work, p), ents in sorted(paragraphs.items()):
        for a in sorted(ents["actor"]):
            for i in sorted(ents["instrument"]):
                out.edge(a, i, "named-with", "actor", "instrument").add(work, p)


def project(store, projection: str = DEFAULT_PROJECTION, *, lang: str = "en") -> Network:  # type: ignore[no-untyped-def]
    """The network ``projection`` (one of PROJECTIONS) of everything in ``store``, labelled in
    ``lang`` (``en`` or ``zh``; a node without a label in it takes the other one's).

    Raises ValueError for an unknown projection or language.
    """
    if projection not in PROJECTIONS:
        raise ValueError(f"unknown projection {projection!r} (one of {', '.join(PROJECTIONS)})")
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (one of {', '.join(LANGS)})")
    base = store_base(store)
    supers, class_labels = actor_classes(store)
    table = _node_table(store, base, lang, supers)

    def nid(iri: str) -> str:
        return table[iri].id if iri in table else node_id(iri, base)

    out = _Builder()
    clause_based = projection != "actor-instrument"
    if clause_based:
        _clause_edges(store, projection, nid, out)
    else:
        _paragraph_edges(store, out)
    works: dict[str, set[str]] = defaultdict(set)
    for (a, b, _, _), e in out.edges.items():
        works[a] |= e.works
        works[b] |= e.works
    nodes = {}
    for iri, kind in out.kinds.items():
        n = table.get(iri) or Node(id=node_id(iri, base), iri=iri, type=kind, label=node_id(iri, base), label_zh="",
                                   label_en="", group=actor_group((), supers) if kind == "actor" else kind)
        nodes[iri] = replace(n, works=frozenset(works[iri]))
    edges = []
    for (a, b, _, _), e in out.edges.items():
        e.source, e.target = nodes[a].id, nodes[b].id
        edges.append(e)
    edges.sort(key=lambda e: (e.source, e.target, e.relation, e.verb))
    askers = sorted({nodes[a].label for (a, _, rel, _) in out.edges if rel == "mandate"})
    groups = {g: class_labels.get(g, ("", "")) for g in {n.group for n in nodes.values() if n.type == "actor"}}
    return Network(projection=projection, directed=projection == "mandate",
                   nodes=sorted(nodes.values(), key=lambda n: n.id), edges=edges,
                   asker=" / ".join(askers), clause_based=clause_based, timeline=timeline(store),
                   groups=groups, lang=lang)


# ---------------------------------------------------------------------------------------
# layout: deterministic, pure Python (the same positions in the GEXF and the picture)
# ---------------------------------------------------------------------------------------

def _chain(ids: list[str], strength: dict[str, int], links: dict[tuple[str, str], int]) -> list[str]:
    """Order ``ids`` so that strongly linked nodes sit side by side on a ring (greedy)."""
    left = sorted(ids, key=lambda n: (-strength.get(n, 0), n))
    order: list[str] = []
    while left:
        nxt = left[0]
        if order:
            last = order[-1]
            best = max(left, key=lambda n: (links.get((last, n), 0), strength.get(n, 0), _neg(n)))
            if links.get((last, best), 0) > 0:
                nxt = best
        order.append(nxt)
        left.remove(nxt)
    return order


def _neg(s: str) -> tuple[int, ...]:
    return tuple(-ord(ch) for ch in s)


def hub(net: Network) -> str:
    """The asker at the centre of the mandate network (the heaviest one), or ``""``."""
    strength = net.weighted_degree()
    askers = sorted({e.source for e in net.edges if e.relation == "mandate"})
    return max(askers, key=lambda n: (strength[n], _neg(n))) if askers else ""


def _palette_rank(n: Node) -> int:
    keys = [g for g, _ in ACTOR_PALETTE]
    return keys.index(n.group) if n.group in keys else len(keys)


def ring_order(net: Network) -> list[str]:
    """The nodes of a ring, in order: in the mandate network grouped by colour (actor class)
    and heaviest first within a group; in the co-addressee network strongly linked nodes
    side by side."""
    strength = net.weighted_degree()
    centre = hub(net) if net.projection == "mandate" else ""
    ring = [n for n in net.nodes if n.id != centre]
    if net.projection == "mandate":
        return [n.id for n in sorted(ring, key=lambda n: (_palette_rank(n), -strength[n.id], n.id))]
    links: dict[tuple[str, str], int] = defaultdict(int)
    for e in net.edges:
        links[(e.source, e.target)] += e.weight
        links[(e.target, e.source)] += e.weight
    return _chain([n.id for n in ring], strength, links)


def columns(net: Network) -> tuple[list[str], list[str]]:
    """The two columns of a bipartite projection (actors, the other side), each ordered by the
    mean place of its neighbours (two sweeps of the barycentre heuristic reduce crossings)."""
    strength = net.weighted_degree()
    links: dict[tuple[str, str], int] = defaultdict(int)
    for e in net.edges:
        links[(e.source, e.target)] += e.weight
        links[(e.target, e.source)] += e.weight
    left = [n.id for n in net.nodes if n.type == "actor"]
    right = [n.id for n in net.nodes if n.type != "actor"]
    rank = {n: float(i) for i, n in enumerate(_chain(left, strength, links))}

    def barycentre(n: str, side: dict[str, float]) -> float:
        w = sum(links.get((n, m), 0) for m in side)
        return sum(links.get((n, m), 0) * r for m, r in side.items()) / w if w else 0.0

    for _ in range(2):
        other = {n: float(i) for i, n in enumerate(sorted(right, key=lambda n: (barycentre(n, rank), n)))}
        rank = {n: float(i) for i, n in enumerate(sorted(left, key=lambda n: (barycentre(n, other), n)))}
    other = {n: float(i) for i, n in enumerate(sorted(right, key=lambda n: (barycentre(n, rank), n)))}
    return sorted(rank, key=lambda n: rank[n]), sorted(other, key=lambda n: other[n])


def layout(net: Network) -> dict[str, tuple[float, float]]:
    """Positions for every node (GEXF units), deterministic and cheap (pure Python).

    ``mandate``: the asker in the middle, the actors it asks on a ring; ``co-addressee``: one
    ring; the bipartite projections: actors in a left column, the other side in a right one.
    """
    pos: dict[str, tuple[float, float]] = {}
    if net.projection in ("actor-instrument", "actor-theme"):
        left, right = columns(net)
        step = 30.0
        height = step * max(len(left), len(right), 2)
        for side, x in ((left, -0.4 * height), (right, 0.4 * height)):
            for i, n in enumerate(side):
                pos[n] = (x, height / 2 - (i + 0.5) * height / max(1, len(side)))
    else:
        centre = hub(net) if net.projection == "mandate" else ""
        if centre:
            pos[centre] = (0.0, 0.0)
        ring = ring_order(net)
        radius = max(150.0, 16.0 * len(ring))
        for i, n in enumerate(ring):
            a = math.pi / 2 - 2 * math.pi * i / max(1, len(ring))
            pos[n] = (radius * math.cos(a), radius * math.sin(a))
    return {n: (round(x, 2) + 0.0, round(y, 2) + 0.0) for n, (x, y) in pos.items()}


def sizes(net: Network) -> dict[str, float]:
    """Node sizes from the weighted degree (square-root scale, SIZE_MIN to SIZE_MAX)."""
    strength = net.weighted_degree()
    top = max(strength.values(), default=0) or 1
    return {n: round(SIZE_MIN + (SIZE_MAX - SIZE_MIN) * math.sqrt(w / top), 2) for n, w in strength.items()}


def documents_line(store) -> str:  # type: ignore[no-untyped-def]
    """The symbols of the resolutions in the store, for a picture's subtitle."""
    symbols = sorted({r["symbol"] for r in view_rows(store, "documents")})
    if len(symbols) > 6:
        return f"{len(symbols)} resolutions ({', '.join(symbols[:5])}, ...)"
    return ", ".join(symbols)
