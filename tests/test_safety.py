"""A build never loses a good build, never crashes and never hangs, whatever it is given.

Each case runs the real command line in a child process (as a user does) and checks its exit
code, its message, and that an earlier build in the output folder is untouched when it should be.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT, SEED

OUTPUTS = ("graph.nq", "graph.trig", "graph.ttl", "vocabulary.ttl", "shacl-report.ttl", "report.json",
           "mandates.json", "mandates.csv", "mandates.gexf")
SMALL = ["A-RES-52-2.zh.txt", "A-RES-55-10.zh.txt"]


def run(*args: str, timeout: float = 300, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mandates.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=timeout, env={**os.environ, **(env or {})})


def sums(out: Path) -> dict[str, str]:
    """The bytes of every output of a build, and the graphs of its store."""
    from mandates.rdf.store import graph_names, open_built

    found = {n: hashlib.sha256((out / n).read_bytes()).hexdigest() for n in OUTPUTS}
    store = open_built(out)
    found["store"] = ",".join(sorted(graph_names(store)))
    del store
    return found


@pytest.fixture()
def good(tmp_path):
    """A folder with two resolutions, one in a sub-folder, built into ``out``."""
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / SMALL[0]).write_bytes((CORPUS / SMALL[0]).read_bytes())
    (src / "sub" / SMALL[1]).write_bytes((CORPUS / SMALL[1]).read_bytes())
    out = tmp_path / "out"
    r = run("build", str(src), "--out", str(out), "-j", "1")
    assert r.returncode == 0, r.stderr
    return src, out, sums(out)


def test_folders_are_searched_recursively_and_skipped_files_are_named(good, tmp_path):
    src, out, _ = good
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["built"] == 2
    (src / "notes").write_text("x", encoding="utf-8")
    (src / "table.tsv").write_text("x", encoding="utf-8")
    r = run("build", str(src), "--out", str(tmp_path / "flat"), "--no-recursive", "-j", "1")
    assert r.returncode == 0, r.stderr
    assert f"skipped {src / 'sub'}: a sub-folder" in r.stderr
    assert f"skipped {src / 'notes'}: no file extension" in r.stderr
    assert f"skipped {src / 'table.tsv'}: not a resolution file (.tsv" in r.stderr
    assert json.loads((tmp_path / "flat" / "report.json").read_text(encoding="utf-8"))["built"] == 1


def test_a_symbolic_link_loop_is_reported_not_followed(good, tmp_path):
    src, _, _ = good
    (src / "sub" / "back").symlink_to(src, target_is_directory=True)
    r = run("build", str(src), "--out", str(tmp_path / "o"), "-j", "1", timeout=120)
    assert r.returncode == 0, r.stderr
    assert f"skipped {src / 'sub' / 'back'}: a symbolic link to a folder it is in (a loop)" in r.stderr


# what could wipe a good build: (arguments besides --out, expected exit code, phrase of the message)
NOTHING_BUILT = {
    "missing path": (["nothere"], 3, "no such file or folder: nothere"),
    "folder of empty folders": (["{empty}"], 3, "no resolution file found"),
    "unreadable file only": (["{binary}"], 3, "binary data"),
    "named pipe": (["{fifo}"], 3, "a named pipe, not a regular file"),
    "device": (["{zero}"], 3, "a character device, not a regular file"),
    "over the size limit": (["{sparse}"], 3, "larger than the"),
    "bad symbol": (["{seed}", "--symbol", 'A/RES/74/303"'], 2, "is not a General Assembly resolution symbol"),
    "symbol with braces": (["{seed}", "--symbol", "A/RES/74/{303}"], 2, "give one such as A/RES/74/303"),
    "symbol in Chinese words": (["{seed}", "--symbol", "大会第74/303号决议"], 2, "is not a General Assembly"),
    "bad base": (["{seed}", "--base", "no iri"], 2, "--base"),
}


@pytest.mark.parametrize("case", sorted(NOTHING_BUILT))
def test_a_run_that_builds_nothing_leaves_the_earlier_build_untouched(good, tmp_path, case):
    _, out, before = good
    args, code, phrase = NOTHING_BUILT[case]
    (tmp_path / "empty" / "a" / "b").mkdir(parents=True)
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 8)
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    with (tmp_path / "sparse.txt").open("wb") as f:
        f.truncate(6 << 30)  # 6 GB, none of it on disk: never read
    names = {"empty": tmp_path / "empty", "binary": tmp_path / "binary.txt", "fifo": tmp_path / "pipe.txt",
             "zero": tmp_path / "zero.txt", "sparse": tmp_path / "sparse.txt", "seed": SEED}
    args = [str(names[a[1:-1]]) if a[1:-1] in names else a for a in args]
    r = run("build", *args, "--out", str(out), "-j", "1", timeout=60)
    assert r.returncode == code, r.stderr
    assert phrase in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) <= 4
    assert sums(out) == before


def test_an_empty_build_is_written_only_when_asked(good, tmp_path):
    _, out, _ = good
    (tmp_path / "none").mkdir()
    r = run("build", str(tmp_path / "none"), "--out", str(out), "--allow-empty", "-j", "1")
    assert r.returncode == 0, r.stderr
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["built"] == 0
    assert (out / "graph.nq").read_bytes() == b""


def test_a_file_that_cannot_be_read_now_keeps_its_earlier_build(good):
    src, out, before = good
    (src / SMALL[0]).write_bytes(bytes(range(256)) * 8)  # damaged since the last build
    r = run("build", str(src), "--out", str(out), "-j", "1")
    assert r.returncode == 3, r.stderr
    assert "earlier build is kept" in (out / "report.json").read_text(encoding="utf-8")
    assert sums(out)["store"] == before["store"]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    kept = [d for d in report["documents"] if d["path"] == str(src / SMALL[0])]
    assert [(d["symbol"], d["error"]) for d in kept] == [("A/RES/52/2", None)]
    graphs = {line.rsplit(" ", 2)[-2] for line in (out / "graph.nq").read_text(encoding="utf-8").splitlines()}
    assert "<https://w3id.org/un-mandates/graph/A-RES-52-2/zh>" in graphs


def test_an_output_folder_that_cannot_be_written_is_a_usage_error():
    r = run("build", str(SEED), "--out", "/proc/mandates-cannot-be-here", "-j", "1")
    assert r.returncode == 2
    assert "--out /proc/mandates-cannot-be-here: cannot be written" in r.stderr
    assert "Traceback" not in r.stderr


def test_each_file_line_says_what_happened(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / SMALL[1]).write_bytes((CORPUS / SMALL[1]).read_bytes())  # two paragraphs without a verb
    (src / "A-RES-55-10.copy.zh.txt").write_bytes((CORPUS / SMALL[1]).read_bytes())  # the same resolution again
    (src / SMALL[0]).write_bytes((CORPUS / SMALL[0]).read_bytes())
    r = run("build", str(src), "--out", str(tmp_path / "o"), "-j", "1")
    lines = {line.split(": ", 1)[0].strip(): line.split(": ", 1)[1] for line in r.stderr.splitlines()
             if line.startswith("  ")}
    assert r.returncode == 3
    first, copy = str(src / "A-RES-55-10.copy.zh.txt"), str(src / SMALL[1])
    assert lines[first].endswith("see report.json") and "warnings (" in lines[first]
    assert lines[copy].startswith("failed (") and "already built" in lines[copy]
    assert " ok" not in lines[copy]


def test_an_internal_error_is_one_line_and_its_own_exit_code():
    code = "import sys; from mandates import cli; cli.main = lambda: 1 / 0; cli.run()"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 4
    assert r.stderr.startswith("mandates: internal error (ZeroDivisionError") and "report" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.splitlines()) == 1


def test_help_shows_every_default():
    for command, options in {"serve": ("--port", "--timeout", "--memory", "--max-rows", "--queries", "--queue",
                                       "--connections", "--per-client", "--request-deadline"), "query": ("--format",)}.items():
        text = " ".join(run(command, "--help").stdout.split())
        described = text.split("options:", 1)[1]  # (past the usage line)
        for option in options:
            assert option in described
            after = described.split(option, 1)[1].split(" --", 1)[0]
            assert "default" in after, (command, option, after)


def test_outputs_do_not_depend_on_the_hash_seed(tmp_path):
    """Two builds in two processes with different hash seeds write the same bytes."""
    src = tmp_path / "in"
    src.mkdir()
    for name in ["A-RES-74-303.zh.md", "A-RES-74-304.en.txt", *SMALL]:
        (src / name).write_bytes((CORPUS / name).read_bytes())
    got = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        r = run("build", str(src), "--out", str(out), "-j", "2", env={"PYTHONHASHSEED": seed})
        assert r.returncode == 0, r.stderr
        got.append({n: (out / n).read_bytes() for n in OUTPUTS})
    assert got[0] == got[1]


# ---------------------------------------------------------------- what a text loses in conversion


def _seed_without_operative(first: int, last: int) -> str:
    """The seed with its operative paragraphs ``first``..``last`` cut out (as a conversion may)."""
    import re

    text = SEED.read_text(encoding="utf-8")
    start = re.search(rf"(?m)^{first}\. ", text).start()
    end = re.search(rf"(?m)^{last + 1}\. ", text).start()
    return text[:start] + text[end:]


def _extract(path: Path):  # type: ignore[no-untyped-def]
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source
    from mandates.vocab.concepts import load

    return extract(read_source(path), load())


def test_a_gap_in_the_numbering_keeps_the_paragraphs_after_it_and_is_reported(tmp_path):
    path = tmp_path / "A-RES-74-303.zh.md"
    path.write_text(_seed_without_operative(3, 6), encoding="utf-8")
    doc = _extract(path)
    ops = [p.number for p in doc.paragraphs if p.kind == "operative"]
    assert ops == [1, 2, *range(7, 25)]
    seven = next(p for p in doc.paragraphs if p.kind == "operative" and p.number == 7)
    assert seven.clauses and doc.text[seven.span[0]:seven.span[0] + 2] == "7."
    gaps = [i for i in doc.issues if i.code == "numbering-gap"]
    assert [(i.where, i.severity) for i in gaps] == [("op/7", "warning")] and "3–6 missing" in gaps[0].message


def test_carriage_returns_alone_are_line_endings(tmp_path):
    path = tmp_path / "A-RES-74-303.zh.md"
    path.write_bytes(SEED.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
    doc, seed = _extract(path), _extract(SEED)
    assert doc.header.symbol == seed.header.symbol == "A/RES/74/304"
    assert sum(p.kind == "operative" for p in doc.paragraphs) == 24
    assert [len(p.clauses) for p in doc.paragraphs] == [len(p.clauses) for p in seed.paragraphs]
    assert any(i.code == "line-endings" for i in doc.issues)


def test_control_characters_never_reach_the_graph(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    cut = text.index("\n", 2000)  # past the first 4 KB (which decide text or binary)
    assert len(text[:cut].encode("utf-8")) > 4096
    path = tmp_path / "A-RES-74-303.zh.md"
    path.write_text(text[:cut] + "\x00\x01\x1b" + text[cut:], encoding="utf-8")
    out = tmp_path / "o"
    r = run("build", str(path), "--out", str(out), "-j", "1")
    assert r.returncode == 0, r.stderr
    nq = (out / "graph.nq").read_bytes()
    assert b"\x00" not in nq and b"\x01" not in nq and b"\x1b" not in nq
    assert "control-characters" in (out / "report.json").read_text(encoding="utf-8")


def test_html_markup_stays_out_of_quoted_texts(tmp_path):
    import html

    paras = SEED.read_text(encoding="utf-8").replace("**", "").split("\n\n")
    body = "".join(f"<p>{html.escape(p).replace('鼓励', '<b>鼓励</b>', 1)}</p>\n" for p in paras)
    path = tmp_path / "A-RES-74-303.zh.html"
    path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    out = tmp_path / "o"
    assert run("build", str(path), "--out", str(out), "-j", "1").returncode == 0
    view = json.loads((out / "mandates.json").read_text(encoding="utf-8"))
    texts = [c["text"] for d in view["documents"] for p in d["paragraphs"] for c in p["clauses"]]
    texts += [p["text"] for d in view["documents"] for p in d["paragraphs"]]
    assert len(texts) > 80 and not any("<" in t or "&lt;" in t or "**" in t for t in texts)


def test_text_after_the_closing_lines_is_reported(tmp_path):
    path = tmp_path / "two.zh.md"
    path.write_text(SEED.read_text(encoding="utf-8") + "\n\n" + SEED.read_text(encoding="utf-8"), encoding="utf-8")
    doc = _extract(path)
    assert [i.code for i in doc.issues if i.code == "text-after-closing"] == ["text-after-closing"]
    assert not any(i.code == "text-after-closing" for i in _extract(SEED).issues)


def test_a_long_one_line_text_builds_in_bounded_time_and_memory(tmp_path):
    """The seed repeated on one line to 4.7 MB: linear work (about 10 s here) and a peak
    memory that is a small multiple of the text (measured in a process of its own)."""
    one = SEED.read_text(encoding="utf-8").replace("\n", " ") + " "
    path = tmp_path / "long.zh.txt"
    path.write_text(one * (4_700_000 // len(one.encode("utf-8")) + 1), encoding="utf-8")
    assert path.stat().st_size > 4_600_000
    build = [sys.executable, "-m", "mandates.cli", "build", str(path), "--out", str(tmp_path / "o"), "-j", "1"]
    measure = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
               "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    r = subprocess.run([sys.executable, "-c", measure, *build], capture_output=True, text=True, timeout=240, cwd=ROOT)
    code, peak_kb = map(int, r.stdout.split())
    assert code == 0, r.stderr[-2000:]
    assert peak_kb < 1_000_000, f"peak {peak_kb} KB for a 4.7 MB text"
    assert "text-after-closing" in (tmp_path / "o" / "report.json").read_text(encoding="utf-8")
