"""The benchmark scripts run (a smoke test at a small size), and start-up stays light.

The full-size figures are taken by hand (benchmarks/README.md). Here the scripts run at
``MANDATES_BENCH_DOCS`` documents (default 100): generation, a clean build with validation,
the re-runs, the cold start, and the query comparison with rdflib (2 s per rdflib query at most).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

HEAVY = ("rdflib", "pyshacl", "jieba", "pyoxigraph", "networkx", "matplotlib", "lxml", "opencc")


@pytest.mark.parametrize("argv", [["--help"], ["build", "--help"], ["query", "--help"], ["push", "--help"],
                                  ["export", "--help"], ["--version"]])
def test_help_imports_no_heavy_library(argv):
    """``mandates --help`` (and each command's) pays only for argparse: no RDF, SHACL or jieba."""
    code = ("import sys\nfrom mandates import cli\ntry:\n    cli.main(%r)\nexcept SystemExit:\n    pass\n"
            "print('HEAVY:' + ','.join(m for m in %r if m in sys.modules))" % (argv, HEAVY))
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    heavy = [line for line in r.stdout.splitlines() if line.startswith("HEAVY:")]
    assert heavy == ["HEAVY:"], f"imported by {argv}: {heavy}"


# the symbols the generator drew for 12 documents with seed 3 before the numbers could grow
# (1d9a032): the corpora whose figures benchmarks/README.md records are drawn the same way
DRAWN_BEFORE = ["A-RES-57-304.en.txt", "A-RES-67-120.en.txt", "A-RES-73-8.en.txt", "A-RES-62-296.en.txt",
                "A-RES-63-260.en.txt", "A-RES-71-84.zh.txt", "A-RES-77-328.en.txt", "A-RES-51-310.zh.txt",
                "A-RES-69-275.en.txt", "A-RES-62-193.en.txt", "A-RES-58-267.zh.txt", "A-RES-64-181.en.txt"]


def _generate_module():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return generate


def test_generator_is_deterministic_and_buildable(tmp_path):
    generate = _generate_module().generate
    a = generate(12, tmp_path / "a", seed=3)
    b = generate(12, tmp_path / "b", seed=3)
    assert [p.name for p in a] == [p.name for p in b]
    assert all(x.read_bytes() == y.read_bytes() for x, y in zip(a, b))
    assert {p.name.split(".")[-2] for p in a} == {"zh", "en"} or len(a) < 5
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source
    from mandates.vocab.concepts import load

    for p in a[:4]:
        doc = extract(read_source(p), load())
        stem = p.name.split(".")[0]
        assert doc.header.symbol == stem.replace("-", "/"), p.name
        assert sum(x.kind == "operative" for x in doc.paragraphs) >= 4


def test_generator_has_symbols_for_every_size(tmp_path, monkeypatch):
    """Each resolution gets a symbol of its own, whatever the size: 30 sessions of 330 numbers
    ran out at 20,000 documents and the generator drew for ever. The draws of the recorded
    corpora stay the same; a session of one number still gives every document a symbol; with
    no symbol left the generator stops with an error instead of drawing for ever."""
    generate = _generate_module()
    assert [p.name for p in generate.generate(12, tmp_path / "a", seed=3)] == DRAWN_BEFORE
    sessions = generate.SESSIONS[1] - generate.SESSIONS[0] + 1
    for count, pairs in ((100, 0.05), (10_000, 0.05), (10_000, 0.0), (20_000, 0.05), (100_000, 0.0)):
        assert sessions * generate.resolution_numbers(count, pairs) > count / (1 + pairs), (count, pairs)
    assert generate.resolution_numbers(10_000, 0.05) == generate.NUMBERS
    monkeypatch.setattr(generate, "NUMBERS", 1)
    written = generate.generate(2 * sessions, tmp_path / "b", seed=5, pairs=0.0)
    assert len({p.name.split(".")[0] for p in written}) == len(written) == 2 * sessions  # one symbol each
    monkeypatch.setattr(generate, "resolution_numbers", lambda count, pairs: 1)
    with pytest.raises(RuntimeError, match="no resolution symbol left for document 31 of 40"):
        generate.generate(40, tmp_path / "c", seed=5, pairs=0.0)


def test_benchmark_scripts_run(tmp_path):
    """benchmarks/run.py end to end at a small size; every figure is printed and sane."""
    docs = int(os.environ.get("MANDATES_BENCH_DOCS", "100"))
    figures = tmp_path / "figures.json"
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--docs", str(docs), "--work",
                        str(tmp_path / "work"), "--rdflib-timeout", "2", "--rdflib-repeat", "1",
                        "--json", str(figures)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    for words in ("documents/s", "triples/s", "peak memory", "nothing changed", "one document changed",
                  "cold process", "oxigraph ms", "rdflib ms", "targets:"):
        assert words in r.stdout, words
    f = json.loads(figures.read_text(encoding="utf-8"))
    assert f["build"]["documents"] == docs and f["build"]["failed"] == 0
    assert f["build"]["documents_per_s"] > 0 and f["build"]["triples"] > 100 * docs
    assert f["build"]["peak_tree_mb"] > 0
    assert f["nothing_changed"]["code"] == 0
    # where the one-changed build spent its time: the corpus outputs made again, one document built
    assert {"documents", "gexf", "corpus shapes", "mandates view", "graph files"} <= set(f["one_changed"]["phases_s"])
    assert "phases:" in r.stdout.split("one document changed:")[1]
    names = {q["query"] for q in f["queries"]["queries"]}
    assert len(names) >= 10
    for q in f["queries"]["queries"]:
        assert q["oxigraph_ms"] > 0
        if q["rdflib_rows"] is not None:  # rdflib finished in time: the same number of rows
            assert q["rdflib_rows"] == q["rows"], q["query"]

    # the floor of the required steps, on the same build
    floor = tmp_path / "floor.json"
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "floor.py"), "--build", str(tmp_path / "work" / "out"),
                        "--sample", "10", "--json", str(floor)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "floor (sum)" in r.stdout and "documents/s on 2 cores" in r.stdout, r.stdout
    f = json.loads(floor.read_text(encoding="utf-8"))
    assert f["documents"] == docs and f["sample"] == 10
    steps = f["per_document_ms"]
    assert len(steps) == 5 and all(ms > 0 for ms in steps.values()), steps
    store_ms = steps["store load (pyoxigraph on disk, chunks)"]
    assert store_ms == pytest.approx(1000 * f["store"]["cpu_s"] / docs, abs=0.001)  # all of them, not the sample
    assert abs(sum(steps.values()) - f["floor_ms"]) < 0.01 and f["budget_ms"] == 20.0
    assert f["ceiling_documents_per_s"] == pytest.approx(2000 / f["floor_ms"])
    assert not list((tmp_path / "work" / "out").glob(".floor.*")), "the scratch store is left behind"


def test_longline_benchmark_prints_its_figures():
    """benchmarks/longline.py builds a one-line text and prints size, times and peak memory."""
    r = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "longline.py"), "--mb", "0.05"],
                       capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    header, row = r.stdout.strip().splitlines()
    assert header.split()[:2] == ["MB", "wall"]
    mb, wall, cpu, peak, ratio = row.split()
    assert 0.04 < float(mb) < 0.1 and float(wall) > 0 and float(peak) > 10 and ratio.endswith("x")
    bad = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "longline.py"), "--mb", "30"],
                         capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert bad.returncode == 2 and "at most 20 MB" in bad.stderr
