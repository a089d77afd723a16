"""English texts, and one graph for both languages of a resolution."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import CORPUS, ROOT, SEED

EN_304 = CORPUS / "A-RES-74-304.en.txt"


def test_the_two_printed_symbols_are_one_resolution():
    from mandates.build.versions import identify

    # the Chinese text misprints 74/303; the corrections table names both A/RES/74/304
    assert identify([SEED, EN_304]) == {}
    # same symbol in both languages: nothing to report
    assert identify([CORPUS / "A-RES-55-23.zh.txt", CORPUS / "A-RES-55-23.en.txt"]) == {}
    # different resolutions stay apart
    assert identify([SEED, CORPUS / "A-RES-55-10.zh.txt"]) == {}


def test_versions_printing_different_symbols_are_reported_and_keep_their_own(tmp_path):
    """Without a correction (the same texts with other drafts), two versions that print different
    symbols are reported, and each is named by its own: an IRI never depends on the other files."""
    from mandates.build.pipeline import build
    from mandates.build.versions import identify

    zh, en = tmp_path / "in" / "A-RES-74-303.zh.md", tmp_path / "in" / "A-RES-74-304.en.txt"
    zh.parent.mkdir()
    zh.write_text(SEED.read_text(encoding="utf-8").replace("L.85", "L.95"), encoding="utf-8")
    en.write_text(EN_304.read_text(encoding="utf-8").replace("L.85", "L.95"), encoding="utf-8")
    assert identify([zh, en]) == {str(zh): "A/RES/74/304"}
    build([zh.parent], tmp_path / "out", jobs=1)
    view = json.loads((tmp_path / "out" / "mandates.json").read_text(encoding="utf-8"))
    iris = {d["language"]: d["iri"] for d in view["documents"]}
    assert iris == {"zh": "https://w3id.org/un-mandates/doc/A-RES-74-303", "en": "https://w3id.org/un-mandates/doc/A-RES-74-304"}
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    issues = {d["path"]: [i["code"] for i in d["issues"]] for d in report["documents"]}
    assert "symbol-differs-between-versions" in issues[str(zh)]
    # and flagged in the graph, where the data-quality query lists it
    from mandates.rdf.store import open_built
    from mandates.web.query import run_query

    rows = run_query("data-quality", store=open_built(tmp_path / "out"))
    assert {(r["issue"], r["lang"]) for r in rows if r["issue"].startswith("symbol")} == {
        ("symbol-differs-between-versions", "zh")}


def test_two_texts_in_one_language_are_never_one_resolution(tmp_path):
    """Same session, adoption date and drafts, but two Chinese texts printing different symbols:
    which one the English text goes with is not known, so every file keeps its own symbol."""
    from mandates.build.versions import identify

    other = tmp_path / "A-RES-74-309.zh.md"
    other.write_text(SEED.read_text(encoding="utf-8").replace("74/303.", "74/309.", 1), encoding="utf-8")
    assert identify([SEED, other]) == {}
    assert identify([SEED, other, EN_304]) == {}


def test_texts_printing_different_agenda_items_are_not_one_resolution(tmp_path):
    """Same session, adoption date and drafts, other agenda item: not the same resolution."""
    from mandates.build.versions import identify

    other = tmp_path / "A-RES-74-304.en.txt"
    text = EN_304.read_text(encoding="utf-8")
    assert "Agenda item 125" in text
    other.write_text(text.replace("Agenda item 125", "Agenda item 126"), encoding="utf-8")
    assert identify([SEED, other]) == {}


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory):
    from mandates.build.pipeline import build

    out = tmp_path_factory.mktemp("bilingual")
    result = build([SEED, EN_304], out)
    return out, result, json.loads((out / "mandates.json").read_text(encoding="utf-8"))


def test_versions_share_the_resolution_and_paragraph_iris(bilingual):
    out, result, view = bilingual
    assert result.exit_code() == 0
    docs = {d["language"]: d for d in view["documents"]}
    assert docs["zh"]["iri"] == docs["en"]["iri"] == "https://w3id.org/un-mandates/doc/A-RES-74-304"
    assert (docs["zh"]["printed_symbol"], docs["en"]["printed_symbol"]) == ("74/303", "74/304")
    # each version still reports the symbol it prints (FORMAT.md: "symbol as printed")
    assert (docs["zh"]["symbol"], docs["en"]["symbol"]) == ("A/RES/74/303", "A/RES/74/304")
    en_paras = {p["iri"] for p in docs["en"]["paragraphs"]}
    zh_paras = {p["iri"] for p in docs["zh"]["paragraphs"]}
    assert len(en_paras) == 5 and en_paras <= zh_paras
    # the mandates JSON carries both languages' texts of the shared paragraphs
    pp1 = next(p for p in docs["zh"]["paragraphs"] if p["iri"].endswith("/pp/1"))
    assert set(pp1["texts"]) == {"zh", "en"} and pp1["texts"]["en"].startswith("Recalling the 2005 World Summit")


def test_disagreement_report_lists_what_differs(bilingual):
    _, _, view = bilingual
    kinds = {(d["kind"], d.get("paragraph", "").rsplit("/", 2)[-2:][-1] if d.get("paragraph") else None)
             for d in view["disagreements"]}
    assert ("symbol", None) in kinds
    assert ("paragraph-count", None) in kinds  # 42 in the Chinese, 5 in the cut English text
    # the English source dropped the line holding "community," in pp/2 ("global parliamentary
    # [community]"): parliaments are named in the Chinese only
    assert any(d["kind"] == "actor-in-one-version" and d["paragraph"].endswith("/pp/2")
               and d["entity"].endswith("/national-parliaments") and d["detail"] == {"en": False, "zh": True}
               for d in view["disagreements"])
    # verbs agree wherever both versions have the clause
    assert not [d for d in view["disagreements"] if d["kind"] == "verb"]


def test_english_gold_scores(tmp_path):
    from mandates.build.pipeline import build

    build([EN_304], tmp_path)
    proc = subprocess.run([sys.executable, str(ROOT / "tests/eval/score.py"), str(tmp_path / "mandates.json"),
                           str(ROOT / "tests/gold/A-RES-74-304.en.json"), "--json"],
                          capture_output=True, text=True, check=True)
    report = json.loads(proc.stdout)
    assert report["aspects"]["metadata"]["f1"] == 1.0
    assert report["mean_f1"] >= 0.95


def test_english_addressees_and_report(vocab):
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source

    d = extract(read_source(ROOT / "tests/data/A-RES-99-1.en.txt"), vocab)
    assert d.lang == "en" and d.header.meeting == 63 and d.header.adopted == "2020-09-04"
    got = {p.local: [(c.verb.notation, [a.label("en") for a in c.addressees]) for c in p.clauses] for p in d.paragraphs}
    assert got["op/1"] == [("invite", ["Inter-Parliamentary Union", "United Nations system"])]
    assert got["op/3"] == [("call upon", ["Member States", "national parliaments", "stakeholders"])]
    report = d.paragraphs[2].clauses[0].report
    assert (report.by.label("en"), report.to.label("en"), report.session) == ("Secretary-General", "General Assembly", 76)


@pytest.mark.parametrize("text,lang", [("大会，回顾", "zh"), ("The General Assembly, Recalling", "en"),
                                       ("The General Assembly（大会）, Recalling its resolution", "en")])
def test_language_is_detected_from_the_text(text, lang):
    from mandates.extract.read import detect_language

    assert detect_language(text) == lang


def test_an_iri_a_correction_retires_keeps_answering(tmp_path, monkeypatch):
    """A made-up correction (the shipped table has none that retires an IRI): the text prints
    55/10, the table says 55/99 and that 55/10's IRI names nothing else. The graph links the old
    IRI to the new one, and the server answers the old one (and what is under it) with 301."""
    import http.client

    from mandates.build.pipeline import build
    from mandates.extract import extractors
    from mandates.vocab.concepts import Correction
    from mandates.web.serve import Server

    fix = Correction("https://example.org/correction/test", "A/RES/55/10", "zh", "A/RES/55/99", None,
                     frozenset({"A/55/L.18"}), True, "made up for this test")
    monkeypatch.setattr(extractors, "corrections", lambda: (fix,))
    out = tmp_path / "out"
    build([CORPUS / "A-RES-55-10.zh.txt"], out, jobs=1)
    nq = (out / "graph.nq").read_text(encoding="utf-8")
    assert ("<https://w3id.org/un-mandates/doc/A-RES-55-10> <http://www.w3.org/2002/07/owl#sameAs> "
            "<https://w3id.org/un-mandates/doc/A-RES-55-99>") in nq
    with Server(out, site=None) as s:
        for old, new in (("/doc/A-RES-55-10", "/doc/A-RES-55-99"), ("/doc/A-RES-55-10/op/1", "/doc/A-RES-55-99/op/1")):
            conn = http.client.HTTPConnection(s.host, s.port, timeout=30)
            conn.request("GET", old)
            r = conn.getresponse()
            assert (r.status, r.getheader("Location")) == (301, new)
            conn.close()
        conn = http.client.HTTPConnection(s.host, s.port, timeout=30)
        conn.request("GET", "/doc/A-RES-55-99/op/1", headers={"Accept": "text/turtle"})
        assert conn.getresponse().status == 200
