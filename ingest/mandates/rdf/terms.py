"""RDF terms as text: N-Triples terms, sorted N-Quads, Turtle statements, skolemised reports.

The graph files, the artefacts of each document and the SHACL report are written from here,
as plain strings in a fixed order, so equal graphs give equal bytes.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, Iterator

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef

from mandates.rdf.namespaces import PREFIXES, RDF, SH, XSD

RDF_TYPE = f"<{RDF}type>"


_PREFIX_OF = {ns: p for p, ns in PREFIXES.items()}


_PREFIXED = re.compile("<(" + "|".join(re.escape(ns) for ns in sorted(_PREFIX_OF, key=len, reverse=True))
                       + r")([A-Za-z_][A-Za-z0-9_-]*)>\Z")


_DATATYPE = re.compile(r'\^\^(<[^>]*>)\Z')


class BlankNodeError(ValueError):
    """A document graph holds a blank node (its label would clash with another document's)."""


def header() -> str:
    """The prefix lines every graph file starts with."""
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(PREFIXES.items())) + "\n"


def _iri(term: str) -> str:
    """An N-Triples IRI term (``<...>``) as Turtle, abbreviated where a prefix covers it.

    >>> _iri("<https://w3id.org/un-mandates/ontology#Clause>"), _iri("<http://x/a b>")
    ('mnd:Clause', '<http://x/a b>')
    """
    m = _PREFIXED.match(term)
    return f"{_PREFIX_OF[m.group(1)]}:{m.group(2)}" if m else term


def _object(term: str) -> str:
    if term.startswith("<"):
        return _iri(term)
    if term.startswith("_:"):
        raise BlankNodeError(term)
    m = _DATATYPE.search(term)
    if m:
        return term[:m.start(1)] + _iri(m.group(1))
    return term


def triple_line(nquad: str) -> str:
    """An N-Quads line without its graph name: an N-Triples line.

    >>> triple_line('<http://x/s> <http://x/p> "a <b>" <http://x/g> .')
    '<http://x/s> <http://x/p> "a <b>" .'
    """
    return nquad[:nquad.rindex(" <")] + " ."


def nt_lines(text: str) -> list[str]:
    """The lines of N-Triples or N-Quads text, split at line feeds only: ``str.splitlines`` also
    splits at form feeds, line tabulations and Unicode line separators, which literals hold
    unescaped (a page break inside a paragraph quoted by ``mnd:exact``).

    >>> nt_lines('<http://x/s> <http://x/p> "a\\fb\\u2028c" .\\n<http://x/s> <http://x/q> "d" .\\n')
    ['<http://x/s> <http://x/p> "a\\x0cb\\u2028c" .', '<http://x/s> <http://x/q> "d" .']
    """
    if not text:
        return []
    lines = text.split("\n")
    return lines[:-1] if lines[-1] == "" else lines


def turtle_statements(triples: list[tuple[str, str, str]]) -> str:
    """Sorted triples of N-Triples terms as Turtle statements (no prefix lines): subjects in
    order, each with its predicates and objects."""
    out: list[str] = []
    short: dict[str, str] = {}  # a term's Turtle form, once per term (predicates and types repeat)

    def iri(term: str) -> str:
        r = short.get(term)
        if r is None:
            r = short[term] = _iri(term)
        return r

    def obj(term: str) -> str:
        r = short.get(term)
        if r is None:
            r = short[term] = iri(term) if term.startswith("<") else _object(term)
        return r

    subject = predicate = None
    for s, p, o in triples:
        if s != subject:
            if subject is not None:
                out.append(" .\n")
            if not s.startswith("<"):
                raise BlankNodeError(s)
            pred = "a" if p == RDF_TYPE else iri(p)
            out.append(f"{iri(s)} {pred} {obj(o)}")
            subject, predicate = s, p
        elif p != predicate:
            pred = "a" if p == RDF_TYPE else iri(p)
            out.append(f" ;\n    {pred} {obj(o)}")
            predicate = p
        else:
            out.append(f", {obj(o)}")
    if subject is not None:
        out.append(" .\n")
    return "".join(out)


def trig_block(graph: str, ttl: str) -> str:
    """A document's TriG block: its Turtle statements inside ``<graph> { ... }``."""
    if not ttl:
        return ""
    body = "".join(f"    {line}\n" if line else "\n" for line in ttl.rstrip("\n").split("\n"))
    return f"{_iri('<' + graph + '>')} {{\n{body}}}\n"


def nt_term(t) -> str:  # type: ignore[no-untyped-def]
    r"""A term in N-Triples syntax (strings escaped on one line).

    >>> from rdflib import Literal, URIRef
    >>> print(nt_term(Literal('a"b' + chr(10) + 'c', lang="zh")), nt_term(URIRef("http://x/y")))
    "a\"b\nc"@zh <http://x/y>
    """
    if isinstance(t, Literal):
        v = str(t).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if t.language:
            return f'"{v}"@{t.language}'
        if t.datatype:
            return f'"{v}"^^<{t.datatype}>'
        return f'"{v}"'
    if isinstance(t, BNode):
        return f"_:{t}"
    return f"<{t}>"


def sorted_terms(triples) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """The distinct triples as N-Triples terms, sorted: in the order of their N-Quads lines.
    (Lines and term tuples differ only where one term is a proper prefix of another; an IRI
    never is, and a literal only of the same literal with a language or datatype, whose ``@``,
    ``-`` or ``^`` sorts after the space that ends a term in a line.)"""
    terms: dict = {}  # a term's text, once per term (types and predicates repeat)

    def nt(t):  # type: ignore[no-untyped-def]
        r = terms.get(t)
        if r is None:
            r = terms[t] = nt_term(t)
        return r

    return sorted({(nt(s), nt(p), nt(o)) for s, p, o in triples})


def nquad_lines(terms: list[tuple[str, str, str]], name: str) -> str:
    """Sorted triples (:func:`sorted_terms`) as the N-Quads of graph ``name``."""
    g = f" <{name}> .\n"
    return "".join(f"{s} {p} {o}{g}" for s, p, o in terms)


def sorted_nquads(graphs: list[tuple[str, Any]]) -> str:
    """Canonical N-Quads: one line per quad, sorted, so equal graphs give equal bytes."""
    if len(graphs) == 1:
        return nquad_lines(sorted_terms(graphs[0][1]), graphs[0][0])
    lines = {f"{s} {p} {o} <{name}> ." for name, g in graphs for s, p, o in sorted_terms(g)}
    return "\n".join(sorted(lines)) + ("\n" if lines else "")


def bind_report_prefixes(g) -> None:  # type: ignore[no-untyped-def]
    """Bind the prefixes a SHACL report is written with (``shacl-report.ttl``)."""
    for prefix in ("mnd", "eli", "oa", "prov", "skos", "dcterms"):
        g.bind(prefix, Namespace(PREFIXES[prefix]), override=True)
    g.bind("sh", Namespace(SH), override=True)


def skolemise(g):  # type: ignore[no-untyped-def]
    """pySHACL's report uses blank nodes; they are named with content-derived IRIs so that the
    report is identical across runs (and the report of a corpus is the union of its documents')."""
    def describe(node, depth=0):  # type: ignore[no-untyped-def]
        parts = []
        for p, o in sorted(g.predicate_objects(node), key=lambda x: (str(x[0]), str(x[1]))):
            parts.append(f"{p}={describe(o, depth + 1) if isinstance(o, BNode) and depth < 4 else o}")
        return "(" + ";".join(parts) + ")"

    names: dict[BNode, URIRef] = {}
    for node in set(g.subjects()) | set(g.objects()):
        if isinstance(node, BNode):
            digest = hashlib.sha256(describe(node).encode("utf-8")).hexdigest()[:16]
            names[node] = URIRef(f"https://w3id.org/un-mandates/shacl-report/{digest}")
    out = Graph()
    for s, p, o in g:
        out.add((names.get(s, s), p, names.get(o, o)))  # type: ignore[arg-type]
    return out


# ---------------------------------------------------------------- parsing


class UnsupportedTerm(ValueError):
    """A term rdflib has no equivalent for (an RDF-star triple term)."""


class RDFSyntaxError(ValueError):
    """A file is not valid RDF; the message names it."""


def read_turtle(files: list[Path]) -> Graph:
    """The union of the Turtle ``files`` as an rdflib graph.

    Raises:
        RDFSyntaxError: a file is not valid Turtle (the message names it).
    """
    g = Graph()
    for f in files:
        try:
            g.parse(f, format="turtle")
        except Exception as exc:  # noqa: BLE001 - rdflib raises many parser error types
            raise RDFSyntaxError(f"{f}: not valid Turtle: {exc}") from exc
    return g


_IRI_CACHE: dict = {}


_LIT_CACHE: dict = {}


_XSD_STRING = XSD + "string"


def _uriref(value: str) -> URIRef:
    u = _IRI_CACHE.get(value)
    if u is None:
        if len(_IRI_CACHE) > 500_000:
            _IRI_CACHE.clear()
        u = _IRI_CACHE[value] = URIRef(value)
    return u


def _to_rdflib(t):  # type: ignore[no-untyped-def]
    if isinstance(t, ox.NamedNode):
        return _uriref(t.value)
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
                lit = Literal(t.value, datatype=_uriref(dt))
            _LIT_CACHE[key] = lit
        return lit
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    raise UnsupportedTerm(f"RDF-star term {t!r}")


def rdflib_triples(data: bytes, *, nquads: bool = True) -> Iterator[tuple]:
    """The triples of N-Quads (graph names dropped) or Turtle ``data`` as rdflib terms, parsed
    by pyoxigraph (several times faster than rdflib's parsers); equal terms are one object.

    Raises:
        UnsupportedTerm: the data hold an RDF-star triple term.
    """
    conv = _to_rdflib
    for q in ox.parse(data, format=ox.RdfFormat.N_QUADS if nquads else ox.RdfFormat.TURTLE):
        yield conv(q.subject), conv(q.predicate), conv(q.object)


def subject_graphs(nquads: str) -> dict[str, str]:
    """The first named graph each subject IRI of ``nquads`` has a triple in."""
    owner: dict[str, str] = {}
    for q in ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS):
        g = q.graph_name
        if isinstance(g, ox.NamedNode):
            owner.setdefault(q.subject.value if not isinstance(q.subject, ox.Triple) else "", g.value)
    return owner


def report_turtle(lines: list[str]) -> str:
    """SHACL report triples (N-Triples lines) as the Turtle of ``shacl-report.ttl``."""
    g = Graph()
    if lines:
        g.parse(data="\n".join(lines) + "\n", format="nt")
    bind_report_prefixes(g)
    return g.serialize(format="turtle")
