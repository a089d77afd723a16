"""Longest-match lookup of vocabulary labels in text, with word boundaries.

Chinese has no spaces: a label is matched where it stands, the longest first, and a
short label (two characters or fewer) only where jieba, loaded with a user dictionary
generated from the vocabularies, puts a word boundary on both sides (so 议联 is not found
inside 会议联合国). English labels match whole words, case-insensitively.

The segmenter is rjieba (jieba-rs) when installed, calibrated to give exactly jieba's
boundaries and tags, else jieba itself (see "segmenters" below); it is made once per
process, on the first Chinese paragraph, and segments a block of text only when a short
label found in it needs its boundaries.
"""

from __future__ import annotations

import bisect
import hashlib
import importlib.util
import json
import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Container

from mandates.core.files import atomic_write, cache_dir
from mandates.core.text import fold_label
from mandates.vocab.concepts import Lexicon, Vocabulary, gap_parts

SHORT = 2
# the vocabularies whose labels become jieba words: the names the boundaries protect.
# Theme labels are left out: they overlap actor names ("议会参与") and are matched without jieba.
WORD_KINDS = ("actor", "instrument", "verb", "condition", "marker")


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    key: str
    entries: tuple  # the concepts (or markers) behind the label


def user_dictionary_lines(vocab: Vocabulary) -> list[str]:
    """The jieba user dictionary generated from the ``@zh`` labels of actors, instruments,
    verbs, conditions and drafting markers, one ``word freq`` per line; a label with a gap
    ("应……请求") gives the words around it.

    >>> from mandates.vocab.concepts import load
    >>> any(line.startswith("各国议会联盟 ") for line in user_dictionary_lines(load()))
    True
    """

    words = set()
    for c in vocab.concepts:
        if c.kind not in WORD_KINDS:
            continue
        for lab in c.labels.get("zh", ()):
            for w in gap_parts(fold_label(lab, lang="zh")):
                if len(w) >= 2 and not any(ch.isspace() for ch in w):
                    words.add(w)
    return [f"{w} {200000 + 1000 * len(w)}" for w in sorted(words)]


# ----------------------------------------------------------------------------- segmenters
#
# jieba (Python) is the reference. rjieba (the binding of jieba-rs: the same dictionary and
# algorithm in Rust) starts in a fraction of the time and segments ~20x faster; it is used
# when installed, made to give exactly jieba's output:
#   - the text is split into blocks with jieba's own regular expressions here, in Python
#     (jieba-rs accepts more characters in a block, e.g. CJK extension A, and its tagger
#     does not split at "-" and "%" as jieba's does), and each block is segmented alone, as
#     jieba does;
#   - jieba's add_word adds a user word's frequency to the dictionary total even when the
#     word is already in the main dictionary, jieba-rs replaces it: the difference is added
#     back with a word no block can contain (the total weighs every path of the DAG);
#   - user words are added with the tag jieba's tagger gives them (the main dictionary's
#     tag, else "x");
#   - a run of ASCII letters and digits is tagged "eng" by jieba, "m" by jieba-rs when it is
#     all digits.
# tests/test_segmentation.py checks that both give the same boundaries, tags and extracted
# documents on the whole corpus and on generated documents.
# UN_MANDATES_SEGMENTER=jieba forces the reference.

SEGMENTER_ENV = "UN_MANDATES_SEGMENTER"
# jieba 0.42's block expressions (jieba.re_han_default, re_skip_default; jieba.posseg.re_han_internal...)
RE_HAN = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)")
RE_SKIP = re.compile("(\r\n|\\s)")
RE_HAN_TAG = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._]+)")
RE_SKIP_TAG = re.compile("(\r\n|\\s)")
RE_NUM_TAG = re.compile("[\\.0-9]+")
RE_ENG_TAG = re.compile("[a-zA-Z0-9]+")
_ALNUM = re.compile("[A-Za-z0-9]+")
_PAD = "\ue000\ue001"  # a word outside every block: carries the rjieba total's correction
_LOCK = threading.RLock()


def backend() -> str:
    """The segmenter used: ``rjieba`` when installed (unless ``UN_MANDATES_SEGMENTER=jieba``),
    else ``jieba``."""
    want = os.environ.get(SEGMENTER_ENV, "").strip().lower()
    if want in ("jieba", "rjieba"):
        return want
    return "rjieba" if _installed("rjieba") else "jieba"


_FOUND: dict[str, bool] = {}


def _installed(module: str) -> bool:
    got = _FOUND.get(module)
    if got is None:
        got = _FOUND[module] = importlib.util.find_spec(module) is not None
    return got


class _Jieba:
    """The reference: jieba with the user dictionary, its cache in the user's cache folder."""

    name = "jieba"

    def __init__(self, vocab: Vocabulary):
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
        self.tok = tok
        self._pos = None

    def tokenize(self, block: str) -> list[tuple[str, int, int]]:
        return list(self.tok.tokenize(block, HMM=False))

    def pos(self):  # type: ignore[no-untyped-def]
        if self._pos is None:
            import jieba.posseg

            # importing jieba.posseg has loaded the main dictionary's tags for its default
            # tokenizer (half a second): share them rather than read the dictionary again
            # (no user word has a tag of its own, so the tables are the same)
            p = jieba.posseg.POSTokenizer.__new__(jieba.posseg.POSTokenizer)
            p.tokenizer = self.tok
            p.word_tag_tab = jieba.posseg.dt.word_tag_tab
            self._pos = p
        return self._pos

    def tag(self, text: str) -> list[tuple[str, str]]:
        return [(pair.word, pair.flag) for pair in self.pos().cut(text, HMM=False)]


_RJIEBA_DEFAULT_TAKEN = False


class _Rjieba:
    """rjieba, calibrated to give jieba's output (see above)."""

    name = "rjieba"

    def __init__(self, vocab: Vocabulary):
        global _RJIEBA_DEFAULT_TAKEN
        import rjieba

        if not _RJIEBA_DEFAULT_TAKEN:  # importing rjieba has built one: use it
            _RJIEBA_DEFAULT_TAKEN = True
            j = rjieba._DEFAULT_JIEBA
        else:
            j = rjieba.Jieba()
        lines = user_dictionary_lines(vocab)
        known, pad = _calibration(lines)
        for line in lines:
            word, freq = line.rsplit(" ", 1)
            j.add_word(word, int(freq), known.get(word, "x"))
        if pad:
            j.add_word(_PAD, pad, "x")
        self.j = j

    def tokenize(self, block: str) -> list[tuple[str, int, int]]:
        return self.j.tokenize(block, hmm=False)

    def tag(self, text: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for blk in RE_HAN_TAG.split(text):  # as jieba.posseg.POSTokenizer.__cut_internal
            if not blk:
                continue
            if RE_HAN_TAG.fullmatch(blk):
                for w, t in self.j.tag(blk, hmm=False):
                    out.append((w, "eng" if t == "m" and _ALNUM.fullmatch(w) else t))
                continue
            for x in RE_SKIP_TAG.split(blk):
                if RE_SKIP_TAG.fullmatch(x):
                    out.append((x, "x"))
                    continue
                for xx in x:
                    if RE_NUM_TAG.match(xx):
                        out.append((xx, "m"))
                    elif RE_ENG_TAG.match(x):
                        out.append((xx, "eng"))
                    else:
                        out.append((xx, "x"))
        return out


def _jieba_dictionary() -> Path | None:
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.origin:
        return None
    f = Path(spec.origin).parent / "dict.txt"
    return f if f.is_file() else None


def _calibration(lines: list[str]) -> tuple[dict[str, str], int]:
    """For the user words already in jieba's main dictionary: their tags, and the sum of
    their frequencies (what jieba adds to the total and jieba-rs does not). Read once from
    jieba's dict.txt, then kept in the user's cache folder."""
    dic = _jieba_dictionary()
    if dic is None:
        raise ImportError("rjieba is calibrated with jieba's dictionary: install jieba")
    st = dic.stat()
    key = hashlib.sha256("\n".join([str(dic), str(st.st_size), str(st.st_mtime_ns), *lines]).encode()).hexdigest()
    f = cache_dir() / "segmenter" / f"rjieba-{key[:32]}.json"
    try:
        got = json.loads(f.read_text(encoding="utf-8"))
        return dict(got["tags"]), int(got["pad"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    words = {line.rsplit(" ", 1)[0] for line in lines}
    freq: dict[str, int] = {}
    tags: dict[str, str] = {}
    with open(dic, encoding="utf-8") as fh:
        for line in fh:
            w = line.split(" ", 1)[0]
            if w in words:
                w, fr, t = line.strip().split(" ")
                freq[w], tags[w] = int(fr), t  # (the last line wins, as in jieba)
    pad = sum(freq.values())

    try:
        atomic_write(f, json.dumps({"tags": tags, "pad": pad}, ensure_ascii=False))
    except OSError:
        pass
    return tags, pad


_SEGMENTERS: dict[tuple[int, str], tuple[Vocabulary, object]] = {}


def segmenter(vocab: Vocabulary, name: str | None = None):  # type: ignore[no-untyped-def]
    """The segmenter for a vocabulary (``backend()`` unless named), made once per process
    (each build worker makes its own on its first Chinese paragraph)."""
    name = name or backend()
    key = (id(vocab), name)
    got = _SEGMENTERS.get(key)
    if got is not None and got[0] is vocab:
        return got[1]
    with _LOCK:
        got = _SEGMENTERS.get(key)
        if got is not None and got[0] is vocab:
            return got[1]
        seg = _Rjieba(vocab) if name == "rjieba" else _Jieba(vocab)
        _SEGMENTERS[key] = (vocab, seg)
        return seg


def tokenizer(vocab: Vocabulary):  # type: ignore[no-untyped-def]
    """The jieba tokenizer with the generated user dictionary (the reference), once per process."""
    return segmenter(vocab, "jieba").tok


class Bounds:
    """The word boundaries of ``text[start:end]``, found lazily: a block (a run jieba
    segments on its own) is segmented only when a position inside it is asked about, i.e.
    around a short candidate label. ``pos in bounds`` is what ``scan`` asks."""

    def __init__(self, seg, text: str, start: int, end: int):  # type: ignore[no-untyped-def]
        self.seg, self.text, self.start, self.end = seg, text, start, end
        self.blocks = [(m.start(), m.end()) for m in RE_HAN.finditer(text, start, end)]
        self.starts = [b[0] for b in self.blocks]
        self.done: dict[int, set[int]] = {}

    def __contains__(self, pos: object) -> bool:
        if not isinstance(pos, int) or pos < self.start or pos > self.end:
            return False
        if pos in (self.start, self.end):
            return True
        k = bisect.bisect_right(self.starts, pos) - 1
        if k >= 0 and pos < self.blocks[k][1]:
            bs, be = self.blocks[k]
            if pos == bs:
                return True
            cuts = self.done.get(k)
            if cuts is None:
                cuts = self.done[k] = {bs + e for _, _, e in self.seg.tokenize(self.text[bs:be])}
            return pos in cuts
        # outside the blocks jieba cuts every character, but keeps "\r\n" whole
        return not (self.text[pos - 1] == "\r" and self.text[pos] == "\n")

    def as_set(self) -> set[int]:
        return {i for i in range(self.start, self.end + 1) if i in self}


def boundaries(vocab: Vocabulary, text: str, start: int, end: int) -> Bounds:
    """Word boundaries jieba puts in ``text[start:end]`` (absolute offsets), as a lazy set.

    >>> from mandates.vocab.concepts import load
    >>> b = boundaries(load(), "会议联合国", 0, 5)
    >>> 2 in b, 3 in b
    (True, False)
    """
    return Bounds(segmenter(vocab), text, start, end)


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


_INDEX: dict[int, tuple[Lexicon, int, dict[str, tuple[int, ...]]]] = {}


def _first_chars(lex: Lexicon) -> dict[str, tuple[int, ...]]:
    """The label lengths by first two characters (by the one character of one-character
    labels), longest first, kept per lexicon: two characters keep the lengths to try at a
    position few, however large the vocabulary grows."""
    got = _INDEX.get(id(lex))
    if got is not None and got[0] is lex and got[1] == len(lex.entries):
        return got[2]
    lengths: dict[str, set[int]] = {}
    for key in lex.entries:
        lengths.setdefault(key[:2], set()).add(len(key))
    index = {head: tuple(sorted(ls, reverse=True)) for head, ls in lengths.items()}
    if len(_INDEX) > 64:
        _INDEX.clear()
    _INDEX[id(lex)] = (lex, len(lex.entries), index)
    return index


def scan(text: str, start: int, end: int, lex: Lexicon, *, bounds: Container[int] | None = None) -> list[Hit]:
    """Leftmost-longest matches of a lexicon's labels in ``text[start:end]``.

    Args:
        text: the normalised text.
        start, end: the window.
        lex: the lexicon (its language decides how words are bounded).
        bounds: jieba word boundaries for Chinese short labels (None: no check).

    >>> from mandates.vocab.concepts import Lexicon
    >>> lex = Lexicon("zh", {"议联": [1], "联合国": [2]}, 3)
    >>> [(h.start, h.end, h.key) for h in scan("会议联合国", 0, 5, lex)]
    [(1, 3, '议联')]
    >>> [(h.start, h.end, h.key) for h in scan("会议联合国", 0, 5, lex, bounds={0, 2, 5})]
    [(2, 5, '联合国')]
    """
    hits: list[Hit] = []
    entries = lex.entries
    first = _first_chars(lex)
    max_len = lex.max_len
    i = start
    en = lex.lang == "en"
    low = view(text, lex.lang)
    while i < end:
        if en and i > 0 and low[i - 1].isalnum():
            i += 1
            continue
        found = None
        room = min(max_len, end - i)
        for length in first.get(low[i:i + 2], ()) + first.get(low[i], ()):
            if length > room:
                continue
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


def tag(vocab: Vocabulary, text: str, start: int, end: int) -> list[Tagged]:
    """Words of ``text[start:end]`` with jieba part-of-speech tags and absolute offsets."""
    out: list[Tagged] = []
    pos = start
    for w, flag in segmenter(vocab).tag(text[start:end]):
        out.append(Tagged(w, flag, pos, pos + len(w)))
        pos += len(w)
    return out
