"""Series of resolutions, clause lineage and report follow-up (the series graph, ``graph/series``).

The texts: the seed (A/RES/74/304, Chinese) and its synthetic successor A/RES/76/900, made by
editing a copy of it (tests/data/README.md says what was edited); the synthetic English pair
A/RES/95/10 and A/RES/97/10 (a series found by its title and a recall). The expectations are
read off those edits, not off the output: every clause of each later resolution, its
counterpart and its change, and the clauses dropped.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT, SEED

DATA = ROOT / "tests" / "data"
SUCCESSOR = DATA / "A-RES-76-900.zh.md"
EN_PAIR = [DATA / "A-RES-95-10.en.txt", DATA / "A-RES-97-10.en.txt"]
BASE = "https://w3id.org/un-mandates/"
DOC = BASE + "doc/"
UN_IPU = BASE + "series/un-ipu"
IS_MEMBER_OF = "http://data.europa.eu/eli/ontology#is_member_of"


@pytest.fixture(scope="module")
def series_build(tmp_path_factory):
    from mandates.build.pipeline import build

    out = tmp_path_factory.mktemp("series")
    result = build([SEED, SUCCESSOR, *EN_PAIR], out, jobs=1)
    return out, result


def view(out: Path) -> dict:
    return json.loads((out / "mandates.json").read_text(encoding="utf-8"))


def doc(v: dict, symbol: str, lang: str) -> dict:
    return next(d for d in v["documents"] if d["resolution_symbol"] == symbol and d["language"] == lang)


def clauses(d: dict) -> list[dict]:
    return [c for p in d["paragraphs"] for c in p["clauses"]]


def membership(out: Path) -> dict[str, str]:
    import pyoxigraph

    store = pyoxigraph.Store.read_only(str(out / "store"))
    return {q.subject.value: q.object.value
            for q in store.quads_for_pattern(None, pyoxigraph.NamedNode(IS_MEMBER_OF), None, None)}


# ---------------------------------------------------------------- lineage, read off the edits


def _shifted(iri: str) -> str | None:
    """Where a clause of the seed went in 76/900: OP8-OP22 moved one down (a paragraph was added
    after OP7), OP23 was dropped, every other paragraph kept its number."""
    m = re.fullmatch(rf"{DOC}A-RES-74-304/(pp|op)/(\d+)/c/(\d+)", iri)
    assert m, iri
    kind, n, c = m.group(1), int(m.group(2)), int(m.group(3))
    if kind == "op" and n == 23:
        return None
    if kind == "op" and 8 <= n <= 22:
        n += 1
    return f"{DOC}A-RES-76-900/{kind}/{n}/c/{c}"


def test_chinese_successor_every_clause_and_the_dropped_one(series_build):
    out, _ = series_build
    v = view(out)
    seed, succ = doc(v, "A/RES/74/304", "zh"), doc(v, "A/RES/76/900", "zh")
    expected: dict[str, dict] = {}
    for c in clauses(seed):
        new = _shifted(c["iri"])
        if new is not None:
            expected[new] = {"previous": c["iri"], "change": "repeated"}
    expected[f"{DOC}A-RES-76-900/pp/2/c/2"]["change"] = "modified"  # recalls 74/304, not 72/278
    expected[f"{DOC}A-RES-76-900/op/3/c/1"]["change"] = "strengthened"  # 又鼓励 -> 又促请
    expected[f"{DOC}A-RES-76-900/op/22/c/1"]["change"] = "modified"  # 联合国系统 -> 联合国系统和会员国
    expected[f"{DOC}A-RES-76-900/op/8/c/1"] = {"previous": None, "change": "new"}  # the added paragraph
    got = {c["iri"]: {k: c["lineage"][k] for k in ("previous", "change")} for c in clauses(succ)}
    assert got == expected
    assert succ["dropped"] == [f"{DOC}A-RES-74-304/op/23/c/1"]
    assert seed["dropped"] == [] and all(c["lineage"] is None for c in clauses(seed))
    import csv  # the spreadsheet carries the same lineage
    with (out / "mandates.csv").open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["symbol"] == "A/RES/76/900" and r["language"] == "zh"]
    assert {r["clause"]: {"previous": r["lineage_previous"] or None, "change": r["lineage_change"]}
            for r in rows} == expected


def test_english_pair_every_clause_and_the_dropped_one(series_build):
    out, _ = series_build
    v = view(out)
    later = doc(v, "A/RES/97/10", "en")
    prev = f"{DOC}A-RES-95-10"
    got = {c["iri"].rsplit("A-RES-97-10/", 1)[1]: (c["lineage"]["change"], c["lineage"]["previous"]) for c in clauses(later)}
    assert got == {
        "pp/1/c/1": ("modified", f"{prev}/pp/1/c/1"),  # recalls 93/10 and 95/10, not 93/10 alone
        "pp/2/c/1": ("repeated", f"{prev}/pp/2/c/1"),
        "op/1/c/1": ("repeated", f"{prev}/op/1/c/1"),
        "op/2/c/1": ("strengthened", f"{prev}/op/2/c/1"),  # Encourages -> Calls upon
        "op/3/c/1": ("new", None),
        "op/4/c/1": ("repeated", f"{prev}/op/3/c/1"),
        "op/5/c/1": ("modified", f"{prev}/op/4/c/1"),  # Member States added
        "op/6/c/1": ("repeated", f"{prev}/op/6/c/1"),  # a report again, due two sessions on
    }
    assert later["dropped"] == [f"{prev}/op/5/c/1"]


def test_confidence_is_high_where_the_text_is_the_same(series_build):
    out, _ = series_build
    succ = doc(view(out), "A/RES/76/900", "zh")
    by = {c["iri"]: c["lineage"] for c in clauses(succ)}
    assert all(x["confidence"] >= 0.9 for x in by.values() if x["change"] == "repeated")
    assert 0.5 <= by[f"{DOC}A-RES-76-900/op/8/c/1"]["confidence"] < 0.9  # new: its nearest clause is not far


# ---------------------------------------------------------------- membership and order


def test_members_in_order_with_their_series(series_build):
    out, _ = series_build
    v = view(out)
    seed, succ = doc(v, "A/RES/74/304", "zh"), doc(v, "A/RES/76/900", "zh")
    assert seed["series"] == {"iri": UN_IPU, "title": "联合国与各国议会和各国议会联盟的互动", "previous": None,
                              "next": f"{DOC}A-RES-76-900"}
    assert succ["series"]["previous"] == f"{DOC}A-RES-74-304" and succ["series"]["next"] is None
    first, later = doc(v, "A/RES/95/10", "en"), doc(v, "A/RES/97/10", "en")
    assert first["series"]["iri"] == later["series"]["iri"] != UN_IPU
    assert re.fullmatch(rf"{BASE}series/title-en-[0-9a-f]{{12}}", first["series"]["iri"])
    assert first["series"]["title"] == "Parliamentary contribution to the work of the United Nations"
    assert list(seed)[list(seed).index("drafts") + 1:][:2] == ["series", "dropped"]  # where FORMAT.md puts them


def test_series_iri_does_not_depend_on_the_other_files(series_build, seed_build, tmp_path):
    """The seed is in the UN-IPU series of the vocabulary alone, with its successor, and with the
    English texts of the series; the series found by its title keeps its IRI beside other files."""
    from mandates.build.pipeline import build

    out, _ = series_build
    alone = membership(seed_build[0])
    assert alone == {f"{DOC}A-RES-74-304": UN_IPU}
    assert "series" not in view(seed_build[0])["documents"][0]  # one resolution of a series: no lineage
    other = tmp_path / "other"
    build([SEED, CORPUS / "A-RES-72-278.en.txt", CORPUS / "A-RES-74-304.en.txt", *EN_PAIR], other, jobs=1)
    got, with_successor = membership(other), membership(out)
    assert got[f"{DOC}A-RES-74-304"] == with_successor[f"{DOC}A-RES-74-304"] == UN_IPU
    assert got[f"{DOC}A-RES-72-278"] == UN_IPU
    assert got[f"{DOC}A-RES-97-10"] == with_successor[f"{DOC}A-RES-97-10"]


# ---------------------------------------------------------------- report follow-up


def test_requested_reports_are_linked_to_the_reports_noted_later(series_build):
    import pyoxigraph

    out, _ = series_build
    store = pyoxigraph.Store.read_only(str(out / "store"))
    rows = store.query("""PREFIX mnd: <https://w3id.org/un-mandates/ontology#>
        SELECT ?r ?c ?report ?basis WHERE { ?r a mnd:NotedReportingRequest ; mnd:notedIn ?c ;
        mnd:notedReport ?report ; mnd:followUpBasis ?basis } ORDER BY ?r""", use_default_graph_as_union=True)
    got = [(r["r"].value, r["c"].value, r["report"].value, r["basis"].value) for r in rows]
    assert got == [
        (f"{DOC}A-RES-74-304/op/24/c/2/report", f"{DOC}A-RES-76-900/op/24/c/1", f"{DOC}A-76-780", "symbol"),
        (f"{DOC}A-RES-95-10/op/6/c/1/report", f"{DOC}A-RES-97-10/pp/2/c/1", f"{DOC}A-97-250", "symbol"),
    ]


# ---------------------------------------------------------------- the graph and the build


def test_series_graph_conforms_and_is_in_every_output(series_build):
    out, result = series_build
    assert result.exit_code() == 0
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["corpus"]["conforms"] is True and report["corpus"]["results"] == []
    series_graph = f"<{BASE}graph/series>"
    assert any(line.endswith(f"{series_graph} .") for line in (out / "graph.nq").read_text(encoding="utf-8").splitlines())
    assert f"\n{series_graph} {{\n" in (out / "graph.trig").read_text(encoding="utf-8")


def test_series_graph_validated_with_pyshacl(series_build):
    """The series graph with the vocabulary conforms to the shapes (pySHACL, the reference)."""
    from rdflib import Dataset, Graph, URIRef

    from mandates.graph.builder import vocabulary_graph
    from mandates.validate.engine import validate

    out, _ = series_build
    ds = Dataset()
    ds.parse(out / "graph.nq", format="nquads")
    g = Graph()
    for t in ds.graph(URIRef(f"{BASE}graph/series")):
        g.add(t)
    assert len(g) > 100
    v = validate(g, vocabulary=vocabulary_graph())
    assert v.conforms, v.results[:3]


def test_merged_view_is_the_view_of_the_whole_store(series_build):
    from mandates.exports.view import mandates, to_json
    from mandates.rdf.store import open_store

    out, _ = series_build
    assert (out / "mandates.json").read_text(encoding="utf-8") == to_json(mandates(open_store(out / "store", read_only=True)))


def test_adding_and_removing_a_successor_gives_what_a_clean_build_gives(tmp_path):
    from test_incremental import same_as_clean

    from mandates.build.pipeline import build

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / SEED.name)
    out = tmp_path / "out"
    build([folder], out, jobs=1)
    assert "series" not in view(out)["documents"][0]
    shutil.copy(SUCCESSOR, folder / SUCCESSOR.name)
    build([folder], out, jobs=1)
    assert doc(view(out), "A/RES/74/304", "zh")["series"]["next"] == f"{DOC}A-RES-76-900"
    same_as_clean(out, folder, tmp_path)
    (folder / SUCCESSOR.name).unlink()
    build([folder], out, jobs=1)
    assert "series" not in view(out)["documents"][0]
    assert membership(out) == {f"{DOC}A-RES-74-304": UN_IPU}
    same_as_clean(out, folder, tmp_path)


# ---------------------------------------------------------------- the command


def test_series_command_answers_what_changed_for_the_ipu(series_build, capsys):
    from mandates.cli import main

    out, _ = series_build
    assert main(["series", "changes", "--actor", "IPU", "--store", str(out), "--format", "tsv"]) == 0
    captured = capsys.readouterr()
    rows = [line.split("\t") for line in captured.out.splitlines()]
    head = rows[0]
    got = {(r[head.index("symbol")], r[head.index("change")], r[head.index("para")]) for r in rows[1:]}
    assert ("A/RES/76/900", "strengthened", "OP3") in got and ("A/RES/76/900", "new", "OP8") in got
    assert ("A/RES/97/10", "dropped", "") in got  # each series' latest resolution
    assert "A/RES/76/900 since A/RES/74/304" in captured.err and "1 new, 1 strengthened, 7 repeated" in captured.err
    assert main(["series", "--actor", "各国议会联盟", "--store", str(out), "--symbol", "A/RES/97/10"]) == 0
    assert "1 strengthened, 1 dropped" in capsys.readouterr().err
    assert main(["series", "--actor", "no such actor", "--store", str(out)]) == 2
    assert "no actor of the vocabulary" in capsys.readouterr().err


# ---------------------------------------------------------------- the aligner on its own


def _rec(iri: str, key: str, strength: int, addressees=(), text: str = "", lang: str = "en", **kw):  # type: ignore[no-untyped-def]
    from mandates.graph.seriesfacts import ClauseFacts

    return ClauseFacts(iri=iri, kind="operative", paragraph=kw.get("p", 1), order=1, position=kw.get("p", 1), verb=key,
                       key=key, strength=strength, directive=strength > 0, addressees=frozenset(addressees),
                       report=None, lang=lang, text=text, entities=frozenset(addressees))


def test_a_weaker_verb_is_weakened_and_languages_are_compared_through_iris():
    from mandates.graph.lineage import align, records

    ipu, sg = "actor:ipu", "actor:sg"
    prev = records([_rec("p/1", "request", 4, [sg], "Requests the Secretary-General to report", p=1),
                    _rec("p/2", "invite", 1, [ipu], "Invites the Union to cooperate", p=2)], 1)
    cur = records([_rec("c/1", "encourage", 2, [sg], "Encourages the Secretary-General to report", p=1),
                   _rec("c/2", "invite", 1, [ipu], "邀请议联开展合作", lang="zh", p=2)], 1)
    got = {x.clause: (x.previous, x.change) for x in align(prev, cur).links}
    assert got == {"c/1": ("p/1", "weakened"), "c/2": ("p/2", "repeated")}
    cross = next(x for x in align(prev, cur).links if x.clause == "c/2")
    same = next(x for x in align(prev, cur).links if x.clause == "c/1")
    assert cross.confidence < same.confidence  # compared only through shared IRIs


def test_incomplete_texts_flag_new_and_dropped_clauses():
    from mandates.graph.lineage import FLAG_INCOMPLETE, FLAG_LOW, align, records

    prev = records([_rec("p/1", "welcome", 0, text="Welcomes the report")], 1)
    cur = records([_rec("c/1", "urge", 4, ["actor:states"], "Urges States to ratify the Convention")], 1)
    lineage = align(prev, cur, prev_incomplete=True, cur_incomplete=True)
    (link,) = lineage.links
    assert link.change == "new" and set(link.flags) == {FLAG_INCOMPLETE, FLAG_LOW} and link.confidence <= 0.3
    assert lineage.dropped == [("p/1", (FLAG_INCOMPLETE,))]
