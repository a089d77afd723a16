"""The typed results of the extraction stages (no RDF here).

Spans are half-open ``(start, end)`` offsets into the *normalised* text of a document;
the build stage maps them back to the original file's characters.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from mandates.vocab.concepts import Concept

Span = tuple[int, int]


@dataclass
class Issue:
    """A data problem the extractor saw and reports (never an exception)."""

    code: str  # verb-missing | unlisted-actor | unlisted-instrument | truncated | symbol-from-file-name | ...
    message: str
    severity: str = "warning"  # info | warning | violation
    span: Span | None = None
    where: str | None = None  # paragraph local id ("op/4")


@dataclass
class Header:
    symbol: str | None = None  # canonical, A/RES/74/303
    printed_symbol: str | None = None  # as printed, 74/303
    symbol_source: str = "text"
    retired_iri_symbol: str | None = None  # a corrected misprint whose IRI keeps answering for this resolution
    symbol_span: Span | None = None
    session: int | None = None
    agenda_item: int | None = None
    title: str | None = None
    title_span: Span | None = None
    adopted: str | None = None  # ISO date
    meeting: int | None = None
    drafts: list[str] = field(default_factory=list)


@dataclass
class Footnote:
    number: int
    marker: str
    span: Span  # the whole footnote text block, marker included
    text_span: Span  # the footnote's text after the marker
    symbols: list[str] = field(default_factory=list)  # canonical UN symbols found in its text
    title: str | None = None


@dataclass
class Mention:
    """A span naming an actor or an instrument, or referring back to actors."""

    kind: str  # actor | instrument
    span: Span
    refers: list[Concept]  # the referent(s); a coreference has several
    how: str = "name"  # name | coreference | title | symbol | footnote | document
    in_title: bool = False  # inside a quoted title: named, but not the paragraph's
    flagged: bool = False  # not in the vocabulary
    label: str | None = None  # for minted (unlisted) referents: the text
    symbol: str | None = None  # for instruments: canonical symbol where known
    footnote: int | None = None  # marker number that gave the symbol
    date: str | None = None  # for a cited resolution: its adoption date as the citation gives it (ISO)


@dataclass
class Report:
    by: Concept | None
    to: Concept | None
    session: int | None
    span: Span


@dataclass
class Condition:
    """A condition a clause states ("within existing resources", 应……请求): the vocabulary's
    concept and the words that state it."""

    concept: Concept
    span: Span


@dataclass
class Partner:
    """Actors a mandate's addressees are to work with ("in cooperation with the IPU",
    与各国议会联盟合作): the drafting marker, its words through the names (and the Chinese
    closing word), and the actor mentions that name the partners."""

    marker: Concept
    span: Span
    names: list[Mention]

    @property
    def actors(self) -> list[Concept]:
        """The partners, each once, in text order (a coreference term stands for what it refers to)."""
        out: list[Concept] = []
        for m in self.names:
            out.extend(c for c in m.refers if c not in out)
        return out


@dataclass
class Clause:
    verb: Concept
    verb_span: Span  # the opening words, with prefixes
    span: Span  # verb start to the end of the clause
    addressees: list[Concept] = field(default_factory=list)
    report: Report | None = None
    conditions: list[Condition] = field(default_factory=list)
    partners: list[Partner] = field(default_factory=list)  # of a mandate only


@dataclass
class Paragraph:
    kind: str  # preambular | operative
    number: int
    span: Span
    body_span: Span  # without the number
    clauses: list[Clause] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    footnotes: list[int] = field(default_factory=list)
    subitems: list[tuple[str, Span]] = field(default_factory=list)
    themes: list[Concept] = field(default_factory=list)

    @property
    def local(self) -> str:
        return f"{'pp' if self.kind == 'preambular' else 'op'}/{self.number}"


@dataclass
class Document:
    path: str
    lang: str
    encoding: str
    sha256: str
    original: str
    text: str  # normalised
    origin: tuple[int, ...]
    header: Header
    paragraphs: list[Paragraph] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    truncated: bool = False
    minted: dict[str, Concept] = field(default_factory=dict)  # referents not in the vocabularies
    extracted_from: str | None = None  # pdf | docx: ``original`` is the text extracted from the file

    def orig_span(self, span: Span) -> Span:
        s, e = span
        if s >= e:
            o = self.origin[s] if s < len(self.origin) else len(self.original)
            return o, o
        return self.origin[s], self.origin[e - 1] + 1

    def display(self, span: Span) -> str:
        """The original characters of a span without markup (Markdown emphasis and link
        targets, HTML tags; an HTML entity as its character), white space as printed.

        >>> from mandates.core.text import normalise
        >>> n = normalise("1. **欢迎** [A/74/759](#)")
        >>> Document("x", "zh", "utf-8", "", n.original, n.text, n.origin, Header()).display((0, len(n.text)))
        '1. 欢迎 A/74/759'
        """
        ns, ne = span
        kept = set(self.origin[ns:ne])
        s, e = self.orig_span(span)
        out: list[str] = []
        i = s
        while i < e:
            ch = self.original[i]
            if ch == "&" and i + 1 < e and i + 1 not in kept:
                j = self.original.find(";", i, min(e, i + 12))
                if j != -1 and all(k not in kept for k in range(i + 1, j + 1)):
                    out.append(html.unescape(self.original[i:j + 1]))
                    i = j + 1
                    continue
            if i in kept or ch.isspace():
                out.append(ch)
            i += 1
        return "".join(out).strip()

    def original_text(self, span: Span) -> str:
        s, e = self.orig_span(span)
        return self.original[s:e]
