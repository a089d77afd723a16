"""A fast SHACL Core validator for bulk builds; pySHACL (``ingest.validate.validate``) stays the
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
every corpus document; :func:`engine_matches_reference` repeats the fixture check at run time.

Many documents may be validated together (one N-Quads text): results carry their focus node,
so a caller splits them by document (:func:`results_by_graph`).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

__all__ = ["UnsupportedShaclFeature", "CompiledShapes", "compile_shapes", "DataIndex", "validate_index",
           "path_to_string", "SUPPORTED"]


class UnsupportedShaclFeature(ValueError):
    """The shapes graph uses a SHACL feature this engine does not implement: use pySHACL."""

    def __init__(self, feature: str, where: Any = None) -> None:
        msg = f"unsupported SHACL feature {feature}"
        if where is not None:
            msg += f" (in shape {where})"
        super().__init__(msg + "; validate with pySHACL (ingest.validate.validate)")
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


class DataIndex:
    """Triples by subject and by object; an optional ``base`` index (the vocabulary, shared by
    every document) is read through, never copied."""

    __slots__ = ("spo", "ops", "base", "_triples")

    def __init__(self, base: "DataIndex | None" = None) -> None:
        self.spo: dict = {}
        self.ops: dict = {}
        self.base = base
        self._triples: set | None = set() if base is None else None

    def add(self, s, p, o) -> None:  # type: ignore[no-untyped-def]
        b = self.base
        if b is not None:
            if (s, p, o) in b._triples:  # type: ignore[operator]
                return
        if not _put(self.spo, s, p, o):
            return  # already there
        _put(self.ops, o, p, s)
        if self._triples is not None:
            self._triples.add((s, p, o))

    def __len__(self) -> int:
        return sum(len(v) for d in self.spo.values() for v in d.values())

    def objects(self, s, p) -> list:  # type: ignore[no-untyped-def]
        return _read(self.spo, None if self.base is None else self.base.spo, s, p)

    def subjects(self, p, o) -> list:  # type: ignore[no-untyped-def]
        return _read(self.ops, None if self.base is None else self.base.ops, o, p)

    def predicate_objects(self, s) -> Iterable:  # type: ignore[no-untyped-def]
        if self.base is not None:
            d = self.base.spo.get(s)
            if d:
                for p, os in d.items():
                    for o in os:
                        yield p, o
        d = self.spo.get(s)
        if d:
            for p, os in d.items():
                for o in os:
                    yield p, o


def _put(index: dict, node, p, value) -> bool:  # type: ignore[no-untyped-def]
    """Add ``value`` under ``node`` and ``p``; False if it was there."""
    d = index.get(node)
    if d is None:
        d = index[node] = {}
    lst = d.get(p)
    if lst is None:
        d[p] = [value]
    elif value in lst:
        return False
    else:
        lst.append(value)
    return True


def _read(mine_index: dict, base_index: dict | None, node, p) -> list:  # type: ignore[no-untyped-def]
    """The values under ``node`` and ``p`` in an index, the base index's first."""
    d = mine_index.get(node)
    mine = d.get(p, ()) if d else ()
    if base_index is None:
        return list(mine)
    d = base_index.get(node)
    theirs = d.get(p, ()) if d else ()
    return [*theirs, *mine] if theirs else list(mine)


# --------------------------------------------------------------------------- term conversion

_IRI_CACHE: dict = {}
_LIT_CACHE: dict = {}
_XSD_STRING = str(XSD.string)


def _iri(value: str) -> URIRef:
    u = _IRI_CACHE.get(value)
    if u is None:
        if len(_IRI_CACHE) > 500_000:
            _IRI_CACHE.clear()
        u = _IRI_CACHE[value] = URIRef(value)
    return u


def _to_rdflib(t):  # type: ignore[no-untyped-def]
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return _iri(t.value)
    if isinstance(t, ox.Literal):
        lang = t.language
        dt = t.datatype.value
        key = (t.value, dt, lang)
        lit = _LIT_CACHE.get(key)
        if lit is None:
            if len(_LIT_CACHE) > 500_000:
                _LIT_CACHE.clear()
            if lang:
                lit = Literal(t.value, lang=lang)
            elif dt == _XSD_STRING:  # rdflib reads "x" as a plain literal (no datatype)
                lit = Literal(t.value)
            else:
                lit = Literal(t.value, datatype=_iri(dt))
            _LIT_CACHE[key] = lit
        return lit
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    raise UnsupportedShaclFeature(f"RDF-star term {t!r}")


def index_text(text: str | bytes, *, base: DataIndex | None = None, fmt: str = "nquads") -> DataIndex:
    """Index N-Quads (or N-Triples, a subset) text, graph names dropped."""
    import pyoxigraph as ox

    idx = DataIndex(base)
    data = text.encode("utf-8") if isinstance(text, str) else text
    rdf_format = ox.RdfFormat.N_QUADS if fmt == "nquads" else ox.RdfFormat.TURTLE
    conv = _to_rdflib
    add = idx.add
    for q in ox.parse(data, format=rdf_format):
        add(conv(q.subject), conv(q.predicate), conv(q.object))
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
        return Path("pred", node)
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


def path_values(path: Path, data: DataIndex, focus) -> list:  # type: ignore[no-untyped-def]
    k = path.kind
    if k == "pred":
        return data.objects(focus, path.pred)
    if k == "inv":
        inner = path.parts[0]
        if inner.kind == "pred":
            return data.subjects(inner.pred, focus)
        return _inverse(inner, data, focus)
    if k == "seq":
        cur = [focus]
        for part in path.parts:
            nxt: dict = {}
            for n in cur:
                for v in path_values(part, data, n):
                    nxt[v] = None
            cur = list(nxt)
        return cur
    if k == "alt":
        out: dict = {}
        for part in path.parts:
            for v in path_values(part, data, focus):
                out[v] = None
        return list(out)
    if k == "plus":
        seen: dict = {}
        todo = path_values(path.parts[0], data, focus)
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen[n] = None
            todo.extend(path_values(path.parts[0], data, n))
        return list(seen)
    raise UnsupportedShaclFeature(f"path kind {k}")


def _inverse(path: Path, data: DataIndex, focus) -> list:  # type: ignore[no-untyped-def]
    """Values of ^path for a complex path."""
    k = path.kind
    if k == "pred":
        return data.subjects(path.pred, focus)
    if k == "inv":
        return path_values(path.parts[0], data, focus)
    if k == "seq":
        return path_values(Path("seq", parts=tuple(Path("inv", parts=(p,)) for p in reversed(path.parts))),
                           data, focus)
    if k == "alt":
        return path_values(Path("alt", parts=tuple(Path("inv", parts=(p,)) for p in path.parts)), data, focus)
    if k == "plus":
        return path_values(Path("plus", parts=(Path("inv", parts=path.parts),)), data, focus)
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
    checks: list = field(default_factory=list)  # (component name, fn(data, focus, values, report))
    properties: list = field(default_factory=list)  # property shapes (CShape)
    target_classes: list = field(default_factory=list)


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
                target_classes=list(params.get(SH.targetClass, [])))
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
        checks.append(("class", _check_class(c)))
    for d in params.get(SH.datatype, []):
        checks.append(("datatype", _check_datatype(d)))
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
        checks.append(("lessThanOrEquals", _check_ltoe(other)))
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
        checks.append(("hasValue", _check_has_value(hv, path is not None)))
    for i in params.get(SH["in"], []):
        checks.append(("in", _check_in(frozenset(lst(i)))))
    closed = _single(params, SH.closed, shape)
    if closed is not None and bool(closed.toPython()):
        ignored = set()
        for ig in params.get(SH.ignoredProperties, []):
            ignored.update(lst(ig))
        checks.append(("closed", _Closed(cs, ignored)))
    elif SH.ignoredProperties in params and closed is None:
        pass  # sh:ignoredProperties alone has no effect
    return cs


# --------------------------------------------------------------------------- checks
# A check is fn(data, focus, values) -> list of offending value nodes (None for a focus-level
# result, a (path, value) pair for sh:closed): one result each.


def _is_instance(data: DataIndex, node, cls) -> bool:  # type: ignore[no-untyped-def]
    if isinstance(node, Literal):
        return False
    types = data.objects(node, RDF.type)
    if not types:
        return False
    if cls in types:
        return True
    seen = set()
    todo = list(types)
    while todo:
        t = todo.pop()
        if t in seen:
            continue
        seen.add(t)
        for sup in data.objects(t, RDFS.subClassOf):
            if sup == cls:
                return True
            todo.append(sup)
    return False


def _check_class(cls):  # type: ignore[no-untyped-def]
    def f(data, focus, values):  # type: ignore[no-untyped-def]
        return [v for v in values if not _is_instance(data, v, cls)]
    return f


_PYTHON_TYPE = {XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
                XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime}


def _assert_actual(v: Literal, dt) -> bool:  # type: ignore[no-untyped-def]
    """Whether the literal's value is of the Python type its datatype parses to (as pySHACL checks)."""
    kind = _PYTHON_TYPE.get(dt)
    return kind is None or isinstance(v.value, kind)


def _check_datatype(dt):  # type: ignore[no-untyped-def]
    def ok(v) -> bool:  # type: ignore[no-untyped-def]
        if not isinstance(v, Literal):
            return False
        if v.datatype == dt:
            if getattr(v, "ill_typed", None) is True:
                return False
            return _assert_actual(v, dt)
        if dt == RDFS.Literal:
            return True
        if dt == RDFS.Datatype and v.datatype:
            return True
        if v.datatype is None and v.language is None and dt == XSD.string:
            return _assert_actual(v, dt)
        if dt == RDF.langString and v.language:
            return _assert_actual(v, dt)
        return False

    def f(data, focus, values):  # type: ignore[no-untyped-def]
        return [v for v in values if not ok(v)]
    return f


def _check_node_kind(kind):  # type: ignore[no-untyped-def]
    allowed = {
        SH.IRI: (URIRef,), SH.BlankNode: (BNode,), SH.Literal: (Literal,),
        SH.BlankNodeOrIRI: (BNode, URIRef), SH.BlankNodeOrLiteral: (BNode, Literal),
        SH.IRIOrLiteral: (URIRef, Literal),
    }[kind]

    def f(data, focus, values):  # type: ignore[no-untyped-def]
        return [v for v in values if not isinstance(v, allowed)]
    return f


def _check_min_count(n: int):  # type: ignore[no-untyped-def]
    def f(data, focus, values):  # type: ignore[no-untyped-def]
        return [None] if len(values) < n else []
    return f


def _check_max_count(n: int):  # type: ignore[no-untyped-def]
    def f(data, focus, values):  # type: ignore[no-untyped-def]
        return [None] if len(values) > n else []
    return f


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


def _check_range(bound: Literal, ok_cmp: Callable[[int], bool]):  # type: ignore[no-untyped-def]
    bound_is_string = isinstance(bound.value, str)

    def ok(v) -> bool:  # type: ignore[no-untyped-def]
        if not isinstance(v, Literal):
            return False
        v_is_string = isinstance(v.value, str)
        if bound_is_string != v_is_string:
            return False
        try:
            return ok_cmp(_compare_literal(v, bound))
        except (TypeError, NotImplementedError):
            return False

    def f(data, focus, values):  # type: ignore[no-untyped-def]
        return [v for v in values if not ok(v)]
    return f


def _check_min_length(n: int):  # type: ignore[no-untyped-def]
    def f(data, focus, values):  # type: ignore[no-untyped-def]
        if n == 0:
            return []
        return [v for v in values if isinstance(v, BNode) or len(str(v)) < n]
    return f


def _check_pattern(rx: re.Pattern):  # type: ignore[no-untyped-def]
    def f(data, focus, values):  # type: ignore[no-untyped-def]
        return [v for v in values if isinstance(v, BNode) or not rx.search(str(v))]
    return f


def _check_language_in(langs: list[str]):  # type: ignore[no-untyped-def]
    wildcard = "*" in langs
    need = set(langs)

    def ok(v) -> bool:  # type: ignore[no-untyped-def]
        if not isinstance(v, Literal) or not v.language:
            return False
        lang = str(v.language)
        return wildcard or lang.lower() in need or lang.split("-")[0].lower() in need

    def f(data, focus, values):  # type: ignore[no-untyped-def]
        return [v for v in values if not ok(v)]
    return f


def _check_unique_lang(data, focus, values):  # type: ignore[no-untyped-def]
    found: set = set()
    dups: set = set()
    for v in values:
        if isinstance(v, Literal) and v.language:
            low = str(v.language).lower()
            if low in found:
                dups.add(low)
            else:
                found.add(low)
    return [None] * len(dups)


def _comparable(t):  # type: ignore[no-untyped-def]
    """A term as sh:lessThanOrEquals compares it: (value, whether it compares as a string)."""
    if isinstance(t, BNode):
        raise UnsupportedShaclFeature("sh:lessThanOrEquals on a blank node")
    if isinstance(t, URIRef):
        return str(t), True
    if isinstance(t, Literal) and isinstance(t.value, str):
        return t.value, True
    return t, False


def _check_ltoe(other):  # type: ignore[no-untyped-def]
    def f(data, focus, values):  # type: ignore[no-untyped-def]
        out = []
        compare = [_comparable(c) for c in data.objects(focus, other)]
        for v in values:
            vv, v_str = _comparable(v)
            for cc, c_str in compare:
                if v_str != c_str or not vv <= cc:
                    out.append(v)
        return out
    return f


def conforms(shape: CShape, data: DataIndex, node, depth: int = 0) -> bool:  # type: ignore[no-untyped-def]
    """Whether ``node`` conforms to ``shape`` (as a nested shape: any result means no)."""
    if depth > 64:
        raise UnsupportedShaclFeature("recursive shapes")
    values = path_values(shape.path, data, node) if shape.path is not None else [node]
    for _, chk in shape.checks:
        if isinstance(chk, _Closed):
            if chk.offending(data, values):
                return False
        elif chk(data, node, values, depth + 1) if getattr(chk, "nested", False) else chk(data, node, values):
            return False
    for ps in shape.properties:
        for v in values:
            if not conforms(ps, data, v, depth + 1):
                return False
    return True


def _nested(fn):  # type: ignore[no-untyped-def]
    fn.nested = True
    return fn


def _check_or(members: list[CShape]):  # type: ignore[no-untyped-def]
    @_nested
    def f(data, focus, values, depth=0):  # type: ignore[no-untyped-def]
        return [v for v in values if not any(conforms(m, data, v, depth) for m in members)]
    return f


def _check_xone(members: list[CShape]):  # type: ignore[no-untyped-def]
    @_nested
    def f(data, focus, values, depth=0):  # type: ignore[no-untyped-def]
        return [v for v in values if sum(1 for m in members if conforms(m, data, v, depth)) != 1]
    return f


def _check_node(other: CShape):  # type: ignore[no-untyped-def]
    @_nested
    def f(data, focus, values, depth=0):  # type: ignore[no-untyped-def]
        return [v for v in values if not conforms(other, data, v, depth)]
    return f


def _check_qualified_min(other: CShape, n: int):  # type: ignore[no-untyped-def]
    @_nested
    def f(data, focus, values, depth=0):  # type: ignore[no-untyped-def]
        count = sum(1 for v in values if conforms(other, data, v, depth))
        return [None] if count < n else []
    return f


def _check_has_value(hv, on_path: bool):  # type: ignore[no-untyped-def]
    def f(data, focus, values):  # type: ignore[no-untyped-def]
        return [] if hv in values else [None]
    return f


def _check_in(allowed: frozenset):  # type: ignore[no-untyped-def]
    def f(data, focus, values):  # type: ignore[no-untyped-def]
        return [v for v in values if v not in allowed]
    return f


class _Closed:
    """sh:closed: every (predicate, object) of a value node whose predicate is neither ignored nor
    the (IRI) path of one of the shape's property shapes."""

    nested = False

    def __init__(self, shape: CShape, ignored: set) -> None:
        self.shape = shape
        self.ignored = ignored

    def allowed(self) -> set:
        return {p.path.pred for p in self.shape.properties if p.path is not None and p.path.kind == "pred"}

    def offending(self, data: DataIndex, values: list) -> list:
        allowed = self.allowed() | self.ignored
        out = []
        for v in values:
            for p, o in data.predicate_objects(v):
                if p in allowed or (p == RDF.type and o == RDFS.Resource):
                    continue
                out.append((p, o))
        return out


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
    values = path_values(shape.path, data, focus) if shape.path is not None else [focus]
    for name, chk in shape.checks:
        if isinstance(chk, _Closed):
            for p, o in chk.offending(data, values):
                out.append(RawResult(shape.owner, shape.node, focus, str(p), o, name, shape.message, shape.severity))
            continue
        bad = chk(data, focus, values, 0) if getattr(chk, "nested", False) else chk(data, focus, values)
        for v in bad:
            out.append(RawResult(shape.owner, shape.node, focus, shape.path_str, v, name, shape.message,
                                 shape.severity))
    for ps in shape.properties:
        for v in values:
            _validate_shape(ps, data, v, out)


def focus_nodes(shape: CShape, data: DataIndex) -> list:  # type: ignore[no-untyped-def]
    out: dict = {}
    for cls in shape.target_classes:
        classes = [cls]
        seen = {cls}
        while classes:
            c = classes.pop()
            for s in data.subjects(RDF.type, c):
                out[s] = None
            for sub in data.subjects(RDFS.subClassOf, c):
                if sub not in seen:
                    seen.add(sub)
                    classes.append(sub)
    return list(out)


def validate_index(compiled: CompiledShapes, data: DataIndex, *, own_nodes_only: bool = False) -> list[RawResult]:
    """Every result of the shapes over ``data``. ``own_nodes_only``: only focus nodes ``data``
    itself states something about, not those of its ``base`` index alone (exact when the base
    alone has no result and no shape reaches a base node from the data: see
    ``ingest.workers.reachable_is_exact``)."""
    out: list[RawResult] = []
    own = data.spo if own_nodes_only else None
    for shape in compiled.node_shapes:
        for f in focus_nodes(shape, data):
            if own is None or f in own:
                _validate_shape(shape, data, f, out)
    return out
