"""Character-level text normalisation that keeps a map back to the original offsets.

Every extractor works on a *normalised* view of the source text: Markdown emphasis and
link syntax removed, full-width ASCII folded to ASCII, traditional characters folded
to simplified (for matching only), and horizontal spaces next to Chinese characters
dropped ("2005 年" -> "2005年"). Each normalised character remembers the index of the
original character it came from, so every span found in the view maps back to the
characters of the file.
"""

from __future__ import annotations

import html as _html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPER_TO_DIGIT = {c: str(i) for i, c in enumerate(SUPERSCRIPTS)}


def superscript_value(marker: str) -> int:
    """The number a run of superscript digits stands for.

    >>> superscript_value("¹²")
    12
    """
    return int("".join(_SUPER_TO_DIGIT[c] for c in marker))


def is_cjk(ch: str) -> bool:
    """True for Han characters and CJK punctuation.

    >>> is_cjk("会"), is_cjk("a"), is_cjk("，")
    (True, False, True)
    """
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0x3000 <= o <= 0x303F
        or 0xFF00 <= o <= 0xFF0F
        or 0xFF1A <= o <= 0xFF20
        or 0x20000 <= o <= 0x2FFFF
        or 0xF900 <= o <= 0xFAFF
    )


@lru_cache(maxsize=1)
def _opencc():  # type: ignore[no-untyped-def]
    from opencc import OpenCC  # type: ignore[import-untyped]

    return OpenCC("t2s")


@lru_cache(maxsize=65536)
def to_simplified(ch: str) -> str:
    """One character folded from traditional to simplified (kept when not one character).

    >>> to_simplified("議"), to_simplified("a")
    ('议', 'a')
    """
    if ord(ch) < 0x3400:
        return ch
    out = _opencc().convert(ch)
    return out if len(out) == 1 else ch


def fold_char(ch: str, *, traditional: bool = False) -> str:
    """Fold one character for matching: full-width ASCII to ASCII, traditional to simplified.

    >>> fold_char("，"), fold_char("Ａ"), fold_char("（")
    (',', 'A', '(')
    """
    o = ord(ch)
    if 0xFF01 <= o <= 0xFF5E:
        return chr(o - 0xFEE0)
    if ch in "\u3000\u00a0\u2002\u2003\u2009\u200a\u202f":
        return " "
    if ch in "‐‑‒–—﹣－":
        return ch if ch == "—" else "-"
    if traditional:
        return to_simplified(ch)
    return ch


@dataclass(frozen=True)
class Normalised:
    """A normalised view of a text and, for each of its characters, the original index."""

    text: str
    origin: tuple[int, ...]
    original: str

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a half-open span of the view to a half-open span of the original.

        >>> n = normalise("**欢迎** 2005 年")
        >>> n.text
        '欢迎2005年'
        >>> n.span(0, 2), n.original[slice(*n.span(0, 2))]
        ((2, 4), '欢迎')
        """
        if start >= end:
            o = self.origin[start] if start < len(self.origin) else len(self.original)
            return o, o
        return self.origin[start], self.origin[end - 1] + 1


_MD_LINK = re.compile(r"\[([^\]\n]{0,300})\]\([^)\n]{0,300}\)")
_MD_EMPH = re.compile(r"\*\*|__")
_HTML_SKIP = re.compile(r"<(script|style|head)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_HTML_TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)[^>]*>|<![^>]*>")
_HTML_BLOCK = {"p", "br", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "td", "th", "ul", "ol", "hr", "blockquote"}
_HTML_ENTITY = re.compile(r"&(#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,10});")


def _html_chars(original: str) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    skip = [(m.start(), m.end()) for m in _HTML_SKIP.finditer(original)]
    tags = {m.start(): m for m in _HTML_TAG.finditer(original)}
    ents = {m.start(): m for m in _HTML_ENTITY.finditer(original)}
    i, n, k = 0, len(original), 0
    while i < n:
        while k < len(skip) and skip[k][1] <= i:
            k += 1
        if k < len(skip) and skip[k][0] <= i < skip[k][1]:
            i = skip[k][1]
            continue
        m = tags.get(i)
        if m is not None:
            if (m.group(2) or "").lower() in _HTML_BLOCK:
                out.append(("\n", i))
            i = m.end()
            continue
        e = ents.get(i)
        if e is not None:
            rep = _html.unescape(e.group(0))
            for ch in rep[:1]:
                out.append((ch, i))
            i = e.end()
            continue
        out.append((original[i], i))
        i += 1
    return out


def normalise(original: str, *, traditional: bool = False, markup: str = "md", join_lines: bool = False) -> Normalised:
    r"""Normalise a text for matching, keeping a map to the original offsets.

    Args:
        original: the text as read from the file.
        traditional: fold traditional characters to simplified as well.
        markup: ``md`` (Markdown emphasis and links removed; harmless on plain text),
            ``html`` (tags removed, block tags as line breaks, entities decoded) or ``text``.
        join_lines: drop a line break inside a sentence next to a Chinese character (a
            hard-wrapped Chinese line goes on without a space); one after punctuation, a
            blank line, or one before a paragraph number, a footnote marker or a sub-item stays.

    Returns:
        The normalised view with its offset map.

    >>> normalise("第 57/32 号决议，**并鼓励**").text
    '第57/32号决议,并鼓励'
    >>> normalise("<p>大会&nbsp;，</p><p>回顾</p>", markup="html").text
    '\n大会,\n\n回顾\n'
    >>> n = normalise("a \t b  \u3000中 文\r\n")
    >>> n.text, n.origin
    ('a b中文\n', (0, 1, 4, 8, 10, 12))
    >>> normalise("回顾其\n2002 年的\n决议，\n又回顾\n1. 决定", join_lines=True).text
    '回顾其2002年的决议,\n又回顾\n1.决定'
    """
    if markup == "html":
        pairs = _html_chars(original)
        text, origin = "".join(c for c, _ in pairs), [i for _, i in pairs]
    else:
        drop = _markdown_drops(original) if markup == "md" else []
        text, origin = _keep(original, drop, range(len(original)))
    # characters that stand for nothing (carriage returns, byte-order and zero-width marks)
    text, origin = _keep(text, [m.span() for m in _INVISIBLE.finditer(text)], origin)
    text = text.translate(_FOLD_TRADITIONAL if traditional else _FOLD)
    # drop horizontal spaces that touch a Chinese character or a line break; a longer run of
    # them, or a tab, is one space
    pieces: list[str] = []
    kept: list[int] = []
    pos = 0
    for m in _SPACES.finditer(text):
        a, b = m.span()
        pieces.append(text[pos:a])
        kept.extend(origin[pos:a])
        if m.lastgroup == "run":
            pieces.append(" ")
            kept.append(origin[a])
        pos = b
    pieces.append(text[pos:])
    kept.extend(origin[pos:])
    text = "".join(pieces)
    if join_lines:
        text, kept = _keep(text, [m.span() for m in _WRAPPED.finditer(text)], kept)
    return Normalised(text, tuple(kept), original)


def _keep(text: str, drop: list[tuple[int, int]], origin) -> tuple[str, list[int]]:  # type: ignore[no-untyped-def]
    """``text`` and its ``origin`` without the sorted, disjoint spans ``drop``."""
    if not drop:
        return text, list(origin)
    pieces: list[str] = []
    kept: list[int] = []
    pos = 0
    for a, b in drop:
        pieces.append(text[pos:a])
        kept.extend(origin[pos:a])
        pos = b
    pieces.append(text[pos:])
    kept.extend(origin[pos:])
    return "".join(pieces), kept


def _markdown_drops(original: str) -> list[tuple[int, int]]:
    """The spans of Markdown syntax: emphasis marks, and a link's brackets and target."""
    drop = bytearray(len(original))
    for m in _MD_LINK.finditer(original):
        drop[m.start()] = 1
        drop[m.end(1):m.end()] = b"\x01" * (m.end() - m.end(1))
    for m in _MD_EMPH.finditer(original):
        drop[m.start():m.end()] = b"\x01" * (m.end() - m.start())
    return [m.span() for m in re.finditer(b"\x01+", drop)]


class _Folding(dict):  # type: ignore[type-arg]
    """A ``str.translate`` table that folds each character (:func:`fold_char`) the first time
    it is seen, and keeps the answers for the first :data:`_FOLDING_KEPT` characters."""

    def __init__(self, traditional: bool) -> None:
        super().__init__()
        self.traditional = traditional

    def __missing__(self, o: int) -> str:
        r = fold_char(chr(o), traditional=self.traditional)
        if len(self) < _FOLDING_KEPT:
            self[o] = r
        return r


_FOLDING_KEPT = 65536  # characters (a text in every script at once must not grow it without end)


_FOLD = _Folding(False)
_FOLD_TRADITIONAL = _Folding(True)
_INVISIBLE = re.compile("[\r\ufeff\u200b\u200c\u200d\u2060]+")
_CJK_CLASS = "\u4e00-\u9fff\u3400-\u4dbf\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\U00020000-\U0002ffff\uf900-\ufaff"  # is_cjk
_SPACES = re.compile(
    # dropped: a run after the start, a line break or a Chinese character, or before one of them
    f"(?P<drop>(?:\\A|(?<=[\n{_CJK_CLASS}]))[ \t\f\v]+|[ \t\f\v]+(?=[\n{_CJK_CLASS}]|\\Z))"
    # one space: a longer run, or a tab, form feed or vertical tab alone
    "|(?P<run>[ \t\f\v]{2,}|[\t\f\v])")


_HAN = "\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0002ffff"
# a line break inside a sentence: not after punctuation or another break, next to a Chinese
# character, and not before what opens a line (a paragraph number, a footnote marker, a sub-item)
_WRAPPED = re.compile(
    rf"(?<=[^\n,;:.!?。，；：！？、])\n(?=[{_HAN}])"
    rf"|(?<=[{_HAN}])\n(?![\n{SUPERSCRIPTS}(（\[]|\d{{1,3}}[.．、](?![0-9])|\d{{1,2}}/(?![0-9A-Za-z])|\s)")


def fold_label(label: str, *, lang: str) -> str:
    """Fold a vocabulary label the way texts are folded, so that they compare equal.

    >>> fold_label("2030 年可持续发展议程", lang="zh")
    '2030年可持续发展议程'
    >>> fold_label("Calls upon", lang="en")
    'calls upon'
    """
    text = normalise(unicodedata.normalize("NFC", label), traditional=(lang == "zh")).text
    if lang == "en":
        return re.sub(r"\s+", " ", text).strip().lower()
    return text.strip()


_CN_DIGITS = {"零": 0, "〇": 0, "0": 0, "O": 0, "o": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(s: str) -> int | None:
    """Read a number written in Chinese numerals, positional or with units.

    >>> chinese_number("七十四"), chinese_number("一九六六"), chinese_number("廿六"), chinese_number("二0二五")
    (74, 1966, 26, 2025)
    >>> chinese_number("一百四十八"), chinese_number("十"), chinese_number("abc")
    (148, 10, None)
    """
    s = s.strip().replace("廿", "二十").replace("卅", "三十")
    if not s:
        return None
    if s.isdigit():
        return int(s)
    if all(c in _CN_DIGITS for c in s):
        return int("".join(str(_CN_DIGITS[c]) for c in s))
    total, current = 0, 0
    for c in s:
        if c in _CN_DIGITS:
            current = _CN_DIGITS[c]
        elif c in _CN_UNITS:
            total += (current or 1) * _CN_UNITS[c]
            current = 0
        else:
            return None
    return total + current


_NUM = r"[0-9〇零一二两三四五六七八九十百千廿卅O]+"
NUMBER_PATTERN = _NUM


def read_number(s: str) -> int | None:
    """Read Arabic or Chinese numerals.

    >>> read_number("63"), read_number("第三十一")
    (63, None)
    """
    s = s.strip()
    if s.isdigit():
        return int(s)
    return chinese_number(s)
