"""Build benchmarks: one run prints documents/s, triples/s, peak memory, the incremental
re-runs, the one-document cold start, and the library query latencies (embedded store next
to rdflib), each against the targets of issue 7.

    python3 benchmarks/run.py --docs 1000 --work /tmp/bench-1000

What it does, in ``--work``:

1. generates ``--docs`` synthetic resolutions (benchmarks/generate.py) unless ``--corpus``
   names a folder;
2. builds them with validation (``mandates build --jobs J``, a clean build) and measures the
   wall time, documents/s and triples/s, and the peak memory: the largest resident set of
   the process tree sampled every 0.1 s (build process and workers together), and the
   largest single process (``getrusage(RUSAGE_CHILDREN).ru_maxrss``);
3. builds again with nothing changed, then with one file changed;
4. builds the seed resolution alone in a fresh process, three times (cold start);
5. times every library query on the built store and on rdflib (benchmarks/queries.py),
   on at most ``--query-triples`` triples.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGETS = {
    "cold_one_document_s": 2.0,
    "documents_per_s": 100.0,
    "nothing_changed_s": 5.0,
    "peak_memory_mb": 2048.0,
    "query_median_ms": 100.0,
    "query_worst_ms": 1000.0,
    "query_min_ratio": 10.0,
}


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(x) for x in f.read().split())
        except OSError:
            pass
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_measured(cmd: list[str], *, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``cmd``; wall time, exit code, stderr and the peak memory of its process tree."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], sum(_rss_kb(p) for p in _tree(proc.pid)))
            done.wait(0.1)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t
    done.set()
    th.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall_s": wall, "code": proc.returncode, "stderr": err, "peak_tree_mb": peak[0] / 1024,
            "max_process_mb": after.ru_maxrss / 1024, "cpu_s": (after.ru_utime - before.ru_utime)
            + (after.ru_stime - before.ru_stime)}


def mandates(*args: str) -> list[str]:
    return [sys.executable, "-m", "mandates.cli", *args]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=100, help="documents to generate (default 100)")
    ap.add_argument("--work", type=Path, required=True, help="a folder for the corpus and the build")
    ap.add_argument("--corpus", type=Path, default=None, help="build this folder instead of generating one")
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per CPU)")
    ap.add_argument("--query-triples", type=int, default=1_000_000, help="triples for the query benchmark (0: all)")
    ap.add_argument("--rdflib-timeout", type=float, default=120.0, help="seconds per rdflib query")
    ap.add_argument("--rdflib-repeat", type=int, default=3)
    ap.add_argument("--no-queries", action="store_true")
    ap.add_argument("--no-cold", action="store_true", help="skip the one-document cold start")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    args = ap.parse_args(argv)

    args.work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "CI": "true"}
    figures: dict[str, Any] = {"cpus": os.cpu_count()}
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []

    corpus = args.corpus
    if corpus is None:
        from generate import generate

        corpus = args.work / f"corpus-{args.docs}"
        if not corpus.is_dir() or len(list(corpus.iterdir())) != args.docs:
            t = time.perf_counter()
            generate(args.docs, corpus)
            print(f"generated {args.docs} documents in {time.perf_counter() - t:.1f} s -> {corpus}")
    files = sorted(p for p in corpus.iterdir() if p.is_file())
    out = args.work / "out"
    if out.exists():
        shutil.rmtree(out)

    print(f"clean build of {len(files)} documents with validation ({' '.join(jobs) or 'default jobs'}) ...")
    r = run_measured(mandates("build", str(corpus), "--out", str(out), "--quiet", *jobs), env=env)
    if r["code"] not in (0, 1, 3):  # 3: some files could not be built (counted below)
        print(r["stderr"], file=sys.stderr)
        return 1
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    triples = sum(d["triples"] for d in report["documents"] if not d["error"])
    figures["build"] = {**{k: v for k, v in r.items() if k != "stderr"}, "documents": report["built"],
                        "failed": report["failed"], "violating": report["violating"], "triples": triples,
                        "documents_per_s": report["built"] / r["wall_s"], "triples_per_s": triples / r["wall_s"]}
    b = figures["build"]
    print(f"  {b['documents']} documents ({b['failed']} failed, {b['violating']} with violations), {triples} triples "
          f"in {b['wall_s']:.1f} s: {b['documents_per_s']:.2f} documents/s, {b['triples_per_s']:.0f} triples/s; "
          f"CPU {b['cpu_s']:.0f} s; peak memory {b['peak_tree_mb']:.0f} MB (process tree), "
          f"{b['max_process_mb']:.0f} MB (largest process)")
    manifest = out / "docs" / "manifest.json"

    def phases(figures_of: dict[str, Any]) -> None:
        """Where the wall time went (the build's own timings; side-by-side jobs overlap)."""
        if manifest.is_file():
            figures_of["phases_s"] = json.loads(manifest.read_text(encoding="utf-8")).get("timings", {})
            print("  phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in figures_of["phases_s"].items()))

    phases(b)

    r = run_measured(mandates("build", str(corpus), "--out", str(out), "--quiet", *jobs), env=env)
    figures["nothing_changed"] = {k: v for k, v in r.items() if k != "stderr"}
    print(f"nothing changed: {r['wall_s']:.2f} s ({r['stderr'].strip().splitlines()[-1]})")

    victim = files[len(files) // 2]
    original = victim.read_bytes()
    try:
        victim.write_bytes(original + b"\n")
        r = run_measured(mandates("build", str(corpus), "--out", str(out), "--quiet", *jobs), env=env)
        figures["one_changed"] = {k: v for k, v in r.items() if k != "stderr"}
        print(f"one document changed: {r['wall_s']:.2f} s ({r['stderr'].strip().splitlines()[-1]})")
        phases(figures["one_changed"])
    finally:
        victim.write_bytes(original)
        run_measured(mandates("build", str(corpus), "--out", str(out), "--quiet", *jobs), env=env)

    if not args.no_cold:
        seed = ROOT / "corpus" / "A-RES-74-303.zh.md"
        walls = []
        for i in range(3):
            r = run_measured(mandates("build", str(seed), "--out", str(args.work / f"seed-{i}"), "--quiet"), env=env)
            walls.append(r["wall_s"])
            shutil.rmtree(args.work / f"seed-{i}", ignore_errors=True)
        figures["cold_one_document"] = {"wall_s": statistics.median(walls), "runs": walls}
        print(f"one-document build of the seed, cold process: median {statistics.median(walls):.2f} s "
              f"({', '.join(f'{w:.2f}' for w in walls)})")

    if not args.no_queries:
        from queries import measure

        print(f"library queries (at most {args.query_triples or 'all'} triples):")
        figures["queries"] = measure(out, max_triples=args.query_triples or None, rdflib_timeout=args.rdflib_timeout,
                                     rdflib_repeat=args.rdflib_repeat, log=lambda s: print("  " + s))

    print("targets:")
    checks = [("one-document cold build <= 2 s", figures.get("cold_one_document", {}).get("wall_s"),
               lambda v: v <= TARGETS["cold_one_document_s"], "{:.2f} s"),
              (">= 100 documents/s with validation", figures["build"]["documents_per_s"],
               lambda v: v >= TARGETS["documents_per_s"], "{:.2f} documents/s"),
              ("nothing changed <= 5 s", figures["nothing_changed"]["wall_s"],
               lambda v: v <= TARGETS["nothing_changed_s"], "{:.2f} s"),
              ("peak memory <= 2 GB", figures["build"]["peak_tree_mb"],
               lambda v: v <= TARGETS["peak_memory_mb"], "{:.0f} MB")]
    if "queries" in figures:
        q = figures["queries"]
        checks += [(f"query median <= 100 ms ({q['quads']} quads)", q["oxigraph_median_ms"],
                    lambda v: v <= TARGETS["query_median_ms"], "{:.1f} ms"),
                   ("no query's median over 1 s", q["oxigraph_slowest_median_ms"],
                    lambda v: v <= TARGETS["query_worst_ms"], "{:.1f} ms"),
                   ("each query >= 10x faster than rdflib", q["min_ratio"], lambda v: v >= TARGETS["query_min_ratio"],
                    "{:.1f}x")]
    figures["targets"] = {}
    for name, value, ok, fmt in checks:
        if value is None:
            continue
        met = bool(ok(value))
        figures["targets"][name] = {"value": value, "met": met}
        print(f"  {'met    ' if met else 'NOT met'}  {name}: {fmt.format(value)}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
