"""Per-document SHACL validation time: pySHACL (the reference) against the fast engine
(``mandates.validate.fast`` through ``mandates.validate.engine.fast_validate_nquads``).

    python3 benchmarks/generate.py --docs 100 --out /tmp/v100
    python3 benchmarks/validators.py --docs /tmp/v100

Documents are built in-process first (not timed). pySHACL runs as the pipeline runs it: the
document plus the part of the vocabulary it reaches (``mandates.validate.document.vocabulary_for``; that selection
is timed too); on the seed also with the whole vocabulary. The fast engine always validates the
document with the whole vocabulary (indexed once per process: the one-off cost is printed
apart). Every document's results are compared, so the figures are for equal answers.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_all(paths: list[Path]):  # type: ignore[no-untyped-def]
    from mandates.graph.builder import build_graph
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source
    from mandates.rdf.namespaces import DEFAULT_BASE
    from mandates.vocab.concepts import load

    vocab = load()
    out = []
    for p in paths:
        doc = extract(read_source(p), vocab)
        out.append(build_graph(doc, base=DEFAULT_BASE))
    return out


def key(v):  # type: ignore[no-untyped-def]
    return sorted((r.shape, r.focus, r.path or "", r.message, r.severity) for r in v.results)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", default=str(ROOT / "corpus" / "A-RES-74-303.zh.md"))
    ap.add_argument("--docs", default="/tmp/v100", help="folder of documents (benchmarks/generate.py)")
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=5, help="runs on the seed (median)")
    args = ap.parse_args()

    from mandates.graph.builder import vocabulary_graph
    from mandates.rdf.terms import sorted_nquads
    from mandates.validate.engine import _compiled, _vocabulary_index, fast_validate_nquads, validate
    from mandates.rdf.namespaces import DEFAULT_BASE
    from mandates.validate.document import vocabulary_for

    t = time.perf_counter()
    _compiled(DEFAULT_BASE)
    _vocabulary_index(DEFAULT_BASE)
    print(f"fast engine one-off set-up (compile shapes, index vocabulary): {time.perf_counter() - t:.3f} s")
    full_vocab = vocabulary_graph(base=DEFAULT_BASE)

    def pyshacl_pipeline(g):  # type: ignore[no-untyped-def]
        return validate(g, vocabulary=vocabulary_for(g, DEFAULT_BASE), base=DEFAULT_BASE)

    # ---- the seed
    (name, g), = build_all([Path(args.seed)])
    nq = sorted_nquads([(name, g)])
    timings: dict[str, list[float]] = {"pyshacl (reachable vocabulary)": [], "pyshacl (whole vocabulary)": [],
                                       "fast (whole vocabulary)": []}
    for _ in range(args.repeat):
        t = time.perf_counter(); a = pyshacl_pipeline(g); timings["pyshacl (reachable vocabulary)"].append(time.perf_counter() - t)
        t = time.perf_counter(); b = validate(g, vocabulary=full_vocab); timings["pyshacl (whole vocabulary)"].append(time.perf_counter() - t)
        t = time.perf_counter(); c = fast_validate_nquads(nq); timings["fast (whole vocabulary)"].append(time.perf_counter() - t)
        assert key(a) == key(b) == key(c) and a.conforms == c.conforms
    print(f"\nseed {Path(args.seed).name}: {len(g)} triples, conforms={c.conforms}, median of {args.repeat}")
    for k, v in timings.items():
        print(f"  {k:34s} {statistics.median(v) * 1000:8.1f} ms")

    # ---- many documents
    paths = sorted(p for p in Path(args.docs).iterdir() if p.suffix in (".txt", ".md"))[: args.limit]
    if not paths:
        print(f"\nno documents in {args.docs}: python3 benchmarks/generate.py --docs 100 --out {args.docs}")
        return
    built = build_all(paths)
    triples = sum(len(g) for _, g in built)
    texts = [sorted_nquads([(n, g)]) for n, g in built]
    t = time.perf_counter()
    ref = [pyshacl_pipeline(g) for _, g in built]
    t_ref = time.perf_counter() - t
    t = time.perf_counter()
    fast = [fast_validate_nquads(x) for x in texts]
    t_fast = time.perf_counter() - t
    same = sum(key(a) == key(b) and a.conforms == b.conforms for a, b in zip(ref, fast))
    batch_text = "".join(texts)
    t = time.perf_counter()
    batch = fast_validate_nquads(batch_text)
    t_batch = time.perf_counter() - t
    n = len(built)
    print(f"\n{n} documents of {args.docs} ({triples} triples, {triples // n} per document); "
          f"same results in both engines: {same}/{n}")
    print(f"  pyshacl one by one (reachable vocabulary) {t_ref:7.2f} s  {t_ref / n * 1000:8.1f} ms/document")
    print(f"  fast one by one (whole vocabulary)        {t_fast:7.2f} s  {t_fast / n * 1000:8.1f} ms/document")
    print(f"  fast, all in one batch                    {t_batch:7.2f} s  {t_batch / n * 1000:8.1f} ms/document"
          f"  ({len(batch.results)} results; a batch merges the language versions of a resolution)")
    print(f"  speed-up one by one: x{t_ref / t_fast:.0f}; batch: x{t_ref / t_batch:.0f}")


if __name__ == "__main__":
    main()
