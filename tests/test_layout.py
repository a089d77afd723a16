"""Texts as users bring them: flattened to one line, hard-wrapped, with ASCII punctuation,
in traditional script; symbols, dates and meetings in every form the UN printed them; lists
of citations; texts without markup.

The seed's variants (``tests/data/A-RES-74-303.flat.zh.txt``, ``.trad.zh.txt``) are the seed's
words, so the seed's gold scores them; the other texts are bundled real resolutions.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CORPUS, ROOT, SEED

DATA = ROOT / "tests" / "data"
GOLD = ROOT / "tests" / "gold" / "A-RES-74-303.zh.json"
TEXTS = sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".md"))


def _read(path: Path, text: str | None = None):  # type: ignore[no-untyped-def]
    """The file as ``read_source`` gives it, with ``text`` in place of its content when given."""
    from dataclasses import replace

    from mandates.extract.read import read_source

    src = read_source(path)
    return src if text is None else replace(src, text=text)


def _doc(vocab, path: Path, text: str | None = None):  # type: ignore[no-untyped-def]
    from mandates.extract.extractors import extract

    return extract(_read(path, text), vocab)


def _clauses(doc) -> list[tuple[str, list[str]]]:  # type: ignore[no-untyped-def]
    return [(p.local, [c.verb.notation for c in p.clauses]) for p in doc.paragraphs]


# ------------------------------------------------------------------ the seed's variants


@pytest.mark.parametrize("name, floor", [
    ("A-RES-74-303.flat.zh.txt", 0.95),  # one line, ASCII , ; : ( ), glued markers, footnotes in the flow
    ("A-RES-74-303.trad.zh.txt", 1.0),   # traditional characters, no Markdown
])
def test_seed_variants_score_against_the_seeds_gold(tmp_path, name, floor):
    from mandates.build.pipeline import build

    result = build([DATA / name], tmp_path)
    assert result.exit_code() == 0
    proc = subprocess.run([sys.executable, str(ROOT / "tests/eval/score.py"), str(tmp_path / "mandates.json"),
                           str(GOLD), "--json"], capture_output=True, text=True, check=True)
    report = json.loads(proc.stdout)
    assert report["aspects"]["metadata"]["f1"] == 1.0
    assert report["mean_f1"] >= floor, report


# footnote number: (its symbols, the paragraph whose marker it belongs to)
FLAT_FOOTNOTES = {
    1: (["A/RES/60/1"], "pp/1"), 2: (["A/51/402"], "pp/3"), 3: (["A/RES/70/1"], "pp/8"),
    4: (["A/RES/69/313"], "pp/8"), 5: (["A/RES/69/283"], "pp/8"), 6: (["FCCC/CP/2015/10/Add.1"], "pp/8"),
    7: ([], "pp/8"), 8: (["A/RES/73/195"], "op/14"), 9: (["A/74/759"], "op/24"),
}


def test_flow_footnotes_are_bound_to_their_markers(vocab):
    d = _doc(vocab, DATA / "A-RES-74-303.flat.zh.txt")
    assert {f.number: f.symbols for f in d.footnotes} == {n: s for n, (s, _) in FLAT_FOOTNOTES.items()}
    marked = {p.local: p.footnotes for p in d.paragraphs}
    for n, (_, local) in FLAT_FOOTNOTES.items():
        assert n in marked[local], (n, local)
    # the paragraph a footnote text fell in (pp/5: "… 民主差距, 1 第 60/1 号决议。 2 A/51/402,附件。")
    # cites nothing of it, and no paragraph's text holds a footnote's
    cited = {p.local: {m.symbol for m in p.mentions if m.kind == "instrument"} for p in d.paragraphs}
    assert cited["pp/5"] == set()
    assert "A/RES/60/1" in cited["pp/1"] and "A/74/759" in cited["op/24"]
    for p in d.paragraphs:
        assert "号决议。" not in d.text[p.span[0]:p.span[1]], p.local


def test_footnote_block_of_a_one_line_pdf_text_is_not_a_paragraphs(vocab):
    # "… the two organizations, 3F _______________ 1 A/65/382-S/2010/490. A/65/289, annex I. 3 Ibid., annex II. 4"
    d = _doc(vocab, CORPUS / "A-RES-65-123.en.txt")
    cited = {p.local: {m.symbol for m in p.mentions if m.kind == "instrument"} for p in d.paragraphs}
    assert "A/65/382-S/2010/490" in cited["pp/1"]
    assert "A/65/382-S/2010/490" not in cited["pp/6"]
    last = d.paragraphs[-1]
    assert d.text[last.span[0]:last.span[1]].endswith("the two organizations,")
    assert {f.number for f in d.footnotes} == {1, 3}  # the number of footnote 2 is not printed: reported
    assert {i.where for i in d.issues if i.code == "footnote-missing"} == {"pp/3", "pp/6"}


# ------------------------------------------------------------------ the same clauses, however laid out


def flatten(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def rewrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(flatten(text), width, break_long_words=False, break_on_hyphens=False))


FULL_WIDTH = "，；：（）！？"
ASCII = ",;:()!?"


def swap(text: str, which: list[bool]) -> str:
    """Full-width punctuation as ASCII and ASCII as full-width, for the chosen marks."""
    table = {}
    for k, (f, a) in enumerate(zip(FULL_WIDTH, ASCII)):
        if which[k % len(which)]:
            table[ord(f)], table[ord(a)] = a, f
    return text.translate(table)


_BASELINE: dict[str, list] = {}


def _baseline(vocab, path: Path):  # type: ignore[no-untyped-def]
    if path.name not in _BASELINE:
        _BASELINE[path.name] = _clauses(_doc(vocab, path))
    return _BASELINE[path.name]


FAST = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(path=st.sampled_from(TEXTS))
def test_flattened_to_one_line_gives_the_same_clauses(vocab, path):
    text = path.read_text(encoding="utf-8")
    assert _clauses(_doc(vocab, path, flatten(text))) == _baseline(vocab, path)


@FAST
@given(path=st.sampled_from(TEXTS), width=st.integers(min_value=12, max_value=120))
def test_rewrapped_at_any_width_gives_the_same_clauses(vocab, path, width):
    text = path.read_text(encoding="utf-8")
    assert _clauses(_doc(vocab, path, rewrap(text, width))) == _baseline(vocab, path)


@FAST
@given(path=st.sampled_from(TEXTS), which=st.lists(st.booleans(), min_size=1, max_size=len(ASCII)))
def test_punctuation_swapped_gives_the_same_clauses(vocab, path, which):
    text = path.read_text(encoding="utf-8")
    assert _clauses(_doc(vocab, path, swap(text, which))) == _baseline(vocab, path)


@pytest.mark.parametrize("width", [17, 40, 77])
def test_the_seed_rewrapped_keeps_its_paragraphs_and_footnotes(vocab, width):
    d = _doc(vocab, SEED, rewrap(SEED.read_text(encoding="utf-8"), width))
    kinds = [p.kind for p in d.paragraphs]
    assert (kinds.count("preambular"), kinds.count("operative")) == (18, 24)
    assert [f.number for f in d.footnotes] == list(range(1, 10))
    assert (d.header.symbol, d.header.adopted, d.header.meeting) == ("A/RES/74/304", "2020-09-04", 63)


# ------------------------------------------------------------------ symbols, dates, meetings


@pytest.mark.parametrize("printed, symbol", [
    ("74/303", "A/RES/74/303"),
    ("A/RES/70/1", "A/RES/70/1"),
    ("ES-10/22", "A/RES/ES-10/22"),
    ("A/RES/ES-10/22", "A/RES/ES-10/22"),
    ("S-26/2", "A/RES/S-26/2"),
    ("2758 (XXVI)", "A/RES/2758(XXVI)"),
    ("2159(XXI)", "A/RES/2159(XXI)"),
    ("二七五八 (二十六)", "A/RES/2758(XXVI)"),
    ("二七五八（二十六）", "A/RES/2758(XXVI)"),
    ("二〇二五(二十)", "A/RES/2025(XX)"),
    ("二零二五(二十)", "A/RES/2025(XX)"),
    ("二0二五(二十)", "A/RES/2025(XX)"),
    ("A/74/759", "A/74/759"),
])
def test_printed_symbols_are_read_as_un_symbols(printed, symbol):
    from mandates.core.symbols import canonical

    assert canonical(printed) == symbol


# file: (symbol, printed symbol, session, adopted, meeting, preambular verbs, operative verbs)
HISTORIC = {
    # traditional script, Chinese-numeral symbol, date and meeting, "決定：" with a colon, the
    # meeting line above the date
    "A-RES-2758(XXVI).zh.txt": ("A/RES/2758(XXVI)", "二七五八 (二十六)", 26, "1971-10-25", 1976,
                                [["recall"], ["take into consideration"], ["acknowledge"]], [["decide"]]),
    "A-RES-2758(XXVI).en.txt": ("A/RES/2758(XXVI)", "2758 (XXVI)", 26, "1971-10-25", 1976,
                                [["recall"], ["consider"], ["recognize"]], [["decide"]]),
}


@pytest.mark.parametrize("name", sorted(HISTORIC))
def test_roman_and_chinese_numeral_sessions_dates_and_meetings(vocab, name):
    symbol, printed, session, adopted, meeting, pre, op = HISTORIC[name]
    d = _doc(vocab, DATA / name)
    h = d.header
    assert (h.symbol, h.printed_symbol, h.symbol_source) == (symbol, printed, "text")
    assert (h.session, h.adopted, h.meeting) == (session, adopted, meeting)
    assert [[c.verb.notation for c in p.clauses] for p in d.paragraphs if p.kind == "preambular"] == pre
    assert [[c.verb.notation for c in p.clauses] for p in d.paragraphs if p.kind == "operative"] == op
    assert not d.truncated


def test_export_symbol_is_normalised_and_the_printed_one_kept(tmp_path):
    from mandates.build.pipeline import build

    build([DATA / "A-RES-2758(XXVI).zh.txt"], tmp_path)
    doc = json.loads((tmp_path / "mandates.json").read_text(encoding="utf-8"))["documents"][0]
    assert (doc["symbol"], doc["printed_symbol"]) == ("A/RES/2758(XXVI)", "二七五八 (二十六)")
    assert (doc["adopted"], doc["meeting"], doc["session"]) == ("1971-10-25", 1976, 26)


@pytest.mark.parametrize("text, symbol, printed", [
    ("ES-10/22. Protection of civilians and upholding legal and humanitarian obligations\n\n"
     "The General Assembly,\n\nRecalling its resolution ES-10/21 of 27 October 2023,\n\n"
     "1. Demands an immediate humanitarian ceasefire;\n", "A/RES/ES-10/22", "ES-10/22"),
    ("A/RES/ES-10/22 General Assembly Distr.: General 19 December 2023 Tenth emergency special session "
     "ES-10/22. Protection of civilians and upholding legal and humanitarian obligations The General Assembly, "
     "Recalling its resolution ES-10/21 of 27 October 2023, 1. Demands an immediate humanitarian ceasefire;",
     "A/RES/ES-10/22", "ES-10/22"),
])
def test_emergency_special_session_symbols(vocab, tmp_path, text, symbol, printed):
    f = tmp_path / "resolution.txt"
    f.write_text(text, encoding="utf-8")
    d = _doc(vocab, f)
    assert (d.header.symbol, d.header.printed_symbol, d.header.symbol_source) == (symbol, printed, "text")
    cited = [m.symbol for p in d.paragraphs for m in p.mentions if m.kind == "instrument"]
    assert cited == ["A/RES/ES-10/21"]


# ------------------------------------------------------------------ lists of citations


LISTS = [
    # (paragraph, [(symbol, date), …] in text order)
    ("Recalling its resolutions 57/32 of 19 November 2002, 57/47 of 21 November 2002, 59/19 of 8 November 2004, "
     "61/6 of 20 October 2006 and 63/24 of 18 November 2008,",
     [("A/RES/57/32", "2002-11-19"), ("A/RES/57/47", "2002-11-21"), ("A/RES/59/19", "2004-11-08"),
      ("A/RES/61/6", "2006-10-20"), ("A/RES/63/24", "2008-11-18")]),
    ("Recalling its resolutions 57/32, 59/19 and 61/6,",
     [("A/RES/57/32", None), ("A/RES/59/19", None), ("A/RES/61/6", None)]),
    ("Recalling its resolution 57/32 of 19 November 2002, in which it invited the Inter-Parliamentary Union,",
     [("A/RES/57/32", "2002-11-19")]),
    ("回顾其2002年11月19日第57/32号、2002年11月21日第57/47号、2004年11月8日第59/19号和2006年10月20日第61/6号决议，",
     [("A/RES/57/32", "2002-11-19"), ("A/RES/57/47", "2002-11-21"), ("A/RES/59/19", "2004-11-08"),
      ("A/RES/61/6", "2006-10-20")]),
    ("回顾其第 57/32 号、第 57/47 号、第 59/19 号和第 61/6 号决议，",
     [("A/RES/57/32", None), ("A/RES/57/47", None), ("A/RES/59/19", None), ("A/RES/61/6", None)]),
    ("又回顾第57/32、57/47和59/19号决议，",
     [("A/RES/57/32", None), ("A/RES/57/47", None), ("A/RES/59/19", None)]),
]


@pytest.mark.parametrize("paragraph, expected", LISTS, ids=[x[0][:24] for x in LISTS])
def test_every_member_of_a_list_of_citations_is_an_instrument(vocab, tmp_path, paragraph, expected):
    zh = re.search("[\u4e00-\u9fff]", paragraph) is not None
    head, opening, close = (("99/9. 测试", "大会，", "1. 请秘书长提交报告；") if zh else
                            ("99/9. Test", "The General Assembly,", "1. Requests the Secretary-General to report;"))
    f = tmp_path / "list.txt"
    f.write_text(f"{head}\n\n{opening}\n\n{paragraph}\n\n{close}\n", encoding="utf-8")
    d = _doc(vocab, f)
    pp = next(p for p in d.paragraphs if p.local == "pp/1")
    got = [(m.symbol, m.date) for m in pp.mentions if m.kind == "instrument"]
    assert got == expected


def test_cited_dates_reach_the_graph(vocab, tmp_path):
    from rdflib import URIRef

    from mandates.graph.builder import build_graph

    f = tmp_path / "list.txt"
    f.write_text("99/9. Test\n\nThe General Assembly,\n\n" + LISTS[0][0] + "\n\n1. Decides to remain seized;\n",
                 encoding="utf-8")
    _, g = build_graph(_doc(vocab, f))
    mnd = "https://w3id.org/un-mandates/ontology#"
    got = {(str(g.value(m, URIRef(mnd + "refersTo"))), str(d)) for m, d in g.subject_objects(URIRef(mnd + "citedDate"))}
    assert got == {("https://w3id.org/un-mandates/doc/" + s.replace("/", "-"), iso) for s, iso in LISTS[0][1]}


# ------------------------------------------------------------------ texts without markup


def test_export_texts_carry_no_markup_and_offsets_point_into_the_original(seed_build):
    out, _ = seed_build
    original = SEED.read_text(encoding="utf-8")
    doc = json.loads((out / "mandates.json").read_text(encoding="utf-8"))["documents"][0]
    texts = 0
    for p in doc["paragraphs"]:
        for item in [p] + p["clauses"]:
            texts += 1
            assert not re.search(r"\*\*|\]\(|<[a-z/]", item["text"]), item["text"]
            span = original[item["start"]:item["end"]]
            assert re.sub(r"\*\*|\[|\]\([^)]*\)", "", span).strip() == item["text"]
    assert texts == 42 + 63
    assert any("**" in original[c["start"]:c["end"]] for p in doc["paragraphs"] for c in p["clauses"])


def test_html_texts_lose_their_tags(vocab, tmp_path):
    from mandates.graph.builder import build_graph

    f = tmp_path / "r.html"
    f.write_text("<html><body><p>99/9. 测试</p><p>大会，</p><p><b>回顾</b>其第 57/32 号决议&nbsp;，</p>"
                 "<p>1. <b>请</b>秘书长提交报告；</p></body></html>", encoding="utf-8")
    d = _doc(vocab, f)
    _, g = build_graph(d)
    texts = {str(o) for s, p, o in g if str(p).endswith("#text")}
    assert "回顾其第 57/32 号决议\u00a0，" in texts and "请秘书长提交报告" in texts  # an entity as its character
    assert not any("<" in t or "&" in t for t in texts)
