"""Exports that are views of the graph: the mandates JSON (``../shared/eval/FORMAT.md``)
and its CSV flattening, both assembled from the rows of the SPARQL queries in
``queries/export/``, never from in-memory extraction objects.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from typing import Any

from .resources import queries_dir
from .symbols import canonical
from .store import read_query, select, select_terms


def _rows(store, name: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return select(store, read_query(queries_dir() / "export" / f"{name}.rq").text)


def _labels(store) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """Labels by IRI: Chinese preferred, English preferred, then the other labels."""
    names, rows = select_terms(store, read_query(queries_dir() / "export" / "labels.rq").text)
    by: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for r in rows:
        lang = r["lang"].value if r["lang"] is not None else ""
        pref = int(r["pref"].value)
        rank = (0 if pref else 2) + (0 if lang == "zh" else 1)
        by[r["x"].value].append((rank, 0, r["label"].value))
    out: dict[str, list[str]] = {}
    for iri, items in by.items():
        seen: list[str] = []
        for _, _, lab in sorted(items, key=lambda t: (t[0], t[2])):
            if lab not in seen:
                seen.append(lab)
        out[iri] = seen
    return out


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


def mandates(store) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The mandates JSON view of everything in the store."""
    labels = _labels(store)
    docs = _rows(store, "documents")
    drafts: dict[str, list[str]] = defaultdict(list)
    for r in _rows(store, "drafts"):
        drafts[r["work"]].append(r["draft"])
    paras_by_expr: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in _rows(store, "paragraphs"):
        paras_by_expr[r["expr"]].append(r)
    clauses_by: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in _pick_verbs(_rows(store, "clauses"), labels):
        clauses_by[(r["expr"], r["p"])].append(r)
    addressees: dict[str, list[str]] = defaultdict(list)
    for r in _rows(store, "addressees"):
        addressees[r["c"]].append(r["actor"])
    entities: dict[str, dict[str, list[tuple[str, str | None]]]] = defaultdict(lambda: {"actor": [], "instrument": []})
    for r in _rows(store, "paragraph-entities"):
        entities[r["p"]][r["kind"]].append((r["entity"], r.get("symbol")))
    reports = {r["c"]: r for r in _rows(store, "reports")}
    pfoot: dict[str, list[int]] = defaultdict(list)
    for r in _rows(store, "paragraph-footnotes"):
        pfoot[r["p"]].append(r["number"])
    notes: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for r in _rows(store, "footnotes"):
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
            # names the resolution all its versions share (see ingest.versions)
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
    from .versions import compare

    return {"documents": out_docs, "disagreements": compare(store)}


CSV_COLUMNS = ["symbol", "language", "paragraph", "kind", "number", "clause", "order", "verb", "directive",
               "strength", "addressees_zh", "addressees_en", "report_by", "report_to", "report_session",
               "report_year", "text", "start", "end"]


def mandates_csv(view: dict[str, Any]) -> str:
    """One row per clause of the mandates view, for spreadsheets."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)

    def lab(e: dict[str, Any], lang_zh: bool) -> str:
        ls = e.get("labels") or [e["iri"]]
        zh = [x for x in ls if any("\u4e00" <= ch <= "\u9fff" for ch in x)]
        en = [x for x in ls if x not in zh]
        pick = zh if lang_zh else en
        return pick[0] if pick else ls[0]

    for d in view["documents"]:
        for p in d["paragraphs"]:
            for c in p["clauses"]:
                rep = c.get("report") or {}
                w.writerow([
                    d["symbol"], d["language"], p["iri"], p["kind"], p["number"], c["iri"],
                    c["iri"].rsplit("/", 1)[-1], c["verb"]["key"], str(c["directive"]).lower(), c["strength"],
                    "; ".join(lab(a, True) for a in c["addressees"]),
                    "; ".join(lab(a, False) for a in c["addressees"]),
                    rep.get("by") or "", rep.get("to") or "", rep.get("session") or "", rep.get("year") or "",
                    c.get("text") or "", c["start"], c["end"],
                ])
    return buf.getvalue()


def to_json(view: dict[str, Any]) -> str:
    return json.dumps(view, ensure_ascii=False, indent=1) + "\n"
