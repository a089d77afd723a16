"""Make a PDF (headless Chromium) and a Word file (python-docx) of a resolution text, laid out
as the UN prints them, for the tests of PDF and Word input and ``benchmarks/pdf.py``.

The PDF is set line by line in monospaced fonts (so the lines and pages are known here):
a running head with the symbol, the job number, its date code, the bar-code text and page
numbers at the page foot, wrapped lines, superscript footnote markers and the footnotes at
the bottom of the page that cites them, under a rule of underscores. The Word file has one
paragraph per paragraph, bold verb runs and superscript markers, with the footnotes after
the paragraph that cites them.

>>> [(b.kind, b.number, b.text) for b in blocks("大会，\\n\\n1. **欢迎**报告¹；\\n\\n¹ A/74/759。")]
[('para', None, '大会，'), ('para', None, '1. 欢迎报告¹；'), ('note', 1, 'A/74/759。')]
"""

from __future__ import annotations

import html
import re
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
LETTER = {"zh": "C", "en": "E"}  # the language letter of a job number
MASTHEAD = {"zh": [("联 合 国", "SYMBOL"), ("大 会", "Distr.: General"), ("", "11 September 2020"), ("", "Chinese"),
                   ("", "Original: English")],
            "en": [("United Nations", "SYMBOL"), ("General Assembly", "Distr.: General"), ("", "11 September 2020")]}
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--no-pdf-header-footer"]

_NOTE = re.compile(rf"^([{SUPERSCRIPTS}]+)\s*(.*)$")
_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")


@dataclass
class Block:
    kind: str  # para | note
    number: int | None
    runs: list[tuple[str, bool]]  # (text, bold)

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.runs)


def _runs(line: str) -> list[tuple[str, bool]]:
    line = _LINK.sub(r"\1", line)
    parts = line.split("**")
    return [(p, i % 2 == 1) for i, p in enumerate(parts) if p]


def blocks(text: str) -> list[Block]:
    """The paragraphs (one per line) and footnotes (lines opening with a superscript number) of a text."""
    out: list[Block] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        m = _NOTE.match(line)
        if m:
            number = int("".join(str(SUPERSCRIPTS.index(c)) for c in m.group(1)))
            out.append(Block("note", number, _runs(m.group(2))))
        else:
            out.append(Block("para", None, _runs(line)))
    return out


# ---------------------------------------------------------------- PDF


@dataclass
class Layout:
    lang: str
    size: float  # body font size, pt
    pitch: float  # body line pitch, pt
    units: int  # line width in half-em units (zh) or characters (en)
    font: str
    note_size: float = 9.0
    note_pitch: float = 13.0
    left: float = 72.0
    top: float = 96.0
    bottom: float = 770.0  # where the body and the footnotes end
    gap: float = 8.0  # space after a paragraph

    @classmethod
    def of(cls, lang: str) -> Layout:
        if lang == "zh":
            return cls("zh", 12.0, 20.0, 72, '"WenQuanYi Micro Hei Mono"')
        return cls("en", 12.0, 19.0, 62, '"DejaVu Sans Mono"')


def _width(ch: str, lang: str) -> int:
    if ch in SUPERSCRIPTS:
        return 1
    if lang == "zh" and unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    return 1


def wrap(text: str, units: int, lang: str, *, hyphenate: bool = False) -> list[str]:
    """Lines of at most ``units`` (half-em for Chinese, characters for English); English breaks at
    spaces (long words hyphenated when ``hyphenate``), Chinese anywhere.

    >>> wrap("a bb ccc dddd", 6, "en")
    ['a bb', 'ccc', 'dddd']
    >>> wrap("大会欢迎报告", 6, "zh")
    ['大会欢', '迎报告']
    >>> wrap("the development of parliaments", 12, "en", hyphenate=True)
    ['the develop-', 'ment of', 'parliaments']
    """
    lines: list[str] = []
    if lang == "zh":  # anywhere, but not inside a run of Latin letters, digits and dots
        cur, w = "", 0
        for tok in re.findall(r"[A-Za-z0-9./-]+|.", text):
            cw = sum(_width(ch, lang) for ch in tok)
            if w + cw > units and cur:
                lines.append(cur)
                cur, w = "", 0
            cur += tok
            w += cw
        if cur:
            lines.append(cur)
        return lines
    cur = ""
    for word in text.split(" "):
        if not cur:
            cur = word
        elif len(cur) + 1 + len(word) <= units:
            cur += " " + word
        else:
            room = units - len(cur) - 2  # a space and the hyphen
            if hyphenate and word.isalpha() and word.islower() and len(word) >= 8 and room >= 4:
                k = min(room, len(word) - 4)
                lines.append(f"{cur} {word[:k]}-")
                cur = word[k:]
            else:
                lines.append(cur)
                cur = word
    if cur:
        lines.append(cur)
    return lines


def _line_html(line: str) -> str:
    out = []
    for ch in line:
        out.append(f"<sup>{SUPERSCRIPTS.index(ch)}</sup>" if ch in SUPERSCRIPTS else html.escape(ch))
    return "".join(out)


def _markers(line: str) -> list[int]:
    return [int("".join(str(SUPERSCRIPTS.index(c)) for c in m)) for m in re.findall(f"[{SUPERSCRIPTS}]+", line)]


def pdf_html(text: str, *, lang: str, symbol: str, job: str = "20-11627", date_code: str = "110920",
             hyphenate: bool = False) -> str:
    """An HTML rendering of ``text`` in A4 pages, every line placed (see the module's docstring)."""
    lay = Layout.of(lang)
    notes = {b.number: b for b in blocks(text) if b.kind == "note"}
    bold_words: set[str] = set()
    body: list[tuple[str, bool]] = []  # (line, last line of its paragraph)
    for b in blocks(text):
        if b.kind == "para":
            bold_words.update(t for t, bold in b.runs if bold)
            lines = wrap(b.text, lay.units, lang, hyphenate=hyphenate)
            body.extend((ln, i == len(lines) - 1) for i, ln in enumerate(lines))
    note_units = int(lay.units * lay.size / lay.note_size) - 4
    pages: list[tuple[list[tuple[float, str]], list[str]]] = []
    placed: list[tuple[float, str]] = []
    page_notes: list[int] = []
    y = lay.top

    def notes_height(numbers: list[int]) -> float:
        if not numbers:
            return 0.0
        n = sum(len(wrap(notes[k].text, note_units - 3, lang)) for k in numbers if k in notes)
        return 14.0 + n * lay.note_pitch

    cited: set[int] = set()  # a footnote is printed once, on the page that first cites it
    for line, last in body:
        new = [k for k in dict.fromkeys(_markers(line)) if k in notes and k not in cited]
        if y + lay.pitch + notes_height(page_notes + new) > lay.bottom and placed:
            pages.append((placed, page_notes))
            placed, page_notes, y = [], [], lay.top
        placed.append((y, line))
        page_notes.extend(new)
        cited.update(new)
        y += lay.pitch + (lay.gap if last else 0.0)
    pages.append((placed, page_notes))

    css = f"""@page {{ size: 595pt 842pt; margin: 0 }}
body {{ margin: 0; font-family: {lay.font}; font-size: {lay.size}pt }}
.page {{ position: relative; width: 595pt; height: 842pt; overflow: hidden; break-after: page }}
.l {{ position: absolute; white-space: pre; line-height: 1 }}
.n {{ font-size: {lay.note_size}pt }}
sup {{ font-size: 65%; vertical-align: 0.45em; line-height: 0 }}
b {{ font-weight: bold }}"""
    out = [f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><style>{css}</style></head><body>']
    total = len(pages)
    bolds = sorted(bold_words, key=len, reverse=True)
    for k, (lines, numbers) in enumerate(pages, start=1):
        out.append('<div class="page">')
        if k == 1:
            for i, (left, right) in enumerate(MASTHEAD[lang]):  # the first page's masthead, as the UN prints it
                top = 20 + 11 * i
                if left:
                    out.append(f'<div class="l" style="left:{lay.left}pt;top:{top}pt">{left}</div>')
                right = right.replace("SYMBOL", html.escape(symbol))
                out.append(f'<div class="l n" style="left:400pt;top:{top}pt">{right}</div>')
        else:
            x = lay.left if k % 2 == 0 else 430.0
            out.append(f'<div class="l" style="left:{x}pt;top:40pt">{html.escape(symbol)}</div>')
        for y, line in lines:
            h = _line_html(line)
            for w in bolds:  # bold verb runs, as printed
                if line.lstrip().split(" ", 1)[0].rstrip(".").isdigit() and html.escape(w) in h:
                    h = h.replace(html.escape(w), f"<b>{html.escape(w)}</b>", 1)
                    break
            out.append(f'<div class="l" style="left:{lay.left}pt;top:{y:.1f}pt">{h}</div>')
        if numbers:
            ny = lay.bottom - notes_height(numbers) + 4
            out.append(f'<div class="l n" style="left:{lay.left}pt;top:{ny:.1f}pt">{"_" * 20}</div>')
            ny += 14.0
            for n in numbers:
                for i, nl in enumerate(wrap(notes[n].text, note_units - 3, lang)):
                    lead = f"<sup>{n}</sup> " if i == 0 else "   "
                    out.append(f'<div class="l n" style="left:{lay.left}pt;top:{ny:.1f}pt">{lead}{html.escape(nl)}</div>')
                    ny += lay.note_pitch
        code = job.replace("-", "")
        if k == 1:
            out.append(f'<div class="l n" style="left:{lay.left}pt;top:800pt">{job} ({LETTER[lang]})    {date_code}</div>')
            out.append(f'<div class="l" style="left:420pt;top:795pt">*{code}*</div>')
        elif k % 2 == 0:
            out.append(f'<div class="l n" style="left:{lay.left}pt;top:800pt">{k}/{total}</div>')
            out.append(f'<div class="l n" style="left:470pt;top:800pt">{job}</div>')
        else:
            out.append(f'<div class="l n" style="left:{lay.left}pt;top:800pt">{job}</div>')
            out.append(f'<div class="l n" style="left:490pt;top:800pt">{k}/{total}</div>')
        out.append("</div>")
    out.append("</body></html>")
    return "\n".join(out)


def chromium_pdf(html_text: str, out: Path, *, workdir: Path) -> Path:
    """Print an HTML text to ``out`` with headless Chromium."""
    if not CHROMIUM.is_file():
        raise RuntimeError(f"headless Chromium is needed at {CHROMIUM}: apt-get install -y chromium fonts-wqy-microhei")
    workdir.mkdir(parents=True, exist_ok=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    page = workdir / f"{out.stem}.html"
    page.write_text(html_text, encoding="utf-8")
    r = subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={workdir / 'profile'}", f"--print-to-pdf={out}",
                        page.as_uri()], capture_output=True, text=True, timeout=120)
    if r.returncode != 0 or not out.is_file():
        raise RuntimeError(f"chromium failed ({r.returncode}): {r.stderr[-2000:]}")
    return out


def make_pdf(text: str, out: Path, *, lang: str, symbol: str, workdir: Path, hyphenate: bool = False) -> Path:
    """A PDF of ``text`` (see :func:`pdf_html`)."""
    return chromium_pdf(pdf_html(text, lang=lang, symbol=symbol, hyphenate=hyphenate), out, workdir=workdir)


# ---------------------------------------------------------------- Word


def make_docx(text: str, out: Path, *, symbol: str) -> Path:
    """A Word file of ``text``: a paragraph per paragraph, bold runs as printed, superscript
    footnote markers, each footnote after the paragraph that cites it; the symbol in the page header."""
    import docx

    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = symbol
    d.sections[0].footer.paragraphs[0].text = "20-11627 (C)"
    notes = {b.number: b for b in blocks(text) if b.kind == "note"}
    done: set[int] = set()

    def add(runs: list[tuple[str, bool]], lead: int | None = None) -> None:
        p = d.add_paragraph()
        if lead is not None:
            p.add_run(str(lead)).font.superscript = True
            p.add_run(" ")
        for t, bold in runs:
            for piece in re.split(f"([{SUPERSCRIPTS}]+)", t):
                if not piece:
                    continue
                if piece[0] in SUPERSCRIPTS:
                    r = p.add_run("".join(str(SUPERSCRIPTS.index(c)) for c in piece))
                    r.font.superscript = True
                else:
                    r = p.add_run(piece)
                    r.bold = bold or None

    for b in blocks(text):
        if b.kind != "para":
            continue
        add(b.runs)
        for n in _markers(b.text):
            if n in notes and n not in done:
                done.add(n)
                add(notes[n].runs, lead=n)
    d.save(str(out))
    return out


# ---------------------------------------------------------------- files that cannot be read


def scanned_pdf(out: Path, line: str = "The General Assembly,") -> Path:
    """A PDF whose one page is a picture of a line of text (as a scanner makes it): no text layer."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (1240, 1754), "white")
    ImageDraw.Draw(img).text((150, 200), line, fill="black")
    pdf = pdfium.PdfDocument.new()
    page = pdf.new_page(595, 842)
    picture = pdfium.PdfImage.new(pdf)
    picture.set_bitmap(pdfium.PdfBitmap.from_pil(img))
    picture.set_matrix(pdfium.PdfMatrix().scale(595, 842))
    page.insert_obj(picture)
    page.gen_content()
    pdf.save(str(out))
    return out


def encrypted_pdf(out: Path) -> Path:
    """A PDF encrypted with a user password (the standard security handler, revision 2): it
    cannot be opened without the password."""
    body = b"BT /F1 12 Tf 72 720 Td (secret) Tj ET"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream",
            b"<< /Filter /Standard /V 1 /R 2 /P -44 /O <" + b"4f" * 32 + b"> /U <" + b"75" * 32 + b"> >>"]
    data = b"%PDF-1.4\n"
    offsets = []
    for i, o in enumerate(objs, start=1):
        offsets.append(len(data))
        data += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    data += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    data += (b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 5 0 R /ID [<" % (len(objs) + 1) + b"ab" * 16 + b"> <"
             + b"ab" * 16 + b">] >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    out.write_bytes(data)
    return out
