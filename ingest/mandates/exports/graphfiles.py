"""The corpus graph files (``graph.nq``, ``graph.ttl``, ``graph.trig``) from per-document artefacts.

A corpus of 10,000 resolutions holds about 18 million triples: no serializer that holds the
graph in memory (rdflib writes Turtle at about 8k triples/s) can write it in a build that
should take minutes. So each worker writes its document's part of every file
(:func:`turtle_statements`, from the document's sorted triples: plain string work, about a
millisecond), and the corpus files are the concatenation of those parts in graph-IRI order
under one prefix header (:func:`write_graph_files`), streamed, with constant memory:

- ``graph.nq``: every document's sorted lines, document after document (graph-IRI order);
- ``graph.trig``: one ``GRAPH { ... }`` block per document;
- ``graph.ttl``: the union graph, written as each document's triples in turn. A subject that
  several documents state things about (a cited resolution, the paragraphs two language
  versions share) appears in several blocks; Turtle allows that, and a parser reads the union.

Within a block, subjects come in IRI order with their predicates and objects sorted, IRIs
abbreviated by the prefixes of :data:`PREFIXES` where the local name is a plain name. The
bytes depend only on the triples: byte-identical between runs and between a clean and an
incremental build. tests/test_incremental.py checks that each file parses to the graphs of
``graph.nq``. Documents never hold blank nodes (``mandates.graph.builder`` mints an IRI for every node);
a block with one would be wrong to concatenate, so :func:`turtle_statements` refuses it.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

PREFIXES = {
    "dcterms": "http://purl.org/dc/terms/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "mnd": "https://w3id.org/un-mandates/ontology#",
    "oa": "http://www.w3.org/ns/oa#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_PREFIX_OF = {ns: p for p, ns in PREFIXES.items()}
# <namespace local> where the local name is a plain name; the longest namespace that fits wins
_PREFIXED = re.compile("<(" + "|".join(re.escape(ns) for ns in sorted(_PREFIX_OF, key=len, reverse=True))
                       + r")([A-Za-z_][A-Za-z0-9_-]*)>\Z")
_DATATYPE = re.compile(r'\^\^(<[^>]*>)\Z')


@dataclass(frozen=True)
class DocArtefact:
    """A built document as the corpus files need it."""

    graph: str  # the named graph IRI
    nq: Path  # its sorted N-Quads
    ttl: Path  # its Turtle block (:func:`turtle_statements`)


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


def write_graph_files(docs: list[DocArtefact], *, nq_out: Path, ttl_out: Path, trig_out: Path) -> None:
    """Write the three corpus graph files atomically (all three, or none of them changes)."""
    docs = sorted(docs, key=lambda d: d.graph)
    tmp = Path(tempfile.mkdtemp(prefix=".assemble.", dir=nq_out.parent))
    try:
        head = header()
        with (tmp / "graph.nq").open("wb") as nq, (tmp / "graph.ttl").open("w", encoding="utf-8") as ttl, \
                (tmp / "graph.trig").open("w", encoding="utf-8") as trig:
            ttl.write(head)
            trig.write(head)
            for i, d in enumerate(docs):
                with d.nq.open("rb") as f:
                    shutil.copyfileobj(f, nq)
                block = d.ttl.read_text(encoding="utf-8")
                sep = "\n" if i else ""
                ttl.write(sep + block)
                trig.write(sep + trig_block(d.graph, block))
        for name, target in (("graph.nq", nq_out), ("graph.trig", trig_out), ("graph.ttl", ttl_out)):
            os.chmod(tmp / name, 0o644)
            os.replace(tmp / name, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
