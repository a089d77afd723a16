"""SHACL validation of a built graph (pySHACL, the reference validator), and a fast engine
for bulk builds (``mandates.validate.fast``) that gives the same results.

The data graph is the document's graph together with the ontology and the vocabularies,
so that ``sh:class`` constraints see the types of the actors, verbs and instruments a
document refers to. A violation is a result, not an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from mandates.core.resources import ontology_dir
from mandates.graph.builder import vocabulary_graph
from mandates.rdf.iris import rebase
from mandates.rdf.namespaces import DEFAULT_BASE
from mandates.rdf.terms import nt_lines, subject_graphs
from mandates.validate.fast import (
    DataIndex,
    UnsupportedShaclFeature,
    compile_shapes,
    english,
    index_graph,
    index_text,
    path_to_string,
    validate_index,
)

SH = Namespace("http://www.w3.org/ns/shacl#")

# A result's path: an IRI as itself; a complex path (pySHACL reports it as blank nodes) in SPARQL
# property-path syntax, e.g. "^<https://w3id.org/un-mandates/ontology#hasParagraph>".


@dataclass
class Result:
    shape: str  # the node shape's IRI (property shapes are walked up to their node shape)
    focus: str
    path: str | None
    message: str
    severity: str


@dataclass
class Validation:
    conforms: bool
    results: list[Result] = field(default_factory=list)
    report: Graph | None = None


@lru_cache(maxsize=4)
def shapes_graph(base: str = DEFAULT_BASE) -> Graph:
    """The shapes of one document; with another base, the vocabulary IRIs they name move with the data."""
    return _shapes("shapes.ttl", base)


@lru_cache(maxsize=4)
def corpus_shapes_graph(base: str = DEFAULT_BASE) -> Graph:
    """The shapes that need more than one document (``ontology/corpus-shapes.ttl``)."""
    return _shapes("corpus-shapes.ttl", base)


def _shapes(name: str, base: str) -> Graph:
    g = Graph()
    g.parse(ontology_dir() / name, format="turtle")
    if base == DEFAULT_BASE:
        return g
    out = Graph()
    for t in g:
        out.add(tuple(URIRef(rebase(str(x), base)) if isinstance(x, URIRef) else x for x in t))  # type: ignore[arg-type]
    return out


def _node_shape(shapes: Graph, shape: URIRef) -> URIRef:
    """The node shape a (property) shape belongs to."""
    if (shape, RDF.type, SH.NodeShape) in shapes:
        return shape
    for parent in shapes.subjects(SH.property, shape):
        return _node_shape(shapes, parent)  # type: ignore[arg-type]
    return shape


def validate(data: Graph, *, vocabulary: Graph | None = None, base: str = DEFAULT_BASE,
             shapes: Graph | None = None, focus: list[str] | None = None) -> Validation:
    """Validate ``data`` (plus the vocabulary graph) against ``ontology/shapes.ttl`` (or ``shapes``);
    ``focus``: only these focus nodes (pySHACL's ``focus_nodes``)."""
    import pyshacl

    g = Graph()
    for t in data:
        g.add(t)
    if vocabulary is not None:
        for t in vocabulary:
            g.add(t)
    shapes = shapes_graph(base) if shapes is None else shapes
    conforms, report, _ = pyshacl.validate(g, shacl_graph=shapes, inference="none", advanced=False,
                                           allow_warnings=True,
                                           focus_nodes=None if focus is None else [URIRef(f) for f in focus])
    results = []
    top = {r for r in report.objects(None, SH.result)}  # not pySHACL's nested detail results
    for r in sorted(top, key=str):
        src = report.value(r, SH.sourceShape)
        results.append(Result(
            shape=str(_node_shape(shapes, src)) if src is not None else "",
            focus=str(report.value(r, SH.focusNode)),
            path=path_to_string(report, report.value(r, SH.resultPath)),
            message=english(report, r, SH.resultMessage),
            severity=str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
        ))
    results.sort(key=lambda x: (x.shape, x.focus, x.path or "", x.message))
    violations = [r for r in results if r.severity == "Violation"]
    return Validation(conforms=bool(conforms) or not violations, results=results, report=report)


# ---------------------------------------------------------------------------- the fast engine


@lru_cache(maxsize=4)
def _compiled(base: str = DEFAULT_BASE, corpus: bool = False):  # type: ignore[no-untyped-def]

    return compile_shapes(corpus_shapes_graph(base) if corpus else shapes_graph(base))


@lru_cache(maxsize=4)
def _vocabulary_index(base: str = DEFAULT_BASE):  # type: ignore[no-untyped-def]

    return index_graph(vocabulary_graph(base=base))


@lru_cache(maxsize=2)
def _vocabulary_index_nt(vocabulary_nt: str):  # type: ignore[no-untyped-def]

    return index_text(vocabulary_nt)


def _results(raw) -> list[Result]:  # type: ignore[no-untyped-def]
    results = [Result(shape=r.shape, focus=str(r.focus), path=r.path, message=r.message, severity=r.severity)
               for r in raw]
    results.sort(key=lambda x: (x.shape, x.focus, x.path or "", x.message, x.severity))
    return results


def _fast(index, base: str, *, own_nodes_only: bool = False, corpus: bool = False) -> Validation:  # type: ignore[no-untyped-def]

    results = _results(validate_index(_compiled(base, corpus), index, own_nodes_only=own_nodes_only))
    return Validation(conforms=not any(r.severity == "Violation" for r in results), results=results, report=None)


def fast_validate_nquads(text: str | bytes, *, base: str = DEFAULT_BASE, vocabulary_nt: str | None = None) -> Validation:
    """Validate N-Triples / N-Quads ``text`` (graph names ignored: one merged data graph, as
    :func:`validate` builds) together with the vocabulary graph, with the fast engine.

    The vocabulary is the whole ontology + vocabularies of ``base`` (``build.vocabulary_graph``),
    indexed once per process; or ``vocabulary_nt`` (N-Triples text) when given. The results are
    those of :func:`validate` on the same data and vocabulary (``report`` is None). Raises
    :class:`mandates.validate.fast.UnsupportedShaclFeature` when the shapes use a feature the engine
    lacks: validate with :func:`validate` instead.

    ``text`` may hold many documents (named graphs): results are attributed by focus node,
    see :func:`results_by_graph`.
    """

    vocab = _vocabulary_index(base) if vocabulary_nt is None else _vocabulary_index_nt(vocabulary_nt)
    return _fast(index_text(text, base=vocab), base)


def fast_validate(data: Graph, *, vocabulary: Graph | None = None, base: str = DEFAULT_BASE,
                  corpus: bool = False) -> Validation:
    """:func:`validate` with the fast engine, for rdflib graphs (``vocabulary`` None: the whole
    vocabulary graph of ``base``, as :func:`fast_validate_nquads`; ``corpus``: against the
    corpus shapes)."""

    vocab = _vocabulary_index(base) if vocabulary is None else index_graph(vocabulary)
    return _fast(index_graph(data, base=vocab), base, corpus=corpus)


def validate_corpus(ntriples: str, *, base: str = DEFAULT_BASE, fast: bool = False) -> Validation:
    """The corpus shapes (``ontology/corpus-shapes.ttl``) over what documents share (N-Triples,
    see ``mandates.build.pipeline``), with the vocabulary. As for documents: the fast engine may find
    that there is no result at all (``fast``: the caller knows :func:`engine_supports_shapes`);
    any result is pySHACL's, with its report."""

    if fast:
        try:
            v = _fast(index_text(ntriples, base=_vocabulary_index(base)), base, own_nodes_only=True, corpus=True)
        except UnsupportedShaclFeature:
            v = None
        if v is not None and not v.results:
            return v
        if v is not None:  # pySHACL over the nodes with results and what they point at, not the whole corpus
            ntriples = _around({r.focus for r in v.results}, ntriples)

    data = Graph()
    if ntriples.strip():
        data.parse(data=ntriples, format="nt")
    return validate(data, vocabulary=vocabulary_graph(base=base), base=base, shapes=corpus_shapes_graph(base))


def _around(focus: set[str], ntriples: str) -> str:
    """The N-Triples lines about the ``focus`` IRIs and about the IRIs they point at."""
    def subject(line: str) -> str:
        return line[1:line.find("> ")] if line.startswith("<") else ""

    lines = nt_lines(ntriples)
    mine = [x for x in lines if subject(x) in focus]
    objects = {x[x.rfind(" <", 0, len(x) - 2) + 2:-3] for x in mine if x.endswith("> .")}
    return "".join(x + "\n" for x in lines if subject(x) in focus or subject(x) in objects)


def fast_validate_triples(triples, *, base: str = DEFAULT_BASE, own_nodes_only: bool = False) -> Validation:  # type: ignore[no-untyped-def]
    """:func:`fast_validate` for an iterable of rdflib triples with the whole vocabulary;
    ``own_nodes_only`` validates only the nodes the triples state something about (exact when
    ``mandates.validate.document.reachable_is_exact`` holds and the triples say nothing about a vocabulary
    node)."""

    index = DataIndex(_vocabulary_index(base))
    add = index.add
    for s, p, o in triples:
        add(s, p, o)
    return _fast(index, base, own_nodes_only=own_nodes_only)


def results_by_graph(validation: Validation, nquads: str) -> dict[str, list[Result]]:
    """Split the results of a batch by the named graph (document) whose triples have the focus
    node as subject; a focus node no document states anything about (a vocabulary node) is
    under ``""``."""

    owner = subject_graphs(nquads)
    out: dict[str, list[Result]] = {}
    for r in validation.results:
        out.setdefault(owner.get(r.focus, ""), []).append(r)
    return out


@lru_cache(maxsize=4)
def engine_supports_shapes(base: str = DEFAULT_BASE) -> bool:
    """Whether the fast engine compiles the document and corpus shapes (it refuses a SHACL
    feature it does not implement). That it then gives pySHACL's results on every shape
    fixture is checked by the tests (tests/test_validators.py), not at run time."""
    try:
        _compiled(base)
        _compiled(base, True)
    except UnsupportedShaclFeature:
        return False
    return True
