"""The text of a PDF (its text layer) or a Word file (.docx), as the segmenter reads a text file.

Pure functions from bytes to text; no RDF. The text is what offsets point into: the build
writes it beside the document's artefacts.

PDF (pypdfium2, ``benchmarks/pdf.py`` says why): the characters of each page with their
positions and sizes are set into lines (superscript digits become ``¹²³``); the running
heads and feet (a line at the same place on several pages, job numbers such as
``20-11627 (C)``, date codes, bar-code text, page numbers) are dropped; the footnotes at a
page's foot (below a rule, or in a smaller size, opening with their number) become lines
``¹ text`` after the paragraph that runs at the foot of the page; the lines of a paragraph
are joined (nothing between Chinese characters, a space between words, an English
line-end hyphen dropped where the document writes the word without it elsewhere) and
paragraphs are separated by a blank line. A line ends a paragraph when the space after it
would have held the first word of the next line, or when more space than a line's follows it.

Word (.docx): the paragraphs of the body in order, runs read as plain text (bold or not),
superscript digits and footnote references as ``¹²³``, each footnote's text after the
paragraph that cites it, list numbering written out ("1.", "(a)").
"""

from __future__ import annotations

import ctypes
import io
import re
import statistics
import zipfile
from dataclasses import dataclass

from lxml import etree

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_XML = 200 * 2**20  # bytes of a Word file's parts unpacked


class BinaryInputError(Exception):
    """A file cannot be read; the message says why and what to do (the caller names the file)."""


def kind(data: bytes, suffix: str = "") -> str | None:
    """``pdf``, ``docx``, ``ole2`` (old binary Word, or an encrypted Office file) or ``rtf``
    from the bytes (the suffix decides only for a ``.pdf``/``.docx``/``.doc`` that is none of
    them); None for text.

    >>> kind(b"%PDF-1.7 ..."), kind(b"PK\\x03\\x04...", ".docx"), kind(OLE2 + b"..."), kind("大会".encode())
    ('pdf', 'docx', 'ole2', None)
    >>> kind(b"A text about the %PDF-1.7 header"), kind(b"{\\\\rtf1\\\\ansi ...", ".doc")
    (None, 'rtf')
    """
    head = data[:1024]
    if data.startswith(b"%PDF-") or (b"%PDF-" in head and suffix.lower() == ".pdf"):
        return "pdf"
    if data.startswith(b"{\\rtf"):
        return "rtf"
    if data.startswith(OLE2):
        return "ole2"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    s = suffix.lower()
    if s == ".pdf":
        return "pdf"
    if s in (".docx", ".doc"):
        return "docx" if s == ".docx" else "ole2"
    return None


def extract(data: bytes, what: str) -> str:
    """The text of a file of kind ``what`` (see :func:`kind`).

    Raises:
        BinaryInputError: no text layer, encrypted, damaged, or an old binary Word file.
    """
    if what == "pdf":
        return pdf_text(data)
    if what == "docx":
        return docx_text(data)
    if what == "rtf":
        raise BinaryInputError("an RTF file, which is not read; save it as .docx or PDF and build that")
    if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data:
        raise BinaryInputError("an encrypted Word file; save it without a password (or as PDF) and build that")
    raise BinaryInputError("an old binary Word file (.doc), which is not read; save it as .docx or PDF "
                           "(e.g. libreoffice --headless --convert-to docx) and build that")


# ---------------------------------------------------------------- PDF: characters to lines


@dataclass(slots=True)
class Char:
    ch: str
    x0: float  # the left and right of its advance (PDF points)
    x1: float
    base: float  # its baseline (PDF y grows upwards)
    size: float  # its size (compared with others': superscripts, footnotes)
    em: float  # its height from descent to ascent (PDF points)


@dataclass(slots=True)
class Line:
    chars: list[Char]
    base: float
    size: float
    em: float
    page: int
    text: str = ""
    x0: float = 0.0
    x1: float = 0.0
    first_width: float = 0.0  # the width of its first word (or Chinese character)


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF or 0x20000 <= o <= 0x2FFFF
            or 0x3000 <= o <= 0x303F or ch in "“”‘’…—")


def _page_chars(page) -> list[Char]:  # type: ignore[no-untyped-def]
    """A page's characters from PDFium's text page (two calls a character: its loose box, from
    the font's advance, ascent and descent, and its origin; its size is the box's height)."""
    import pypdfium2.raw as raw

    textpage = page.get_textpage()
    try:
        tp = textpage.raw
        n = raw.FPDFText_CountChars(tp)
        text = textpage.get_text_range(0, n) if n else ""
        if len(text) != n:  # characters outside the BMP: one at a time
            text = "".join(chr(raw.FPDFText_GetUnicode(tp, i)) for i in range(n))
        out: list[Char] = []
        rect = raw.FS_RECTF()
        ox, oy = ctypes.c_double(), ctypes.c_double()
        box, origin = raw.FPDFText_GetLooseCharBox, raw.FPDFText_GetCharOrigin
        rr, oxr, oyr = ctypes.byref(rect), ctypes.byref(ox), ctypes.byref(oy)
        for i, ch in enumerate(text):
            if ch in "\r\n\x00":
                continue
            box(tp, i, rr)
            origin(tp, i, oxr, oyr)
            em = rect.top - rect.bottom
            left, right = rect.left, rect.right
            out.append(Char(ch, left, right if right > left else left, oy.value, em, em))
        return out
    finally:
        textpage.close()


def page_lines(chars: list[Char], page: int) -> list[Line]:
    """Characters grouped into lines by baseline (a raised smaller digit joins the line it is
    raised above), top to bottom, each line's characters left to right."""
    lines: list[Line] = []
    last: Line | None = None
    for c in chars:
        if last is not None and abs(c.base - last.base) <= 0.25 * (c.em if c.em > last.em else last.em):
            last.chars.append(c)  # (the common case: the next character of the same line)
            if c.size > last.size and not c.ch.isspace():
                last.size, last.base, last.em = c.size, c.base, c.em
            continue
        home = None
        for ln in reversed(lines[-6:]):
            if abs(c.base - ln.base) <= 0.25 * max(c.em, ln.em):
                home = ln
            elif c.size < 0.85 * ln.size and 0 < c.base - ln.base < 0.7 * ln.em:
                home = ln  # a superscript
            elif ln.size < 0.85 * c.size and 0 < ln.base - c.base < 0.7 * c.em and all(
                    x.size < 0.85 * c.size for x in ln.chars if not x.ch.isspace()):
                home = ln  # the line so far is a superscript of this character
                ln.base, ln.size, ln.em = c.base, c.size, c.em
            if home is not None:
                break
        if home is None:
            if c.ch.isspace():
                continue
            home = Line([], c.base, c.size, c.em, page)
            lines.append(home)
        home.chars.append(c)
        if c.size > home.size and not c.ch.isspace():
            home.size, home.base, home.em = c.size, c.base, c.em
        last = home
    lines.sort(key=lambda ln: -ln.base)
    for ln in lines:
        _set_text(ln)
    return [ln for ln in lines if ln.text]


def _set_text(ln: Line) -> None:
    solid = sorted((c for c in ln.chars if not c.ch.isspace()), key=lambda c: c.x0)
    if not solid:
        return
    spaces = sorted(c.x0 for c in ln.chars if c.ch.isspace())
    # footnote markers: runs of at most three smaller raised digits (not a smaller raised "A/RES/74/303")
    raised = [c.size < 0.85 * ln.size and c.base - ln.base > 0.1 * ln.em for c in solid]
    marker = [False] * len(solid)
    i = 0
    while i < len(solid):
        if not raised[i]:
            i += 1
            continue
        j = i
        while j < len(solid) and raised[j]:
            j += 1
        if j - i <= 3 and all(c.ch in "0123456789" for c in solid[i:j]):
            marker[i:j] = [True] * (j - i)
        i = j
    out: list[str] = []
    prev: Char | None = None
    k = 0
    for i, c in enumerate(solid):
        ch = c.ch
        if ch in "\ufffe\x02":  # PDFium's mark of a hyphen at a line end
            ch = "-"
        if marker[i]:
            ch = SUPERSCRIPTS[int(ch)]
        if prev is not None:
            spaced = False
            while k < len(spaces) and spaces[k] < c.x0 - 0.01:
                spaced = spaced or spaces[k] >= prev.x0
                k += 1
            gap = c.x0 - prev.x1
            if (spaced or gap > 0.2 * ln.em) and not (_is_cjk(prev.ch) and _is_cjk(c.ch) and gap < 0.6 * ln.em):
                out.append(" ")
        out.append(ch)
        prev = c
    ln.text = "".join(out).strip()
    ln.x0, ln.x1 = solid[0].x0, max(c.x1 for c in solid)
    first = solid[0]
    end = first.x1
    if not _is_cjk(first.ch):
        for c in solid[1:]:
            if c.x0 - end > 0.15 * ln.em or _is_cjk(c.ch):
                break
            end = c.x1
    ln.first_width = end - first.x0


# ---------------------------------------------------------------- PDF: page furniture and footnotes

_FURNITURE_TOKEN = re.compile(r"\d{2}-\d{5}|\(\s?[A-Z]\s?\)|\d{6}|\*\d{5,9}\*|\d{1,4}(?:\s?/\s?\d{1,4})?|-\s?\d{1,4}\s?-")
_RULE = re.compile(r"[_\-—–‐─━ ]{5,}")
_NOTE_START = re.compile(rf"^(?:(?P<sup>[{SUPERSCRIPTS}]{{1,3}})|(?P<num>\d{{1,3}})(?=\s))\s*(?P<body>.*)$")


def _fold(text: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))


def _tokens_are_furniture(text: str) -> bool:
    parts = re.split(r"\s{1,}(?=\S)", text.strip())
    joined = " ".join(parts)
    pos = 0
    for m in _FURNITURE_TOKEN.finditer(joined):
        if joined[pos:m.start()].strip():
            return False
        pos = m.end()
    return not joined[pos:].strip() and pos > 0


def _furniture(pages: list[list[Line]]) -> set[int]:
    """``id`` of the lines that are running heads or feet: at the top or foot of a page, page
    numbers, job numbers, date codes and bar-code text, or a line found at the same place on
    another page, or (with a digit in it, as a symbol has) within another page's top or foot line."""
    edge: dict[tuple[str, int], set[int]] = {}
    bands: list[list[str]] = []
    for k, lines in enumerate(pages):
        band = lines[:3] + lines[-4:]
        bands.append([" " + " ".join(ln.text.split()) + " " for ln in band])
        for ln in band:
            edge.setdefault((_fold(ln.text), round(ln.base / 4)), set()).add(k)
    repeated = {key for key, ps in edge.items() if len(ps) >= 2}
    out: set[int] = set()
    for k, lines in enumerate(pages):
        others = [t for j, b in enumerate(bands) if j != k for t in b]

        def furniture(ln: Line) -> bool:
            if ln.text[:1] in SUPERSCRIPTS:
                return False
            if _tokens_are_furniture(ln.text) or (_fold(ln.text), round(ln.base / 4)) in repeated:
                return True
            words = " " + " ".join(ln.text.split()) + " "
            return any(ch.isdigit() for ch in words) and len(words) > 5 and any(words in t for t in others)

        for seq in (lines[:3], list(reversed(lines[-4:]))):
            for ln in seq:
                if not furniture(ln):
                    break
                out.add(id(ln))
    return out


def _split_notes(lines: list[Line], body_size: float) -> tuple[list[Line], list[Line]]:
    """A page's body lines and its footnote lines (below a rule, or a run of smaller lines at the
    foot opening with a footnote number)."""
    for k in range(len(lines) - 1, -1, -1):
        if _RULE.fullmatch(lines[k].text) and k >= 1:
            return lines[:k], lines[k + 1:]
    k = len(lines)
    while k > 0 and lines[k - 1].size <= 0.88 * body_size:
        k -= 1
    if k < len(lines) and _NOTE_START.match(lines[k].text):
        return lines[:k], lines[k:]
    return lines, []


def _superscript(n: str) -> str:
    return "".join(SUPERSCRIPTS[int(d)] for d in n)


def _notes(lines: list[Line], join) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    """The text continuing the previous page's last footnote, and the footnotes opening here."""
    notes: list[list[str]] = []
    carried: list[str] = []
    for ln in lines:
        m = _NOTE_START.match(ln.text)
        if m and (m.group("sup") or not notes or ln.x0 < min(x.x0 for x in lines) + 0.5 * ln.em):
            marker = m.group("sup") or _superscript(m.group("num"))
            notes.append([f"{marker} {m.group('body').strip()}"])
        elif notes:
            notes[-1].append(ln.text)
        else:
            carried.append(ln.text)
    return join(carried), [join(parts) for parts in notes]


# ---------------------------------------------------------------- PDF: lines to paragraphs

_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")


class _Joiner:
    """Joins the lines of a paragraph; knows the document's words (for line-end hyphens)."""

    def __init__(self, text: str):
        self.words = set(_WORD.findall(text))
        self.cjk = sum(map(_is_cjk, text)) * 4 > len(text)  # Chinese: no break between Latin letters

    def pair(self, a: str, b: str) -> str:
        if not a:
            return b
        if not b:
            return a
        if self.cjk and not (a[-1].isalnum() and b[0].isalnum()):
            return a + b
        if a[-1] == "\xad":  # a soft hyphen: the word goes on
            return a[:-1] + b
        if _is_cjk(a[-1]) or _is_cjk(b[0]):
            return a + b
        if a[-1] in "-‐" and len(a) > 1 and a[-2].isalpha() and b[0].isalpha():
            head = re.search(r"[A-Za-z]+$", a[:-1])
            tail = re.match(r"[A-Za-z]+", b)
            if head and tail and b[0].islower():
                joined, kept = head.group(0) + tail.group(0), f"{head.group(0)}-{tail.group(0)}"
                if joined in self.words and kept not in self.words:
                    return a[:-1] + b
            return a + b
        return a + " " + b

    def __call__(self, parts: list[str]) -> str:
        out = ""
        for p in parts:
            out = self.pair(out, p)
        return out


def _paragraphs(body: list[Line], notes_after: dict[int, list[str]], join: _Joiner) -> list[str]:
    """Body lines (all pages, in order) into paragraphs; each page's footnotes after the
    paragraph running at its foot (``notes_after``: index of a page's last body line -> notes)."""
    if not body:
        return [n for ns in notes_after.values() for n in ns]
    em = statistics.median(ln.em for ln in body)
    steps = [a.base - b.base for a, b in zip(body, body[1:])
             if a.page == b.page and 0.8 * em < a.base - b.base < 2.5 * em]
    pitch = statistics.median(steps) if steps else 1.3 * em
    ends = sorted(ln.x1 for ln in body)
    right = ends[int(0.9 * (len(ends) - 1))]
    out: list[str] = list(notes_after.get(-1, []))  # (footnotes of pages before any body line)
    cur: list[str] = []
    pending: list[str] = []
    for i, ln in enumerate(body):
        if cur:
            prev = body[i - 1]
            gap = prev.base - ln.base if prev.page == ln.page else 0.0
            room = right - prev.x1
            # a new paragraph after more space than a line's, or after a line with room for the
            # next line's first word; never at a lower-case letter (a title set narrower than the text)
            if gap > 1.18 * pitch or (room > ln.first_width + 0.3 * ln.em and not ln.text[:1].islower()):
                out.append(join(cur))
                cur = []
                out.extend(pending)
                pending = []
        cur.append(ln.text)
        pending.extend(notes_after.get(i, []))
    if cur:
        out.append(join(cur))
    out.extend(pending)
    return out


def pdf_text(data: bytes) -> str:
    """The text layer of a PDF, laid out as paragraphs separated by blank lines.

    Raises:
        BinaryInputError: encrypted, damaged, or without a text layer.
    """
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code == 4:  # FPDF_ERR_PASSWORD
            raise BinaryInputError("an encrypted PDF (it asks for a password); save a copy without the "
                                   "password (e.g. qpdf --password=PASSWORD --decrypt in.pdf out.pdf) and build that") from None
        raise BinaryInputError("a damaged PDF that cannot be opened; download it again or repair it "
                               "(e.g. qpdf in.pdf out.pdf)") from None
    try:
        pages: list[list[Line]] = []
        for k in range(len(pdf)):
            try:
                page = pdf[k]
                try:
                    pages.append(page_lines(_page_chars(page), k))
                finally:
                    page.close()
            except pdfium.PdfiumError:
                raise BinaryInputError(f"a damaged PDF (page {k + 1} cannot be read); download it again or "
                                       "repair it (e.g. qpdf in.pdf out.pdf)") from None
    finally:
        pdf.close()
    if not any(pages):
        raise BinaryInputError("a PDF without a text layer (scanned pages?); run OCR on it first "
                               "(e.g. ocrmypdf --language chi_sim+eng in.pdf out.pdf) and build the result")
    return layout(pages)


def layout(pages: list[list[Line]]) -> str:
    """The text of a document's pages (their lines, :func:`page_lines`): furniture dropped,
    footnotes bound, paragraphs joined."""
    gone = _furniture(pages)
    kept = [[ln for ln in lines if id(ln) not in gone] for lines in pages]
    counts: dict[float, int] = {}
    for lines in kept:
        for ln in lines:
            counts[round(ln.size, 1)] = counts.get(round(ln.size, 1), 0) + len(ln.text)
    body_size = max(counts, key=lambda s: (counts[s], s)) if counts else 0.0
    join = _Joiner("\n".join(ln.text for lines in kept for ln in lines))
    body: list[Line] = []
    notes_after: dict[int, list[str]] = {}
    last: list[str] | None = None  # the list holding the last footnote so far
    for lines in kept:
        main, foot = _split_notes(lines, body_size)
        body.extend(main)
        if foot:
            carried, notes = _notes(foot, join)
            if carried and last:
                last[-1] = join.pair(last[-1], carried)
            here = notes_after.setdefault(len(body) - 1, [])
            here.extend(notes)
            last = here if notes else last
    return "\n\n".join(p for p in _paragraphs(body, notes_after, join) if p.strip()) + "\n"


# ---------------------------------------------------------------- Word

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def docx_text(data: bytes) -> str:
    """The text of a Word (.docx) file: paragraphs separated by blank lines (see the module docstring).

    Raises:
        BinaryInputError: not a readable Word file.
    """
    damaged = ("a damaged Word file (not a readable .docx package); open and save it again in Word "
               "or LibreOffice, or save it as PDF, and build that")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if "word/document.xml" not in names:
                raise BinaryInputError("a ZIP package without a Word document in it (not a .docx, or damaged); "
                                       "save the resolution as .docx or PDF and build that")
            if sum(i.file_size for i in z.infolist() if i.filename.startswith("word/")) > MAX_XML:
                raise BinaryInputError(f"a Word file whose text takes more than {MAX_XML // 2**20} MB unpacked; "
                                       "not a resolution?")
            parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
            doc = etree.fromstring(z.read("word/document.xml"), parser)
            notes_xml = etree.fromstring(z.read("word/footnotes.xml"), parser) if "word/footnotes.xml" in names else None
            numbering = etree.fromstring(z.read("word/numbering.xml"), parser) if "word/numbering.xml" in names else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, etree.XMLSyntaxError, KeyError, OSError, EOFError, ValueError,
            NotImplementedError, RuntimeError):  # (RuntimeError: an encrypted zip member)
        raise BinaryInputError(damaged) from None
    notes: dict[str, str] = {}
    if notes_xml is not None:
        for fn in notes_xml.iter(f"{W}footnote"):
            if fn.get(f"{W}type") in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            text = " ".join(t for t, _ in (_paragraph(p, None, None) for p in fn.iter(f"{W}p"))).strip()
            notes[fn.get(f"{W}id", "")] = text
    counter = _Numbering(numbering)
    out: list[str] = []
    marks = [0]
    body = doc.find(f"{W}body")
    if body is None:
        raise BinaryInputError(damaged)
    for p in body.iter(f"{W}p"):
        if any(a.tag == _MC_FALLBACK for a in p.iterancestors()):
            continue
        text, refs = _paragraph(p, counter, marks)
        if text.strip():
            out.append(text.strip())
        for n, ref in refs:
            out.append(f"{_superscript(str(n))} {notes.get(ref, '').strip()}")
    if not out:
        raise BinaryInputError("a Word file without text; nothing to build")
    return "\n\n".join(out) + "\n"


def _paragraph(p, counter, marks) -> tuple[str, list[tuple[int, str]]]:  # type: ignore[no-untyped-def]
    """A paragraph's text and its footnote references (number, id)."""
    parts: list[str] = []
    refs: list[tuple[int, str]] = []
    if counter is not None:
        parts.append(counter.label(p))
    for r in p.iter(f"{W}r"):
        if r.getparent() is not None and r.getparent().tag in (f"{W}del", f"{W}moveFrom"):
            continue
        if r.find(f"{W}rPr/{W}vanish") is not None:
            continue  # hidden text
        va = r.find(f"{W}rPr/{W}vertAlign")
        sup = va is not None and va.get(f"{W}val") == "superscript"
        for el in r:
            tag = el.tag
            if tag == f"{W}t":
                t = el.text or ""
                parts.append(_superscript(t) if sup and t.isdigit() else t)
            elif tag == f"{W}tab":
                parts.append(" ")
            elif tag in (f"{W}br", f"{W}cr"):
                parts.append("\n")
            elif tag == f"{W}noBreakHyphen":
                parts.append("-")
            elif tag == f"{W}footnoteReference" and marks is not None:
                marks[0] += 1
                parts.append(_superscript(str(marks[0])))
                refs.append((marks[0], el.get(f"{W}id", "")))
    return "".join(parts), refs


class _Numbering:
    """List numbers Word writes out itself ("1.", "(a)") for paragraphs with ``w:numPr``."""

    def __init__(self, xml):  # type: ignore[no-untyped-def]
        self.levels: dict[tuple[str, str], tuple[str, str, int]] = {}
        self.counts: dict[tuple[str, str], int] = {}
        if xml is None:
            return
        abstract = {}
        for a in xml.iter(f"{W}abstractNum"):
            lv = {}
            for lvl in a.iter(f"{W}lvl"):
                fmt, text, start = lvl.find(f"{W}numFmt"), lvl.find(f"{W}lvlText"), lvl.find(f"{W}start")
                lv[lvl.get(f"{W}ilvl", "0")] = (fmt.get(f"{W}val") if fmt is not None else "decimal",
                                                text.get(f"{W}val") if text is not None else "%1.",
                                                int(start.get(f"{W}val", "1")) if start is not None else 1)
            abstract[a.get(f"{W}abstractNumId")] = lv
        for num in xml.iter(f"{W}num"):
            ref = num.find(f"{W}abstractNumId")
            if ref is not None:
                for ilvl, spec in abstract.get(ref.get(f"{W}val"), {}).items():
                    self.levels[(num.get(f"{W}numId", ""), ilvl)] = spec

    def label(self, p) -> str:  # type: ignore[no-untyped-def]
        pr = p.find(f"{W}pPr/{W}numPr")
        if pr is None:
            return ""
        num, lvl = pr.find(f"{W}numId"), pr.find(f"{W}ilvl")
        key = (num.get(f"{W}val", "") if num is not None else "", lvl.get(f"{W}val", "0") if lvl is not None else "0")
        spec = self.levels.get(key)
        if spec is None:
            return ""
        fmt, text, start = spec
        for k in list(self.counts):  # a level restarts under a new item of the level above
            if k[0] == key[0] and k[1] > key[1]:
                del self.counts[k]
        n = self.counts[key] = self.counts.get(key, start - 1) + 1
        if fmt == "decimal":
            v = str(n)
        elif fmt in ("lowerLetter", "upperLetter"):
            v = chr(ord("a") + (n - 1) % 26)
            v = v.upper() if fmt == "upperLetter" else v
        else:
            return ""
        return re.sub(r"%\d", v, text) + " "
