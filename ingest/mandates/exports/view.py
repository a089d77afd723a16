"""Exports that are views of the graph: the mandates JSON (``../shared/eval/FORMAT.md``)
and its CSV flattening, both assembled from the rows of the SPARQL queries in
``queries/export/``, never from in-memory extraction objects.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from typing import Any, Iterator

import orjson

from mandates.core.symbols import canonical
from mandates.exports.rows import view_query, view_rows
from mandates.exports.versions import compare, disagreement_key
from mandates.graph.vocabulary import vocabulary_outputs
from mandates.rdf.store import (
    add_nquads,
    iri_subjects_objects,
    is_literal,
    load_nquads,
    objects,
    open_store,
    remove_graph,
    select_terms,
    term_value,
)

SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"


def label_items(store) -> dict[str, list[tuple[int, str]]]:  # type: ignore[no-untyped-def]
    """The labels of every IRI the documents refer to (``queries/export/referenced.rq``), each
    with its rank (:func:`_ranked`), read from the store by lookup."""

    preds = [(SKOS_PREF, 1), (SKOS_ALT, 0)]
    _, rows = select_terms(store, view_query("referenced"))
    by: dict[str, list[tuple[int, str]]] = {}
    for r in rows:
        x = r["x"]
        if is_literal(x):
            continue
        items = {_ranked(o, pref) for pred, pref in preds for o in objects(store, x, pred)}
        if items:
            by[x.value] = sorted(items)
    return by


def _ranked(label, pref: int) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """A label with its rank: Chinese preferred labels first, then the other preferred labels
    (English, untagged or any other language), then the alternative labels in the same order."""
    return (0 if pref else 2) + (0 if getattr(label, "language", None) == "zh" else 1), label.value


def order_labels(items: list[tuple[int, str]]) -> list[str]:
    """Labels by rank, then alphabetically, each once."""
    seen: list[str] = []
    for _, lab in sorted(items):
        if lab not in seen:
            seen.append(lab)
    return seen


def _labels(store) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return {iri: order_labels(items) for iri, items in label_items(store).items()}


def _pick_verbs(rows: list[dict[str, Any]], labels: dict[str, list[str]]) -> list[dict[str, Any]]:
    """One row per clause and language version. Versions share clause IRIs, so a clause whose
    versions read different verbs has several; each version gets the verb its printed words
    hold (the longest label found in them)."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    order: list[tuple[str, str]] = []
    for r in rows:
        key = (r["expr"], r["c"])
        if key not in groups:
            order.append(key)
        groups[key].append(r)
    out = []
    for key in order:
        cands = groups[key]
        if len(cands) > 1:
            words = (cands[0].get("verbText") or "").lower()

            def fit(r: dict[str, Any]) -> int:
                return max((len(x) for x in labels.get(r["verb"], []) if x.lower() in words), default=0)

            cands = sorted(cands, key=lambda r: (-fit(r), r["key"]))
        out.append(cands[0])
    return out


def _clause_roles(store, labels: dict[str, list[str]]) -> dict[str, dict[str, list[dict[str, Any]]]]:  # type: ignore[no-untyped-def]
    """The ``conditions`` ({iri, key, labels}) and ``partners`` ({iri, labels}) of each clause
    (``queries/export/clause-roles.rq``); a condition's labels are read from the store here
    (``referenced.rq`` does not list the conditions)."""
    out: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: {"conditions": [], "partners": []})
    for r in select_terms(store, view_query("clause-roles"))[1]:
        x = r["x"].value
        if x not in labels:
            labels[x] = order_labels([_ranked(o, pref) for pred, pref in ((SKOS_PREF, 1), (SKOS_ALT, 0))
                                      for o in objects(store, r["x"], pred)])
        if r["role"].value == "condition":
            out[r["c"].value]["conditions"].append({"iri": x, "key": term_value(r.get("key")), "labels": labels[x]})
        else:
            out[r["c"].value]["partners"].append({"iri": x, "labels": labels[x]})
    return out


def mandates(store, *, disagreements: bool = True) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The mandates JSON view of everything in the store."""
    return _view(store, _labels(store), disagreements=disagreements)


def _view(store, labels: dict[str, list[str]], *, disagreements: bool) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    view = _documents_view(store, labels, disagreements=disagreements)
    series = series_view(store)
    for d in view["documents"]:
        apply_series(d, series)
    return view


def _documents_view(store, labels: dict[str, list[str]], *, disagreements: bool) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    docs = view_rows(store, "documents")
    drafts: dict[str, list[str]] = defaultdict(list)
    for r in view_rows(store, "drafts"):
        drafts[r["work"]].append(r["draft"])
    paras_by_expr: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in view_rows(store, "paragraphs"):
        paras_by_expr[r["expr"]].append(r)
    clauses_by: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in _pick_verbs(view_rows(store, "clauses"), labels):
        clauses_by[(r["expr"], r["p"])].append(r)
    addressees: dict[str, list[str]] = defaultdict(list)
    for r in view_rows(store, "addressees"):
        addressees[r["c"]].append(r["actor"])
    entities: dict[str, dict[str, list[tuple[str, str | None]]]] = defaultdict(lambda: {"actor": [], "instrument": []})
    for r in view_rows(store, "paragraph-entities"):
        entities[r["p"]][r["kind"]].append((r["entity"], r.get("symbol")))
    reports = {r["c"]: r for r in view_rows(store, "reports")}
    roles = _clause_roles(store, labels)
    pfoot: dict[str, list[int]] = defaultdict(list)
    for r in view_rows(store, "paragraph-footnotes"):
        pfoot[r["p"]].append(r["number"])
    notes: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for r in view_rows(store, "footnotes"):
        n = notes[r["work"]].setdefault(r["number"], {"number": r["number"], "marker": r["marker"],
                                                        "text": r["text"], "symbols": []})
        if r.get("symbol") and r["symbol"] not in n["symbols"]:
            n["symbols"].append(r["symbol"])

    def entity(iri: str, symbol: str | None = None) -> dict[str, Any]:
        e: dict[str, Any] = {"iri": iri}
        if symbol:
            e["symbol"] = symbol
        e["labels"] = labels.get(iri, [])
        return e

    texts: dict[str, dict[str, str]] = defaultdict(dict)  # paragraph -> language -> text
    for rows_ in paras_by_expr.values():
        for r in rows_:
            lang = next(d["lang"] for d in docs if d["expr"] == r["expr"])
            texts[r["p"]][lang] = r["text"]

    out_docs = []
    for d in docs:
        paragraphs = []
        for p in paras_by_expr.get(d["expr"], []):
            clauses = []
            for c in clauses_by.get((d["expr"], p["p"]), []):
                rep = reports.get(c["c"])
                clauses.append({
                    "iri": c["c"],
                    "verb": {"iri": c["verb"], "key": c["key"], "labels": labels.get(c["verb"], [])},
                    "verb_text": c.get("verbText"),
                    "directive": bool(c["directive"]),
                    "strength": c["strength"],
                    "text": c.get("text"),
                    "start": c["start"], "end": c["end"],
                    "addressees": [entity(a) for a in addressees.get(c["c"], [])],
                    "actors": [], "instruments": [],
                    **roles.get(c["c"], {"conditions": [], "partners": []}),
                    "report": None if rep is None else {
                        "by": rep.get("by"), "to": rep.get("to"),
                        "session": rep.get("session"),
                        "year": int(rep["year"]) if rep.get("year") else None,
                    },
                })
            ents = entities.get(p["p"], {"actor": [], "instrument": []})
            paragraphs.append({
                "iri": p["p"], "kind": p["kind"], "number": p["number"], "text": p["text"],
                "texts": dict(sorted(texts[p["p"]].items())),
                "start": p["start"], "end": p["end"],
                "clauses": clauses,
                "actors": [entity(a) for a, _ in ents["actor"]],
                "instruments": [entity(i, s) for i, s in ents["instrument"]],
                "footnotes": pfoot.get(p["p"], []),
            })
        out_docs.append({
            "iri": d["work"], "expression": d["expr"],
            # "symbol" is the one this language version prints (FORMAT.md); "resolution_symbol"
            # names the resolution all its versions share (see mandates.build.versions)
            "symbol": canonical(d["printed"]) if d.get("printed") else d["symbol"],
            "printed_symbol": d.get("printed"), "resolution_symbol": d["symbol"],
            "language": d["lang"], "title": d.get("title"),
            "session": d.get("session"), "agenda_item": d.get("agenda"),
            "adopted": d.get("adopted"), "meeting": d.get("meeting"),
            "drafts": drafts.get(d["work"], []),
            "truncated": bool(d.get("truncated")),
            "source": d.get("source"),
            "footnotes": [notes[d["work"]][k] for k in sorted(notes.get(d["work"], {}))],
            "paragraphs": paragraphs,
        })

    return {"documents": out_docs, "disagreements": compare(store) if disagreements else []}


# ---------------------------------------------------------------- the series graph's part of the view


_CLAUSE_PLACE = re.compile(r"/(pp|op)/(\d+)/c/(\d+)$")


def _clause_place(iri: str) -> tuple[int, int, int, str]:
    """A clause's place in its resolution, from its IRI (preamble first), for sorting."""
    m = _CLAUSE_PLACE.search(iri)
    if not m:
        return (2, 0, 0, iri)
    return (0 if m.group(1) == "pp" else 1, int(m.group(2)), int(m.group(3)), iri)


def series_view(store) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """What the series graph (``mandates.graph.series``) says, from the rows of
    ``queries/export/series.rq``, ``lineage.rq`` and ``dropped.rq``: each resolution's series
    (IRI, titles by language, previous and next), each clause's lineage, each resolution's
    dropped clauses; ``present`` when a series has two or more resolutions in the store."""
    docs: dict[str, dict[str, Any]] = {}
    for r in view_rows(store, "series"):
        d = docs.setdefault(r["work"], {"iri": r["series"], "titles": {}, "previous": r.get("previous"),
                                        "next": r.get("next")})
        if r.get("title") is not None and r.get("lang"):
            d["titles"].setdefault(r["lang"], r["title"])
    members: dict[str, int] = defaultdict(int)
    for d in docs.values():
        members[d["iri"]] += 1
    lineage = {r["c"]: {"previous": r.get("previous"), "change": r["change"],
                        "confidence": float(r["confidence"]) if r.get("confidence") is not None else None}
               for r in view_rows(store, "lineage")}
    dropped: dict[str, list[str]] = defaultdict(list)
    for r in view_rows(store, "dropped"):
        dropped[r["work"]].append(r["c"])
    return {"present": any(n >= 2 for n in members.values()), "docs": docs, "lineage": lineage,
            "dropped": {w: sorted(cs, key=_clause_place) for w, cs in dropped.items()}}


def series_view_of(nquads: bytes, graph: str, base: str) -> dict[str, Any]:
    """:func:`series_view` of a series graph given by its N-Quads (with the vocabulary, for the
    titles of the series it names)."""
    store, _ = view_store(base)
    try:
        add_nquads(store, nquads)
        return series_view(store)
    finally:
        remove_graph(store, graph)


def apply_series(doc: dict[str, Any], series: dict[str, Any]) -> None:
    """Give a document of the view its ``series`` and ``dropped`` (after ``drafts``) and each of
    its clauses its ``lineage`` (after ``report``), as ``../shared/eval/FORMAT.md`` says: when the
    series graph holds two or more resolutions of one series (else the document is left as it is)."""
    if not series["present"]:
        return
    s = series["docs"].get(doc["iri"])
    entry = None
    if s is not None:
        titles = s["titles"]
        title = titles.get(doc["language"]) or next((titles[k] for k in sorted(titles)), None)
        entry = {"iri": s["iri"], "title": title, "previous": s["previous"], "next": s["next"]}
    _insert_after(doc, "drafts", {"series": entry, "dropped": list(series["dropped"].get(doc["iri"], []))})
    for p in doc["paragraphs"]:
        for c in p["clauses"]:
            _insert_after(c, "report", {"lineage": series["lineage"].get(c["iri"])})


def _insert_after(d: dict[str, Any], key: str, items: dict[str, Any]) -> None:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if k not in items:
            out[k] = v
        if k == key:
            out.update(items)
    if key not in d:
        out.update(items)
    d.clear()
    d.update(out)


CSV_COLUMNS = ["symbol", "language", "paragraph", "kind", "number", "clause", "order", "verb", "directive",
               "strength", "addressees_zh", "addressees_en", "report_by", "report_to", "report_session",
               "report_year", "text", "start", "end", "conditions", "partners_zh", "partners_en",
               "lineage_previous", "lineage_change"]


def mandates_csv(view: dict[str, Any]) -> str:
    """One row per clause of the mandates view, for spreadsheets."""
    return _csv_lines([CSV_COLUMNS]) + "".join(csv_rows(d) for d in view["documents"])


def _csv_lines(rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


_HAN = re.compile("[\u4e00-\u9fff]")


def csv_rows(d: dict[str, Any]) -> str:
    """The CSV lines of one document of the view."""

    def lab(e: dict[str, Any], lang_zh: bool) -> str:
        ls = e.get("labels") or [e["iri"]]
        zh = [x for x in ls if _HAN.search(x)]
        en = [x for x in ls if x not in zh]
        pick = zh if lang_zh else en
        return pick[0] if pick else ls[0]

    rows = []
    for p in d["paragraphs"]:
        for c in p["clauses"]:
            rep = c.get("report") or {}
            rows.append([
                d["symbol"], d["language"], p["iri"], p["kind"], p["number"], c["iri"],
                c["iri"].rsplit("/", 1)[-1], c["verb"]["key"], str(c["directive"]).lower(), c["strength"],
                "; ".join(lab(a, True) for a in c["addressees"]),
                "; ".join(lab(a, False) for a in c["addressees"]),
                rep.get("by") or "", rep.get("to") or "", rep.get("session") or "", rep.get("year") or "",
                c.get("text") or "", c["start"], c["end"],
                "; ".join(x["key"] or x["iri"] for x in c.get("conditions", [])),
                "; ".join(lab(a, True) for a in c.get("partners", [])),
                "; ".join(lab(a, False) for a in c.get("partners", [])),
                (c.get("lineage") or {}).get("previous") or "", (c.get("lineage") or {}).get("change") or "",
            ])
    return _csv_lines(rows)


# ---------------------------------------------------------------- the view of a corpus, in parts
#
# A corpus view read from the whole store by SPARQL grows with the corpus in time and memory
# (86 s and 1.3 GB at 1,000 documents). It is instead made per resolution (the documents
# sharing one work: its language versions), each from a small store holding only them and
# the vocabulary, and the parts merged: documents in the order of queries/export/documents.rq
# (symbol, language), disagreements in the order of ``mandates.build.versions.disagreement_key``. The
# only thing a part cannot know is what *other* documents say about an IRI it shares with them
# (the labels of a cited resolution or of an unlisted organisation minted from its name): each
# part carries the labels it found for IRIs beyond the vocabulary's, and the merge gives every
# entity the union (tests/test_incremental.py checks the merge equals the whole-store view).


def vocabulary_label_items(store) -> dict[str, list[tuple[int, str]]]:  # type: ignore[no-untyped-def]
    """The ranked labels (:func:`_ranked`) of every node of a store holding the vocabulary alone."""

    by: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pred, pref in ((SKOS_PREF, 1), (SKOS_ALT, 0)):
        for subject, label in iri_subjects_objects(store, pred):
            by[subject].append(_ranked(label, pref))
    return by


def fragment(store, vocabulary_labels: dict[str, list[tuple[int, str]]]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The view of the documents in ``store`` (with the vocabulary), plus ``labels``: the ranked
    labels of each IRI whose labels are not exactly the vocabulary's."""
    items = label_items(store)
    view = _view(store, {iri: order_labels(v) for iri, v in items.items()}, disagreements=True)
    view["labels"] = {}
    for iri, v in sorted(items.items()):
        ranked = sorted(set(v))
        if ranked != sorted(set(vocabulary_labels.get(iri, ()))):
            view["labels"][iri] = ranked
    return view


def view_keys(view: dict[str, Any]) -> list[list[str]]:
    """The (symbol, language) of each document of a view part: its place in the merged view."""
    return [[d["resolution_symbol"], d["language"]] for d in view["documents"]]


def _entities(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every entity of a document of the view (the dicts :func:`_view` gives ``labels``)."""
    for p in doc["paragraphs"]:
        for c in p["clauses"]:
            yield c["verb"]
            yield from c["addressees"]
            yield from c.get("conditions", [])
            yield from c.get("partners", [])
            yield from c["actors"]
            yield from c["instruments"]
        yield from p["actors"]
        yield from p["instruments"]


def _dumps(x: Any) -> str:
    """``x`` as ``json.dumps(x, ensure_ascii=False, indent=2)`` writes it, by orjson (ten times
    faster: the mandates view of 10,000 documents is 0.7 GB of JSON)."""

    return orjson.dumps(x, option=orjson.OPT_INDENT_2).decode("utf-8")


def _nested(x: Any) -> str:
    """``x`` as an item of a list that is the value of a top-level key (two levels in)."""
    return "    " + _dumps(x).replace("\n", "\n    ")


def _json_list(items: list[Any]) -> str:
    if not items:
        return "[]"
    return "[\n" + ",\n".join(_nested(x) for x in items) + "\n  ]"


def write_merged(parts: list[tuple[list[tuple[str, str]], dict[str, list[list[Any]]], Any]],
                 vocabulary_labels: dict[str, list[tuple[int, str]]], json_out, csv_out,  # type: ignore[no-untyped-def]
                 series: dict[str, Any] | None = None) -> None:
    """Write ``mandates.json`` and ``mandates.csv`` of a corpus from its parts, streaming.

    Each part is ``(keys, labels, load)``: the (symbol, language) of its documents, its
    ``labels`` (see :func:`fragment`), and a function returning the part (read when its turn
    comes, so that only one part is held at a time). ``json_out``/``csv_out`` are open text
    files. ``series`` is :func:`series_view` of the build's series graph (the parts, each made
    from its own documents, know nothing of it). The bytes are those of :func:`to_json` and
    :func:`mandates_csv` on the whole view.
    """

    extra: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for _, labels, _ in parts:
        for iri, items in labels.items():
            extra[iri].update((int(r), str(lab)) for r, lab in items)
    merged = {iri: order_labels(list(items | set(vocabulary_labels.get(iri, ()))))
              for iri, items in extra.items()}
    order = sorted((tuple(k), i, j) for i, (keys, _, _) in enumerate(parts) for j, k in enumerate(keys))
    disagreements: list[dict[str, Any]] = []
    csv_out.write(_csv_lines([CSV_COLUMNS]))
    json_out.write('{\n  "documents": ')
    loaded: tuple[int, dict[str, Any]] | None = None
    seen: set[int] = set()
    for n, (_, i, j) in enumerate(order):
        if loaded is None or loaded[0] != i:
            view = parts[i][2]()
            for d in view["documents"]:
                for e in _entities(d):
                    if e["iri"] in merged:
                        e["labels"] = merged[e["iri"]]
            if i not in seen:
                disagreements.extend(view["disagreements"])
                seen.add(i)
            loaded = (i, view)
        doc = loaded[1]["documents"][j]
        if series is not None:
            apply_series(doc, series)
        json_out.write(("[\n" if n == 0 else ",\n") + _nested(doc))
        csv_out.write(csv_rows(doc))
    json_out.write("\n  ]" if order else "[]")
    disagreements.sort(key=disagreement_key)
    json_out.write(',\n  "disagreements": ' + _json_list(disagreements) + "\n}\n")


def to_json(view: dict[str, Any]) -> str:
    return _dumps(view) + "\n"


# ---------------------------------------------------------------- a document's part of the view


VIEW_STORE_USES = 100  # documents a view store serves before it is made afresh


_VIEW_STORES: dict[str, list] = {}  # base -> [store, vocabulary labels, documents served]


def view_store(base: str):  # type: ignore[no-untyped-def]
    """An in-memory store holding the vocabulary (kept per process), and its labels.

    pyoxigraph's in-memory store keeps every string it has seen after the quads holding it are
    removed (about 0.5 MB per document): the store is made afresh every
    :data:`VIEW_STORE_USES` documents, so that a worker's memory stays flat."""
    held = _VIEW_STORES.get(base)
    if held is None or held[2] >= VIEW_STORE_USES:
        _, vocab_nq = vocabulary_outputs(base)
        store = open_store()
        load_nquads(store, vocab_nq.encode("utf-8"))
        labels = held[1] if held is not None else vocabulary_label_items(store)
        held = _VIEW_STORES[base] = [store, labels, 0]
    held[2] += 1
    return held[0], held[1]


def view_fragment(nquads: list[bytes], graphs: list[str], base: str) -> dict[str, Any]:
    """The mandates view (``mandates.exports.view.fragment``) of the documents given by their N-Quads
    (one resolution: a document, or its language versions together)."""
    store, vocab_labels = view_store(base)
    try:
        for nq in nquads:
            add_nquads(store, nq)
        return fragment(store, vocab_labels)
    finally:
        for g in graphs:
            remove_graph(store, g)
