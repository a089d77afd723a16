"""SHACL validation of a built graph (pySHACL, the reference validator).

The data graph is the document's graph together with the ontology and the vocabularies,
so that ``sh:class`` constraints see the types of the actors, verbs and instruments a
document refers to. A violation is a result, not an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from .iris import rebase
from .resources import ontology_dir
from .vocab import DEFAULT_BASE

SH = Namespace("http://www.w3.org/ns/shacl#")


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
    """The shapes; with another base, the vocabulary IRIs they name move with the data."""
    g = Graph()
    g.parse(ontology_dir() / "shapes.ttl", format="turtle")
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


def _english(report: Graph, result) -> str:  # type: ignore[no-untyped-def]
    msgs = list(report.objects(result, SH.resultMessage))
    for m in msgs:
        if getattr(m, "language", None) == "en":
            return str(m)
    return str(sorted(msgs, key=str)[0]) if msgs else ""


def validate(data: Graph, *, vocabulary: Graph | None = None, base: str = DEFAULT_BASE) -> Validation:
    """Validate ``data`` (plus the vocabulary graph) against ``ontology/shapes.ttl``."""
    import pyshacl

    g = Graph()
    for t in data:
        g.add(t)
    if vocabulary is not None:
        for t in vocabulary:
            g.add(t)
    shapes = shapes_graph(base)
    conforms, report, _ = pyshacl.validate(g, shacl_graph=shapes, inference="none", advanced=False,
                                           allow_warnings=True)
    results = []
    top = {r for r in report.objects(None, SH.result)}  # not pySHACL's nested detail results
    for r in sorted(top, key=str):
        src = report.value(r, SH.sourceShape)
        results.append(Result(
            shape=str(_node_shape(shapes, src)) if src is not None else "",
            focus=str(report.value(r, SH.focusNode)),
            path=str(report.value(r, SH.resultPath)) if report.value(r, SH.resultPath) is not None else None,
            message=_english(report, r),
            severity=str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1],
        ))
    results.sort(key=lambda x: (x.shape, x.focus, x.path or "", x.message))
    violations = [r for r in results if r.severity == "Violation"]
    return Validation(conforms=bool(conforms) or not violations, results=results, report=report)
