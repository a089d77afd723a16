"""Split the body of a resolution into preambular paragraphs, operative paragraphs
(with their lettered sub-items) and footnotes, without relying on line breaks alone.

Conventions used: operative paragraphs are numbered 1, 2, 3 … in sequence; preambular
paragraphs come before the first one, each ending with a comma and opening with a
preambular phrase; footnote texts start with their marker (``¹``, ``1/``, ``(1)``) at the
start of a line; sub-items are ``(a)``, ``(b)`` … or ``(甲)``, ``(乙)`` ….
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mandates.core.symbols import SYMBOL, archaic_resolution, canonical
from mandates.core.text import SUPERSCRIPTS, superscript_value
from mandates.extract.header import find_dates
from mandates.extract.model import Footnote, Issue, Paragraph, Span

# a footnote marker: one to three superscript digits (a longer run is no footnote number)
SUPER = f"(?<![{SUPERSCRIPTS}])[{SUPERSCRIPTS}]{{1,3}}(?![{SUPERSCRIPTS}])"
# footnote text lines: "¹ 第 60/1 号决议。", "1/ A/52/…", "(1) …", "(注) …"
_FOOTNOTE_LINE = re.compile(
    rf"(?m)^[ \t]*(?:(?P<sup>{SUPER})|(?P<slash>\d{{1,2}})/(?![0-9A-Za-z])|\((?P<paren>\d{{1,2}})\)|(?P<archaic>\(注\)))[ \t]*(?P<body>[^\n]*)$"
)
_SUBITEM = re.compile(r"(?m)(?:^|(?<=[:;：；]))[ \t]*[(（](?P<label>[a-z]{1,2}|[甲乙丙丁戊己庚辛壬癸])[)）]")
_CLOSE_PUNCT = "。.;；"


@dataclass
class Hole:
    span: Span
    what: str  # footnote | closing


def find_footnotes(text: str, start: int, end: int, *, cites) -> tuple[list[Footnote], list[Hole]]:  # type: ignore[no-untyped-def]
    """Footnote text blocks between ``start`` and ``end``, with the holes they leave.

    ``cites`` is the pattern of numbered resolution citations (see ``symbols.citation_regex``).
    """
    notes: list[Footnote] = []
    holes: list[Hole] = []
    for m in _FOOTNOTE_LINE.finditer(text, start, end):
        if m.group("sup"):
            number, marker = superscript_value(m.group("sup")), m.group("sup")
            if not any(superscript_value(x.group(0)) == number for x in re.finditer(SUPER, text[start:m.start()])):
                continue  # no marker before it: a marker that a re-wrapped line put at a line start
        elif m.group("slash"):
            number, marker = int(m.group("slash")), m.group("slash") + "/"
        elif m.group("paren"):
            number, marker = int(m.group("paren")), f"({m.group('paren')})"
        else:  # archaic "(注)" notes carry no number: numbered in order of appearance
            number, marker = len(notes) + 1, m.group("archaic")
        body_s, body_e = m.start("body"), _line_note_end(text, m.start("body"), m.end("body"))
        if body_e <= body_s:
            continue
        fn = Footnote(number=number, marker=marker, span=(m.start(), body_e), text_span=(body_s, body_e))
        fn.symbols = footnote_symbols(text[body_s:body_e], cites)
        notes.append(fn)
        holes.append(Hole((m.start(), body_e), "footnote"))
    # page furniture of PDF text layers: job numbers ("18-08219 (E)"), their date codes, page numbers
    for m in _JOB_LINE.finditer(text, start, end):
        holes.append(Hole((m.start(), m.end()), "page"))
    # a footnote block flattened into the text: "______ 1 2 18-08219 (E) Resolution 60/1. A/51/402, annex. 250518"
    for m in _FLAT_BLOCK.finditer(text, start, end):
        numbers = [int(x) for x in m.group("nums").split()]
        parts = _split_notes(m.group("body"), len(numbers))
        if parts is None:
            holes.append(Hole((m.start(), m.end()), "footnote"))
            continue
        body_start = m.start("body")
        for n, (ps, pe) in zip(numbers, parts):
            if any(f.number == n for f in notes):
                continue
            ts, te = body_start + ps, body_start + pe
            fn = Footnote(number=n, marker=str(n), span=(ts, te), text_span=(ts, te))
            fn.symbols = footnote_symbols(text[ts:te], cites)
            notes.append(fn)
        holes.append(Hole((m.start(), m.end()), "footnote"))
    notes.sort(key=lambda f: (f.number, f.span))
    return notes, holes


def find_flow_footnotes(text: str, start: int, end: int, markers: list[tuple[int, int, int]], *, cites,  # type: ignore[no-untyped-def]
                        cues: list[str], lang: str, known: set[int], spaced=None, opens=None) -> tuple[list[Footnote], list[Hole]]:
    r"""Footnote texts left in the flow of a text flattened to one line, where page breaks put them
    ("…差距, 1 第 60/1 号决议。 2 A/51/402,附件。 认识到…").

    A footnote text is its number, then one sentence that cites something (a UN symbol, a
    numbered resolution, a quoted title or a footnote cue word such as "见" or "Ibid."). The
    number counts only where a marker of that number stands earlier in the text and no text was
    found for it yet (a footnote is printed on the page of its marker, after it), so numbers in
    the text itself are not taken. A line of underscores (the footnote separator) and the number
    of a footnote whose text was cut off at the end of the text are holes too.

    Args:
        text: the normalised text, line footnotes already blanked.
        markers: the markers found, as (start, end, number).
        cites: the pattern of numbered citations (``symbols.citation_regex``).
        cues: the footnote cue words (drafting vocabulary, folded).
        lang: ``zh`` or ``en``.
        known: the numbers that already have a text.
        spaced: ``spaced(i, j)`` is True when the original file has white space between
            normalised positions ``i`` and ``j``.
        opens: ``opens(pos)`` is True when a paragraph opens at ``pos``.

    Returns:
        The footnotes found and the holes they leave.

    >>> notes, holes = find_flow_footnotes("成果》¹中,合作, 1 第60/1号决议。认识到", 0, 27, [(3, 4, 1)],
    ...     cites=re.compile(r"第(\d+/\d+)号决议"), cues=[], lang="zh", known=set())
    >>> [(f.number, f.symbols) for f in notes], holes[0].span
    ([(1, ['A/RES/60/1'])], (10, 21))
    """
    notes: list[Footnote] = []
    holes: list[Hole] = []
    done = set(known)
    first_marker: dict[int, int] = {}
    for s, _, n in sorted(markers):
        first_marker.setdefault(n, s)
    at_marker = {i for s, e, _ in markers for i in range(s, e)}
    flags = re.I if lang == "en" else 0
    cue = re.compile("|".join(re.escape(c) for c in cues) or "(?!)", flags)
    for m in _SEPARATOR.finditer(text, start, end):
        holes.append(Hole((m.start(), m.end()), "footnote"))
    in_date = {i for d in find_dates(text, start, end) for i in range(*d.span)}
    pos = start
    while True:
        m = _FLOW_NUMBER.search(text, pos, end)
        if m is None:
            break
        pos = m.end(1)
        n = _number(m.group(1))
        s = m.start(1)
        if n in done or first_marker.get(n, end) >= s or s in in_date:
            continue
        k = s  # a footnote's own marker (¹ 第 60/1 号决议。) stands where a paragraph ends
        while k > start and text[k - 1] in " \t":
            k -= 1
        if s in at_marker and not (k == start or text[k - 1] in _PARAGRAPH_END or (spaced is not None and spaced(k - 1, s))):
            continue  # a marker glued to what it marks ("《议程》³分配"), not a footnote's own number
        prev = text[s - 1] if s > 0 else " "
        if not (prev in _BEFORE_NOTE or prev.isspace() or (spaced is not None and spaced(s - 1, s))):
            continue
        b = m.end()
        if b >= end or not text[b:end].strip():  # the number of a footnote whose text was cut off
            holes.append(Hole((s, m.end(1)), "footnote"))
            done.add(n)
            continue
        if opens is not None and opens(_skip_blank(text, b, end)):
            continue  # a paragraph opens after the number: a marker at a paragraph's end, not a footnote
        stop = _note_end(text, b, end, lang, pending=lambda k: _pending_at(text, k, end, first_marker, done | {n}),
                         opens=opens)
        if stop is None:
            continue
        body = text[b:stop]
        if re.search(r"\n[ \t]*\n", body):
            continue  # a footnote's text holds no blank line
        if not (SYMBOL.search(body) or cites.search(body) or "《" in body or cue.search(body)):
            continue
        fn = Footnote(number=n, marker=m.group(1), span=(s, stop), text_span=(b, stop))
        fn.symbols = footnote_symbols(body, cites)
        notes.append(fn)
        holes.append(Hole((s, stop), "footnote"))
        done.add(n)
        pos = stop
    return notes, holes


# a footnote number in the flow: not part of a symbol, a decimal or a paragraph number ("5.")
_FLOW_NUMBER = re.compile(r"(?<![0-9A-Za-z/.\-(])(\d{1,3}|" + SUPER + r")(?![0-9/.,)\]])(?![ \t]*[年月日号条次届个%])[ \t]*")
_BEFORE_NOTE = ",;，；。.:：、)]）》”_"
_SEPARATOR = re.compile(r"_{5,}")
_NOTE_MAX = 400  # characters: a footnote text is one short sentence


_PARAGRAPH_END = ",;，；。.:：\n"


def _skip_blank(text: str, k: int, end: int) -> int:
    while k < end and text[k].isspace():
        k += 1
    return k


def _number(s: str) -> int:
    return superscript_value(s) if s[0] in SUPERSCRIPTS else int(s)


def _pending_at(text: str, k: int, end: int, first_marker: dict[int, int], done: set[int]) -> bool:
    """True when another footnote's text starts at ``k`` (a number whose marker came before)."""
    m = _FLOW_NUMBER.match(text, k, end)
    return bool(m) and _number(m.group(1)) not in done and first_marker.get(_number(m.group(1)), end) < k


def _outside_titles(text: str, start: int, end: int):  # type: ignore[no-untyped-def]
    """(offset, character) of the characters of ``text[start:end]`` outside 《titles》 (a full
    stop inside a title ends nothing).

    >>> "".join(ch for _, ch in _outside_titles("a《b。》c。", 0, 7))
    'ac。'
    """
    depth = 0
    for i in range(start, end):
        ch = text[i]
        if ch == "《":
            depth += 1
        elif ch == "》" and depth:
            depth -= 1
        elif not depth:
            yield i, ch


def _note_end(text: str, b: int, end: int, lang: str, *, pending, opens) -> int | None:  # type: ignore[no-untyped-def]
    """Where the footnote text starting at ``b`` ends (after its full stop), or None.

    In Chinese the first full stop outside a title ends it; in English the first full stop
    after which the text goes on as a footnote never does: with another footnote, the next
    paragraph, lower-case words (a page break inside a sentence) or the end of the text."""
    limit = min(end, b + _NOTE_MAX)
    for i, ch in _outside_titles(text, b, limit):
        if ch not in "。.":
            continue
        k = i + 1
        if ch == "." and k < end and not text[k].isspace() and not ("\u4e00" <= text[k] <= "\u9fff"):
            continue  # "A/74/L.85", "C.96.IV.13"
        if lang == "zh" and (ch == "。" or k >= end or text[k].isspace()):
            return k
        while k < end and text[k].isspace():
            k += 1
        nxt = text[k:k + 1]
        if (k >= end or nxt.islower() or "\u4e00" <= nxt <= "\u9fff" or nxt == "_" or pending(k)
                or (opens is not None and opens(k))):
            return i + 1
    return None


def _line_note_end(text: str, start: int, end: int) -> int:
    """Where a footnote line's text ends: at its end, or where a re-wrapped line goes on after the
    footnote's full stop with another footnote's marker, a paragraph number or Chinese text.

    >>> t = "第73/195号决议，附件。 17."
    >>> t[:_line_note_end(t, 0, len(t))]
    '第73/195号决议，附件。'
    """
    for i, ch in _outside_titles(text, start, end):
        if ch == "。" or (ch == "." and text[i + 1:i + 2] in (" ", "\t")):
            nxt = _NEXT_ON_LINE.match(text, i + 1, end)
            if nxt and (ch == "。" or not nxt.group("han")):
                return i + 1
    return end


_NEXT_ON_LINE = re.compile(rf"[ \t]*(?:{SUPER}|\d{{1,3}}[.．](?![0-9])|\d{{1,3}}[ \t]+\S|(?P<han>[\u4e00-\u9fff]))")


_JOB_LINE = re.compile(r"(?m)^[ \t]*\d{2}-\d{5}[ \t]*\(E\)[ \t]*(?:\d{6})?[ \t]*$|^[ \t]*\d{1,3}/\d{1,3}[ \t]*$")
_FLAT_BLOCK = re.compile(
    r"_{5,}\s+(?P<nums>(?:\d{1,2}\s+){1,9})(?:\d{2}-\d{5}\s*\(E\)\s+)?(?P<body>.{1,1500}?)\s+\d{6}(?=\s|$)",
    re.S,
)


def _split_notes(body: str, k: int) -> list[Span] | None:
    """Split ``k`` footnote texts run together ("Resolution 60/1. A/51/402, annex.") at sentence ends."""
    cuts = [m.end() for m in re.finditer(r"\.(?=\s+(?:[A-Z]|\d))", body)]
    if len(cuts) < k - 1:
        return None
    bounds = [0] + cuts[: k - 1] + [len(body)]
    spans = []
    for a, b in zip(bounds, bounds[1:]):
        while a < b and body[a].isspace():
            a += 1
        spans.append((a, b))
    return spans


def footnote_symbols(body: str, cites) -> list[str]:  # type: ignore[no-untyped-def]
    """Canonical UN symbols named in a footnote's text, in order.

    >>> from mandates.core.symbols import citation_regex
    >>> cites = citation_regex(["第{n}号决议", "resolution {n}"], lang="zh")
    >>> footnote_symbols("第60/1号决议。", cites), footnote_symbols("A/51/402,附件。", cites)
    (['A/RES/60/1'], ['A/51/402'])
    >>> footnote_symbols("见FCCC/CP/2015/10/Add.1,第1/CP.21号决定,附件。", cites)
    ['FCCC/CP/2015/10/Add.1']
    >>> footnote_symbols("See resolution 60/1.", cites), footnote_symbols("(出售品编号:C.96.IV.13)", cites)
    (['A/RES/60/1'], [])
    """
    found: list[tuple[int, str]] = []
    taken: list[Span] = []
    for m in SYMBOL.finditer(body):
        sym = canonical(m.group(1))
        if "/" in sym:
            found.append((m.start(), sym))
            taken.append((m.start(), m.end()))
    for m in cites.finditer(body):
        if any(s <= m.start(1) < e for s, e in taken):
            continue
        sym = canonical(m.group(1))
        if sym.startswith("A/RES/"):
            found.append((m.start(), sym))
    for m in re.finditer(r"[〇零0一二三四五六七八九]{2,5}\s*[(（][一二三四五六七八九十]+[)）]", body):
        sym = archaic_resolution(m.group(0))
        if sym:
            found.append((m.start(), sym))
    out: list[str] = []
    for _, sym in sorted(found):
        if sym not in out:
            out.append(sym)
    return out


_SUPER_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
# footnote markers in the styles conversions leave behind, glued to the text they mark
_MARKER = re.compile(
    r"(?P<slash>(?<=[^\s\d/A-Za-z])(?P<n1>\d{1,2})/(?![\d/A-Za-z]))"
    r"|(?P<pre>(?<=[,.;，。；》”\u4e00-\u9fff])/(?P<n2>\d{1,2})(?![\d/]))"
    r"|(?P<paren>(?<=[,.;，。；》”\u4e00-\u9fff])\((?P<n3>\d{1,2})\))"
    r"|(?P<bare>(?:(?<=[,;，；。》”])|(?<=[》”]、))(?P<n4>\d{1,2})(?=[\s\u4e00-\u9fff《“、,，;；。]|$)"
    r"(?![\s]*[年月日号条次届个%]))"
    r"|(?P<detached>(?<=[,;.][ \n])(?P<n5>\d{1,2})(?=\s+[^\d\s])(?!\s+(?:January|February|March|April|May|June|"
    r"July|August|September|October|November|December|per|million|billion|and|or|to)\b))",
    re.M,
)
# footnote anchors leaked from word processors into PDF text layers ("0F", "1F")
_ANCHOR = re.compile(r"(?<=[,.;][ \n])\d{1,2}F(?=\s)|(?<=\d[ \n])\d{1,2}F(?=\s)")


def normalise_markers(text: str, start: int, end: int) -> tuple[str, list[tuple[int, int, int]]]:
    """Rewrite footnote markers written as ``1/``, ``/1``, ``(1)`` or bare digits glued to
    the text into superscript digits (same length, padded with spaces), so that every later
    stage sees one marker style.

    A candidate counts when markers run in sequence (the next number, or for the explicit
    styles a number already seen), which keeps dates, counts and symbols out.

    Returns:
        The rewritten text and the markers found as (start, end, number).

    >>> t, found = normalise_markers("报告,1/并请秘书长; 《公约》(2) 第3条", 0, 23)
    >>> t
    '报告,¹ 并请秘书长; 《公约》 ²  第3条'
    >>> found
    [(3, 5, 1), (16, 19, 2)]
    """
    chars = list(text)
    for m in _ANCHOR.finditer(text, start, end):
        for i in range(m.start(), m.end()):
            chars[i] = " "
    text = "".join(chars)
    found: list[tuple[int, int, int]] = []
    expected = 1
    kinds = ("slash", "pre", "paren", "bare", "detached")
    groups = {"slash": "n1", "pre": "n2", "paren": "n3", "bare": "n4", "detached": "n5"}
    for m in _MARKER.finditer(text, start, end):
        kind = next(k for k in kinds if m.group(k))
        n = int(m.group(groups[kind]))
        # a marker repeated at the end of a paragraph: before a line break or the next paragraph's number
        repeat_at_end = kind == "bare" and re.match(r"[ \t]*(\n|$|\d{1,3}[ \t]*[.．](?![0-9]))",
                                                    text[m.end():m.end() + 8]) is not None
        # a title cited again carries its footnote number again, glued to the closing mark ("《议程》3分配")
        repeat_after_title = kind == "bare" and text[m.start(kind) - 1] in "》”"
        explicit = kind in ("slash", "pre", "paren")
        if n == 0 or not (n == expected or (n < expected and (explicit or repeat_at_end or repeat_after_title))):
            continue
        if n == expected:
            expected += 1
        digits = str(n)
        s, e = m.start(kind), m.end(kind)
        k = s + (m.group(kind).index(digits))
        for i in range(s, e):
            chars[i] = " "
        for j, d in enumerate(digits):
            chars[k + j] = _SUPER_DIGITS[int(d)]
        found.append((s, e, n))
    return "".join(chars), found


def mask(text: str, holes: list[Hole]) -> str:
    """The text with every hole blanked out (same length, so offsets stay valid)."""
    chars = list(text)
    for h in holes:
        for i in range(h.span[0], h.span[1]):
            if chars[i] != "\n":
                chars[i] = " "
    return "".join(chars)


MAX_NUMBERING_GAP = 20  # operative paragraphs a conversion may lose at once


def find_operative_starts(masked: str, start: int, end: int, opens_clause=None) -> list[tuple[int, int, int]]:  # type: ignore[no-untyped-def]
    """(number, start, body start) of operative paragraphs numbered 1, 2, 3 … in sequence.

    A candidate number counts only when it is the next one expected, at a line start or
    after a paragraph's closing punctuation, so numbers inside the text ("第 1/CP.21
    号决定", "2. 5 million") are not taken for paragraph numbers. After a comma (the last
    preambular paragraph's, in a text flattened to one line) it counts where a clause opens
    after it (``opens_clause(pos)``).

    >>> find_operative_starts("承认作用, 1.欢迎; 2. 鼓励。", 0, 19, lambda k: True)
    [(1, 6, 8), (2, 12, 15)]

    A number past the next one is a paragraph after a gap (paragraphs lost in conversion)
    only at a paragraph's end and where a clause opens:

    >>> find_operative_starts("1. 欢迎; 7. 鼓励; 共 9. 项", 0, 20, lambda k: True)
    [(1, 0, 3), (7, 7, 10)]
    """
    cand = re.compile(r"(?<![0-9A-Za-z/.\-])(\d{1,3})[ \t]*[.．、](?![0-9])[ \t]*")
    found: list[tuple[int, int, int]] = []
    expected = 1
    for m in cand.finditer(masked, start, end):
        n = int(m.group(1))
        if not expected <= n <= expected + MAX_NUMBERING_GAP:
            continue
        k = m.start()  # what stands before the number, past spaces and footnote markers ("…报告;¹ 2. 赞扬")
        while k > start and (masked[k - 1] in " \t" or masked[k - 1] in SUPERSCRIPTS):
            k -= 1
        before = masked[k - 1] if k > 0 else "\n"
        if before not in "\n。;；.:：,，":
            continue
        if before in ",，" and not (opens_clause is not None and opens_clause(m.end())):
            continue
        # a number past the next one (paragraphs lost in conversion) counts only where a
        # paragraph ends before it and a clause opens after it; the caller reports the gap
        if n > expected and (before not in "\n。;；" or opens_clause is None or not opens_clause(m.end())):
            continue
        found.append((n, m.start(1), m.end()))
        expected = n + 1
    return found


def split_preamble(masked: str, start: int, end: int, opens_clause, *, spaced=None,  # type: ignore[no-untyped-def]
                   capital_lines: bool = False) -> list[Span]:
    """Preambular paragraphs between ``start`` and ``end``.

    A paragraph ends at a comma followed by a line break, or by white space in the original
    file (``spaced(i, j)``; texts flattened to one line keep it), where the next text opens
    with a preambular phrase (``opens_clause(pos)``); or at a comma followed by a blank line.
    """
    spans: list[Span] = []
    pos = start
    while pos < end and masked[pos].isspace():
        pos += 1
    cur = pos
    for m in re.finditer(r"[,，]([ \t]*(?:[⁰¹²³⁴⁵⁶⁷⁸⁹]+[ \t]*)?)(\n[ \t\n]*|[ \t]*)", masked[:end]):
        if m.start() < cur:
            continue
        nxt = m.end()
        if nxt >= end:
            break
        gap = masked[m.start(2):m.end(2)]
        blank = gap.count("\n") >= 2
        broken = "\n" in gap or (spaced is not None and spaced(m.start(), nxt))
        if blank or (broken and opens_clause(nxt)):
            spans.append((cur, m.end(1)))
            cur = nxt
    if capital_lines:
        # a line (or, in a text flattened to one line, a word after a lower-case one) that opens
        # with a capitalised preambular phrase starts a paragraph even where the comma before it
        # was lost in conversion ("...global parliamentary" / "Taking ...")
        extra = []
        for m in re.finditer(r"(?:\n|(?<=[a-z]) )[ \t]*(?=[A-Z])", masked[:end]):
            k = m.end()
            if k <= start or any(s_ <= k < e_ for s_, e_ in [(a, b) for a, b in spans] + [(cur, end)] if s_ == k):
                continue
            if masked[:m.start()].rstrip()[-1:] in (",", "，", "") or not opens_clause(k):
                continue
            extra.append(k)
        if extra:
            cuts = sorted(set([s_ for s_, _ in spans] + [cur] + extra))
            spans = [(a, b) for a, b in zip(cuts, cuts[1:] + [end])]
            cur = None  # spans now cover the whole preamble
    if cur is not None:
        tail_end = end
        while tail_end > cur and masked[tail_end - 1].isspace():
            tail_end -= 1
        if tail_end > cur:
            spans.append((cur, tail_end))
    return [(s, _rstrip(masked, s, e)) for s, e in spans if _rstrip(masked, s, e) > s]


def _rstrip(text: str, s: int, e: int) -> int:
    while e > s and text[e - 1].isspace():
        e -= 1
    return e


def segment(masked: str, body_start: int, body_end: int, opens_clause, *, spaced=None,  # type: ignore[no-untyped-def]
            operative_only=None, complete: bool = True, capital_lines: bool = False) -> tuple[list[Paragraph], list[Issue]]:
    """Preambular and operative paragraphs of the body ``[body_start, body_end)``.

    Without numbered paragraphs (the archaic 1946–1966 style) in a complete text (one with
    its closing lines), the paragraphs after the last comma-ended one (or those opening with a verb used only in operative paragraphs,
    ``operative_only(pos)``) are operative, numbered in order.
    """
    issues: list[Issue] = []
    ops = find_operative_starts(masked, body_start, body_end, opens_clause)
    pre_end = ops[0][1] if ops else body_end
    paragraphs: list[Paragraph] = []
    pre = split_preamble(masked, body_start, pre_end, opens_clause, spaced=spaced, capital_lines=capital_lines)
    if not ops and pre and complete:
        k = len(pre)
        while k > 0:
            s, e = pre[k - 1]
            ends_open = masked[e - 1] in ",，"
            if ends_open and not (operative_only and operative_only(s)):
                break
            k -= 1
        if k == len(pre) and operative_only and operative_only(pre[0][0]):
            k = 0
        unnumbered_ops = pre[k:]
        pre = pre[:k]
    else:
        unnumbered_ops = []
    for i, (s, e) in enumerate(pre, start=1):
        paragraphs.append(Paragraph("preambular", i, (s, e), (s, e)))
    for i, (s, e) in enumerate(unnumbered_ops, start=1):
        p = Paragraph("operative", i, (s, e), (s, e))
        _subitems(masked, p)
        paragraphs.append(p)
    for k, (n, s, bs) in enumerate(ops):
        before = ops[k - 1][0] if k else 0
        if n > before + 1:
            missing = f"{before + 1}" if n == before + 2 else f"{before + 1}–{n - 1}"
            issues.append(Issue("numbering-gap", f"operative paragraph {n} follows {before or 'the preamble'}: "
                                f"{missing} missing (lost in conversion?)", "warning", (s, bs), f"op/{n}"))
        e = ops[k + 1][1] if k + 1 < len(ops) else body_end
        e = _rstrip(masked, s, e)
        p = Paragraph("operative", n, (s, e), (bs, e))
        _subitems(masked, p)
        paragraphs.append(p)
    return paragraphs, issues


def _subitems(masked: str, p: Paragraph) -> None:
    for sm in _SUBITEM.finditer(masked, p.body_span[0], p.body_span[1]):
        p.subitems.append((sm.group("label"), (sm.start(), sm.end())))


__all__ = ["segment", "find_footnotes", "find_flow_footnotes", "footnote_symbols", "mask", "Hole", "SUPER"]
