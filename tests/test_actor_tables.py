"""The States and organizations of the actor vocabulary: generated from their tables, complete,
coded, and found in texts in both languages under the same IRIs.

``ontology/vocab/states.ttl`` and ``organizations.ttl`` are written by
``ontology/tools/generate_actors.py`` from ``ontology/sources/*.tsv`` (with pycountry and
Babel, pinned in the test extras so that the files regenerate byte for byte).
"""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter

import pytest

from conftest import ROOT

MND = "https://w3id.org/un-mandates/ontology#"
ACTOR = "https://w3id.org/un-mandates/actor/"
DATA = ROOT / "tests" / "data"

# the two test sentences of issue 16, in tests/data/A-RES-99-2.{en,zh}.txt (op/1)
STATES_ASKED = ["france", "united-kingdom-of-great-britain-and-northern-ireland", "china", "brazil", "holy-see"]
# op/3 of the English text, op/2 of the Chinese one: observers of the General Assembly
OBSERVERS_ASKED = ["international-seabed-authority", "preparatory-commission-for-the-ctbto",
                   "guam-organization-for-democracy-and-economic-development"]


@pytest.fixture(scope="module")
def generator():
    pytest.importorskip("pycountry")
    pytest.importorskip("babel")
    spec = importlib.util.spec_from_file_location("generate_actors", ROOT / "ontology/tools/generate_actors.py")
    mod = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[spec.name] = mod  # type: ignore[union-attr]
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    return mod


@pytest.mark.parametrize("name", ["states.ttl", "organizations.ttl"])
def test_generated_vocabularies_match_their_tables(generator, name):
    text = generator.OUTPUTS[name]()
    assert text == (ROOT / "ontology/vocab" / name).read_text(encoding="utf-8"), (
        f"ontology/vocab/{name} differs from its tables: run python ontology/tools/generate_actors.py")


def test_generator_check_mode_passes(generator):
    assert generator.main(["--check"]) == 0


def _states(vocab):
    return [c for c in vocab.of_kind("actor") if MND + "State" in c.types or any(
        t in c.types for t in (MND + "MemberState", MND + "ObserverState", MND + "FormerMemberState"))]


def test_every_member_and_observer_state_is_there(vocab):
    kinds = Counter(t.rsplit("#", 1)[1] for c in _states(vocab) for t in c.types if t != MND + "Actor")
    assert kinds["MemberState"] == 193 and kinds["ObserverState"] == 2
    assert kinds["FormerMemberState"] >= 7


def test_every_state_has_its_codes_and_names():
    import rdflib

    g = rdflib.Graph().parse(ROOT / "ontology/vocab/states.ttl", format="turtle")
    m = rdflib.Namespace(MND)
    skos = rdflib.SKOS
    seen: dict[str, set[str]] = {"a2": set(), "a3": set(), "m49": set(), "wd": set()}
    for cls in (m.MemberState, m.ObserverState):
        for s in g.subjects(rdflib.RDF.type, cls):
            a2, a3, n = g.value(s, m.isoAlpha2), g.value(s, m.isoAlpha3), g.value(s, m.m49)
            assert a2 and len(str(a2)) == 2 and a3 and len(str(a3)) == 3 and n and len(str(n)) == 3, s
            langs = {lab.language for lab in g.objects(s, skos.prefLabel)}
            assert langs == {"en", "zh"}, s
            assert {lab.language for lab in g.objects(s, m.formalName)} == {"en", "zh"}, s
            wd = [str(x) for x in g.objects(s, skos.exactMatch) if "wikidata" in str(x)]
            assert len(wd) == 1, s
            for key, val in (("a2", a2), ("a3", a3), ("m49", n), ("wd", wd[0])):
                assert str(val) not in seen[key], (s, key, val)
                seen[key].add(str(val))


def test_former_member_states_name_their_successors(vocab):
    import rdflib

    g = rdflib.Graph().parse(ROOT / "ontology/vocab/states.ttl", format="turtle")
    m = rdflib.Namespace(MND)
    states = set(g.subjects(rdflib.RDF.type, m.MemberState))
    for s in g.subjects(rdflib.RDF.type, m.FormerMemberState):
        succ = set(g.objects(s, rdflib.DCTERMS.isReplacedBy))
        assert succ, s
        assert succ <= states | set(g.subjects(rdflib.RDF.type, m.FormerMemberState)), s
        assert str(g.value(s, m.memberSince)) < str(g.value(s, m.memberUntil)), s


@pytest.mark.parametrize("label,lang,key", [
    ("China", "en", "china"), ("中国", "zh", "china"), ("People's Republic of China", "en", "china"),
    ("中华人民共和国", "zh", "china"), ("Holy See", "en", "holy-see"), ("教廷", "zh", "holy-see"),
    ("联合王国", "zh", "united-kingdom-of-great-britain-and-northern-ireland"),
    ("苏联", "zh", "union-of-soviet-socialist-republics"), ("Czechoslovakia", "en", "czechoslovakia"),
    ("Inter-Parliamentary Union", "en", "inter-parliamentary-union"),
    ("国际海底管理局", "zh", "international-seabed-authority"),
])
def test_names_are_matchable_labels(vocab, label, lang, key):
    from mandates.core.text import fold_label

    got = vocab.lexicon(("actor",), lang).entries.get(fold_label(label, lang=lang))
    assert got and [c.iri for c in got] == [ACTOR + key]


def test_the_ipu_has_its_wikidata_item():
    import rdflib

    g = rdflib.Graph()
    for f in ("actors.ttl", "organizations.ttl"):
        g.parse(ROOT / "ontology/vocab" / f, format="turtle")
    got = set(g.objects(rdflib.URIRef(ACTOR + "inter-parliamentary-union"), rdflib.SKOS.exactMatch))
    assert rdflib.URIRef("http://www.wikidata.org/entity/Q176815") in got


def _addressees(vocab, name):
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source

    d = extract(read_source(DATA / name), vocab)
    return {p.local: [[a.iri[len(ACTOR):] for a in c.addressees] for c in p.clauses] for p in d.paragraphs}


@pytest.mark.parametrize("name", ["A-RES-99-2.en.txt", "A-RES-99-2.zh.txt"])
def test_states_asked_are_each_one_addressee(vocab, name):
    got = _addressees(vocab, name)
    assert got["op/1"] == [STATES_ASKED]


def test_chinese_and_english_name_the_same_states_and_observers(vocab):
    en, zh = _addressees(vocab, "A-RES-99-2.en.txt"), _addressees(vocab, "A-RES-99-2.zh.txt")
    assert en["op/1"] == zh["op/1"] == [STATES_ASKED]
    assert en["op/3"] == zh["op/2"] == [OBSERVERS_ASKED]


REGIONAL = ["african-union", "european-union", "organization-of-islamic-cooperation", "league-of-arab-states"]


@pytest.mark.parametrize("text", [
    "99/2. Test\n\nThe General Assembly,\n\n1. Invites the African Union, the European Union, the Organization of "
    "Islamic Cooperation and the League of Arab States to cooperate;\n\n63rd plenary meeting\n4 September 2020\n",
    "99/2. 测试\n\n大会，\n\n1. 邀请非洲联盟、欧洲联盟、伊斯兰合作组织和阿拉伯国家联盟合作；\n\n2020 年 9 月 4 日\n第 63 次全体会议\n",
])
def test_a_name_wins_over_a_coreference_term_inside_it(vocab, tmp_path, text):
    """"the Organization of Islamic Cooperation" is that organization, not the coreference term
    "the Organization": four regional organizations asked, the same IRIs in both languages."""
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source

    path = tmp_path / "A-RES-99-2.txt"
    path.write_text(text, encoding="utf-8")
    doc = extract(read_source(path), vocab)
    [op] = [p for p in doc.paragraphs if p.kind == "operative"]
    assert [[a.iri[len(ACTOR):] for a in c.addressees] for c in op.clauses] == [REGIONAL]
    assert not any(i.code == "coreference-unresolved" for i in doc.issues)


@pytest.mark.parametrize("text,lang", [
    ("Invites the administering Power of American Samoa to cooperate;", "en"),
    ("Requests a contribution of 5 million United States dollars;", "en"),
    ("请美属萨摩亚管理国合作；", "zh"),
])
def test_names_containing_a_state_are_not_the_state(vocab, text, lang):
    from mandates.extract import lexmatch
    from mandates.extract.extractors import _names_lexicon

    lex = _names_lexicon(vocab, lang)
    bounds = lexmatch.boundaries(vocab, text, 0, len(text)) if lang == "zh" else None
    hits = lexmatch.scan(text, 0, len(text), lex, bounds=bounds)
    states = {c.iri for c in _states(vocab)}
    assert not any(h.entries[0].iri in states for h in hits)


@pytest.mark.parametrize("text,lang,place", [
    ("99/3. 测试\n\n大会，\n\n1. 确认各国议会联盟正在与联合国合作，筹备于 2022 年 5 月在俄罗斯联邦举办会议；\n\n"
     "2020 年 9 月 4 日\n第 63 次全体会议\n", "zh", "russian-federation"),
    ("99/3. Test\n\nThe General Assembly,\n\n1. Expresses concern about the situation in Myanmar and in the "
     "Democratic Republic of the Congo;\n\n63rd plenary meeting\n4 September 2020\n", "en", "myanmar"),
])
def test_a_state_named_as_a_place_is_not_an_actor(vocab, tmp_path, text, lang, place):
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source

    f = tmp_path / f"A-RES-99-3.{lang}.txt"
    f.write_text(text, encoding="utf-8")
    d = extract(read_source(f), vocab)
    named = {c.iri[len(ACTOR):] for p in d.paragraphs for m in p.mentions if m.kind == "actor" for c in m.refers}
    assert place not in named and "democratic-republic-of-the-congo" not in named
    if lang == "zh":
        assert "inter-parliamentary-union" in named


@pytest.mark.parametrize("quote", [("\u201c", "\u201d"), ('"', '"')])
def test_names_in_a_quoted_english_title_are_not_actors(vocab, tmp_path, quote):
    """As in Chinese 《…》: "United Nations" inside a quoted agenda-item title is the title's."""
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source

    o, c = quote
    path = tmp_path / "A-RES-99-3.en.txt"
    path.write_text(f"99/3. Test\n\nThe General Assembly,\n\n1. Decides to include in the provisional agenda of its "
                    f"fifty-fifth session the item entitled {o}United Nations Year of Dialogue among Civilizations{c};"
                    "\n\n63rd plenary meeting\n4 September 2020\n", encoding="utf-8")
    doc = extract(read_source(path), vocab)
    [op] = [p for p in doc.paragraphs if p.kind == "operative"]
    assert [m for m in op.mentions if m.kind == "actor" and not m.in_title] == []
    assert [m.refers[0].iri[len(ACTOR):] for m in op.mentions if m.kind == "actor"] == ["united-nations"]


@pytest.mark.parametrize("text,expected,issue", [
    # one candidate: the body of the Union named with it is no second one
    ("Taking note of the resolutions adopted by the Inter-Parliamentary Union at the 137th Assembly of the "
     "Inter-Parliamentary Union, and the activities of that organization in support of the United Nations,",
     ["inter-parliamentary-union"], False),
    # two organizations named before "the Union": none is taken, and that is reported
    ("Welcoming the cooperation of the African Union and the European Union, and the work of the Union in "
     "support of peace,", [], True),
])
def test_a_coreference_term_resolves_only_to_the_one_candidate(vocab, tmp_path, text, expected, issue):
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source

    path = tmp_path / "A-RES-99-4.en.txt"
    path.write_text(f"99/4. Test\n\nThe General Assembly,\n\n{text}\n\n1. Decides to remain seized of the matter.\n\n"
                    "63rd plenary meeting\n4 September 2020\n", encoding="utf-8")
    doc = extract(read_source(path), vocab)
    [pp] = [p for p in doc.paragraphs if p.kind == "preambular"]
    [coref] = [m for m in pp.mentions if m.how == "coreference"]
    assert [c.iri[len(ACTOR):] for c in coref.refers] == expected
    assert any(i.code == "coreference-ambiguous" for i in doc.issues) is issue


@pytest.mark.parametrize("code,expected", [("iso:FRA", "france"), ("iso:fr", "france"), ("m49:250", "france"),
                                           ("m49:76", "brazil"), ("iso:VAT", "holy-see")])
def test_asked_of_actor_takes_a_state_by_its_code(tmp_path_factory, code, expected):
    """asked-of-actor takes an actor by IRI or, for a State, by its ISO 3166 or M49 code."""
    from mandates.build.pipeline import build
    from mandates.web.query import run_query

    out = tmp_path_factory.getbasetemp() / "states-asked"
    if not (out / "graph.nq").exists():
        build([DATA / "A-RES-99-2.en.txt"], out, jobs=1)
    rows = run_query("asked-of-actor", store=out, params={"actor": code})
    assert {r["actor"][len(ACTOR):] for r in rows} == {expected}
    assert {(r["verb"], r["para"]) for r in rows} == {("call upon", "OP1")}


def test_an_unknown_code_is_a_clear_error(tmp_path):
    from mandates.build.pipeline import build
    from mandates.web.query import QueryError, run_query

    build([DATA / "A-RES-99-2.en.txt"], tmp_path, jobs=1)
    with pytest.raises(QueryError, match="iso:XXX: no actor has this code"):
        run_query("asked-of-actor", store=tmp_path, params={"actor": "iso:XXX"})


# ---------------------------------------------------------------- groups of States


def test_group_memberships_come_from_the_lists():
    """ontology/sources/state-groups.tsv as mnd:inStateGroup: 44 least developed countries
    (the list as of 13 December 2024), 32 landlocked developing countries and 38 small island
    developing States (the Member States of UN-OHRLLS's list), each a Member or observer State."""
    import rdflib

    g = rdflib.Graph().parse(ROOT / "ontology/vocab/states.ttl", format="turtle")
    m = rdflib.Namespace(MND)
    a = rdflib.Namespace(ACTOR)
    members: dict[str, set[str]] = {}
    for s, grp in g.subject_objects(m.inStateGroup):
        assert (s, rdflib.RDF.type, m.MemberState) in g or (s, rdflib.RDF.type, m.ObserverState) in g, s
        members.setdefault(str(grp)[len(ACTOR):], set()).add(str(g.value(s, m.isoAlpha3)))
    assert {k: len(v) for k, v in members.items()} == {
        "least-developed-countries": 44, "landlocked-developing-countries": 32, "small-island-developing-states": 38}
    assert {"HTI", "KIR", "TLS", "TUV", "SLB", "COM", "GNB"} <= members["least-developed-countries"] & members[
        "small-island-developing-states"]
    assert "STP" not in members["least-developed-countries"] and "BTN" not in members["least-developed-countries"]
    assert {"AFG", "NPL", "LAO", "ETH"} <= members["least-developed-countries"] & members["landlocked-developing-countries"]
    assert (a["china"], m.inStateGroup, None) not in g and (a["holy-see"], m.inStateGroup, None) not in g
    # the groups are the actors of actors.ttl (the ones that are part of developing countries)
    actors = rdflib.Graph().parse(ROOT / "ontology/vocab/actors.ttl", format="turtle")
    for key in members:
        assert (a[key], rdflib.RDF.type, m.StateGroup) in actors
        assert (a[key], m.partOf, a["developing-countries"]) in actors


@pytest.mark.parametrize("row, problem", [
    ("CSK\tleast-developed-countries\thttps://www.un.org/ohrlls/content/list-ldcs\tx", "not a Member or observer State"),
    ("FRA\tparliamentarians\thttps://www.un.org/ohrlls/content/list-ldcs\tx", "not a mnd:StateGroup"),
    ("FRA\tsmall-island-developing-states\thttps://example.org/other\tx", "the same list and edition"),
    ("TUV\tsmall-island-developing-states\thttps://www.un.org/ohrlls/content/list-sids\t"
     "the UN-OHRLLS list of small island developing States, its UN Member States (38)", "twice"),
], ids=["former-state", "not-a-group", "another-list", "twice"])
def test_a_bad_group_row_is_refused(generator, tmp_path, monkeypatch, row, problem):
    import shutil

    src = tmp_path / "sources"
    shutil.copytree(ROOT / "ontology/sources", src)
    with open(src / "state-groups.tsv", "a", encoding="utf-8") as f:
        f.write(row + "\n")
    monkeypatch.setattr(generator, "SOURCES", src)
    with pytest.raises(generator.TableError, match=problem):
        generator.render_states()


UNREVIEWED = [
    ("en", "99/5. Test\n\nThe General Assembly,\n\n1. Invites the Pacific Islands Forum Fisheries Agency and the "
           "Western Sahara Oceanic Council to cooperate with the United Nations;\n\n2. Encourages the Oceanic "
           "Dialogue on Small Ports (ODSP) to report;\n\n63rd plenary meeting\n4 September 2020\n",
     [["Pacific Islands Forum Fisheries Agency", "Western Sahara Oceanic Council"], ["Oceanic Dialogue on Small Ports"]]),
    ("zh", "99/5. 测试\n\n大会，\n\n1. 邀请太平洋岛屿论坛渔业局和西撒哈拉海洋理事会同联合国合作；\n\n"
           "2020 年 9 月 4 日\n第 63 次全体会议\n",
     [["太平洋岛屿论坛渔业局", "西撒哈拉海洋理事会"]]),
]


@pytest.mark.parametrize("lang,text,expected", UNREVIEWED, ids=[u[0] for u in UNREVIEWED])
def test_unknown_organizations_keep_their_mandates(tmp_path, lang, text, expected):
    """An organization's name no vocabulary has (by its head noun, or by the initials of a
    parenthesised abbreviation; a longer name that runs on from a known one is not the known
    one) stays the clause's addressee: a provisional actor in scheme:unreviewed, flagged, reported
    with its offsets in report.json, listed by the data-quality query, and the build conforms."""
    import json

    from mandates.cli import main

    src = tmp_path / f"A-RES-99-5.{lang}.txt"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(src), "--out", str(out), "--quiet"]) == 0
    [doc] = json.loads((out / "mandates.json").read_text(encoding="utf-8"))["documents"]
    asked = [[a["labels"][0] for a in c["addressees"]] for p in doc["paragraphs"] if p["kind"] == "operative"
             for c in p["clauses"]]
    assert asked == expected
    [entry] = json.loads((out / "report.json").read_text(encoding="utf-8"))["documents"]
    assert entry["conforms"] is True
    spans = {text[a:b] for i in entry["issues"] if i["code"] == "unlisted-actor" for a, b in [i["span"]]}
    assert spans == {name for names in expected for name in names}
    nq = (out / "graph.nq").read_text(encoding="utf-8")
    assert nq.count("<http://www.w3.org/2004/02/skos/core#inScheme> <https://w3id.org/un-mandates/scheme/unreviewed>") \
        == len(spans)
