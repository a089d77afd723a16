"""The header and the closing lines of a resolution: symbol, session, agenda item,
title, adoption date, plenary meeting, draft symbols.

Patterns follow the UN's layout conventions; the cue words ("议程项目", "Agenda item",
"次全体会议", ...) come from the drafting vocabulary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mandates.core.symbols import ARCHAIC, RES_NUMBER, RES_PRINTED, SYMBOL, canonical, clean_symbol
from mandates.core.text import NUMBER_PATTERN, chinese_number, read_number
from mandates.extract.model import Header, Issue, Span
from mandates.vocab.concepts import Vocabulary

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"])}
_ORDINALS = {w: i for i, w in enumerate(
    ["zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
     "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth",
     "nineteenth"])}
_TENS = {"twentieth": 20, "thirtieth": 30, "fortieth": 40, "fiftieth": 50, "sixtieth": 60, "seventieth": 70,
         "eightieth": 80, "ninetieth": 90}
_TENS_PREFIX = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                "ninety": 90}


def english_ordinal(word: str) -> int | None:
    """Read an English ordinal word.

    >>> english_ordinal("Seventy-fourth"), english_ordinal("fiftieth"), english_ordinal("first")
    (74, 50, 1)
    """
    w = word.lower().strip()
    if w in _ORDINALS:
        return _ORDINALS[w]
    if w in _TENS:
        return _TENS[w]
    parts = re.split(r"[-\s]", w)
    if len(parts) == 2 and parts[0] in _TENS_PREFIX and parts[1] in _ORDINALS:
        return _TENS_PREFIX[parts[0]] + _ORDINALS[parts[1]]
    m = re.fullmatch(r"(\d+)(st|nd|rd|th)", w)
    return int(m.group(1)) if m else None


_LINE = re.compile(r"(?m)^[ \t]*(\S[^\n]*)$")
_ZH_DATE = re.compile(rf"({NUMBER_PATTERN})年({NUMBER_PATTERN})月({NUMBER_PATTERN})日")
_EN_DATE = re.compile(r"\b(\d{1,2}) (January|February|March|April|May|June|July|August|September|October|"
                      r"November|December),? (\d{4})\b", re.I)

# a date as the text prints it, by language (find_dates reads it)
DATE_PATTERN = {"zh": _ZH_DATE.pattern, "en": _EN_DATE.pattern}


@dataclass
class DateHit:
    iso: str
    span: Span


def find_dates(text: str, start: int = 0, end: int | None = None) -> list[DateHit]:
    """Dates written in Chinese (Arabic or Chinese numerals) or English, as ISO strings.

    >>> [d.iso for d in find_dates("2020年9月4日 和 一九六六年十一月二十九日 and 17 December 1996")]
    ['2020-09-04', '1966-11-29', '1996-12-17']
    """
    end = len(text) if end is None else end
    hits: list[DateHit] = []
    for m in _ZH_DATE.finditer(text, start, end):
        y, mo, d = (read_number(g) for g in m.groups())
        if y and mo and d and 1900 < y < 2200 and 1 <= mo <= 12 and 1 <= d <= 31:
            hits.append(DateHit(f"{y:04d}-{mo:02d}-{d:02d}", (m.start(), m.end())))
    for m in _EN_DATE.finditer(text, start, end):
        d, mon, y = int(m.group(1)), _MONTHS[m.group(2).lower()], int(m.group(3))
        if 1 <= d <= 31:
            hits.append(DateHit(f"{y:04d}-{mon:02d}-{d:02d}", (m.start(), m.end())))
    return sorted(hits, key=lambda h: h.span)


def _words(vocab: Vocabulary, role: str, lang: str) -> str:
    words = vocab.marker_words(role, lang)
    return "|".join(re.escape(w) for w in words) or "(?!)"


def find_body_start(text: str, vocab: Vocabulary, lang: str, verbs_regex: re.Pattern[str],
                    prefixed=lambda text, k: False, spaced=None) -> tuple[int, int] | None:  # type: ignore[no-untyped-def]
    """Where the preamble opening ("大会，", "The General Assembly,") stands.

    ``spaced(i, j)`` tells whether the original file has white space between normalised
    positions ``i`` and ``j`` (a text flattened to one line keeps its word breaks there).

    Returns (start of the opening, start of the body after it), or None.
    """
    opening = _words(vocab, "PreambleOpening", lang).replace(r"\ ", r"\s+")  # a line may break inside it
    flags = re.I if lang == "en" else 0
    # 1. the opening with its comma, alone on its line or followed by the first paragraph
    for pat in (rf"(?m)^[ \t]*(?:{opening})[ \t]*[,:][ \t]*$", rf"(?m)^[ \t]*(?:{opening})[ \t]*[,:]"):
        for m in re.finditer(pat, text, flags):
            if lang == "en" and not text[m.start():m.end()].lstrip()[:1].isupper():
                continue  # "… in the General Assembly, G.A. res. …": a title, not the opening
            return m.start(), m.end()
    # 2. the opening alone on its line without a comma, where a paragraph opening with a verb follows
    #    (a bare organ heading above the metadata is followed by a session line, not a verb)
    for m in re.finditer(rf"(?m)^[ \t]*(?:{opening})[ \t]*$", text, flags):
        k = m.end()
        while k < len(text) and text[k].isspace():
            k += 1
        if verbs_regex.match(text, k) or prefixed(text, k):
            return m.start(), m.end()
    # 3. a text flattened to one line: the opening with its comma anywhere, a verb after it
    for m in re.finditer(rf"(?:{opening})[ \t]*,\s*", text, flags):
        if lang == "en" and not text[m.start()].isupper():
            continue
        if verbs_regex.match(text, m.end()) or prefixed(text, m.end()):
            return m.start(), m.end()
    # 4. archaic: the opening fused with the first verb ("大会决定…", "大会建议:")
    for m in re.finditer(rf"(?m)^[ \t]*(?:{opening})", text, flags):
        if verbs_regex.match(text, m.end()):
            return m.start(), m.end()
    # 5. the same in a text flattened to one line: after a full stop or a word break of the original
    for m in re.finditer(rf"(?:{opening})", text, flags):
        k = m.start()
        if k and not (text[k - 1] in "。.;；:：" or text[k - 1].isspace() or (spaced is not None and spaced(k - 1, k))):
            continue
        j = m.end()
        while j < len(text) and text[j].isspace():
            j += 1
        if verbs_regex.match(text, j) or prefixed(text, j):
            return m.start(), m.end()
    return None


def parse_header(text: str, head_end: int, tail_start: int, vocab: Vocabulary, lang: str) -> tuple[Header, list[Issue]]:
    """Read the metadata from the text before the body (``[0, head_end)``) and after the
    last paragraph (``[tail_start, len)``).

    Args:
        text: the normalised text.
        head_end: where the preamble opening starts.
        tail_start: where the closing lines may start (after the last paragraph's text).
        vocab: the vocabularies (for cue words).
        lang: ``zh`` or ``en``.
    """
    h = Header()
    issues: list[Issue] = []
    head = text[:head_end]
    flags = re.I if lang == "en" else 0
    session_cue = _words(vocab, "SessionCue", lang)
    agenda_cue = _words(vocab, "AgendaItemCue", lang)
    plenary_cue = _words(vocab, "PlenaryCue", lang)

    if lang == "zh":
        m = re.search(rf"第({NUMBER_PATTERN})(?:{session_cue})", head)
        if m:
            h.session = read_number(m.group(1))
        m = re.search(rf"(?:{agenda_cue})\s*(\d+)", head)
        if m:
            h.agenda_item = int(m.group(1))
    else:
        m = re.search(rf"\b([A-Za-z]+(?:-[a-z]+)?|\d+(?:st|nd|rd|th))\s+(?:{session_cue})\b", head, flags)
        if m:
            h.session = english_ordinal(m.group(1))
        m = re.search(rf"(?:{agenda_cue})\s*(\d+)", head, flags)
        if m:
            h.agenda_item = int(m.group(1))

    # drafts: the bracketed adoption line
    m = re.search(r"\[[^\]\n]*\(([^)\n]*[A-Z]/[^)\n]*)\)\s*\]", head)
    if m:
        h.drafts = parse_drafts(m.group(1))

    _symbol_and_title(head, h, lang)

    # plenary meeting and adoption date: the closing lines first, then the header
    tail = text[tail_start:]
    pm = None
    if lang == "zh":
        pm = re.search(rf"第({NUMBER_PATTERN})(?:{plenary_cue})", tail)
        if pm is None:
            pm = re.search(rf"第({NUMBER_PATTERN})(?:{plenary_cue})", head)
    else:
        pm = re.search(rf"\b(\d+)(?:st|nd|rd|th)\s+(?:{plenary_cue})", tail, flags) or re.search(
            rf"\b(\d+)(?:st|nd|rd|th)\s+(?:{plenary_cue})", head, flags)
    if pm:
        h.meeting = read_number(pm.group(1))
    adoption_cue = _words(vocab, "AdoptionCue", lang)
    dates = find_dates(text, tail_start)
    if not dates:
        # the header's date counts only where the adoption line carries it
        # ("2020年9月4日大会决议", "Resolution adopted by the General Assembly on 4 September 2020");
        # a distribution date ("Distr.: General 9 September 2020") is not the adoption date
        for d in find_dates(text, 0, head_end):
            before = text[max(0, d.span[0] - 60):d.span[0]]
            after = text[d.span[1]:d.span[1] + 12]
            if re.match(rf"\s*(?:{adoption_cue})", after, flags) or re.search(rf"(?:{adoption_cue})\s*(?:on)?\s*$", before, flags):
                dates = [d]
                break
        if not dates and pm is not None and pm.string is head:
            near = [d for d in find_dates(text, 0, head_end) if abs(d.span[0] - pm.end()) < 40 or abs(pm.start() - d.span[1]) < 40]
            dates = near[:1]
    if dates:
        h.adopted = dates[0].iso
    return h, issues


def _symbol_and_title(head: str, h: Header, lang: str) -> None:
    """The symbol as printed and the title after it: on a line of its own ("74/303. Title",
    "2758 (XXVI). Title", "ES-10/22. Title", "二一五九(二十一)、Title"), in a header flattened to
    one line, in a citation line ("G.A. res. 51/204") or as a full symbol ("A/RES/65/123")."""
    for line_m in re.finditer(r"(?m)^[ \t]*(\S[^\n]*)$", head):
        line = line_m.group(1)
        sm = re.match(rf"(?:A/RES/)?({RES_PRINTED}|{ARCHAIC})[ \t]*[.．。、]?[ \t]*(.*)$", line)
        if sm and not re.search(r"[A-Z]/", line[: sm.start(1)]) and canonical(sm.group(1)).startswith("A/RES/"):
            _set_symbol(h, sm.group(1), line_m.start(1) + sm.start(1))
            title_start = line_m.start(1) + sm.start(2) if sm.group(2).strip() else None
            if title_start is None:
                nxt = _LINE.search(head, line_m.end())
                title_start = nxt.start(1) if nxt else None
            if title_start is not None:
                h.title, h.title_span = _title_from(head, title_start, lang)
            return
    # a header flattened to one line: "… 65/123. Cooperation between … ", "…)]74/303.联合国…"
    m = re.search(rf"(?<![\w/.\-])({RES_PRINTED}|{ARCHAIC})[ \t]*[.．。、][ \t]*(?=\S)", head)
    if m:
        _set_symbol(h, m.group(1), m.start(1))
        title = head[m.end():].strip()
        if title:
            h.title, h.title_span = title, (m.end(), m.end() + len(title))
        return
    # a citation line ("G.A. res. 51/204, 51 U.N. GAOR Supp. …")
    m = re.search(rf"\bres(?:olution)?\.?\s+({RES_PRINTED})(?![\w/])", head, re.I)
    if m is None:  # a full symbol ("A/RES/65/123 United Nations Distr.: General …")
        m = re.search(rf"(A/RES/{RES_PRINTED})", head)
    if m:
        _set_symbol(h, m.group(1), m.start(1))


def _set_symbol(h: Header, printed: str, start: int) -> None:
    printed = printed.strip()
    h.printed_symbol = printed
    h.symbol = canonical(printed)
    h.symbol_span = (start, start + len(printed))


def _title_from(head: str, start: int, lang: str) -> tuple[str, Span]:
    r"""The title starting at ``start``: the rest of its line and the lines after it, up to a
    blank line or the end of the header (titles are hard-wrapped in PDF text layers).

    >>> _title_from("74/304. Interaction between\n    the IPU\n\nThe General Assembly,", 8, "en")[0]
    'Interaction between the IPU'
    """
    pieces: list[str] = []
    pos = start
    end = start
    while pos < len(head):
        nl = head.find("\n", pos)
        line_end = len(head) if nl == -1 else nl
        piece = head[pos:line_end].strip()
        if not piece:
            break
        if pieces and re.match(r"\[|\d+\.|\(", piece):
            break
        pieces.append(piece)
        end = pos + len(head[pos:line_end].rstrip())
        if nl == -1:
            break
        pos = nl + 1
        while pos < len(head) and head[pos] in " \t":
            pos += 1
    return (" " if lang == "en" else "").join(pieces), (start, end)


def parse_drafts(inner: str) -> list[str]:
    """Draft symbols from the text inside the adoption brackets, with their quirks.

    >>> parse_drafts("A/74/L.85和A/74/L.85/Add.1")
    ['A/74/L.85', 'A/74/L.85/Add.1']
    >>> parse_drafts("A/55/L.18和Add.1"), parse_drafts("A/55/ L.30Add.1"), parse_drafts("A/55/L.30 and Add.1")
    (['A/55/L.18', 'A/55/L.18/Add.1'], ['A/55/L.30/Add.1'], ['A/55/L.30', 'A/55/L.30/Add.1'])
    """
    s = re.sub(r"(?<=/)\s+", "", inner)
    out: list[str] = []
    last: str | None = None
    for m in re.finditer(r"[A-Z][A-Z0-9]*/[A-Za-z0-9./\-]+|(?<![A-Za-z/])(?:Add|Rev|Corr)\.\d+(?:/(?:Add|Rev|Corr)\.\d+)*", s):
        sym = clean_symbol(m.group(0))
        if re.match(r"(Add|Rev|Corr)\.", sym) and last:
            base = re.sub(r"/(Add|Rev|Corr)\.\d+.*$", "", last)
            sym = f"{base}/{sym}"
        out.append(sym)
        last = sym
    return out


def find_closing(text: str, vocab: Vocabulary, lang: str, start: int) -> int | None:
    """Where the closing block (adoption date and plenary meeting lines) starts, if present."""
    plenary_cue = _words(vocab, "PlenaryCue", lang)
    # at a line start, or after the last paragraph's full stop (a text flattened to one line)
    lead = r"(?:^|(?<=[。.;；]))"
    if lang == "zh":
        pat = rf"(?m){lead}[ \t]*(?:{_ZH_DATE.pattern})?[ \t]*[,，]?[ \t]*\n?[ \t]*第{NUMBER_PATTERN}(?:{plenary_cue})"
    else:
        pat = rf"(?mi){lead}[ \t]*(?:{_EN_DATE.pattern}[ \t]*)?\d+(?:st|nd|rd|th)\s+(?:{plenary_cue})"
    m = next((x for x in re.finditer(pat, text) if x.start() >= start), None)
    if m is None:
        return None
    # a date line just above belongs to the closing block
    before = text[:m.start()].rstrip()
    d = [x for x in find_dates(text, max(start, len(before) - 30), len(before)) if x.span[1] == len(before)]
    return d[0].span[0] if d else m.start()


__all__ = ["Header", "parse_header", "find_body_start", "find_closing", "find_dates", "parse_drafts",
           "english_ordinal", "chinese_number", "SYMBOL", "RES_NUMBER"]
