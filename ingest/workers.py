"""One document, start to finish, in a worker process: read, extract, RDF, SHACL, artefacts.

A corpus build (``ingest.pipeline.build``) hands every changed file to :func:`process`,
in parallel worker processes or in-process. A worker loads the vocabularies, the shapes and
jieba once (they are cached per process). It validates each document with pySHACL, as
``ingest.validate`` does, with the part of the vocabulary graph the document reaches instead
of all of it: the same results (:func:`vocabulary_for` says when and why; the tests compare
both), two to four times faster. It writes the document's artefacts into ``OUT/docs/``:

``<name>.nq``
    the document's named graph as sorted N-Quads (exactly its lines of ``graph.nq``);
``<name>.ttl``
    its Turtle statements (``ingest.assemble.turtle_statements``), its part of ``graph.ttl`` and
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

import hashlib
import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any


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
    import multiprocessing
    import os

    try:
        import ctypes
        import signal

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: a killed build leaves no orphans
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:
        # the build died while this worker started (before the signal was asked for): it would
        # wait for tasks forever, holding the build's stderr open
        os._exit(1)


@lru_cache(maxsize=4)
def _vocabulary_graph(base: str):  # type: ignore[no-untyped-def]
    from .build import vocabulary_graph

    return vocabulary_graph(base=base)


# ---------------------------------------------------------------- what validation needs of the vocabulary


@lru_cache(maxsize=4)
def _vocabulary_index(base: str) -> tuple[dict, frozenset]:  # type: ignore[type-arg]
    """The vocabulary graph by subject, and every node it holds."""
    g = _vocabulary_graph(base)
    by_subject: dict = {}
    nodes = set()
    for s, p, o in g:
        by_subject.setdefault(s, []).append((p, o))
        nodes.update((s, p, o))
    return by_subject, frozenset(nodes)


def vocabulary_for(data, base: str):  # type: ignore[no-untyped-def]
    """The part of the vocabulary graph that validating ``data`` can reach, when that gives the
    same SHACL results as the whole vocabulary graph (see :func:`reachable_is_exact`); else
    the whole graph.

    It is everything the vocabulary says about the nodes of ``data``, and about the nodes
    that reaches, transitively (types, superclasses, a verb's usage, ...). Checked per
    document: ``data`` states nothing about a node the vocabulary holds (else the whole graph).
    """
    from rdflib import Graph, Literal

    full = _vocabulary_graph(base)
    if not reachable_is_exact(base):
        return full
    by_subject, vocab_nodes = _vocabulary_index(base)
    subjects = set(data.subjects())
    if not subjects.isdisjoint(vocab_nodes):
        return full
    out = Graph()
    todo = {n for t in data for n in t if not isinstance(n, Literal)}
    seen: set = set()
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        for p, o in by_subject.get(n, ()):
            out.add((n, p, o))
            if p not in seen:
                todo.add(p)
            if not isinstance(o, Literal) and o not in seen:
                todo.add(o)
    return out


def reachable_is_exact(base: str) -> bool:
    """Whether validating a document with only the reachable part of the vocabulary gives the
    results of validating it with the whole vocabulary. It does when

    1. the vocabulary alone conforms with no result at all (so the vocabulary's own nodes,
       validated along with every document, add nothing; tests/test_shapes.py checks it);
    2. every shape is targeted by ``sh:targetClass`` only; and
    3. an ``sh:inversePath`` (which would see triples pointing at a node from parts of the
       vocabulary that were left out) is only the path of a property shape of a node shape
       whose classes have no instances in the vocabulary (it is evaluated on document nodes,
       which no vocabulary triple points at).

    Together with the per-document check of :func:`vocabulary_for` (a document states nothing
    about a vocabulary node), every focus node's results then read the same triples. The
    answer depends only on the tool, the shapes and the vocabularies: it is kept in the user's
    cache folder.
    """
    return _reachable_is_exact(base)


@lru_cache(maxsize=4)
def _reachable_is_exact(base: str) -> bool:
    return _kept("reachable", base, _check_reachable)


def fast_engine_ok(base: str) -> bool:
    """Whether bulk builds may validate with ``ingest.shacl_fast`` (it compiles the shapes and
    gives pySHACL's results on every shape fixture: ``ingest.validate.engine_matches_reference``).
    Like :func:`reachable_is_exact`, kept in the user's cache folder."""
    return _fast_engine_ok(base)


@lru_cache(maxsize=4)
def _fast_engine_ok(base: str) -> bool:
    from .validate import engine_matches_reference

    return _kept("fast-shacl", base, engine_matches_reference)


def _kept(name: str, base: str, compute) -> bool:  # type: ignore[no-untyped-def]
    """A yes/no that depends only on the tool, the shapes and the vocabularies, computed once
    and kept in the user's cache folder."""
    from .lexmatch import cache_dir
    from .pipeline import atomic_write, environment

    f = cache_dir() / "vocabulary" / f"{environment(base)[:32]}.{name}.json"
    try:
        return bool(json.loads(f.read_text(encoding="utf-8"))["yes"])
    except (OSError, ValueError, KeyError):
        pass
    yes = bool(compute(base))
    try:
        atomic_write(f, json.dumps({"yes": yes}))
    except OSError:
        pass
    return yes


def _check_reachable(base: str) -> bool:
    from rdflib import Graph
    from rdflib.namespace import OWL, RDF, RDFS, SH

    from .validate import shapes_graph, validate

    shapes = shapes_graph(base)
    vocab = _vocabulary_graph(base)
    for p in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
        if any(True for _ in shapes.triples((None, p, None))):
            return False
    for shape in set(shapes.subjects(SH.targetClass, None)):
        if (shape, RDF.type, SH.NodeShape) not in shapes:
            return False
    # classes with instances in the vocabulary (and their superclasses)
    inhabited = set(vocab.objects(None, RDF.type))
    todo = list(inhabited)
    while todo:
        c = todo.pop()
        for sup in vocab.objects(c, RDFS.subClassOf):
            if sup not in inhabited:
                inhabited.add(sup)
                todo.append(sup)
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)):  # implicit class targets
        if (shape, RDF.type, RDFS.Class) in shapes or (shape, RDF.type, OWL.Class) in shapes:
            return False
    for holder in set(shapes.subjects(SH.inversePath, None)):  # the node [ sh:inversePath p ]
        uses = list(shapes.subject_predicates(holder))
        if not uses or any(pred != SH.path for _, pred in uses):
            return False
        for prop, _ in uses:  # a property shape, directly under node shapes only
            parents = list(shapes.subject_predicates(prop))
            if not parents or any(pred != SH.property for _, pred in parents):
                return False
            for ns, _ in parents:  # targeted at classes the vocabulary has no instance of, used nowhere else
                targets = set(shapes.objects(ns, SH.targetClass))
                if not targets or targets & inhabited or any(True for _ in shapes.subject_predicates(ns)):
                    return False
    alone = validate(Graph(), vocabulary=vocab, base=base)
    return not alone.results


# ---------------------------------------------------------------- header facts (language versions)


def header_facts(path: str, lang: str | None) -> dict[str, Any] | None:
    """The header facts ``ingest.versions`` needs to tell language versions apart (cacheable)."""
    from .versions import header_facts as facts

    f = facts(Path(path), lang=lang)
    return None if f is None else asdict(f)


# ---------------------------------------------------------------- one document


def process(task: Task) -> dict[str, Any]:
    """Build one file; write its artefacts; return its summary (as written to ``<name>.json``)."""
    import orjson

    from .assemble import turtle_statements
    from .build import build_triples
    from .export import view_keys
    from .extract import extract
    from .iris import Minter
    from .pipeline import EXTRACTED, DocResult, atomic_write, nquad_lines, sorted_terms
    from .read import InputError, read_source
    from .vocab import load

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
    v = _validate(triples, task.base, task.validator)
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


def _validate(triples, base: str, validator: str):  # type: ignore[no-untyped-def]
    """The document's SHACL results. pySHACL is the reference; the fast engine
    (``ingest.shacl_fast``) may clear nodes (find no result for them), where
    :func:`fast_engine_ok` holds: a document it finds no result in conforms with no result at
    all; the nodes it finds results for are validated by pySHACL (its ``focus_nodes``: 10 ms
    instead of a second for the whole document), whose results and report
    (``shacl-report.ttl``) are kept."""
    from rdflib import Graph

    from .validate import fast_validate_triples, validate

    focus = None
    if validator == "auto" and fast_engine_ok(base):
        from .shacl_fast import UnsupportedShaclFeature

        _, vocab_nodes = _vocabulary_index(base)
        own = reachable_is_exact(base) and {t[0] for t in triples}.isdisjoint(vocab_nodes)
        try:
            v = fast_validate_triples(triples, base=base, own_nodes_only=own)
        except UnsupportedShaclFeature:
            v = None
        if v is not None and not v.results:
            v.report = _conforming_report()
            return v
        if v is not None:
            focus = sorted({r.focus for r in v.results})
    g = Graph()
    g.addN((s, p, o, g) for s, p, o in triples)
    return validate(g, vocabulary=vocabulary_for(g, base), base=base, focus=focus)


def shared_triples(terms: list[tuple[str, str, str]], own: str) -> str:
    """What the corpus shapes (``ontology/corpus-shapes.ttl``) need of a document, from its
    sorted triples (``ingest.pipeline.sorted_terms``): as N-Triples, its triples about its
    resolution (``own`` without the slash) and about IRIs it does not own (what it cites or
    names, which other documents may state things about too)."""
    work = f"<{own[:-1]}>"
    mine = f"<{own}"
    return "".join(f"{s} {p} {o} .\n" for s, p, o in terms if s == work or not s.startswith(mine))


def _conforming_report():  # type: ignore[no-untyped-def]
    """The report pySHACL gives a graph without any result."""
    from rdflib import BNode, Graph, Literal
    from rdflib.namespace import RDF, SH

    g, report = Graph(), BNode()
    g.add((report, RDF.type, SH.ValidationReport))
    g.add((report, SH.conforms, Literal(True)))
    return g


def run_task(task: Task) -> dict[str, Any]:
    """:func:`process`, with an unexpected error turned into a failed document (the rest of a
    corpus still builds; the message asks for a report)."""
    try:
        return process(task)
    except Exception as exc:  # noqa: BLE001 - one document must not stop a corpus
        import sys
        import traceback

        traceback.print_exc(file=sys.stderr)
        where = traceback.extract_tb(exc.__traceback__)[-1]
        msg = (f"{task.path}: internal error ({type(exc).__name__}: {exc}) at "
               f"{Path(where.filename).name}:{where.lineno}; please report it")
        return {"path": task.path, "key": task.key, "artefact": task.artefact,
                "result": {"path": task.path, "error": msg}}


# ---------------------------------------------------------------- the SHACL report


def skolemised_report_lines(report) -> list[str]:  # type: ignore[no-untyped-def]
    """pySHACL's report with its blank nodes named from their content (as ``shacl-report.ttl``
    names them), as sorted N-Triples lines. Content-derived names make the report of a corpus
    the union of the reports of its documents."""
    from .pipeline import nt_term, skolemise

    lines = {f"{nt_term(s)} {nt_term(p)} {nt_term(o)} ." for s, p, o in skolemise(report)}
    return sorted(lines)


# ---------------------------------------------------------------- the document's part of the mandates view


VIEW_STORE_USES = 100  # documents a view store serves before it is made afresh


_view_stores: dict[str, list] = {}  # base -> [store, vocabulary labels, documents served]


def _view_store(base: str):  # type: ignore[no-untyped-def]
    """An in-memory store holding the vocabulary (kept per process), and its labels.

    pyoxigraph's in-memory store keeps every string it has seen after the quads holding it are
    removed (about 0.5 MB per document): the store is made afresh every
    :data:`VIEW_STORE_USES` documents, so that a worker's memory stays flat."""
    import pyoxigraph

    from .export import vocabulary_label_items
    from .pipeline import _vocabulary_outputs

    held = _view_stores.get(base)
    if held is None or held[2] >= VIEW_STORE_USES:
        _, vocab_nq = _vocabulary_outputs(base)
        store = pyoxigraph.Store()
        store.bulk_load(vocab_nq.encode("utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
        labels = held[1] if held is not None else vocabulary_label_items(store)
        held = _view_stores[base] = [store, labels, 0]
    held[2] += 1
    return held[0], held[1]


def view_fragment(nquads: list[bytes], graphs: list[str], base: str) -> dict[str, Any]:
    """The mandates view (``ingest.export.fragment``) of the documents given by their N-Quads
    (one resolution: a document, or its language versions together)."""
    import pyoxigraph

    from .export import fragment

    store, vocab_labels = _view_store(base)
    try:
        for nq in nquads:
            store.load(nq, format=pyoxigraph.RdfFormat.N_QUADS)  # (faster than bulk_load in memory)
        return fragment(store, vocab_labels)
    finally:
        for g in graphs:
            store.remove_graph(pyoxigraph.NamedNode(g))
