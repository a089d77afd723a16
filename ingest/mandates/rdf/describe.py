"""The triples that describe a resource, over a store or over an in-memory index of a graph.

**The rule** (what the published ``.ttl``, ``.jsonld``, ``.nt`` and ``.rdf`` of a resource hold,
and what the server answers for a resource the site has no file for), over the union of all
graphs:

1. its own triples (:func:`own_triples`, :meth:`GraphIndex.own`): every triple whose subject is
   the IRI, or the IRI followed by ``#`` and a fragment; and, repeatedly, every triple whose
   subject is the object of a ``mnd:anchor`` or ``oa:hasSelector`` triple already taken (a
   paragraph brings its anchors and their selectors; a mention brings its selector);
2. its inbound triples: those whose object is the IRI (not already taken), sorted by their
   N-Triples form, at most :data:`MAX_INBOUND`;
3. the description's own metadata (:func:`description_metadata`): the description document
   ``{IRI}.html`` (the page; the RDF files are its other formats) has ``foaf:primaryTopic`` the
   IRI, ``void:inDataset`` the dataset ``{base}void.ttl#dataset``, ``dcterms:license`` the
   data licence (:data:`DATA_LICENSE`), ``prov:wasDerivedFrom`` every named graph a triple of
   1 and 2 comes from, and, when inbound triples were left out, ``rdfs:seeAlso`` a SPARQL
   query (``{base}sparql?query=CONSTRUCT …``) that gives them all.

:func:`describe` and :func:`about` apply it to a store, :meth:`GraphIndex.about` to the
in-memory index the publisher renders pages from; the tests hold the three to each other.
The module also gives the pyoxigraph terms the layers above need without importing
pyoxigraph: :func:`iri`, :func:`literal`, :func:`is_iri`, :func:`is_literal`, :func:`rebaser`.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import quote

import pyoxigraph as ox

from mandates.rdf.formats import canonical_order, natural_key
from mandates.rdf.namespaces import DCTERMS, DEFAULT_BASE, FOAF, MND, OA, PROV, RDF, RDFS, VOID, graph_base

#: predicates whose objects are part of the description of their subject
FOLLOW = (MND + "anchor", OA + "hasSelector")
#: IRIs that keep their place when the base moves (the ontology's own terms)
FIXED = (DEFAULT_BASE + "ontology", DEFAULT_BASE + "shapes")
#: the licence the published data are offered under (the ontology's own licence)
DATA_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
#: the inbound triples a description holds at most (all of them: the SPARQL query it links to)
MAX_INBOUND = 500
#: the dataset every description is in, relative to the base
DATASET = "void.ttl#dataset"


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


def own_triples(store: Any, iri: str, hash_iris: list[str] | None = None) -> list[Any]:
    """The triples of part 1 of the module's rule (the IRI's own), over the union of the named
    graphs, without duplicates, sorted by their N-Triples form. ``hash_iris``: the subjects
    ``iri#…`` when the caller knows them (else the store is searched for them)."""
    return sorted(_own_quads(store, iri, hash_iris)[0].values(), key=str)


def _own_quads(store: Any, iri: str, hash_iris: list[str] | None) -> tuple[dict[str, Any], set[str]]:
    """The IRI's own triples by their N-Triples form, and the named graphs they come from."""
    if hash_iris is None:
        prefix = str(ox.Literal(iri + "#"))
        hash_iris = sorted({r["s"].value for r in store.query(
            f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(isIRI(?s) && STRSTARTS(STR(?s), {prefix})) }}")
            if len(r["s"].value) > len(iri) + 1})
    seen: dict[str, Any] = {}
    graphs: set[str] = set()
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
            if isinstance(q.graph_name, ox.NamedNode):
                graphs.add(q.graph_name.value)
            if q.predicate.value in FOLLOW and isinstance(q.object, ox.NamedNode):
                todo.append(q.object.value)
    return seen, graphs


def describe(store: Any, iri: str, hash_iris: list[str] | None = None, *, base: str | None = None) -> list[Any]:
    """The description of ``iri`` (the module's rule: its own triples, its inbound triples,
    the description's metadata) over the union of the named graphs, without duplicates,
    sorted by their N-Triples form.

    ``hash_iris``: the subjects ``iri#…`` when the caller knows them (else the store is
    searched for them); ``base``: the base of the store's IRIs (else read from the names of
    its graphs).
    """
    seen, graphs = _own_quads(store, iri, hash_iris)
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return []
    inbound: dict[str, tuple[Any, set[str]]] = {}
    for q in store.quads_for_pattern(None, None, node):
        t = ox.Triple(q.subject, q.predicate, q.object)
        key = str(t)
        if key not in seen:
            entry = inbound.setdefault(key, (t, set()))
            if isinstance(q.graph_name, ox.NamedNode):
                entry[1].add(q.graph_name.value)
    keys = sorted(inbound)
    for k in keys[:MAX_INBOUND]:
        seen[k] = inbound[k][0]
        graphs |= inbound[k][1]
    if not seen:
        return []
    if base is None:
        base = graph_base(graph_names(store))
    for t in description_metadata(iri, base, graphs, cut=len(keys) > MAX_INBOUND):
        seen.setdefault(str(t), t)
    return [seen[k] for k in sorted(seen)]


def about(store: Any, iri: str) -> list[Any]:
    """The description of ``iri`` in the store (:func:`describe`), in :func:`canonical_order`."""
    return canonical_order(describe(store, iri))


def document_of(iri: str) -> str:
    """The description document of a resource: its page, ``{IRI}.html`` (the ``.ttl``,
    ``.jsonld``, ``.nt`` and ``.rdf`` files are the same description in other formats)."""
    return iri + ".html"


def inbound_query(iri: str) -> str:
    """The SPARQL query that gives every triple whose object is ``iri``.

    >>> inbound_query("http://x.org/a")
    'CONSTRUCT { ?s ?p <http://x.org/a> } WHERE { ?s ?p <http://x.org/a> }'
    """
    return f"CONSTRUCT {{ ?s ?p <{iri}> }} WHERE {{ ?s ?p <{iri}> }}"


def graph_query(graph: str) -> str:
    """The SPARQL query that gives the triples of the named graph ``graph``.

    >>> graph_query("http://x.org/g")
    'CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <http://x.org/g> { ?s ?p ?o } }'
    """
    return f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"


def query_iri(base: str, query: str) -> str:
    """The IRI of the answer of ``query`` at the endpoint ``{base}sparql`` (SPARQL 1.1 Protocol, GET).

    >>> query_iri("http://x.org/", "ASK {}")
    'http://x.org/sparql?query=ASK%20%7B%7D'
    """
    return base + "sparql?query=" + quote(query, safe="")


def description_metadata(iri: str, base: str, graphs: Iterable[str], *, cut: bool = False,
                         query_target: str | None = None) -> list[Any]:
    """Part 3 of the module's rule: what the description document ``{iri}.html`` says about
    itself (its topic, dataset, licence, the named graphs it was derived from and, when
    ``cut``, the query that gives every inbound triple). ``query_target``: the IRI the query
    names, when the store knows ``iri`` under another base."""
    N = ox.NamedNode
    doc = N(document_of(iri))
    out = [ox.Triple(doc, N(FOAF + "primaryTopic"), N(iri)),
           ox.Triple(doc, N(VOID + "inDataset"), N(base + DATASET)),
           ox.Triple(doc, N(DCTERMS + "license"), N(DATA_LICENSE))]
    out += [ox.Triple(doc, N(PROV + "wasDerivedFrom"), N(g)) for g in sorted(set(graphs))]
    if cut:
        out.append(ox.Triple(doc, N(RDFS + "seeAlso"), N(query_iri(base, inbound_query(query_target or iri)))))
    return out


# ---------------------------------------------------------------- in memory


class GraphIndex:
    """The union of a list of quads, indexed by subject and object (IRIs as ``str``), with the
    questions the publisher asks of it (objects, literals, subjects, types).

    ``src_base``: the base the store names these IRIs under, when the quads were moved to
    ``base`` (the SPARQL queries a description links to run over the store).
    """

    def __init__(self, quads: list, base: str, src_base: str | None = None):
        self.base = base
        self.src_base = src_base or base
        self.quads = quads
        #: the named graphs each triple is in
        self.graphs_of: dict[Any, set[str]] = defaultdict(set)
        for q in quads:
            entry = self.graphs_of[ox.Triple(q.subject, q.predicate, q.object)]
            if isinstance(q.graph_name, ox.NamedNode):
                entry.add(q.graph_name.value)
        triples = sorted(self.graphs_of, key=str)
        self.triples = triples
        self.by_s: dict[str, list] = defaultdict(list)
        self.by_o: dict[str, list] = defaultdict(list)
        for t in triples:
            if isinstance(t.subject, ox.NamedNode):
                self.by_s[t.subject.value].append(t)
            if isinstance(t.object, ox.NamedNode):
                self.by_o[t.object.value].append(t)
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

    def own(self, iri: str) -> list:
        """Part 1 of the module's rule: the IRI's own triples, in :func:`canonical_order`."""
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

    def about(self, iri: str) -> list:
        """The description of ``iri`` (the module's rule), in :func:`canonical_order`."""
        own = self.own(iri)
        taken = set(own)
        inbound = sorted((t for t in self.by_o.get(iri, ()) if t not in taken), key=str)
        kept = inbound[:MAX_INBOUND]
        graphs = {g for t in own + kept for g in self.graphs_of.get(t, ())}
        if not own and not kept:
            return []
        target = rebaser(self.base, self.src_base)(ox.NamedNode(iri)).value
        meta = description_metadata(iri, self.base, graphs, cut=len(inbound) > MAX_INBOUND, query_target=target)
        return canonical_order([*own, *kept, *meta])


def quad_graph_names(quads: list[Any]) -> list[str]:
    """The names of the named graphs of a list of quads, sorted."""
    return sorted({q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)})
