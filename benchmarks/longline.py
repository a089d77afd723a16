"""How a build's time and memory grow with a text flattened to one line.

The seed (``corpus/A-RES-74-303.zh.md``) is repeated on one line to each size given, and each
text is built alone (``mandates build FILE --jobs 1``) in a process of its own; the script
prints the size, the wall time, the CPU time and the peak resident memory of that process, and
the memory per byte of text. Work and memory should grow in proportion to the text.

    python3 benchmarks/longline.py --mb 1.2 4.7
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "A-RES-74-303.zh.md"

MEASURE = ("import json, resource, subprocess, sys, time; t = time.perf_counter(); "
           "r = subprocess.run(sys.argv[1:], capture_output=True); u = resource.getrusage(resource.RUSAGE_CHILDREN); "
           "print(json.dumps({'code': r.returncode, 'wall_s': time.perf_counter() - t, "
           "'cpu_s': u.ru_utime + u.ru_stime, 'peak_kb': u.ru_maxrss}))")


def one_line_text(megabytes: float) -> str:
    """The seed repeated on one line to about ``megabytes`` MB of UTF-8."""
    one = SEED.read_text(encoding="utf-8").replace("\n", " ") + " "
    return one * (int(megabytes * 1_000_000) // len(one.encode("utf-8")) + 1)


def measure(megabytes: float, work: Path) -> dict:
    path = work / f"long-{megabytes}.zh.txt"
    path.write_text(one_line_text(megabytes), encoding="utf-8")
    build = [sys.executable, "-m", "mandates.cli", "build", str(path), "--out", str(work / f"out-{megabytes}"),
             "--jobs", "1", "--quiet"]
    got = json.loads(subprocess.run([sys.executable, "-c", MEASURE, *build], capture_output=True, text=True,
                                    check=True, cwd=ROOT).stdout)
    got["bytes"] = path.stat().st_size
    return got


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, nargs="+", default=[1.2, 4.7], help="text sizes in MB (default: 1.2 4.7)")
    args = ap.parse_args(argv)
    if any(mb <= 0 or mb > 20 for mb in args.mb):
        ap.error("sizes must be above 0 and at most 20 MB (the limit for one resolution)")
    print(f"{'MB':>6} {'wall s':>8} {'CPU s':>7} {'peak MB':>8} {'peak / text':>12}")
    with tempfile.TemporaryDirectory(prefix="longline-") as tmp:
        for mb in args.mb:
            r = measure(mb, Path(tmp))
            if r["code"] != 0:
                print(f"{mb:>6}: the build exited {r['code']}", file=sys.stderr)
                return 1
            print(f"{r['bytes'] / 1e6:>6.2f} {r['wall_s']:>8.1f} {r['cpu_s']:>7.1f} {r['peak_kb'] / 1024:>8.0f} "
                  f"{r['peak_kb'] * 1024 / r['bytes']:>11.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
