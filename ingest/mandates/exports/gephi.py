"""The networks of a built store for Gephi (GEXF 1.3 and Gephi's CSV tables), and the
``mandates export`` command that also draws them (:mod:`mandates.exports.pictures`).

The networks are the projections of :mod:`mandates.exports.network`. The ``mandate``
projection is directed and holds only the Assembly's requests (one edge per addressee and
verb, ``kind`` = the verb, so Gephi 0.9+ keeps them as parallel edges); the actors asked
together are the undirected ``co-addressee`` projection: GEXF has no mixed graph both Gephi
and networkx read (networkx refuses an undirected edge in a directed graph), so each file
has one edge kind, given by ``defaultedgetype``.

When the store holds two or more resolutions of one series, the GEXF is dynamic
(``mode="dynamic"``, ``timeformat="date"``, the graph's ``start``/``end`` the first and last
adoption dates): each node and edge has ``<spells>`` (inclusive dates: from a resolution's
adoption to the day before the next resolution of its series is adopted), and the edges a
dynamic attribute ``current_weight`` (the weight counted over the resolutions of the
moment), so Gephi's timeline plays the series.

The GEXF is written by hand with lxml rather than ``networkx.write_gexf``, which writes
1.2draft, stamps the date, fails on ``None`` and lists, lets an edge attribute named ``type``
replace the edge kind and passes control characters through: here the output is GEXF 1.3 that
validates against the official RelaxNG grammar, carries no date, sorts nodes and edges, and
strips characters XML cannot hold, so equal graphs give equal bytes.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
import sys
from pathlib import Path

from lxml import etree

from mandates import __version__
from mandates.core.files import atomic_write
from mandates.exports.network import (
    ACTOR_PALETTE,
    DEFAULT_PROJECTION,
    FORCE_GREYS,
    LANGS,
    PROJECTIONS,
    RELATIONS,
    TYPE_STYLE,
    Edge,
    Network,
    Node,
    clean,
    documents_line,
    hex_rgb,
    layout,
    project,
    sizes,
)
from mandates.exports.pictures import FontError, draw, draw_timeline
from mandates.rdf.namespaces import VOCABULARY_GRAPH
from mandates.rdf.store import StoreError, graph_names, open_built

GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"
KINDS = ("gephi", "gephi-csv", "png", "svg", "timeline")

EXIT_OK, EXIT_USAGE, EXIT_INPUT = 0, 2, 3

NODE_ATTRIBUTES = (("type", "string"), ("label_zh", "string"), ("label_en", "string"), ("actor_type", "string"),
                   ("iri", "string"), ("class", "string"), ("symbol", "string"), ("weighted_degree", "integer"),
                   ("resolutions", "integer"))
DYNAMIC_EDGE_ATTRIBUTES = (("current_weight", "integer"),)


def describe(net: Network) -> str:
    """What the network shows, in one line (the GEXF's description)."""
    what = {
        "mandate": f"{net.asker or 'The asker'} and the actors it asks: one directed edge per addressee and verb, "
                   "weight = mandate clauses, kind = the verb",
        "co-addressee": "Actors asked in the same mandate clause (undirected; weight = clauses, with the clauses "
                        "per verb and per force)",
        "actor-instrument": "Actors and instruments named in the same paragraph (undirected; weight = paragraphs)",
        "actor-theme": "Actors asked, and the themes of the paragraphs that ask them (undirected; weight = clauses, "
                       "with the clauses per verb and per force)",
    }[net.projection]
    colours = ", ".join(f"{g} {c}" for g, c in ACTOR_PALETTE) + ", " + ", ".join(
        f"{t} {c}" for t, (c, _) in TYPE_STYLE.items())
    time = (f" Dynamic: spells from the adoption dates {net.timeline.start} to {net.timeline.end}; a resolution's "
            "requests hold until the day before the next resolution of its series.") if net.dynamic else ""
    return clean(f"projection {net.projection}: {what}. Node colour = actor class or node type ({colours}); "
                 f"size = weighted degree; mandate edges grey by force (light 1 to dark 5).{time}")


def _strength_levels(net: Network) -> list[int]:
    return sorted({s for e in net.edges for s in e.strengths}) if net.projection in ("co-addressee", "actor-theme") else []


def edge_attributes(net: Network) -> tuple[tuple[str, str], ...]:
    """The static edge attributes of ``net``'s GEXF and CSV."""
    if net.projection == "mandate":
        extra = (("verb", "string"), ("verb_zh", "string"), ("verb_en", "string"), ("strength", "integer"))
    elif net.clause_based:
        extra = (("verbs", "string"), ("max_strength", "integer"),
                 *((f"strength_{s}", "integer") for s in _strength_levels(net)))
    else:
        extra = ()
    return (("relation", "string"), *extra, ("resolutions", "integer"))


def _num(v: float) -> str:
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def verb_counts(e: Edge) -> str:
    """The verbs of an edge's clauses with their counts, most frequent first.

    >>> verb_counts(Edge("a", "b", "asked-with", verbs={"invite": 1, "encourage": 6}))
    'encourage 6; invite 1'
    """
    return "; ".join(f"{k} {n}" for k, n in sorted(e.verbs.items(), key=lambda kv: (-kv[1], kv[0])))


def node_values(net: Network) -> list[tuple[Node, dict[str, str]]]:
    """Each node with its attribute values (as text)."""
    strength = net.weighted_degree()
    return [(n, {k: clean(v) for k, v in {
        "type": n.type, "label_zh": n.label_zh, "label_en": n.label_en,
        "actor_type": n.group if n.type == "actor" else "", "iri": n.iri, "class": n.cls,
        "symbol": n.symbol, "weighted_degree": str(strength[n.id]), "resolutions": str(len(n.works))}.items()})
        for n in net.nodes]


def edge_values(net: Network, e: Edge, attrs: tuple[tuple[str, str], ...] | None = None) -> dict[str, str]:
    """An edge's attribute values (as text), for ``attrs`` (default :func:`edge_attributes`,
    which a caller writing every edge computes once)."""
    attrs = edge_attributes(net) if attrs is None else attrs
    levels = [int(k[len("strength_"):]) for k, _ in attrs if k.startswith("strength_")]
    values = {"relation": e.relation, "resolutions": str(len(e.works))}
    if net.projection == "mandate":
        values.update({"verb": e.verb, "verb_zh": e.verb_zh, "verb_en": e.verb_en, "strength": str(e.strength)})
    elif net.clause_based:
        values.update({"verbs": verb_counts(e), "max_strength": str(max(e.strengths, default=0))})
        values.update({f"strength_{s}": str(e.strengths.get(s, 0)) for s in levels})
    return {k: clean(values[k]) for k, _ in attrs}


def edge_label(net: Network, e: Edge) -> str:
    """A mandate edge's label: its verb in the network's language."""
    if net.projection != "mandate":
        return ""
    return clean((e.verb_zh or e.verb_en) if net.lang == "zh" else (e.verb_en or e.verb_zh)) or e.verb


def edge_colour(e: Edge) -> str:
    """Mandate edges grey by force, the others one grey."""
    if e.relation == "mandate":
        return FORCE_GREYS[max(0, min(e.strength, len(FORCE_GREYS) - 1))]
    return str(RELATIONS[e.relation]["colour"])


def _attributes(graph, g_: str, cls: str, mode: str, attrs) -> None:  # type: ignore[no-untyped-def]
    el = etree.SubElement(graph, g_ + "attributes")
    el.set("class", cls)
    el.set("mode", mode)
    for name, typ in attrs:
        a = etree.SubElement(el, g_ + "attribute")
        a.set("id", name)
        a.set("title", name)
        a.set("type", typ)


def _attvalues(el, g_: str, values: dict[str, str]) -> etree._Element:  # type: ignore[no-untyped-def]
    av = etree.SubElement(el, g_ + "attvalues")
    for name, value in values.items():
        x = etree.SubElement(av, g_ + "attvalue")
        x.set("for", name)
        x.set("value", value)
    return av


def _spells(el, g_: str, spells: list[tuple[str, str]]) -> None:  # type: ignore[no-untyped-def]
    if spells:
        sp = etree.SubElement(el, g_ + "spells")
        for start, end in spells:
            s = etree.SubElement(sp, g_ + "spell")
            s.set("start", start)
            s.set("end", end)


def _colour(el, v_: str, colour: str) -> None:  # type: ignore[no-untyped-def]
    c = etree.SubElement(el, v_ + "color")
    for k, v in zip("rgb", hex_rgb(colour)):
        c.set(k, str(v))
    c.set("a", "1.0")


def _graph_element(root, g_: str, net: Network, attrs: tuple[tuple[str, str], ...]):  # type: ignore[no-untyped-def]
    graph = etree.SubElement(root, g_ + "graph")
    graph.set("defaultedgetype", "directed" if net.directed else "undirected")
    if net.dynamic:
        graph.set("mode", "dynamic")
        graph.set("timeformat", "date")
        graph.set("timerepresentation", "interval")
        graph.set("start", net.timeline.start)
        graph.set("end", net.timeline.end)
    else:
        graph.set("mode", "static")
    _attributes(graph, g_, "node", "static", NODE_ATTRIBUTES)
    _attributes(graph, g_, "edge", "static", attrs)
    if net.dynamic:
        _attributes(graph, g_, "edge", "dynamic", DYNAMIC_EDGE_ATTRIBUTES)
    return graph


def to_gexf(net: Network) -> bytes:
    """The network as GEXF 1.3 (UTF-8, sorted, no date): byte-identical for equal networks."""
    g_, v_ = f"{{{GEXF_NS}}}", f"{{{VIZ_NS}}}"
    root = etree.Element(g_ + "gexf", nsmap={None: GEXF_NS, "viz": VIZ_NS})
    root.set("version", "1.3")
    meta = etree.SubElement(root, g_ + "meta")
    etree.SubElement(meta, g_ + "creator").text = f"mandates {__version__}"
    etree.SubElement(meta, g_ + "keywords").text = f"un-mandates, {net.projection}"
    etree.SubElement(meta, g_ + "description").text = describe(net)
    attrs = edge_attributes(net)
    graph = _graph_element(root, g_, net, attrs)
    pos, size = layout(net), sizes(net)
    nodes_el = etree.SubElement(graph, g_ + "nodes")
    nodes_el.set("count", str(len(net.nodes)))
    for n, values in node_values(net):
        el = etree.SubElement(nodes_el, g_ + "node")
        el.set("id", clean(n.id))
        el.set("label", clean(n.label))
        _attvalues(el, g_, values)
        if net.dynamic:
            _spells(el, g_, net.timeline.spells(n.works))
        _colour(el, v_, net.colour(n))
        etree.SubElement(el, v_ + "size").set("value", _num(size[n.id]))
        p = etree.SubElement(el, v_ + "position")
        p.set("x", _num(pos[n.id][0]))
        p.set("y", _num(pos[n.id][1]))
        etree.SubElement(el, v_ + "shape").set("value", TYPE_STYLE[n.type][1] if n.type in TYPE_STYLE else "disc")
    edges_el = etree.SubElement(graph, g_ + "edges")
    edges_el.set("count", str(len(net.edges)))
    for e in net.edges:
        el = etree.SubElement(edges_el, g_ + "edge")
        el.set("id", clean(e.id))
        el.set("source", clean(e.source))
        el.set("target", clean(e.target))
        el.set("weight", str(e.weight))
        if e.verb:
            el.set("kind", clean(e.verb))
            el.set("label", edge_label(net, e))
        av = _attvalues(el, g_, edge_values(net, e, attrs))
        if net.dynamic:
            for value, start, end in net.timeline.values({w: len(ev) for w, ev in e.by_work.items()}):
                x = etree.SubElement(av, g_ + "attvalue")
                x.set("for", "current_weight")
                x.set("value", str(value))
                x.set("start", start)
                x.set("end", end)
            _spells(el, g_, net.timeline.spells(e.works))
        _colour(el, v_, edge_colour(e))
        etree.SubElement(el, v_ + "thickness").set("value", str(e.weight))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def time_interval(spells: list[tuple[str, str]]) -> str:
    """Spells as Gephi's spreadsheet "Time Interval" (inclusive bounds).

    >>> time_interval([("2020-09-04", "2022-05-19"), ("2024-01-01", "2024-01-01")])
    '<[2020-09-04, 2022-05-19]; [2024-01-01, 2024-01-01]>'
    """
    return "<" + "; ".join(f"[{s}, {e}]" for s, e in spells) + ">" if spells else ""


def to_csv(net: Network) -> tuple[str, str]:
    """Gephi's spreadsheet tables: (nodes.csv, edges.csv); a dynamic network adds the
    "Time Interval" column."""
    time = ["Time Interval"] if net.dynamic else []
    nodes = io.StringIO()
    w = csv.writer(nodes, lineterminator="\n")
    w.writerow(["Id", "Label", *(name for name, _ in NODE_ATTRIBUTES), *time])
    for n, values in node_values(net):
        spell = [time_interval(net.timeline.spells(n.works))] if time else []
        w.writerow([clean(n.id), clean(n.label), *(values[name] for name, _ in NODE_ATTRIBUTES), *spell])
    edges = io.StringIO()
    w = csv.writer(edges, lineterminator="\n")
    attrs = edge_attributes(net)
    names = [name for name, _ in attrs]
    w.writerow(["Id", "Source", "Target", "Type", "Weight", "Label", *names, *time])
    for e in net.edges:
        values = edge_values(net, e, attrs)
        spell = [time_interval(net.timeline.spells(e.works))] if time else []
        w.writerow([clean(e.id), clean(e.source), clean(e.target), "Directed" if net.directed else "Undirected",
                    e.weight, edge_label(net, e), *(values[n] for n in names), *spell])
    return nodes.getvalue(), edges.getvalue()


# ---------------------------------------------------------------------------------------
# entry points: the build, and `mandates export`
# ---------------------------------------------------------------------------------------

def write_build_exports(store, out_dir: Path) -> None:  # type: ignore[no-untyped-def]
    """Write the default projection's GEXF (``out_dir/mandates.gexf``) from a filled store."""
    atomic_write(out_dir / "mandates.gexf", to_gexf(project(store, DEFAULT_PROJECTION)))


def _err(message: str) -> None:
    print(f"mandates: error: {message}", file=sys.stderr)


def _output(args, folder: Path, kind: str, projection: str) -> tuple[Path | None, str]:  # type: ignore[no-untyped-def]
    """Where to write, and the picture format; (None, message) for a usage problem."""
    default_name = {"gephi": f"mandates-{projection}.gexf", "png": f"mandates-{projection}.png",
                    "svg": f"mandates-{projection}.svg", "gephi-csv": f"mandates-{projection}-csv",
                    "timeline": "mandates-timeline.png"}[kind]
    out = Path(args.out) if getattr(args, "out", None) is not None else folder / default_name
    if kind == "gephi-csv":
        if out.exists() and not out.is_dir():
            return None, f"--out {out} exists and is not a folder (gephi-csv writes nodes.csv and edges.csv into a folder)"
    elif out.is_dir():
        out = out / default_name
    fmt = kind
    if kind == "timeline":
        fmt = "svg" if out.suffix.lower() == ".svg" else "png"
    return out, fmt


def _check_usage(args) -> str:  # type: ignore[no-untyped-def]
    projection = getattr(args, "projection", None) or DEFAULT_PROJECTION
    lang = getattr(args, "lang", None) or "en"
    if projection not in PROJECTIONS:
        return f"unknown projection {projection!r} (one of {', '.join(PROJECTIONS)})"
    if lang not in LANGS:
        return f"unknown language {lang!r} (one of {', '.join(LANGS)})"
    if args.kind not in KINDS:
        return f"unknown export {args.kind!r} (one of {', '.join(KINDS)})"
    if re.match(r"^[a-z][a-z0-9+.-]*://", str(args.store), re.I):
        return f"--store {args.store}: export reads a folder written by 'mandates build --out', not an endpoint"
    if args.kind in ("png", "svg", "timeline") and importlib.util.find_spec("matplotlib") is None:
        return f"'mandates export {args.kind}' needs matplotlib (python3 -m pip install matplotlib)"
    return ""


def _write(kind: str, fmt: str, out: Path, net: Network, subtitle: str) -> None:
    if kind == "gephi":
        atomic_write(out, to_gexf(net))
    elif kind == "gephi-csv":
        nodes, edges = to_csv(net)
        atomic_write(out / "nodes.csv", nodes)
        atomic_write(out / "edges.csv", edges)
    elif kind == "timeline":
        atomic_write(out, draw_timeline(net, fmt, subtitle=subtitle))
    else:
        atomic_write(out, draw(net, fmt, subtitle=subtitle))


def export_cli(args) -> int:  # type: ignore[no-untyped-def]
    """``mandates export {gephi,gephi-csv,png,svg,timeline}``: 0 written, 2 usage problem (a bad
    option, no matplotlib, no font for the Chinese labels), 3 no built store (or no adoption
    date for a timeline)."""
    problem = _check_usage(args)
    if problem:
        _err(problem)
        return EXIT_USAGE
    kind, lang = args.kind, getattr(args, "lang", None) or "en"
    projection = "mandate" if kind == "timeline" else getattr(args, "projection", None) or DEFAULT_PROJECTION
    folder = Path(str(args.store))
    if not folder.is_dir():
        _err(f"--store {folder}: no such folder (build one with 'mandates build --out {folder}')")
        return EXIT_INPUT
    store_dir = folder / "store"
    if not store_dir.is_dir():
        _err(f"--store {folder}: not a built store (no {store_dir}; build one with 'mandates build --out {folder}')")
        return EXIT_INPUT
    out, fmt = _output(args, folder, kind, projection)
    if out is None:
        _err(fmt)
        return EXIT_USAGE
    try:
        store = open_built(store_dir)
        if not any(g.endswith(VOCABULARY_GRAPH) for g in graph_names(store)):
            _err(f"--store {folder}: not a store built by 'mandates build' (no vocabulary graph)")
            return EXIT_INPUT
        net = project(store, projection, lang=lang)
        subtitle = documents_line(store) if kind in ("png", "svg", "timeline") else ""
    except (OSError, StoreError) as exc:
        _err(f"--store {folder}: not a built store, or it cannot be read ({exc})")
        return EXIT_INPUT
    try:
        _write(kind, fmt, out, net, subtitle)
    except FontError as exc:
        _err(str(exc))
        return EXIT_USAGE
    except ValueError as exc:
        _err(f"--store {folder}: {exc}")
        return EXIT_INPUT
    except OSError as exc:
        _err(f"--out {out}: cannot write ({exc})")
        return EXIT_USAGE
    dynamic = f", dynamic {net.timeline.start} to {net.timeline.end}" if net.dynamic else ""
    print(f"mandates: wrote {out} (projection {projection}: {len(net.nodes)} nodes, {len(net.edges)} edges{dynamic})",
          file=sys.stderr)
    return EXIT_OK
