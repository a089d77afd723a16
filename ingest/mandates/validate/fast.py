"""A fast SHACL Core validator for bulk builds; pySHACL (``mandates.validate.engine.validate``) stays the
reference.

The shapes graph is compiled, generically, into Python checks: every node shape and property
shape becomes a :class:`CShape` holding its targets, its path and a list of constraint checks.
The data (N-Triples / N-Quads text, parsed by pyoxigraph, graph names ignored as pySHACL does
on a merged graph) is indexed in memory on top of a cached index of the vocabulary graph, so
a document costs only its own triples.  Terms are rdflib terms, so literal equality, the
"ill-typed" test of ``sh:datatype`` and the comparisons of ``sh:minInclusive`` and
``sh:lessThanOrEquals`` are rdflib's, as in pySHACL.

Only the constraint components, path kinds and targets that ``ontology/shapes.ttl`` uses are
supported (see :data:`SUPPORTED`); compiling a shapes graph that uses anything else raises
:class:`UnsupportedShaclFeature` ("unsupported SHACL feature X"), and the caller falls back
to pySHACL.

The results reproduce pySHACL's top-level results one for one (same number, same source
shape walked up to its node shape, focus node, path, English message and severity): one per
value node for value-based components, one per focus node for ``sh:minCount``,
``sh:maxCount``, ``sh:hasValue`` and ``sh:qualifiedMinCount``, one per duplicated language
for ``sh:uniqueLang``, one per (predicate, object) for ``sh:closed``, one per failing pair for
``sh:lessThanOrEquals``.  ``tests/test_validators.py`` checks it on every shape fixture and
every corpus document (the build only checks at run time that the engine compiles the shapes).

Many documents may be validated together (one N-Quads text): results carry their focus node,
so a caller splits them by document (:func:`results_by_graph`).

Speed (a document is validated in each build worker): the index is built in one pass on the
first read, holds a single value without a container, and keys its dicts by one canonical
object per IRI (shared with the vocabulary index and the compiled shapes), so look-ups match by
identity instead of calling rdflib's Python-level ``__eq__``; instance tests, superclasses and
target classes are memoised (with the vocabulary index when a document states no
rdfs:subClassOf triple); sh:minCount and sh:maxCount are counted inline; two literals that
rdflib compares as ints are compared as ints. None of it changes a result or its order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Callable, Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

from mandates.rdf.terms import UnsupportedTerm, rdflib_triples

__all__ = ["UnsupportedShaclFeature", "CompiledShapes", "compile_shapes", "DataIndex", "validate_index",
           "path_to_string", "SUPPORTED"]


class UnsupportedShaclFeature(ValueError):
    """The shapes graph uses a SHACL feature this engine does not implement: use pySHACL."""

    def __init__(self, feature: str, where: Any = None) -> None:
        msg = f"unsupported SHACL feature {feature}"
        if where is not None:
            msg += f" (in shape {where})"
        super().__init__(msg + "; validate with pySHACL (mandates.validate.engine.validate)")
        self.feature = feature


# --------------------------------------------------------------------------- what is supported

_PARAMS = {  # constraint parameters implemented
    SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, SH.minInclusive, SH.maxInclusive,
    SH.minLength, SH.pattern, SH.languageIn, SH.uniqueLang, SH.lessThanOrEquals, SH["or"], SH.xone,
    SH.node, SH.property, SH.qualifiedValueShape, SH.qualifiedMinCount, SH.closed, SH.ignoredProperties,
    SH.hasValue, SH["in"],
}
_NON_VALIDATING = {SH.path, SH.severity, SH.message, SH.name, SH.description, SH.order, SH.group,
                   SH.defaultValue, SH.targetClass}
_PATH_KINDS = {SH.inversePath, SH.alternativePath, SH.oneOrMorePath}  # plus IRIs and sequences
SUPPORTED = sorted(str(x).rsplit("#", 1)[-1] for x in _PARAMS | _PATH_KINDS | {SH.targetClass})

_NODE_KINDS = {SH.IRI, SH.BlankNode, SH.Literal, SH.BlankNodeOrIRI, SH.BlankNodeOrLiteral, SH.IRIOrLiteral}


# --------------------------------------------------------------------------- data index


_CANON: dict = {}  # one object per IRI: the IRIs of shared (base) indexes and of compiled shapes
_CANON_MAX = 200_000
_EMPTY: dict = {}  # never written to


def _canonical(t):  # type: ignore[no-untyped-def]
    """The one object of IRI ``t`` (registered on first sight). Equal IRIs are then the same
    object, so dictionary and set look-ups find them by identity, without calling rdflib's
    (Python-level) ``__eq__``. Only a speed-up: every comparison still means equality."""
    if type(t) is not URIRef:
        return t
    c = _CANON.get(t)
    if c is None:
        if len(_CANON) < _CANON_MAX:
            _CANON[t] = t
        return t
    return c


_TYPE = _canonical(RDF.type)
_SUBCLASS = _canonical(RDFS.subClassOf)
_RESOURCE = _canonical(RDFS.Resource)

def _type_test(cls):  # type: ignore[no-untyped-def]
    """``isinstance(t, cls)`` for rdflib terms, memoised by the term's type (isinstance on
    rdflib terms is slow: ABCs)."""
    seen: dict = {}

    def test(t) -> bool:  # type: ignore[no-untyped-def]
        k = type(t)
        r = seen.get(k)
        if r is None:
            r = seen[k] = issubclass(k, cls)
        return r
    return test


_is_literal = _type_test(Literal)
_is_bnode = _type_test(BNode)
_is_iri = _type_test(URIRef)


def _intern(t, local: dict, shared: bool):  # type: ignore[no-untyped-def]
    """The object that stands for term ``t`` in an index: an IRI's canonical object (registered
    when the index is ``shared``, a base index), else the first equal IRI or blank node the
    index saw (``local``); ``t`` itself for anything else (literals)."""
    k = type(t)
    if k is URIRef:
        c = _CANON.get(t)
        if c is None:
            if shared and len(_CANON) < _CANON_MAX:
                c = _CANON[t] = t
            else:
                c = local.setdefault(t, t)
        return c
    if k is BNode:
        return local.setdefault(t, t)
    return t


def _add_subject(ops: dict, o, p, s) -> None:  # type: ignore[no-untyped-def]
    """Add ``s`` under ``o`` and ``p`` of the by-object index (a slot holds one term, or an
    insertion-ordered dict of several)."""
    d = ops.get(o)
    if d is None:
        ops[o] = {p: s}
        return
    v = d.get(p)
    if v is None:
        d[p] = s
    elif type(v) is dict:
        v[s] = None
    else:
        d[p] = {v: None, s: None}


class DataIndex:
    """Triples by subject and by object; an optional ``base`` index (the vocabulary, shared by
    every document) is read through, never copied.

    ``spo[s][p]`` and ``ops[o][p]`` hold one term, or several as an insertion-ordered dict used
    as a set (values None), so adding a triple costs a few hash look-ups (and a single value,
    the most common case, no container: see :func:`_vals`). :meth:`add` only queues a triple;
    the index is built on the first read, in one pass. Triples with a literal object enter
    ``ops`` only when a literal's subjects are asked for."""

    __slots__ = ("spo", "ops", "base", "_pending", "_lits", "_local", "_bspo", "_bops", "_shared", "_version",
                 "_base_version", "_subclass_stated", "_classes", "_base_classes", "_supers", "_walks", "_both")

    def __init__(self, base: "DataIndex | None" = None) -> None:
        self.spo: dict = {}
        self.ops: dict = {}
        self.base = base
        # flat lists (no tuple per triple: fewer objects for the garbage collector to track)
        self._pending: list = []  # s, p, o, s, p, o, ... added, not indexed yet
        self._lits: list = []  # o, p, s, ... with a literal o: indexed in spo, not yet in ops
        self._local: dict = {}  # the objects that stand for this index's own IRIs and blank nodes
        self._bspo = base.spo if base is not None else _EMPTY
        self._bops = base.ops if base is not None else _EMPTY
        self._shared: dict | None = None  # caches of an index used as a base (see _begin)
        self._version = 0  # how many times triples were indexed
        self._base_version = -1  # the base's _version the derived data below was computed with
        self._subclass_stated = False  # whether an added triple has the predicate rdfs:subClassOf
        self._classes: dict = {}  # per validation: node -> every class it is an instance of
        self._base_classes: dict | None = None  # the same for nodes only the base states something about
        self._supers: dict = {}  # class -> it and its superclasses
        self._walks: dict = {}  # target class -> the classes whose instances it targets, in order
        self._both: Any = ()  # per validation: own subjects that the base states something about too

    def add(self, s, p, o) -> None:  # type: ignore[no-untyped-def]
        self._pending += (s, p, o)

    def _ready(self) -> None:
        """Index what was added (and what was added to the base)."""
        b = self.base
        if b is not None:
            if b._pending or b._lits:
                b._ready()
                b._flush_literals()
            if b._version != self._base_version:
                self._base_version = b._version
                self._forget()
        if self._pending:
            self._flush()

    def _forget(self) -> None:
        """Drop what was derived from the triples (they changed)."""
        self._shared = None
        self._classes, self._supers, self._walks = {}, {}, {}
        self._base_classes = None

    def _flush(self) -> None:
        pending = self._pending  # (it keeps the added term objects alive: ``ids`` is safe)
        self._pending = []
        self._version += 1
        self._forget()
        shared = self.base is None
        bspo = self._bspo
        spo, ops, local = self.spo, self.ops, self._local
        lits: list = self._lits
        ids: dict = {}  # id(term object) -> the object that stands for it: each object is looked at once
        ids_get = ids.get
        it = iter(pending)
        for s, p, o in zip(it, it, it):
            c = ids_get(id(s))
            if c is None:
                c = ids[id(s)] = _intern(s, local, shared)
            s = c
            c = ids_get(id(p))
            if c is None:
                c = ids[id(p)] = _intern(p, local, shared)
                if c is _SUBCLASS:  # (an IRI equal to it is it: _intern)
                    self._subclass_stated = True
            p = c
            k = type(o)
            if k is Literal:
                lit = True
            else:
                c = ids_get(id(o))
                if c is None:
                    c = ids[id(o)] = _intern(o, local, shared)
                o = c
                lit = k is not URIRef and k is not BNode and _is_literal(o)
            if bspo:
                d = bspo.get(s)
                if d is not None:
                    v = d.get(p)
                    if v is not None and _holds(v, o):
                        continue  # in the base index
            d = spo.get(s)
            if d is None:
                spo[s] = {p: o}
            else:
                v = d.get(p)
                if v is None:
                    d[p] = o
                elif type(v) is dict:
                    n = len(v)
                    v[o] = None
                    if len(v) == n:
                        continue  # already there
                elif v is o or (hash(v) == hash(o) and v == o):
                    continue  # already there
                else:
                    d[p] = {v: None, o: None}
            if lit:
                lits += (o, p, s)
                continue
            _add_subject(ops, o, p, s)

    def _flush_literals(self) -> None:
        lits = self._lits
        self._lits = []
        if lits:
            self._version += 1
            self._shared = None
        ops = self.ops
        it = iter(lits)
        for o, p, s in zip(it, it, it):
            _add_subject(ops, o, p, s)

    def __len__(self) -> int:
        self._ready()
        return sum(len(v) if type(v) is dict else 1 for d in self.spo.values() for v in d.values())

    def objects(self, s, p) -> list:  # type: ignore[no-untyped-def]
        self._ready()
        return _objects(self, s, p)

    def subjects(self, p, o) -> list:  # type: ignore[no-untyped-def]
        self._ready()
        return _subjects(self, p, o)

    def predicate_objects(self, s) -> Iterable:  # type: ignore[no-untyped-def]
        self._ready()
        d = self._bspo.get(s)
        if d:
            for p, os in d.items():
                for o in _vals(os):
                    yield p, o
        d = self.spo.get(s)
        if d:
            for p, os in d.items():
                for o in _vals(os):
                    yield p, o

    def _begin(self, own_nodes_only: bool) -> None:
        """Before a validation (the index is ready): fresh per-validation memos. The superclasses
        of a class and the classes a target class reaches are kept with the base index (for
        every document) when this index states no rdfs:subClassOf triple."""
        self._classes = {}
        b = self.base
        if b is not None and not self._subclass_stated:
            sh = b._shared
            if sh is None:
                sh = b._shared = {"supers": {}, "walks": {}, "classes": {}}
            self._supers, self._walks, self._base_classes = sh["supers"], sh["walks"], sh["classes"]
        else:
            self._supers, self._walks, self._base_classes = {}, {}, None
        self._both = self.spo.keys() & self._bspo.keys() if own_nodes_only and self._bspo else ()


def _vals(v):  # type: ignore[no-untyped-def]
    """The values an index holds under a node and a predicate: one term, or a dict of them."""
    return v if type(v) is dict else (v,)


def _holds(v, t) -> bool:  # type: ignore[no-untyped-def]
    """Whether ``t`` is among the values ``v`` (as dict membership: identity, or hash and ==)."""
    if type(v) is dict:
        return t in v
    return v is t or (hash(v) == hash(t) and v == t)


def _join(theirs, mine) -> list:  # type: ignore[no-untyped-def]
    """The values of the base index (``theirs``) then of the index (``mine``), each None or as stored."""
    if theirs is None:
        if mine is None:
            return []
        return list(mine) if type(mine) is dict else [mine]
    if mine is None:
        return list(theirs) if type(theirs) is dict else [theirs]
    return [*_vals(theirs), *_vals(mine)]


def _objects(data: DataIndex, node, p) -> list:  # type: ignore[no-untyped-def]
    """The objects of ``node`` and ``p``, the base index's first (the index is ready)."""
    d = data.spo.get(node)
    b = data._bspo.get(node)
    return _join(b.get(p) if b else None, d.get(p) if d else None)


def _subjects(data: DataIndex, p, o) -> list:  # type: ignore[no-untyped-def]
    """The subjects of ``p`` and ``o``, the base index's first (the index is ready)."""
    if data._lits and _is_literal(o):
        data._flush_literals()
    d = data.ops.get(o)
    b = data._bops.get(o)
    return _join(b.get(p) if b else None, d.get(p) if d else None)


# --------------------------------------------------------------------------- term conversion


def index_text(text: str | bytes, *, base: DataIndex | None = None, fmt: str = "nquads") -> DataIndex:
    """Index N-Quads (or N-Triples, a subset) text, graph names dropped."""

    idx = DataIndex(base)
    data = text.encode("utf-8") if isinstance(text, str) else text
    add = idx.add
    try:
        for s, p, o in rdflib_triples(data, nquads=fmt == "nquads"):
            add(s, p, o)
    except UnsupportedTerm as exc:
        raise UnsupportedShaclFeature(str(exc)) from None
    return idx


def index_graph(g: Graph, *, base: DataIndex | None = None) -> DataIndex:
    idx = DataIndex(base)
    for s, p, o in g:
        idx.add(s, p, o)
    return idx


# --------------------------------------------------------------------------- paths


@dataclass(frozen=True)
class Path:
    kind: str  # "pred" | "inv" | "seq" | "alt" | "plus"
    pred: Any = None
    parts: tuple = ()


def _compile_path(sg: Graph, node, where) -> Path:  # type: ignore[no-untyped-def]
    if isinstance(node, URIRef):
        return Path("pred", _canonical(node))
    if (node, RDF.first, None) in sg:
        return Path("seq", parts=tuple(_compile_path(sg, x, where) for x in Collection(sg, node)))
    preds = {p for p, _ in sg.predicate_objects(node)}
    if len(preds) != 1:
        raise UnsupportedShaclFeature(f"path with predicates {sorted(map(str, preds))}", where)
    (p,) = preds
    if p not in _PATH_KINDS:
        raise UnsupportedShaclFeature(f"path kind {p}", where)
    val = sg.value(node, p)
    if p == SH.inversePath:
        return Path("inv", parts=(_compile_path(sg, val, where),))
    if p == SH.oneOrMorePath:
        return Path("plus", parts=(_compile_path(sg, val, where),))
    return Path("alt", parts=tuple(_compile_path(sg, x, where) for x in Collection(sg, val)))


def _path_values(path: Path, data: DataIndex, focus) -> list:  # type: ignore[no-untyped-def]
    k = path.kind
    if k == "pred":
        return _objects(data, focus, path.pred)
    if k == "inv":
        inner = path.parts[0]
        if inner.kind == "pred":
            return _subjects(data, inner.pred, focus)
        return _inverse(inner, data, focus)
    if k == "seq":
        cur = [focus]
        for part in path.parts:
            nxt: dict = {}
            for n in cur:
                for v in _path_values(part, data, n):
                    nxt[v] = None
            cur = list(nxt)
        return cur
    if k == "alt":
        out: dict = {}
        for part in path.parts:
            for v in _path_values(part, data, focus):
                out[v] = None
        return list(out)
    if k == "plus":
        seen: dict = {}
        todo = _path_values(path.parts[0], data, focus)
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen[n] = None
            todo.extend(_path_values(path.parts[0], data, n))
        return list(seen)
    raise UnsupportedShaclFeature(f"path kind {k}")


def _inverse(path: Path, data: DataIndex, focus) -> list:  # type: ignore[no-untyped-def]
    """Values of ^path for a complex path."""
    k = path.kind
    if k == "pred":
        return _subjects(data, path.pred, focus)
    if k == "inv":
        return _path_values(path.parts[0], data, focus)
    if k == "seq":
        return _path_values(Path("seq", parts=tuple(Path("inv", parts=(p,)) for p in reversed(path.parts))),
                            data, focus)
    if k == "alt":
        return _path_values(Path("alt", parts=tuple(Path("inv", parts=(p,)) for p in path.parts)), data, focus)
    if k == "plus":
        return _path_values(Path("plus", parts=(Path("inv", parts=path.parts),)), data, focus)
    raise UnsupportedShaclFeature(f"path kind {k}")


def _iri_str(t) -> str:  # type: ignore[no-untyped-def]
    return f"<{t}>"


def path_to_string(graph: Graph, node) -> str | None:  # type: ignore[no-untyped-def]
    """A SHACL path node as text: an IRI as itself, a complex path in SPARQL property-path syntax
    (``^<p>``, ``<p>/<q>``, ``(<p>|<q>)``, ``(<p>)+``). pySHACL copies a result's path into the
    report as blank nodes; this names it the same way in both engines."""
    if node is None:
        return None
    if isinstance(node, URIRef):
        return str(node)

    def sp(n) -> str:  # type: ignore[no-untyped-def]
        if isinstance(n, URIRef):
            return _iri_str(n)
        if (n, RDF.first, None) in graph:
            return "(" + "/".join(sp(x) for x in Collection(graph, n)) + ")"
        inv = graph.value(n, SH.inversePath)
        if inv is not None:
            return "^" + sp(inv)
        alt = graph.value(n, SH.alternativePath)
        if alt is not None:
            return "(" + "|".join(sp(x) for x in Collection(graph, alt)) + ")"
        for p, suffix in ((SH.oneOrMorePath, "+"), (SH.zeroOrMorePath, "*"), (SH.zeroOrOnePath, "?")):
            x = graph.value(n, p)
            if x is not None:
                return "(" + sp(x) + ")" + suffix
        return str(n)

    return sp(node)


def _path_repr(path: Path) -> str:
    k = path.kind
    if k == "pred":
        return _iri_str(path.pred)
    if k == "inv":
        return "^" + _path_repr(path.parts[0])
    if k == "seq":
        return "(" + "/".join(_path_repr(p) for p in path.parts) + ")"
    if k == "alt":
        return "(" + "|".join(_path_repr(p) for p in path.parts) + ")"
    return "(" + _path_repr(path.parts[0]) + ")+"


# --------------------------------------------------------------------------- compiled shapes


@dataclass
class CShape:
    node: Any
    path: Path | None
    path_str: str | None
    severity: str
    message: str
    owner: str  # the node shape a result is reported for
    checks: list = field(default_factory=list)  # (component name, fn(data, focus, values, depth))
    properties: list = field(default_factory=list)  # property shapes (CShape)
    target_classes: list = field(default_factory=list)
    pred: Any = None  # the IRI of a predicate path
    plan: list = field(default_factory=list)  # (name, fn, is sh:closed, result on no value, ...): _make_plan
    calls: list = field(default_factory=list)  # the plan but sh:minCount and sh:maxCount: (name, fn, is sh:closed)
    min_count: int = -1  # sh:minCount (-1: none)
    max_count: float = float("inf")  # sh:maxCount


@dataclass
class CompiledShapes:
    node_shapes: list[CShape]
    all_shapes: dict


def english(g: Graph, node, predicate=SH.message) -> str:  # type: ignore[no-untyped-def]
    """The English message of ``node`` (else the first one), or ""."""
    msgs = list(g.objects(node, predicate))
    for m in msgs:
        if getattr(m, "language", None) == "en":
            return str(m)
    return str(sorted(msgs, key=str)[0]) if msgs else ""


def _node_shape_of(sg: Graph, shape, seen=None) -> Any:  # type: ignore[no-untyped-def]
    if (shape, RDF.type, SH.NodeShape) in sg:
        return shape
    seen = seen or set()
    for parent in sg.subjects(SH.property, shape):
        if parent not in seen:
            seen.add(parent)
            return _node_shape_of(sg, parent, seen)
    return shape


def compile_shapes(sg: Graph) -> CompiledShapes:
    """Compile every shape of ``sg`` (generically). Raises :class:`UnsupportedShaclFeature`."""
    all_shapes: dict = {}
    # shapes with targets are the roots; every shape must be checked for unsupported features
    for p in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target, SH.sparql, SH.rule,
              SH.deactivated, SH.shapesGraph, SH.declare, SH.prefixes, SH.entailment):
        t = next(iter(sg.triples((None, p, None))), None)
        if t is not None:
            raise UnsupportedShaclFeature(str(p).rsplit("#", 1)[-1], t[0])
    for s in set(sg.subjects(RDF.type, SH.NodeShape)):
        if (s, RDF.type, RDFS.Class) in sg or (s, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")) in sg:
            raise UnsupportedShaclFeature("implicit class target (a shape that is also a class)", s)
    if any(True for _ in sg.triples((None, RDF.type, SH.PropertyShape))):
        pass  # fine: typed property shapes are reached through sh:property
    roots = sorted(set(sg.subjects(SH.targetClass, None)), key=str)
    nodes = [_compile(sg, r, all_shapes) for r in roots]
    for s in sorted(set(sg.subjects(RDF.type, SH.NodeShape)), key=str):
        if s not in all_shapes:
            _compile(sg, s, all_shapes)  # untargeted node shapes: still check what they use
    for sp in sorted(set(sg.objects(None, SH.property)), key=str):
        if sp not in all_shapes:
            _compile(sg, sp, all_shapes)
    for n in nodes:
        if n.path is not None:
            raise UnsupportedShaclFeature("targets on a property shape", n.node)
    for cs in all_shapes.values():
        _make_plan(cs)
    return CompiledShapes(nodes, all_shapes)


def _sh_params(sg: Graph, shape) -> dict:  # type: ignore[no-untyped-def]
    out: dict = {}
    for p, o in sg.predicate_objects(shape):
        if str(p).startswith(str(SH)):
            out.setdefault(p, []).append(o)
    return out


def _single(params: dict, p, where):  # type: ignore[no-untyped-def]
    vals = params.get(p, [])
    if len(vals) > 1:
        raise UnsupportedShaclFeature(f"several values of sh:{str(p).rsplit('#', 1)[-1]}", where)
    return vals[0] if vals else None


def _compile(sg: Graph, shape, all_shapes: dict) -> CShape:  # type: ignore[no-untyped-def]
    if shape in all_shapes:
        return all_shapes[shape]
    params = _sh_params(sg, shape)
    for p in params:
        if p not in _PARAMS and p not in _NON_VALIDATING:
            raise UnsupportedShaclFeature("sh:" + str(p).rsplit("#", 1)[-1], shape)
    path_node = _single(params, SH.path, shape)
    path = _compile_path(sg, path_node, shape) if path_node is not None else None
    sev = _single(params, SH.severity, shape)
    cs = CShape(node=shape, path=path, path_str=path_to_string(sg, path_node),
                severity=str(sev or SH.Violation).rsplit("#", 1)[-1], message=english(sg, shape),
                owner=str(_node_shape_of(sg, shape)),
                target_classes=[_canonical(c) for c in params.get(SH.targetClass, [])])
    all_shapes[shape] = cs  # before recursion (recursive shapes)

    def sub(n) -> CShape:  # type: ignore[no-untyped-def]
        return _compile(sg, n, all_shapes)

    def lst(n) -> list:  # type: ignore[no-untyped-def]
        if n != RDF.nil and (n, RDF.first, None) not in sg:
            raise UnsupportedShaclFeature("a constraint list that is not an RDF list", shape)
        return list(Collection(sg, n))

    checks = cs.checks
    for ps in params.get(SH.property, []):
        cs.properties.append(sub(ps))
    for c in params.get(SH["class"], []):
        checks.append(("class", _check_class(_canonical(c))))
    for d in params.get(SH.datatype, []):
        checks.append(("datatype", _check_datatype(_canonical(d))))
    for k in params.get(SH.nodeKind, []):
        if k not in _NODE_KINDS:
            raise UnsupportedShaclFeature(f"sh:nodeKind {k}", shape)
        checks.append(("nodeKind", _check_node_kind(k)))
    mn = _single(params, SH.minCount, shape)
    if mn is not None:
        if path is None:
            raise UnsupportedShaclFeature("sh:minCount on a node shape", shape)
        checks.append(("minCount", _check_min_count(int(mn))))
    mx = _single(params, SH.maxCount, shape)
    if mx is not None:
        if path is None:
            raise UnsupportedShaclFeature("sh:maxCount on a node shape", shape)
        checks.append(("maxCount", _check_max_count(int(mx))))
    for v in params.get(SH.minInclusive, []):
        checks.append(("minInclusive", _check_range(v, lambda c: c >= 0)))
    for v in params.get(SH.maxInclusive, []):
        checks.append(("maxInclusive", _check_range(v, lambda c: c <= 0)))
    for v in params.get(SH.minLength, []):
        checks.append(("minLength", _check_min_length(int(v))))
    if SH.pattern in params:
        for pat in params[SH.pattern]:
            checks.append(("pattern", _check_pattern(re.compile(str(pat)))))
    for li in params.get(SH.languageIn, []):
        checks.append(("languageIn", _check_language_in([str(x).lower() for x in lst(li)])))
    for u in params.get(SH.uniqueLang, []):
        if path is None:
            raise UnsupportedShaclFeature("sh:uniqueLang on a node shape", shape)
        if bool(u.toPython()) if isinstance(u, Literal) else False:
            checks.append(("uniqueLang", _check_unique_lang))
    for other in params.get(SH.lessThanOrEquals, []):
        if path is None:
            raise UnsupportedShaclFeature("sh:lessThanOrEquals on a node shape", shape)
        if not isinstance(other, URIRef):
            raise UnsupportedShaclFeature("sh:lessThanOrEquals with a complex path", shape)
        checks.append(("lessThanOrEquals", _check_ltoe(_canonical(other))))
    for o in params.get(SH["or"], []):
        checks.append(("or", _check_or([sub(x) for x in lst(o)])))
    for o in params.get(SH.xone, []):
        checks.append(("xone", _check_xone([sub(x) for x in lst(o)])))
    for o in params.get(SH.node, []):
        checks.append(("node", _check_node(sub(o))))
    if SH.qualifiedValueShape in params:
        if path is None:
            raise UnsupportedShaclFeature("sh:qualifiedValueShape on a node shape", shape)
        qvs = _single(params, SH.qualifiedValueShape, shape)
        qmin = _single(params, SH.qualifiedMinCount, shape)
        if qmin is None:
            raise UnsupportedShaclFeature("sh:qualifiedValueShape without sh:qualifiedMinCount", shape)
        checks.append(("qualifiedMinCount", _check_qualified_min(sub(qvs), int(qmin))))
    elif SH.qualifiedMinCount in params:
        raise UnsupportedShaclFeature("sh:qualifiedMinCount without sh:qualifiedValueShape", shape)
    for hv in params.get(SH.hasValue, []):
        checks.append(("hasValue", _check_has_value(_canonical(hv), path is not None)))
    for i in params.get(SH["in"], []):
        checks.append(("in", _check_in(frozenset(_canonical(x) for x in lst(i)))))
    closed = _single(params, SH.closed, shape)
    if closed is not None and bool(closed.toPython()):
        ignored = set()
        for ig in params.get(SH.ignoredProperties, []):
            ignored.update(_canonical(x) for x in lst(ig))
        checks.append(("closed", _Closed(cs, ignored)))
    elif SH.ignoredProperties in params and closed is None:
        pass  # sh:ignoredProperties alone has no effect
    return cs


# --------------------------------------------------------------------------- checks
# A check is fn(data, focus, values, depth) -> the offending value nodes (None for a
# focus-level result, a (path, value) pair for sh:closed), one result each; a falsy value when
# there is none. ``depth`` is the nesting depth of sh:or, sh:xone, sh:node and
# sh:qualifiedValueShape. ``values`` is any sized iterable; checks never change it. The index
# is ready (``DataIndex._ready``) and ``DataIndex._begin`` has run.

_NONE_ON_EMPTY, _ONE_ON_EMPTY, _CALL_ON_EMPTY = 0, 1, 2  # what a check gives for no value node


def _on_empty(fn, what: int):  # type: ignore[no-untyped-def]
    fn.on_empty = what
    return fn


def _classes_of(data: DataIndex, node):  # type: ignore[no-untyped-def]
    """Every class ``node`` is an instance of (its rdf:types and their superclasses); none for a
    literal. Memoised per validation, and with the base index for the nodes only the base states
    something about (when the data states no rdfs:subClassOf triple: see _begin)."""
    shared = data._base_classes
    if shared is not None and node in data._bspo and node not in data.spo:
        out = shared.get(node)
        if out is None:
            out = shared[node] = _classes_of_now(data, node)
    else:
        out = _classes_of_now(data, node)
    data._classes[node] = out
    return out


def _classes_of_now(data: DataIndex, node):  # type: ignore[no-untyped-def]
    if _is_literal(node):
        out = frozenset()
    else:
        types = _objects(data, node, _TYPE)
        if not types:
            out = frozenset()
        elif len(types) == 1:
            out = _superclasses(data, types[0])
        else:
            out = frozenset().union(*[_superclasses(data, t) for t in types])
    return out


def _superclasses(data: DataIndex, cls):  # type: ignore[no-untyped-def]
    """``cls`` and its superclasses (rdfs:subClassOf, transitively)."""
    cache = data._supers
    out = cache.get(cls)
    if out is None:
        seen: set = set()
        todo = [cls]
        while todo:
            t = todo.pop()
            if t in seen:
                continue
            seen.add(t)
            todo.extend(_objects(data, t, _SUBCLASS))
        out = cache[cls] = frozenset(seen)
    return out


def _each_value(ok, *, in_context: bool = False):  # type: ignore[no-untyped-def]
    """A check that reports every value ``ok(v)`` (``ok(v, data, depth)`` ``in_context``)
    rejects (none when there are no values)."""
    def f(data, focus, values, depth=0):  # type: ignore[no-untyped-def]
        bad = None
        for v in values:
            if not (ok(v, data, depth) if in_context else ok(v)):
                if bad is None:
                    bad = [v]
                else:
                    bad.append(v)
        return bad
    return _on_empty(f, _NONE_ON_EMPTY)


def _check_class(cls):  # type: ignore[no-untyped-def]
    def ok(v, data, depth) -> bool:  # type: ignore[no-untyped-def]
        s = data._classes.get(v)
        if s is None:
            s = _classes_of(data, v)
        return cls in s
    return _each_value(ok, in_context=True)


_PYTHON_TYPE = {XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
                XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime}


def _check_datatype(dt):  # type: ignore[no-untyped-def]
    kind = _PYTHON_TYPE.get(dt)  # the Python type the value must have (as pySHACL checks), if any
    dt_is_iri = type(dt) is URIRef  # then ``vdt == dt`` is: the same type, the same string
    is_rdfs_literal = dt == RDFS.Literal
    is_rdfs_datatype = dt == RDFS.Datatype
    is_xsd_string = dt == XSD.string
    is_lang_string = dt == RDF.langString

    def ok(v) -> bool:  # type: ignore[no-untyped-def]
        if type(v) is not Literal and not _is_literal(v):
            return False
        vdt = v.datatype
        if (vdt is dt or (type(vdt) is URIRef and str.__eq__(vdt, dt))) if dt_is_iri else vdt == dt:
            if getattr(v, "ill_typed", None) is True:
                return False
            return kind is None or isinstance(v.value, kind)
        if is_rdfs_literal:
            return True
        if is_rdfs_datatype and vdt:
            return True
        if vdt is None and v.language is None and is_xsd_string:
            return kind is None or isinstance(v.value, kind)
        if is_lang_string and v.language:
            return kind is None or isinstance(v.value, kind)
        return False

    return _each_value(ok)


def _check_node_kind(kind):  # type: ignore[no-untyped-def]
    allowed = {
        SH.IRI: (URIRef,), SH.BlankNode: (BNode,), SH.Literal: (Literal,),
        SH.BlankNodeOrIRI: (BNode, URIRef), SH.BlankNodeOrLiteral: (BNode, Literal),
        SH.IRIOrLiteral: (URIRef, Literal),
    }[kind]
    return _each_value(_type_test(allowed))


_CALL, _MIN_COUNT, _MAX_COUNT = 0, 1, 2  # how validation runs a check: calls it, or counts inline


def _check_min_count(n: int):  # type: ignore[no-untyped-def]
    def f(data, focus, values, depth):  # type: ignore[no-untyped-def]
        return [None] if len(values) < n else None
    f.count = (_MIN_COUNT, n)
    return _on_empty(f, _ONE_ON_EMPTY if 0 < n else _NONE_ON_EMPTY)


def _check_max_count(n: int):  # type: ignore[no-untyped-def]
    def f(data, focus, values, depth):  # type: ignore[no-untyped-def]
        return [None] if len(values) > n else None
    f.count = (_MAX_COUNT, n)
    return _on_empty(f, _ONE_ON_EMPTY if 0 > n else _NONE_ON_EMPTY)


def _compare_literal(l1: Literal, l2: Literal) -> int:
    """pySHACL's ordering of two literals (raises TypeError when they do not compare)."""
    if l1.eq(l2):
        return 0
    if l1.value.__class__ in (datetime, time):
        if l1.value == l2.value:
            return 0
        elif l1.value > l2.value:
            return 1
    elif l1 > l2:
        return 1
    return -1


def _int_value(t):  # type: ignore[no-untyped-def]
    """The int by which rdflib orders and compares literal ``t`` with another such literal (its
    numeric shortcut: a numeric datatype, well typed, an int value), else None."""
    v = t.value
    if type(v) is int and t.datatype in _NUMERIC_DATATYPES and not t.ill_typed:
        return v
    return None


try:
    from rdflib.term import _NUMERIC_LITERAL_TYPES

    _NUMERIC_DATATYPES = frozenset(_NUMERIC_LITERAL_TYPES)
except ImportError:  # pragma: no cover - another rdflib: no shortcut, rdflib compares
    _NUMERIC_DATATYPES = frozenset()


def _shortcut_is_rdflibs() -> bool:
    """Whether rdflib still compares such literals as their ints (else: no shortcut)."""
    nni = URIRef(str(XSD.nonNegativeInteger))
    samples = [Literal(1), Literal(2), Literal(-3), Literal("2", datatype=nni), Literal("07", datatype=XSD.integer)]
    for a in samples:
        for b in samples:
            x, y = _int_value(a), _int_value(b)
            if x is None or y is None or (a <= b) != (x <= y) or bool(a.eq(b)) != (x == y) or (a > b) != (x > y):
                return False
    return True


if not _shortcut_is_rdflibs():  # pragma: no cover
    _NUMERIC_DATATYPES = frozenset()


def _check_range(bound: Literal, ok_cmp: Callable[[int], bool]):  # type: ignore[no-untyped-def]
    bound_is_string = isinstance(bound.value, str)
    bound_int = _int_value(bound)

    def ok(v) -> bool:  # type: ignore[no-untyped-def]
        if not isinstance(v, Literal):
            return False
        v_is_string = isinstance(v.value, str)
        if bound_is_string != v_is_string:
            return False
        if bound_int is not None:
            i = _int_value(v)
            if i is not None:  # as _compare_literal (rdflib's numeric shortcut)
                return ok_cmp(0 if i == bound_int else 1 if i > bound_int else -1)
        try:
            return ok_cmp(_compare_literal(v, bound))
        except (TypeError, NotImplementedError):
            return False

    return _each_value(ok)


def _check_min_length(n: int):  # type: ignore[no-untyped-def]
    return _each_value(lambda v: n == 0 or not (_is_bnode(v) or len(str(v)) < n))


def _check_pattern(rx: re.Pattern):  # type: ignore[no-untyped-def]
    search = rx.search
    return _each_value(lambda v: not _is_bnode(v) and search(str(v)) is not None)


def _check_language_in(langs: list[str]):  # type: ignore[no-untyped-def]
    wildcard = "*" in langs
    need = set(langs)

    def ok(v) -> bool:  # type: ignore[no-untyped-def]
        if not _is_literal(v) or not v.language:
            return False
        lang = str(v.language)
        return wildcard or lang.lower() in need or lang.split("-")[0].lower() in need

    return _each_value(ok)


def _check_unique_lang(data, focus, values, depth):  # type: ignore[no-untyped-def]
    if len(values) < 2:
        return None
    found: set = set()
    dups: set = set()
    for v in values:
        if _is_literal(v) and v.language:
            low = str(v.language).lower()
            if low in found:
                dups.add(low)
            else:
                found.add(low)
    return [None] * len(dups)


_on_empty(_check_unique_lang, _NONE_ON_EMPTY)


def _comparable(t):  # type: ignore[no-untyped-def]
    """A term as sh:lessThanOrEquals compares it: (value, whether it compares as a string, the
    int rdflib compares a literal by or None)."""
    if type(t) is Literal:
        v = t.value
        return (v, True, None) if isinstance(v, str) else (t, False, _int_value(t))
    if _is_bnode(t):
        raise UnsupportedShaclFeature("sh:lessThanOrEquals on a blank node")
    if _is_iri(t):
        return str(t), True, None
    if _is_literal(t):
        if isinstance(t.value, str):
            return t.value, True, None
        return t, False, _int_value(t)
    return t, False, None


def _check_ltoe(other):  # type: ignore[no-untyped-def]
    def f(data, focus, values, depth):  # type: ignore[no-untyped-def]
        out = []
        compare = [_comparable(c) for c in _objects(data, focus, other)]
        for v in values:
            vv, v_str, vi = _comparable(v)
            for cc, c_str, ci in compare:
                if v_str != c_str:
                    out.append(v)
                elif vi is not None and ci is not None:  # two such literals: rdflib's <= is the ints'
                    if not vi <= ci:
                        out.append(v)
                elif not vv <= cc:
                    out.append(v)
        return out
    return _on_empty(f, _CALL_ON_EMPTY)  # it reads the other values (and may raise) first


def _values(shape: CShape, data: DataIndex, focus):  # type: ignore[no-untyped-def]
    """The value nodes of ``shape`` at ``focus`` (a list or, for a predicate path, possibly the
    index's own dict of values: read only)."""
    pred = shape.pred
    if pred is not None:
        d = data.spo.get(focus)
        mine = d.get(pred) if d else None
        b = data._bspo.get(focus)
        if b:
            theirs = b.get(pred)
            if theirs is not None:
                return _join(theirs, mine)
        return () if mine is None else mine if type(mine) is dict else (mine,)
    if shape.path is None:
        return (focus,)
    return _path_values(shape.path, data, focus)


def conforms(shape: CShape, data: DataIndex, node, depth: int = 0) -> bool:  # type: ignore[no-untyped-def]
    """Whether ``node`` conforms to ``shape`` (as a nested shape: any result means no)."""
    data._ready()
    return _conforms(shape, data, node, depth)


def _conforms(shape: CShape, data: DataIndex, node, depth: int = 0) -> bool:  # type: ignore[no-untyped-def]
    if depth > 64:
        raise UnsupportedShaclFeature("recursive shapes")
    values = _values(shape, data, node)
    if values:
        n = len(values)
        if n < shape.min_count or n > shape.max_count:  # a result, unless a check before it raises
            for _, chk, _, _, _, _ in shape.plan:
                if chk(data, node, values, depth + 1):
                    return False
        for _, chk, _ in shape.calls:
            if chk(data, node, values, depth + 1):
                return False
        for ps in shape.properties:
            for v in values:
                if not _conforms(ps, data, v, depth + 1):
                    return False
        return True
    for _, chk, _, on_empty, _, _ in shape.plan:
        if on_empty == _ONE_ON_EMPTY or (on_empty == _CALL_ON_EMPTY and chk(data, node, values, depth + 1)):
            return False
    return True


def _check_or(members: list[CShape]):  # type: ignore[no-untyped-def]
    def ok(v, data, depth) -> bool:  # type: ignore[no-untyped-def]
        for m in members:  # any(...)
            if _conforms(m, data, v, depth):
                return True
        return False
    return _each_value(ok, in_context=True)


def _check_xone(members: list[CShape]):  # type: ignore[no-untyped-def]
    def f(data, focus, values, depth=0):  # type: ignore[no-untyped-def]
        return [v for v in values if sum(1 for m in members if _conforms(m, data, v, depth)) != 1]
    return _on_empty(f, _NONE_ON_EMPTY)


def _check_node(other: CShape):  # type: ignore[no-untyped-def]
    return _each_value(lambda v, data, depth: _conforms(other, data, v, depth), in_context=True)


def _check_qualified_min(other: CShape, n: int):  # type: ignore[no-untyped-def]
    def f(data, focus, values, depth=0):  # type: ignore[no-untyped-def]
        count = sum(1 for v in values if _conforms(other, data, v, depth))
        return [None] if count < n else None
    return _on_empty(f, _ONE_ON_EMPTY if 0 < n else _NONE_ON_EMPTY)


def _check_has_value(hv, on_path: bool):  # type: ignore[no-untyped-def]
    def f(data, focus, values, depth):  # type: ignore[no-untyped-def]
        return None if hv in values else [None]
    return _on_empty(f, _ONE_ON_EMPTY)


def _check_in(allowed: frozenset):  # type: ignore[no-untyped-def]
    return _each_value(allowed.__contains__)


class _Closed:
    """sh:closed: every (predicate, object) of a value node whose predicate is neither ignored nor
    the (IRI) path of one of the shape's property shapes."""

    on_empty = _NONE_ON_EMPTY

    def __init__(self, shape: CShape, ignored: set) -> None:
        self.shape = shape
        self.ignored = ignored
        self._allowed: frozenset | None = None

    def allowed(self) -> set:
        return {p.path.pred for p in self.shape.properties if p.path is not None and p.path.kind == "pred"}

    def offending(self, data: DataIndex, values) -> list:  # type: ignore[no-untyped-def]
        data._ready()
        return self(data, None, values, 0)

    def __call__(self, data, focus, values, depth) -> list:  # type: ignore[no-untyped-def]
        allowed = self._allowed
        if allowed is None:
            allowed = self._allowed = frozenset(self.allowed() | self.ignored)
        out = []
        bspo, spo = data._bspo, data.spo
        for v in values:
            for d in (bspo.get(v), spo.get(v)):
                if not d:
                    continue
                for p, os in d.items():
                    if p in allowed:
                        continue
                    if p == _TYPE:
                        out.extend((p, o) for o in _vals(os) if not o == _RESOURCE)
                    else:
                        out.extend((p, o) for o in _vals(os))
        return out


def _make_plan(cs: CShape) -> None:
    """What validating ``cs`` runs: (name, fn, whether it is sh:closed, what it gives for no value,
    how it is run: _CALL, or _MIN_COUNT / _MAX_COUNT inline with the bound)."""
    cs.pred = cs.path.pred if cs.path is not None and cs.path.kind == "pred" else None
    cs.plan = [(name, chk, isinstance(chk, _Closed), chk.on_empty, *getattr(chk, "count", (_CALL, 0)))
               for name, chk in cs.checks]
    cs.calls = [(name, chk, closed) for name, chk, closed, _, how, _ in cs.plan if how == _CALL]
    for _, _, _, _, how, bound in cs.plan:
        if how == _MIN_COUNT:
            cs.min_count = max(cs.min_count, bound)
        elif how == _MAX_COUNT:
            cs.max_count = min(cs.max_count, bound)


# --------------------------------------------------------------------------- validation


@dataclass
class RawResult:
    shape: str  # the node shape (owner)
    source: Any  # the shape that reported it
    focus: Any
    path: str | None
    value: Any
    component: str
    message: str
    severity: str


def _validate_shape(shape: CShape, data: DataIndex, focus, out: list) -> None:  # type: ignore[no-untyped-def]
    values = _values(shape, data, focus)
    if not values:
        _validate_no_value(shape, data, focus, out)
        return
    n = len(values)
    if n < shape.min_count or n > shape.max_count:
        _validate_plan(shape, data, focus, values, out)
    else:  # no count result: the other checks, in their order
        for name, chk, closed in shape.calls:
            bad = chk(data, focus, values, 0)
            if bad:
                _report(shape, focus, name, closed, bad, out)
    for ps in shape.properties:  # (a node shape's one value node is its focus node)
        for v in values:
            _validate_shape(ps, data, v, out)


def _validate_plan(shape: CShape, data: DataIndex, focus, values, out: list) -> None:  # type: ignore[no-untyped-def]
    """Every check of ``shape`` on (non-empty) ``values``, in order."""
    n = len(values)
    for name, chk, closed, _, how, bound in shape.plan:
        if how == _CALL:
            bad = chk(data, focus, values, 0)
            if bad:
                _report(shape, focus, name, closed, bad, out)
        elif n < bound if how == _MIN_COUNT else n > bound:
            _report(shape, focus, name, False, (None,), out)


def _validate_no_value(shape: CShape, data: DataIndex, focus, out: list) -> None:  # type: ignore[no-untyped-def]
    """_validate_shape when the shape has no value node at ``focus``."""
    for name, chk, closed, on_empty, _, _ in shape.plan:
        if on_empty == _ONE_ON_EMPTY:
            _report(shape, focus, name, closed, (None,), out)
        elif on_empty == _CALL_ON_EMPTY:
            bad = chk(data, focus, (), 0)
            if bad:
                _report(shape, focus, name, closed, bad, out)


def _report(shape: CShape, focus, name: str, closed: bool, bad, out: list) -> None:  # type: ignore[no-untyped-def]
    if closed:
        for p, o in bad:
            out.append(RawResult(shape.owner, shape.node, focus, str(p), o, name, shape.message, shape.severity))
    else:
        for v in bad:
            out.append(RawResult(shape.owner, shape.node, focus, shape.path_str, v, name, shape.message,
                                 shape.severity))


def _class_walk(data: DataIndex, cls) -> list:  # type: ignore[no-untyped-def]
    """The classes whose instances ``sh:targetClass cls`` targets: it and its subclasses, in
    the order they are visited."""
    walk = data._walks.get(cls)
    if walk is None:
        walk = []
        classes = [cls]
        seen = {cls}
        while classes:
            c = classes.pop()
            walk.append(c)
            for sub in _subjects(data, _SUBCLASS, c):
                if sub not in seen:
                    seen.add(sub)
                    classes.append(sub)
        data._walks[cls] = walk
    return walk


def focus_nodes(shape: CShape, data: DataIndex) -> list:  # type: ignore[no-untyped-def]
    data._ready()
    return _focus_nodes(shape, data)


def _focus_nodes(shape: CShape, data: DataIndex) -> list:  # type: ignore[no-untyped-def]
    out: dict = {}
    for cls in shape.target_classes:
        for c in _class_walk(data, cls):
            for s in _subjects(data, _TYPE, c):
                out[s] = None
    return list(out)


def _own_focus_nodes(shape: CShape, data: DataIndex) -> Iterable:  # type: ignore[no-untyped-def]
    """The focus nodes of :func:`focus_nodes` that ``data`` itself states something about, in
    the same order. An instance the base index alone types is one only when it is among
    ``data._both``; an instance typed by ``data`` is always one."""
    out: dict = {}
    both = data._both
    ops, bops = data.ops, data._bops
    for cls in shape.target_classes:
        for c in _class_walk(data, cls):
            if both:
                d = bops.get(c)
                if d:
                    theirs = d.get(_TYPE)
                    if theirs is not None:
                        for s in _vals(theirs):
                            if s in both:
                                out[s] = None
            if data._lits and _is_literal(c):
                data._flush_literals()
            d = ops.get(c)
            if d:
                mine = d.get(_TYPE)
                if mine is not None:
                    if type(mine) is dict:
                        out.update(mine)
                    else:
                        out[mine] = None
    return out


def validate_index(compiled: CompiledShapes, data: DataIndex, *, own_nodes_only: bool = False) -> list[RawResult]:
    """Every result of the shapes over ``data``. ``own_nodes_only``: only focus nodes ``data``
    itself states something about, not those of its ``base`` index alone (exact when the base
    alone has no result and no shape reaches a base node from the data: see
    ``mandates.validate.document.reachable_is_exact``)."""
    out: list[RawResult] = []
    data._ready()
    data._begin(own_nodes_only)
    for shape in compiled.node_shapes:
        for f in (_own_focus_nodes(shape, data) if own_nodes_only else _focus_nodes(shape, data)):
            _validate_shape(shape, data, f, out)
    return out
