"""Every bundled resolution reads right, however it was converted.

The expectations below were written by reading each text in ``corpus/`` (see
``corpus/SOURCES.tsv`` for where each came from and its quirks): metadata the text
gives, the number of preambular and operative paragraphs it holds, the clause verbs of
each paragraph, and whether it is cut off.
"""

from __future__ import annotations

import json

import pytest

from conftest import CORPUS

# file: (metadata, preambular count, operative count, truncated, {paragraph: verbs})
EXPECTED = {
    "A-RES-74-303.zh.md": (
        dict(symbol="A/RES/74/304", printed_symbol="74/303", session=74, agenda_item=125, adopted="2020-09-04", meeting=63,
             drafts=["A/74/L.85", "A/74/L.85/Add.1"]),
        18, 24, False,
        {"op/1": ["welcome", "encourage"], "op/24": ["take note", "request"]}),
    # 1966, archaic: 覆按/复查 (recalling), resolution numbers in Chinese numerals, the
    # closing date in Chinese numerals; the last paragraph (重申…。) is operative, unnumbered
    "A-RES-2159(XXI).zh.txt": (
        dict(symbol="A/RES/2159(XXI)", session=21, agenda_item=None, adopted="1966-11-29", meeting=1481, drafts=[]),
        2, 1, False,
        {"pp/1": ["recall"], "pp/2": ["recall"], "op/1": ["reaffirm"]}),
    # 1946: "大会决定设置…" (opening fused with the verb), (甲)(乙) items, "第十八次全会", a (注) note;
    # the text gives no symbol (its file name does)
    "A-RES-26(I).zh.txt": (
        dict(symbol="A/RES/26(I)", session=None, agenda_item=None, adopted="1946-01-26", meeting=18, drafts=[]),
        0, 1, False,
        {"op/1": ["decide"]}),
    "A-RES-4(I).zh.txt": (
        dict(symbol="A/RES/4(I)", session=None, agenda_item=None, adopted="1946-02-14", meeting=31, drafts=[]),
        0, 1, False,
        {"op/1": ["recommend"]}),
    # "1/" footnote markers glued to the text; "同时并考虑到" is a second clause
    "A-RES-52-19.zh.txt": (
        dict(symbol="A/RES/52/19", session=52, agenda_item=None, adopted=None, meeting=None, drafts=[]),
        5, 3, True,
        {"pp/4": ["take into consideration", "take into consideration"],
         "op/1": ["note"],  # "其中欢迎……，并赞同……" is the ECO decision's, not the Assembly's
         "op/2": ["note with appreciation", "request"],  # "报告,1/并请联合国秘书长"
         "op/3": ["note with satisfaction"]}),
    "A-RES-52-2.zh.txt": (
        dict(symbol="A/RES/52/2", session=52, agenda_item=None, adopted=None, meeting=None, drafts=[]),
        8, 5, True,
        {"pp/2": ["recall"], "pp/5": ["examine"], "op/2": ["commend", "request"], "op/5": ["welcome"]}),
    "A-RES-52-21.zh.txt": (
        dict(symbol="A/RES/52/21", session=52, agenda_item=None, adopted=None, meeting=None, drafts=[]),
        6, 2, True,
        {"pp/3": ["acknowledge"], "op/1": ["urge"], "op/2": ["note"]}),
    # preambular paragraphs run together on one line, separated by spaces; "(1)" markers
    "A-RES-53-91.zh.txt": (
        dict(symbol="A/RES/53/91", session=53, agenda_item=35, adopted=None, meeting=None, drafts=["A/53/L.21/Rev.1"]),
        10, 0, True,
        {"pp/1": ["consider"], "pp/2": ["recall", "recall"], "pp/9": ["be mindful"]}),
    # operative 4 and 5 lost their verbs in conversion: reported, never guessed
    "A-RES-55-10.zh.txt": (
        dict(symbol="A/RES/55/10", session=55, agenda_item=25, adopted=None, meeting=None,
             drafts=["A/55/L.18", "A/55/L.18/Add.1"]),
        7, 5, True,
        {"pp/2": ["consider"], "op/1": ["note with satisfaction"], "op/2": ["commend", "request"],
         "op/4": [], "op/5": []}),
    "A-RES-55-23.zh.txt": (
        dict(symbol="A/RES/55/23", session=55, agenda_item=32, adopted=None, meeting=None, drafts=["A/55/L.30/Add.1"]),
        8, 0, True,
        {"pp/3": ["note", "reaffirm"], "pp/5": ["note", "welcome"], "pp/8": ["stress"]}),
    "A-RES-55-23.en.txt": (
        dict(symbol="A/RES/55/23", session=55, agenda_item=32, adopted=None, meeting=None,
             drafts=["A/55/L.30", "A/55/L.30/Add.1"]),
        5, 0, True,
        {"pp/2": ["reaffirm"], "pp/3": ["note", "reaffirm"], "pp/4": ["bear in mind"]}),
    # the first preambular paragraph lost its participle: reported
    "A-RES-50-2.en.txt": (
        dict(session=50, agenda_item=155, adopted="1995-10-12", meeting=30, drafts=[]),
        2, 2, False,
        {"pp/1": [], "pp/2": ["note"], "op/1": ["decide"], "op/2": ["request"]}),
    # no heading or closing lines: the symbol comes from the citation line
    "A-RES-51-204.en.txt": (
        dict(symbol="A/RES/51/204", session=51, agenda_item=None, adopted=None, meeting=None, drafts=[]),
        4, 2, False,
        {"pp/1": ["stress"], "pp/2": ["be aware"], "op/1": ["decide"], "op/2": ["request"]}),
    # plenary line above the title
    "A-RES-51-205.en.txt": (
        dict(symbol="A/RES/51/205", session=51, agenda_item=None, adopted="1996-12-17", meeting=88, drafts=[]),
        7, 1, True,
        {"pp/2": ["recall"], "pp/7": ["note with satisfaction"], "op/1": ["decide"]}),
    # flattened to one line, Word anchors "0F" leaked
    "A-RES-65-123.en.txt": (
        dict(symbol="A/RES/65/123", session=65, agenda_item=122, adopted="2010-12-13", meeting=None,
             drafts=["A/65/L.11", "A/65/L.11/Add.1"]),
        6, 0, True,
        {"pp/1": ["consider"], "pp/3": ["take note"], "pp/5": ["welcome"]}),
    "A-RES-72-278.en.txt": (
        dict(symbol="A/RES/72/278", session=72, agenda_item=126, adopted="2018-05-22", meeting=None,
             drafts=["A/72/L.54", "A/72/L.54/Add.1"]),
        5, 0, True,
        {"pp/2": ["recall", "recall"], "pp/3": ["take into consideration", "take note"]}),
    # the UN-IPU series (ontology/vocab/series.ttl): the first resolution, in the DESA page layout
    # (indented, hard-wrapped); a line holding "Nations," was dropped by the source after PP1;
    # PP3 opens with "Desirous of", which the verb vocabulary does not hold (reported)
    "A-RES-50-15.en.txt": (
        dict(symbol="A/RES/50/15", session=50, agenda_item=150, adopted="1995-11-15", meeting=61,
             drafts=["A/50/L.20", "A/50/L.20/Add.1"]),
        3, 2, False,
        {"pp/1": ["note"], "pp/2": ["consider"], "op/1": ["request"], "op/2": ["decide"]}),
    # the same series two years on, in Chinese: "1/" footnote marker, the report noted (A/52/456)
    "A-RES-52-7.zh.txt": (
        dict(symbol="A/RES/52/7", session=52, agenda_item=None, adopted="1997-10-28", meeting=37, drafts=[]),
        2, 4, False,
        {"pp/1": ["recall"], "pp/2": ["consider"], "op/1": ["note with appreciation"], "op/2": ["recommend"],
         "op/3": ["request"], "op/4": ["decide"]}),
    # hard-wrapped; a line holding the word "community," was dropped by the source
    "A-RES-74-304.en.txt": (
        dict(symbol="A/RES/74/304", session=74, agenda_item=125, adopted="2020-09-04", meeting=None,
             drafts=["A/74/L.85", "A/74/L.85/Add.1"]),
        5, 0, True,
        {"pp/1": ["recall"], "pp/2": ["recall", "recall"], "pp/3": ["take into consideration", "take note"]}),
}


def test_every_corpus_file_has_expectations():
    files = sorted(p.name for p in CORPUS.iterdir() if p.suffix in (".txt", ".md"))
    assert files == sorted(EXPECTED)


@pytest.fixture(scope="module")
def docs(vocab):
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source

    return {name: extract(read_source(CORPUS / name), vocab) for name in EXPECTED}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metadata(docs, name):
    meta = EXPECTED[name][0]
    h = docs[name].header
    got = {k: getattr(h, k) for k in meta}
    assert got == meta


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_paragraph_counts_and_truncation(docs, name):
    _, pre, op, truncated, _ = EXPECTED[name]
    d = docs[name]
    kinds = [p.kind for p in d.paragraphs]
    assert (kinds.count("preambular"), kinds.count("operative")) == (pre, op)
    assert d.truncated is truncated
    if truncated:
        assert any(i.code == "truncated" for i in d.issues)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_clause_verbs(docs, name):
    verbs = EXPECTED[name][4]
    got = {p.local: [c.verb.notation for c in p.clauses] for p in docs[name].paragraphs}
    assert {k: got.get(k) for k in verbs} == verbs


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_missing_verbs_are_reported_never_guessed(docs, name):
    d = docs[name]
    empty = {p.local for p in d.paragraphs if not p.clauses}
    reported = {i.where for i in d.issues if i.code == "verb-missing"}
    assert empty == reported


def test_symbol_from_file_name_is_flagged(docs):
    for name in ("A-RES-26(I).zh.txt", "A-RES-4(I).zh.txt"):
        assert docs[name].header.symbol_source == "file-name"
        assert any(i.code == "symbol-from-file-name" for i in docs[name].issues)


def test_glued_footnote_markers_are_linked(docs):
    # "报告,1" / "公约》2 第3条": bare digits glued to the text
    d = docs["A-RES-55-10.zh.txt"]
    pp = {p.local: p.footnotes for p in d.paragraphs}
    assert pp["pp/2"] == [1] and pp["pp/3"] == [2] and pp["pp/5"] == [3, 4]
    # "(1)" in the one-line text
    assert [p.footnotes for p in docs["A-RES-53-91.zh.txt"].paragraphs][:3] == [[1], [], [2, 3]]


def test_whole_corpus_builds_and_conforms(corpus_build):
    out, result = corpus_build
    assert result.exit_code() == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["built"] == len(EXPECTED) and report["failed"] == 0 and report["violating"] == 0
    for d in report["documents"]:
        assert d["conforms"] is True, (d["path"], d["shacl"][:3])


@pytest.mark.parametrize("name", ["A-RES-26(I).zh.txt", "A-RES-4(I).zh.txt"])
def test_archaic_items_inherit_the_paragraph_verb(docs, vocab, name):
    from rdflib import URIRef

    from mandates.graph.builder import build_graph

    d = docs[name]
    op = next(p for p in d.paragraphs if p.local == "op/1")
    assert [label for label, _ in op.subitems] == ["甲", "乙"]
    _, g = build_graph(d)
    mnd = "https://w3id.org/un-mandates/ontology#"
    items = sorted(g.subjects(URIRef(mnd + "governedBy"), None))
    assert sorted(str(i).rsplit("/", 1)[-1] for i in items) == sorted(["甲", "乙"])
    clause = {o for i in items for o in g.objects(i, URIRef(mnd + "governedBy"))}
    assert len(clause) == 1 and str(next(iter(clause))).endswith("/op/1/c/1")


def test_unlisted_names_become_flagged_mentions(vocab, tmp_path):
    """Names that look like an organisation's or an instrument's but are in no vocabulary are
    kept as flagged mentions with minted IRIs and listed in the report, never dropped."""
    from mandates.graph.builder import build_graph
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source

    f = tmp_path / "x.md"
    f.write_text("99/9. 测试\n\n大会，\n\n欢迎非洲开发银行执行《示范合作框架协议》，\n\n"
                 "1. 请秘书长提交报告；\n\n2020 年 9 月 4 日\n第 63 次全体会议\n", encoding="utf-8")
    d = extract(read_source(f), vocab)
    flagged = {(m.kind, d.original_text(m.span)) for p in d.paragraphs for m in p.mentions if m.flagged}
    assert flagged == {("actor", "非洲开发银行"), ("instrument", "示范合作框架协议")}
    codes = {i.code for i in d.issues}
    assert {"unlisted-actor", "unlisted-instrument"} <= codes
    _, g = build_graph(d)
    nq = {str(s) for s in g.subjects()}
    assert "https://w3id.org/un-mandates/actor/unlisted/非洲开发银行" in nq
    assert "https://w3id.org/un-mandates/instrument/unlisted/示范合作框架协议" in nq


def test_flattened_footnote_block_is_read(docs):
    # "… national parliaments __________________ 1 2 18-08219 (E) Resolution 60/1. A/51/402, annex. 250518"
    d = docs["A-RES-72-278.en.txt"]
    assert [(f.number, f.symbols) for f in d.footnotes] == [(1, ["A/RES/60/1"]), (2, ["A/51/402"])]
    # the block is not part of the paragraph's clauses or mentions
    last = d.paragraphs[-1]
    assert all("08219" not in d.original_text(m.span) for m in last.mentions)
