"""The series step of a corpus build: the series graph from every included document.

Run by ``mandates.build.pipeline`` whenever the corpus outputs are made (so that adding, changing
or removing a file gives the series graph a clean build gives). It reads each included
document's header facts (``mandates.graph.seriesfacts``) off its part of the mandates view
(``docs/<name>.view.json``) — kept in ``docs/series-facts.json`` by the hash of the document's
N-Quads, so an unchanged document is not read again — and the clauses of the resolutions that
share a series, and makes (``mandates.graph.series``):

* the named graph ``{base}graph/series`` as sorted N-Quads and Turtle statements, which the
  build adds to the store and to ``graph.nq``/``graph.trig``/``graph.ttl``;
* its part of the mandates view (``mandates.exports.view.series_view``, by SPARQL over it);
* its SHACL results (the document shapes, with the vocabulary), which join the corpus verdict.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from mandates.core.files import atomic_write
from mandates.core.fingerprint import environment
from mandates.exports.view import series_view_of
from mandates.graph.series import series_graph
from mandates.graph.seriesfacts import ClauseFacts, DocFacts, clause_facts, doc_facts
from mandates.rdf.store import load_nquads, open_store, remove_graph
from mandates.rdf.terms import nquad_lines, sorted_terms, turtle_statements
from mandates.validate.document import skolemised_report_lines, validate_document

FACTS = "series-facts.json"  # in docs/: each document's header facts, by its artefact and N-Quads hash


@dataclass
class SeriesStep:
    """What the series step gives the build."""

    name: str
    nquads: bytes
    turtle: str
    view: dict[str, Any]
    conforms: bool = True
    results: list[dict[str, Any]] = field(default_factory=list)
    report: list[str] = field(default_factory=list)


def _view_documents(docs_dir: Path, artefact: str) -> list[dict[str, Any]]:
    return orjson.loads((docs_dir / f"{artefact}.view.json").read_bytes())["documents"]


def _facts(docs_dir: Path, included: list[dict[str, Any]], base: str) -> tuple[list[DocFacts], dict[str, list[str]]]:
    """Every included document's header facts (those kept by a build of the same tool reused),
    and the artefacts of each resolution."""
    env = environment(base)
    try:
        saved = orjson.loads((docs_dir / FACTS).read_bytes())
        kept = saved["documents"] if saved.get("env") == env else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        kept = {}
    now: dict[str, Any] = {}
    facts: list[DocFacts] = []
    artefacts: dict[str, list[str]] = {}
    for s in sorted(included, key=lambda s: s["artefact"]):
        art = s["artefact"]
        entry = kept.get(art)
        if entry is None or entry.get("nq") != s["nq_sha256"]:
            entry = {"nq": s["nq_sha256"], "docs": [doc_facts(d).to_json() for d in _view_documents(docs_dir, art)]}
        now[art] = entry
        for d in entry["docs"]:
            f = DocFacts.from_json(d)
            facts.append(f)
            artefacts.setdefault(f.work, []).append(art)
    if now != kept:
        atomic_write(docs_dir / FACTS, orjson.dumps({"env": env, "documents": now}, option=orjson.OPT_SORT_KEYS))
    return facts, artefacts


def series_step(docs_dir: Path, included: list[dict[str, Any]], base: str, validator: str) -> SeriesStep:
    """The series graph of the ``included`` documents (their summaries), its view and its SHACL results."""
    facts, artefacts = _facts(docs_dir, included, base)

    def clauses_of(work: str) -> list[ClauseFacts]:
        out: list[ClauseFacts] = []
        for art in sorted(artefacts.get(work, [])):
            for d in _view_documents(docs_dir, art):
                out.extend(clause_facts(d))
        return out

    g = series_graph(facts, clauses_of, base=base)
    terms = sorted_terms(g.triples)
    nq = nquad_lines(terms, g.name).encode("utf-8")
    step = SeriesStep(g.name, nq, turtle_statements(terms), series_view_of(nq, g.name, base))
    if g.triples:
        v = validate_document(g.triples, base, validator)
        step.conforms = v.conforms
        step.results = [{"shape": x.shape, "focus": x.focus, "path": x.path, "message": x.message,
                         "severity": x.severity} for x in v.results]
        step.report = skolemised_report_lines(v.report) if v.report is not None and v.results else []
    return step


def merge_verdict(corpus: dict[str, Any], step: SeriesStep) -> dict[str, Any]:
    """The corpus shapes' verdict with the series graph's SHACL results joined."""
    results = {tuple((r.get(k) or "") for k in ("shape", "focus", "path", "message", "severity")): r
               for r in [*corpus["results"], *step.results]}
    return {**corpus, "conforms": corpus["conforms"] and step.conforms,
            "results": [results[k] for k in sorted(results)],
            "report": sorted(set(corpus["report"]) | set(step.report))}


def put_series_graph(store_dir: Path, step: SeriesStep) -> None:
    """Replace the series graph in a store folder that is not in place yet."""
    store = open_store(store_dir)
    remove_graph(store, step.name)
    if step.nquads:
        load_nquads(store, step.nquads)
    store.flush()
    del store


def step_digest(step: SeriesStep) -> str:
    return hashlib.sha256(step.nquads).hexdigest()
