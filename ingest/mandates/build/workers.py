"""One document, start to finish, in a worker process: read, extract, RDF, SHACL, artefacts.

A corpus build (``mandates.build.pipeline.build``) hands every changed file to :func:`process`,
in parallel worker processes or in-process. A worker loads the vocabularies, the shapes and
jieba once (they are cached per process). It validates each document as
``mandates.validate.document.validate_document`` does (pySHACL, with the part of the vocabulary
graph the document reaches, :func:`mandates.validate.document.vocabulary_for`; the tests compare
both). It writes the document's artefacts into ``OUT/docs/``:

``<name>.nq``
    the document's named graph as sorted N-Quads (exactly its lines of ``graph.nq``);
``<name>.ttl``
    its Turtle statements (``mandates.rdf.terms.turtle_statements``), its part of ``graph.ttl`` and
    ``graph.trig``;
``<name>.view.json``
    its part of the mandates view (:func:`view_fragment`);
``<name>.shared.nt``
    what the corpus shapes need of it (:func:`shared_triples`);
``<name>.json``
    the summary (written last, so its presence means the others are complete): the
    cache key, the per-document report entry, the SHACL report triples (skolemised).

Nothing here touches the store or the corpus-wide outputs; the parent does.
"""

from __future__ import annotations

import ctypes
import hashlib
import multiprocessing
import os
import signal
import sys
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson

from mandates.build.results import DocResult
from mandates.build.versions import header_facts as facts
from mandates.core.files import atomic_write
from mandates.exports.view import view_fragment, view_keys
from mandates.extract.extractors import extract
from mandates.extract.read import InputError, read_source
from mandates.graph.builder import build_triples
from mandates.rdf.iris import Minter
from mandates.rdf.terms import nquad_lines, sorted_terms, turtle_statements
from mandates.validate.document import skolemised_report_lines, validate_document
from mandates.vocab.concepts import load


EXTRACTED = ".txt"  # for a PDF or Word file, the artefact holding the text extracted from it


@dataclass(frozen=True)
class Task:
    """What a worker needs to build one file."""

    path: str  # as the user gave it (it appears in messages and report.json)
    key: str  # the cache key: same key, same artefacts
    artefact: str  # base name of the artefacts in docs_dir
    docs_dir: str
    base: str
    lang: str | None = None
    symbol: str | None = None
    symbol_reason: str | None = None
    validator: str = "auto"  # or "pyshacl": the reference validator for every document


# ---------------------------------------------------------------- process set-up


def init_worker() -> None:
    """Pool initialiser: die with the parent (Linux)."""

    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: a killed build leaves no orphans
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:
        # the build died while this worker started (before the signal was asked for): it would
        # wait for tasks forever, holding the build's stderr open
        os._exit(1)


# ---------------------------------------------------------------- what validation needs of the vocabulary


# ---------------------------------------------------------------- header facts (language versions)


def header_facts(path: str, lang: str | None) -> dict[str, Any] | None:
    """The header facts ``mandates.build.versions`` needs to tell language versions apart (cacheable)."""

    f = facts(Path(path), lang=lang)
    return None if f is None else asdict(f)


# ---------------------------------------------------------------- one document


def process(task: Task) -> dict[str, Any]:
    """Build one file; write its artefacts; return its summary (as written to ``<name>.json``)."""

    r = DocResult(path=task.path)
    summary: dict[str, Any] = {"path": task.path, "key": task.key, "artefact": task.artefact}
    vocab = load()
    try:
        src = read_source(task.path, lang=task.lang)
        if task.symbol_reason:
            doc = extract(src, vocab, symbol=task.symbol, symbol_reason=task.symbol_reason)
        else:
            doc = extract(src, vocab, symbol=task.symbol)
        name, triples = build_triples(doc, base=task.base)
    except InputError as exc:
        r.error = str(exc)
        summary["result"] = vars(r)
        return summary
    r.symbol, r.lang, r.graph, r.triples, r.truncated = doc.header.symbol, doc.lang, name, len(triples), doc.truncated
    r.issues = [{"code": i.code, "severity": i.severity, "message": i.message, "where": i.where,
                 "span": list(doc.orig_span(i.span)) if i.span else None} for i in doc.issues]
    r.counts = {"preambular": sum(p.kind == "preambular" for p in doc.paragraphs),
                "operative": sum(p.kind == "operative" for p in doc.paragraphs),
                "footnotes": len(doc.footnotes),
                "clauses": sum(len(p.clauses) for p in doc.paragraphs),
                "mandates": sum(1 for p in doc.paragraphs for c in p.clauses if c.verb.directive)}
    v = validate_document(triples, task.base, task.validator)
    terms = sorted_terms(triples)
    nq = nquad_lines(terms, name)
    r.conforms = v.conforms
    r.shacl = [{"shape": x.shape, "focus": x.focus, "path": x.path, "message": x.message,
                "severity": x.severity} for x in v.results]
    report = skolemised_report_lines(v.report) if v.report is not None else []

    docs = Path(task.docs_dir)
    own = Minter(doc.header.symbol, doc.lang, task.base).work + "/"  # type: ignore[arg-type]
    ttl = turtle_statements(terms)
    nq_bytes = nq.encode("utf-8")
    view = view_fragment([nq_bytes], [name], task.base)
    # The summary is written last, atomically, and removed first: its presence (with the key)
    # says the other files are whole, so they need no temporary file and rename of their own
    # (a rename costs 1-2 ms in a folder of 50,000 files).
    (docs / f"{task.artefact}.json").unlink(missing_ok=True)
    if doc.extracted_from:  # the text the offsets of a PDF or Word file count (read by users: atomic)
        atomic_write(docs / f"{task.artefact}{EXTRACTED}", doc.original)
        r.text = f"{docs.name}/{task.artefact}{EXTRACTED}"
    for ext, data in ((".nq", nq_bytes), (".ttl", ttl.encode("utf-8")),
                      (".shared.nt", shared_triples(terms, own).encode("utf-8")), (".view.json", orjson.dumps(view))):
        (docs / f"{task.artefact}{ext}").write_bytes(data)
    summary.update({
        "result": vars(r),
        "graph": name,
        "own": own,
        "nq_sha256": hashlib.sha256(nq_bytes).hexdigest(),
        "report": report,
        "view_keys": view_keys(view),
        "view_labels": view["labels"],
    })
    atomic_write(docs / f"{task.artefact}.json", orjson.dumps(summary))
    return summary


def shared_triples(terms: list[tuple[str, str, str]], own: str) -> str:
    """What the corpus shapes (``ontology/corpus-shapes.ttl``) need of a document, from its
    sorted triples (``mandates.rdf.terms.sorted_terms``): as N-Triples, its triples about its
    resolution (``own`` without the slash) and about IRIs it does not own (what it cites or
    names, which other documents may state things about too)."""
    work = f"<{own[:-1]}>"
    mine = f"<{own}"
    return "".join(f"{s} {p} {o} .\n" for s, p, o in terms if s == work or not s.startswith(mine))


def run_task(task: Task) -> dict[str, Any]:
    """:func:`process`, with an unexpected error turned into a failed document (the rest of a
    corpus still builds; the message asks for a report)."""
    try:
        return process(task)
    except Exception as exc:  # noqa: BLE001 - one document must not stop a corpus

        traceback.print_exc(file=sys.stderr)
        where = traceback.extract_tb(exc.__traceback__)[-1]
        msg = (f"{task.path}: internal error ({type(exc).__name__}: {exc}) at "
               f"{Path(where.filename).name}:{where.lineno}; please report it")
        return {"path": task.path, "key": task.key, "artefact": task.artefact,
                "result": {"path": task.path, "error": msg}}


# ---------------------------------------------------------------- the SHACL report


# ---------------------------------------------------------------- the document's part of the mandates view


