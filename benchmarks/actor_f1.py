"""Actor F1 on real resolutions that have no full gold annotation.

tests/gold/actors.json lists, paragraph by paragraph, the actors each text names (read from
the texts in corpus/). This script builds those texts, reads the paragraphs' actors from
mandates.json and prints precision, recall and F1 per document and per language, with every
miss and every extra.

    python benchmarks/actor_f1.py
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold" / "actors.json"
ACTOR = "/actor/"


def found_actors(out: Path) -> dict[str, set[str]]:
    """{pp1|op1…: actor keys} from the mandates.json of a build of one file."""
    [doc] = json.loads((out / "mandates.json").read_text(encoding="utf-8"))["documents"]
    return {("pp" if p["kind"] == "preambular" else "op") + str(p["number"]):
            {a["iri"].split(ACTOR, 1)[1] for a in p["actors"] if ACTOR in a["iri"]}
            for p in doc["paragraphs"]}


def score(gold: dict[str, dict[str, list[str]]], found: dict[str, dict[str, set[str]]]) -> dict[str, dict]:
    """True and false positives and negatives per document, over (paragraph, actor) pairs."""
    result = {}
    for path, paras in gold.items():
        got = found.get(path, {})
        want = {(p, a) for p, actors in paras.items() for a in actors}
        have = {(p, a) for p, actors in got.items() if p in paras for a in actors}
        result[path] = {"tp": len(want & have), "fp": sorted(have - want), "fn": sorted(want - have)}
    return result


def f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def by_language(scores: dict[str, dict]) -> dict[str, tuple[float, float, float]]:
    totals: dict[str, list[int]] = {}
    for path, s in scores.items():
        t = totals.setdefault(path.rsplit(".", 2)[-2], [0, 0, 0])
        t[0] += s["tp"]
        t[1] += len(s["fp"])
        t[2] += len(s["fn"])
    return {lang: f1(*t) for lang, t in sorted(totals.items())}


def build_each(paths: list[str], work: Path) -> dict[str, dict[str, set[str]]]:
    """Build every file alone (language versions of one resolution share paragraphs, so a
    joint build would mix their mentions) and read back each one's actors."""
    found = {}
    for i, path in enumerate(paths):
        out = work / f"build-{i}"
        subprocess.run([sys.executable, "-m", "mandates.cli", "build", str(ROOT / path), "--out", str(out),
                        "--quiet"], check=True)
        found[path] = found_actors(out)
    return found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.parse_args()
    gold = json.loads(GOLD.read_text(encoding="utf-8"))["documents"]
    with tempfile.TemporaryDirectory() as tmp:
        scores = score(gold, build_each(list(gold), Path(tmp)))
    for path, s in scores.items():
        p, r, f = f1(s["tp"], len(s["fp"]), len(s["fn"]))
        print(f"{path:42} P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
        for para, actor in s["fn"]:
            print(f"    missed  {para:5} {actor}")
        for para, actor in s["fp"]:
            print(f"    extra   {para:5} {actor}")
    for lang, (p, r, f) in by_language(scores).items():
        print(f"{lang}: P {p:.3f}  R {r:.3f}  F1 {f:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
