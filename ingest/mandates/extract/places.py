"""States named as places are not actors of the paragraph.

"筹备于 2022 年 5 月在俄罗斯联邦举办……会议" and "the situation in Myanmar" name a State as
the place of something, not as someone the Assembly names or asks. The words that make a
name a place (在, 于; in, at) are drafting markers with the role ``mnd:PlaceCue``; the
class of actors they apply to is the marker's ``mnd:refersToClass`` (``mnd:State``), all
data (``ontology/vocab/states.ttl``). A State right after such a word ("in the" is one;
in English a city may stand between: "held in Saint Petersburg, Russian Federation") is
dropped from the paragraph's mentions; its span stays taken, so nothing else is matched
inside it.
"""

from __future__ import annotations

import re

from mandates.extract.model import Mention
from mandates.vocab.concepts import Vocabulary


def place_mentions(vocab: Vocabulary, lang: str, text: str, mentions: list[Mention]) -> list[Mention]:
    """The actor mentions of ``mentions`` that name a State as a place.

    >>> from mandates.vocab.concepts import load
    >>> v = load()
    >>> china = next(c for c in v.of_kind("actor") if c.pref.get("en") == "China")
    >>> text = "the situation in China"
    >>> [m.span for m in place_mentions(v, "en", text, [Mention("actor", (17, 22), [china])])]
    [(17, 22)]
    >>> text = "held in Hangzhou, China"
    >>> [m.span for m in place_mentions(v, "en", text, [Mention("actor", (18, 23), [china])])]
    [(18, 23)]
    """
    classes, words = _cues(vocab, lang)
    if not classes:
        return []
    out = []
    for m in mentions:
        if m.kind != "actor" or m.how != "name" or not m.refers or not all(c.types & classes for c in m.refers):
            continue
        before = " ".join(text[max(0, m.span[0] - 60):m.span[0]].split())
        if lang == "en":
            before = _CITY.sub("", before)  # "held in Saint Petersburg, Russian Federation": the city is skipped
        low = before.lower()
        for w in words:
            if low.endswith(w) and (lang != "en" or len(low) == len(w) or not low[-len(w) - 1].isalnum()):
                out.append(m)
                break
    return out


# a place name written before the State's ("Hamburg, Germany"): capitalised words and a comma
_CITY = re.compile(r"(?:\s[A-Z][\w'’.-]*){1,3},$")

_CUES: dict[tuple[int, str], tuple[Vocabulary, frozenset[str], list[str]]] = {}


def _cues(vocab: Vocabulary, lang: str) -> tuple[frozenset[str], list[str]]:
    """The classes place cues apply to and their folded words (longest first), once per vocabulary."""
    got = _CUES.get((id(vocab), lang))
    if got is None or got[0] is not vocab:
        classes = frozenset(c.refers_class for c in vocab.markers("PlaceCue") if c.refers_class)
        got = _CUES[(id(vocab), lang)] = (vocab, classes, vocab.marker_words("PlaceCue", lang))
    return got[1], got[2]


def drop_place_mentions(vocab: Vocabulary, lang: str, text: str, mentions: list[Mention]) -> None:
    """Remove the mentions of States named as places (in place)."""
    drop = {id(m) for m in place_mentions(vocab, lang, text, mentions)}
    if drop:
        mentions[:] = [m for m in mentions if id(m) not in drop]

