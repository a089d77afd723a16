"""Clause lineage: each clause of a resolution aligned with its counterpart in the previous
resolution of its series, and the change classified.

Paragraph numbers shift between editions (a paragraph added early renumbers every one after
it), so they are no key. A pair of clauses is scored on what they say:

* their **text**, in every language both resolutions are read in (a resolution's language
  versions share their clause IRIs, so a Chinese text is compared with the previous
  resolution's Chinese text, an English one with its English one): Dice's coefficient of
  character bigrams (Chinese) or of words and word pairs (other languages);
* their **verb** (the same key; else the same directive or not), their **addressees**, their
  **report** (by, to, and the due session counted from the resolution's own), and the
  **actors and instruments** their paragraphs name: shared IRIs, the same in every language,
  so that clauses read in different languages are still compared (with less confidence);
* their place in the resolution (a small weight: paragraphs move, but seldom far).

Pairs are taken best first, each clause once (deterministic ties: text order). A pair is
``strengthened`` or ``weakened`` when the verbs' force (``mnd:strength``, ontology/vocab/verbs.ttl)
differs; ``modified`` for another verb of the same force, other addressees, another report or
due date, or other wording; else ``repeated``. A clause with no counterpart is ``new``; a
clause of the previous resolution with no successor is dropped.

Confidence is the pair's score, lowered when another pair comes close (an ambiguous choice);
for a new clause, how far the nearest clause of the previous resolution is. Below
:data:`LOW_CONFIDENCE` the clause is flagged. A text that stops before its resolution ends
(``truncated``) makes "new" (previous text incomplete) and "dropped" (next text incomplete)
uncertain, and so does an edition of the series missing between the two compared (``gap``):
those clauses are flagged and their confidence capped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from mandates.graph.seriesfacts import ClauseFacts

LOW_CONFIDENCE = 0.5
MIN_SCORE_TEXT = 0.45  # a pair compared on its text is aligned from this score
MIN_SCORE_IRIS = 0.55  # a pair compared only on shared IRIs (no common language)
SAME_WORDING = 0.9  # text similarity from which the wording counts as the same
INCOMPLETE_CAP = 0.3  # confidence of a new or dropped clause next to an incomplete text
FLAG_LOW = "low-confidence-alignment"
FLAG_INCOMPLETE = "series-text-incomplete"
FLAG_GAP = "series-edition-missing"
_WORD = re.compile(r"[^\W_]+")


@dataclass
class ClauseRec:
    """A clause of a resolution, its language versions merged (they share the clause's IRI)."""

    iri: str
    index: int
    kind: str
    position: float  # 0 (first clause) .. 1 (last)
    key: str
    strength: int
    directive: bool
    addressees: frozenset[str]
    report: tuple[str | None, str | None, int | None] | None  # due session relative to the resolution's own
    entities: frozenset[str]
    grams: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Link:
    """A clause of the later resolution: its counterpart (or None), the change, the confidence, flags."""

    clause: str
    previous: str | None
    change: str
    confidence: float
    flags: tuple[str, ...] = ()


@dataclass
class Lineage:
    links: list[Link]
    dropped: list[tuple[str, tuple[str, ...]]]  # (clause of the previous resolution, flags)


def grams(text: str, lang: str) -> frozenset[str]:
    """What texts are compared on: character bigrams of the letters and digits (Chinese), or words
    and word pairs (other languages).

    >>> sorted(grams("鼓励联合国", "zh"))
    ['励联', '合国', '联合', '鼓励']
    >>> sorted(grams("Encourages the Union", "en"))
    ['encourages', 'encourages the', 'the', 'the union', 'union']
    """
    t = unicodedata.normalize("NFKC", text).lower()
    if lang == "zh":
        chars = [ch for ch in t if ch.isalnum()]
        return frozenset(a + b for a, b in zip(chars, chars[1:]))
    words = _WORD.findall(t)
    return frozenset(words + [f"{a} {b}" for a, b in zip(words, words[1:])])


def dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a or b else 0.0


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard, with 0.5 for two empty sets (nothing to compare is no evidence either way)."""
    if not a and not b:
        return 0.5
    return len(a & b) / len(a | b)


def records(clauses: list[ClauseFacts], session: int | None) -> list[ClauseRec]:
    """A resolution's clauses, language versions merged, in text order (preamble first)."""
    by_iri: dict[str, list[ClauseFacts]] = {}
    for c in sorted(clauses, key=lambda c: (c.lang, c.position)):
        by_iri.setdefault(c.iri, []).append(c)
    ordered = sorted(by_iri.values(), key=lambda cs: (cs[0].kind != "preambular", cs[0].paragraph, cs[0].order))
    out = []
    last = max(1, len(ordered) - 1)
    for i, cs in enumerate(ordered):
        first = cs[0]
        rep = None
        if first.report is not None:
            by, to, due = first.report
            rep = (by, to, due - session if due is not None and session is not None else due)
        rec = ClauseRec(iri=first.iri, index=i, kind=first.kind, position=i / last, key=first.key,
                        strength=first.strength, directive=first.directive,
                        addressees=frozenset().union(*(c.addressees for c in cs)), report=rep,
                        entities=frozenset().union(*(c.entities for c in cs)))
        for c in cs:
            rec.grams[c.lang] = rec.grams.get(c.lang, frozenset()) | grams(c.text, c.lang)
        out.append(rec)
    return out


def text_similarity(c: ClauseRec, p: ClauseRec) -> float | None:
    """The best text similarity over the languages both clauses are read in (None: no common one)."""
    common = sorted(set(c.grams) & set(p.grams))
    return max((dice(c.grams[lang], p.grams[lang]) for lang in common), default=None)


def score(c: ClauseRec, p: ClauseRec) -> tuple[float, float | None]:
    """How alike two clauses are (0..1), and their text similarity (None: no common language)."""
    if c.kind != p.kind:
        return 0.0, None
    text = text_similarity(c, p)
    verb = 1.0 if c.key == p.key else 0.6 if c.directive == p.directive else 0.0
    report = 1.0 if c.report == p.report else 0.5 if c.report and p.report else 0.0
    addr = _overlap(c.addressees, p.addressees)
    ent = _overlap(c.entities, p.entities)
    place = 1.0 - abs(c.position - p.position)
    if text is not None:
        return 0.55 * text + 0.15 * addr + 0.1 * ent + 0.1 * verb + 0.05 * report + 0.05 * place, text
    return 0.8 * (0.3 * addr + 0.3 * ent + 0.2 * verb + 0.1 * report + 0.1 * place), None


def change(c: ClauseRec, p: ClauseRec, text: float | None) -> str:
    """The change from ``p`` to ``c``, an aligned pair."""
    if c.strength != p.strength:
        return "strengthened" if c.strength > p.strength else "weakened"
    if c.key != p.key or c.addressees != p.addressees or c.report != p.report:
        return "modified"
    if text is not None and text < SAME_WORDING:
        return "modified"
    return "repeated"


def _top2(pairs: list[tuple[float, int]]) -> list[tuple[float, int]]:
    return sorted(pairs, key=lambda x: (-x[0], x[1]))[:2]


def _rival(top: list[tuple[float, int]], other: int) -> float:
    """The best score in ``top`` (a row's or a column's two best) not with ``other``."""
    return next((sc for sc, k in top if k != other), 0.0)


def align(prev: list[ClauseRec], cur: list[ClauseRec], *, prev_incomplete: bool = False,
          cur_incomplete: bool = False, gap: bool = False) -> Lineage:
    """Align the clauses of a resolution (``cur``) with those of the previous one (``prev``)."""
    scored: dict[tuple[int, int], tuple[float, float | None]] = {}
    for i, c in enumerate(cur):
        for j, p in enumerate(prev):
            scored[(i, j)] = score(c, p)
    rows = [_top2([(scored[(i, j)][0], j) for j in range(len(prev))]) for i in range(len(cur))]
    cols = [_top2([(scored[(i, j)][0], i) for i in range(len(cur))]) for j in range(len(prev))]
    candidates = sorted(((-s, i, j) for (i, j), (s, text) in scored.items()
                         if s >= (MIN_SCORE_TEXT if text is not None else MIN_SCORE_IRIS)))
    taken_c: dict[int, int] = {}
    taken_p: set[int] = set()
    for _, i, j in candidates:
        if i not in taken_c and j not in taken_p:
            taken_c[i] = j
            taken_p.add(j)
    links = []
    for i, c in enumerate(cur):
        if i in taken_c:
            j = taken_c[i]
            s, text = scored[(i, j)]
            rival = max(_rival(rows[i], j), _rival(cols[j], i))
            conf = min(1.0, s) * (0.6 + 0.4 * min(1.0, max(0.0, s - rival) / 0.2))
            links.append(_link(c.iri, prev[j].iri, change(c, prev[j], text), conf, ()))
        else:
            best = rows[i][0][0] if rows[i] else 0.0
            flags = (FLAG_INCOMPLETE,) * prev_incomplete + (FLAG_GAP,) * gap
            conf = min(1.0 - best, INCOMPLETE_CAP) if flags else 1.0 - best
            links.append(_link(c.iri, None, "new", conf, flags))
    dropped_flags = (FLAG_INCOMPLETE,) * cur_incomplete + (FLAG_GAP,) * gap
    dropped = [(p.iri, tuple(sorted(dropped_flags))) for j, p in enumerate(prev) if j not in taken_p]
    return Lineage(links, dropped)


def _link(clause: str, previous: str | None, kind: str, conf: float, flags: tuple[str, ...]) -> Link:
    conf = round(max(0.0, min(1.0, conf)), 2)
    if conf < LOW_CONFIDENCE:
        flags = (*flags, FLAG_LOW)
    return Link(clause, previous, kind, conf, tuple(sorted(flags)))
