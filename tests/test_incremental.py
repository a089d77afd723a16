"""Corpus builds: parallel, incremental, interruptible, and the same bytes as a clean build.

- nothing changed: every document is skipped and no output is rewritten;
- one file changed: only it is built again, its named graph is replaced in the store (no
  stale triple left, none duplicated), and every output equals a clean build's;
- one file removed: its graph leaves the store and the outputs;
- a build killed mid-way (a worker, then the parent, with SIGKILL) leaves the previous
  store usable, and the next build ends with the store and outputs of a clean build;
- ``graph.ttl`` and ``graph.trig``, assembled from per-document artefacts, read back as the
  graphs of ``graph.nq``; ``mandates.json``/``.csv``, merged from per-resolution parts, equal
  the views of the whole store.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT

OUTPUTS = ("graph.nq", "graph.ttl", "graph.trig", "vocabulary.ttl", "shacl-report.ttl", "report.json",
           "mandates.json", "mandates.csv", "mandates.gexf")
# small files, among them two language versions of one resolution (55/23) that share IRIs
SMALL = ["A-RES-4(I).zh.txt", "A-RES-50-2.en.txt", "A-RES-55-23.en.txt", "A-RES-55-23.zh.txt",
         "A-RES-26(I).zh.txt"]


def quads(out: Path) -> list[str]:
    import pyoxigraph

    store = pyoxigraph.Store.read_only(str(out / "store"))
    return sorted(str(q) for q in store)


def named_graphs(out: Path) -> set[str]:
    import pyoxigraph

    store = pyoxigraph.Store.read_only(str(out / "store"))
    return {g.value for g in store.named_graphs()}


def outputs(out: Path, names=OUTPUTS) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    return {n: (out / n).read_bytes() for n in names}


def same_as_clean(out: Path, folder: Path, tmp: Path, *, names=OUTPUTS) -> None:  # type: ignore[no-untyped-def]
    """``out`` holds exactly what a clean build of ``folder`` writes."""
    from mandates.build.pipeline import build

    clean = tmp / f"clean-{time.monotonic_ns()}"
    build([folder], clean, jobs=1)
    got, want = outputs(out, names), outputs(clean, names)
    for n in names:
        assert got[n] == want[n], n
    assert quads(out) == quads(clean)


@pytest.fixture()
def small(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in SMALL:
        shutil.copy(CORPUS / name, folder / name)
    return folder


def test_nothing_changed_skips_every_document(small, tmp_path):
    from mandates.build.pipeline import build

    out = tmp_path / "out"
    first = build([small], out, jobs=2)
    assert first.rebuilt == len(SMALL) and first.exit_code() == 0
    before = {n: (out / n).stat().st_mtime_ns for n in OUTPUTS}
    again = build([small], out, jobs=2)
    assert (again.rebuilt, again.unchanged, again.exported) == (0, len(SMALL), False)
    assert {n: (out / n).stat().st_mtime_ns for n in OUTPUTS} == before
    assert [vars(d) for d in again.documents] == [vars(d) for d in first.documents]


def test_changed_file_is_rebuilt_alone_and_its_graph_replaced(small, tmp_path):
    from mandates.build.pipeline import build

    out = tmp_path / "out"
    build([small], out, jobs=2)
    old = quads(out)
    f = small / "A-RES-50-2.en.txt"
    text = f.read_text(encoding="utf-8")
    assert "General Assembly" in text
    f.write_text(text.replace("General Assembly", "General  Assembly", 1), encoding="utf-8")
    r = build([small], out, jobs=2)
    assert (r.rebuilt, r.unchanged, r.exported) == (1, len(SMALL) - 1, True)
    new = quads(out)
    assert new != old
    assert len(new) == len(set(new))
    same_as_clean(out, small, tmp_path)
    # changing it back gives the first store again
    f.write_text(text, encoding="utf-8")
    build([small], out, jobs=2)
    assert quads(out) == old


def test_language_versions_are_viewed_together_once(small, tmp_path, monkeypatch):
    """The view part of a resolution built from several files (55/23, English and Chinese) is
    kept in docs/ and used again while its files do not change; a change to one of them makes
    a new part (the old one is removed), and a damaged part is made again."""
    from mandates.build import pipeline
    from mandates.build.pipeline import build

    made: list[list[str]] = []
    view_fragment = pipeline.view_fragment

    def counted(nquads, graphs, base):  # type: ignore[no-untyped-def]
        if len(graphs) > 1:  # (not a document's own part, which jobs=1 makes in this process too)
            made.append(graphs)
        return view_fragment(nquads, graphs, base)

    monkeypatch.setattr(pipeline, "view_fragment", counted)
    out = tmp_path / "out"
    build([small], out, jobs=1)
    first = sorted((out / "docs").glob("group.*.view.json"))
    assert len(first) == 1 and len(made) == 1, (first, made)

    def edit(name: str) -> None:
        f = small / name
        text = f.read_text(encoding="utf-8")
        assert "General Assembly" in text
        f.write_text(text.replace("General Assembly", "General  Assembly", 1), encoding="utf-8")

    edit("A-RES-50-2.en.txt")  # not a member: the part is used again
    made.clear()
    assert build([small], out, jobs=1).rebuilt == 1
    assert made == [] and sorted((out / "docs").glob("group.*.view.json")) == first
    same_as_clean(out, small, tmp_path)

    edit("A-RES-55-23.en.txt")  # a member: a new part
    made.clear()  # (same_as_clean's clean build made one too)
    assert build([small], out, jobs=1).rebuilt == 1
    now = sorted((out / "docs").glob("group.*.view.json"))
    assert len(made) == 1 and len(now) == 1 and now != first
    same_as_clean(out, small, tmp_path)

    now[0].write_bytes(now[0].read_bytes()[:100])  # damaged: made again
    edit("A-RES-50-2.en.txt")
    made.clear()
    build([small], out, jobs=1)
    assert len(made) == 1
    same_as_clean(out, small, tmp_path)


def test_removed_file_leaves_the_store_and_the_outputs(small, tmp_path):
    from mandates.build.pipeline import build

    out = tmp_path / "out"
    build([small], out, jobs=2)
    graph = "https://w3id.org/un-mandates/graph/A-RES-26(I)/zh"
    assert graph in named_graphs(out)
    (small / "A-RES-26(I).zh.txt").unlink()
    r = build([small], out, jobs=2)
    assert (r.rebuilt, r.unchanged) == (0, len(SMALL) - 1)
    assert graph not in named_graphs(out)
    assert graph not in (out / "graph.nq").read_text(encoding="utf-8")
    assert not [p for p in (out / "docs").iterdir() if p.name.startswith("A-RES-26(I)")]
    same_as_clean(out, small, tmp_path)


def test_artefact_changed_since_it_was_built_never_reaches_a_store_loaded_again(small, tmp_path):
    """Earlier builds' N-Quads are loaded without pyoxigraph checking their IRIs again (they
    passed when they were built): one changed since, here given an IRI with a space, is
    refused by its hash, and the message says how to build the document again."""
    from mandates.build.results import BuildError
    from mandates.build.pipeline import build

    out = tmp_path / "out"
    build([small], out, jobs=1)
    nq = next(p for p in (out / "docs").iterdir() if p.name.startswith("A-RES-50-2.") and p.suffix == ".nq")
    text = nq.read_text(encoding="utf-8")
    assert "<https://w3id.org/un-mandates/actor/" in text
    nq.write_text(text.replace("<https://w3id.org/un-mandates/actor/", "<https://w3id.org/un mandates/actor/"),
                  encoding="utf-8")
    shutil.rmtree(out / "store")  # the next build loads the store afresh, from every document
    before = outputs(out)
    with pytest.raises(BuildError, match=f"{re.escape(nq.name)}: .*delete {re.escape(nq.stem)}\\.json"):
        build([small], out, jobs=1)
    assert outputs(out) == before and not (out / "store").exists()
    (out / "docs" / f"{nq.stem}.json").unlink()
    r = build([small], out, jobs=1)
    assert (r.rebuilt, r.exit_code()) == (1, 0)
    same_as_clean(out, small, tmp_path)


def test_artefact_changed_since_it_was_built_never_replaces_a_graph(small, tmp_path):
    """The same when the store is updated graph by graph: a graph the store does not hold as
    recorded is loaded again from its file, which must still be the one built."""
    from mandates.build.pipeline import STORE_STATE, build
    from mandates.build.results import BuildError

    out = tmp_path / "out"
    build([small], out, jobs=1)
    nq = next(p for p in (out / "docs").iterdir() if p.name.startswith("A-RES-50-2.") and p.suffix == ".nq")
    nq.write_text(nq.read_text(encoding="utf-8").replace("<https://w3id.org/un-mandates/actor/",
                                                          "<https://w3id.org/un mandates/actor/"), encoding="utf-8")
    state = json.loads((out / "store" / STORE_STATE).read_text(encoding="utf-8"))
    graph = json.loads((out / "docs" / f"{nq.stem}.json").read_text(encoding="utf-8"))["graph"]
    assert graph in state["graphs"]
    state["graphs"][graph] = "0" * 64
    (out / "store" / STORE_STATE).write_text(json.dumps(state), encoding="utf-8")
    (small / "A-RES-4(I).zh.txt").write_text((small / "A-RES-4(I).zh.txt").read_text(encoding="utf-8") + "\n",
                                             encoding="utf-8")  # something to build
    store_before = quads(out)
    with pytest.raises(BuildError, match=f"{re.escape(nq.name)}: .*delete {re.escape(nq.stem)}\\.json"):
        build([small], out, jobs=1)
    assert quads(out) == store_before
    assert not [p for p in out.iterdir() if p.name.startswith(".store.")]


def _same_graphs(out: Path) -> None:
    """graph.trig holds the named graphs of graph.nq; graph.ttl their union (read by rdflib)."""
    from rdflib import Dataset, Graph
    from rdflib.compare import to_canonical_graph

    graphs = _graphs(out)
    trig = Dataset()
    trig.parse(out / "graph.trig", format="trig")
    got = {str(c.identifier): set(c) for c in trig.graphs() if len(c)}
    assert got == {name: set(g) for name, g in graphs}
    union = Graph()
    for _, g in graphs:
        union += g
    ttl = Graph().parse(out / "graph.ttl", format="turtle")
    assert set(ttl) == set(union)
    assert len(to_canonical_graph(ttl)) == len(union)


def test_outputs_made_side_by_side_equal_a_clean_build(small, tmp_path, monkeypatch):
    """With enough documents the corpus shapes and the view are made in the workers and the
    graph files in a thread while the build process writes the GEXF: the same bytes."""
    from mandates.build import pipeline

    monkeypatch.setattr(pipeline, "PARALLEL_EXPORTS_MIN", 1)
    out = tmp_path / "out"
    r = pipeline.build([small], out, jobs=2)
    assert r.exit_code() == 0
    assert {"corpus shapes", "mandates view", "graph files"} <= set(r.timings)
    same_as_clean(out, small, tmp_path)


def test_side_worker_that_dies_is_replaced_by_the_build_process(small, tmp_path, monkeypatch, capfd):
    """The worker making the corpus shapes and the view dies: the build makes them itself, and
    writes what a clean build writes (no traceback, no half-written output)."""
    from conftest import dies_in_a_worker

    from mandates.build import pipeline

    dies_in_a_worker.__wrapped__ = pipeline._shapes_and_view  # type: ignore[attr-defined]
    monkeypatch.setattr(pipeline, "PARALLEL_EXPORTS_MIN", 1)
    monkeypatch.setattr(pipeline, "_shapes_and_view", dies_in_a_worker)
    out = tmp_path / "out"
    r = pipeline.build([small], out, jobs=2)
    assert r.exit_code() == 0
    assert "making the corpus shapes and the view in this process" in capfd.readouterr().err
    monkeypatch.undo()
    same_as_clean(out, small, tmp_path)


def test_two_files_for_one_graph_load_the_first_alone(small, tmp_path):
    """Two files print the same symbol in the same language: the first (in file order) is built
    into the store, the second is reported; the store loaded while the documents are built
    holds the first one's graph, not both merged."""
    from mandates.build.pipeline import build

    f = small / "A-RES-50-2.en.txt"
    text = f.read_text(encoding="utf-8")
    copy = small / "A-RES-50-2-copy.en.txt"  # before the original in file order
    copy.write_text(text.replace("General Assembly", "General  Assembly", 1), encoding="utf-8")
    out = tmp_path / "out"
    r = build([small], out, jobs=2)
    assert r.exit_code() == 3
    assert [d.path for d in r.failed] == [str(f)] and "already built" in r.failed[0].error
    f.unlink()
    alone = tmp_path / "alone"
    build([small], alone, jobs=1)
    assert quads(out) == quads(alone)


def test_graph_files_hold_the_graphs_of_the_store(corpus_build):
    """The concatenated Turtle/TriG over the whole bundled corpus (language versions sharing
    IRIs, cited resolutions, unlisted actors and instruments) read back as the store's graphs."""
    out, _ = corpus_build
    _same_graphs(out)
    assert set(_graphs(out)) and {name for name, _ in _graphs(out)} == named_graphs(out) - {
        "https://w3id.org/un-mandates/graph/vocabulary"}


def test_graph_files_under_another_base(small, tmp_path):
    """Another base moves every minted IRI (and the graph IRIs)."""
    from mandates.build.pipeline import build

    out = tmp_path / "out"
    build([small], out, base="http://localhost:8000/", jobs=2)
    ttl = (out / "graph.ttl").read_text(encoding="utf-8")
    assert "<http://localhost:8000/doc/A-RES-55-23/pp/1>" in ttl
    _same_graphs(out)


def test_merged_view_is_the_view_of_the_whole_store(corpus_build):
    """mandates.json/csv, merged from per-resolution parts, are what the SPARQL views over the
    whole store give (labels other documents add to shared IRIs included)."""
    from mandates.exports.view import mandates, mandates_csv, to_json
    from mandates.rdf.store import open_store

    out, _ = corpus_build
    view = mandates(open_store(out / "store", read_only=True))
    assert view["disagreements"], "the corpus has language versions that disagree"
    assert (out / "mandates.json").read_text(encoding="utf-8") == to_json(view)
    assert (out / "mandates.csv").read_text(encoding="utf-8") == mandates_csv(view)


def _graphs(out: Path):  # type: ignore[no-untyped-def]
    from rdflib import Dataset, Graph

    ds = Dataset()
    ds.parse(out / "graph.nq", format="nquads")
    graphs = []
    for c in ds.graphs():
        if len(c):
            g = Graph()
            for t in c:
                g.add(t)
            graphs.append((str(c.identifier), g))
    return sorted(graphs, key=lambda x: x[0])


def test_a_second_build_into_the_same_folder_is_refused(small, tmp_path):
    import fcntl

    from mandates.build.results import BuildError
    from mandates.build.pipeline import build

    out = tmp_path / "out"
    (out / "docs").mkdir(parents=True)
    fd = os.open(out / "docs" / ".lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(BuildError, match="another build"):
            build([small], out)
    finally:
        os.close(fd)


def _workers(pid: int) -> list[int]:
    """The worker processes of a build (not multiprocessing's resource tracker)."""
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for c in children:
            try:
                cmd = Path(f"/proc/{c}/cmdline").read_bytes()
            except OSError:
                continue
            if b"spawn_main" in cmd:
                out.append(int(c))
    return out


def _artefacts(out: Path) -> int:
    docs = out / "docs"
    return len([p for p in docs.glob("*.view.json")]) if docs.is_dir() else 0


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc to find worker processes")
def test_killed_build_leaves_the_store_usable_and_resumes(tmp_path, corpus_build):
    """A corpus build with two workers: one worker is killed (the build goes on without it),
    then the build itself (SIGKILL). The store of the previous build stays readable with its
    old content; the next build resumes and gives what a clean build of the corpus gives."""
    folder = tmp_path / "in"
    folder.mkdir()
    for name in SMALL[:2]:
        shutil.copy(CORPUS / name, folder / name)
    out = tmp_path / "out"
    env = {**os.environ, "CI": "true"}
    cmd = [sys.executable, "-m", "mandates.cli", "build", str(folder), "--out", str(out), "--quiet"]
    r = subprocess.run(cmd + ["--jobs", "2"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    before = quads(out)
    for f in sorted(CORPUS.iterdir()):
        if f.suffix in (".txt", ".md"):
            shutil.copy(f, folder / f.name)

    proc = subprocess.Popen(cmd + ["--jobs", "2"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        killed_worker = False
        first: set[int] = set()
        went_on = None  # documents built when the build had new workers
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            n = _artefacts(out)
            if not killed_worker and n >= 3:
                workers = _workers(proc.pid)
                if workers:
                    os.kill(workers[0], signal.SIGKILL)
                    killed_worker, first = True, set(workers)
            # the build noticed (new workers), and they build (they are past their start-up)
            if killed_worker and went_on is None and set(_workers(proc.pid)) - first:
                went_on = n
            if went_on is not None and n >= max(6, went_on + 2):
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the build ended before it could be interrupted:\n" + proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        err = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert killed_worker
    assert "a worker process died" in err  # and the build went on with new workers
    # the previous store is still there, readable, with the previous content
    assert quads(out) == before
    r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    assert "unchanged" in r.stderr
    clean, _ = corpus_build
    for name in ("graph.nq", "graph.ttl", "graph.trig", "mandates.json", "mandates.csv", "shacl-report.ttl"):
        assert (out / name).read_bytes() == (clean / name).read_bytes(), name
    assert quads(out) == quads(clean)
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["built"] == json.loads((clean / "report.json").read_text(encoding="utf-8"))["built"]


def test_progress_bar_only_on_a_terminal(small, tmp_path):
    """A bar on a terminal; none when stderr is a pipe or CI is set (per-document lines instead)."""

    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "mandates.cli", "build", str(small / SMALL[0]), str(small / SMALL[1]),
           "--out", str(out), "--jobs", "1"]
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    # a pipe: lines, no bar
    r = subprocess.run(cmd + ["--force"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "\r" not in r.stderr and f"{SMALL[0]}:" in r.stderr
    # a terminal: the bar
    code, shown = _on_terminal(cmd + ["--force"], env)
    assert code == 0 and "\r[" in shown and "2/2" in shown
    # a terminal in CI: no bar
    code, shown = _on_terminal(cmd + ["--force"], {**env, "CI": "true"})
    assert code == 0 and "\r[" not in shown


def _on_terminal(cmd: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run ``cmd`` with its stderr on a pseudo-terminal: its exit code and what it showed there."""
    import pty

    master, slave = pty.openpty()
    try:
        p = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        p.wait(timeout=300)
    finally:
        os.close(master)
    return p.returncode, b"".join(chunks).decode("utf-8", "replace")


# ---------------------------------------------------------------- validation with the reachable vocabulary


def _damaged(g, seed: int):  # type: ignore[no-untyped-def]
    """A copy of ``g`` with some triples dropped and a wrong value added: it breaks shapes."""
    import random

    from rdflib import Graph, URIRef

    rng = random.Random(seed)
    d = Graph()
    for t in sorted(g):
        if rng.random() > 0.03:
            d.add(t)
    clause = next(s for s in sorted(g.subjects()) if "/c/" in str(s))
    d.add((clause, URIRef("https://w3id.org/un-mandates/ontology#verb"),
           URIRef("https://w3id.org/un-mandates/actor/secretary-general")))
    return d


def test_reachable_vocabulary_gives_the_results_of_the_whole(vocab):
    """Workers validate a document with the part of the vocabulary it reaches; pySHACL gives the
    same results as with the whole vocabulary, on real documents and on damaged ones."""
    from mandates.graph.builder import build_graph
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source
    from mandates.validate.engine import validate
    from mandates.graph.vocabulary import cached_vocabulary_graph
    from mandates.validate.document import reachable_is_exact, vocabulary_for

    base = "https://w3id.org/un-mandates/"
    assert reachable_is_exact(base)
    full = cached_vocabulary_graph(base)
    violations = 0
    # (the seed is itself in the vocabulary, as an instrument: A/RES/74/304; a document that states
    # something about a vocabulary node is validated with the whole vocabulary)
    _, seed = build_graph(extract(read_source(CORPUS / "A-RES-74-303.zh.md"), vocab))
    assert vocabulary_for(seed, base) is full
    for i, name in enumerate(["A-RES-52-2.zh.txt", *SMALL[:3]]):
        _, g = build_graph(extract(read_source(CORPUS / name), vocab))
        for data in (g, _damaged(g, i)):
            part = vocabulary_for(data, base)
            assert 0 < len(part) < len(full)
            a, b = validate(data, vocabulary=full), validate(data, vocabulary=part)
            assert a.conforms == b.conforms, name
            assert [vars(x) for x in a.results] == [vars(x) for x in b.results], name
            violations += len(a.results)
    assert violations > 0


def test_whole_vocabulary_when_the_reduction_would_not_be_exact(vocab, monkeypatch):
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDF, RDFS, SH

    from mandates.validate import document
    from mandates.graph.builder import build_graph
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source

    base = "https://w3id.org/un-mandates/"
    full = document.cached_vocabulary_graph(base)
    _, g = build_graph(extract(read_source(CORPUS / SMALL[0]), vocab))
    # a document that states something about a vocabulary node
    g2 = Graph()
    for t in g:
        g2.add(t)
    g2.add((URIRef(base + "actor/secretary-general"), RDFS.comment, Literal("x")))
    assert document.vocabulary_for(g2, base) is full
    # a vocabulary that does not conform on its own
    bad = Graph()
    for t in full:
        bad.add(t)
    bad.add((URIRef(base + "actor/nameless"), RDF.type, URIRef("https://w3id.org/un-mandates/ontology#Actor")))
    monkeypatch.setattr(document, "cached_vocabulary_graph", lambda b: bad)
    assert document._check_reachable(base) is False
    monkeypatch.undo()
    # shapes with another kind of target
    shapes = Graph()
    for t in document.shapes_graph(base):
        shapes.add(t)
    shapes.add((URIRef("https://w3id.org/un-mandates/shapes#S01-Resolution"), SH.targetNode,
                URIRef(base + "actor/secretary-general")))
    monkeypatch.setattr(document, "shapes_graph", lambda b=base: shapes)
    assert document._check_reachable(base) is False


def test_reference_validator_gives_the_same_outputs(corpus_build, tmp_path):
    """`--validator pyshacl` (pySHACL for every document) writes what the default build (the fast
    engine clears documents without any result) writes, over the whole bundled corpus."""
    from mandates.build.pipeline import build

    out, result = corpus_build
    ref = build([CORPUS], tmp_path / "ref", validator="pyshacl")
    assert [vars(d) for d in ref.documents] == [vars(d) for d in result.documents]
    assert outputs(tmp_path / "ref") == outputs(out)


def test_nodes_with_results_are_validated_by_pyshacl_alone(tmp_path, monkeypatch):
    """A document the fast engine finds a result in (a resolution whose title differs from the
    dcterms:title instruments.ttl gives its symbol: an S01 warning) is validated by pySHACL over
    the nodes with results only, and the build writes what `--validator pyshacl` writes."""
    from mandates.build.pipeline import build
    from mandates.validate import document
    from mandates.validate import engine as v

    text = (ROOT / "tests" / "data" / "A-RES-99-1.en.txt").read_text(encoding="utf-8")
    assert text.startswith("99/1. Test resolution")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "A-RES-50-13.en.txt").write_text(text.replace("99/1.", "50/13.", 1), encoding="utf-8")
    focus: list = []
    reference = v.validate

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        focus.append(kwargs.get("focus"))
        return reference(*args, **kwargs)

    monkeypatch.setattr(v, "validate", spy)  # the corpus shapes
    monkeypatch.setattr(document, "validate", spy)  # a document
    auto = build([folder], tmp_path / "auto", jobs=1)
    assert focus == [["https://w3id.org/un-mandates/doc/A-RES-50-13"]]
    [doc] = auto.documents
    assert [(r["shape"].rsplit("#", 1)[-1], r["severity"]) for r in doc.shacl] == [("S01-Resolution", "Warning")]
    focus.clear()
    ref = build([folder], tmp_path / "ref", jobs=1, validator="pyshacl")
    assert focus == [None, None]  # the document, then the corpus shapes: every node
    assert [vars(d) for d in ref.documents] == [vars(d) for d in auto.documents]
    assert outputs(tmp_path / "ref") == outputs(tmp_path / "auto")


def _orphan_workers() -> set[int]:
    """multiprocessing-spawned processes whose parent is gone (adopted by init)."""
    out = set()
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                cmd, stat = (d / "cmdline").read_bytes(), (d / "stat").read_text()
            except OSError:
                continue
            if b"spawn_main" in cmd and stat.rsplit(")", 1)[1].split()[1] == "1":
                out.add(int(d.name))
    return out


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc to find worker processes")
def test_build_killed_while_its_workers_start_leaves_no_orphans(tmp_path):
    """A worker is killed; the build starts new ones and is killed (SIGKILL) as they appear,
    before they could ask to die with it: they notice and exit, none waits forever."""
    before = _orphan_workers()
    folder = tmp_path / "in"
    folder.mkdir()
    for f in sorted(CORPUS.iterdir()):
        if f.suffix in (".txt", ".md"):
            shutil.copy(f, folder / f.name)
    for trial in range(2):
        out = tmp_path / f"out{trial}"
        proc = subprocess.Popen([sys.executable, "-m", "mandates.cli", "build", str(folder), "--out", str(out),
                                 "--quiet", "--jobs", "2"], cwd=ROOT, env={**os.environ, "CI": "true"},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        first: set[int] | None = None
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            workers = _workers(proc.pid)
            if first is None and workers and _artefacts(out) >= 2:
                os.kill(workers[0], signal.SIGKILL)
                first = set(workers)
            elif first is not None and set(workers) - first:
                os.kill(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.01)
        proc.wait(timeout=30)
        assert first is not None, "the build ended before a worker could be killed"
        time.sleep(3)
        left = _orphan_workers() - before
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert not left, f"trial {trial}: worker processes left behind: {sorted(left)}"
