"""Gephi exports and the picture: GEXF 1.3 that validates, is byte-stable and round-trips
through networkx; Gephi's CSV tables; PNG/SVG; the ``mandates export`` exit codes.

Expected content was counted by reading the seed text (corpus/A-RES-74-303.zh.md).
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, SEED

SCHEMA = ROOT / "tests/schemas/gexf-1.3/gexf.rng"
PROJECTIONS = ("mandate", "co-addressee", "actor-instrument", "actor-theme")
GA, UN, IPU = "actor:general-assembly", "actor:united-nations", "actor:inter-parliamentary-union"
WHO, SG = "actor:world-health-organization", "actor:secretary-general"
AGENDA_2030 = "doc:A-RES-70-1"

# (projection, source, target, relation, weight), counted in the seed's text
EXPECTED_EDGES = [
    # OP24: "请秘书长……提交一份报告" (requests the Secretary-General), one clause
    ("mandate", GA, SG, "mandate", 1),
    # OP6: "邀请……世界卫生组织和联合国系统其他有关机构" (invites WHO and the UN system)
    ("mandate", GA, WHO, "mandate", 1),
    ("mandate", "actor:united-nations-system", WHO, "asked-with", 1),
    # the UN and the IPU are asked together in OP1 (两个组织), OP2, OP3, OP15 twice (……并鼓励双方) and OP20
    ("mandate", GA, UN, "mandate", 6),
    ("mandate", IPU, UN, "asked-with", 6),  # asked-with: smaller id first
    ("co-addressee", IPU, UN, "asked-with", 6),
    # OP22 invites seven actors at once: Member States and national parliaments among them,
    # and OP5 calls upon both again
    ("co-addressee", "actor:member-states", "actor:national-parliaments", "asked-with", 2),
    # the IPU and the 2030 Agenda are named together in PP8 and OP15
    ("actor-instrument", IPU, AGENDA_2030, "named-with", 2),
    # OP17: the Common Principles for Support to Parliaments, by the IPU and UNDP
    ("actor-instrument", "actor:united-nations-development-programme",
     "instrument:common-principles-for-support-to-parliaments", "named-with", 1),
    # OP6 is about public health and COVID-19 and invites WHO
    ("actor-theme", WHO, "theme:covid-19", "asked-about", 1),
]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mandates.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


@pytest.fixture(scope="module")
def seed_store(seed_build):
    """The seed's store (built by the real pipeline), opened read-only."""
    from mandates.rdf.store import open_built

    out, result = seed_build
    assert result.exit_code() == 0
    return open_built(out / "store")


@pytest.fixture(scope="module")
def networks(seed_store):
    from mandates.exports.gephi import project

    return {p: project(seed_store, p) for p in PROJECTIONS}


@pytest.fixture(scope="module")
def gexf(networks):
    from mandates.exports.gephi import to_gexf

    return {p: to_gexf(net) for p, net in networks.items()}


@pytest.fixture(scope="module")
def schema():
    from lxml import etree

    return etree.RelaxNG(etree.parse(str(SCHEMA)))


def _edge(net, source, target, relation):
    return next((e for e in net.edges if (e.source, e.target, e.relation) == (source, target, relation)), None)


# --- GEXF ----------------------------------------------------------------------------------

@pytest.mark.parametrize("projection", PROJECTIONS)
def test_gexf_validates_against_the_gexf_1_3_relaxng(gexf, schema, projection):
    from lxml import etree

    doc = etree.fromstring(gexf[projection])
    assert schema.validate(doc), schema.error_log
    assert doc.tag == "{http://gexf.net/1.3}gexf" and doc.get("version") == "1.3"
    assert doc.nsmap.get("viz") == "http://gexf.net/1.3/viz"
    assert b"lastmodifieddate" not in gexf[projection]


@pytest.mark.parametrize("projection", PROJECTIONS)
def test_gexf_edges_carry_relation_never_an_attribute_named_type(gexf, projection):
    from lxml import etree

    ns = {"g": "http://gexf.net/1.3"}
    doc = etree.fromstring(gexf[projection])
    edge_attrs = doc.xpath("//g:attributes[@class='edge']/g:attribute/@title", namespaces=ns)
    assert "relation" in edge_attrs and "type" not in edge_attrs
    assert not doc.xpath("//g:edge/@type", namespaces=ns)  # the kind is the graph's defaultedgetype
    assert all(e.xpath("g:attvalues/g:attvalue[@for='relation']", namespaces=ns)
               for e in doc.xpath("//g:edge", namespaces=ns))


@pytest.mark.parametrize("projection", PROJECTIONS)
def test_networkx_reads_the_gexf_back_with_types_and_labels(networks, gexf, tmp_path, projection):
    import networkx as nx

    path = tmp_path / f"{projection}.gexf"
    path.write_bytes(gexf[projection])
    g = nx.read_gexf(path)  # networkx tries every GEXF version it knows, 1.3 included
    net = networks[projection]
    assert g.is_directed() == (projection == "mandate")
    assert sorted(g.nodes) == [n.id for n in net.nodes]
    for n in net.nodes:
        data = g.nodes[n.id]
        assert (data["type"], data["label"], data["label_zh"], data["label_en"]) == (
            n.type, n.label, n.label_zh, n.label_en)
    assert g.number_of_edges() == len(net.edges)
    for e in net.edges:
        assert g.edges[e.source, e.target]["weight"] == e.weight
        assert g.edges[e.source, e.target]["relation"] == e.relation


def test_gexf_is_byte_identical_across_runs_and_builds(seed_build, gexf, tmp_path):
    from mandates.exports.gephi import project, to_gexf
    from mandates.rdf.store import open_built
    from mandates.build.pipeline import build

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


@pytest.mark.parametrize("projection,source,target,relation,weight", EXPECTED_EDGES)
def test_expected_edges_from_the_seed_text(networks, projection, source, target, relation, weight):
    e = _edge(networks[projection], source, target, relation)
    assert e is not None, (source, target, relation)
    assert e.weight == weight


def test_mandate_projection_is_the_asker_and_the_actors_it_asks(networks):
    net = networks["mandate"]
    asks = [e for e in net.edges if e.relation == "mandate"]
    assert {e.source for e in asks} == {GA}
    # 13 actors are asked by the 20 mandate clauses of the seed (38 clause-addressee pairs)
    assert len(asks) == 13 and sum(e.weight for e in asks) == 38
    sg = _edge(net, GA, SG, "mandate")
    assert sg.verbs == {"request": 4}
    types = {n.id: n for n in net.nodes}
    assert types[GA].type == "actor" and types[GA].label_zh and types[GA].label_en
    assert all(n.type == "actor" for n in net.nodes)


def test_co_addressee_network_is_undirected_and_links_only_actors_asked_together(networks):
    net = networks["co-addressee"]
    assert not net.directed
    assert all(e.relation == "asked-with" and e.source < e.target for e in net.edges)
    assert SG not in {n.id for n in net.nodes}  # OP24 asks the Secretary-General alone


def test_actor_instrument_network_is_bipartite_and_types_resolutions(networks):
    net = networks["actor-instrument"]
    kinds = {n.id: n.type for n in net.nodes}
    assert all(kinds[e.source] == "actor" and kinds[e.target] in ("instrument", "resolution") for e in net.edges)
    assert kinds[AGENDA_2030] == "resolution"
    assert kinds["instrument:charter-of-the-united-nations"] == "instrument"


def test_actor_theme_network_has_theme_nodes(networks):
    net = networks["actor-theme"]
    themes = [n for n in net.nodes if n.type == "theme"]
    assert themes and all(n.label_zh and n.label_en for n in themes)


def test_labels_lose_control_characters_and_stay_valid(schema):
    from lxml import etree

    from mandates.exports.gephi import Edge, Network, Node, to_csv, to_gexf

    bad = Node(id="actor:x", iri="https://w3id.org/un-mandates/actor/x", type="actor",
               label="A\x00 B\x0b\nC", label_zh="甲\x1f乙", label_en="A B C\x7f")
    other = Node(id="actor:y", iri="https://w3id.org/un-mandates/actor/y", type="actor", label="Y",
                 label_zh="", label_en="")
    net = Network("co-addressee", False, [bad, other], [Edge("actor:x", "actor:y", "asked-with", {"c"})],
                  "t", True)
    doc = etree.fromstring(to_gexf(net))
    assert schema.validate(doc), schema.error_log
    node = doc.find(".//{http://gexf.net/1.3}node")
    assert node.get("label") == "A B C"
    assert "甲乙" in etree.tostring(doc, encoding="unicode")
    nodes_csv, _ = to_csv(net)
    assert "\x00" not in nodes_csv and "\x0b" not in nodes_csv


def test_build_exports_write_the_default_gexf_fast(seed_store, gexf, tmp_path):
    from mandates.exports.gephi import write_build_exports

    write_build_exports(seed_store, tmp_path)
    assert (tmp_path / "mandates.gexf").read_bytes() == gexf["mandate"]


def test_the_build_writes_mandates_gexf(seed_build, gexf):
    out, _ = seed_build
    assert (out / "mandates.gexf").read_bytes() == gexf["mandate"]


# --- CSV -------------------------------------------------------------------------------------

def test_gephi_csv_tables(seed_build, networks, tmp_path):
    out, _ = seed_build
    r = run("export", "gephi-csv", "--store", str(out), "--projection", "co-addressee", "--out", str(tmp_path / "t"))
    assert r.returncode == 0, r.stderr
    nodes = list(csv.DictReader(io.StringIO((tmp_path / "t/nodes.csv").read_text(encoding="utf-8"))))
    edges = list(csv.DictReader(io.StringIO((tmp_path / "t/edges.csv").read_text(encoding="utf-8"))))
    assert list(nodes[0])[:5] == ["Id", "Label", "type", "label_zh", "label_en"]
    assert list(edges[0])[:5] == ["Id", "Source", "Target", "Type", "Weight"] and "relation" in edges[0]
    net = networks["co-addressee"]
    assert [n["Id"] for n in nodes] == [n.id for n in net.nodes]
    assert len(edges) == len(net.edges) and {e["Type"] for e in edges} == {"Undirected"}
    un_ipu = next(e for e in edges if (e["Source"], e["Target"]) == (IPU, UN))
    assert (un_ipu["Weight"], un_ipu["relation"]) == ("6", "asked-with")


# --- the picture -----------------------------------------------------------------------------

def test_png_and_svg_of_the_mandate_network(networks):
    from mandates.exports.gephi import draw

    png = draw(networks["mandate"], "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 50_000
    svg = draw(networks["mandate"], "svg").decode("utf-8")
    assert svg == draw(networks["mandate"], "svg").decode("utf-8")  # deterministic
    assert "<dc:date>" not in svg
    texts = svg.count("<text")
    assert texts >= len(networks["mandate"].nodes)
    for label in ("Secretary-General", "General Assembly", "World Health", "Inter-Parliamentary"):
        assert label in svg, label


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_export_picture_from_the_command_line(seed_build, tmp_path, kind):
    out, _ = seed_build
    target = tmp_path / f"seed.{kind}"
    r = run("export", kind, "--store", str(out), "--out", str(target))
    assert r.returncode == 0, r.stderr
    assert target.stat().st_size > 20_000


def test_readme_picture_is_in_docs():
    picture = ROOT / "docs/seed-mandate-network.png"
    assert picture.read_bytes().startswith(b"\x89PNG") and picture.stat().st_size > 50_000


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


def test_unknown_projection_is_a_usage_error(seed_build):
    out, _ = seed_build
    r = run("export", "gephi", "--store", str(out), "--projection", "nonsense")
    assert r.returncode == 2 and "Traceback" not in r.stderr
