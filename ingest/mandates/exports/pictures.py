"""Pictures of the networks (PNG or SVG with matplotlib): the network as Gephi gets it, and
the timeline of a series (who is asked, resolution by resolution).

Every node's label is drawn, in the network's language (``--lang zh``: Chinese labels, set
in a font found among the installed ones that has the characters, e.g. WenQuanYi Micro Hei;
:class:`FontError` when there is none). Nodes are coloured by actor class
(:data:`mandates.exports.network.ACTOR_PALETTE`, named in the legend by the classes' labels
in the ontology) and shaped by type; mandate arrows are grey by the verb's force. The
layout is computed in points (rings and columns large enough for their labels) from the
same order as the GEXF positions. Output is deterministic: fixed positions, a fixed SVG hash
salt, no date in the metadata; SVG text stays text (``svg.fonttype: none``), each node
label in a group ``node-label-N`` (N: the node's place in ``Network.nodes``).
"""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections import defaultdict
from datetime import date
from functools import lru_cache
from typing import Any, Iterable

from mandates.exports.network import (
    ACTOR_PALETTE,
    FORCE_GREYS,
    SIZE_MAX,
    TYPE_STYLE,
    Network,
    Node,
    columns,
    hub,
    pick,
    ring_order,
    sizes,
)

_WIDE = re.compile(r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]")
_CLOSING = set("，。、；：！？）」』》〉】")  # never at the head of a line
MARKERS = {"actor": "o", "instrument": "s", "resolution": "D", "theme": "^"}
LATIN_FONT = "DejaVu Sans"

#: the words of the pictures (titles, legends), by language
UI: dict[str, dict[str, str]] = {
    "en": {
        "mandate": "{asker} and the actors it asks: one arrow per verb (width = mandate clauses; darker = stronger verb)",
        "co-addressee": "Actors asked in the same mandate clause (width = clauses)",
        "actor-instrument": "Actors and instruments named in the same paragraph (width = paragraphs)",
        "actor-theme": "Actors asked, and the themes of the paragraphs that ask them (width = clauses)",
        "legend": "node colour = actor class; size = weighted degree",
        "force": "force {n}: {verbs}",
        "width": "width = {counts}",
        "empty": "(no edges in this projection)",
        "timeline": "Who is asked, resolution by resolution",
        "timeline-note": "marker area = mandate clauses asking the actor (with their verbs); line = the period "
                         "the requests hold (until the next resolution of the series); × = no longer asked",
        "timeline-legend": "colour = actor class",
        "instrument": "instrument", "resolution": "resolution", "theme": "theme",
    },
    "zh": {
        "mandate": "{asker}及其所请各方：每个动词一条箭头（线宽 = 任务条款数；颜色越深 = 动词力度越强）",
        "co-addressee": "在同一任务条款中一并被请的各方（线宽 = 条款数）",
        "actor-instrument": "同一段落中提及的行为体与文书（线宽 = 段落数）",
        "actor-theme": "被请各方及其段落的主题（线宽 = 条款数）",
        "legend": "节点颜色 = 行为体类别；大小 = 加权度",
        "force": "力度 {n}：{verbs}",
        "width": "线宽 = {counts}",
        "empty": "（此投影中没有边）",
        "timeline": "各项决议分别请哪些方面采取行动",
        "timeline-note": "标记面积 = 请该方面的任务条款数（附动词）；横线 = 所请事项的有效期间（至本系列下一项决议为止）；"
                         "× = 此后不再请",
        "timeline-legend": "颜色 = 行为体类别",
        "instrument": "文书", "resolution": "决议", "theme": "主题",
    },
}
COUNTS_ZH = {"mandate clauses": "任务条款数", "paragraphs": "段落数"}


class FontError(Exception):
    """No installed font has the characters a picture must show."""


# ---------------------------------------------------------------------------------------
# fonts and text
# ---------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _charmap(path: str) -> dict[int, int]:
    from matplotlib import ft2font

    try:
        return dict(ft2font.FT2Font(path).get_charmap())
    except (OSError, RuntimeError, ValueError):
        return {}


#: characters every font for Chinese has, each its own glyph (a "last resort" font that draws
#: one placeholder box for a whole Unicode block maps them all to one glyph)
PROBE = "中文字国"


def wide_font(chars: Iterable[str], *, fonts: Iterable[Any] | None = None) -> str:
    """The family name of the installed font that draws the most of ``chars`` (Chinese
    characters and full-width punctuation) with glyphs of their own (ties by name), from
    matplotlib's font list or ``fonts`` (its entries).

    Raises FontError when no font has Chinese characters.
    """
    from matplotlib import font_manager

    needed = sorted(set(chars) | set(PROBE))
    entries = list(font_manager.fontManager.ttflist if fonts is None else fonts)
    best: tuple[int, str] = (len(PROBE) - 1, "")
    for f in sorted(entries, key=lambda f: (f.name, f.fname)):
        if getattr(f, "style", "normal") != "normal":
            continue
        cmap = _charmap(f.fname)
        glyphs = {cmap[ord(ch)] for ch in needed if cmap.get(ord(ch))}
        if len(glyphs) > best[0]:
            best = (len(glyphs), f.name)
    if not best[1]:
        sample = "".join(sorted(set(chars)))[:12]
        raise FontError(f"no installed font has Chinese characters (needed for labels such as {sample!r}); "
                        "install one (Debian/Ubuntu: apt-get install fonts-wqy-microhei; or any Noto CJK font), "
                        "or draw with --lang en")
    return best[1]


def font_family(texts: Iterable[str], *, fonts: Iterable[Any] | None = None) -> list[str]:
    """The font family list for ``texts``: DejaVu Sans, after a font with the Chinese
    characters when there are some (matplotlib falls back glyph by glyph)."""
    wide = {ch for t in texts for ch in t if _WIDE.match(ch)}
    return [wide_font(wide, fonts=fonts), LATIN_FONT] if wide else [LATIN_FONT]


def text_width(text: str, size: float) -> float:
    """The width of one line in points, estimated: a Chinese character is one em wide, a
    Latin one 0.62 em (DejaVu Sans, a wide face: no label overflows its room)."""
    return sum(size * (1.0 if _WIDE.match(ch) else 0.62) for ch in text)


def wrap(text: str, width: int) -> str:
    """``text`` in lines of at most ``width`` narrow characters (a Chinese one counts two),
    never cut short.

    >>> wrap("Inter-Parliamentary Union Standing Committee on United Nations Affairs", 24)
    'Inter-Parliamentary\\nUnion Standing Committee\\non United Nations\\nAffairs'
    >>> wrap("联合国促进性别平等和增强妇女权能署", 16)
    '联合国促进性别平\\n等和增强妇女权能\\n署'
    """
    if any(_WIDE.match(ch) for ch in text):
        lines, line, used = [], "", 0
        for ch in text:
            w = 2 if _WIDE.match(ch) else 1
            if used + w > width and line and ch not in _CLOSING:
                lines.append(line)
                line, used = "", 0
            line, used = line + ch, used + w
        return "\n".join([*lines, line])
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False)) or text


def picture_label(n: Node, lang: str) -> str:
    """The label drawn for a node: its label in ``lang`` (else the other language's), else
    its symbol, else its id."""
    return pick(lang, n.label_zh, n.label_en) or n.symbol or n.id


def _box(text: str, size: float) -> tuple[float, float]:
    lines = text.split("\n")
    return max(text_width(line, size) for line in lines), len(lines) * size * 1.25


# ---------------------------------------------------------------------------------------
# the canvas: a figure whose data units are points
# ---------------------------------------------------------------------------------------

def _figure(width: float, height: float):  # type: ignore[no-untyped-def]
    from matplotlib.figure import Figure  # no pyplot: the Agg/SVG canvases, no GUI, no global state

    fig = Figure(figsize=(width / 72, height / 72), dpi=100)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    return fig, ax


def _save(fig, fmt: str) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    if fmt == "svg":
        fig.savefig(buf, format="svg", metadata={"Date": None})
    else:
        fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _rc(family: list[str]) -> dict[str, Any]:
    return {"svg.hashsalt": "un-mandates", "svg.fonttype": "none", "font.family": family, "path.simplify": True}


def _rgb(colour: str) -> tuple[float, float, float]:
    return int(colour[1:3], 16) / 255, int(colour[3:5], 16) / 255, int(colour[5:7], 16) / 255


def _title(ax, width: float, top: float, title: str, subtitle: str) -> None:  # type: ignore[no-untyped-def]
    chars = max(30, int((width - 40) / (13 * 0.62)))
    ax.text(width / 2, top - 10, wrap(title, chars), ha="center", va="top", fontsize=13)
    if subtitle:
        ax.text(width / 2, top - 10 - 13 * 1.3 * (wrap(title, chars).count("\n") + 1) - 4, subtitle,
                ha="center", va="top", fontsize=10, color="#444444")


def _title_height(width: float, title: str, subtitle: str) -> float:
    chars = max(30, int((width - 40) / (13 * 0.62)))
    return 18 + 13 * 1.3 * (wrap(title, chars).count("\n") + 1) + (18 if subtitle else 0)


def _legend_handles(net: Network, ui: dict[str, str]) -> list[Any]:
    from matplotlib.lines import Line2D

    handles = []
    present = {n.group for n in net.nodes if n.type == "actor"}
    for g, colour in ACTOR_PALETTE:
        if g in present:
            handles.append(Line2D([], [], marker="o", linestyle="", markersize=9, color=_rgb(colour),
                                  label=net.group_label(g)))
    for t, (colour, _) in TYPE_STYLE.items():
        if any(n.type == t for n in net.nodes):
            handles.append(Line2D([], [], marker=MARKERS[t], linestyle="", markersize=9, color=_rgb(colour),
                                  label=ui[t]))
    if net.projection == "mandate":
        by_force: dict[int, set[str]] = defaultdict(set)
        for e in net.edges:
            by_force[e.strength].add(pick(net.lang, e.verb_zh, e.verb_en) or e.verb)
        for s in sorted(by_force):
            handles.append(Line2D([], [], color=_rgb(FORCE_GREYS[min(s, len(FORCE_GREYS) - 1)]), linewidth=2.5,
                                  label=ui["force"].format(n=s, verbs=", ".join(sorted(by_force[s])))))
    elif net.edges:
        counts = "paragraphs" if net.projection == "actor-instrument" else "mandate clauses"
        handles.append(Line2D([], [], color=_rgb("#969696"), linewidth=2.5,
                              label=ui["width"].format(counts=COUNTS_ZH[counts] if net.lang == "zh" else counts)))
    return handles


def _legend_layout(net: Network, ui: dict[str, str], width: float) -> tuple[list[Any], int, float]:
    handles = _legend_handles(net, ui)
    widest = max((text_width(h.get_label(), 9) + 30 for h in handles), default=1.0)
    ncol = max(1, min(len(handles), int((width - 40) // widest)))
    rows = math.ceil(len(handles) / ncol) if handles else 0
    return handles, ncol, (30 + rows * 17 if handles else 0)


def _legend(fig, handles: list[Any], ncol: int, title: str) -> None:  # type: ignore[no-untyped-def]
    if handles:
        fig.legend(handles=handles, loc="lower center", ncol=ncol, frameon=False, fontsize=9,
                   title=title, title_fontsize=9, borderaxespad=0.3)


def _label(ax, i: int, x: float, y: float, text: str, size: float, **kw: Any) -> None:  # type: ignore[no-untyped-def]
    t = ax.text(x, y, text, fontsize=size, zorder=4, **kw)
    t.set_gid(f"node-label-{i}")


# ---------------------------------------------------------------------------------------
# the network picture
# ---------------------------------------------------------------------------------------

def _labels(net: Network, width_en: int, width_zh: int) -> dict[str, str]:
    return {n.id: wrap(picture_label(n, net.lang), width_zh if net.lang == "zh" else width_en) for n in net.nodes}


def draw(net: Network, fmt: str, *, subtitle: str = "", fonts: Iterable[Any] | None = None) -> bytes:
    """The network drawn as ``fmt`` (``png`` or ``svg``), every node labelled in the
    network's language. Raises FontError when its labels need a font that is not installed
    (``fonts``: the font entries to choose from, default matplotlib's list)."""
    import matplotlib

    ui = UI[net.lang]
    title = ui[net.projection].format(asker=net.asker)
    bipartite = net.projection in ("actor-instrument", "actor-theme")
    labels = _labels(net, 40 if bipartite else 24, 24 if bipartite else 16)
    handles_text = [net.group_label(g) for g in net.groups] + [title, subtitle, ui["legend"]]
    handles_text += [e.verb_zh if net.lang == "zh" else e.verb_en for e in net.edges]
    family = font_family([*labels.values(), *handles_text], fonts=fonts)
    with matplotlib.rc_context(_rc(family)):
        if bipartite:
            fig = _draw_columns(net, labels, title, subtitle, ui)
        else:
            fig = _draw_ring(net, labels, title, subtitle, ui)
        return _save(fig, fmt)


def _diameters(net: Network, spacing: float) -> dict[str, float]:
    scale = min(1.0, 0.8 * spacing / (2 * SIZE_MAX))
    return {n: 2 * s * scale for n, s in sizes(net).items()}


def _scatter(ax, net: Network, pos: dict[str, tuple[float, float]], diameter: dict[str, float]) -> None:  # type: ignore[no-untyped-def]
    groups: dict[tuple[str, str], list[Node]] = defaultdict(list)
    for n in net.nodes:
        groups[(n.type, net.colour(n))].append(n)
    for (t, colour), ns in sorted(groups.items()):
        ax.scatter([pos[n.id][0] for n in ns], [pos[n.id][1] for n in ns], s=[diameter[n.id] ** 2 for n in ns],
                   color=_rgb(colour), marker=MARKERS[t], edgecolors="white", linewidths=1.0, zorder=3)


def _ring_geometry(net: Network, labels: dict[str, str], size: float) -> tuple[list[str], str, float, bool, float, float]:
    ring = ring_order(net)
    centre = hub(net) if net.projection == "mandate" else ""
    radial = len(ring) > 20
    longest = max((_box(labels[n].replace("\n", " ") if radial else labels[n], size)[0] for n in ring), default=0.0)
    tallest = max((_box(labels[n], size)[1] for n in ring), default=0.0)
    per_node = size * 1.5 if radial else max(34.0, tallest * 0.8)
    radius = max(200.0, len(ring) * per_node / (2 * math.pi))
    across, up = (longest + 30, longest + 30) if radial else (longest + 30, tallest + 30)
    return ring, centre, radius, radial, across, up


def _draw_ring(net: Network, labels: dict[str, str], title: str, subtitle: str, ui: dict[str, str]):  # type: ignore[no-untyped-def]
    from matplotlib.collections import LineCollection
    from matplotlib.patches import FancyArrowPatch

    size = 9.0
    ring, centre, radius, radial, across, up = _ring_geometry(net, labels, size)
    width = max(2 * (radius + across) + 40, 760.0)
    side = 2 * (radius + up) + 20
    handles, ncol, legend_h = _legend_layout(net, ui, width)
    head = _title_height(width, title, subtitle)
    height = side + head + legend_h
    fig, ax = _figure(width, height)
    cx, cy = width / 2, legend_h + side / 2
    pos = {}
    if centre:
        pos[centre] = (cx, cy)
    for i, n in enumerate(ring):
        a = math.pi / 2 - 2 * math.pi * i / max(1, len(ring))
        pos[n] = (cx + radius * math.cos(a), cy + radius * math.sin(a))
    diameter = _diameters(net, 2 * math.pi * radius / max(1, len(ring)))
    _title(ax, width, height, title, subtitle)
    if not net.nodes:
        ax.text(width / 2, cy, ui["empty"], ha="center", va="center", fontsize=14)
    top = max((e.weight for e in net.edges), default=1)
    if net.projection == "mandate":
        pairs: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for e in net.edges:
            pairs[(e.source, e.target)].append(e)
        for (a, b), es in sorted(pairs.items()):
            for k, e in enumerate(sorted(es, key=lambda e: (e.strength, e.verb))):
                rad = 0.0 if len(es) == 1 else 0.16 * (k - (len(es) - 1) / 2)
                ax.add_patch(FancyArrowPatch(
                    pos[a], pos[b], arrowstyle="-|>,head_length=6,head_width=3", connectionstyle=f"arc3,rad={rad:.3f}",
                    linewidth=0.8 + 3.5 * e.weight / top, color=_rgb(FORCE_GREYS[min(e.strength, 5)]), alpha=0.9,
                    shrinkA=diameter[a] / 2 + 1, shrinkB=diameter[b] / 2 + 1, zorder=2))
    else:
        lines = [(pos[e.source], pos[e.target]) for e in net.edges if e.source != e.target]
        ax.add_collection(LineCollection(lines, colors=[_rgb("#969696")], alpha=0.7, zorder=1,
                                         linewidths=[0.6 + 4.0 * e.weight / top for e in net.edges
                                                     if e.source != e.target]))
    _scatter(ax, net, pos, diameter)
    index = {n.id: i for i, n in enumerate(net.nodes)}
    for n in ring:
        _ring_label(ax, index[n], pos[n], (cx, cy), labels[n], diameter[n] / 2 + 4, size, radial)
    if centre:
        _label(ax, index[centre], cx, cy - diameter[centre] / 2 - 4, labels[centre], 11, ha="center", va="top",
               bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
    _legend(fig, handles, ncol, ui["legend"])
    return fig


def _ring_label(ax, i: int, p: tuple[float, float], c: tuple[float, float], text: str, off: float,  # type: ignore[no-untyped-def]
                size: float, radial: bool) -> None:
    dx, dy = p[0] - c[0], p[1] - c[1]
    d = math.hypot(dx, dy) or 1.0
    ux, uy = dx / d, dy / d
    x, y = p[0] + ux * off, p[1] + uy * off
    if radial:
        angle = math.degrees(math.atan2(uy, ux))
        flip = ux < -1e-9
        _label(ax, i, x, y, text.replace("\n", " "), size, rotation=angle + 180 if flip else angle,
               rotation_mode="anchor", ha="right" if flip else "left", va="center")
        return
    ha = "left" if ux > 0.35 else "right" if ux < -0.35 else "center"
    va = "bottom" if uy > 0.35 else "top" if uy < -0.35 else "center"
    _label(ax, i, x, y, text, size, ha=ha, va=va, multialignment="center" if ha == "center" else ha,
           bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7})


def _draw_columns(net: Network, labels: dict[str, str], title: str, subtitle: str, ui: dict[str, str]):  # type: ignore[no-untyped-def]
    from matplotlib.collections import LineCollection

    size = 8.0
    left, right = columns(net)
    row = max(16.0, max((_box(t, size)[1] for t in labels.values()), default=0.0) + 5)
    rows = max(len(left), len(right), 1)
    wl = max((_box(labels[n], size)[0] for n in left), default=0.0)
    wr = max((_box(labels[n], size)[0] for n in right), default=0.0)
    gap = max(320.0, 0.6 * (wl + wr))
    x_left = 20 + wl + SIZE_MAX / 2 + 8
    x_right = x_left + gap
    width = max(x_right + SIZE_MAX / 2 + 8 + wr + 20, 760.0)
    handles, ncol, legend_h = _legend_layout(net, ui, width)
    head = _title_height(width, title, subtitle)
    plot_h = rows * row
    height = head + plot_h + legend_h + 20
    fig, ax = _figure(width, height)
    shift = (width - (x_right + SIZE_MAX / 2 + 8 + wr + 20)) / 2
    pos = {}
    for side, x in ((left, x_left + shift), (right, x_right + shift)):
        step = plot_h / max(1, len(side))
        for i, n in enumerate(side):
            pos[n] = (x, legend_h + 10 + plot_h - (i + 0.5) * step)
    diameter = _diameters(net, row)
    _title(ax, width, height, title, subtitle)
    top = max((e.weight for e in net.edges), default=1)
    ax.add_collection(LineCollection([(pos[e.source], pos[e.target]) for e in net.edges], colors=[_rgb("#969696")],
                                     alpha=0.6, zorder=1, linewidths=[0.5 + 3.5 * e.weight / top for e in net.edges]))
    _scatter(ax, net, pos, diameter)
    index = {n.id: i for i, n in enumerate(net.nodes)}
    for n in left:
        _label(ax, index[n], pos[n][0] - diameter[n] / 2 - 5, pos[n][1], labels[n], size, ha="right", va="center",
               multialignment="right")
    for n in right:
        _label(ax, index[n], pos[n][0] + diameter[n] / 2 + 5, pos[n][1], labels[n], size, ha="left", va="center")
    _legend(fig, handles, ncol, ui["legend"])
    return fig


# ---------------------------------------------------------------------------------------
# the timeline of a series
# ---------------------------------------------------------------------------------------

def _asked(net: Network) -> dict[str, dict[str, dict[str, int]]]:
    """actor id -> work -> verb label -> clauses, from the mandate edges."""
    out: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for e in net.edges:
        if e.relation != "mandate":
            continue
        verb = pick(net.lang, e.verb_zh, e.verb_en) or e.verb
        for w, ev in e.by_work.items():
            out[e.target][w][verb] = out[e.target][w].get(verb, 0) + len(ev)
    return out


def _cell(verbs: dict[str, int], lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    return sep.join(f"{v} {n}" for v, n in sorted(verbs.items(), key=lambda kv: (-kv[1], kv[0])))


def draw_timeline(net: Network, fmt: str, *, subtitle: str = "", fonts: Iterable[Any] | None = None) -> bytes:
    """The mandate network in time as ``fmt`` (``png`` or ``svg``): one row per actor asked,
    one column per resolution at its adoption date; a marker where a resolution asks the
    actor (area = clauses, with their verbs), a line for the period the requests hold (the
    spells of the dynamic GEXF), a cross where the next resolution of the series no longer
    asks it. Raises ValueError when no resolution has an adoption date."""
    import matplotlib

    ui = UI[net.lang]
    works = sorted((w for w in net.timeline.works.values() if w.date), key=lambda w: (w.date, w.iri))
    if not works:
        raise ValueError("no resolution in the store has an adoption date (eli:date_document)")
    asked = _asked(net)
    by_id = {n.id: n for n in net.nodes}
    first = {a: min(net.timeline.works[w].date for w in ws if w in net.timeline.works) for a, ws in asked.items()}
    rows = sorted(asked, key=lambda a: (_rank(by_id[a]), first[a], picture_label(by_id[a], net.lang)))
    labels = {a: picture_label(by_id[a], net.lang) for a in rows}
    cells = {(a, w): _cell(v, net.lang) for a, ws in asked.items() for w, v in ws.items()}
    texts = [*labels.values(), *cells.values(), ui["timeline"], ui["timeline-note"], subtitle, ui["timeline-legend"],
             *(net.group_label(g) for g in net.groups)]
    family = font_family(texts, fonts=fonts)
    with matplotlib.rc_context(_rc(family)):
        fig = _timeline_figure(net, works, rows, labels, cells, asked, subtitle, ui)
        return _save(fig, fmt)


def _rank(n: Node) -> int:
    keys = [g for g, _ in ACTOR_PALETTE]
    return keys.index(n.group) if n.group in keys else len(keys)


def _columns_x(works: list[Any], x0: float, min_gap: float, span: float) -> dict[str, float]:
    days = [date.fromisoformat(w.date).toordinal() for w in works]
    total = (days[-1] - days[0]) or 1
    xs: dict[str, float] = {}
    last = -1e9
    for w, d in zip(works, days):
        x = max(x0 + span * (d - days[0]) / total, last + min_gap)
        xs[w.iri] = last = x
    return xs


def _timeline_figure(net: Network, works: list[Any], rows: list[str], labels: dict[str, str],  # type: ignore[no-untyped-def]
                     cells: dict[tuple[str, str], str], asked: dict, subtitle: str, ui: dict[str, str]):
    size, row = 8.0, 20.0
    wl = max((text_width(t, size) for t in labels.values()), default=0.0)
    cell_w = max((text_width(t, 7) for t in cells.values()), default=0.0) + 30
    x0 = 20 + wl + 16
    xs = _columns_x(works, x0, cell_w, max(cell_w * (len(works) - 1), 0))
    width = max(max(xs.values()) + cell_w + 20, 760.0)
    by_id = {n.id: n for n in net.nodes}
    handles, ncol, legend_h = _legend_layout(
        Network("mandate", True, [by_id[a] for a in rows], [], "", True, net.timeline, net.groups, net.lang), ui, width)
    note = wrap(ui["timeline-note"], int((width - 40) / (9 * 0.62)))
    head = _title_height(width, ui["timeline"], subtitle) + _box(note, 9)[1] + 40
    height = head + row * len(rows) + legend_h + 10
    fig, ax = _figure(width, height)
    _title(ax, width, height, ui["timeline"], subtitle)
    ax.text(width / 2, height - head + 40, note, ha="center", va="bottom", fontsize=9, color="#444444")
    y_top = height - head
    dates = [(date.fromisoformat(w.date).toordinal(), xs[w.iri]) for w in works]

    def x_of(iso: str) -> float:
        d = date.fromisoformat(iso).toordinal()
        for (d1, x1), (d2, x2) in zip(dates, dates[1:]):
            if d1 <= d <= d2:
                return x1 + (x2 - x1) * (d - d1) / ((d2 - d1) or 1)
        return dates[-1][1] if d >= dates[-1][0] else dates[0][1]

    for w in works:
        ax.plot([xs[w.iri], xs[w.iri]], [y_top, y_top - row * len(rows)], color="#DDDDDD", linewidth=0.8, zorder=0)
        ax.text(xs[w.iri], y_top + 6, f"{w.symbol}\n{w.date}", ha="center", va="bottom", fontsize=8)
    index = {n.id: i for i, n in enumerate(net.nodes)}
    for k, a in enumerate(rows):
        y = y_top - (k + 0.5) * row
        n = by_id[a]
        colour = _rgb(net.colour(n))
        for s, e in net.timeline.spells(asked[a]):
            ax.plot([x_of(s), x_of(e)], [y, y], color=colour, linewidth=2.0, alpha=0.6, solid_capstyle="butt", zorder=1)
        for w, verbs in sorted(asked[a].items()):
            count = sum(verbs.values())
            ax.scatter([xs[w]], [y], s=[18 * count + 12], color=colour, edgecolors="white", linewidths=0.8, zorder=3)
            ax.text(xs[w] + 8, y + 1, cells[(a, w)], ha="left", va="bottom", fontsize=7, color="#333333", zorder=4)
            after = net.timeline.works[w].after
            if after and after in xs and after not in asked[a]:
                ax.scatter([xs[after]], [y], s=[40], marker="x", color=_rgb("#777777"), linewidths=1.5, zorder=3)
        _label(ax, index[a], x0 - 16, y, labels[a], size, ha="right", va="center")
    _legend(fig, handles, ncol, ui["timeline-legend"])
    return fig
