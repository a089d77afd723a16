"""UN document symbols: find them in text and make them canonical.

Conventions: a General Assembly resolution is ``A/RES/<session>/<number>`` since the
31st session (``A/RES/74/303``), and ``A/RES/<number>(<session in Roman numerals>)``
before (``A/RES/2159(XXI)``); Chinese texts cite them as "第 57/32 号决议" and archaic
texts as "二一五九(二十一)". Other documents carry their own symbols (``A/74/759``,
``FCCC/CP/2015/10/Add.1``).
"""

from __future__ import annotations

import re

from mandates.core.text import chinese_number

# a UN symbol: an upper-case series, then at least one /-separated part
SYMBOL = re.compile(
    r"(?<![A-Za-z0-9/.\-])"
    r"([A-Z][A-Z0-9]{0,9}(?:\.[0-9]{1,3})?(?:/ ?[A-Za-z0-9][A-Za-z0-9.\-]*(?:\([IVXLC]+\))?)+)"
)
RES_NUMBER = re.compile(r"(?<![0-9/.])(\d{1,3})/(\d{1,4})(?![0-9/])")
# a General Assembly resolution's number as printed: 74/303, ES-10/22, S-26/2, 2758 (XXVI)
RES_PRINTED = r"(?:(?:ES|S)-\d{1,2}/\d{1,4}|\d{1,3}/\d{1,4}|\d{1,4} ?\([IVXLC]+\))"
# a resolution's or a decision's number as cited (74/303, 1/CP.21, 2758 (XXVI), ES-10/22)
CITED_NUMBER = r"(?:ES|S)-\d{1,2}/\d{1,4}|\d{1,4}/(?:[A-Z]{1,4}\.)?\d{1,4}|\d{1,4}\s*\([IVXLC]+\)"
# the same in Chinese numerals, with its session: 二七五八 (二十六), 二〇二五(二十)
ARCHAIC = r"[〇零0一二三四五六七八九]{2,5}\s*[(（][一二三四五六七八九十]+[)）]"


def clean_symbol(s: str) -> str:
    """Tidy a symbol as printed: no spaces, no trailing dot or comma, ``Add.`` parts separated.

    >>> clean_symbol("A/55/ L.30Add.1"), clean_symbol("A/51/402."), clean_symbol("A/55/l.18")
    ('A/55/L.30/Add.1', 'A/51/402', 'A/55/L.18')
    """
    s = re.sub(r"\s+", "", s).rstrip(".,;:")
    s = re.sub(r"(?<=[0-9])(Add|Rev|Corr)\.", r"/\1.", s)
    s = re.sub(r"/l\.(?=\d)", "/L.", s)
    return s


def resolution_symbol(session: int | str, number: int | str) -> str:
    """The canonical symbol of a General Assembly resolution.

    >>> resolution_symbol(74, 303), resolution_symbol(21, 2159)
    ('A/RES/74/303', 'A/RES/2159(XXI)')
    """
    session, number = int(session), int(number)
    if session <= 30 and number > 30:
        return f"A/RES/{number}({roman(session)})"
    return f"A/RES/{session}/{number}"


def roman(n: int) -> str:
    """Roman numerals for a session number.

    >>> roman(21), roman(1), roman(30)
    ('XXI', 'I', 'XXX')
    """
    out = ""
    for v, s in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
                 (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out += s
            n -= v
    return out


def roman_value(s: str) -> int:
    """The value of a Roman numeral.

    >>> roman_value("XXI"), roman_value("IV"), roman_value("I")
    (21, 4, 1)
    """
    vals = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for a, b in zip(s, s[1:] + " "):
        v = vals[a]
        total += -v if b != " " and vals.get(b, 0) > v else v
    return total


def canonical(symbol: str) -> str:
    """Canonical form of a symbol as printed; a bare ``74/303`` is a GA resolution.

    >>> canonical("74/303"), canonical("A/RES/70/1"), canonical("A/74/759")
    ('A/RES/74/303', 'A/RES/70/1', 'A/74/759')
    >>> canonical("2159(XXI)"), canonical("2758 (XXVI)"), canonical("二七五八 (二十六)")
    ('A/RES/2159(XXI)', 'A/RES/2758(XXVI)', 'A/RES/2758(XXVI)')
    >>> canonical("ES-10/22"), canonical("A/RES/ES-10/22"), canonical("S-26/2")
    ('A/RES/ES-10/22', 'A/RES/ES-10/22', 'A/RES/S-26/2')
    """
    archaic = archaic_resolution(symbol)
    if archaic:
        return archaic
    s = clean_symbol(symbol)
    m = re.fullmatch(r"(\d{1,3})/(\d{1,4})", s)
    if m:
        return resolution_symbol(m.group(1), m.group(2))
    m = re.fullmatch(r"(\d{1,4})\(([IVXLC]+)\)", s)
    if m:
        return f"A/RES/{m.group(1)}({m.group(2)})"
    m = re.fullmatch(r"((?:ES|S)-\d{1,2}/\d{1,4})", s)  # emergency special and special sessions
    if m:
        return f"A/RES/{m.group(1)}"
    return s


def archaic_resolution(text: str) -> str | None:
    """Read a resolution number written in Chinese numerals with its session, ``二一五九(二十一)``.

    >>> archaic_resolution("二一五九(二十一)"), archaic_resolution("三九六(五)"), archaic_resolution("二0二五(二十)")
    ('A/RES/2159(XXI)', 'A/RES/396(V)', 'A/RES/2025(XX)')
    """
    m = re.fullmatch(r"\s*([〇零0一二三四五六七八九]+)\s*[(（]\s*([一二三四五六七八九十]+)\s*[)）][\s.．。、]*", text)
    if not m:
        return None
    number = chinese_number(m.group(1))
    session = chinese_number(m.group(2))
    if number is None or session is None:
        return None
    return f"A/RES/{number}({roman(session)})"


def slug(symbol: str) -> str:
    """The IRI segment for a symbol.

    >>> slug("A/RES/74/303"), slug("FCCC/CP/2015/10/Add.1")
    ('A-RES-74-303', 'FCCC-CP-2015-10-Add.1')
    """
    return re.sub(r"[^A-Za-z0-9.()\-]", "-", symbol.replace("/", "-"))


def undocs(symbol: str) -> str:
    """The official resolver address of a document symbol.

    >>> undocs("A/RES/70/1")
    'https://undocs.org/A/RES/70/1'
    """
    return "https://undocs.org/" + symbol


def citation_regex(forms: list[str], *, lang: str) -> "re.Pattern[str]":
    """A pattern for numbered citations built from their citation forms; group 1 is the number.

    >>> citation_regex(["第{n}号决议"], lang="zh").search("其第 57/32 号决议").group(1)
    '57/32'
    >>> citation_regex(["resolution {n}"], lang="en").search("Recalling its Resolution 57/32 of").group(1)
    '57/32'
    >>> citation_regex(["resolution {n}"], lang="en").search("resolution ES-10/22").group(1)
    'ES-10/22'
    >>> citation_regex(["第{n}号决议"], lang="zh").search("第57/32、59/19号决议").group(1)
    '59/19'
    """
    alts = []
    for form in forms:
        before, _, after = form.partition("{n}")
        lead = r"\s*".join(re.escape(x) for x in before.split())
        if after.strip() and lead:  # the noun after the number: the last of a list drops the lead ("57/47和59/19号决议")
            lead = f"(?:{lead})?"
        alts.append(lead + r"\s*"
                    + rf"({CITED_NUMBER})"
                    + r"\s*" + r"\s*".join(re.escape(x) for x in after.split()))
    pattern = "|".join(f"(?:{a})" for a in alts) or "(?!)"
    # one group for all alternatives
    pattern = "(?:" + pattern + ")"
    compiled = re.compile(pattern, re.I if lang == "en" else 0)
    return _OneGroup(compiled)


class _OneGroup:
    """Wrap a pattern with one capturing group per alternative so ``group(1)`` is the first that matched."""

    def __init__(self, compiled: "re.Pattern[str]"):
        self.compiled = compiled

    def _fix(self, m):  # type: ignore[no-untyped-def]
        return None if m is None else _Match(m)

    def search(self, text: str, pos: int = 0, endpos: int | None = None):  # type: ignore[no-untyped-def]
        return self._fix(self.compiled.search(text, pos, len(text) if endpos is None else endpos))

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None):  # type: ignore[no-untyped-def]
        for m in self.compiled.finditer(text, pos, len(text) if endpos is None else endpos):
            yield _Match(m)


class _Match:
    def __init__(self, m):  # type: ignore[no-untyped-def]
        self.m = m

    def group(self, i: int = 0) -> str:
        if i == 0:
            return self.m.group(0)
        return next(g for g in self.m.groups() if g is not None)

    def start(self, i: int = 0) -> int:
        if i == 0:
            return self.m.start()
        k = next(k for k, g in enumerate(self.m.groups(), 1) if g is not None)
        return self.m.start(k)

    def alternative(self) -> int:
        """The index of the citation form that matched."""
        return next(k for k, g in enumerate(self.m.groups()) if g is not None)

    def end(self, i: int = 0) -> int:
        if i == 0:
            return self.m.end()
        k = next(k for k, g in enumerate(self.m.groups(), 1) if g is not None)
        return self.m.end(k)
