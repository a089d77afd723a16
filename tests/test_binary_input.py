"""PDF and Word input: the seed laid out as a PDF (headless Chromium) and as a Word file
(python-docx) by ``tests/makedocs.py``, read back by ``mandates build``; files that cannot be
read (scanned, encrypted, damaged, old binary Word) fail alone with a one-line message.

Chromium is required, as for ``tests/test_browser.py``: ``apt-get install -y chromium
fonts-wqy-microhei`` (``.ci/run`` installs it).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import makedocs
from conftest import CORPUS, ROOT, SEED

ENGLISH = CORPUS / "A-RES-55-23.en.txt"


def _need_chromium() -> None:
    fonts = subprocess.run(["fc-list"], capture_output=True, text=True).stdout if makedocs.CHROMIUM.is_file() else ""
    if "WenQuanYi Micro Hei Mono" not in fonts:
        pytest.fail(f"headless Chromium at {makedocs.CHROMIUM} and the font WenQuanYi Micro Hei Mono are needed to make "
                    "the PDFs: apt-get install -y chromium fonts-wqy-microhei", pytrace=False)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The seed as PDF and DOCX, the English text as PDF (with line-end hyphens), each built alone."""
    _need_chromium()
    from mandates.build.pipeline import build

    d = tmp_path_factory.mktemp("binary")
    seed = SEED.read_text(encoding="utf-8")
    files = {
        "pdf": makedocs.make_pdf(seed, d / "A-RES-74-303.zh.pdf", lang="zh", symbol="A/RES/74/303", workdir=d / "w"),
        "docx": makedocs.make_docx(seed, d / "A-RES-74-303.zh.docx", symbol="A/RES/74/303"),
        "en": makedocs.make_pdf(ENGLISH.read_text(encoding="utf-8"), d / "A-RES-55-23.en.pdf", lang="en",
                                symbol="A/RES/55/23", workdir=d / "w", hyphenate=True),
    }
    out = {}
    for k, f in files.items():
        o = d / f"out-{k}"
        out[k] = (f, o, build([f], o, jobs=1))
    out["html_en"] = (d / "w" / "A-RES-55-23.en.html").read_text(encoding="utf-8")
    return out


def _score(out: Path) -> dict:
    proc = subprocess.run([sys.executable, str(ROOT / "tests/eval/score.py"), str(out / "mandates.json"),
                           str(ROOT / "tests/gold/A-RES-74-303.zh.json"), "--json"],
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def _text(out: Path) -> str:
    (doc,) = json.loads((out / "report.json").read_text(encoding="utf-8"))["documents"]
    return (out / doc["text"]).read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_made_file_of_the_seed_scores_against_the_gold(made, kind):
    _, out, result = made[kind]
    assert result.exit_code() == 0, [d.error or d.shacl for d in result.documents]
    report = _score(out)
    assert report["mean_f1"] >= 0.95, report["aspects"]
    assert report["aspects"]["metadata"]["f1"] == 1.0


def _seed_paragraphs() -> list[str]:
    return [b.text for b in makedocs.blocks(SEED.read_text(encoding="utf-8")) if b.kind == "para"]


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_every_paragraph_and_footnote_of_the_seed_is_a_line_of_the_text(made, kind):
    """Wrapped lines joined (no space between Chinese characters), bold runs as plain text,
    footnotes as lines opening with their superscript marker."""
    text = _text(made[kind][1])
    lines = [ln for ln in text.split("\n") if ln]
    missing = [p for p in _seed_paragraphs() if p not in lines]
    assert not missing, missing[:3]
    notes = [b for b in makedocs.blocks(SEED.read_text(encoding="utf-8")) if b.kind == "note"]
    for b in notes:
        assert f"{makedocs.SUPERSCRIPTS[b.number]} {b.text}" in lines, b.text
    assert "**" not in text


def test_page_furniture_is_gone_from_the_pdf_text(made):
    text = _text(made["pdf"][1])
    assert "20-11627" not in text and "2011627" not in text and "110920" not in text  # job number, bar code, date code
    assert not re.search(r"(?m)^\d+/\d+$", text)  # page numbers
    assert not re.search(r"(?m)^A/RES/74/303$", text)  # the running head
    assert "____" not in text  # the footnote rule
    assert text.startswith("联合国 A/RES/74/303\n")  # the masthead's smaller symbol is no footnote marker
    assert text.count("\n⁹ A/74/759。") == 1


def test_offsets_slice_the_extracted_text_the_graph_names(made):
    import hashlib

    import pyoxigraph

    _, out, _ = made["pdf"]
    text = _text(out)
    store = pyoxigraph.Store(str(out / "store"))
    q = """PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX mnd: <https://w3id.org/un-mandates/ontology#>
           SELECT ?s ?e ?x WHERE { ?r oa:hasSelector ?sel ; mnd:exact ?x . ?sel oa:start ?s ; oa:end ?e }"""
    rows = list(store.query(q, use_default_graph_as_union=True))
    assert len(rows) > 300
    for r in rows:
        assert text[int(r["s"].value):int(r["e"].value)] == r["x"].value
    q = """PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX mnd: <https://w3id.org/un-mandates/ontology#>
           SELECT ?name ?sha ?from WHERE { ?act prov:used ?t . ?t prov:wasDerivedFrom ?src ; mnd:sourceFile ?name ;
           mnd:sourceSha256 ?sha . ?src mnd:sourceFile ?from }"""
    ((name, sha, src),) = [(r["name"].value, r["sha"].value, r["from"].value)
                           for r in store.query(q, use_default_graph_as_union=True)]
    assert (name, src) == ("A-RES-74-303.zh.pdf.txt", "A-RES-74-303.zh.pdf")
    assert sha == hashlib.sha256(text.encode("utf-8")).hexdigest()
    view = json.loads((out / "mandates.json").read_text(encoding="utf-8"))
    op24 = next(p for p in view["documents"][0]["paragraphs"] if p["kind"] == "operative" and p["number"] == 24)
    assert text[op24["start"]:op24["end"]].startswith("24. 表示注意到")


def test_the_extracted_text_is_kept_with_the_artefacts(made, tmp_path):
    """A build with nothing changed keeps the text; one without it builds the document again."""
    from mandates.build.pipeline import build

    f = made["docx"][0]
    out = tmp_path / "out"
    build([f], out, jobs=1)
    again = build([f], out, jobs=1)
    assert (again.rebuilt, again.unchanged) == (0, 1)
    (txt,) = (out / "docs").glob("*.txt")
    txt.unlink()
    third = build([f], out, jobs=1)
    assert third.rebuilt == 1 and txt.is_file()


def test_english_pdf_reads_back_with_its_paragraphs_and_clauses(made, vocab):
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source

    pdf, out, result = made["en"]
    assert result.exit_code() == 0
    hyphenated = re.findall(r"([a-z]+)-</div>", made["html_en"])
    assert hyphenated, "the layout should break a word at a line end"
    a, b = extract(read_source(ENGLISH), vocab), extract(read_source(pdf), vocab)

    def shape(doc):
        return [(p.kind, p.number, [c.verb.notation for c in p.clauses]) for p in doc.paragraphs]

    assert shape(b) == shape(a)
    assert (b.header.symbol, b.header.adopted) == (a.header.symbol, a.header.adopted)
    text = read_source(pdf).text
    for head in hyphenated:
        assert not re.search(rf"\b{head}-", text), head  # the word is whole again


def test_binary_word_footnotes_and_list_numbers():
    """Word's own footnotes and list numbering (as UN Word files carry them) are written out."""
    import io
    import zipfile

    from mandates.extract.binary import docx_text

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    doc = (f'<w:document {w}><w:body>'
           '<w:p><w:r><w:t>大会，</w:t></w:r></w:p>'
           '<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="7"/></w:numPr></w:pPr>'
           '<w:r><w:rPr><w:b/></w:rPr><w:t>表示注意到</w:t></w:r><w:r><w:t>秘书长的报告，</w:t></w:r>'
           '<w:r><w:footnoteReference w:id="2"/></w:r><w:r><w:t>并请秘书长提交报告；</w:t></w:r>'
           '<w:del><w:r><w:delText>删去</w:delText></w:r></w:del></w:p>'
           '<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="7"/></w:numPr></w:pPr><w:r><w:t>决定……。</w:t></w:r></w:p>'
           '</w:body></w:document>')
    notes = (f'<w:footnotes {w}><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
             '<w:footnote w:id="2"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> A/74/759。</w:t></w:r></w:p>'
             '</w:footnote></w:footnotes>')
    numbering = (f'<w:numbering {w}><w:abstractNum w:abstractNumId="3"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
                 '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'
                 '<w:num w:numId="7"><w:abstractNumId w:val="3"/></w:num></w:numbering>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", doc)
        z.writestr("word/footnotes.xml", notes)
        z.writestr("word/numbering.xml", numbering)
    assert docx_text(buf.getvalue()).split("\n\n") == [
        "大会，", "1. 表示注意到秘书长的报告，¹并请秘书长提交报告；", "¹ A/74/759。", "2. 决定……。\n"]


def test_a_40_page_pdf_is_read_in_under_a_second(tmp_path):
    """The budget of issue 15 (benchmarks/pdf.py prints the figures): best of three."""
    import time

    import pypdfium2 as pdfium

    from mandates.extract.binary import pdf_text

    _need_chromium()
    seed = SEED.read_text(encoding="utf-8")
    body = seed[seed.index("大会，"):]
    pdf = makedocs.make_pdf(seed + "\n\n" + "\n\n".join([body] * 8), tmp_path / "long.pdf", lang="zh",
                            symbol="A/RES/74/303", workdir=tmp_path / "w")
    data = pdf.read_bytes()
    assert len(pdfium.PdfDocument(data)) >= 40
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        text = pdf_text(data)
        best = min(best, time.perf_counter() - t)
    assert best < 1.0, best
    assert text.count("24. 表示注意到") == 9


def _line(text: str, base: float, size: float, x: float = 72.0) -> list:
    """The characters of one printed line (Chinese a full em wide, the rest half)."""
    from mandates.extract.binary import Char

    out = []
    for ch in text:
        w = size if ord(ch) > 0x2E80 else size / 2
        out.append(Char(ch, x, x + w, base, size, size))
        x += w
    return out


def test_lines_are_paragraphs_by_the_room_they_leave_and_the_space_after_them():
    from mandates.extract.binary import layout, page_lines

    full = "The General Assembly, recalling its resolutions on the cooperation between the United"
    lines = [("A title set narrower than", 760), ("the text of the resolution", 745),  # one title
             (full, 700), ("Nations and the Union,", 685),  # a paragraph wrapped
             ("Noting its earlier resolution,", 670),  # the last line left room: a new one
             (full, 640), ("Nations,", 625)]  # more space than a line's before it
    page = [c for text, base in lines for c in _line(text, base, 12)]
    assert layout([page_lines(page, 0)]).split("\n\n") == [
        "A title set narrower than the text of the resolution", full + " Nations and the Union,",
        "Noting its earlier resolution,", full + " Nations,\n"]


def test_a_footnote_running_on_to_the_next_page_stays_one_footnote():
    from mandates.extract.binary import layout, page_lines

    full = "大会欢迎各国议会联盟为更系统地与联合国开展互动协作所采取的行动，并鼓励两"  # a full line
    page1 = (_line(full, 700, 12) + _line(full, 680, 12) + _line("个组织加强合作；¹", 660, 12)
             + _line("____________________", 120, 9) + _line("¹ 第一行的脚注文字，", 100, 9))
    page2 = (_line("2. 鼓励联合国；", 700, 12) + _line("____________________", 120, 9)
             + _line("接续到下一页。", 100, 9))
    text = layout([page_lines(page1, 0), page_lines(page2, 1)])
    assert text.split("\n\n") == [full + full + "个组织加强合作；¹", "¹ 第一行的脚注文字，接续到下一页。",
                                    "2. 鼓励联合国；\n"]


# ---------------------------------------------------------------- files that cannot be read


def test_unreadable_files_fail_alone_with_one_line_each(tmp_path):
    """Scanned, encrypted and damaged PDFs and an old .doc: exit 3, one line naming each file
    and what to do, no traceback; the other file is built."""
    bad = {
        "scanned.pdf": makedocs.scanned_pdf(tmp_path / "scanned.pdf"),
        "locked.pdf": makedocs.encrypted_pdf(tmp_path / "locked.pdf"),
        "damaged.pdf": tmp_path / "damaged.pdf",
        "old.doc": tmp_path / "old.doc",
        "broken.docx": tmp_path / "broken.docx",
        "sheet.docx": tmp_path / "sheet.docx",
        "saved-as-rtf.doc": tmp_path / "saved-as-rtf.doc",
    }
    bad["damaged.pdf"].write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> trailing garbage")
    bad["old.doc"].write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504 + b"WordDocument")
    bad["broken.docx"].write_bytes(b"PK\x03\x04" + b"\0" * 60)
    with zipfile.ZipFile(bad["sheet.docx"], "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    bad["saved-as-rtf.doc"].write_bytes(b"{\\rtf1\\ansi The General Assembly,}")
    good = CORPUS / "A-RES-52-19.zh.txt"
    out = tmp_path / "out"
    r = subprocess.run([sys.executable, "-m", "mandates.cli", "build", *map(str, bad.values()), str(good),
                        "--out", str(out), "--jobs", "1"], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert r.returncode == 3, r.stderr
    assert "Traceback" not in r.stderr
    expect = {"scanned.pdf": "OCR", "locked.pdf": "password", "damaged.pdf": "damaged", "old.doc": ".docx",
              "broken.docx": "damaged", "sheet.docx": "without a Word document", "saved-as-rtf.doc": "RTF"}
    for name, hint in expect.items():
        lines = [ln for ln in r.stderr.splitlines() if name in ln]
        assert len(lines) == 1 and hint in lines[0], (name, r.stderr)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    built = [d["path"] for d in report["documents"] if not d["error"]]
    assert built == [str(good)]
