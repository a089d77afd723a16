"""Extraction time per document, warm, and the cost of loading the vocabularies (CPU time).

    python benchmarks/extract_time.py [--reps 20] [--corpus corpus]

Loads the vocabularies, reads every ``.txt``/``.md`` of the corpus, extracts each once (the
segmenter and the lexicons are made then), then extracts them all ``--reps`` times and prints
the median and the least CPU time per document. Run it in two checkouts, alternately and
several times, to compare vocabularies (``PYTHONPATH=<checkout>`` from inside each).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--corpus", default="corpus")
    args = ap.parse_args(argv)
    t0 = time.process_time()
    from mandates.vocab.concepts import load

    vocab = load()
    t1 = time.process_time()
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source

    sources = [read_source(f) for f in sorted(Path(args.corpus).iterdir()) if f.suffix in (".txt", ".md")]
    t2 = time.process_time()
    for s in sources:
        extract(s, vocab)
    t3 = time.process_time()
    per = []
    for _ in range(args.reps):
        a = time.process_time()
        for s in sources:
            extract(s, vocab)
        per.append((time.process_time() - a) / len(sources))
    print(f"vocabulary load {1000 * (t1 - t0):.0f} ms; first pass (segmenter, lexicons) {1000 * (t3 - t2):.0f} ms; "
          f"extract per document median {1000 * statistics.median(per):.2f} ms (least {1000 * min(per):.2f}) "
          f"over {len(sources)} documents x {args.reps}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
