"""Conditions (ontology/vocab/conditions.ttl) and partners of mandates (drafting.ttl's partner
markers), read from real text: the seed and other corpus files, their variants, and English
paragraphs in the UN's drafting style set beside the seed's Chinese ones."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT, SEED

BASE = "https://w3id.org/un-mandates/"
COND = BASE + "condition/"
ACTOR = BASE + "actor/"
SHARED = ROOT.parent / "shared"
VARIANTS = sorted((SHARED / "corpus" / "variants").glob("A-RES-74-303.*.txt")) or sorted(
    (ROOT / "tests" / "data").glob("A-RES-74-303.*.zh.txt"))


def extract_file(path: Path, vocab):  # type: ignore[no-untyped-def]
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source

    return extract(read_source(path), vocab)


def roles(doc) -> dict[str, tuple[list[str], list[str]]]:  # type: ignore[no-untyped-def]
    """clause (pp/17/c/1) -> (condition IRIs in text order, partner IRIs), for clauses that have any."""
    out = {}
    for p in doc.paragraphs:
        for i, c in enumerate(p.clauses, start=1):
            conds = [x.concept.iri for x in c.conditions]
            partners = list(dict.fromkeys(a.iri for pt in c.partners for a in pt.actors))
            if conds or partners:
                out[f"{p.local}/c/{i}"] = (conds, partners)
    return out


# what the seed says, read off its text (corpus/A-RES-74-303.zh.md)
SEED_ROLES = {
    "pp/17/c/1": ([COND + "upon-request"], []),  # 应会员国请求开展工作
    "op/5/c/1": ([COND + "upon-request"], []),  # 在联合国和各国议会联盟应其请求提供支持的情况下
    "op/6/c/2": ([], [ACTOR + "inter-parliamentary-union"]),  # 加强与各国议会联盟的合作
    "op/9/c/1": ([], [ACTOR + "inter-parliamentary-union"]),  # 如何与各国议会联盟开展经常性合作
    "op/12/c/1": ([COND + "within-mandates", COND + "upon-request"],  # 依据各自的任务规定，应请求
                  [ACTOR + "national-parliaments", ACTOR + "inter-parliamentary-union"]),  # 与各国议会和各国议会联盟密切合作
    "op/15/c/1": ([], [ACTOR + "national-parliaments"]),  # 同各国议会在国家和区域两级开展更密切的合作
    "op/15/c/2": ([COND + "within-existing-resources"], []),  # 并鼓励双方在现有资源范围内
    "op/16/c/2": ([], [ACTOR + "youth-organizations"]),  # 与青年组织、由青年主导的组织和重视青年的组织协商
    "op/18/c/1": ([COND + "within-mandates", COND + "upon-request"],  # 在其任务规定范围内并应国家主管部门的请求
                  [ACTOR + "national-parliaments"]),  # 确立与各国议会开展……合作方式
    "op/22/c/3": ([COND + "voluntary-contributions"], []),  # 所有活动费用应由自愿捐款支付
}


def test_the_seed_conditions_and_partners(seed_doc):
    assert roles(seed_doc) == SEED_ROLES


def test_condition_and_partner_words_are_where_the_offsets_say(seed_doc):
    raw = SEED.read_text(encoding="utf-8")
    got = {}
    for p in seed_doc.paragraphs:
        for i, c in enumerate(p.clauses, start=1):
            for x in c.conditions:
                s, e = seed_doc.orig_span(x.span)
                got[(p.local, i, x.concept.notation)] = raw[s:e]
            for pt in c.partners:
                s, e = seed_doc.orig_span(pt.span)
                got[(p.local, i, "partner")] = raw[s:e]
                assert all(pt.span[0] <= m.span[0] and m.span[1] <= pt.span[1] for m in pt.names)
    assert got[("op/15", 2, "within existing resources")] == "在现有资源范围内"
    assert got[("op/22", 3, "voluntary contributions")] == "由自愿捐款支付"
    assert got[("op/18", 1, "upon request")] == "应国家主管部门的请求"
    assert got[("op/18", 1, "within mandates")] == "在其任务规定范围内"
    assert got[("op/5", 1, "upon request")] == "应其请求"
    assert got[("pp/17", 1, "upon request")] == "应会员国请求"
    assert got[("op/12", 1, "partner")] == "与各国议会和各国议会联盟密切合作"
    assert got[("op/6", 2, "partner")] == "与各国议会联盟的合作"
    assert got[("op/16", 2, "partner")] == "与青年组织、由青年主导的组织和重视青年的组织协商"


def test_partners_are_not_addressees_as_the_gold_has_it(seed_doc):
    """The gold (../shared/gold) lists who is asked: where the IPU or parliaments are named after
    与/同……合作 or 协商 they are not among the addressees, and the extractor agrees."""
    gold = json.loads((SHARED / "gold" / "A-RES-74-303.zh.json").read_text(encoding="utf-8"))
    by_para = {({"preambular": "pp", "operative": "op"}[p["kind"]], p["number"]): p for p in gold["paragraphs"]}
    labels = {k: set(v["labels"]) for k, v in gold["entities"].items()}
    checked = 0
    for p in seed_doc.paragraphs:
        g = by_para.get((p.local.split("/")[0], p.number))
        for c in p.clauses:
            if not c.partners:
                continue
            partners = {a.label("zh") for pt in c.partners for a in pt.actors}
            assert not partners & {a.label("zh") for a in c.addressees}
            asked = {k for d in g["directives"] if d["verb"] == c.verb.notation for k in d["addressees"]}
            assert all(not (labels[k] & partners) for k in asked), (p.local, asked, partners)
            checked += 1
    assert checked == 6  # OP6, OP9, OP12, OP15, OP16, OP18


@pytest.mark.parametrize("path", VARIANTS, ids=lambda p: p.name)
def test_the_seed_variants_give_the_same_roles(path, vocab):
    """Flattened to one line (ASCII punctuation) and in traditional characters: the same."""
    assert roles(extract_file(path, vocab)) == SEED_ROLES


def test_other_corpus_texts(vocab):
    """52/19 (1997): 请联合国秘书长同经济合作组织秘书长协商 -- the ECO Secretary General is a partner of the
    request, the UN Secretary-General its addressee; 4 (I) (1946): 非政府组织得与经济暨社会理事会会商合作."""
    doc = extract_file(CORPUS / "A-RES-52-19.zh.txt", vocab)
    op2 = next(p for p in doc.paragraphs if p.local == "op/2")
    req = op2.clauses[1]
    assert req.verb.notation == "request"
    assert [a.iri for a in req.addressees] == [ACTOR + "secretary-general"]
    assert [a.iri for pt in req.partners for a in pt.actors] == [
        ACTOR + "secretary-general-of-the-economic-cooperation-organization"]
    assert roles(extract_file(CORPUS / "A-RES-4(I).zh.txt", vocab)) == {
        "op/1/c/1": ([], [ACTOR + "economic-and-social-council"])}


def test_texts_without_such_words_have_none(vocab):
    for name in ("A-RES-2159(XXI).zh.txt", "A-RES-26(I).zh.txt", "A-RES-55-10.zh.txt", "A-RES-65-123.en.txt",
                 "A-RES-72-278.en.txt"):
        assert roles(extract_file(CORPUS / name, vocab)) == {}, name


# ---------------------------------------------------------------- English beside Chinese

# The seed's own Chinese paragraphs (verbatim) and English ones in the UN's drafting style,
# numbered alike: both language versions must give the same condition and partner IRIs.
ZH = """99/7. 测试决议

大会，

注意到包括联合国可持续发展集团在内的联合国系统各机构及方案应会员国请求开展工作，向世界各国议会提供支持，

1. **欢迎**各国议会联盟为促进全民健康覆盖作出努力，并邀请作为联合国负责卫生事务专门机构的世界卫生组织和联合国系统其他有关机构、基金和方案在这方面加强与各国议会联盟的合作；

2. **鼓励**联合国促进性别平等和增强妇女权能署(妇女署)及联合国系统其他相关机构依据各自的任务规定，应请求在性别平等和增强妇女权能等领域与各国议会和各国议会联盟密切合作；

3. **鼓励**联合国和各国议会联盟同各国议会在国家和区域两级开展更密切的合作，并鼓励双方在现有资源范围内促进加强议会间和议员间的南南合作和三方合作；

4. **敦促**会员国和联合国各实体与青年组织、由青年主导的组织和重视青年的组织协商，探索并拓展具体的新途径；

5. **促请**联合国国家工作队在其任务规定范围内并应国家主管部门的请求，确立与各国议会开展更有规范和更加统筹一致的合作方式；

6. **邀请**所有会员国纪念和宣传这一国际日，同时强调指出联合国因纪念国际日而可能产生的所有活动费用应由自愿捐款支付；

2020 年 9 月 4 日
第 63 次全体会议
"""

EN = """99/7. Test resolution

The General Assembly,

Noting that the organizations and programmes of the United Nations system, including the United Nations Sustainable Development Group, work at the request of Member States to provide support to parliaments around the world,

1. Welcomes the efforts of the Inter-Parliamentary Union to promote universal health coverage, and invites the World Health Organization, as the specialized agency of the United Nations for health, and other relevant agencies, funds and programmes of the United Nations system to strengthen their cooperation with the Inter-Parliamentary Union in that regard;

2. Encourages the United Nations Entity for Gender Equality and the Empowerment of Women (UN-Women) and other relevant entities of the United Nations system, in accordance with their respective mandates, to work closely, upon request, with national parliaments and the Inter-Parliamentary Union in the areas of gender equality and the empowerment of women;

3. Encourages the United Nations and the Inter-Parliamentary Union to cooperate more closely with national parliaments at the national and regional levels, and encourages both organizations to promote, within existing resources, enhanced South-South and triangular interparliamentary cooperation;

4. Urges Member States and United Nations entities, in consultation with youth organizations, youth-led organizations and youth-focused organizations, to explore and expand concrete new ways;

5. Calls upon United Nations country teams, within their mandates and at the request of national authorities, to establish more structured and coherent ways of cooperating with national parliaments;

6. Invites all Member States to observe and raise awareness of the International Day, and stresses that the cost of all activities that may arise from the observance of the International Day should be met from voluntary contributions;

63rd plenary meeting
4 September 2020
"""


@pytest.fixture(scope="module")
def both(tmp_path_factory, vocab):
    folder = tmp_path_factory.mktemp("conditions")
    (folder / "A-RES-99-7.zh.md").write_text(ZH, encoding="utf-8")
    (folder / "A-RES-99-7.en.txt").write_text(EN, encoding="utf-8")
    return (roles(extract_file(folder / "A-RES-99-7.zh.md", vocab)),
            roles(extract_file(folder / "A-RES-99-7.en.txt", vocab)))


def test_both_languages_give_the_same_conditions(both):
    zh, en = both
    assert {k: v[0] for k, v in zh.items() if v[0]} == {k: v[0] for k, v in en.items() if v[0]} == {
        "pp/1/c/1": [COND + "upon-request"],
        "op/2/c/1": [COND + "within-mandates", COND + "upon-request"],
        "op/3/c/2": [COND + "within-existing-resources"],
        "op/5/c/1": [COND + "within-mandates", COND + "upon-request"],
        "op/6/c/2": [COND + "voluntary-contributions"],
    }


def test_both_languages_give_the_same_partners(both):
    zh, en = both
    want = {
        "op/1/c/2": [ACTOR + "inter-parliamentary-union"],
        "op/3/c/1": [ACTOR + "national-parliaments"],
        "op/4/c/1": [ACTOR + "youth-organizations"],
        "op/5/c/1": [ACTOR + "national-parliaments"],
    }
    assert {k: v[1] for k, v in zh.items() if v[1] and k != "op/2/c/1"} == want
    assert {k: v[1] for k, v in en.items() if v[1]} == want


@pytest.mark.xfail(reason="an English partner marker split by a comma-enclosed aside ('to work closely, upon request, "
                          "with national parliaments') is not recognised (docs/LIMITS.md)", strict=True)
def test_an_aside_inside_an_english_partner_marker(both):
    zh, en = both
    assert en.get("op/2/c/1", ([], []))[1] == zh["op/2/c/1"][1]


PARTNER_CASES = [
    # 'Requests the Secretary-General, in cooperation with the Inter-Parliamentary Union, …': the
    # Secretary-General is asked, the Union is a partner; 'together with' after a list of
    # addressees ends the list
    ("A-RES-99-8.en.txt",
     "99/8. Test resolution\n\nThe General Assembly,\n\n"
     "1. Requests the Secretary-General, in cooperation with the Inter-Parliamentary Union and within "
     "existing resources, to prepare a report;\n\n"
     "2. Invites Member States and national parliaments, together with the Inter-Parliamentary Union, "
     "to observe the Day;\n\n63rd plenary meeting\n4 September 2020\n",
     (["secretary-general"], ["inter-parliamentary-union"], ["within-existing-resources"]),
     (["member-states", "national-parliaments"], ["inter-parliamentary-union"])),
    # 会同 names a partner directly; in 鼓励会员国同各国议会密切合作 the closing 合作 makes the
    # parliaments partners of the Member States asked
    ("A-RES-99-9.zh.md",
     "99/9. 测试决议\n\n大会，\n\n"
     "1. **请**秘书长会同各国议会联盟编写一份报告；\n\n"
     "2. **鼓励**会员国同各国议会密切合作；\n\n"
     "2020 年 9 月 4 日\n第 63 次全体会议\n",
     (["secretary-general"], ["inter-parliamentary-union"], []),
     (["member-states"], ["national-parliaments"])),
]


@pytest.mark.parametrize("name,text,first,second", PARTNER_CASES, ids=[c[0] for c in PARTNER_CASES])
def test_partners_leave_the_addressees(vocab, tmp_path, name, text, first, second):
    """A partner named after a marker, or inside one (同……合作), is no addressee."""
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    doc = extract_file(f, vocab)
    op1, op2 = (p.clauses[0] for p in doc.paragraphs if p.kind == "operative")
    assert [a.iri for a in op1.addressees] == [ACTOR + x for x in first[0]]
    assert [a.iri for pt in op1.partners for a in pt.actors] == [ACTOR + x for x in first[1]]
    assert [x.concept.iri for x in op1.conditions] == [COND + x for x in first[2]]
    assert [a.iri for a in op2.addressees] == [ACTOR + x for x in second[0]]
    assert [a.iri for pt in op2.partners for a in pt.actors] == [ACTOR + x for x in second[1]]


def test_words_inside_other_words_are_not_markers(vocab, tmp_path):
    """与 inside 参与 (to take part) is not the partner marker's 与; a condition inside a quoted title is
    the title's."""
    text = ("99/10. 测试决议\n\n大会，\n\n"
            "1. **鼓励**会员国让议员参与各国议会联盟的合作；\n\n"
            "2. **注意到**题为“在现有资源范围内开展工作”的报告；\n\n"
            "2020 年 9 月 4 日\n第 63 次全体会议\n")
    f = tmp_path / "A-RES-99-10.zh.md"
    f.write_text(text, encoding="utf-8")
    assert roles(extract_file(f, vocab)) == {}


# ---------------------------------------------------------------- the graph and the export


def test_graph_and_export(seed_build):
    out, _ = seed_build
    view = json.loads((out / "mandates.json").read_text(encoding="utf-8"))
    (doc,) = view["documents"]
    clauses = {c["iri"].split("/A-RES-74-304/")[1]: c for p in doc["paragraphs"] for c in p["clauses"]}
    got = {k: ([x["iri"] for x in c["conditions"]], [x["iri"] for x in c["partners"]])
           for k, c in clauses.items() if c["conditions"] or c["partners"]}
    assert got == {k: (sorted(v[0]), sorted(v[1])) for k, v in SEED_ROLES.items()}
    cond = clauses["op/15/c/2"]["conditions"][0]
    assert cond["key"] == "within existing resources"
    assert {"在现有资源范围内", "within existing resources"} <= set(cond["labels"])
    ipu = clauses["op/6/c/2"]["partners"][0]
    assert set(ipu) == {"iri", "labels"} and {"各国议会联盟", "Inter-Parliamentary Union"} <= set(ipu["labels"])
    csv = (out / "mandates.csv").read_text(encoding="utf-8").splitlines()
    assert csv[0].endswith(",conditions,partners_zh,partners_en,lineage_previous,lineage_change")
    row = next(r for r in csv if "/op/12/c/1," in r)
    assert row.endswith(",upon request; within mandates,各国议会联盟; 各国议会,Inter-Parliamentary Union; national parliaments,,")


def test_condition_mentions_carry_offsets_in_the_graph(seed_build):
    """Each condition and partner is read from words the graph points at (mnd:mentionKind
    "condition" / "partner", a TextPositionSelector slicing the source file to mnd:exact)."""
    import pyoxigraph

    out, _ = seed_build
    raw = SEED.read_text(encoding="utf-8")
    store = pyoxigraph.Store(str(out / "store"))
    q = """PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX mnd: <https://w3id.org/un-mandates/ontology#>
           SELECT DISTINCT ?kind ?c ?x ?s ?e ?exact WHERE {
             ?m mnd:mentionKind ?kind ; mnd:inClause ?c ; mnd:refersTo ?x ; mnd:exact ?exact ; oa:hasSelector ?sel .
             ?sel oa:start ?s ; oa:end ?e . FILTER (?kind IN ("condition", "partner")) }"""
    rows = list(store.query(q, use_default_graph_as_union=True))
    assert len(rows) == 8 + 7
    for r in rows:
        assert raw[int(r["s"].value):int(r["e"].value)] == r["exact"].value
        pred = "condition" if r["kind"].value == "condition" else "partner"
        ask = f"ASK {{ <{r['c'].value}> <https://w3id.org/un-mandates/ontology#{pred}> <{r['x'].value}> }}"
        assert store.query(ask, use_default_graph_as_union=True)


# ---------------------------------------------------------------- the vocabulary


def test_every_condition_has_labels_a_key_and_a_kind(vocab):
    conds = vocab.of_kind("condition")
    assert {c.notation for c in conds} == {"within existing resources", "voluntary contributions",
                                           "extrabudgetary resources", "upon request", "within mandates"}
    kinds = {c.notation: c.condition_type.rsplit("#", 1)[1] for c in conds}
    assert kinds["upon request"] == "RequestCondition" and kinds["voluntary contributions"] == "ResourceCondition"
    for c in conds:
        assert set(c.pref) == {"zh", "en"}, c.iri
        assert c.iri == COND + c.notation.replace(" ", "-")


def test_condition_and_partner_words_are_jieba_words(vocab):
    from mandates.extract.lexmatch import user_dictionary_lines

    words = {line.rsplit(" ", 1)[0] for line in user_dictionary_lines(vocab)}
    assert {"在现有资源范围内", "由自愿捐款支付", "应请求", "会同", "协商"} <= words
    assert not any("…" in w for w in words)


def _code_strings(path: Path) -> list[str]:
    """The string constants of a module, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and n.body
            and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and id(n) not in docs]


def test_code_names_no_condition_or_partner_phrase(vocab):
    """Knowledge lives in ontology/: no condition label or partner marker is a string in the code
    (as tests/test_vocabularies.py checks the verbs and names: an English label as a whole string,
    a Chinese one anywhere in a string)."""
    zh, en = set(), set()
    for c in vocab.of_kind("condition") + vocab.markers("PartnerMarker"):
        zh.update(part for lab in c.labels.get("zh", ()) for part in lab.split("……") if len(part) >= 2)
        en.update(lab.lower() for lab in c.labels.get("en", ()))
    found = []
    for f in sorted((ROOT / "ingest").rglob("*.py")):
        for text in _code_strings(f):
            found.extend((f.name, lab) for lab in en if lab == text.strip().lower())
            found.extend((f.name, lab) for lab in zh if lab in text)
    assert found == []
