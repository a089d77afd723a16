"""The shapes that need more than one document (ontology/corpus-shapes.ttl).

Fixtures in tests/shapes/: ``C00-valid.ttl`` conforms with no result; ``C##-invalid-NN.ttl``
breaks shape C## and no other. pySHACL is the reference; the fast engine must give the same
results on every fixture (the build may use it only then). A build of two language versions
that disagree fails (exit 1) with the corpus result in report.json; the bundled corpus does not.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph
from rdflib.namespace import SH

from conftest import CORPUS, ROOT

FIXTURES = Path(__file__).resolve().parent / "shapes"
SHAPE = re.compile(r"https://w3id\.org/un-mandates/shapes#(C\d\d)-[A-Za-z]+")
INVALID = sorted(FIXTURES.glob("C[0-9][0-9]-invalid-[0-9][0-9].ttl"))


@pytest.fixture(scope="module")
def shapes() -> Graph:
    from mandates.validate.engine import corpus_shapes_graph

    return corpus_shapes_graph()


def _fired(results) -> set[str]:  # type: ignore[no-untyped-def]
    out = set()
    for r in results:
        m = SHAPE.fullmatch(r.shape)
        out.add(m.group(1) if m else r.shape)
    return out


def _both(path: Path):  # type: ignore[no-untyped-def]
    from mandates.validate.engine import corpus_shapes_graph, fast_validate, validate

    g = Graph().parse(path, format="turtle")
    return (validate(g, vocabulary=Graph(), shapes=corpus_shapes_graph()),
            fast_validate(g, vocabulary=Graph(), corpus=True))


def _key(v):  # type: ignore[no-untyped-def]
    return sorted((r.shape, r.focus, r.path or "", r.message, r.severity) for r in v.results)


def test_catalogue(shapes: Graph) -> None:
    nodes = sorted(str(s) for s in shapes.subjects(RDF.type, SH.NodeShape))
    ids = [SHAPE.fullmatch(s).group(1) for s in nodes]  # type: ignore[union-attr]
    assert ids == [f"C{n:02d}" for n in range(1, len(ids) + 1)]
    for s in shapes.subjects(RDF.type, SH.NodeShape):
        assert {lab.language for lab in shapes.objects(s, RDFS.label)} == {"en", "zh"}, s
        assert shapes.value(s, SH.severity) is not None, s
        for ps in shapes.objects(s, SH.property):
            assert {m.language for m in shapes.objects(ps, SH.message)} == {"en", "zh"}, ps
    # every shape has a fixture that breaks it
    assert {p.name[:3] for p in INVALID} == set(ids)


def test_the_valid_fixture_conforms_with_both_engines() -> None:
    ref, fast = _both(FIXTURES / "C00-valid.ttl")
    assert ref.conforms and not ref.results
    assert fast.conforms and not fast.results


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_each_fixture_breaks_its_shape_alone_in_both_engines(path: Path) -> None:
    ref, fast = _both(path)
    assert ref.results, f"{path.name} breaks nothing"
    assert _fired(ref.results) == {path.name[:3]}
    assert _key(fast) == _key(ref) and fast.conforms == ref.conforms


def test_the_fast_engine_is_allowed_for_these_shapes() -> None:
    from mandates.validate.engine import engine_supports_shapes

    assert engine_supports_shapes()


def _versions(tmp_path: Path, *, en_agenda_item: int | None = None) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("A-RES-55-23.en.txt", "A-RES-55-23.zh.txt"):
        shutil.copy(CORPUS / name, folder / name)
    if en_agenda_item:
        f = folder / "A-RES-55-23.en.txt"
        text = f.read_text(encoding="utf-8")
        assert "Agenda item 32" in text
        f.write_text(text.replace("Agenda item 32", f"Agenda item {en_agenda_item}"), encoding="utf-8")
    return folder


def _build(folder: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mandates.cli", "build", str(folder), "--out", str(out), "--quiet",
                           *extra], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_language_versions_that_agree_conform(tmp_path: Path) -> None:
    r = _build(_versions(tmp_path), tmp_path / "out")
    assert r.returncode == 0, r.stderr
    corpus = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["corpus"]
    assert corpus == {"conforms": True, "results": []}


@pytest.mark.parametrize("validator", ["auto", "pyshacl"])
def test_language_versions_with_different_agenda_items_fail_the_corpus_shapes(tmp_path: Path, validator: str) -> None:
    """Each file alone conforms; together they give one resolution two agenda items."""
    out = tmp_path / "out"
    r = _build(_versions(tmp_path, en_agenda_item=33), out, "--validator", validator)
    assert r.returncode == 1, r.stderr
    assert "corpus-shapes.ttl" in r.stderr and "different agenda items" in r.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert all(d["conforms"] for d in report["documents"])
    [result] = report["corpus"]["results"]
    assert result["shape"].endswith("#C01-Resolution")
    assert result["focus"] == "https://w3id.org/un-mandates/doc/A-RES-55-23"
    assert result["path"] == "https://w3id.org/un-mandates/ontology#agendaItem"
    shacl = Graph().parse(out / "shacl-report.ttl", format="turtle")
    [r] = shacl.subjects(SH.resultPath, None)
    assert str(shacl.value(r, SH.focusNode)) == result["focus"]
    assert False in {c.value for c in shacl.objects(None, SH.conforms)}
    # nothing changed: the verdict is kept, not lost
    again = _build(out.parent / "in", out, "--validator", validator)
    assert again.returncode == 1 and "nothing changed" in again.stderr


def test_the_bundled_corpus_conforms(corpus_build) -> None:  # type: ignore[no-untyped-def]
    out, result = corpus_build
    assert result.corpus["conforms"] is True
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["corpus"]["conforms"] is True
    assert [r for r in report["corpus"]["results"] if r["severity"] == "Violation"] == []
