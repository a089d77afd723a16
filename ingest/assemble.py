"""The corpus graph files (``graph.nq``, ``graph.ttl``, ``graph.trig``) from per-document artefacts.

rdflib writes Turtle at about 8k triples/s and holds every triple in memory, which does not
scale to a corpus. The files are therefore assembled from what the workers rendered per
document (``ingest.workers.render_document``: each subject's block, written by rdflib's own
serializer), in the order rdflib would write them, streaming, with little memory:

- ``graph.nq``: the sorted lines of every document, merged (each document's lines are
  sorted; the lines about IRIs a document owns, under ``doc/<slug>/``, form one contiguous
  range per resolution, the rest are merged in).
- ``graph.trig``: contexts ordered by graph IRI; within a context rdflib orders subjects by
  (references so far, IRI), references counting the objects of triples of this and the
  earlier contexts and one per earlier context a node is a subject in.
- ``graph.ttl``: the union graph; subjects ordered by (references in the union, IRI). A
  subject several documents state things about (a resolution's IRI, a cited resolution,
  paragraphs shared by language versions) is written again from the union of its triples.

The result is byte-identical to rdflib's serialization of the same data
(:func:`reference_ttl`, :func:`reference_trig`; tests/test_incremental.py compares them).
Where that cannot be guaranteed (blank nodes, ``rdfs:Class`` subjects, rdflib inventing
different prefixes in different documents, a document stating things under another
document's IRIs) the files are written by rdflib itself, slowly.
"""

from __future__ import annotations

import heapq
import io
import json
import marshal
import os
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from .workers import INDENT

TTL_INDENT = "    "


@dataclass(frozen=True)
class DocArtefact:
    """A built document as the corpus files need it."""

    graph: str  # the named graph IRI
    own: str  # the IRIs the document owns start with this (``{base}doc/<slug>/``)
    nq: Path  # sorted N-Quads
    render: Path  # rendering data (ingest.workers.render_document)


class Fallback(Exception):
    """The fast writer cannot guarantee rdflib's bytes; write with rdflib."""


# ---------------------------------------------------------------- rdflib, the reference


def reference_ttl(graphs: list[tuple[str, Any]]) -> str:
    """``graph.ttl`` as rdflib writes it: the union of the graphs, with the project's prefixes."""
    from rdflib import Graph

    from .pipeline import _bind

    union = Graph()
    for _, g in graphs:
        for t in g:
            union.add(t)
    _bind(union)
    return union.serialize(format="turtle")


def reference_trig(graphs: list[tuple[str, Any]]) -> str:
    """``graph.trig`` as rdflib writes it, with the project's prefixes and the graphs in IRI
    order (rdflib's own order follows Python's per-process string hashing)."""
    from rdflib.plugins.serializers.trig import TrigSerializer

    from .build import dataset
    from .pipeline import _bind

    ds = dataset(graphs)
    _bind(ds)
    ser = TrigSerializer(ds)
    ser.contexts = sorted(ser.contexts, key=lambda c: str(c.identifier))
    buf = io.BytesIO()
    ser.serialize(buf, encoding="utf-8")
    return buf.getvalue().decode("utf-8")


def _graphs_from_nquads(docs: list[DocArtefact]) -> list[tuple[str, Any]]:
    from rdflib import Graph

    out = []
    for d in sorted(docs, key=lambda d: d.graph):
        g = Graph()
        g.parse(data=_strip_graph_names(d.nq.read_text(encoding="utf-8")), format="nt")
        out.append((d.graph, g))
    return out


def _strip_graph_names(nq: str) -> str:
    lines = []
    for line in nq.splitlines():
        if line:
            lines.append(_triple_of(line) + " .")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- lines and terms


def _triple_of(line: str) -> str:
    """``<s> <p> o`` of an N-Quads line ``<s> <p> o <g> .`` (graph IRIs hold no spaces)."""
    return line[:line.rindex(" <", 0, len(line) - 2)]


def _split(triple: str) -> tuple[str, str, str]:
    """Subject, predicate and object (N-Triples syntax) of ``<s> <p> o`` (IRIs hold no spaces)."""
    i = triple.index("> ") + 1
    j = triple.index("> ", i + 1) + 1
    return triple[:i], triple[i + 1:j], triple[j + 1:]


def _iri(term: str) -> str | None:
    return term[1:-1] if term.startswith("<") else None


def _nq_lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield line.rstrip("\n")


# ---------------------------------------------------------------- writers


class _Buckets:
    """Subject blocks by reference count, each bucket in IRI order, on disk."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.files: dict[int, Any] = {}

    def add(self, refs: int, iri: str, block: str) -> None:
        f = self.files.get(refs)
        if f is None:
            f = self.files[refs] = (self.folder / f"bucket-{refs}").open("wb")
        marshal.dump((iri, block), f)

    def read(self, refs: int) -> Iterator[tuple[str, str]]:
        f = self.files.get(refs)
        if f is None:
            return
        f.close()
        with (self.folder / f"bucket-{refs}").open("rb") as r:
            while True:
                try:
                    yield marshal.load(r)
                except EOFError:
                    return

    def close(self) -> None:
        for f in self.files.values():
            f.close()


def _depth(block: str, depth: int) -> str:
    """A rendered block at ``depth`` (0: Turtle, 1: inside a TriG graph)."""
    if depth == 0:
        return block.replace(INDENT, TTL_INDENT)
    # the subject line starts the block ("\n" + subject); every INDENT run is one step deeper
    import re

    body = re.sub(INDENT + "+", lambda m: TTL_INDENT * (len(m.group(0)) + depth), block)
    return "\n" + TTL_INDENT * depth + body[1:]


def _render_union(triples: Iterable[str], generated: list[list[str]]) -> dict[str, str]:
    """Blocks (depth placeholders) for every subject of ``triples`` (N-Triples without the dot)."""
    from rdflib import Graph
    from rdflib.plugins.serializers.turtle import TurtleSerializer

    from .pipeline import _bind

    g = Graph()
    data = "".join(t + " .\n" for t in triples)
    if data:
        g.parse(data=data, format="nt")
    _bind(g)
    for prefix, ns in generated:
        g.bind(prefix, ns, override=True)
    ser = TurtleSerializer(g)
    ser.base = None
    ser.indentString = INDENT
    ser.preprocess()
    out = {}
    for s in sorted(ser._subjects, key=str):
        buf = io.BytesIO()
        ser.stream = buf
        ser.depth = 0
        ser.statement(s)
        out[str(s)] = buf.getvalue().decode("utf-8")
    return out


def write_graph_files(docs: list[DocArtefact], *, base: str, nq_out: Path, ttl_out: Path,
                      trig_out: Path) -> str:
    """Write the three corpus graph files atomically; returns "fast" or the reason rdflib wrote them."""
    from .pipeline import atomic_write

    tmp = Path(tempfile.mkdtemp(prefix=".assemble.", dir=nq_out.parent))
    try:
        try:
            _fast(docs, base=base, tmp=tmp)
            how = "fast"
        except Fallback as exc:
            how = str(exc)
            graphs = _graphs_from_nquads(docs)
            atomic_write(tmp / "graph.ttl", reference_ttl(graphs))
            atomic_write(tmp / "graph.trig", reference_trig(graphs))
            _merge_nquads(docs, tmp / "graph.nq")
        for name, target in (("graph.nq", nq_out), ("graph.trig", trig_out), ("graph.ttl", ttl_out)):
            os.chmod(tmp / name, 0o644)
            os.replace(tmp / name, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return how


def _merge_nquads(docs: list[DocArtefact], target: Path) -> None:
    """All documents' sorted lines, merged (no two documents share a graph, so no duplicates)."""
    files = [d.nq for d in docs]
    with target.open("w", encoding="utf-8") as out:
        for line in _merge_many(files):
            out.write(line + "\n")


def _merge_many(files: list[Path], fan_in: int = 256) -> Iterator[str]:
    if len(files) <= fan_in:
        yield from heapq.merge(*(_nq_lines(f) for f in files))
        return
    # merge in rounds so as not to hold thousands of files open
    tmpdir = Path(tempfile.mkdtemp(prefix=".merge.", dir=files[0].parent))
    try:
        parts = []
        for i in range(0, len(files), fan_in):
            part = tmpdir / f"part-{i}"
            with part.open("w", encoding="utf-8") as out:
                for line in heapq.merge(*(_nq_lines(f) for f in files[i:i + fan_in])):
                    out.write(line + "\n")
            parts.append(part)
        yield from _merge_many(parts, fan_in)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def _fast(docs: list[DocArtefact], *, base: str, tmp: Path) -> None:
    docbase = base + "doc/"
    owns = {d.own for d in docs}
    for o in owns:
        rest = o[len(docbase):-1] if o.startswith(docbase) and o.endswith("/") else "/"
        if "/" in rest or not rest:
            raise Fallback(f"unexpected document IRI space {o}")
    groups: dict[str, list[DocArtefact]] = defaultdict(list)
    for d in docs:
        groups[d.own].append(d)
    group_order = sorted(groups)
    for o in group_order:
        groups[o].sort(key=lambda d: d.graph)
    contexts = [d for o in group_order for d in groups[o]]
    if [d.graph for d in contexts] != sorted(d.graph for d in docs):
        raise Fallback("graph IRIs and document IRIs are not in the same order")

    def check_foreign(iri: str) -> None:
        if iri.startswith(docbase):
            k = iri.find("/", len(docbase))
            if k >= 0 and iri[:k + 1] in owns:
                raise Fallback(f"a document states things about {iri}, which another document owns")

    prefixes: dict[str, str] = {}
    trig_prefixes: dict[str, str] = {}
    generated: list[list[str]] | None = None
    global_acc: dict[str, int] = defaultdict(int)  # TriG: references so far, IRIs no document owns
    foreign_from_own: dict[str, int] = defaultdict(int)  # Turtle: union refs from owned subjects
    foreign_triples: set[str] = set()  # triples whose subject no document owns (the union)
    foreign_lines: list[str] = []  # their N-Quads lines
    work_blocks: dict[str, str] = {}  # a resolution's IRI (doc/<slug>): its block, from its own documents
    work_store = (tmp / "works").open("w+b")  # and its triples, for when other documents cite it too
    work_at: dict[str, int] = {}
    buckets = _Buckets(tmp)
    own_nq = tmp / "own.nq"
    with (tmp / "contexts.trig").open("w", encoding="utf-8") as trig, own_nq.open("w", encoding="utf-8") as nq:
        for o in group_order:
            members = groups[o]
            renders = [json.loads(d.render.read_text(encoding="utf-8")) for d in members]
            for r in renders:
                if r["bail"]:
                    raise Fallback(r["bail"])
                if generated is None:
                    generated = r["generated"]
                elif r["generated"] != generated:
                    raise Fallback("rdflib would invent different prefixes in different documents")
                prefixes.update(r["prefixes"])
                trig_prefixes.update(r["graph_prefixes"])
                for iri in r["refs"]:
                    if not iri.startswith(o):
                        check_foreign(iri)
                for iri, _ in r["subjects"]:
                    if not iri.startswith(o):
                        check_foreign(iri)
            # graph.nq: the owned lines of the group, merged; the other lines for later
            streams = []
            for d in members:
                lines = []
                for line in _nq_lines(d.nq):
                    if line.startswith("<" + o):
                        lines.append(line)
                    else:
                        foreign_lines.append(line)
                streams.append(lines)
            for line in heapq.merge(*streams) if len(streams) > 1 else streams[0]:
                nq.write(line + "\n")
            # graph.trig: one context per document
            group_acc: dict[str, int] = defaultdict(int)
            for d, r in zip(members, renders):
                refs = r["refs"]
                order = []
                for iri, block in r["subjects"]:
                    acc = group_acc[iri] if iri.startswith(o) else global_acc.get(iri, 0)
                    order.append((acc + refs.get(iri, 0), iri, block))
                order.sort(key=lambda x: (x[0], x[1]))
                if order:
                    trig.write(f"\n{r['graph_label']} {{")
                    for _, _, block in order:
                        trig.write(_depth(block, 1) + "\n")
                    trig.write("}\n")
                for iri, c in refs.items():
                    if iri.startswith(o):
                        group_acc[iri] += c
                    else:
                        global_acc[iri] += c
                for iri, _ in r["subjects"]:
                    if iri.startswith(o):
                        group_acc[iri] += 1
                    else:
                        global_acc[iri] += 1
            # graph.ttl: the group's owned subjects, by union reference count; the resolution's
            # own IRI (cited by others: its count is known at the end) is rendered here too
            work = o[:-1]
            work_triples: set[str] = set()
            for r in renders:
                for t in r["foreign"]:
                    if t.startswith(f"<{work}> "):
                        work_triples.add(t)
                    else:
                        foreign_triples.add(t)
            for t in work_triples:
                obj = _iri(_split(t)[2])
                if obj is not None and not obj.startswith(o):
                    foreign_from_own[obj] += 1
            work_in = [block for r in renders for iri, block in r["subjects"] if iri == work]
            if len(work_in) > 1:
                work_blocks[work] = _render_union(work_triples, generated or [])[work]
            elif work_in:
                work_blocks[work] = work_in[0]
            if work_triples:
                work_at[work] = work_store.tell()
                marshal.dump(sorted(work_triples), work_store)
            if len(members) == 1:
                r = renders[0]
                for iri, c in r["foreign_refs"].items():
                    foreign_from_own[iri] += c
                for iri, block in r["subjects"]:
                    if iri.startswith(o):
                        buckets.add(r["refs"].get(iri, 0), iri, block)
                continue
            own_triples: set[str] = set()
            for lines in streams:
                own_triples.update(_triple_of(line) for line in lines)
            group_foreign = set()
            for r in renders:
                group_foreign.update(r["foreign"])
            own_refs: dict[str, int] = defaultdict(int)
            for t in own_triples:
                obj = _iri(_split(t)[2])
                if obj is None:
                    continue
                if obj.startswith(o):
                    own_refs[obj] += 1
                else:
                    foreign_from_own[obj] += 1
            for t in group_foreign:
                obj = _iri(_split(t)[2])
                if obj is not None and obj.startswith(o):
                    own_refs[obj] += 1
            seen: dict[str, list[str]] = defaultdict(list)
            for r in renders:
                for iri, block in r["subjects"]:
                    if iri.startswith(o):
                        seen[iri].append(block)
            shared = {iri for iri, bl in seen.items() if len(bl) > 1}
            merged = _render_union((t for t in own_triples if _iri(_split(t)[0]) in shared), generated or []) \
                if shared else {}
            for iri in sorted(seen):
                buckets.add(own_refs.get(iri, 0), iri, merged[iri] if iri in shared else seen[iri][0])

    # the subjects no document owns, from the union of their triples; a resolution that other
    # documents also state things about (they cite it) is written from all of them
    foreign_refs: dict[str, int] = defaultdict(int, foreign_from_own)
    for t in foreign_triples:
        obj = _iri(_split(t)[2])
        if obj is not None:
            foreign_refs[obj] += 1
    cited = {_iri(_split(t)[0]) for t in foreign_triples} & set(work_blocks)
    extra: set[str] = set()
    for work in cited:
        work_store.seek(work_at[work])
        for t in marshal.load(work_store):
            if t in foreign_triples:  # counted twice: once here, once with its own documents
                obj = _iri(_split(t)[2])
                if obj is not None:
                    foreign_refs[obj] -= 1
            else:
                extra.add(t)
        del work_blocks[work]
    work_store.close()
    render = foreign_triples | extra
    foreign_blocks = _render_union(sorted(render), generated or []) if render else {}
    by_refs: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for iri, block in list(foreign_blocks.items()) + list(work_blocks.items()):
        by_refs[foreign_refs.get(iri, 0)].append((iri, block))

    with (tmp / "graph.ttl").open("w", encoding="utf-8") as ttl:
        ttl.write(_header(prefixes))
        for refs in sorted(set(buckets.files) | set(by_refs)):
            for _, block in heapq.merge(buckets.read(refs), sorted(by_refs.get(refs, [])), key=lambda x: x[0]):
                ttl.write(_depth(block, 0) + "\n")
        ttl.write("\n")
    buckets.close()
    with (tmp / "graph.trig").open("w", encoding="utf-8") as out, (tmp / "contexts.trig").open(encoding="utf-8") as ctx:
        out.write(_header({**prefixes, **trig_prefixes}))
        shutil.copyfileobj(ctx, out)
        out.write("\n")
    foreign_lines.sort()
    with (tmp / "graph.nq").open("w", encoding="utf-8") as out:
        for line in heapq.merge(_nq_lines(own_nq), foreign_lines):
            out.write(line + "\n")


def _header(prefixes: dict[str, str]) -> str:
    return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in sorted(prefixes.items()))
