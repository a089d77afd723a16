"""Read a resolution file: detect its encoding, markup and language.

Offsets everywhere in the project refer to the characters of the *decoded* file (the
string this module returns as ``text``), whatever the encoding on disk; for a PDF or Word
file, to the characters of the text extracted from it (:mod:`mandates.extract.binary`), which
the build writes beside the document's artefacts.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from mandates.core.files import not_a_regular_file
from mandates.core.text import is_cjk
from mandates.extract import binary

MAX_BYTES = 20 * 1024 * 1024


class InputError(Exception):
    """A file cannot be read as a resolution; the message names the file and the reason."""


@dataclass(frozen=True)
class Source:
    path: str
    text: str
    encoding: str
    markup: str  # text | md | html
    lang: str  # zh | en
    sha256: str
    repairs: tuple[str, ...] = ()  # what reading repaired, for the report (each keeps every offset)
    extracted_from: str | None = None  # pdf | docx: ``text`` is the text extracted from the file


def decode(data: bytes, *, name: str = "<bytes>") -> tuple[str, str]:
    """Decode bytes as UTF-8 (with or without BOM), UTF-16 or GB18030, detected from the bytes.

    Returns:
        (text, encoding name).

    Raises:
        InputError: the bytes are none of these encodings, or binary.

    >>> decode("大会".encode("gb18030"))
    ('大会', 'gb18030')
    >>> decode("\\ufeff大会".encode("utf-8"))
    ('大会', 'utf-8-sig')
    >>> decode("大会，".encode("utf-16"))[1]
    'utf-16'
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data, "utf-8-sig", name)
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return _strict(data, "utf-16", name)
    if b"\x00" in data[:4096]:
        # UTF-16 without a byte order mark, or binary: decode both ways and keep the one
        # that reads as text (printable characters and line breaks)
        best, best_score = None, 0.0
        if len(data) % 2 == 0:
            for enc in ("utf-16-le", "utf-16-be"):
                try:
                    text = data.decode(enc)
                except UnicodeDecodeError:
                    continue
                sample = text[:4000]
                score = sum(1 for c in sample if _texty(c)) / max(1, len(sample))
                if score > best_score:
                    best, best_score = enc, score
        if best is not None and best_score >= 0.97:
            return _strict(data, best, name)
        raise InputError(f"{name}: binary data (NUL bytes), not a text file")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8 = exc
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, utf8.start) + 1
        raise InputError(
            f"{name}: not text in UTF-8, UTF-16 or GB18030 (the first byte that is not UTF-8 is at "
            f"offset {utf8.start}, line {line}: {data[utf8.start:utf8.start + 4]!r}); convert it to UTF-8 first"
        ) from exc
    return text, "gb18030"


def _texty(c: str) -> bool:
    """A character of the scripts resolutions are written in (ASCII, Latin-1, general
    punctuation, CJK and full-width forms): binary data decoded as UTF-16 mostly is not."""
    o = ord(c)
    return (
        (0x20 <= o < 0x7F) or c in "\n\r\t" or (0xA0 <= o <= 0xFF) or (0x2000 <= o <= 0x206F)
        or (0x3000 <= o <= 0x303F) or (0x4E00 <= o <= 0x9FFF) or (0xFF00 <= o <= 0xFFEF) or (0x2070 <= o <= 0x209F)
    )


def _strict(data: bytes, enc: str, name: str) -> tuple[str, str]:
    try:
        text = data.decode(enc)
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: looks like {enc} but byte {exc.start} is invalid") from exc
    if "\x00" in text:
        raise InputError(f"{name}: NUL characters in decoded {enc} text; binary data?")
    return text, enc


_HTML = re.compile(r"<\s*(html|body|p|div|br|table|td|span|meta|head)\b", re.I)
_MD = re.compile(r"\*\*[^*\n]+\*\*|^#{1,6} |\]\(#?[^)]*\)", re.M)


def detect_markup(text: str, suffix: str = "") -> str:
    """``html``, ``md`` or ``text``, from the content (the suffix only breaks ties).

    >>> detect_markup("<p>大会，</p>"), detect_markup("1. **欢迎**"), detect_markup("大会，")
    ('html', 'md', 'text')
    """
    head = text[:20000]
    if len(_HTML.findall(head)) >= 1 and head.count("<") >= 2:
        return "html"
    if _MD.search(head) or suffix.lower() in (".md", ".markdown") and "**" in head:
        return "md"
    return "text"


def detect_language(text: str) -> str:
    """``zh`` when Chinese characters outnumber Latin letters a tenth as much, else ``en``.

    >>> detect_language("大会，回顾其决议"), detect_language("The General Assembly, Recalling")
    ('zh', 'en')
    """
    sample = text[:50000]
    han = sum(1 for c in sample if is_cjk(c) and c.isalpha())
    latin = sum(1 for c in sample if c.isascii() and c.isalpha())
    return "zh" if han * 10 >= latin and han > 0 else "en"


def read_source(path: str | Path, *, lang: str | None = None) -> Source:
    """Read one resolution file.

    Raises:
        InputError: missing, unreadable, too large, binary, empty or undecodable.
    """
    p = Path(path)
    name = str(p)
    why = not_a_regular_file(p)
    if why is not None:
        raise InputError(f"{name}: {why}" + ("" if why.startswith(("no such", "cannot")) else
                                            "; save it to a file and build that"))
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"{name}: {size} bytes, larger than the {MAX_BYTES}-byte limit for one resolution")
        data = p.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"{name}: no such file") from exc
    except PermissionError as exc:
        raise InputError(f"{name}: permission denied") from exc
    except OSError as exc:
        raise InputError(f"{name}: cannot be read ({exc.strerror})") from exc
    what = binary.kind(data, p.suffix)
    if what is not None:
        try:
            text = binary.extract(data, what)
        except binary.BinaryInputError as exc:
            raise InputError(f"{name}: {exc}") from None
        return Source(path=name, text=text, encoding="utf-8", markup="text", lang=lang or detect_language(text),
                      sha256=hashlib.sha256(data).hexdigest(), extracted_from=what)
    text, enc = decode(data, name=name)
    text, repairs = repair(text)
    if not text.strip():
        raise InputError(f"{name}: empty file")
    markup = detect_markup(text, p.suffix)
    return Source(
        path=name,
        text=text,
        encoding=enc,
        markup=markup,
        lang=lang or detect_language(text),
        sha256=hashlib.sha256(data).hexdigest(),
        repairs=repairs,
    )


_LONE_CR = re.compile(r"\r(?!\n)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")  # (tab, line feed, form feed, carriage return kept)


def repair(text: str) -> tuple[str, tuple[str, ...]]:
    r"""Repair what conversions leave in a text, one character for one so that every offset
    stays: line breaks written as a lone carriage return (old Mac files) become line feeds,
    control characters (NUL and the like) become spaces. Returns the text and what was done.

    >>> repair("1. Decides;\r2. Requests\x00;")[0]
    '1. Decides;\n2. Requests ;'
    >>> repair("1. Decides;\r2. Requests\x00;")[1]
    ('line-endings: 1 carriage return(s) read as line breaks', 'control-characters: 1 replaced by spaces')
    """
    notes = []
    crs = len(_LONE_CR.findall(text))
    if crs:
        text = _LONE_CR.sub("\n", text)
        notes.append(f"line-endings: {crs} carriage return(s) read as line breaks")
    controls = len(_CONTROL.findall(text))
    if controls:
        text = _CONTROL.sub(" ", text)
        notes.append(f"control-characters: {controls} replaced by spaces")
    return text, tuple(notes)
