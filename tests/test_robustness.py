"""Whatever users feed the tool: other encodings, traditional characters, HTML, junk."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef

from conftest import SEED

# literals that carry the text itself (or the file's identity) differ between encodings and
# scripts; everything else (structure, IRIs, offsets, numbers, referents) must not
SOURCE_LITERALS = {
    "https://w3id.org/un-mandates/ontology#text", "https://w3id.org/un-mandates/ontology#exact",
    "https://w3id.org/un-mandates/ontology#verbText", "https://w3id.org/un-mandates/ontology#sourceSha256",
    "https://w3id.org/un-mandates/ontology#encoding", "https://w3id.org/un-mandates/ontology#sourceFile",
    "http://purl.org/dc/terms/title", "http://data.europa.eu/eli/ontology#title",
    "http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2004/02/skos/core#altLabel",
}


def _graph(path: Path, vocab):
    from mandates.graph.builder import build_graph
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source

    doc = extract(read_source(path), vocab)
    return doc, build_graph(doc)[1]


def _structure(g) -> set:
    return {(s, p, o) for s, p, o in g if str(p) not in SOURCE_LITERALS}


def _traditional(text: str) -> str:
    from opencc import OpenCC

    return OpenCC("s2t").convert(text)


VARIANTS = [
    ("gb18030", lambda t: t.encode("gb18030"), "gb18030"),
    ("utf-16", lambda t: t.encode("utf-16"), "utf-16"),
    ("utf-16-le-no-bom", lambda t: t.encode("utf-16-le"), "utf-16-le"),
    ("utf-8-bom", lambda t: t.encode("utf-8-sig"), "utf-8-sig"),
    ("traditional", lambda t: _traditional(t).encode("utf-8"), "utf-8"),
]


@pytest.mark.parametrize("name,encode,encoding", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_seed_in_other_encodings_and_scripts_gives_the_same_graph(tmp_path, vocab, name, encode, encoding):
    text = SEED.read_text(encoding="utf-8")
    f = tmp_path / SEED.name
    f.write_bytes(encode(text))
    base_doc, base = _graph(SEED, vocab)
    doc, g = _graph(f, vocab)
    assert doc.encoding == encoding
    assert _structure(g) == _structure(base)
    if name == "traditional":  # labels and offsets keep the original characters
        assert "聯合國" in doc.original and "联合国" not in doc.original
        p = next(x for x in doc.paragraphs if x.local == "op/24")
        assert "書長" in doc.original_text(p.span)


def test_seed_saved_as_html_reads_the_same_paragraphs(tmp_path, vocab):
    import html

    text = SEED.read_text(encoding="utf-8").replace("**", "")
    body = "".join(f"<p>{html.escape(line)}</p>\n" for line in text.splitlines() if line.strip())
    page = f"<html><head><title>A/RES/74/303</title><style>p {{}}</style></head><body>{body}</body></html>"
    f = tmp_path / "a-res-74-303.html"
    f.write_text(page, encoding="utf-8")
    doc, _ = _graph(f, vocab)
    base, _ = _graph(SEED, vocab)
    assert [(p.local, [c.verb.notation for c in p.clauses]) for p in doc.paragraphs] == \
        [(p.local, [c.verb.notation for c in p.clauses]) for p in base.paragraphs]
    assert doc.header.symbol == "A/RES/74/304" and doc.header.meeting == 63
    # offsets point into the HTML file's characters
    p = doc.paragraphs[0]
    assert doc.original_text(p.span).startswith("回顾")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_decoding_any_bytes_either_reads_or_says_why(data):
    from mandates.extract.read import InputError, decode

    try:
        text, enc = decode(data, name="junk.bin")
    except InputError as exc:
        assert "junk.bin" in str(exc)
    else:
        assert isinstance(text, str) and enc


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000))
def test_any_text_extracts_and_builds_valid_iris(vocab, text):
    from mandates.graph.builder import build_graph
    from mandates.extract.extractors import extract
    from mandates.rdf.iris import check
    from mandates.extract.read import Source, detect_language, detect_markup

    src = Source("any.txt", text, "utf-8", detect_markup(text), detect_language(text), "0" * 64)
    doc = extract(src, vocab)
    _, g = build_graph(doc)
    for s, p, o in g:
        for t in (s, p, o):
            if isinstance(t, URIRef):
                check(str(t))
            else:
                assert isinstance(t, Literal)
    for p in doc.paragraphs:  # every span maps inside the original
        s, e = doc.orig_span(p.span)
        assert 0 <= s <= e <= len(text)


def _mutations():
    lines = SEED.read_text(encoding="utf-8").splitlines(keepends=True)
    junk = st.sampled_from(["", "\x00", "\ufffd", "¹", "1/", "(1)", "第 1/CP.21 号决定", "《", "》", "——", "**",
                            "\n\n", "，并", "2. ", "大会，", "A/74/", "[", "]"])
    return st.lists(st.tuples(st.integers(0, len(lines) - 1), st.sampled_from(["drop", "dup", "junk"]), junk),
                    max_size=8).map(lambda ops: _apply(lines, ops))


def _apply(lines, ops):
    out = list(lines)
    for i, op, j in ops:
        i = min(i, len(out) - 1)
        if op == "drop" and len(out) > 1:
            del out[i]
        elif op == "dup":
            out.insert(i, out[i])
        else:
            out[i] = out[i][: len(out[i]) // 2] + j + out[i][len(out[i]) // 2:]
    return "".join(out)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutations())
def test_damaged_seed_still_builds_a_conforming_graph(vocab, text):
    from mandates.graph.builder import build_graph, vocabulary_graph
    from mandates.extract.extractors import extract
    from mandates.extract.read import Source
    from mandates.validate.engine import validate

    src = Source("damaged.md", text, "utf-8", "md", "zh", "0" * 64)
    doc = extract(src, vocab)
    _, g = build_graph(doc)
    v = validate(g, vocabulary=_VOCAB.setdefault("g", vocabulary_graph()))
    assert v.conforms, [(r.shape, r.message) for r in v.results if r.severity == "Violation"][:5]


_VOCAB: dict = {}


def test_huge_single_line_does_not_hang(vocab, tmp_path):
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source

    f = tmp_path / "huge.txt"
    f.write_text(SEED.read_text(encoding="utf-8").replace("\n", " ") * 10 + "会" * 100000, encoding="utf-8")
    doc = extract(read_source(f), vocab)
    assert doc.paragraphs


@pytest.mark.parametrize("data,message", [(b"", "empty"), (b"   \n\t ", "empty"), (b"\x00\x01\x02\x03" * 10, "binary")])
def test_empty_and_binary_files_are_input_errors(tmp_path, data, message):
    from mandates.extract.read import InputError, read_source

    f = tmp_path / "bad.txt"
    f.write_bytes(data)
    with pytest.raises(InputError, match=message):
        read_source(f)


def _normalise_by_characters(original: str, *, traditional: bool) -> tuple[str, tuple[int, ...]]:
    """The normalisation ``mandates.core.text.normalise`` does (Markdown markup), written one
    character at a time as the docstring states it: the reference its run-based code must equal."""
    import re

    from mandates.core.text import fold_char, is_cjk

    drop = set()
    for m in re.finditer(r"\[([^\]\n]{0,300})\]\([^)\n]{0,300}\)", original):
        drop.add(m.start())
        drop.update(range(m.end(1), m.end()))
    for m in re.finditer(r"\*\*|__", original):
        drop.update(range(m.start(), m.end()))
    chars = [(fold_char(c, traditional=traditional), i) for i, c in enumerate(original)
             if i not in drop and c not in "\r\ufeff\u200b\u200c\u200d\u2060"]
    out: list[tuple[str, int]] = []
    i = 0
    while i < len(chars):
        c, o = chars[i]
        if c not in " \t\f\v":
            out.append((c, o))
            i += 1
            continue
        j = i
        while j < len(chars) and chars[j][0] in " \t\f\v":
            j += 1
        before = out[-1][0] if out else "\n"
        after = chars[j][0] if j < len(chars) else "\n"
        if not (is_cjk(before) or is_cjk(after) or "\n" in (before, after)):
            out.append((" ", o))
        i = j
    return "".join(c for c, _ in out), tuple(o for _, o in out)


NORMALISE_ALPHABET = list(" \t\f\v\n\r\u3000\u00a0\ufeff\u200b中文議會ab,，Ａ－—*_[]()") + ["**", "__", "[x](y)"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(NORMALISE_ALPHABET), max_size=40).map("".join), st.booleans())
def test_normalise_equals_the_character_by_character_reference(text, traditional):
    from mandates.core.text import normalise

    n = normalise(text, traditional=traditional)
    assert (n.text, n.origin) == _normalise_by_characters(text, traditional=traditional)


def test_normalise_equals_the_reference_on_the_seed():
    from mandates.core.text import normalise

    text = SEED.read_text(encoding="utf-8")
    n = normalise(text, traditional=True)
    assert (n.text, n.origin) == _normalise_by_characters(text, traditional=True)


# characters that end a line for str.splitlines() but not for N-Triples, which leaves them
# unescaped inside literals: a page break (form feed) from pdftotext, a line tabulation, the
# Unicode line and paragraph separators, NEL and the information separators
LINE_BREAKS_FOR_PYTHON_ONLY = "\f\v\u2028\u2029\x85\x1c\x1d\x1e"


def test_page_breaks_and_unicode_line_separators_inside_paragraphs_build(tmp_path):
    """Such characters reach the literals that quote the source (``mnd:exact``): every graph
    file must still hold one quad per line."""
    import pyoxigraph

    from mandates.build.pipeline import build

    text = SEED.read_text(encoding="utf-8")
    at = text.index("以确保其应对")  # inside operative paragraph 5
    f = tmp_path / SEED.name
    f.write_text(text[:at + 3] + LINE_BREAKS_FOR_PYTHON_ONLY + text[at + 3:], encoding="utf-8")
    out = tmp_path / "out"
    result = build([f], out)
    assert [d.error for d in result.documents] == [None]
    nq = (out / "graph.nq").read_bytes()
    assert any(c.encode("utf-8") in nq for c in LINE_BREAKS_FOR_PYTHON_ONLY)
    counts = []
    for name, fmt in (("graph.nq", pyoxigraph.RdfFormat.N_QUADS), ("graph.trig", pyoxigraph.RdfFormat.TRIG)):
        store = pyoxigraph.Store()
        store.load(path=str(out / name), format=fmt)
        counts.append(len(store))
    assert counts[0] == counts[1] == nq.count(b"\n")


def test_a_run_of_superscripts_too_long_for_a_footnote_is_no_marker(vocab, tmp_path):
    """Twenty superscript digits are no footnote number (one would not fit the view's JSON)."""
    from mandates.graph.builder import build_graph
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source

    text = SEED.read_text(encoding="utf-8")
    run = "¹²³⁴⁵⁶⁷⁸⁹¹²³⁴⁵⁶⁷⁸⁹¹²³"
    at = text.index("以确保其应对")
    f = tmp_path / SEED.name
    f.write_text(text[:at] + run + text[at:] + f"\n{run} 第60/1号决议。\n", encoding="utf-8")
    doc = extract(read_source(f), vocab)
    base = extract(read_source(SEED), vocab)
    assert [n.number for n in doc.footnotes] == [n.number for n in base.footnotes]
    assert all(n < 1000 for p in doc.paragraphs for n in p.footnotes)
    build_graph(doc)
