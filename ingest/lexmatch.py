"""Longest-match lookup of vocabulary labels in text, with word boundaries.

Chinese has no spaces: a label is matched where it stands, the longest first, and a
short label (two characters or fewer) only where jieba, loaded with a user dictionary
generated from the vocabularies, puts a word boundary on both sides (so 议联 is not found
inside 会议联合国). English labels match whole words, case-insensitively.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .vocab import Lexicon, Vocabulary

SHORT = 2
# the vocabularies whose labels become jieba words: the names the boundaries protect.
# Theme labels are left out: they overlap actor names ("议会参与") and are matched without jieba.
WORD_KINDS = ("actor", "instrument", "verb", "marker")


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    key: str
    entries: tuple  # the concepts (or markers) behind the label


def user_dictionary_lines(vocab: Vocabulary) -> list[str]:
    """The jieba user dictionary generated from the ``@zh`` labels of actors, instruments,
    verbs and drafting markers, one ``word freq`` per line.

    >>> from ingest.vocab import load
    >>> any(line.startswith("各国议会联盟 ") for line in user_dictionary_lines(load()))
    True
    """
    from .text import fold_label

    words = set()
    for c in vocab.concepts:
        if c.kind not in WORD_KINDS:
            continue
        for lab in c.labels.get("zh", ()):
            w = fold_label(lab, lang="zh")
            if len(w) >= 2 and not any(ch.isspace() for ch in w):
                words.add(w)
    return [f"{w} {200000 + 1000 * len(w)}" for w in sorted(words)]


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "un-mandates"


@lru_cache(maxsize=1)
def tokenizer(vocab: Vocabulary):  # type: ignore[no-untyped-def]
    """A jieba tokenizer with the generated user dictionary, initialised once per process."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = str(folder)
    except OSError:
        tmp = None
    tok = jieba.Tokenizer()
    tok.tmp_dir = tmp
    tok.initialize()
    for line in user_dictionary_lines(vocab):
        word, freq = line.rsplit(" ", 1)
        tok.add_word(word, int(freq))
    return tok


def boundaries(vocab: Vocabulary, text: str, start: int, end: int) -> set[int]:
    """Word boundaries jieba puts in ``text[start:end]`` (as absolute offsets)."""
    tok = tokenizer(vocab)
    out = {start, end}
    for _, s, e in tok.tokenize(text[start:end], HMM=False):
        out.add(start + s)
        out.add(start + e)
    return out


_VIEW: dict[str, tuple[str, str]] = {}


def view(text: str, lang: str) -> str:
    """The text as labels are compared with it: English lower-cased with line breaks as
    spaces (same length, so offsets hold); Chinese as it is."""
    if lang != "en":
        return text
    hit = _VIEW.get("en")
    if hit is not None and hit[0] is text:
        return hit[1]
    low = text.lower().replace("\n", " ")
    if len(low) != len(text):  # a few characters change length when lower-cased
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text).replace("\n", " ")
    _VIEW["en"] = (text, low)
    return low


def scan(text: str, start: int, end: int, lex: Lexicon, *, bounds: set[int] | None = None) -> list[Hit]:
    """Leftmost-longest matches of a lexicon's labels in ``text[start:end]``.

    Args:
        text: the normalised text.
        start, end: the window.
        lex: the lexicon (its language decides how words are bounded).
        bounds: jieba word boundaries for Chinese short labels (None: no check).
    """
    hits: list[Hit] = []
    entries = lex.entries
    i = start
    en = lex.lang == "en"
    low = view(text, lex.lang)
    while i < end:
        if en and i > 0 and low[i - 1].isalnum():
            i += 1
            continue
        found = None
        for length in range(min(lex.max_len, end - i), 0, -1):
            key = low[i:i + length]
            got = entries.get(key)
            if got is None:
                continue
            j = i + length
            if en and j < len(low) and low[j].isalnum():
                continue
            if not en and bounds is not None and length <= SHORT and (i not in bounds or j not in bounds):
                continue
            found = Hit(i, j, key, tuple(got))
            break
        if found:
            hits.append(found)
            i = found.end
        else:
            i += 1
    return hits


def match_at(text: str, pos: int, words: list[str], *, lang: str) -> str | None:
    """The longest of ``words`` (folded, longest first) standing at ``pos``, or None."""
    low = view(text, lang)
    for w in words:
        if low.startswith(w, pos):
            if lang == "en" and pos + len(w) < len(low) and low[pos + len(w)].isalnum() and w[-1].isalnum():
                continue
            return w
    return None


# jieba part-of-speech tags: proper nouns (place, person, organisation, other) and the
# classes that cannot stand inside an organisation's name (verbs, prepositions, conjunctions,
# particles, pronouns, numerals, locality and time words, adverbs)
PROPER = ("ns", "nr", "nt", "nz")
NOT_IN_NAMES = ("v", "p", "c", "u", "r", "m", "f", "t", "d", "x", "q")


@dataclass(frozen=True)
class Tagged:
    word: str
    flag: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _pos_tokenizer(vocab: Vocabulary):  # type: ignore[no-untyped-def]
    import jieba.posseg

    return jieba.posseg.POSTokenizer(tokenizer(vocab))


def tag(vocab: Vocabulary, text: str, start: int, end: int) -> list[Tagged]:
    """Words of ``text[start:end]`` with jieba part-of-speech tags and absolute offsets."""
    out: list[Tagged] = []
    pos = start
    for pair in _pos_tokenizer(vocab).cut(text[start:end], HMM=False):
        w = pair.word
        out.append(Tagged(w, pair.flag, pos, pos + len(w)))
        pos += len(w)
    return out
