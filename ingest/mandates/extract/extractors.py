"""From a read source to a typed ``Document``: header, paragraphs, clauses, mentions.

The pipeline is a list of named extractors (``PIPELINE``); each one declares what it
reads and writes on the shared ``Context`` and is registered under its name, so a stage
can be replaced or a new one added without touching the others. No extractor names a
verb, an actor or a phrase of any document: everything comes from the vocabularies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

from mandates.core.symbols import CITED_NUMBER, SYMBOL, canonical, citation_regex, roman_value, slug
from mandates.core.text import (
    NUMBER_PATTERN,
    SUPERSCRIPTS,
    fold_label,
    normalise,
    read_number,
    superscript_value,
)
from mandates.extract import header as header_mod
from mandates.extract import lexmatch, places
from mandates.extract.model import (
    Clause,
    Condition,
    Document,
    Footnote,
    Header,
    Issue,
    Mention,
    Paragraph,
    Partner,
    Report,
    Span,
)
from mandates.extract.read import Source
from mandates.extract.segment import (
    SUPER,
    Hole,
    find_flow_footnotes,
    find_footnotes,
    mask,
    normalise_markers,
    segment,
)
from mandates.rdf.namespaces import DEFAULT_BASE, MND
from mandates.vocab.concepts import Concept, Lexicon, Vocabulary, corrections, gap_parts

# ----------------------------------------------------------------------------- context


@dataclass
class Context:
    """What the extractors share while reading one document."""

    source: Source
    vocab: Vocabulary
    lang: str
    symbol_option: str | None = None
    symbol_reason: str = "option"  # why the symbol was given: "option" (user) or "other-version"
    text: str = ""
    origin: tuple[int, ...] = ()
    masked: str = ""
    body: Span = (0, 0)
    opening: Span | None = None
    closing: int | None = None
    header: Header = field(default_factory=Header)
    paragraphs: list[Paragraph] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)
    holes: list[Hole] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    truncated: bool = False
    minted: dict[str, Concept] = field(default_factory=dict)
    history: list[Mention] = field(default_factory=list)  # actor mentions so far, for coreference

    def issue(self, code: str, message: str, *, severity: str = "warning", span: Span | None = None,
              where: str | None = None) -> None:
        self.issues.append(Issue(code, message, severity, span, where))


Extractor = Callable[[Context], None]


@dataclass(frozen=True)
class Registered:
    name: str
    run: Extractor
    reads: tuple[str, ...]
    writes: tuple[str, ...]


REGISTRY: dict[str, Registered] = {}


def extractor(name: str, *, reads: tuple[str, ...], writes: tuple[str, ...]) -> Callable[[Extractor], Extractor]:
    """Register an extractor under a name, with the context fields it reads and writes."""

    def deco(fn: Extractor) -> Extractor:
        REGISTRY[name] = Registered(name, fn, reads, writes)
        return fn

    return deco


PIPELINE = ["normalise", "footnotes", "structure", "header", "mentions", "footnote-links", "clauses",
            "partners", "addressees", "reports", "conditions", "completeness"]

# How far a label's gap ("……", ontology/VOCAB-SCHEMA.md) may reach, in characters: in a condition
# (应……请求: the requester's name), and after the names in a partner marker (与……密切合作)
CONDITION_GAP = 16
PARTNER_GAP = 20
# what a gap never spans: the clause's punctuation (texts are normalised to ASCII ,;: and (); 。 stays)
GAP_STOPS = frozenset(",;:.。!?")


# ----------------------------------------------------------------------------- helpers


class Words:
    """The drafting markers of one language as folded word lists, longest first (read-only:
    one per vocabulary and language, :meth:`of`)."""

    @staticmethod
    @lru_cache(maxsize=8)
    def of(vocab: Vocabulary, lang: str) -> Words:
        """The words of ``vocab`` in ``lang``, made once (every extractor of every document needs them)."""
        return Words(vocab, lang)

    def __init__(self, vocab: Vocabulary, lang: str):
        self.lang = lang
        mw = vocab.marker_words
        self.conj = mw("ClauseConjunction", lang)
        self.prefix = mw("VerbPrefix", lang)
        self.modifier = mw("VerbModifier", lang)
        self.subordinate = mw("SubordinateCue", lang)
        self.description = mw("DescriptionCue", lang)
        self.connector = mw("AddresseeConnector", lang)
        self.filler = mw("AddresseeFiller", lang)
        self.appositive = mw("AppositiveOpen", lang)
        self.doc_nouns = {fold_label(w, lang=lang): c for c in vocab.markers("DocumentNoun")
                          for w in c.labels.get(lang, ())}
        self.report_verbs = mw("ReportVerb", lang)
        self.recipient = mw("ReportRecipient", lang)
        self.resolution_nouns = mw("ResolutionNoun", lang)
        self.session_cue = mw("SessionCue", lang)
        quotes = []
        for c in vocab.markers("QuoteOpen"):
            o = c.pref.get(lang) or c.pref.get("zh")
            # (a mark with no other label closes with itself: the straight quote)
            closes = [x for x in c.labels.get(lang, c.labels.get("zh", ())) if x != o] or [o]
            if o and closes:
                quotes.append((o, closes[0]))
        self.quotes = quotes
        self.partners = _gapped(vocab.markers("PartnerMarker"), lang)
        self.condition_gaps = [(c, parts) for c, parts in _gapped(vocab.of_kind("condition"), lang) if len(parts) > 1]


def _gapped(concepts: list[Concept], lang: str) -> list[tuple[Concept, tuple[str, ...]]]:
    """Each label of the concepts in one language as its folded parts around the gaps, longest first."""
    out = {(c.iri, parts): (c, parts) for c in concepts for lab in c.labels.get(lang, ())
           for parts in [gap_parts(fold_label(lab, lang=lang))] if parts[0]}
    return [out[k] for k in sorted(out, key=lambda k: (-sum(len(x) for x in k[1]), k))]


def _skip_space(text: str, pos: int, end: int, *, markers: bool = True) -> int:
    while pos < end and (text[pos].isspace() or (markers and text[pos] in SUPERSCRIPTS)):
        pos += 1
    return pos


def _regions(text: str, start: int, end: int, pairs: list[tuple[str, str]]) -> list[Span]:
    """Top-level quoted regions (opening mark to closing mark, inclusive). Where several
    opening marks stand at one place, the first pair's wins; an opening mark without its
    closing mark before ``end`` opens nothing.

    >>> _regions("a“b《c》d”e《f", 0, 11, [("《", "》"), ("“", "”")])
    [(1, 8)]
    >>> _regions("《a》“b", 0, 5, [("《", "》"), ("“", "”")])
    [(0, 3)]
    """
    out: list[Span] = []
    if not pairs:
        return out
    opening = _openings(tuple(pairs))
    i = start
    while i < end:
        m = opening.search(text, i)
        if m is None or m.start() >= end:
            break
        i = m.start()
        o, c = pairs[m.lastindex - 1]  # type: ignore[operator]
        j = text.find(c, i + len(o), end)
        if j == -1:
            i += 1
        else:
            out.append((i, j + len(c)))
            i = j + len(c)
    return out


@lru_cache(maxsize=16)
def _openings(pairs: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    """A pattern of the opening marks, one group each, in the order of ``pairs``."""
    return re.compile("|".join(f"({re.escape(o)})" for o, _ in pairs))


def _depth_map(text: str, start: int, end: int, quotes: list[Span]) -> bytearray:
    """1 where a character is inside quotes, parentheses or a dash-enclosed aside."""
    depth = bytearray(end - start)
    for s, e in quotes:
        for i in range(max(s, start), min(e, end)):
            depth[i - start] = 1
    level = 0
    dash_open = False
    i = start
    while i < end:
        ch = text[i]
        if ch in "(（":
            level += 1
        elif ch in ")）" and level:
            level -= 1
            depth[i - start] = 1
        if text.startswith("——", i):
            dash_open = not dash_open
            depth[i - start] = depth[i + 1 - start] = 1
            i += 2
            continue
        if level or dash_open:
            depth[i - start] = 1
        i += 1
    return depth


def _in(span: Span, regions: list[Span]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in regions)


def _mint_instrument(ctx: Context, *, symbol: str | None, label: str | None, lang: str) -> Concept:
    """An instrument the vocabulary does not list: by symbol when there is one, else by title."""
    if symbol:
        known = by_symbol(ctx.vocab).get(symbol)
        if known:
            return known
        iri = f"{DEFAULT_BASE}doc/{slug(symbol)}"
        labels: dict[str, tuple[str, ...]] = {}
        m = re.fullmatch(r"A/RES/(\d+/\d+)", symbol)
        if m:
            for form_lang in ("zh", "en"):
                forms = ctx.vocab.citation_forms("ResolutionNoun", form_lang)
                if forms:
                    labels[form_lang] = (forms[0].format(n=m.group(1)),)
        if label:
            labels[lang] = (label,) + tuple(x for x in labels.get(lang, ()) if x != label)
        if not labels:
            labels = {"en": (symbol,)}
        pref = {k: v[0] for k, v in labels.items()}
    else:
        assert label is not None
        if lang == "zh":  # a title broken across lines or spaced in conversion: labels carry no spaces
            label = re.sub(r"\s+", "", label)
        label = label[:300]
        iri = f"{DEFAULT_BASE}instrument/unlisted/{_title_slug(label)}"
        labels = {lang: (label,)}
        pref = {lang: label}
    c = ctx.minted.get(iri)
    if c is None:
        c = Concept(iri=iri, kind="instrument", pref=pref, labels=labels, symbol=symbol,
                    types=frozenset({MND + "Instrument"}))
        ctx.minted[iri] = c
        if symbol is None:
            ctx.issue("unlisted-instrument", f"《{label}》 is in no vocabulary (add it to ontology/vocab/instruments.ttl)",
                      severity="info")
    else:  # merge labels
        merged = {k: tuple(dict.fromkeys(c.labels.get(k, ()) + labels.get(k, ()))) for k in set(c.labels) | set(labels)}
        c = Concept(iri=iri, kind="instrument", pref={**pref, **c.pref}, labels=merged, symbol=symbol,
                    types=c.types)
        ctx.minted[iri] = c
    return c


def _title_slug(title: str) -> str:
    t = fold_label(title, lang="zh")
    t = re.sub(r"[\s/#?%\"<>\\^`{|}]+", "-", t).strip("-")
    return t[:80] or "untitled"


_SYMBOL_INDEX: dict[int, dict[str, Concept]] = {}


def by_symbol(vocab: Vocabulary) -> dict[str, Concept]:
    """The instruments of the vocabulary by their UN symbol (made once per vocabulary)."""
    idx = _SYMBOL_INDEX.get(id(vocab))
    if idx is None:
        idx = {c.symbol: c for c in vocab.of_kind("instrument") if c.symbol}
        _SYMBOL_INDEX[id(vocab)] = idx
    return idx


def _verb_lexicon(vocab: Vocabulary, lang: str) -> Lexicon:
    return vocab.lexicon(("verb",), lang)


def _operative_only(ctx: Context, words: Words, pos: int, end: int) -> bool:
    """True when the text at ``pos`` opens with a verb used only in operative paragraphs."""
    h = head_at(ctx, words, _skip_space(ctx.masked, pos, end), end)
    if h is None:
        return False
    return bool(h[0].used_in) and MND + "Preambular" not in h[0].used_in


def head_at(ctx: Context, words: Words, pos: int, end: int, *, text: str | None = None) -> tuple[Concept, int, int] | None:
    """A clause head (prefixes + verb) starting at ``pos``: (verb, start, end), or None."""
    text = ctx.masked if text is None else text
    lang = ctx.lang
    i = pos
    for _ in range(3):
        w = lexmatch.match_at(text, i, words.prefix, lang=lang)
        if not w:
            break
        i = _skip_space(text, i + len(w), end, markers=False)
    lex = _verb_lexicon(ctx.vocab, lang)
    low = lexmatch.view(text, lang)
    for length in range(min(lex.max_len, end - i), 0, -1):
        key = low[i:i + length]
        got = lex.entries.get(key)
        if not got:
            continue
        j = i + length
        if lang == "en" and j < len(low) and low[j].isalnum():
            continue
        # English preambular "Recalling also": a trailing prefix word belongs to the head
        if lang == "en":
            k = _skip_space(text, j, end, markers=False)
            w = lexmatch.match_at(text, k, words.prefix, lang=lang)
            if w:
                j = k + len(w)
        return got[0], pos, j
    return None


# ----------------------------------------------------------------------------- stages


@extractor("normalise", reads=("source",), writes=("text", "origin", "masked"))
def _normalise(ctx: Context) -> None:
    n = normalise(ctx.source.text, traditional=(ctx.lang == "zh"), markup=ctx.source.markup, join_lines=(ctx.lang == "zh"))
    ctx.text, ctx.origin, ctx.masked = n.text, n.origin, n.text
    for note in ctx.source.repairs:  # what reading repaired ("line-endings: ...")
        code, _, message = note.partition(": ")
        ctx.issue(code, f"repaired on reading: {message}", severity="info")


@extractor("footnotes", reads=("text",), writes=("footnotes", "holes", "masked", "opening", "body"))
def _footnotes(ctx: Context) -> None:
    verbs_re = re.compile("|".join(re.escape(k) for k in sorted(_verb_lexicon(ctx.vocab, ctx.lang).entries, key=len, reverse=True)) or "(?!)",
                          re.I if ctx.lang == "en" else 0)
    words = Words.of(ctx.vocab, ctx.lang)
    found = header_mod.find_body_start(
        ctx.text, ctx.vocab, ctx.lang, verbs_re,
        prefixed=lambda text, k: head_at(ctx, words, k, min(len(text), k + 40), text=text) is not None,
        spaced=lambda i, j: _spaced(ctx, i, j))
    if found is None:
        ctx.issue("no-preamble-opening", "the text has no line opening the body (the drafting vocabulary's preamble opening); "
                  "the whole text is read as the body", severity="warning")
        ctx.opening, ctx.body = None, (0, len(ctx.text))
    else:
        ctx.opening, ctx.body = found, (found[1], len(ctx.text))
    cites = citation_regex(cite_forms(ctx.vocab, ctx.lang), lang=ctx.lang)
    notes, holes = find_footnotes(ctx.text, ctx.body[0], len(ctx.text), cites=cites)
    seen: set[int] = set()
    unique = []
    for fn in notes:
        if fn.number in seen:
            ctx.issue("footnote-duplicate", f"footnote {fn.marker} appears twice; the first text is kept",
                      span=fn.span)
            continue
        seen.add(fn.number)
        unique.append(fn)
    masked, markers = normalise_markers(mask(ctx.text, holes), ctx.body[0], len(ctx.text))
    markers += [(m.start(), m.end(), superscript_value(m.group(0))) for m in re.finditer(SUPER, masked)
                if m.start() >= ctx.body[0]]
    flow, flow_holes = find_flow_footnotes(
        masked, ctx.body[0], len(ctx.text), markers, cites=cites, cues=ctx.vocab.marker_words("FootnoteCue", ctx.lang),
        lang=ctx.lang, known=seen, spaced=lambda i, j: _spaced(ctx, i, j),
        opens=lambda k: _opens_paragraph(ctx, words, masked, k))
    if flow_holes:
        unique = sorted(unique + flow, key=lambda f: (f.number, f.span))
        holes = holes + flow_holes
        masked, _ = normalise_markers(mask(ctx.text, holes), ctx.body[0], len(ctx.text))
    ctx.footnotes, ctx.holes = unique, holes
    ctx.masked = masked


def _spaced(ctx: Context, i: int, j: int) -> bool:
    """True when the original file has white space between normalised positions i and j."""
    if j >= len(ctx.origin) or i >= j or i < 0:
        return False
    return any(ch.isspace() for ch in ctx.source.text[ctx.origin[i]:ctx.origin[j]])


def _opens_paragraph(ctx: Context, words: Words, text: str, pos: int) -> bool:
    """True when a paragraph may open at ``pos``: a clause head, or a paragraph number and one."""
    m = re.match(r"\d{1,3}[ \t]*[.．、](?![0-9])[ \t]*", text[pos:pos + 8])
    k = pos + m.end() if m else pos
    if ctx.lang == "en" and not text[k:k + 1].isupper():
        return False
    return head_at(ctx, words, k, min(len(text), k + 40), text=text) is not None


@extractor("structure", reads=("masked", "body"), writes=("paragraphs", "closing", "body"))
def _structure(ctx: Context) -> None:
    words = Words.of(ctx.vocab, ctx.lang)
    closing = header_mod.find_closing(ctx.masked, ctx.vocab, ctx.lang, ctx.body[0])
    ctx.closing = closing
    end = closing if closing is not None else len(ctx.masked)
    ctx.body = (ctx.body[0], end)

    def opens_clause(pos: int) -> bool:
        p = _skip_space(ctx.masked, pos, end)
        if ctx.lang == "en" and not ctx.masked[p:p + 1].isupper():
            return False  # English paragraphs open with a capital ("Recalling", "Noting")
        return head_at(ctx, words, p, end) is not None

    ctx.paragraphs, issues = segment(ctx.masked, ctx.body[0], end, opens_clause, spaced=lambda i, j: _spaced(ctx, i, j),
                                     operative_only=lambda pos: _operative_only(ctx, words, pos, end),
                                     complete=closing is not None, capital_lines=ctx.lang == "en")
    ctx.issues.extend(issues)


@extractor("header", reads=("text", "opening", "closing"), writes=("header",))
def _header(ctx: Context) -> None:
    head_end = ctx.opening[0] if ctx.opening else 0
    tail = ctx.closing if ctx.closing is not None else len(ctx.text)
    h, issues = header_mod.parse_header(ctx.text, head_end, tail, ctx.vocab, ctx.lang)
    if h.symbol_span:  # as printed: "二七五八 (二十六)", not its folded form
        s, e = h.symbol_span
        h.printed_symbol = ctx.source.text[ctx.origin[s]:ctx.origin[e - 1] + 1]
    ctx.issues.extend(issues)
    if ctx.symbol_option and ctx.symbol_reason == "other-version":
        # another language version prints another symbol: reported, never used (an IRI comes
        # from the text itself and the corrections table, not from the other files built)
        given = canonical(ctx.symbol_option)
        if h.symbol and given != h.symbol:
            ctx.issue("symbol-differs-between-versions", f"this text prints {h.printed_symbol}, another language "
                      f"version of the same resolution (same drafts, date and session) prints {given}; each keeps "
                      "its own; if one is a misprint, record it in ontology/corrections.ttl", severity="warning")
    elif ctx.symbol_option:
        given = canonical(ctx.symbol_option)
        if h.symbol and given != h.symbol:
            ctx.issue("symbol-disagrees", f"the text prints {h.printed_symbol}; the symbol given on the command line "
                      f"({ctx.symbol_option}) is used", severity="warning")
        if h.symbol is None or given != h.symbol:
            h.symbol = given
            h.symbol_source = ctx.symbol_reason
    if h.session is None and h.symbol:
        # the symbol's first number is the session (A/RES/52/19: 52nd session) by UN convention
        sm = re.fullmatch(r"A/RES/(\d{2,3})/\d+", h.symbol)
        rm = re.fullmatch(r"A/RES/\d+\(([IVXLC]+)\)", h.symbol)
        if sm and h.symbol_source == "text":
            h.session = int(sm.group(1))
        elif rm and h.symbol_source == "text":
            h.session = roman_value(rm.group(1))
    if h.symbol is None:
        h.symbol = symbol_from_file_name(ctx.source.path)
        h.symbol_source = "file-name"
        ctx.issue("symbol-from-file-name", f"the text gives no symbol; named {h.symbol} from its file name "
                  "(pass --symbol to set it)", severity="warning")
    _correct_symbol(ctx, h)
    ctx.header = h


def _correct_symbol(ctx: Context, h: Header) -> None:
    """Name the resolution by the symbol ``ontology/corrections.ttl`` records for a known
    misprint (the printed one stays, flagged)."""
    if not h.symbol or h.symbol_source not in ("text", "file-name"):
        return
    for c in corrections():
        if c.fits(printed=h.symbol, lang=ctx.lang, adopted=h.adopted, drafts=h.drafts):
            ctx.issue("symbol-corrected", f"the text prints {h.printed_symbol}; named {c.symbol}, as the corrections "
                      f"table records ({c.iri}: {c.note})", severity="warning")
            h.symbol, h.symbol_source = c.symbol, "correction"
            h.retired_iri_symbol = c.printed if c.retires else None
            return


def symbol_from_file_name(path: str) -> str:
    """A document's symbol guessed from its file name (flagged as such by the caller).

    >>> symbol_from_file_name("corpus/A-RES-74-303.zh.md"), symbol_from_file_name("x/A-RES-2159(XXI).zh.txt")
    ('A/RES/74/303', 'A/RES/2159(XXI)')
    >>> symbol_from_file_name("notes.txt")
    'LOCAL/notes'
    """
    stem = Path(path).name.split(".")[0]
    m = re.fullmatch(r"A-RES-(\d+-\d+|\d+\([IVXLC]+\))", stem)
    if m:
        return canonical(m.group(1).replace("-", "/"))
    if re.fullmatch(r"[A-Z]+(-[A-Za-z0-9.()]+)+", stem):
        return stem.replace("-", "/")
    return "LOCAL/" + re.sub(r"[^A-Za-z0-9._()\-]", "_", stem)


@extractor("mentions", reads=("masked", "paragraphs"), writes=("paragraphs",))
def _mentions(ctx: Context) -> None:
    """Actors, coreference terms, titles, symbols and themes named in each paragraph."""
    words = Words.of(ctx.vocab, ctx.lang)
    lex = _names_lexicon(ctx.vocab, ctx.lang)
    title_lex = ctx.vocab.lexicon(("instrument",), ctx.lang)
    text = ctx.masked
    for p in ctx.paragraphs:
        s, e = p.body_span
        quotes = _regions(text, s, e, words.quotes)
        bounds = lexmatch.boundaries(ctx.vocab, text, s, e) if ctx.lang == "zh" else None
        titles: list[Span] = []
        for qs, qe in quotes:
            inner = text[qs + 1: qe - 1]
            if text[qs] != "《":
                continue
            titles.append((qs, qe))
            key = fold_label(inner, lang=ctx.lang)
            got = title_lex.entries.get(key)
            if got:
                p.mentions.append(Mention("instrument", (qs + 1, qe - 1), [got[0]], how="title",
                                          symbol=got[0].symbol))
            else:
                lead = _title_with_lead(ctx, title_lex, s, qs, qe)
                if lead is not None:  # "2016 年修订的《合作协定》": the words before the title name it
                    p.mentions.append(Mention("instrument", (lead[0], qe), [lead[1]], how="title",
                                              symbol=lead[1].symbol))
                    continue
                c = _mint_instrument(ctx, symbol=None, label=inner.strip(), lang=ctx.lang)
                p.mentions.append(Mention("instrument", (qs + 1, qe - 1), [c], how="title", flagged=True,
                                          label=inner.strip()))
        outside = _blank(text, s, e, quotes)
        hits = [(h, False) for h in lexmatch.scan(outside, s, e, lex, bounds=bounds)]
        actor_lex = ctx.vocab.lexicon(("actor",), ctx.lang)
        for qs, qe in quotes:
            hits += [(h, True) for h in lexmatch.scan(text, qs + 1, qe - 1, actor_lex, bounds=bounds)]
        for h, _ in list(hits):  # names inside an instrument's name belong to it (unquoted English titles)
            if h.entries[0].kind == "instrument":
                hits += [(x, True) for x in lexmatch.scan(text, h.start, h.end, actor_lex, bounds=bounds)]
        taken = 0  # where the last name that replaced a coreference term ends
        for hit, inside in sorted(hits, key=lambda x: x[0].start):
            if hit.start < taken:
                continue
            concept = hit.entries[0]
            span = (hit.start, hit.end)
            if concept.kind == "marker" and MND + "Coreference" in concept.roles and not inside:
                longer = _name_through(outside, hit, e, lex, bounds)
                if longer is not None:  # "the Organization of Islamic Cooperation": a name, not "the Organization"
                    hit, concept, span, taken = longer, longer.entries[0], (longer.start, longer.end), longer.end
            if concept.kind == "marker":
                if MND + "Coreference" in concept.roles and not inside:
                    p.mentions.append(Mention("actor", span, [], how="coreference", label=concept.iri))
                continue  # a non-actor term: consumed, nothing named
            if concept.kind == "instrument":
                if not inside:
                    p.mentions.append(Mention("instrument", span, [concept], how="name", symbol=concept.symbol))
                continue
            if concept.kind == "actor":
                p.mentions.append(Mention("actor", span, [concept], how="name", in_title=inside))
        _symbol_mentions(ctx, p, words, quotes)
        _unlisted_actors(ctx, p, outside, [m.span for m in p.mentions] + _consumed(hits), bounds)
        p.mentions.sort(key=lambda m: (m.span[0], m.span[1]))
        places.drop_place_mentions(ctx.vocab, ctx.lang, text, p.mentions)
        for hit in lexmatch.scan(text, s, e, ctx.vocab.lexicon(("theme",), ctx.lang)):
            for theme in hit.entries:
                if theme not in p.themes:
                    p.themes.append(theme)


def _title_with_lead(ctx: Context, lex: Lexicon, start: int, qs: int, qe: int) -> tuple[int, Concept] | None:
    """A vocabulary label that ends with this quoted title and starts a few words before it."""
    best = None
    for k in range(max(start, qs - 24), qs):
        key = fold_label(ctx.masked[k:qe], lang=ctx.lang)
        got = lex.entries.get(key)
        if got:
            best = (k, got[0])
            break  # the earliest start is the longest label
    return best


def _consumed(hits) -> list[Span]:  # type: ignore[no-untyped-def]
    """Spans taken by any vocabulary match (actors, instruments, non-actor terms)."""
    return [(h.start, h.end) for h, _ in hits]


def _unlisted_actors(ctx: Context, p: Paragraph, text: str, taken: list[Span], bounds: set[int] | None) -> None:
    """Names that end like an organisation's (…委员会, …Organization) but are in no vocabulary:
    flagged mentions with minted IRIs, so curators see them in the report."""
    suffixes = ctx.vocab.marker_words("ActorNameSuffix", ctx.lang)
    if not suffixes:
        return
    s, e = p.body_span
    if ctx.lang == "zh" and not any(suf in text[s:e] for suf in suffixes):
        return  # (before the stop words are gathered: most paragraphs name no organisation)
    stop = set(ctx.vocab.marker_words("NameBoundary", ctx.lang)) | set(_verb_lexicon(ctx.vocab, ctx.lang).entries)
    candidates = (_chinese_names(ctx, text, s, e, suffixes, stop, taken) if ctx.lang == "zh"
                  else ((span, True) for span in _english_names(text, s, e, suffixes, stop)))
    for span, a_name in candidates:
        over = {(a, b) for a, b in taken if a < span[1] and span[0] < b}
        if over:
            if not _runs_on(p, span, over):
                continue
            p.mentions[:] = [m for m in p.mentions if m.span not in over]  # the known name gives way
        elif not a_name:
            continue
        _add_unlisted(ctx, p, span, taken)


def _runs_on(p: Paragraph, span: Span, over: set[Span]) -> bool:
    """Whether the unlisted name ``span`` runs on past the one vocabulary name it starts with
    ("Pacific Islands Forum Fisheries Agency" is not the Pacific Islands Forum)."""
    if len(over) != 1:
        return False
    (a, b), = over
    named = [m for m in p.mentions if m.span == (a, b)]
    return a == span[0] and b < span[1] and bool(named) and all(m.kind == "actor" and not m.in_title for m in named)


def _chinese_names(ctx: Context, text: str, s: int, e: int, suffixes: list[str], stop: set[str],
                   taken: list[Span]) -> Iterator[tuple[Span, bool]]:
    """Chinese names that end with a head noun of the vocabulary (…委员会, …局): the head and up to
    four words before it, back to a stop word, a non-noun or a vocabulary name. A name whose
    words include a proper noun is a candidate; so is one that runs on from a vocabulary name it
    starts at (太平洋岛屿论坛渔业局), with whether it has a proper noun."""
    tagged = lexmatch.tag(ctx.vocab, text, s, e)
    ends = {t.end: i for i, t in enumerate(tagged)}
    for suf in suffixes:
        for m in re.finditer(re.escape(suf), text[s:e]):
            end = s + m.end()
            i = ends.get(end)
            if i is None or any(a < end and s + m.start() < b for a, b in taken):
                continue
            last = tagged[i]
            if last.word != suf and not last.flag.startswith(("n", "j")):
                continue  # 签署 (to sign) ends with 署 but is a verb
            k, start = i - 1, last.start
            proper = last.word != suf and last.flag in lexmatch.PROPER
            named: list[Span] = []
            while k >= 0 and i - k <= 4:
                t = tagged[k]
                named = [(a, b) for a, b in taken if a < t.end and t.start < b]
                if named or t.word in stop or t.flag.startswith(lexmatch.NOT_IN_NAMES):
                    break
                if not all("\u4e00" <= ch <= "\u9fff" for ch in t.word):
                    break
                proper = proper or t.flag in lexmatch.PROPER
                start = t.start
                k -= 1
            if named and max(b for _, b in named) == start and end - start > len(suf):
                yield (min(a for a, _ in named), end), proper  # runs on from a vocabulary name
            elif proper and end - start >= len(suf) + 2:
                yield (start, end), proper


_CAPITALISED = r"[A-Z][\w'’\-]*"
_CONNECTOR = r"(?:of|for|and|on|in|the|to)"


def _english_names(text: str, s: int, e: int, suffixes: list[str], stop: set[str]) -> list[Span]:
    """Spans of capitalised English phrases that look like an organisation's name: ending with a
    head noun of the vocabulary (…Agency, …Council; matched in any case, since the suffixes are
    folded) or followed by a parenthesised abbreviation of their initials ("… Oceanic Council
    (WSOC)"). Words of the drafting that cannot be part of a name (the verbs, "the", "that") are
    trimmed from the front, so "Invites the Fisheries Agency" gives "Fisheries Agency"."""
    words = "|".join(re.escape(w) for w in sorted(suffixes, key=len, reverse=True))
    phrase = rf"(?:{_CAPITALISED}\s+(?:{_CONNECTOR}\s+)*){{0,7}}"
    by_suffix = re.compile(rf"\b({phrase}(?i:{words}))\b(?!['’\-])")
    by_abbreviation = re.compile(rf"\b({phrase}{_CAPITALISED})\s*\(([A-Z][A-Za-z]{{1,9}})\)")
    found: list[Span] = []
    for m in by_suffix.finditer(text, s, e):
        span = _trim_front(text, m.start(1), m.end(1), stop)
        if span and text[span[0]].isupper() and " " in text[span[0]:span[1]].strip():
            found.append(span)
    for m in by_abbreviation.finditer(text, s, e):
        span = _trim_front(text, m.start(1), m.end(1), stop)
        if span and _initials_fit(text[span[0]:span[1]], m.group(2)):
            found.append(span)
    return sorted(set(found))


def _trim_front(text: str, start: int, end: int, stop: set[str]) -> Span | None:
    """``(start, end)`` without leading stop words and connectors, or None when nothing is left."""
    for w in re.finditer(r"\S+", text[start:end]):
        word = w.group().lower()
        if word not in stop and not re.fullmatch(_CONNECTOR, word):
            return (start + w.start(), end)
    return None


def _initials_fit(name: str, abbreviation: str) -> bool:
    """Whether an abbreviation's capitals are initials of the name's capitalised words, in order
    ("Western Sahara Oceanic Council" and WSOC; "Organization for Security … in Europe" and OSCE)."""
    initials = "".join(w[0] for w in re.findall(_CAPITALISED, name))
    caps = [c for c in abbreviation if c.isupper()]
    it = iter(initials)
    return len(caps) >= 2 and caps[0] == initials[:1] and all(c in it for c in caps)


def _add_unlisted(ctx: Context, p: Paragraph, span: Span, taken: list[Span]) -> None:
    name = ctx.masked[span[0]:span[1]]
    iri = f"{DEFAULT_BASE}actor/unlisted/{_title_slug(name)}"
    c = ctx.minted.get(iri)
    if c is None:
        c = Concept(iri=iri, kind="actor", pref={ctx.lang: name}, labels={ctx.lang: (name,)},
                    types=frozenset({MND + "Actor"}))
        ctx.minted[iri] = c
        ctx.issue("unlisted-actor", f"'{name}' looks like an organisation's name but is in no vocabulary "
                  "(add it to ontology/vocab/actors.ttl)", severity="info", span=span, where=p.local)
    p.mentions.append(Mention("actor", span, [c], how="name", flagged=True, label=name))
    taken.append(span)


def _blank(text: str, start: int, end: int, regions: list[Span]) -> str:
    """``text`` with the given regions blanked (same length), for scans that must skip them."""
    if not regions:
        return text
    chars = list(text[start:end])
    for rs, re_ in regions:
        for i in range(max(rs, start), min(re_, end)):
            chars[i - start] = " "
    return text[:start] + "".join(chars) + text[end:]


def _name_through(text: str, hit, end: int, lex: Lexicon, bounds):  # type: ignore[no-untyped-def]
    """A name that starts inside the coreference term ``hit`` and runs past it ("the
    Organization" in "the Organization of Islamic Cooperation"), or None: a name wins over a
    coreference term it overlaps."""
    for k in range(hit.start + 1, hit.end):
        if text[k - 1].isspace() or not text[k - 1].isalnum():
            for h in lexmatch.scan(text, k, end, lex, bounds=bounds):
                if h.start == k and h.end > hit.end and h.entries[0].kind in ("actor", "instrument"):
                    return h
                break
    return None


def _names_lexicon(vocab: Vocabulary, lang: str) -> Lexicon:
    key = ("names", lang)
    cached = _NAMES.get((id(vocab), key))
    if cached:
        return cached
    lex = Lexicon(lang)
    for c in vocab.concepts:
        if c.kind in ("actor", "instrument") or (
            c.kind == "marker" and (MND + "Coreference" in c.roles or MND + "NonActorTerm" in c.roles)
        ):
            for lab in c.labels.get(lang, ()):
                lex.add(lab, c)
    _NAMES[(id(vocab), key)] = lex
    return lex


_NAMES: dict[tuple[int, tuple[str, str]], Lexicon] = {}


def _symbol_mentions(ctx: Context, p: Paragraph, words: Words, quotes: list[Span]) -> None:
    """Instruments cited by symbol ("A/74/759") or by resolution number ("第 57/32 号决议")."""
    text = ctx.masked
    s, e = p.body_span
    taken = [m.span for m in p.mentions if m.kind == "instrument"]
    for m in SYMBOL.finditer(text, s, e):
        sym = canonical(m.group(1))
        if "/" not in sym or _in((m.start(), m.end()), taken):
            continue
        c = _mint_instrument(ctx, symbol=sym, label=None, lang=ctx.lang)
        p.mentions.append(Mention("instrument", (m.start(1), m.end(1)), [c], how="symbol", symbol=sym))
        taken.append((m.start(), m.end()))
    forms = cite_forms(ctx.vocab, ctx.lang)
    pat = citation_regex(forms, lang=ctx.lang)
    for m in pat.finditer(text, s, e):
        for number, span, date in citation_list(ctx, m, forms[m.alternative()], s, e):
            named = next((x for x in p.mentions if x.kind == "instrument" and x.span[0] < span[1] and span[0] < x.span[1]),
                         None)
            if named is not None:  # named already (a vocabulary label): the list gives its date
                if named.symbol == canonical(number) and named.date is None:
                    named.date = date
                continue
            if any(a < span[1] and span[0] < b for a, b in taken):
                continue
            sym = canonical(number)
            c = _mint_instrument(ctx, symbol=sym, label=None, lang=ctx.lang)
            p.mentions.append(Mention("instrument", span, [c], how="symbol", symbol=sym, date=date))
            taken.append(span)
        taken.append((m.start(), m.end()))


def cite_forms(vocab: Vocabulary, lang: str) -> list[str]:
    """The citation forms of resolutions, each also with the noun's other labels
    ("resolution {n}" and "resolutions {n}"), longest first."""
    out: set[str] = set()
    for c in vocab.markers("ResolutionNoun"):
        form = c.forms.get(lang)
        if not form:
            continue
        out.add(form)
        pref = c.pref.get(lang)
        for label in c.labels.get(lang, ()):
            if pref and pref in form:
                out.add(form.replace(pref, label))
    return sorted(out, key=lambda f: (-len(f), f))


def citation_list(ctx: Context, m, form: str, start: int, end: int) -> list[tuple[str, Span, str | None]]:  # type: ignore[no-untyped-def]
    """The numbers a citation stands in a list of, with their spans and dates, in text order:
    "第57/32号、第59/19号和第61/6号决议" (the noun after the list: the list runs back from the
    match) or "resolutions 57/32 of 19 November 2002, 59/19 of … and 63/24" (the noun before:
    it runs on). Separators and date links come from the drafting vocabulary."""
    text = ctx.masked
    before, _, after = form.partition("{n}")
    nouns = sorted((w for c in ctx.vocab.markers("ResolutionNoun") for w in c.labels.get(ctx.lang, ())),
                   key=len, reverse=True)
    noun_after = any(after.strip().endswith(w) for w in nouns)
    affix = after
    for w in nouns:
        if noun_after and after.strip().endswith(w):
            affix = after.strip()[: -len(w)]
            break
    flags = re.I if ctx.lang == "en" else 0
    sep = "|".join(re.escape(w) for w in ctx.vocab.marker_words("ListSeparator", ctx.lang)) or "(?!)"
    link = "|".join(re.escape(w) for w in ctx.vocab.marker_words("DateLink", ctx.lang)) or "(?!)"
    date = header_mod.DATE_PATTERN[ctx.lang]
    lead = f"(?:{_spaced_words(before.strip())})?" if noun_after and before.strip() else ""
    tail = f"(?:{_spaced_words(affix)})?" if affix.strip() else ""
    number = rf"(?P<n>{CITED_NUMBER})"
    dates_of = {d.span[0]: d.iso for d in header_mod.find_dates(text, start, end)}
    items: list[tuple[str, Span, str | None]] = []
    if noun_after:  # each member: [date] [lead] number [affix]; separators between
        own = re.search(rf"(?P<d>{date})\s*\Z", text[max(start, m.start() - 40):m.start()], flags)
        items.append((m.group(1), (m.start(), m.end()),
                      dates_of.get(m.start() - len(own.group(0))) if own else None))
        item = rf"(?P<d>{date})?\s*(?P<i>{lead}\s*{number}\s*{tail})\s*(?:{sep})\s*\Z"
        pos = m.start() - (len(own.group(0)) if own else 0)
        while pos > start:
            base = max(start, pos - 80)
            got = re.search(item, text[base:pos], flags)
            if got is None:
                break
            d = dates_of.get(base + got.start("d")) if got.group("d") else None
            items.insert(0, (got.group("n"), (base + got.start("i"), base + got.end("i")), d))
            pos = base + got.start()
        return items
    # the noun before the list: number [link date], then separator + number [link date] …
    on = re.compile(rf"\s*(?:{link})\s+(?P<d>{date})", flags)
    nxt = re.compile(rf"\s*(?:{sep})(?:\s*(?:{sep}))?\s*{number}", flags)
    pos = m.end()
    first = on.match(text, pos, end)
    items.append((m.group(1), (m.start(), m.end(1)), dates_of.get(first.start("d")) if first else None))
    pos = first.end() if first else pos
    while True:
        got = nxt.match(text, pos, end)
        if got is None:
            break
        d = on.match(text, got.end(), end)
        items.append((got.group("n"), (got.start("n"), got.end("n")), dates_of.get(d.start("d")) if d else None))
        pos = d.end() if d else got.end()
    return items


def _spaced_words(s: str) -> str:
    """A pattern for words that may be spaced or not ("第" matches "第 ")."""
    return r"\s*".join(re.escape(x) for x in s.split())


@extractor("footnote-links", reads=("paragraphs", "footnotes"), writes=("paragraphs",))
def _footnote_links(ctx: Context) -> None:
    """Each marker in a paragraph: link the footnote, and give its symbol to what it marks."""
    words = Words.of(ctx.vocab, ctx.lang)
    text = ctx.masked
    notes = {f.number: f for f in ctx.footnotes}
    marker = re.compile(SUPER)
    for p in ctx.paragraphs:
        s, e = p.body_span
        for m in marker.finditer(text, s, e):
            n = superscript_value(m.group(0))
            if n not in p.footnotes:
                p.footnotes.append(n)
            fn = notes.get(n)
            if fn is None:
                ctx.issue("footnote-missing", f"marker {m.group(0)} has no footnote text", span=(m.start(), m.end()),
                          where=p.local)
                continue
            if not fn.symbols:
                continue
            sym = fn.symbols[0]
            k = m.start()
            while k > s and (text[k - 1].isspace() or text[k - 1] in "、,，"):
                k -= 1
            target = next((x for x in p.mentions if x.kind == "instrument" and x.span[1] in (k, k - 1)
                           and x.how == "title"), None)
            if target is not None:
                _give_symbol(ctx, target, sym, n, p)
                continue
            noun = next((w for w in sorted(words.doc_nouns, key=len, reverse=True) if text.endswith(w, s, k)), None)
            if noun is not None:
                ns = k - len(noun)
                span_start = ns
                owner = None
                if ctx.lang == "zh" and text[ns - 1: ns] == "的":
                    owner = next((x for x in p.mentions if x.kind == "actor" and x.span[1] == ns - 1 and x.refers), None)
                    if owner:
                        span_start = owner.span[0]
                rendering = words.doc_nouns[noun].rendering or noun
                label_zh = text[span_start:k]
                labels = {ctx.lang: label_zh}
                if owner and ctx.lang == "zh":
                    labels["en"] = f"{rendering} of the {owner.refers[0].label('en')}"
                c = _mint_instrument(ctx, symbol=sym, label=label_zh, lang=ctx.lang)
                if "en" in labels and ctx.lang == "zh" and c.iri in ctx.minted:
                    c = _add_label(ctx, c, "en", labels["en"])
                p.mentions.append(Mention("instrument", (span_start, k), [c], how="document", symbol=sym, footnote=n))
            else:
                c = _mint_instrument(ctx, symbol=sym, label=None, lang=ctx.lang)
                p.mentions.append(Mention("instrument", (m.start(), m.end()), [c], how="footnote", symbol=sym,
                                          footnote=n))
        p.mentions.sort(key=lambda x: (x.span[0], x.span[1]))


def _add_label(ctx: Context, c: Concept, lang: str, label: str) -> Concept:
    if label in c.labels.get(lang, ()):
        return c
    labels = dict(c.labels)
    labels[lang] = labels.get(lang, ()) + (label,)
    pref = dict(c.pref)
    pref.setdefault(lang, label)
    nc = Concept(iri=c.iri, kind=c.kind, pref=pref, labels=labels, symbol=c.symbol, types=c.types)
    ctx.minted[c.iri] = nc
    return nc


def _give_symbol(ctx: Context, target: Mention, sym: str, n: int, p: Paragraph) -> None:
    concept = target.refers[0]
    target.footnote = n
    if concept.symbol and concept.symbol != sym:
        ctx.issue("footnote-symbol-disagrees", f"《{target.label or concept.label(ctx.lang)}》 is {concept.symbol} in the "
                  f"vocabulary but its footnote {n} gives {sym}", span=target.span, where=p.local)
        return
    if concept.symbol == sym:
        return
    # an unlisted title: the footnote's symbol identifies it
    known = by_symbol(ctx.vocab).get(sym)
    if known is not None:
        target.refers = [known]
        target.flagged = False
    else:
        label = target.label or ctx.masked[target.span[0]:target.span[1]]
        c = _mint_instrument(ctx, symbol=sym, label=label, lang=ctx.lang)
        ctx.minted.pop(concept.iri, None) if concept.iri != c.iri and concept.iri.find("/unlisted/") > 0 else None
        target.refers = [c]
        target.flagged = False
    target.symbol = sym


@extractor("clauses", reads=("masked", "paragraphs"), writes=("paragraphs",))
def _clauses(ctx: Context) -> None:
    """The clause heads of each paragraph: its opening verb, and every further verb of the
    Assembly joined by a conjunction (or, in operative paragraphs, a directive verb after a
    bare comma outside a subordinate description)."""
    words = Words.of(ctx.vocab, ctx.lang)
    text = ctx.masked
    for p in ctx.paragraphs:
        s, e = p.body_span
        quotes = _regions(text, s, e, words.quotes)
        depth = _depth_map(text, s, e, quotes)
        heads: list[tuple[Concept, int, int]] = []
        start = _skip_space(text, s, e)
        first = head_at(ctx, words, start, e)
        if first is None:
            ctx.issue("verb-missing", f"{p.kind} paragraph {p.number} opens with no verb of the vocabulary "
                      f"({text[start:start + 12]!r}…); no clause verb is recorded", span=(start, min(e, start + 12)),
                      where=p.local)
        else:
            heads.append(first)
            _chained(ctx, words, heads, e)
        region_start = heads[-1][2] if heads else start
        for m in re.finditer(r"[,;]", text[s:e]):
            pos = s + m.start()
            if depth[pos - s] or pos < region_start:
                continue
            j = _skip_space(text, pos + 1, e)
            conj = lexmatch.match_at(text, j, words.conj, lang=ctx.lang)
            head = None
            if conj:
                k = _skip_space(text, j + len(conj), e, markers=False)
                again = lexmatch.match_at(text, k, words.conj, lang=ctx.lang)  # "同时并考虑到"
                if again:
                    k = _skip_space(text, k + len(again), e, markers=False)
                for _ in range(2):
                    mod = lexmatch.match_at(text, k, words.modifier, lang=ctx.lang)
                    if mod:
                        k = _skip_space(text, k + len(mod), e, markers=False)
                        if k < e and text[k] == ",":
                            k = _skip_space(text, k + 1, e, markers=False)
                head = head_at(ctx, words, k, e)
                if head and heads and head[0] != heads[-1][0] and _subordinate(
                        text, region_start, pos, words, ctx.lang, cues=words.description):
                    head = None  # "…，其中欢迎…，并赞同…": the described text's verb, not the Assembly's
            elif p.kind == "operative" and not _subordinate(text, region_start, pos, words, ctx.lang):
                cand = head_at(ctx, words, j, e)
                if cand and cand[0].directive:
                    head = cand
            if head:
                heads.append(head)
                _chained(ctx, words, heads, e)
                region_start = heads[-1][2]
        for i, (verb, vs, ve) in enumerate(heads):
            end = heads[i + 1][1] if i + 1 < len(heads) else e
            end = _trim_clause_end(text, vs, end, words, ctx.lang)
            p.clauses.append(Clause(verb, (vs, ve), (vs, end)))


def _chained(ctx: Context, words: Words, heads: list[tuple[Concept, int, int]], end: int) -> None:
    """'确认并申明' / 'Recognizes and affirms': a second verb joined directly to the first."""
    while True:
        _, _, ve = heads[-1]
        j = _skip_space(ctx.masked, ve, end, markers=False)
        conj = lexmatch.match_at(ctx.masked, j, words.conj, lang=ctx.lang)
        if not conj:
            return
        k = _skip_space(ctx.masked, j + len(conj), end, markers=False)
        h = head_at(ctx, words, k, end)
        if h is None:
            return
        heads.append(h)


def _subordinate(text: str, start: int, end: int, words: Words, lang: str, *, cues: list[str] | None = None) -> bool:
    seg = text[start:end] if lang == "zh" else " " + text[start:end].lower() + " "
    cues = words.subordinate if cues is None else cues
    if lang == "zh":
        return any(w in seg for w in cues)
    return any(re.search(rf"\b{re.escape(w)}\b", seg) for w in cues)


def _trim_clause_end(text: str, start: int, end: int, words: Words, lang: str) -> int:
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;" or text[end - 1] in SUPERSCRIPTS):
        end -= 1
    seg = text[start:end]
    for w in words.conj:
        if lang == "zh" and seg.endswith(w):
            end -= len(w)
            break
        if lang == "en" and seg.lower().endswith(" " + w):
            end -= len(w) + 1
            break
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;"):
        end -= 1
    return end


@extractor("addressees", reads=("paragraphs",), writes=("paragraphs", "history"))
def _addressees(ctx: Context) -> None:
    """Who each directive clause asks (the chain of actors after its verb), and what each
    coreference term refers to, in text order."""
    words = Words.of(ctx.vocab, ctx.lang)
    for p in ctx.paragraphs:
        by_start = {m.span[0]: m for m in p.mentions if m.kind == "actor" and not m.in_title}
        partners = {id(m) for c in p.clauses for pt in c.partners for m in pt.names}
        done: set[int] = set()
        for ci, clause in enumerate(p.clauses):
            # mentions before the verb (previous clause text) enter the history first
            _advance_history(ctx, p, clause.verb_span[0], done, ci)
            if clause.verb.directive:
                clause.addressees = _chain(ctx, words, p, clause, by_start, done, partners)
            _advance_history(ctx, p, clause.span[1], done, ci + 1)
        _advance_history(ctx, p, p.span[1] + 1, done, len(p.clauses))


def _advance_history(ctx: Context, p: Paragraph, upto: int, done: set[int], clause_index: int) -> None:
    for m in p.mentions:
        if m.kind != "actor" or m.span[0] >= upto or id(m) in done:
            continue
        done.add(id(m))
        if m.how == "coreference" and not m.refers:
            m.refers = _resolve(ctx, p, m, clause_index)
        ctx.history.append(m)


def _resolve(ctx: Context, p: Paragraph, m: Mention, clause_index: int) -> list:
    marker = ctx.vocab.by_iri.get(m.label or "")
    count = (marker.count if marker else None) or 1
    cls = marker.refers_class if marker else None
    if count == 2:
        for c in reversed(p.clauses[:clause_index + 1]):
            if c.verb.directive and len(c.addressees) == 2 and (
                cls != MND + "Organization" or all(ctx.vocab.is_organization(a) for a in c.addressees)
            ):
                if c.verb_span[0] < m.span[0]:
                    return list(c.addressees)
    if count == 1:  # "the Union", 该组织: only where one candidate of the paragraph fits
        here = {id(x) for x in p.mentions}
        fits = []
        for prev in ctx.history:
            if id(prev) in here and prev.span[0] < m.span[0]:
                fits += [c for c in prev.refers if c not in fits
                         and (cls != MND + "Organization" or ctx.vocab.is_organization(c))]
        # a body of an organization named with it is not a second candidate ("the Inter-Parliamentary
        # Union … its Assembly … that organization": the Union)
        fits = [c for c in fits if not any(w.iri in c.part_of for w in fits)]
        if len(fits) > 1:
            ctx.issue("coreference-ambiguous", f"'{ctx.masked[m.span[0]:m.span[1]]}' could be any of "
                      f"{len(fits)} actors named before it in the paragraph; none is taken", span=m.span,
                      where=p.local)
            return []
        if fits:
            return fits
    out: list[Concept] = []
    for prev in reversed(ctx.history):
        for c in prev.refers:
            if c in out or len(out) == count:
                continue
            if cls == MND + "Organization" and not ctx.vocab.is_organization(c):
                continue
            out.append(c)
    pair = _title_pair(ctx) if count == 2 and cls == MND + "Organization" else []
    if pair and {c.iri for c in pair} != {c.iri for c in out}:  # the title's two organizations, not the last two named
        return pair
    if len(out) == count:
        return list(reversed(out))
    if len(out) < count:
        ctx.issue("coreference-unresolved", f"'{ctx.masked[m.span[0]:m.span[1]]}' refers to {count} actor(s) but "
                  f"{len(out)} were named before", span=m.span, where=p.local)
    return list(reversed(out))


def _title_pair(ctx: Context) -> list[Concept]:
    """The two organizations a resolution's title names ("Cooperation between the United Nations
    and the Economic Cooperation Organization"; 联合国同阿拉伯国家联盟的合作), which "the two
    organizations" (两个组织) of its paragraphs mean; empty unless the title names exactly two."""
    title = ctx.header.title
    if not title:
        return []
    lex = ctx.vocab.lexicon(("actor",), ctx.lang)
    bounds = lexmatch.boundaries(ctx.vocab, title, 0, len(title)) if ctx.lang == "zh" else None
    named: list[Concept] = []
    for hit in lexmatch.scan(title, 0, len(title), lex, bounds=bounds):
        c = hit.entries[0]
        if c.kind == "actor" and ctx.vocab.is_organization(c) and c not in named:
            named.append(c)
    return named if len(named) == 2 else []


def _chain(ctx: Context, words: Words, p: Paragraph, clause: Clause, by_start: dict[int, Mention],
           done: set[int], partners: set[int]) -> list[Concept]:
    """The addressees of a directive clause: the chain of actors after its verb (a name in
    ``partners``, a partner of the mandate, ends it)."""
    out: list[Concept] = []
    for m in _walk_chain(ctx, words, clause.verb_span[1], clause.span[1], by_start, stop=partners):
        if m.how == "coreference" and not m.refers:
            done.add(id(m))
            m.refers = _resolve(ctx, p, m, p.clauses.index(clause) - 1 if clause in p.clauses else 0)
            ctx.history.append(m)
        for c in m.refers:
            if c not in out:
                out.append(c)
    return out


def _walk_chain(ctx: Context, words: Words, pos: int, end: int, by_start: dict[int, Mention], *,
                stop: set[int] | frozenset[int] = frozenset()) -> Iterator[Mention]:
    """The actor mentions of a chain of names starting at ``pos`` (after fillers and an
    appositive): 会员国、各国议会和……, "Member States, parliaments and …"; it ends at the
    first word that neither names an actor nor joins two, or at a mention in ``stop``."""
    text = ctx.masked
    while pos < end:
        pos = _skip_space(text, pos, end)
        moved = True
        while moved:
            moved = False
            w = lexmatch.match_at(text, pos, words.filler, lang=ctx.lang)
            if w and pos + len(w) not in (pos,) and by_start.get(pos) is None:
                pos = _skip_space(text, pos + len(w), end)
                moved = True
            a = lexmatch.match_at(text, pos, words.appositive, lang=ctx.lang)
            if a and ctx.lang == "zh":
                k = text.find("的", pos + len(a), min(end, pos + 60))
                if k != -1 and not re.search(r"[,;。]", text[pos:k]):
                    pos = k + 1
                    moved = True
        m = by_start.get(pos)
        if m is None or id(m) in stop:
            return
        yield m
        pos = _skip_space(text, m.span[1], end)
        pos = _skip_aside(text, pos, end)
        conn = None
        filler = lexmatch.match_at(text, pos, words.filler, lang=ctx.lang)
        if filler and by_start.get(pos) is None:
            k = _skip_space(text, pos + len(filler), end)
            if by_start.get(k) is not None:  # "包括X在内的Y": the filler joins two addressees
                pos = k
                continue
        while True:
            c2 = lexmatch.match_at(text, pos, words.connector, lang=ctx.lang)
            if not c2:
                break
            conn = c2
            pos = _skip_space(text, pos + len(c2), end)
            pos = _skip_aside(text, pos, end)
        if conn is None:
            return


def _skip_aside(text: str, pos: int, end: int) -> int:
    """Skip a parenthesis or a dash-enclosed aside at ``pos``."""
    if pos < end and text[pos] in "(（":
        close = text.find(")" if text[pos] == "(" else "）", pos, end)
        if close != -1:
            return _skip_space(text, close + 1, end)
    if text.startswith("——", pos):
        close = text.find("——", pos + 2, end)
        if close != -1:
            return _skip_space(text, close + 2, end)
    return pos


@extractor("partners", reads=("masked", "paragraphs"), writes=("paragraphs",))
def _partners(ctx: Context) -> None:
    """The partners of each mandate: actors its addressees are to work with, named after a
    partner marker ("in cooperation with …", 会同……) or inside one (与……合作), joined as
    addressees are. Found before the addressees, whose chain a partner's name ends."""
    words = Words.of(ctx.vocab, ctx.lang)
    if not words.partners:
        return
    text = ctx.masked
    for p in ctx.paragraphs:
        by_start = {m.span[0]: m for m in p.mentions if m.kind == "actor" and not m.in_title}
        if not by_start or not any(c.verb.directive for c in p.clauses):
            continue
        s, e = p.body_span
        quotes = _regions(text, s, e, words.quotes)
        bounds = lexmatch.boundaries(ctx.vocab, text, s, e) if ctx.lang == "zh" else None
        taken: set[int] = set()
        for clause in p.clauses:
            if clause.verb.directive:
                clause.partners = _clause_partners(ctx, words, clause, by_start, quotes, bounds, taken)


def _clause_partners(ctx: Context, words: Words, clause: Clause, by_start: dict[int, Mention], quotes: list[Span],
                     bounds, taken: set[int]) -> list[Partner]:  # type: ignore[no-untyped-def]
    """The partners named after the verb of one clause; a name belongs to one partner marker
    (the longest label that reaches it)."""
    text = ctx.masked
    low = lexmatch.view(text, ctx.lang)
    s, e = clause.verb_span[1], clause.span[1]
    asked = {id(m) for m in _walk_chain(ctx, words, s, e, by_start)}
    ends = {m.span[1]: m for m in by_start.values()}
    found: list[Partner] = []
    for marker, parts in words.partners:
        opening = parts[0]
        for k in _occurrences(low, opening, s, e, ctx.lang, bounds):
            if _in((k, k + len(opening)), quotes):
                continue
            before = ends.get(len(text[:k].rstrip()))
            if before is not None and id(before) not in asked:
                continue  # "a report on the United Nations' cooperation with …": two actors described, no partner
            names = list(_walk_chain(ctx, words, k + len(opening), e, by_start))
            if not names or any(id(m) in taken for m in names):
                continue
            stop: int | None = names[-1].span[1]
            for part in parts[1:]:  # the closing word(s), within the clause
                if stop is not None and part:
                    stop = _gap_to(text, low, stop, e, part, ctx.lang, PARTNER_GAP)
            if stop is None:
                continue
            taken.update(id(m) for m in names)
            found.append(Partner(marker, (k, stop), names))
    return sorted(found, key=lambda x: x.span)


def _occurrences(low: str, word: str, start: int, end: int, lang: str, bounds) -> Iterator[int]:  # type: ignore[no-untyped-def]
    """Where ``word`` (folded) stands in ``low[start:end]`` as a word of its own: whole words in
    English; in Chinese, a word of two characters or fewer only between jieba boundaries."""
    i = low.find(word, start, end)
    while i != -1:
        j = i + len(word)
        if lang == "en":
            ok = (i == 0 or not low[i - 1].isalnum()) and (j >= len(low) or not low[j].isalnum())
        else:
            ok = bounds is None or len(word) > lexmatch.SHORT or (i in bounds and j in bounds)
        if ok:
            yield i
        i = low.find(word, i + 1, end)


def _gap_to(text: str, low: str, pos: int, end: int, word: str, lang: str, reach: int) -> int | None:
    """The end of ``word`` where it stands after at most ``reach`` characters from ``pos`` that
    hold no punctuation of the clause, or None."""
    k = low.find(word, pos, min(end, pos + reach + len(word)))
    if k == -1 or any(ch in GAP_STOPS for ch in text[pos:k]):
        return None
    j = k + len(word)
    if lang == "en" and ((k > 0 and low[k - 1].isalnum()) or (j < len(low) and low[j].isalnum())):
        return None
    return j


@extractor("conditions", reads=("masked", "paragraphs"), writes=("paragraphs",))
def _conditions(ctx: Context) -> None:
    """The conditions each clause states (ontology/vocab/conditions.ttl: "within existing
    resources", 由自愿捐款支付, 应……请求), outside quoted titles."""
    words = Words.of(ctx.vocab, ctx.lang)
    lex = ctx.vocab.lexicon(("condition",), ctx.lang)
    if not lex.entries and not words.condition_gaps:
        return
    text = ctx.masked
    for p in ctx.paragraphs:
        if not p.clauses:
            continue
        s, e = p.body_span
        outside = _blank(text, s, e, _regions(text, s, e, words.quotes))
        for clause in p.clauses:
            clause.conditions = _clause_conditions(ctx, words, lex, outside, clause.span)


def _clause_conditions(ctx: Context, words: Words, lex: Lexicon, text: str, span: Span) -> list[Condition]:
    """The conditions in one clause's words: vocabulary labels and labels with a gap, the
    leftmost-longest where two overlap."""
    s, e = span
    low = lexmatch.view(text, ctx.lang)
    found = [(h.start, h.end, h.entries[0]) for h in lexmatch.scan(text, s, e, lex)]
    for concept, parts in words.condition_gaps:
        for k in _occurrences(low, parts[0], s, e, ctx.lang, None):
            j: int | None = k + len(parts[0])
            for part in parts[1:]:
                j = _gap_to(text, low, j, e, part, ctx.lang, CONDITION_GAP) if j is not None and part else j
            if j is not None:
                found.append((k, j, concept))
    out: list[Condition] = []
    last = s
    for a, b, concept in sorted(found, key=lambda x: (x[0], -x[1], x[2].iri)):
        if a >= last:
            out.append(Condition(concept, (a, b)))
            last = b
    return out


@extractor("reports", reads=("paragraphs",), writes=("paragraphs",))
def _reports(ctx: Context) -> None:
    """A directive clause asking for a report: who reports, to which body, by which session."""
    words = Words.of(ctx.vocab, ctx.lang)
    text = ctx.masked
    doc_nouns = sorted(words.doc_nouns, key=len, reverse=True)
    for p in ctx.paragraphs:
        for clause in p.clauses:
            if not clause.verb.directive:
                continue
            s, e = clause.verb_span[1], clause.span[1]
            seg = text[s:e] if ctx.lang == "zh" else text[s:e].lower()
            verb_at = min((seg.find(w) for w in words.report_verbs if w in seg), default=-1)
            if verb_at < 0 or not any(n in seg[verb_at:] for n in doc_nouns if words.doc_nouns[n].rendering == "report"):
                continue
            to, session = None, None
            for w in words.recipient:
                pattern = re.escape(w) if ctx.lang == "zh" else rf"\b{re.escape(w)}\b"
                for rm in re.finditer(pattern, seg):
                    k = _skip_fillers(ctx, words, s + rm.end(), e)
                    target = next((m for m in p.mentions if m.kind == "actor" and m.span[0] == k and m.refers), None)
                    if target is None:
                        continue
                    to = target.refers[0]
                    session = _session_after(ctx, words, target.span[1], e)
                    break
                if to:
                    break
            by = clause.addressees[0] if clause.addressees else None
            clause.report = Report(by=by, to=to, session=session, span=(clause.span[0], clause.span[1]))


def _skip_fillers(ctx: Context, words: Words, pos: int, end: int) -> int:
    pos = _skip_space(ctx.masked, pos, end)
    while True:
        w = lexmatch.match_at(ctx.masked, pos, words.filler, lang=ctx.lang)
        if not w:
            return pos
        pos = _skip_space(ctx.masked, pos + len(w), end)


def _session_after(ctx: Context, words: Words, pos: int, end: int) -> int | None:
    """The session named right after the report's recipient: "第七十六届会议", "at its seventy-sixth session"."""
    after = ctx.masked[pos:min(end, pos + 60)]
    cue = "|".join(re.escape(x) for x in words.session_cue) or "(?!)"
    if ctx.lang == "zh":
        m = re.match(rf"\s*第({NUMBER_PATTERN})(?:{cue})", after)
        return read_number(m.group(1)) if m else None
    m = re.match(rf"\s*(?:at|to|by)?\s*(?:its|the)?\s*([A-Za-z]+(?:-[a-z]+)?|\d+(?:st|nd|rd|th))\s+(?:{cue})\b",
                 after, re.I)
    return header_mod.english_ordinal(m.group(1)) if m else None


@extractor("completeness", reads=("paragraphs", "closing"), writes=("truncated",))
def _completeness(ctx: Context) -> None:
    if ctx.closing is not None:
        _after_closing(ctx)
        return
    last = ctx.paragraphs[-1] if ctx.paragraphs else None
    ends = ctx.masked[last.span[1] - 1] if last else ""
    if last is None or ends not in "。.;；":
        ctx.truncated = True
        ctx.issue("truncated", "the text stops before the resolution ends (no closing date and meeting line, "
                  "last paragraph unfinished)", severity="warning",
                  where=last.local if last else None)
    else:
        ctx.issue("no-closing", "no closing date and plenary meeting line", severity="info")


AFTER_CLOSING = 300  # characters of text after the closing lines that are more than a page's furniture


def _after_closing(ctx: Context) -> None:
    """Report text that follows the closing date and meeting (never read as the resolution's:
    another resolution in the same file, an annex, a page of something else)."""
    rest = ctx.masked[ctx.closing:]  # type: ignore[index]
    line_end = rest.find("\n", 1)
    after = rest[line_end:] if line_end > 0 else rest[120:]
    if line_end < 0 and len(rest) > 120:  # one line: the closing lines are its next 120 characters
        after = rest[120:]
    chars = sum(1 for c in after if not c.isspace())
    if chars > AFTER_CLOSING:
        ctx.issue("text-after-closing", f"{chars} characters follow the closing date and meeting and were not "
                  "read as this resolution (another resolution or an annex in the same file?)", severity="warning",
                  span=(len(ctx.masked) - len(after), len(ctx.masked)))


# ----------------------------------------------------------------------------- entry point


def extract(source: Source, vocab: Vocabulary, *, symbol: str | None = None, symbol_reason: str = "option",
            pipeline: list[str] | None = None) -> Document:
    """Run the extractors over one source.

    Args:
        source: the file as read.
        vocab: the vocabularies.
        symbol: the document's symbol when the text does not give it (or overrides it).
        symbol_reason: ``option`` (the user gave it) or ``other-version`` (another language
            version of the same resolution prints it; see ``mandates.build.versions``).
        pipeline: the extractor names to run, in order (``PIPELINE`` by default).

    Returns:
        The document with its header, paragraphs, clauses, mentions, footnotes and issues.
    """
    ctx = Context(source=source, vocab=vocab, lang=source.lang, symbol_option=symbol, symbol_reason=symbol_reason)
    for name in pipeline or PIPELINE:
        REGISTRY[name].run(ctx)
    return Document(
        path=source.path, lang=ctx.lang, encoding=source.encoding, sha256=source.sha256,
        original=source.text, text=ctx.text, origin=ctx.origin, header=ctx.header,
        paragraphs=ctx.paragraphs, footnotes=ctx.footnotes, issues=ctx.issues, truncated=ctx.truncated,
        minted=dict(ctx.minted), extracted_from=source.extracted_from,
    )
