"""Network views of a built store for Gephi and for people: GEXF 1.3, Gephi's CSV tables,
and a PNG/SVG picture.

Every network is a *projection* of the graph, assembled from the rows of the SPARQL views
in ``queries/export/`` (``gephi-mandates.rq``, ``gephi-nodes.rq``,
``gephi-paragraph-themes.rq`` and ``paragraph-entities.rq``), never from extraction
objects:

``mandate`` (directed)
    The asker (the General Assembly concept of the actors vocabulary; the resolution
    itself if the vocabulary lacks it) points to every actor a mandate clause asks
    (relation ``mandate``, weight = the number of mandate clauses), and the actors one
    clause asks together are linked (relation ``asked-with``, weight = the number of
    clauses that ask both). GEXF has no edge kind both Gephi and networkx read inside a
    directed graph, so ``asked-with`` edges are directed too, from the smaller node id to
    the larger: their direction means nothing (filter on ``relation`` in Gephi, or use the
    ``co-addressee`` projection for the undirected network).
``co-addressee`` (undirected)
    Actors asked in the same mandate clause; weight = the number of such clauses.
``actor-instrument`` (undirected, bipartite)
    Actors and instruments named in the same paragraph; weight = the number of paragraphs.
``actor-theme`` (undirected, bipartite)
    Actors asked by a mandate clause and the themes of the clause's paragraph; weight =
    the number of clauses.

Nodes are typed ``actor``, ``instrument``, ``resolution`` (a resolution of the corpus or
a cited instrument whose type is a resolution) or ``theme``; their id is the IRI relative
to the base with the first ``/`` as ``:`` (``actor:world-health-organization``,
``doc:A-RES-70-1``), so ids do not change with ``--base``. The GEXF is written by hand with
lxml rather than ``networkx.write_gexf``, which writes 1.2draft, stamps the date, fails on
``None`` and lists, lets an edge attribute named ``type`` replace the edge kind and
passes control characters through: here the output is GEXF 1.3 that validates against
the official RelaxNG grammar, carries no date, sorts nodes and edges, and strips
characters XML cannot hold, so equal graphs give equal bytes.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import math
import re
import sys
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from mandates import __version__
from mandates.core.files import atomic_write
from mandates.exports.rows import iter_view_rows, view_rows
from mandates.rdf.namespaces import MND, VOCABULARY_GRAPH, graph_base
from mandates.rdf.store import StoreError, graph_names, open_built

GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"

PROJECTIONS = ("mandate", "co-addressee", "actor-instrument", "actor-theme")
DEFAULT_PROJECTION = "mandate"
TYPES = ("actor", "instrument", "resolution", "theme")

# Okabe-Ito colours (readable for colour-blind readers), one per node type
COLOURS: dict[str, tuple[int, int, int]] = {
    "actor": (0, 114, 178),
    "instrument": (230, 159, 0),
    "resolution": (0, 158, 115),
    "theme": (204, 121, 167),
}
RELATIONS: dict[str, dict[str, Any]] = {
    # relation: edge colour, picture line style, what the weight counts
    "mandate": {"colour": (80, 80, 80), "style": "solid", "counts": "mandate clauses"},
    "asked-with": {"colour": (150, 150, 150), "style": "dashed", "counts": "mandate clauses"},
    "named-with": {"colour": (150, 150, 150), "style": "solid", "counts": "paragraphs"},
    "asked-about": {"colour": (150, 150, 150), "style": "solid", "counts": "mandate clauses"},
}
SIZE_MIN, SIZE_MAX = 6.0, 30.0

EXIT_OK, EXIT_USAGE, EXIT_INPUT = 0, 2, 3

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean(text: str | None) -> str:
    r"""Text an XML attribute can hold, on one line: control characters dropped, runs of
    white space made one space.

    >>> clean("Inter-Parliamentary\x0b Union\n (IPU) ")
    'Inter-Parliamentary Union (IPU)'
    """
    if not text:
        return ""
    return " ".join(_ILLEGAL_XML.sub("", text).split())


@dataclass(frozen=True)
class Node:
    """A node of a projection; ``id`` is stable (from the IRI), ``type`` one of TYPES."""

    id: str
    iri: str
    type: str
    label: str
    label_zh: str
    label_en: str
    cls: str = ""
    symbol: str = ""


@dataclass
class Edge:
    """An edge: ``weight`` counts ``evidence`` (clause or paragraph IRIs)."""

    source: str
    target: str
    relation: str
    evidence: set[str] = field(default_factory=set)
    verbs: dict[str, int] = field(default_factory=dict)  # verb key -> strength
    works: set[str] = field(default_factory=set)

    @property
    def weight(self) -> int:
        return len(self.evidence)

    @property
    def id(self) -> str:
        return f"{self.source}|{self.relation}|{self.target}"


@dataclass
class Network:
    """One projection, sorted: nodes by id, edges by (source, target, relation)."""

    projection: str
    directed: bool
    nodes: list[Node]
    edges: list[Edge]
    title: str
    clause_based: bool

    def weighted_degree(self) -> dict[str, int]:
        out = {n.id: 0 for n in self.nodes}
        for e in self.edges:
            out[e.source] += e.weight
            if e.target != e.source:
                out[e.target] += e.weight
        return out


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


def _node_table(store, base: str) -> dict[str, Node]:  # type: ignore[no-untyped-def]
    nodes: dict[str, Node] = {}
    for r in iter_view_rows(store, "gephi-nodes"):
        iri = r["x"]
        if r.get("resolution"):
            kind = "resolution"
        elif r.get("theme"):
            kind = "theme"
        elif r.get("actor"):
            kind = "actor"
        elif r.get("instrument"):
            kind = "instrument"
        else:
            continue
        general = {f"{MND}{c}" for c in ("Actor", "Instrument", "Theme")}
        classes = sorted(c[len(MND):] for c in (r.get("classes") or "").split()
                         if c.startswith(MND) and c not in general)
        if kind in ("instrument", "resolution") and r.get("itype"):
            classes = [r["itype"].rsplit("#", 1)[-1]]
        nid = node_id(iri, base)
        zh, en, symbol = clean(r.get("zh")), clean(r.get("en")), clean(r.get("symbol"))
        nodes[iri] = Node(id=nid, iri=iri, type=kind, label=en or zh or symbol or nid, label_zh=zh,
                          label_en=en, cls=" ".join(classes), symbol=symbol)
    return nodes


def _fallback_node(iri: str, base: str, kind: str) -> Node:
    nid = node_id(iri, base)
    return Node(id=nid, iri=iri, type=kind, label=nid, label_zh="", label_en="")


def project(store, projection: str = DEFAULT_PROJECTION) -> Network:  # type: ignore[no-untyped-def]
    """The network ``projection`` (one of PROJECTIONS) of everything in ``store``.

    Raises ValueError for an unknown projection.
    """
    if projection not in PROJECTIONS:
        raise ValueError(f"unknown projection {projection!r} (one of {', '.join(PROJECTIONS)})")
    base = store_base(store)
    table = _node_table(store, base)
    edges: dict[tuple[str, str, str], Edge] = {}
    used: dict[str, str] = {}  # iri -> type when the table lacks it

    def edge(a: str, b: str, relation: str, kind_a: str, kind_b: str) -> Edge:
        used.setdefault(a, kind_a)
        used.setdefault(b, kind_b)
        key = (a, b, relation)
        if key not in edges:
            edges[key] = Edge(a, b, relation)
        return edges[key]

    def nid(iri: str) -> str:
        return table[iri].id if iri in table else node_id(iri, base)

    clause_based = projection != "actor-instrument"
    if clause_based:
        clauses: dict[str, dict[str, Any]] = {}
        for r in iter_view_rows(store, "gephi-mandates"):
            c = clauses.setdefault(r["c"], {"work": r["work"], "p": r["p"], "key": r.get("key") or "",
                                            "strength": r.get("strength") or 0, "asker": r.get("asker"),
                                            "actors": set()})
            c["actors"].add(r["actor"])
        themes: dict[str, set[str]] = defaultdict(set)
        if projection == "actor-theme":
            for r in iter_view_rows(store, "gephi-paragraph-themes"):
                themes[r["p"]].add(r["theme"])
        for ci, c in sorted(clauses.items()):
            actors = sorted(c["actors"], key=nid)
            hits: list[Edge] = []
            if projection == "mandate":
                asker = c["asker"] or c["work"]
                asker_kind = "actor" if c["asker"] else "resolution"
                hits += [edge(asker, a, "mandate", asker_kind, "actor") for a in actors]
            if projection in ("mandate", "co-addressee"):
                hits += [edge(a, b, "asked-with", "actor", "actor")
                         for i, a in enumerate(actors) for b in actors[i + 1:]]
            if projection == "actor-theme":
                hits += [edge(a, t, "asked-about", "actor", "theme")
                         for a in actors for t in sorted(themes.get(c["p"], ()))]
            for e in hits:
                e.evidence.add(ci)
                e.works.add(c["work"])
                if c["key"]:
                    e.verbs[c["key"]] = int(c["strength"])
    else:
        paragraphs: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"actor": set(), "instrument": set()})
        for r in iter_view_rows(store, "paragraph-entities"):
            paragraphs[r["p"]][r["kind"]].add(r["entity"])
        for p, ents in sorted(paragraphs.items()):
            for a in ents["actor"]:
                for i in ents["instrument"]:
                    edge(a, i, "named-with", "actor", "instrument").evidence.add(p)

    nodes = {iri: table.get(iri) or _fallback_node(iri, base, kind) for iri, kind in used.items()}
    by_iri = {iri: n.id for iri, n in nodes.items()}
    out_edges = []
    for (a, b, rel), e in edges.items():
        e.source, e.target = by_iri[a], by_iri[b]
        out_edges.append(e)
    out_edges.sort(key=lambda e: (e.source, e.target, e.relation))
    askers = sorted({nodes[a].label for (a, _, rel) in edges if rel == "mandate"})
    return Network(projection=projection, directed=projection == "mandate",
                   nodes=sorted(nodes.values(), key=lambda n: n.id), edges=out_edges,
                   title=_title(projection, " / ".join(askers) or "The asker"), clause_based=clause_based)


def _title(projection: str, asker: str) -> str:
    return {
        "mandate": f"{asker} and the actors it asks (arrows; width = mandate clauses); "
                   "actors asked in the same clause (dashed)",
        "co-addressee": "Actors asked in the same mandate clause (width = clauses)",
        "actor-instrument": "Actors and instruments named in the same paragraph (width = paragraphs)",
        "actor-theme": "Actors asked, and the themes of the paragraphs that ask them (width = clauses)",
    }[projection]


# ---------------------------------------------------------------------------------------
# layout: deterministic rings, pure Python (the same positions in the GEXF and the picture)
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


def layout(net: Network) -> dict[str, tuple[float, float]]:
    """Positions for every node, deterministic and cheap (pure Python, O(n²) at worst).

    ``mandate``: the asker in the middle, the actors it asks on a ring, co-addressees side
    by side; ``co-addressee``: one ring; the bipartite projections: actors in a left column,
    the other side in a right column, each ordered by the mean place of its neighbours.
    """
    strength = net.weighted_degree()
    links: dict[tuple[str, str], int] = defaultdict(int)
    for e in net.edges:
        links[(e.source, e.target)] += e.weight
        links[(e.target, e.source)] += e.weight
    pos: dict[str, tuple[float, float]] = {}
    if net.projection in ("actor-instrument", "actor-theme"):
        left = [n.id for n in net.nodes if n.type == "actor"]
        right = [n.id for n in net.nodes if n.type != "actor"]
        rank = {n: float(i) for i, n in enumerate(_chain(left, strength, links))}

        def barycentre(n: str, side: dict[str, float]) -> float:
            w = sum(links.get((n, m), 0) for m in side)
            return sum(links.get((n, m), 0) * r for m, r in side.items()) / w if w else 0.0

        for _ in range(2):  # two sweeps of the barycentre heuristic reduce crossings
            other = {n: float(i) for i, n in enumerate(sorted(right, key=lambda n: (barycentre(n, rank), n)))}
            rank = {n: float(i) for i, n in enumerate(sorted(left, key=lambda n: (barycentre(n, other), n)))}
        other = {n: float(i) for i, n in enumerate(sorted(right, key=lambda n: (barycentre(n, rank), n)))}
        step = 30.0
        height = step * max(len(left), len(right), 2)
        for side, x in ((rank, -0.4 * height), (other, 0.4 * height)):
            k = len(side)
            for n, i in side.items():
                pos[n] = (x, height / 2 - (i + 0.5) * height / max(1, k))
    else:
        hub = ""
        if net.projection == "mandate":
            askers = sorted({e.source for e in net.edges if e.relation == "mandate"})
            hub = max(askers, key=lambda n: strength[n]) if askers else ""
            if hub:
                pos[hub] = (0.0, 0.0)
        ring = [n.id for n in net.nodes if n.id != hub]
        radius = max(150.0, 16.0 * len(ring))
        for i, n in enumerate(_chain(ring, strength, links)):
            a = math.pi / 2 - 2 * math.pi * i / max(1, len(ring))
            pos[n] = (radius * math.cos(a), radius * math.sin(a))
    return {n: (round(x, 2) + 0.0, round(y, 2) + 0.0) for n, (x, y) in pos.items()}


def sizes(net: Network) -> dict[str, float]:
    """Node sizes from the weighted degree (square-root scale, SIZE_MIN to SIZE_MAX)."""
    strength = net.weighted_degree()
    top = max(strength.values(), default=0) or 1
    return {n: round(SIZE_MIN + (SIZE_MAX - SIZE_MIN) * math.sqrt(w / top), 2) for n, w in strength.items()}


# ---------------------------------------------------------------------------------------
# GEXF 1.3 and Gephi's CSV tables
# ---------------------------------------------------------------------------------------

NODE_ATTRIBUTES = (("type", "string"), ("label_zh", "string"), ("label_en", "string"), ("iri", "string"),
                   ("class", "string"), ("symbol", "string"), ("weighted_degree", "integer"))


def _edge_attributes(net: Network) -> tuple[tuple[str, str], ...]:
    if net.clause_based:
        return (("relation", "string"), ("verbs", "string"), ("max_strength", "integer"),
                ("resolutions", "integer"))
    return (("relation", "string"),)


def _num(v: float) -> str:
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _verbs(e: Edge) -> str:
    return ", ".join(k for k, _ in sorted(e.verbs.items(), key=lambda kv: (-kv[1], kv[0])))


def _node_values(net: Network) -> list[tuple[Node, dict[str, str]]]:
    strength = net.weighted_degree()
    return [(n, {k: clean(v) for k, v in {
        "type": n.type, "label_zh": n.label_zh, "label_en": n.label_en, "iri": n.iri, "class": n.cls,
        "symbol": n.symbol, "weighted_degree": str(strength[n.id])}.items()}) for n in net.nodes]


def _edge_values(net: Network, e: Edge) -> dict[str, str]:
    values = {"relation": e.relation}
    if net.clause_based:
        values.update({"verbs": _verbs(e), "max_strength": str(max(e.verbs.values(), default=0)),
                       "resolutions": str(len(e.works))})
    return {k: clean(v) for k, v in values.items()}


def to_gexf(net: Network) -> bytes:
    """The network as GEXF 1.3 (UTF-8, sorted, no date): byte-identical for equal networks."""

    g_, v_ = f"{{{GEXF_NS}}}", f"{{{VIZ_NS}}}"
    root = etree.Element(g_ + "gexf", nsmap={None: GEXF_NS, "viz": VIZ_NS})
    root.set("version", "1.3")
    meta = etree.SubElement(root, g_ + "meta")
    etree.SubElement(meta, g_ + "creator").text = f"mandates {__version__}"
    etree.SubElement(meta, g_ + "keywords").text = f"un-mandates, {net.projection}"
    etree.SubElement(meta, g_ + "description").text = clean(
        f"projection {net.projection}: {net.title}. Node colour = type "
        f"({', '.join(f'{t} #%02x%02x%02x' % COLOURS[t] for t in TYPES)}); size = weighted degree.")
    graph = etree.SubElement(root, g_ + "graph")
    graph.set("defaultedgetype", "directed" if net.directed else "undirected")
    graph.set("mode", "static")
    for cls, attrs in (("node", NODE_ATTRIBUTES), ("edge", _edge_attributes(net))):
        el = etree.SubElement(graph, g_ + "attributes")
        el.set("class", cls)
        el.set("mode", "static")
        for name, typ in attrs:
            a = etree.SubElement(el, g_ + "attribute")
            a.set("id", name)
            a.set("title", name)
            a.set("type", typ)
    pos, size = layout(net), sizes(net)
    nodes_el = etree.SubElement(graph, g_ + "nodes")
    nodes_el.set("count", str(len(net.nodes)))
    for n, values in _node_values(net):
        el = etree.SubElement(nodes_el, g_ + "node")
        el.set("id", clean(n.id))
        el.set("label", clean(n.label))
        av = etree.SubElement(el, g_ + "attvalues")
        for name, _ in NODE_ATTRIBUTES:
            x = etree.SubElement(av, g_ + "attvalue")
            x.set("for", name)
            x.set("value", values[name])
        r, g, b = COLOURS[n.type]
        c = etree.SubElement(el, v_ + "color")
        c.set("r", str(r))
        c.set("g", str(g))
        c.set("b", str(b))
        c.set("a", "1.0")
        etree.SubElement(el, v_ + "size").set("value", _num(size[n.id]))
        p = etree.SubElement(el, v_ + "position")
        p.set("x", _num(pos[n.id][0]))
        p.set("y", _num(pos[n.id][1]))
    edges_el = etree.SubElement(graph, g_ + "edges")
    edges_el.set("count", str(len(net.edges)))
    for e in net.edges:
        el = etree.SubElement(edges_el, g_ + "edge")
        el.set("id", clean(e.id))
        el.set("source", clean(e.source))
        el.set("target", clean(e.target))
        el.set("weight", str(e.weight))
        av = etree.SubElement(el, g_ + "attvalues")
        for name, value in _edge_values(net, e).items():
            x = etree.SubElement(av, g_ + "attvalue")
            x.set("for", name)
            x.set("value", value)
        r, g, b = RELATIONS[e.relation]["colour"]
        c = etree.SubElement(el, v_ + "color")
        c.set("r", str(r))
        c.set("g", str(g))
        c.set("b", str(b))
        etree.SubElement(el, v_ + "thickness").set("value", str(e.weight))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def to_csv(net: Network) -> tuple[str, str]:
    """Gephi's spreadsheet tables: (nodes.csv, edges.csv)."""
    nodes = io.StringIO()
    w = csv.writer(nodes, lineterminator="\n")
    w.writerow(["Id", "Label", *(name for name, _ in NODE_ATTRIBUTES)])
    for n, values in _node_values(net):
        w.writerow([clean(n.id), clean(n.label), *(values[name] for name, _ in NODE_ATTRIBUTES)])
    edges = io.StringIO()
    w = csv.writer(edges, lineterminator="\n")
    names = [name for name, _ in _edge_attributes(net)]
    w.writerow(["Id", "Source", "Target", "Type", "Weight", *names])
    for e in net.edges:
        values = _edge_values(net, e)
        w.writerow([clean(e.id), clean(e.source), clean(e.target), "Directed" if net.directed else "Undirected",
                    e.weight, *(values[n] for n in names)])
    return nodes.getvalue(), edges.getvalue()


# ---------------------------------------------------------------------------------------
# the picture
# ---------------------------------------------------------------------------------------

_HAN = re.compile(r"[\u3000-\u9fff\uf900-\ufaff\uff00-\uffef]")
LABELLED = 60  # at most this many node labels in the picture (the heaviest nodes)


def picture_label(n: Node, *, width: int = 24, lines: int = 4) -> str:
    """The label drawn in the picture: English (the bundled font has no Chinese glyphs);
    the symbol or the id when there is no English label; wrapped to short lines."""
    text = n.label_en or n.symbol or (n.id if not _HAN.search(n.id) else "")
    if not text:
        text = f"({n.type} without an English label)"
    return "\n".join(textwrap.wrap(text, width, max_lines=lines, placeholder=" ...")) or text


def _dashed(net: Network, relation: str) -> bool:
    """Dashed lines tell the co-addressee links from the mandate arrows in the mandate picture."""
    return net.projection == "mandate" and RELATIONS[relation]["style"] == "dashed"


def draw(net: Network, fmt: str, *, subtitle: str = "") -> bytes:
    """The network drawn as ``fmt`` (``png`` or ``svg``): the same positions as the GEXF,
    colour by type with a legend, width by weight, English labels. Deterministic: fixed
    positions, fixed SVG hash salt, no date in the metadata."""
    import matplotlib
    from matplotlib.figure import Figure  # no pyplot: the Agg/SVG canvases, no GUI, no global state
    from matplotlib.patches import FancyArrowPatch

    pos, size = layout(net), sizes(net)
    strength = net.weighted_degree()
    with matplotlib.rc_context({"svg.hashsalt": "un-mandates", "svg.fonttype": "none",
                                "font.family": "DejaVu Sans", "path.simplify": True}):
        fig = Figure(figsize=(13, 11), dpi=110)
        ax = fig.add_axes((0.02, 0.08, 0.96, 0.84))
        ax.set_aspect("equal")
        ax.axis("off")
        fig.suptitle(textwrap.fill(net.title, 110), fontsize=13, y=0.985)
        if subtitle:
            fig.text(0.5, 0.93, subtitle, ha="center", fontsize=10, color="#444444")
        if not net.nodes:
            ax.text(0.5, 0.5, "(no edges in this projection)", ha="center", va="center",
                    transform=ax.transAxes, fontsize=14)
        bipartite = net.projection in ("actor-instrument", "actor-theme")
        xs = [p[0] for p in pos.values()] or [0.0]
        ys = [p[1] for p in pos.values()] or [0.0]
        span = max(max(xs) - min(xs), max(ys) - min(ys), 1.0)
        x0, x1 = min(xs) - 0.45 * span, max(xs) + 0.45 * span
        y0, y1 = min(ys) - 0.12 * span, max(ys) + 0.12 * span
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        box = ax.get_position()
        width_pt, height_pt = box.width * 13 * 72, box.height * 11 * 72
        per_unit = min(width_pt / (x1 - x0), height_pt / (y1 - y0))  # points per layout unit
        ids = sorted(pos)
        nearest = min((math.dist(pos[a], pos[b]) for i, a in enumerate(ids) for b in ids[i + 1:]), default=span)
        scale = min(1.0, 0.85 * nearest * per_unit / (2 * SIZE_MAX))
        diameter = {n: 2 * s * scale for n, s in size.items()}  # marker diameter in points
        area = {n: d * d for n, d in diameter.items()}
        top_w = max((e.weight for e in net.edges), default=1)
        for e in net.edges:
            if e.source == e.target:
                continue
            rel = RELATIONS[e.relation]
            colour = tuple(c / 255 for c in rel["colour"])
            arrow = FancyArrowPatch(
                pos[e.source], pos[e.target],
                arrowstyle="-|>,head_length=6,head_width=3" if net.directed and e.relation == "mandate" else "-",
                connectionstyle="arc3,rad=0.12" if e.relation == "asked-with" else "arc3,rad=0.0",
                linestyle="--" if _dashed(net, e.relation) else "-",
                linewidth=0.7 + 4.0 * e.weight / top_w, color=colour, alpha=0.75,
                shrinkA=diameter[e.source] / 2 + 1, shrinkB=diameter[e.target] / 2 + 1, zorder=1)
            ax.add_patch(arrow)
        for t in TYPES:
            ids = [n.id for n in net.nodes if n.type == t]
            if not ids:
                continue
            ax.scatter([pos[i][0] for i in ids], [pos[i][1] for i in ids], s=[area[i] for i in ids],
                       color=tuple(c / 255 for c in COLOURS[t]), edgecolors="white", linewidths=1.0,
                       zorder=2, label=t)
        _draw_labels(ax, net, pos, diameter, strength, per_unit, bipartite=bipartite)
        _legend(fig, net)
        buf = io.BytesIO()
        if fmt == "svg":
            fig.savefig(buf, format="svg", metadata={"Date": None})
        else:
            fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _draw_labels(ax, net: Network, pos: dict, diameter: dict, strength: dict, per_unit: float, *,  # type: ignore[no-untyped-def, type-arg]
                 bipartite: bool) -> None:
    """Label the :data:`LABELLED` heaviest nodes, skipping a label too close to a heavier one's."""
    top_s = max(strength.values(), default=0)
    placed: list[tuple[float, float, float]] = []  # label anchors in points, half height
    by_id = {n.id: n for n in net.nodes}
    for nid in sorted(strength, key=lambda n: (-strength[n], n))[:LABELLED]:
        n = by_id[nid]
        x, y = pos[nid]
        size_pt = 11 if strength[nid] == top_s and not bipartite else 9
        text = picture_label(n, width=36 if bipartite else 24, lines=2 if bipartite else 4)
        half = (text.count("\n") + 1) * size_pt * 0.65
        px, py = x * per_unit, y * per_unit
        if any(abs(px - qx) < 110 and abs(py - qy) < half + qh for qx, qy, qh in placed):
            continue  # too close to a heavier node's label: leave it to the GEXF
        placed.append((px, py, half))
        off = diameter[nid] / 2 + 3
        d = math.hypot(x, y)
        if bipartite:
            ux, uy = (1.0 if x > 0 else -1.0), 0.0
        elif d < 1e-6:
            ux, uy = 0.0, -1.0
        else:
            ux, uy = x / d, y / d
        ha = "left" if ux > 0.35 else "right" if ux < -0.35 else "center"
        va = "bottom" if uy > 0.35 else "top" if uy < -0.35 else "center"
        ax.annotate(text, (x, y), xytext=(ux * off, uy * off), textcoords="offset points",
                    ha=ha, va=va, fontsize=size_pt, zorder=3,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75})


def _legend(fig, net: Network) -> None:  # type: ignore[no-untyped-def]
    """The legend: node colours by type, edge styles by relation."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], marker="o", linestyle="", markersize=10, color=tuple(c / 255 for c in COLOURS[t]),
                      label=t) for t in TYPES if any(n.type == t for n in net.nodes)]
    for rel in sorted({e.relation for e in net.edges}):
        spec = RELATIONS[rel]
        handles.append(Line2D([], [], color=tuple(c / 255 for c in spec["colour"]), linewidth=2,
                              linestyle="--" if _dashed(net, rel) else "-",
                              label=f"{rel} (width = {spec['counts']})"))
    if handles:
        fig.legend(handles=handles, loc="lower center", ncol=min(len(handles), 6), frameon=False,
                   fontsize=10, title="node colour = type; size = weighted degree", title_fontsize=10)


# ---------------------------------------------------------------------------------------
# entry points: the build, and `mandates export`
# ---------------------------------------------------------------------------------------

def write_build_exports(store, out_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """Write the default projection's GEXF (``out_dir/mandates.gexf``) from a filled store."""
    atomic_write(out_dir / "mandates.gexf", to_gexf(project(store, DEFAULT_PROJECTION)))


def documents_line(store) -> str:  # type: ignore[no-untyped-def]
    """The symbols of the resolutions in the store, for the picture's subtitle."""
    symbols = sorted({r["symbol"] for r in view_rows(store, "documents")})
    if len(symbols) > 6:
        return f"{len(symbols)} resolutions ({', '.join(symbols[:5])}, ...)"
    return ", ".join(symbols)


def _err(message: str) -> None:
    print(f"mandates: error: {message}", file=sys.stderr)


def export_cli(args) -> int:  # type: ignore[no-untyped-def]
    """``mandates export {gephi,png,svg,gephi-csv}``: 0 written, 2 usage problem, 3 no built store."""
    kind = args.kind
    projection = getattr(args, "projection", None) or DEFAULT_PROJECTION
    if projection not in PROJECTIONS:
        _err(f"unknown projection {projection!r} (one of {', '.join(PROJECTIONS)})")
        return EXIT_USAGE
    if kind not in ("gephi", "png", "svg", "gephi-csv"):
        _err(f"unknown export {kind!r} (gephi, png, svg or gephi-csv)")
        return EXIT_USAGE
    where = str(args.store)
    if re.match(r"^[a-z][a-z0-9+.-]*://", where, re.I):
        _err(f"--store {where}: export reads a folder written by 'mandates build --out', not an endpoint")
        return EXIT_USAGE
    folder = Path(where)
    if not folder.is_dir():
        _err(f"--store {folder}: no such folder (build one with 'mandates build --out {folder}')")
        return EXIT_INPUT
    store_dir = folder / "store"
    if not store_dir.is_dir():
        _err(f"--store {folder}: not a built store (no {store_dir}; build one with 'mandates build --out {folder}')")
        return EXIT_INPUT
    default_name = {"gephi": f"mandates-{projection}.gexf", "png": f"mandates-{projection}.png",
                    "svg": f"mandates-{projection}.svg", "gephi-csv": f"mandates-{projection}-csv"}[kind]
    out = Path(args.out) if getattr(args, "out", None) is not None else folder / default_name
    if kind == "gephi-csv":
        if out.exists() and not out.is_dir():
            _err(f"--out {out} exists and is not a folder (gephi-csv writes nodes.csv and edges.csv into a folder)")
            return EXIT_USAGE
    elif out.is_dir():
        out = out / default_name
    if kind in ("png", "svg"):
        if importlib.util.find_spec("matplotlib") is None:
            _err(f"'mandates export {kind}' needs matplotlib (python3 -m pip install matplotlib)")
            return EXIT_USAGE
    try:
        store = open_built(store_dir)
        if not any(g.endswith(VOCABULARY_GRAPH) for g in graph_names(store)):
            _err(f"--store {folder}: not a store built by 'mandates build' (no vocabulary graph)")
            return EXIT_INPUT
        net = project(store, projection)
        subtitle = documents_line(store) if kind in ("png", "svg") else ""
    except (OSError, StoreError) as exc:
        _err(f"--store {folder}: not a built store, or it cannot be read ({exc})")
        return EXIT_INPUT
    try:
        if kind == "gephi":
            atomic_write(out, to_gexf(net))
        elif kind == "gephi-csv":
            nodes, edges = to_csv(net)
            atomic_write(out / "nodes.csv", nodes)
            atomic_write(out / "edges.csv", edges)
        else:
            atomic_write(out, draw(net, kind, subtitle=subtitle))
    except OSError as exc:
        _err(f"--out {out}: cannot write ({exc})")
        return EXIT_USAGE
    print(f"mandates: wrote {out} (projection {projection}: {len(net.nodes)} nodes, {len(net.edges)} edges)",
          file=sys.stderr)
    return EXIT_OK
