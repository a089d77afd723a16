"""Where the language versions of one resolution disagree, read from the built store.

:func:`compare` lists paragraph counts, clauses found in one language only, clause verbs with
different meanings, actors and instruments named in one version but not the other, and the
symbols printed (which files are versions of one resolution is decided by
:mod:`mandates.build.versions`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from mandates.exports.rows import view_rows

_PHASE = {"symbol": 0, "paragraph-count": 1, "clause-missing": 2, "verb": 2,
          "actor-in-one-version": 3, "instrument-in-one-version": 3}


def disagreement_key(d: dict[str, Any]) -> tuple[Any, ...]:
    """The order of the disagreement report: symbols, paragraph counts, clauses, then names;
    within each, by resolution, paragraph, clause, kind and entity."""
    return (_PHASE.get(d["kind"], 9), d["work"], d.get("paragraph") or "", d.get("clause") or "", d["kind"],
            d.get("entity") or "")


def compare(store) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Where the language versions of each resolution in the store disagree."""

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
