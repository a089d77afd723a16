"""The command line: exit codes, messages on stderr, no tracebacks, no half-written output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SEED


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mandates.cli", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, timeout=300)


def test_help_and_version():
    r = run("--help")
    assert r.returncode == 0 and "build" in r.stdout
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("mandates ")


def test_no_command_is_a_usage_error():
    r = run()
    assert r.returncode == 2


def test_unknown_option_is_a_usage_error():
    r = run("build", "--frobnicate")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr


def test_bad_base_is_a_usage_error(tmp_path):
    r = run("build", str(SEED), "--out", str(tmp_path / "o"), "--base", "not an iri")
    assert r.returncode == 2
    assert "--base" in r.stderr and "Traceback" not in r.stderr


def test_out_that_is_a_file_is_a_usage_error(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    r = run("build", str(SEED), "--out", str(f))
    assert r.returncode == 2


BAD_INPUTS = [
    ("missing.txt", None, "no such file"),
    ("empty.txt", b"", "empty file"),
    ("binary.txt", bytes(range(256)) * 4, "binary"),
    ("latin1.txt", "caf\xe9 \xff\xfe\xfd r\xe9solution".encode("latin-1") + b"\x80\x81", "UTF-8, UTF-16 or GB18030"),
]


@pytest.mark.parametrize("name,data,message", BAD_INPUTS)
def test_unreadable_input_exits_3_naming_the_file(tmp_path, name, data, message):
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    out = tmp_path / "out"
    r = run("build", str(path), "--out", str(out))
    assert r.returncode == 3, r.stderr
    assert name in r.stderr and message in r.stderr
    assert "Traceback" not in r.stderr


def test_one_bad_file_does_not_stop_the_others(tmp_path):
    corpus = tmp_path / "in"
    corpus.mkdir()
    (corpus / "A-RES-74-303.zh.md").write_bytes(SEED.read_bytes())
    (corpus / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    out = tmp_path / "out"
    r = run("build", str(corpus), "--out", str(out))
    assert r.returncode == 3
    assert "broken.txt" in r.stderr
    assert (out / "mandates.json").exists()
    assert "A/RES/74/303" in (out / "mandates.json").read_text(encoding="utf-8")


def test_build_writes_every_output(tmp_path):
    out = tmp_path / "out"
    r = run("build", str(SEED), "--out", str(out))
    assert r.returncode == 0, r.stderr
    for name in ("graph.trig", "graph.nq", "graph.ttl", "vocabulary.ttl", "shacl-report.ttl", "report.json",
                 "mandates.json", "mandates.csv", "store"):
        assert (out / name).exists(), name
    # no temporary files left behind
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_other_base_moves_every_minted_iri(tmp_path):
    out = tmp_path / "out"
    r = run("build", str(SEED), "--out", str(out), "--base", "http://localhost:8000/")
    assert r.returncode == 0, r.stderr
    nq = (out / "graph.nq").read_text(encoding="utf-8")
    assert "<http://localhost:8000/doc/A-RES-74-304>" in nq
    assert "w3id.org/un-mandates/doc/" not in nq
    assert "w3id.org/un-mandates/actor/" not in nq


def test_symbol_option_names_a_document_without_one(tmp_path):
    text = SEED.read_text(encoding="utf-8").replace("74/303. ", "")
    f = tmp_path / "untitled.md"
    f.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    r = run("build", str(f), "--out", str(out), "--symbol", "A/RES/74/303")
    assert r.returncode == 0, r.stderr
    assert '"symbol": "A/RES/74/303"' in (out / "mandates.json").read_text(encoding="utf-8")
    out2 = tmp_path / "out2"
    r = run("build", str(f), "--out", str(out2))
    assert r.returncode == 0
    assert "LOCAL/untitled" in (out2 / "mandates.json").read_text(encoding="utf-8")
    assert "symbol-from-file-name" in (out2 / "report.json").read_text(encoding="utf-8")
