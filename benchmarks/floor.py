"""The least CPU a document costs in a build: the steps issue 7 itself requires, measured alone,
against the CPU a documents/s target leaves each document on this machine's cores.

    python3 benchmarks/floor.py --build OUT [--sample 300] [--target 100] [--cores 2]

``OUT`` is a build folder (``mandates build DIR --out OUT``, or ``run.py``'s ``WORK/out``).
Of its documents (``OUT/docs/manifest.json``) the script

1. takes ``--sample`` of them, evenly spread, and measures the CPU of each required step, one
   after the other in this one process (start-up, the vocabulary, jieba's dictionary and
   pySHACL are loaded before and not counted: a worker pays them once):

   - read and extract: the source read and its paragraphs, clauses and mentions found;
   - build: the document's triples as rdflib terms (the issue: rdflib keeps building each
     document);
   - validate: the SHACL verdict, as the build gets it (the fast engine, pySHACL where it finds
     a result);
   - N-Quads: the triples sorted into the bytes the store loads (byte-identical output needs
     the sort);

2. loads the N-Quads of *all* of them into a new pyoxigraph store on disk (a ``.store.*``
   folder in ``OUT`` that it removes after, as a killed build's is removed by the next build),
   and takes the CPU of the whole process (RocksDB's compaction threads included) per
   document, less that of a store holding the vocabulary alone (paid once a build). This cost
   grows with the store, so it is measured at the build's full size. ``--store chunks`` (the
   default) loads as a clean build does (``mandates.build.pipeline._StoreLoader``, in chunks of
   ``BULK_CHUNK``, each document's file as the build wrote it); ``--store stream`` in one bulk
   load of every file read one after the other, the cheapest load measured (RocksDB compacts
   almost nothing while it loads; it holds about 1.9 GB whatever the size, so the build does
   not use it).

The documents are those the build included: the first file of each graph (in the order of
their paths), as the build keeps them. Run it from the folder the build ran in when the build
was given relative paths. The steps are timed as ``mandates build`` runs them by default (no
``--lang`` or ``--symbol``).

It prints the CPU of each step per document, their sum (the floor: every other part of a
build, the views, the Turtle, the corpus shapes and exports, comes on top), the budget
(``cores x 1000 / target`` ms a document) and the documents/s that the floor alone would
allow if the cores were shared perfectly.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STEPS = ("read and extract", "build (rdflib terms)", "validate (SHACL)", "N-Quads (sorted)")


def _summaries(out: Path) -> list[dict[str, Any]]:
    """The summaries of the documents the build at ``out`` included, by path."""
    manifest = out / "docs" / "manifest.json"
    try:
        documents = json.loads(manifest.read_text(encoding="utf-8"))["documents"]
    except (OSError, ValueError, KeyError) as exc:
        raise SystemExit(f"{manifest}: not a build's manifest ({exc}); build first: mandates build DIR --out {out}")
    included, graphs = [], set()
    for _, d in sorted(documents.items()):
        s = d["summary"]
        if s.get("graph") and not s["result"].get("error") and s["graph"] not in graphs:
            graphs.add(s["graph"])
            included.append(s)
    return included


def _spread(items: list[Any], n: int) -> list[Any]:
    """``n`` of ``items``, evenly spaced (all of them if there are fewer)."""
    if n >= len(items):
        return list(items)
    return [items[i * len(items) // n] for i in range(n)]


def document_steps(paths: list[str], base: str) -> dict[str, float]:
    """Mean CPU seconds of each required step (:data:`STEPS`) over the documents at ``paths``."""
    from mandates.graph.builder import build_triples
    from mandates.extract.extractors import extract
    from mandates.rdf.terms import nquad_lines, sorted_terms
    from mandates.extract.read import InputError, read_source
    from mandates.vocab.concepts import load
    from mandates.validate.document import validate_document

    def steps(path: str) -> list[float]:
        t = [time.process_time()]
        doc = extract(read_source(path), vocab)
        t.append(time.process_time())
        name, triples = build_triples(doc, base=base)
        t.append(time.process_time())
        validate_document(triples, base, "auto")
        t.append(time.process_time())
        nquad_lines(sorted_terms(triples), name).encode("utf-8")
        t.append(time.process_time())
        return [b - a for a, b in zip(t, t[1:])]

    vocab = load()
    try:
        by_lang = {}
        for p in paths:  # warm: the vocabulary indexes, jieba, the shapes, for each language
            by_lang.setdefault(read_source(p).lang, p)
        for p in by_lang.values():
            steps(p)
    except InputError as exc:
        raise SystemExit(f"{exc} (run this from the folder the build ran in)")
    # and pySHACL, which a worker starts once, for the first document the fast engine finds a
    # result in (about 1 s: a sample holding such a document would count it)
    validate_document(build_triples(extract(read_source(paths[0]), vocab), base=base)[1], base, "pyshacl")
    gc.collect()
    totals = [0.0] * len(STEPS)
    for p in paths:
        totals = [a + b for a, b in zip(totals, steps(p))]
    return {name: total / len(paths) for name, total in zip(STEPS, totals)}


class _Concatenated(io.RawIOBase):
    """The bytes of several files, one after the other, read as one stream."""

    def __init__(self, files: list[Path]):
        self.files = iter(files)
        self.current: Any = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while True:
            if self.current is None:
                f = next(self.files, None)
                if f is None:
                    return 0
                self.current = f.open("rb")
            n = self.current.readinto(buffer)
            if n:
                return n
            self.current.close()
            self.current = None


def store_load(out: Path, summaries: list[dict[str, Any]], base: str, mode: str = "chunks") -> dict[str, float]:
    """CPU and wall seconds of loading every built document into a new store on disk (removed
    after), less those of a store with the vocabulary alone (what a build pays once, whatever
    its size: ``fixed_cpu_s``); ``mode``: as a clean build loads (``chunks``) or in one
    streamed bulk load (``stream``)."""
    import pyoxigraph

    from mandates.build.pipeline import load_afresh, load_built
    from mandates.graph.vocabulary import vocabulary_outputs

    _, vocab_nq = vocabulary_outputs(base)
    docs = out / "docs"

    def chunks(included: list[dict[str, Any]]) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        # as a clean build loads the documents it built (no hash to check)
        target = load_afresh(out, included, docs, vocab_nq, f"{base}graph/vocabulary", earlier=False)
        took = time.process_time() - cpu, time.perf_counter() - wall
        shutil.rmtree(target, ignore_errors=True)
        return took

    def stream(included: list[dict[str, Any]]) -> tuple[float, float]:
        target = Path(tempfile.mkdtemp(prefix=".store.", dir=out))
        try:
            wall, cpu = time.perf_counter(), time.process_time()
            store = pyoxigraph.Store(str(target))
            load_built(store, io.BufferedReader(_Concatenated([docs / f"{s['artefact']}.nq" for s in included]),
                                                1 << 20))
            store.bulk_load(vocab_nq.encode("utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
            store.flush()
            del store
            return time.process_time() - cpu, time.perf_counter() - wall
        finally:
            shutil.rmtree(target, ignore_errors=True)

    def load(included: list[dict[str, Any]]) -> tuple[float, float]:
        gc.collect()
        return (chunks if mode == "chunks" else stream)(included)

    load([])  # warm: pyoxigraph, RocksDB
    fixed_cpu, fixed_wall = load([])
    cpu, wall = load(summaries)
    return {"cpu_s": max(0.0, cpu - fixed_cpu), "wall_s": max(0.0, wall - fixed_wall), "fixed_cpu_s": fixed_cpu,
            "mode": mode}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", type=Path, required=True, help="a build folder (mandates build DIR --out BUILD)")
    ap.add_argument("--sample", type=int, default=300, help="documents whose steps are timed (default 300)")
    ap.add_argument("--target", type=float, default=100.0, help="documents/s (default 100, issue 7)")
    ap.add_argument("--cores", type=int, default=2, help="cores the target is for (default 2)")
    ap.add_argument("--store", choices=("chunks", "stream"), default="chunks",
                    help="load the store as a clean build does (chunks, the default) or in one streamed bulk load")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    a = ap.parse_args(argv)
    if a.sample < 1 or a.cores < 1 or not a.target > 0:
        ap.error("--sample and --cores must be at least 1, --target above 0")
    if a.json is not None and not a.json.parent.is_dir():
        ap.error(f"--json {a.json}: no folder {a.json.parent}")
    from mandates.rdf.namespaces import DEFAULT_BASE

    summaries = _summaries(a.build)
    if not summaries:
        raise SystemExit(f"{a.build}: no built document")
    if len(summaries) < 100:
        print(f"(only {len(summaries)} documents: the store's figure is mostly start-up and noise)", file=sys.stderr)
    sample = _spread(summaries, a.sample)
    per_doc = document_steps([s["path"] for s in sample], DEFAULT_BASE)
    store = store_load(a.build, summaries, DEFAULT_BASE, a.store)
    per_doc[f"store load (pyoxigraph on disk, {a.store})"] = store["cpu_s"] / len(summaries)
    floor_ms = 1000 * sum(per_doc.values())
    budget_ms = 1000 * a.cores / a.target
    triples = sum(s["result"]["triples"] for s in summaries)

    print(f"{len(summaries)} documents ({triples / len(summaries):,.0f} triples each on average); "
          f"steps timed on {len(sample)}, the store loaded with all {len(summaries)} "
          f"({store['wall_s']:.1f} s wall, {store['cpu_s']:.1f} s CPU beyond the {store['fixed_cpu_s']:.2f} s "
          "of a store with the vocabulary alone)")
    print(f"{'required step':<40}{'CPU ms/document':>16}{'of the budget':>15}")
    for name, s in per_doc.items():
        print(f"{name:<40}{1000 * s:>16.2f}{1000 * s / budget_ms:>14.0%}")
    ceiling = 1000 * a.cores / floor_ms
    print(f"{'floor (sum)':<40}{floor_ms:>16.2f}{floor_ms / budget_ms:>14.0%}")
    print(f"budget: {budget_ms:.1f} ms of CPU a document ({a.cores} cores, {a.target:g} documents/s)")
    print(f"the floor alone allows at most {ceiling:.1f} documents/s on {a.cores} cores "
          f"({'within' if floor_ms <= budget_ms else 'short of'} the target)")
    if a.json:
        a.json.write_text(json.dumps({
            "documents": len(summaries), "sample": len(sample), "triples": triples,
            "per_document_ms": {k: round(1000 * v, 3) for k, v in per_doc.items()},
            "store": store, "floor_ms": floor_ms, "budget_ms": budget_ms,
            "ceiling_documents_per_s": ceiling, "cores": a.cores, "target": a.target,
        }, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
