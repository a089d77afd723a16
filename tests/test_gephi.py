"""Gephi exports and the pictures: GEXF 1.3 that validates against the official schema, is
byte-stable and round-trips through networkx; degrees that agree with the graph (checked by
SPARQL); a dynamic GEXF whose timeline is the adoption dates of a series; Gephi's CSV tables;
PNG/SVG with every label drawn, Chinese labels and colours by actor class; the timeline
picture; the ``mandates export`` exit codes.

Expected content was counted by reading the seed text (corpus/A-RES-74-303.zh.md) and its
synthetic successor (tests/data/A-RES-76-999.zh.md: op. 6 inviting WHO dropped, a new
paragraph requesting UNDP, op. 21 strengthened from encourage to call upon).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta

import pytest

from conftest import ROOT, SEED

SCHEMA = ROOT / "tests/schemas/gexf-1.3/gexf.rng"
OFFICIAL_SCHEMA = ROOT.parent / "shared/schemas/gexf-1.3"
PROJECTIONS = ("mandate", "co-addressee", "actor-instrument", "actor-theme")
GA, UN, IPU = "actor:general-assembly", "actor:united-nations", "actor:inter-parliamentary-union"
WHO, SG, UNS = "actor:world-health-organization", "actor:secretary-general", "actor:united-nations-system"
UNDP = "actor:united-nations-development-programme"
AGENDA_2030 = "doc:A-RES-70-1"
G, SVG = "{http://gexf.net/1.3}", "{http://www.w3.org/2000/svg}"
PREFIXES = """PREFIX mnd: <https://w3id.org/un-mandates/ontology#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

# (projection, source, target, relation, verb, weight), counted in the seed's text
EXPECTED_EDGES = [
    # OP24: "请秘书长……提交一份报告" (requests the Secretary-General), one clause
    ("mandate", GA, SG, "mandate", "request", 1),
    # OP6: "邀请……世界卫生组织和联合国系统其他有关机构" (invites WHO and the UN system)
    ("mandate", GA, WHO, "mandate", "invite", 1),
    ("co-addressee", UNS, WHO, "asked-with", "", 1),
    # the IPU is encouraged in OP1 (两个组织), OP2, OP3, OP4 and OP15 twice (……并鼓励双方), invited
    # in OP14, called for in OP20: 8 clauses, 6 of them "encourage"
    ("mandate", GA, IPU, "mandate", "encourage", 6),
    ("mandate", GA, IPU, "mandate", "invite", 1),
    ("mandate", GA, IPU, "mandate", "call for", 1),
    # the UN and the IPU are asked together in OP1, OP2, OP3, OP15 twice and OP20
    ("co-addressee", IPU, UN, "asked-with", "", 6),
    # OP22 invites seven actors at once: Member States and national parliaments among them,
    # and OP5 calls upon both again
    ("co-addressee", "actor:member-states", "actor:national-parliaments", "asked-with", "", 2),
    # the IPU and the 2030 Agenda are named together in PP8 and OP15
    ("actor-instrument", IPU, AGENDA_2030, "named-with", "", 2),
    # OP17: the Common Principles for Support to Parliaments, by the IPU and UNDP
    ("actor-instrument", UNDP, "instrument:common-principles-for-support-to-parliaments", "named-with", "", 1),
    # OP6 is about public health and COVID-19 and invites WHO
    ("actor-theme", WHO, "theme:covid-19", "asked-about", "", 1),
]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mandates.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def sparql(store, query: str) -> list[dict]:
    from mandates.rdf.store import select

    return select(store, PREFIXES + query)


def nid(iri: str) -> str:
    from mandates.exports.network import node_id

    return node_id(iri, "https://w3id.org/un-mandates/")


@pytest.fixture(scope="module")
def seed_store(seed_build):
    """The seed's store (built by the real pipeline), opened read-only."""
    from mandates.rdf.store import open_built

    out, result = seed_build
    assert result.exit_code() == 0
    return open_built(out / "store")


@pytest.fixture(scope="module")
def networks(seed_store):
    from mandates.exports.network import project

    return {p: project(seed_store, p) for p in PROJECTIONS}


@pytest.fixture(scope="module")
def gexf(networks):
    from mandates.exports.gephi import to_gexf

    return {p: to_gexf(net) for p, net in networks.items()}


@pytest.fixture(scope="module")
def schema():
    from lxml import etree

    return etree.RelaxNG(etree.parse(str(SCHEMA)))


@pytest.fixture(scope="module")
def pair_builds(tmp_path_factory):
    """The seed and its synthetic successor built together (the build finds their series), and
    two resolutions of no common series built together."""
    import docpictures

    from mandates.build.pipeline import build

    root = tmp_path_factory.mktemp("pair")
    unrelated = root / "unrelated"
    assert build([ROOT / "corpus" / "A-RES-52-21.zh.txt", ROOT / "corpus" / "A-RES-51-205.en.txt"],
                 unrelated).exit_code() == 0
    return unrelated, docpictures.build_pair(root / "series")


@pytest.fixture(scope="module")
def series_store(pair_builds):
    from mandates.rdf.store import open_built

    return open_built(pair_builds[1] / "store")


@pytest.fixture(scope="module")
def series_gexf(series_store):
    from mandates.exports.gephi import to_gexf
    from mandates.exports.network import project

    return {p: to_gexf(project(series_store, p)) for p in PROJECTIONS}


def _edge(net, source, target, relation, verb=""):
    return next((e for e in net.edges if (e.source, e.target, e.relation, e.verb) == (source, target, relation, verb)),
                None)


def _read(tmp_path, data: bytes, name: str):
    import networkx as nx

    path = tmp_path / f"{name}.gexf"
    path.write_bytes(data)
    return nx.read_gexf(path)  # networkx tries every GEXF version it knows, 1.3 included


# --- GEXF: the schema and networkx ---------------------------------------------------------

def test_the_schema_in_the_tests_is_the_official_one_unchanged():
    readme = (SCHEMA.parent / "README.md").read_text(encoding="utf-8")
    for name in ("gexf.rng", "viz.rng", "dynamics.rng"):
        digest = hashlib.sha256((SCHEMA.parent / name).read_bytes()).hexdigest()
        assert f"{digest}  {name}" in readme, name
        if OFFICIAL_SCHEMA.is_dir():  # the copy given to the project, when it is beside the repository
            assert (OFFICIAL_SCHEMA / name).read_bytes() == (SCHEMA.parent / name).read_bytes(), name


@pytest.mark.parametrize("projection", PROJECTIONS)
def test_every_gexf_validates_against_the_gexf_1_3_relaxng(gexf, series_gexf, schema, projection):
    from lxml import etree

    for data in (gexf[projection], series_gexf[projection]):
        doc = etree.fromstring(data)
        assert schema.validate(doc), schema.error_log
        assert doc.tag == f"{G}gexf" and doc.get("version") == "1.3"
        assert doc.nsmap.get("viz") == "http://gexf.net/1.3/viz"
        assert b"lastmodifieddate" not in data


def test_chinese_labels_validate_and_read_back(seed_store, schema, tmp_path):
    from lxml import etree

    from mandates.exports.gephi import to_gexf
    from mandates.exports.network import project

    net = project(seed_store, "mandate", lang="zh")
    data = to_gexf(net)
    assert schema.validate(etree.fromstring(data)), schema.error_log
    g = _read(tmp_path, data, "zh")
    assert g.nodes[IPU]["label"] == "各国议会联盟" and g.nodes[IPU]["label_en"] == "Inter-Parliamentary Union"
    assert {d["label"] for _, _, d in g.edges(data=True)} >= {"鼓励", "请", "邀请"}


@pytest.mark.parametrize("projection", PROJECTIONS)
def test_edges_carry_relation_never_an_attribute_named_type(gexf, projection):
    from lxml import etree

    ns = {"g": "http://gexf.net/1.3"}
    doc = etree.fromstring(gexf[projection])
    edge_attrs = doc.xpath("//g:attributes[@class='edge']/g:attribute/@title", namespaces=ns)
    assert "relation" in edge_attrs and "type" not in edge_attrs
    assert not doc.xpath("//g:edge/@type", namespaces=ns)  # one kind per file: the graph's defaultedgetype
    assert all(e.xpath("g:attvalues/g:attvalue[@for='relation']", namespaces=ns)
               for e in doc.xpath("//g:edge", namespaces=ns))


@pytest.mark.parametrize("projection", PROJECTIONS)
def test_networkx_reads_the_gexf_back_with_types_labels_and_weights(networks, gexf, tmp_path, projection):
    g = _read(tmp_path, gexf[projection], projection)
    net = networks[projection]
    assert g.is_directed() == (projection == "mandate")
    assert sorted(g.nodes) == [n.id for n in net.nodes]
    for n in net.nodes:
        data = g.nodes[n.id]
        assert (data["type"], data["label"], data["label_zh"], data["label_en"]) == (
            n.type, n.label, n.label_zh, n.label_en)
    assert g.number_of_edges() == len(net.edges)
    by_id = {d["id"]: d for _, _, d in g.edges(data=True)}
    for e in net.edges:
        assert (by_id[e.id]["weight"], by_id[e.id]["relation"]) == (e.weight, e.relation)


def test_gexf_is_byte_identical_across_runs_and_builds(seed_build, gexf, tmp_path):
    from mandates.build.pipeline import build
    from mandates.exports.gephi import to_gexf
    from mandates.exports.network import project
    from mandates.rdf.store import open_built

    out, _ = seed_build
    again = tmp_path / "again"
    build([SEED], again)
    store = open_built(again / "store")
    for projection in PROJECTIONS:
        assert to_gexf(project(store, projection)) == gexf[projection], projection
    r1 = run("export", "gephi", "--store", str(out), "--out", str(tmp_path / "1.gexf"))
    r2 = run("export", "gephi", "--store", str(again), "--out", str(tmp_path / "2.gexf"))
    assert (r1.returncode, r2.returncode) == (0, 0), r1.stderr + r2.stderr
    assert (tmp_path / "1.gexf").read_bytes() == (tmp_path / "2.gexf").read_bytes() == gexf["mandate"]


# --- what the networks say -----------------------------------------------------------------

@pytest.mark.parametrize("projection,source,target,relation,verb,weight", EXPECTED_EDGES)
def test_expected_edges_from_the_seed_text(networks, projection, source, target, relation, verb, weight):
    e = _edge(networks[projection], source, target, relation, verb)
    assert e is not None, (source, target, relation, verb)
    assert e.weight == weight


def test_mandate_edges_are_the_assemblys_only_one_per_addressee_and_verb(networks, seed_store, gexf, tmp_path):
    """Every mandate edge goes from the Assembly to an actor; there is one per addressee and
    verb, weighted by the clauses that ask the addressee with that verb (counted by SPARQL)."""
    g = _read(tmp_path, gexf["mandate"], "mandate")
    rows = sparql(seed_store, """SELECT ?a ?key (COUNT(DISTINCT ?c) AS ?n) WHERE {
        ?c a mnd:Mandate ; mnd:addressee ?a ; mnd:verb ?v . ?v skos:notation ?key } GROUP BY ?a ?key""")
    expected = {(nid(r["a"]), r["key"]): r["n"] for r in rows}
    got = {(v, d["verb"]): d["weight"] for u, v, d in g.edges(data=True)}
    assert got == expected
    assert {u for u, _ in g.edges()} == {GA}
    assert all(g.out_degree(n) == 0 for n in g.nodes if n != GA)  # civil society asks no one


def test_degrees_agree_with_the_graph(seed_store, gexf, tmp_path):
    """The weighted in-degree of every actor is the number of mandate clauses that ask it; the
    IPU's mandate edges sum to its 8 clauses (6 of them encourage); the UN system is asked 7 times."""
    g = _read(tmp_path, gexf["mandate"], "mandate")
    rows = sparql(seed_store, """SELECT ?a (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a mnd:Mandate ; mnd:addressee ?a }
        GROUP BY ?a""")
    asked = {nid(r["a"]): r["n"] for r in rows}
    assert {n: int(g.in_degree(n, weight="weight")) for n in g.nodes if n != GA} == asked
    assert asked[IPU] == 8 and asked[UNS] == 7
    ipu = {d["verb"]: d["weight"] for _, v, d in g.in_edges(IPU, data=True)}
    assert ipu == {"encourage": 6, "invite": 1, "call for": 1}
    assert all(d["strength"] == {"encourage": 2, "invite": 1, "call for": 3}[d["verb"]]
               for _, _, d in g.in_edges(IPU, data=True))


def test_co_addressee_network_is_undirected_and_counts_the_clauses_of_each_pair(seed_store, gexf, tmp_path):
    g = _read(tmp_path, gexf["co-addressee"], "co-addressee")
    assert not g.is_directed()
    rows = sparql(seed_store, """SELECT ?a ?b (COUNT(DISTINCT ?c) AS ?n) WHERE {
        ?c a mnd:Mandate ; mnd:addressee ?a , ?b . FILTER (STR(?a) < STR(?b)) } GROUP BY ?a ?b""")
    expected = {frozenset((nid(r["a"]), nid(r["b"]))): r["n"] for r in rows}
    assert {frozenset((u, v)): d["weight"] for u, v, d in g.edges(data=True)} == expected
    civil = "actor:civil-society"
    partners = sparql(seed_store, """SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE {
        ?c a mnd:Mandate ; mnd:addressee <https://w3id.org/un-mandates/actor/civil-society> , ?b .
        FILTER (?b != <https://w3id.org/un-mandates/actor/civil-society>) }""")[0]["n"]
    assert g.degree(civil) == partners
    assert SG not in g  # OP24 asks the Secretary-General alone
    for _, _, d in g.edges(data=True):  # the force distribution is kept, not only its maximum
        assert sum(v for k, v in d.items() if k.startswith("strength_")) == d["weight"]
        assert sum(int(part.rsplit(" ", 1)[1]) for part in d["verbs"].split("; ")) == d["weight"]
    assert g.edges[IPU, UN]["verbs"] == "encourage 5; call for 1"


def test_actor_instrument_network_is_bipartite_and_types_resolutions(networks):
    net = networks["actor-instrument"]
    kinds = {n.id: n.type for n in net.nodes}
    assert all(kinds[e.source] == "actor" and kinds[e.target] in ("instrument", "resolution") for e in net.edges)
    assert kinds[AGENDA_2030] == "resolution"
    assert kinds["instrument:charter-of-the-united-nations"] == "instrument"


def test_actor_theme_network_has_theme_nodes(networks, seed_store):
    net = networks["actor-theme"]
    themes = [n for n in net.nodes if n.type == "theme"]
    assert themes and all(n.label_zh and n.label_en for n in themes)
    expected = sparql(seed_store, """SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {
        ?p mnd:hasClause ?c ; mnd:theme ?t . ?c a mnd:Mandate ; mnd:addressee ?a }""")[0]["n"]
    assert len(themes) == expected == 31


def test_actors_are_coloured_by_their_class(networks, gexf):
    from lxml import etree

    from mandates.exports.network import ACTOR_PALETTE, hex_rgb

    net = networks["mandate"]
    groups = {n.id: n.group for n in net.nodes}
    assert (groups[GA], groups[UNS], groups[IPU], groups[SG]) == (
        "UNPrincipalOrgan", "UNEntity", "ParliamentaryOrganization", "UNOfficial")
    assert groups["actor:member-states"] == "StateGroup" and groups["actor:civil-society"] == "NonStateGroup"
    assert net.group_label("UNEntity") == "UN system entity"  # the class's label in the ontology
    palette = dict(ACTOR_PALETTE)
    for node in etree.fromstring(gexf["mandate"]).iter(f"{G}node"):
        c = node.find("{http://gexf.net/1.3/viz}color")
        assert (int(c.get("r")), int(c.get("g")), int(c.get("b"))) == hex_rgb(palette[groups[node.get("id")]])


def test_a_state_is_coloured_through_its_subclass(seed_store):
    from mandates.exports.network import actor_classes, actor_group

    supers, labels = actor_classes(seed_store)
    assert actor_group(["MemberState"], supers) == actor_group(["ObserverState"], supers) == "State"
    assert labels["State"][1] == "State" and labels["UNEntity"] == ("联合国系统实体", "UN system entity")


def test_labels_lose_control_characters_and_stay_valid(schema):
    from lxml import etree

    from mandates.exports.gephi import to_csv, to_gexf
    from mandates.exports.network import Edge, Network, Node

    bad = Node(id="actor:x", iri="https://w3id.org/un-mandates/actor/x", type="actor",
               label="A\x00 B\x0b\nC", label_zh="甲\x1f乙", label_en="A B C\x7f")
    other = Node(id="actor:y", iri="https://w3id.org/un-mandates/actor/y", type="actor", label="Y",
                 label_zh="", label_en="")
    edge = Edge("actor:x", "actor:y", "asked-with")
    edge.add("https://w3id.org/un-mandates/doc/A-RES-1-1", "c", "invite", 1)
    net = Network("co-addressee", False, [bad, other], [edge], "", True)
    doc = etree.fromstring(to_gexf(net))
    assert schema.validate(doc), schema.error_log
    node = doc.find(f".//{G}node")
    assert node.get("label") == "A B C"
    assert "甲乙" in etree.tostring(doc, encoding="unicode")
    nodes_csv, _ = to_csv(net)
    assert "\x00" not in nodes_csv and "\x0b" not in nodes_csv


# --- time: a series in Gephi's timeline ----------------------------------------------------

def _adopted(store) -> dict[str, str]:
    return {r["w"]: r["d"] for r in sparql(store, "SELECT ?w ?d WHERE { ?w a mnd:Resolution ; eli:date_document ?d ; "
                                                  "eli:is_realized_by ?e }")}


def _alive(spells, day: str) -> bool:
    return any(s <= day <= e for s, e in spells)


def test_a_store_without_a_series_gives_a_static_gexf(pair_builds, seed_build, tmp_path):
    unrelated, _ = pair_builds
    for folder in (unrelated, seed_build[0]):
        out = tmp_path / f"{folder.name}.gexf"
        r = run("export", "gephi", "--store", str(folder), "--out", str(out))
        assert r.returncode == 0, r.stderr
        data = out.read_bytes()
        assert b'mode="static"' in data and b"<spells>" not in data and b"timeformat" not in data


def test_a_series_gives_a_dynamic_gexf_whose_timeline_is_the_adoption_dates(series_store, series_gexf, schema,
                                                                         tmp_path):
    from lxml import etree

    adopted = _adopted(series_store)
    dates = sorted(adopted.values())
    assert dates == ["2020-09-04", "2022-05-20"]
    ends = {(date.fromisoformat(d) - timedelta(days=1)).isoformat() for d in dates[1:]} | {dates[-1]}
    for projection, data in series_gexf.items():
        doc = etree.fromstring(data)
        graph = doc.find(f"{G}graph")
        assert (graph.get("mode"), graph.get("timeformat"), graph.get("start"), graph.get("end")) == (
            "dynamic", "date", dates[0], dates[-1]), projection
        spells = doc.findall(f".//{G}spell")
        assert spells and all(s.get("start") in dates and s.get("end") in ends for s in spells), projection
        for el in (*doc.iter(f"{G}node"), *doc.iter(f"{G}edge")):
            assert el.find(f"{G}spells") is not None, (projection, el.get("id"))
        g = _read(tmp_path, data, projection)  # networkx reads the spells
        assert g.graph["mode"] == "dynamic" and all("spells" in d for _, d in g.nodes(data=True))


def test_the_timeline_at_each_adoption_date_is_that_resolutions_network(series_store, series_gexf, tmp_path):
    """At a resolution's adoption date, Gephi's timeline shows exactly what that resolution asks
    (edges per addressee and verb, with its clause counts), nothing of the other one."""
    g = _read(tmp_path, series_gexf["mandate"], "series")
    for work, day in _adopted(series_store).items():
        rows = sparql(series_store, f"""SELECT ?a ?key (COUNT(DISTINCT ?c) AS ?n) WHERE {{
            <{work}> mnd:hasParagraph ?p . ?p mnd:hasClause ?c .
            ?c a mnd:Mandate ; mnd:addressee ?a ; mnd:verb ?v . ?v skos:notation ?key }} GROUP BY ?a ?key""")
        expected = {(nid(r["a"]), r["key"]): r["n"] for r in rows}
        live = {(v, d["verb"]): next(n for n, s, e in d["current_weight"] if s <= day <= e)
                for _, v, d in g.edges(data=True) if _alive(d["spells"], day)}
        assert live == expected, work
        assert {n for n, d in g.nodes(data=True) if _alive(d["spells"], day)} == {GA} | {a for a, _ in expected}


def test_what_the_successor_drops_ends_and_what_it_adds_begins(series_gexf, tmp_path):
    g = _read(tmp_path, series_gexf["mandate"], "series")
    assert g.nodes[WHO]["spells"] == [("2020-09-04", "2022-05-19")]  # op. 6 dropped
    assert g.nodes[UNDP]["spells"] == [("2022-05-20", "2022-05-20")]  # the new request
    assert g.nodes[IPU]["spells"] == [("2020-09-04", "2022-05-20")]
    uns = {d["verb"]: d["current_weight"] for _, _, d in g.in_edges(UNS, data=True)}
    # op. 21 encourage -> call upon: one clause moves from one verb to the other
    assert uns["encourage"] == [(2, "2020-09-04", "2022-05-19"), (1, "2022-05-20", "2022-05-20")]
    assert uns["call upon"] == [(1, "2020-09-04", "2022-05-19"), (2, "2022-05-20", "2022-05-20")]


def test_spells_join_and_follow_the_series():
    from mandates.exports.network import Timeline, Work

    t = Timeline({"a": Work("a", "A/1", "2000-01-01", "2001-12-31", ("s",), "b"),
                  "b": Work("b", "A/2", "2002-01-01", "2005-06-30", ("s",), "c"),
                  "c": Work("c", "A/3", "2005-07-01", "2010-01-01", ("s",)),
                  "x": Work("x", "A/9", "2003-03-03", "2010-01-01")}, True)
    assert t.spells({"a", "b"}) == [("2000-01-01", "2005-06-30")]
    assert t.spells({"a", "c"}) == [("2000-01-01", "2001-12-31"), ("2005-07-01", "2010-01-01")]
    assert t.values({"a": 2, "x": 1}) == [(2, "2000-01-01", "2001-12-31"), (1, "2003-03-03", "2010-01-01")]
    assert t.values({"b": 1, "x": 1}) == [(1, "2002-01-01", "2003-03-02"), (2, "2003-03-03", "2005-06-30"),
                                          (1, "2005-07-01", "2010-01-01")]


# --- the build and Gephi's CSV tables ------------------------------------------------------

def test_build_exports_write_the_default_gexf(seed_store, seed_build, gexf, tmp_path):
    from mandates.exports.gephi import write_build_exports

    write_build_exports(seed_store, tmp_path)
    assert (tmp_path / "mandates.gexf").read_bytes() == gexf["mandate"]
    assert (seed_build[0] / "mandates.gexf").read_bytes() == gexf["mandate"]


def test_gephi_csv_tables(seed_build, networks, tmp_path):
    out, _ = seed_build
    r = run("export", "gephi-csv", "--store", str(out), "--projection", "co-addressee", "--out", str(tmp_path / "t"))
    assert r.returncode == 0, r.stderr
    nodes = list(csv.DictReader(io.StringIO((tmp_path / "t/nodes.csv").read_text(encoding="utf-8"))))
    edges = list(csv.DictReader(io.StringIO((tmp_path / "t/edges.csv").read_text(encoding="utf-8"))))
    assert list(nodes[0])[:5] == ["Id", "Label", "type", "label_zh", "label_en"]
    assert list(edges[0])[:5] == ["Id", "Source", "Target", "Type", "Weight"] and "relation" in edges[0]
    assert "Time Interval" not in edges[0]
    net = networks["co-addressee"]
    assert [n["Id"] for n in nodes] == [n.id for n in net.nodes]
    assert len(edges) == len(net.edges) and {e["Type"] for e in edges} == {"Undirected"}
    un_ipu = next(e for e in edges if (e["Source"], e["Target"]) == (IPU, UN))
    assert (un_ipu["Weight"], un_ipu["relation"], un_ipu["verbs"]) == ("6", "asked-with", "encourage 5; call for 1")


def test_gephi_csv_of_a_series_has_time_intervals(pair_builds, tmp_path):
    r = run("export", "gephi-csv", "--store", str(pair_builds[1]), "--out", str(tmp_path / "t"))
    assert r.returncode == 0, r.stderr
    edges = list(csv.DictReader(io.StringIO((tmp_path / "t/edges.csv").read_text(encoding="utf-8"))))
    who = next(e for e in edges if e["Target"] == WHO)
    assert (who["Type"], who["Label"], who["Time Interval"]) == ("Directed", "invite", "<[2020-09-04, 2022-05-19]>")


# --- the pictures ----------------------------------------------------------------------------

def _node_labels(svg: bytes) -> dict[int, str]:
    from lxml import etree

    doc = etree.fromstring(svg)
    out = {}
    for g in doc.iter(f"{SVG}g"):
        m = re.fullmatch(r"node-label-(\d+)", g.get("id") or "")
        if m:
            out[int(m.group(1))] = "".join("".join(t.itertext()) for t in g.iter(f"{SVG}text"))
    return out


@pytest.mark.parametrize("projection", PROJECTIONS)
def test_every_node_label_is_drawn(networks, projection):
    """Each node's label is a text of the SVG (text stays text), whole, however many nodes."""
    from mandates.exports.pictures import draw, picture_label

    net = networks[projection]
    svg = draw(net, "svg")
    labels = _node_labels(svg)
    assert len(labels) == len(net.nodes)
    for i, n in enumerate(net.nodes):
        assert "".join(labels[i].split()) == "".join(picture_label(n, "en").split()), n.id
    if projection == "actor-theme":
        assert sum(n.type == "theme" for n in net.nodes) == 31  # the three that used to be dropped too


def test_the_picture_is_deterministic_coloured_by_class_with_a_legend(networks):
    from mandates.exports.network import ACTOR_PALETTE
    from mandates.exports.pictures import draw

    net = networks["mandate"]
    svg = draw(net, "svg").decode("utf-8")
    assert svg == draw(net, "svg").decode("utf-8")
    assert "<dc:date>" not in svg
    palette = dict(ACTOR_PALETTE)
    for group in {n.group for n in net.nodes}:
        assert f"fill: {palette[group].lower()}" in svg, group
        assert net.group_label(group) in svg, group
    assert "force 2: encourage" in svg and "force 4: request, urge" in svg
    png = draw(net, "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 30_000


def test_chinese_labels_are_drawn_in_a_font_with_chinese_characters(seed_store):
    from matplotlib import font_manager

    from mandates.exports.network import project
    from mandates.exports.pictures import draw, wide_font

    net = project(seed_store, "actor-theme", lang="zh")
    svg = draw(net, "svg")
    labels = _node_labels(svg)
    assert [labels[i].replace("\n", "") for i in range(len(net.nodes))] == [
        "".join((n.label_zh or n.label_en).split()) for n in net.nodes]
    font = wide_font("各国议会联盟")
    assert font in svg.decode("utf-8")
    fname = font_manager.findfont(font_manager.FontProperties(family=font), fallback_to_default=False)
    from matplotlib import ft2font

    cmap = ft2font.FT2Font(fname).get_charmap()
    assert all(ord(ch) in cmap for ch in "".join(labels.values()) if "\u4e00" <= ch <= "\u9fff")
    assert draw(net, "png").startswith(b"\x89PNG")


def test_no_font_with_chinese_characters_is_a_clear_error(networks, seed_store):
    from matplotlib import font_manager

    from mandates.exports.network import project
    from mandates.exports.pictures import FontError, draw

    latin = [f for f in font_manager.fontManager.ttflist if f.name.startswith("DejaVu")]
    # a font that draws one placeholder box for every character of a block does not count
    latin += [f for f in font_manager.fontManager.ttflist if "Last Resort" in f.name]
    with pytest.raises(FontError, match="no installed font has Chinese characters.*fonts-wqy-microhei"):
        draw(project(seed_store, "mandate", lang="zh"), "svg", fonts=latin)
    assert draw(networks["mandate"], "svg", fonts=latin)  # English labels need none


def test_timeline_picture_rows_columns_and_drops(series_store):
    from mandates.exports.network import project
    from mandates.exports.pictures import draw_timeline

    net = project(series_store, "mandate")
    svg = draw_timeline(net, "svg")
    labels = _node_labels(svg)
    asked = {n.id for n in net.nodes} - {GA}
    index = {n.id: i for i, n in enumerate(net.nodes)}
    assert set(labels) == {index[a] for a in asked}
    text = svg.decode("utf-8")
    for column in ("A/RES/74/304", "2020-09-04", "A/RES/76/999", "2022-05-20"):
        assert column in text
    assert "call upon 2" in text  # op. 21 strengthened: the UN system is called upon twice in the successor
    assert text.count("stroke: #777777") >= 1  # the cross where WHO is no longer asked
    zh = draw_timeline(project(series_store, "mandate", lang="zh"), "svg").decode("utf-8")
    assert "世界卫生组织" in zh and "促请 2" in zh


@pytest.mark.parametrize("kind,lang", [("png", "en"), ("svg", "zh"), ("timeline", "en")])
def test_export_picture_from_the_command_line(seed_build, tmp_path, kind, lang):
    out, _ = seed_build
    target = tmp_path / f"seed-{kind}.{'svg' if kind == 'svg' else 'png'}"
    r = run("export", kind, "--store", str(out), "--lang", lang, "--out", str(target))
    assert r.returncode == 0, r.stderr
    assert target.stat().st_size > 20_000


def test_readme_pictures_are_in_docs_and_small():
    for name in ("seed-mandate-network.png", "series-timeline.png"):
        picture = ROOT / "docs" / name
        assert picture.read_bytes().startswith(b"\x89PNG") and 20_000 < picture.stat().st_size < 150_000, name
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/series-timeline.png" in readme and "docs/seed-mandate-network.png" in readme


# --- the command line ------------------------------------------------------------------------

def test_export_without_out_writes_into_the_store_folder(seed_build, tmp_path):
    out, _ = seed_build
    copy = tmp_path / "copy"
    shutil.copytree(out / "store", copy / "store")
    r = run("export", "gephi", "--store", str(copy), "--projection", "actor-instrument")
    assert r.returncode == 0, r.stderr
    assert (copy / "mandates-actor-instrument.gexf").is_file()


@pytest.mark.parametrize("setup,code,words", [
    ("missing", 3, "no such folder"),
    ("empty-folder", 3, "not a built store"),
    ("empty-store", 3, "not a built store"),
    ("url", 2, "not an endpoint"),
])
def test_export_exit_codes(tmp_path, setup, code, words):
    where = tmp_path / "nowhere"
    if setup == "empty-folder":
        where.mkdir()
    elif setup == "empty-store":
        (where / "store").mkdir(parents=True)
    store = "http://127.0.0.1:7878/query" if setup == "url" else str(where)
    r = run("export", "gephi", "--store", store)
    assert r.returncode == code, r.stderr
    assert words in r.stderr and "Traceback" not in r.stderr
    if setup != "url":
        assert str(where) in r.stderr
        assert not (where / "store").exists() or not any((where / "store").iterdir())  # nothing created


def test_gephi_csv_out_that_is_a_file_is_a_usage_error(seed_build, tmp_path):
    out, _ = seed_build
    f = tmp_path / "file"
    f.write_text("x")
    r = run("export", "gephi-csv", "--store", str(out), "--out", str(f))
    assert r.returncode == 2 and "Traceback" not in r.stderr


@pytest.mark.parametrize("option", [("--projection", "nonsense"), ("--lang", "fr")])
def test_unknown_projection_or_language_is_a_usage_error(seed_build, option):
    out, _ = seed_build
    r = run("export", "gephi", "--store", str(out), *option)
    assert r.returncode == 2 and "Traceback" not in r.stderr
