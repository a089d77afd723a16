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
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mandates.rdf.terms import header, trig_block

# <namespace local> where the local name is a plain name; the longest namespace that fits wins


@dataclass(frozen=True)
class DocArtefact:
    """A built document as the corpus files need it."""

    graph: str  # the named graph IRI
    nq: Path  # its sorted N-Quads
    ttl: Path  # its Turtle block (:func:`turtle_statements`)


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
