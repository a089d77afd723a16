"""The triples that describe a resource, over a store or over an in-memory index of a graph.

**The rule** (what the published ``.ttl``, ``.jsonld`` and ``.nt`` of a resource hold, and what
the server answers for a resource the site has no file for), over the union of all graphs:

1. every triple whose subject is the IRI, or the IRI followed by ``#`` and a fragment;
2. and, repeatedly, every triple whose subject is the object of a ``mnd:anchor`` or
   ``oa:hasSelector`` triple already taken (a paragraph brings its anchors and their
   selectors; a mention brings its selector).

:func:`describe` and :func:`about` apply it to a store, :meth:`GraphIndex.about` to the
in-memory index the publisher renders pages from; the tests hold the three to each other.
The module also gives the pyoxigraph terms the layers above need without importing
pyoxigraph: :func:`iri`, :func:`literal`, :func:`is_iri`, :func:`is_literal`, :func:`rebaser`.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

import pyoxigraph as ox

from mandates.rdf.formats import canonical_order, natural_key
from mandates.rdf.namespaces import DEFAULT_BASE, MND, OA, RDF, RDFS

#: predicates whose objects are part of the description of their subject
FOLLOW = (MND + "anchor", OA + "hasSelector")
#: IRIs that keep their place when the base moves (the ontology's own terms)
FIXED = (DEFAULT_BASE + "ontology", DEFAULT_BASE + "shapes")


# ---------------------------------------------------------------- terms


def iri(value: str) -> Any:
    """An IRI term (``ValueError`` when ``value`` is not one)."""
    return ox.NamedNode(value)


def literal(value: str, *, language: str | None = None, datatype: str | None = None) -> Any:
    """A literal term, with a language tag or a datatype IRI."""
    if datatype is not None:
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    if language is not None:
        return ox.Literal(value, language=language)
    return ox.Literal(value)


def blank(label: str) -> Any:
    """A blank node with ``label``."""
    return ox.BlankNode(label)


def triple(s: Any, p: Any, o: Any) -> Any:
    """A triple of terms."""
    return ox.Triple(s, p, o)


def is_iri(term: Any) -> bool:
    return isinstance(term, ox.NamedNode)


def is_literal(term: Any) -> bool:
    return isinstance(term, ox.Literal)


def rebaser(src: str, dst: str, fixed: tuple[str, ...] = FIXED) -> Callable[[Any], Any]:
    """A function that moves an IRI term under ``src`` to ``dst`` (terms under ``fixed`` stay,
    other terms are returned as they are)."""
    if src == dst:
        return lambda t: t

    def move(t: Any) -> Any:
        if isinstance(t, ox.NamedNode) and t.value.startswith(src) and not t.value.startswith(fixed):
            return ox.NamedNode(dst + t.value[len(src):])
        return t

    return move


def rebase_triples(triples: list[Any], src: str, dst: str) -> list[Any]:
    """``triples`` with every IRI under ``src`` moved to ``dst`` (see :func:`rebaser`)."""
    if src == dst:
        return triples
    move = rebaser(src, dst)
    return [ox.Triple(move(t.subject), move(t.predicate), move(t.object)) for t in triples]


def rebase_quads(quads: list[Any], src: str, dst: str) -> list[Any]:
    """``quads`` with every IRI (graph names too) under ``src`` moved to ``dst``."""
    move = rebaser(src, dst)
    return [ox.Quad(move(q.subject), move(q.predicate), move(q.object), move(q.graph_name)) for q in quads]


def parse_turtle(path: Path) -> list[Any]:
    """The triples of a Turtle file."""
    return list(ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE))


# ---------------------------------------------------------------- over a store


def all_quads(store: Any) -> list[Any]:
    """Every quad of a store."""
    return list(store.quads_for_pattern(None, None, None, None))


def graph_names(store: Any) -> list[str]:
    """The names of a store's named graphs, sorted."""
    return sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))


def hash_subjects(store: Any, prefix: str) -> list[str]:
    """The IRIs that are subjects (in a named graph), start with ``prefix`` and hold a ``#``
    followed by a fragment, sorted."""
    lit = str(ox.Literal(prefix))
    rows = store.query("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s) && STRSTARTS(STR(?s), "
                       f"{lit}) && CONTAINS(STR(?s), '#')) }}")
    return sorted({r["s"].value for r in rows if r["s"].value.partition("#")[2]})


def is_subject(store: Any, value: str) -> bool:
    """Whether the store holds a triple whose subject is the IRI ``value``."""
    try:
        node = ox.NamedNode(value)
    except ValueError:
        return False
    return next(iter(store.quads_for_pattern(node, None, None)), None) is not None


def describe(store: Any, iri: str, hash_iris: list[str] | None = None) -> list[Any]:
    """The triples the graph holds about ``iri`` (the module's rule), over the union of the
    named graphs, without duplicates, sorted by their N-Triples form.

    ``hash_iris``: the subjects ``iri#…`` when the caller knows them (else the store is
    searched for them).
    """
    if hash_iris is None:
        prefix = str(ox.Literal(iri + "#"))
        hash_iris = sorted({r["s"].value for r in store.query(
            f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(isIRI(?s) && STRSTARTS(STR(?s), {prefix})) }}")
            if len(r["s"].value) > len(iri) + 1})
    seen: dict[str, Any] = {}
    done: set[str] = set()
    todo = [iri, *hash_iris]
    while todo:
        s = todo.pop()
        if s in done:
            continue
        done.add(s)
        try:
            node = ox.NamedNode(s)
        except ValueError:
            continue
        for q in store.quads_for_pattern(node, None, None):
            t = ox.Triple(q.subject, q.predicate, q.object)
            seen.setdefault(str(t), t)
            if q.predicate.value in FOLLOW and isinstance(q.object, ox.NamedNode):
                todo.append(q.object.value)
    return [seen[k] for k in sorted(seen)]


def about(store: Any, iri: str) -> list[Any]:
    """The triples the store (union of its graphs) holds about ``iri`` (the module's rule), in
    :func:`canonical_order`."""
    out: set = set()
    seen: set[str] = set()
    todo = [iri]
    prefix = str(ox.Literal(iri + "#"))
    res = store.query(f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER (STRSTARTS(STR(?s), {prefix})) }}",
                      use_default_graph_as_union=True)
    todo.extend(sol["s"].value for sol in res if isinstance(sol["s"], ox.NamedNode) and len(sol["s"].value) > len(iri) + 1)
    while todo:
        s = todo.pop()
        if s in seen:
            continue
        seen.add(s)
        for q in store.quads_for_pattern(ox.NamedNode(s), None, None, None):
            out.add(ox.Triple(q.subject, q.predicate, q.object))
            if q.predicate.value in FOLLOW and isinstance(q.object, ox.NamedNode):
                todo.append(q.object.value)
    return canonical_order(out)


# ---------------------------------------------------------------- in memory


class GraphIndex:
    """The union of a list of quads, indexed by subject and object (IRIs as ``str``), with the
    questions the publisher asks of it (objects, literals, subjects, types)."""

    def __init__(self, quads: list, base: str):
        self.base = base
        self.quads = quads
        seen: set = set()
        triples = []
        for q in quads:
            t = ox.Triple(q.subject, q.predicate, q.object)
            if t not in seen:
                seen.add(t)
                triples.append(t)
        triples.sort(key=str)
        self.triples = triples
        self.by_s: dict[str, list] = defaultdict(list)
        self.by_o: dict[str, list] = defaultdict(list)
        for t in triples:
            if isinstance(t.subject, ox.NamedNode):
                self.by_s[t.subject.value].append(t)
            if isinstance(t.object, ox.NamedNode):
                self.by_o[t.object.value].append(t)
        for lst in self.by_s.values():
            lst.sort(key=str)
        for lst in self.by_o.values():
            lst.sort(key=str)
        self.hash_subjects: dict[str, list[str]] = defaultdict(list)
        for s in sorted(self.by_s):
            if "#" in s:
                head, _, frag = s.partition("#")
                if frag:
                    self.hash_subjects[head].append(s)
        self._super: dict[str, set[str]] = {}
        self._types: dict[str, frozenset[str]] = {}

    def objects(self, s: str, p: str) -> list:
        return [t.object for t in self.by_s.get(s, ()) if t.predicate.value == p]

    def iris(self, s: str, p: str) -> list[str]:
        return sorted({o.value for o in self.objects(s, p) if isinstance(o, ox.NamedNode)}, key=natural_key)

    def iri(self, s: str, p: str) -> str | None:
        v = self.iris(s, p)
        return v[0] if v else None

    def literal(self, s: str, p: str, lang: str | None = None) -> str | None:
        """The first (sorted) literal value of ``s p``, in ``lang`` if given ("" = no tag)."""
        vals = sorted(o.value for o in self.objects(s, p) if isinstance(o, ox.Literal)
                      and (lang is None or (o.language or "") == lang))
        return vals[0] if vals else None

    def integer(self, s: str, p: str) -> int | None:
        v = self.literal(s, p)
        try:
            return int(v) if v is not None else None
        except ValueError:
            return None

    def subjects(self, p: str, o: str) -> list[str]:
        return sorted({t.subject.value for t in self.by_o.get(o, ()) if t.predicate.value == p}, key=natural_key)

    def superclasses(self, c: str) -> set[str]:
        if c not in self._super:
            self._super[c] = set()
            out, todo = {c}, [c]
            while todo:
                for sup in self.iris(todo.pop(), RDFS + "subClassOf"):
                    if sup not in out:
                        out.add(sup)
                        todo.append(sup)
            self._super[c] = out
        return self._super[c]

    def types(self, s: str) -> frozenset[str]:
        if s not in self._types:
            out: set[str] = set()
            for c in self.iris(s, RDF + "type"):
                out |= self.superclasses(c)
            self._types[s] = frozenset(out)
        return self._types[s]

    def graph_sizes(self) -> dict[str, int]:
        """The number of quads of each named graph."""
        graphs: dict[str, int] = defaultdict(int)
        for q in self.quads:
            if isinstance(q.graph_name, ox.NamedNode):
                graphs[q.graph_name.value] += 1
        return dict(graphs)

    def about(self, iri: str) -> list:
        """The triples about ``iri`` (the module's rule), in :func:`canonical_order`."""
        out: set = set()
        seen: set[str] = set()
        todo = [iri] + self.hash_subjects.get(iri, [])
        while todo:
            s = todo.pop()
            if s in seen:
                continue
            seen.add(s)
            for t in self.by_s.get(s, ()):
                out.add(t)
                if t.predicate.value in FOLLOW and isinstance(t.object, ox.NamedNode):
                    todo.append(t.object.value)
        return canonical_order(out)


def quad_graph_names(quads: list[Any]) -> list[str]:
    """The names of the named graphs of a list of quads, sorted."""
    return sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)})
