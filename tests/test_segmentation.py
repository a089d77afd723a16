"""rjieba (jieba-rs) stands in for jieba only where it gives the same result.

jieba is the reference. ``mandates.extract.lexmatch`` uses rjieba when it is installed, calibrated to
give jieba's word boundaries and part-of-speech tags; these tests check that

- the whole extracted document (paragraphs, clauses, mentions with their spans, issues,
  minted concepts) and its graph's N-Quads are the same with either segmenter, for every
  Chinese file of ``corpus/`` and a set of generated documents;
- below that, the boundaries and tags of every paragraph the extractor segments, and of
  random windows of the corpus text mixed with punctuation, digits, Latin letters, spaces
  and characters outside jieba's blocks, are the same;
- the lazy boundaries (a block segmented only when a short label inside it is checked) are
  the boundaries jieba puts in the whole window.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest

from mandates.core.files import cache_dir
from mandates.extract import lexmatch

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
ZH_FILES = sorted(p for p in CORPUS.iterdir() if ".zh." in p.name)

pytest.importorskip("jieba")
rjieba_missing = importlib.util.find_spec("rjieba") is None
needs_rjieba = pytest.mark.skipif(rjieba_missing, reason="rjieba is not installed")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> list[Path]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    out = tmp_path_factory.mktemp("generated")
    files = generate(40, out / "a", seed=7, zh=1.0) + generate(20, out / "b", seed=11, zh=1.0)
    return sorted(p for p in files if ".zh." in p.name)


def _extract(path: Path, vocab, backend: str, monkeypatch):  # type: ignore[no-untyped-def]
    from mandates.graph.builder import build_graph
    from mandates.extract.extractors import extract
    from mandates.rdf.terms import sorted_nquads
    from mandates.extract.read import read_source

    monkeypatch.setenv(lexmatch.SEGMENTER_ENV, backend)
    assert lexmatch.backend() == backend
    doc = extract(read_source(path), vocab)
    return doc, sorted_nquads([build_graph(doc)])


def _same_document(path: Path, vocab, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ref, ref_nq = _extract(path, vocab, "jieba", monkeypatch)
    got, got_nq = _extract(path, vocab, "rjieba", monkeypatch)
    for a, b in zip(ref.paragraphs, got.paragraphs):
        assert [(m.kind, m.span, m.how, m.flagged, m.label, [c.iri for c in m.refers]) for m in a.mentions] == \
            [(m.kind, m.span, m.how, m.flagged, m.label, [c.iri for c in m.refers]) for m in b.mentions], \
            (path.name, a.local)
        assert [(c.verb.iri, c.verb_span, c.span, [x.iri for x in c.addressees]) for c in a.clauses] == \
            [(c.verb.iri, c.verb_span, c.span, [x.iri for x in c.addressees]) for c in b.clauses], (path.name, a.local)
    assert ref.issues == got.issues, path.name
    assert ref == got, path.name  # every field, minted concepts included
    assert ref_nq == got_nq, path.name


@needs_rjieba
@pytest.mark.parametrize("path", ZH_FILES, ids=[p.name for p in ZH_FILES])
def test_rjieba_extracts_the_corpus_as_jieba_does(path, vocab, monkeypatch):
    _same_document(path, vocab, monkeypatch)


@needs_rjieba
def test_rjieba_extracts_generated_documents_as_jieba_does(generated, vocab, monkeypatch):
    assert len(generated) >= 40
    for path in generated:
        _same_document(path, vocab, monkeypatch)


def _windows(vocab, paths: list[Path], monkeypatch):  # type: ignore[no-untyped-def]
    """The (text, start, end) windows the extractor segments and tags."""
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source

    monkeypatch.setenv(lexmatch.SEGMENTER_ENV, "jieba")
    seen: list[tuple[str, str, int, int]] = []
    real_b, real_t = lexmatch.boundaries, lexmatch.tag

    def spy_b(v, text, s, e):  # type: ignore[no-untyped-def]
        seen.append(("b", text, s, e))
        return real_b(v, text, s, e)

    def spy_t(v, text, s, e):  # type: ignore[no-untyped-def]
        seen.append(("t", text, s, e))
        return real_t(v, text, s, e)

    monkeypatch.setattr(lexmatch, "boundaries", spy_b)
    monkeypatch.setattr(lexmatch, "tag", spy_t)
    for p in paths:
        extract(read_source(p), vocab)
    monkeypatch.undo()
    return seen


def _reference_bounds(vocab, text: str, s: int, e: int) -> set[int]:  # type: ignore[no-untyped-def]
    out = {s, e}
    for _, a, b in lexmatch.tokenizer(vocab).tokenize(text[s:e], HMM=False):
        out.update((s + a, s + b))
    return out


def _noise_windows(n: int, seed: int) -> list[str]:
    text = "".join(p.read_text(encoding="utf-8") for p in ZH_FILES)
    extra = list("-%#&._+/ \n\r\t\u3000（）“”《》、，。；：0123456789ABCxyz〇\u3400\u9fd6\u9fff\U00020000é½１２ＡＢ")
    rng = random.Random(seed)
    out = []
    for k in range(n):
        if k % 2:
            i = rng.randrange(len(text) - 80)
            out.append(text[i:i + rng.randrange(1, 80)])
        else:
            out.append("".join(rng.choice(extra) if rng.random() < 0.3 else text[rng.randrange(len(text))]
                               for _ in range(rng.randrange(1, 40))))
    out += ["合合合", "融作克\t\n开作2", "《2015-2030年仙台减少灾害风险框架》", "a\r\nb 联合国\r\n\r\n议会",
            "C++与AT&T和c#", "第74/303号决议", "12.5%的1.2万", ""]
    return out


@needs_rjieba
def test_boundaries_and_tags_are_jiebas(vocab, generated, monkeypatch):
    windows = _windows(vocab, ZH_FILES + generated[:20], monkeypatch)
    assert sum(1 for w in windows if w[0] == "b") > 100 and sum(1 for w in windows if w[0] == "t") > 100
    ref, fast = lexmatch.segmenter(vocab, "jieba"), lexmatch.segmenter(vocab, "rjieba")
    for kind, text, s, e in windows:
        if kind == "b":
            want = _reference_bounds(vocab, text, s, e)
            assert lexmatch.Bounds(fast, text, s, e).as_set() == want, text[s:e]
            assert lexmatch.Bounds(ref, text, s, e).as_set() == want, text[s:e]
        else:
            assert fast.tag(text[s:e]) == ref.tag(text[s:e]), text[s:e]
    for w in _noise_windows(4000, seed=5):
        want = _reference_bounds(vocab, w, 0, len(w))
        assert lexmatch.Bounds(fast, w, 0, len(w)).as_set() == want, repr(w)
        assert fast.tag(w) == ref.tag(w), repr(w)


def test_lazy_boundaries_are_the_whole_windows(vocab):
    ref = lexmatch.segmenter(vocab, "jieba")
    for w in _noise_windows(1500, seed=9):
        got = lexmatch.Bounds(ref, "xx" + w + "yy", 2, 2 + len(w))
        assert got.as_set() == {p + 2 for p in _reference_bounds(vocab, w, 0, len(w))}, repr(w)


def test_block_expressions_are_jiebas():
    import jieba
    import jieba.posseg

    assert lexmatch.RE_HAN.pattern == jieba.re_han_default.pattern
    assert lexmatch.RE_SKIP.pattern == jieba.re_skip_default.pattern
    assert lexmatch.RE_HAN_TAG.pattern == jieba.posseg.re_han_internal.pattern
    assert lexmatch.RE_SKIP_TAG.pattern == jieba.posseg.re_skip_internal.pattern
    assert lexmatch.RE_NUM_TAG.pattern == jieba.posseg.re_num.pattern
    assert lexmatch.RE_ENG_TAG.pattern == jieba.posseg.re_eng.pattern


@needs_rjieba
def test_rjieba_is_the_default_when_installed(monkeypatch):
    monkeypatch.delenv(lexmatch.SEGMENTER_ENV, raising=False)
    assert lexmatch.backend() == "rjieba"
    monkeypatch.setenv(lexmatch.SEGMENTER_ENV, "jieba")
    assert lexmatch.backend() == "jieba"


def test_segmenter_is_made_once_per_process(vocab):
    assert lexmatch.segmenter(vocab, "jieba") is lexmatch.segmenter(vocab, "jieba")
    assert lexmatch.tokenizer(vocab) is lexmatch.segmenter(vocab, "jieba").tok


def test_jieba_cache_is_in_the_users_cache_folder(vocab, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "un-mandates"
    seg = lexmatch._Jieba(vocab)
    assert Path(seg.tok.tmp_dir) == tmp_path / "un-mandates"
    assert (tmp_path / "un-mandates" / "jieba.cache").is_file()
    if not rjieba_missing:
        lexmatch._Rjieba(vocab)
        assert list((tmp_path / "un-mandates" / "segmenter").glob("rjieba-*.json"))
