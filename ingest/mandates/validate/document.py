"""Validating one built document as a corpus build does: pySHACL as the reference, the fast
engine where it is known to agree, and only the part of the vocabulary the document reaches.

A worker validates each document with pySHACL, as :mod:`mandates.validate.engine` does, with
the part of the vocabulary graph the document reaches instead of all of it: the same results
(:func:`vocabulary_for` says when and why; the tests compare both), two to four times faster.
The fast engine (:mod:`mandates.validate.fast`) may clear the nodes it finds no result for
(:func:`validate_document`).
"""

from __future__ import annotations

from functools import lru_cache

from rdflib import BNode, Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS, SH

from mandates.core.fingerprint import kept
from mandates.graph.vocabulary import cached_vocabulary_graph
from mandates.rdf.terms import nt_term, skolemise
from mandates.validate.engine import (
    Validation,
    engine_supports_shapes,
    fast_validate_triples,
    shapes_graph,
    validate,
)
from mandates.validate.fast import UnsupportedShaclFeature


@lru_cache(maxsize=4)
def _vocabulary_index(base: str) -> tuple[dict, frozenset]:  # type: ignore[type-arg]
    """The vocabulary graph by subject, and every node it holds."""
    g = cached_vocabulary_graph(base)
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
    full = cached_vocabulary_graph(base)
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
    return kept("reachable", base, _check_reachable)


def fast_engine_ok(base: str) -> bool:
    """Whether bulk builds may validate with ``mandates.validate.fast`` (it compiles the shapes and
    compiles the shapes: ``mandates.validate.engine.engine_supports_shapes``; tests/test_validators.py checks it gives pySHACL's results on every shape fixture).
    Like :func:`reachable_is_exact`, kept in the user's cache folder."""
    return _fast_engine_ok(base)


@lru_cache(maxsize=4)
def _fast_engine_ok(base: str) -> bool:
    return kept("fast-shacl", base, engine_supports_shapes)


def _check_reachable(base: str) -> bool:
    shapes = shapes_graph(base)
    vocab = cached_vocabulary_graph(base)
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


def validate_document(triples, base: str, validator: str) -> Validation:  # type: ignore[no-untyped-def]
    """The document's SHACL results. pySHACL is the reference; the fast engine
    (``mandates.validate.fast``) may clear nodes (find no result for them), where
    :func:`fast_engine_ok` holds: a document it finds no result in conforms with no result at
    all; the nodes it finds results for are validated by pySHACL (its ``focus_nodes``: 10 ms
    instead of a second for the whole document), whose results and report
    (``shacl-report.ttl``) are kept."""
    focus = None
    if validator == "auto" and fast_engine_ok(base):
        _, vocab_nodes = _vocabulary_index(base)
        own = reachable_is_exact(base) and {t[0] for t in triples}.isdisjoint(vocab_nodes)
        try:
            v = fast_validate_triples(triples, base=base, own_nodes_only=own)
        except UnsupportedShaclFeature:
            v = None
        if v is not None and not v.results:
            v.report = conforming_report()
            return v
        if v is not None:
            focus = sorted({r.focus for r in v.results})
    g = Graph()
    g.addN((s, p, o, g) for s, p, o in triples)
    return validate(g, vocabulary=vocabulary_for(g, base), base=base, focus=focus)


def conforming_report():  # type: ignore[no-untyped-def]
    """The report pySHACL gives a graph without any result."""
    g, report = Graph(), BNode()
    g.add((report, RDF.type, SH.ValidationReport))
    g.add((report, SH.conforms, Literal(True)))
    return g


def skolemised_report_lines(report) -> list[str]:  # type: ignore[no-untyped-def]
    """pySHACL's report with its blank nodes named from their content (as ``shacl-report.ttl``
    names them), as sorted N-Triples lines. Content-derived names make the report of a corpus
    the union of the reports of its documents."""
    lines = {f"{nt_term(s)} {nt_term(p)} {nt_term(o)} ." for s, p, o in skolemise(report)}
    return sorted(lines)
