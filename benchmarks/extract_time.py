"""Extraction time per document, warm, and the cost of loading the vocabularies (CPU time).

    python benchmarks/extract_time.py [--reps 20] [--corpus corpus] [--scale 10]

Loads the vocabularies, reads every ``.txt``/``.md`` of the corpus, extracts each once (the
segmenter and the lexicons are made then), then extracts them all ``--reps`` times and prints
the median and the least CPU time per document. Run it in two checkouts, alternately and
several times, to compare vocabularies (``PYTHONPATH=<checkout>`` from inside each).

``--scale N`` makes the actor and instrument vocabularies N times larger before extracting:
each concept gets N - 1 synthetic siblings whose labels are its own with a numbered tail
("Inter-Parliamentary Union Branch 7", "各国议会联盟第7分部"), so the new labels share their
first characters with real ones and the longest-match scan meets them where it meets the
real ones. The figures with and without it, in one process, compare the matcher's cost
per document; loading a larger vocabulary from Turtle is a start-up cost, measured apart.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path


def scaled(vocab, n: int):  # type: ignore[no-untyped-def]
    """The vocabulary with n - 1 synthetic siblings of every actor and instrument."""
    if n <= 1:
        return vocab
    from dataclasses import replace

    from mandates.vocab.concepts import Vocabulary

    tails = {"en": " Branch {i}", "zh": "第{i}分部"}
    extra = [replace(c, iri=f"{c.iri}--{i}",
                     pref={lang: lab + tails[lang].format(i=i) for lang, lab in c.pref.items() if lang in tails},
                     labels={lang: tuple(lab + tails[lang].format(i=i) for lab in labs)
                             for lang, labs in c.labels.items() if lang in tails})
             for c in vocab.concepts if c.kind in ("actor", "instrument") for i in range(1, n)]
    return Vocabulary(vocab.concepts + extra, vocab.organization_classes)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--corpus", default="corpus")
    ap.add_argument("--scale", type=int, default=1, help="grow the actor and instrument vocabularies N times")
    args = ap.parse_args(argv)
    t0 = time.process_time()
    from mandates.vocab.concepts import load

    vocab = scaled(load(), args.scale)
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
          f"over {len(sources)} documents x {args.reps}; {len(vocab.concepts)} concepts (scale {args.scale})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
