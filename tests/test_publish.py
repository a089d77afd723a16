"""``mandates publish``: the static linked-data site of the seed resolution.

Every resource (and every named graph) has its page and its four RDF twins; each twin holds
exactly the description of the IRI (the rule of mandates.rdf.describe, re-implemented here
from the raw quads: its own triples, its inbound triples, the description's licence, dataset
and source graphs); clause pages show the text with the mentions highlighted and linked; every
State and organization of the vocabularies has its page; the VoID description counts and
checksums what the dumps hold, and the catalogue is DCAT-AP (checked with DCAT-AP 3 shapes);
pages have their stylesheet when opened as files; two publishes give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import urllib.parse
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import ROOT

BASE = "https://w3id.org/un-mandates/"
MND = BASE + "ontology#"
OA = "http://www.w3.org/ns/oa#"
VOID = "http://rdfs.org/ns/void#"
SPDX = "http://spdx.org/rdf/terms#"
DCAT = "http://www.w3.org/ns/dcat#"
CLAUSE = "doc/A-RES-74-304/op/24/c/2"
FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
           "rdf": ox.RdfFormat.RDF_XML}
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
IPU = "actor/inter-parliamentary-union"
SHAPES = ROOT / "tests/schemas/dcat-ap/dcat-ap-3-compact.ttl"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mandates.cli", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


@pytest.fixture(scope="module")
def site(seed_build, tmp_path_factory):
    from mandates.web.publish import publish

    build_dir, _ = seed_build
    out = tmp_path_factory.mktemp("site") / "site"
    counts = publish(build_dir, out)
    return out, counts


@pytest.fixture(scope="module")
def manifest(site):
    return json.loads((site[0] / "manifest.json").read_text(encoding="utf-8"))


class Graph:
    """The union of the store's graphs, by subject and by object, and the graphs each triple is in
    (read straight from the store)."""

    def __init__(self, quads):  # type: ignore[no-untyped-def]
        self.by_s = defaultdict(set)
        self.by_o = defaultdict(set)
        self.graphs = defaultdict(set)
        for q in quads:
            t = ox.Triple(q.subject, q.predicate, q.object)
            self.by_s[q.subject.value].add(t)
            if isinstance(q.object, ox.NamedNode):
                self.by_o[q.object.value].add(t)
            self.graphs[t].add(q.graph_name.value)

    def __getitem__(self, s: str) -> set:
        return self.by_s[s]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(list(self.by_s))

    def items(self):  # type: ignore[no-untyped-def]
        return self.by_s.items()


@pytest.fixture(scope="module")
def graph(seed_build):
    from mandates.rdf.store import open_store

    store = open_store(seed_build[0] / "store", read_only=True)
    return Graph(store.quads_for_pattern(None, None, None, None))


def expected_own(by_s, iri: str) -> set:
    """The IRI's own triples: subject IRI or IRI#fragment, then the anchors and selectors reached from them."""
    todo = [s for s in by_s if s == iri or s.startswith(iri + "#")]
    out, seen = set(), set()
    while todo:
        s = todo.pop()
        if s in seen:
            continue
        seen.add(s)
        for t in by_s[s]:
            out.add(t)
            if t.predicate.value in (MND + "anchor", OA + "hasSelector"):
                todo.append(t.object.value)
    return out


def expected_about(graph: Graph, iri: str, limit: int = 500) -> set:
    """The rule: the own triples, the first ``limit`` inbound ones (by N-Triples form), and what
    the description document IRI.html says of itself."""
    N = ox.NamedNode
    own = expected_own(graph.by_s, iri)
    inbound = sorted(graph.by_o.get(iri, set()) - own, key=str)
    kept = inbound[:limit]
    doc = N(iri + ".html")
    meta = {ox.Triple(doc, N(FOAF + "primaryTopic"), N(iri)), ox.Triple(doc, N(VOID + "inDataset"), N(BASE + "void.ttl#dataset")),
            ox.Triple(doc, N(DCT + "license"), N(LICENSE))}
    meta |= {ox.Triple(doc, N(PROV + "wasDerivedFrom"), N(g)) for t in own | set(kept) for g in graph.graphs[t]}
    if len(inbound) > limit:
        q = urllib.parse.quote(f"CONSTRUCT {{ ?s ?p <{iri}> }} WHERE {{ ?s ?p <{iri}> }}", safe="")
        meta.add(ox.Triple(doc, N(RDFS + "seeAlso"), N(f"{BASE}sparql?query={q}")))
    return own | set(kept) | meta


def triples(data: bytes, fmt) -> set:  # type: ignore[no-untyped-def]
    """What a file parses to, as triples (pyoxigraph parses to quads in the default graph)."""
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, format=fmt)}


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_every_resource_has_its_five_files(site, manifest, graph):
    root, counts = site
    res = manifest["resources"]
    assert counts["resources"] == len(res) > 1000
    for path, entry in res.items():
        assert entry["iri"] == BASE + path
        assert set(entry["files"]) == {"html", "ttl", "jsonld", "nt", "rdf"}
        for ext, rel in entry["files"].items():
            assert rel == f"{path}.{ext}"
            assert (root / rel).is_file(), rel
    # every IRI under the base that is a subject has a resource (hash IRIs by their document),
    # and so has every named graph
    subjects = {s[len(BASE):].partition("#")[0] for s in graph if s.startswith(BASE)}
    graphs = {g[len(BASE):] for gs in graph.graphs.values() for g in gs}
    assert {"graph/A-RES-74-304/zh", "graph/vocabulary"} <= graphs
    assert subjects | graphs == set(res) and not subjects & graphs
    assert {res[g]["kind"] for g in graphs} == {"graph"}
    kinds = {e["kind"] for e in res.values()}
    assert {"resolution", "paragraph", "clause", "actor", "instrument", "verb", "theme", "footnote",
            "report", "mention", "ontology"} <= kinds
    assert res["doc/A-RES-74-304"]["kind"] == "resolution"
    assert res[CLAUSE]["kind"] == "clause"
    assert res[IPU]["kind"] == "actor"
    for f in ("index.html", "void.ttl", "context.jsonld", "style.css", "dump/graph.nq", "dump/graph.ttl",
              "dump/SHA256SUMS", "ontology/index.html", "ontology/mandates.ttl", "ontology.html", "sitemap.xml",
              "robots.txt", ".well-known/void.ttl", ".nginx/noninfo.map", ".nginx/retired.map"):
        assert (root / f).is_file(), f
    assert (root / "doc/A-RES-74-304.html").is_file() and (root / "doc/A-RES-74-304").is_dir()


def test_every_state_and_organization_has_its_page(site, manifest):
    """Every actor of the vocabularies (the States, the organizations, the other actors) has its
    page and its twins, whether a built text names it or not."""
    root = site[0]
    actors = set()
    for name in ("states.ttl", "organizations.ttl", "actors.ttl"):
        for t in ox.parse((ROOT / "ontology/vocab" / name).read_bytes(), format=ox.RdfFormat.TURTLE):
            if t.predicate.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" and t.object.value == MND + "Actor":
                actors.add(t.subject.value[len(BASE):])
    assert len(actors) > 500
    states = [a for a in actors if (root / f"{a}.ttl").is_file()
              and f"<{MND}State>" in (root / f"{a}.nt").read_text(encoding="utf-8")]
    assert len(states) >= 200
    missing = sorted(a for a in actors if manifest["resources"].get(a, {}).get("kind") != "actor")
    assert missing == []
    assert all((root / f"{a}.html").is_file() for a in actors)
    # a State no text of the seed names: its page says so, its description is still whole
    page = (root / "actor/bhutan.html").read_text(encoding="utf-8")
    assert "No mandate in this dataset asks it." in page and "不丹" in page


def test_twins_hold_the_description_of_the_iri(site, manifest, graph, seed_build):
    from mandates.web.publish import about
    from mandates.rdf.store import open_store

    root = site[0]
    for path, entry in manifest["resources"].items():
        if entry["kind"] == "graph":
            continue
        want = expected_about(graph, entry["iri"])
        assert want and len(want) == entry["triples"], path
        for ext, fmt in FORMATS.items():
            got = triples((root / entry["files"][ext]).read_bytes(), fmt)
            assert got == want, f"{path}.{ext}"
    store = open_store(seed_build[0] / "store", read_only=True)
    for path in (CLAUSE, "doc/A-RES-74-304/op/24", "ontology", IPU, "doc/A-RES-74-304/zh/m/4536-4539"):
        assert set(about(store, BASE + path)) == expected_about(graph, BASE + path), path
    # the paragraph's own triples are its, its anchor's and the anchor's selector's, not its
    # mentions' (they only point to it: inbound triples)
    para = BASE + "doc/A-RES-74-304/op/24"
    assert {t.subject.value for t in expected_own(graph.by_s, para)} == {
        para, BASE + "doc/A-RES-74-304/zh/op/24", BASE + "doc/A-RES-74-304/zh/op/24/sel"}
    desc = expected_about(graph, para)
    others = {t for t in desc if t.subject.value not in (para, para + ".html") and "/zh/op/24" not in t.subject.value}
    assert others and all(t.object.value == para for t in others)
    assert any(t.predicate.value == MND + "inParagraph" for t in others)


def test_the_ipu_description_has_inbound_triples_licence_and_provenance(site, graph):
    """The IPU's Turtle holds the triples that name it as their object (the clauses that ask
    it, the mentions that refer to it), the licence, the dataset and the graphs it comes from."""
    root = site[0]
    ipu = BASE + IPU
    got = triples((root / f"{IPU}.ttl").read_bytes(), ox.RdfFormat.TURTLE)
    inbound = {t for t in got if t.object.value == ipu and t.subject.value != ipu + ".html"}
    addressed = {t.subject.value for t in inbound if t.predicate.value == MND + "addressee"}
    assert len(addressed) >= 8 and BASE + "doc/A-RES-74-304/op/20/c/1" in addressed
    assert inbound == graph.by_o[ipu] - expected_own(graph.by_s, ipu)
    doc = ipu + ".html"

    def obj(p: str) -> set:
        return {t.object.value for t in got if t.subject.value == doc and t.predicate.value == p}

    assert obj(DCT + "license") == {LICENSE} and obj(VOID + "inDataset") == {BASE + "void.ttl#dataset"}
    assert obj(FOAF + "primaryTopic") == {ipu}
    assert obj(PROV + "wasDerivedFrom") == {BASE + "graph/A-RES-74-304/zh", BASE + "graph/vocabulary"}
    assert not obj(RDFS + "seeAlso")  # every inbound triple is there


def test_inbound_triples_are_bounded_with_a_query_for_the_rest(seed_build, graph, monkeypatch):
    """Past the bound, a description holds the first inbound triples and links to the SPARQL
    query that gives them all; the store's rule and the in-memory one agree."""
    from mandates.rdf import describe
    from mandates.rdf.store import open_store

    monkeypatch.setattr(describe, "MAX_INBOUND", 10)
    store = open_store(seed_build[0] / "store", read_only=True)
    ipu = BASE + IPU
    quads = list(store.quads_for_pattern(None, None, None, None))
    index = describe.GraphIndex(quads, BASE)
    got = set(index.about(ipu))
    assert got == expected_about(graph, ipu, limit=10) == set(describe.describe(store, ipu))
    (link,) = [t.object.value for t in got if t.predicate.value == RDFS + "seeAlso"]
    query = urllib.parse.unquote(link.partition("?query=")[2])
    answer = {ox.Triple(t.subject, t.predicate, t.object)
              for t in store.query(query, use_default_graph_as_union=True)}
    assert answer == graph.by_o[ipu] and len(answer) > 10
    assert len([t for t in got if t.object.value == ipu and t.subject.value != ipu + ".html"]) == 10


def test_named_graphs_have_their_pages(site, manifest, graph):
    """A named graph's files hold exactly its triples; void.ttl describes it."""
    root = site[0]
    g = BASE + "graph/A-RES-74-304/zh"
    content = {t for t, gs in graph.graphs.items() if g in gs}
    for ext, fmt in FORMATS.items():
        assert triples((root / f"graph/A-RES-74-304/zh.{ext}").read_bytes(), fmt) == content, ext
    assert manifest["resources"]["graph/A-RES-74-304/zh"]["triples"] == len(content) > 4000
    void = triples((root / "void.ttl").read_bytes(), ox.RdfFormat.TURTLE)
    about_g = {t for t in void if t.subject.value == g}
    assert {t.object.value for t in about_g if t.predicate.value == VOID + "triples"} == {str(len(content))}
    roots = {t.object.value for t in about_g if t.predicate.value == VOID + "rootResource"}
    assert roots == {BASE + "doc/A-RES-74-304", BASE + "doc/A-RES-74-304/zh"}
    assert {t.object.value for t in about_g if t.predicate.value == PROV + "wasDerivedFrom"} == {
        BASE + "doc/A-RES-74-304/zh/source"}
    # its page is the table `mandates serve` answers at its IRI (tests/test_serve.py holds them equal)
    from lxml import html as lhtml

    page = lhtml.fromstring((root / "graph/A-RES-74-304/zh.html").read_bytes())
    assert f"Named graph {g}" in page.text_content() and len(page.xpath("//table//tr")) == 2001
    # a resource's page links the graphs its triples come from
    assert 'href="/graph/A-RES-74-304/zh"' in (root / f"{CLAUSE}.html").read_text(encoding="utf-8")


def _text(el) -> str:  # type: ignore[no-untyped-def]
    return re.sub(r"\s+", "", el.text_content())


def test_clause_page_highlights_the_mentions(site, graph):
    from lxml import html as lhtml

    root = site[0]
    page = (root / f"{CLAUSE}.html").read_text(encoding="utf-8")
    doc = lhtml.fromstring(page)
    clause = BASE + CLAUSE
    text = next(t.object.value for t in graph[clause] if t.predicate.value == MND + "text")
    (p,) = doc.xpath('//p[contains(concat(" ", @class, " "), " text ")]')
    for span in p.xpath('span[@class="lang"]'):
        span.drop_tree()
    assert _text(p) == re.sub(r"\s+", "", text)
    # every mention inside the clause's anchor is a <mark> whose text is the mention's exact text
    anchor = next(t.object.value for t in graph[clause] if t.predicate.value == MND + "anchor")
    sel = next(t.object.value for t in graph[anchor] if t.predicate.value == OA + "hasSelector")
    val = {t.predicate.value: t.object.value for t in graph[sel]}
    lo, hi = int(val[OA + "start"]), int(val[OA + "end"])
    inside = {}
    for s, ts in graph.items():
        props = {t.predicate.value: t.object.value for t in ts}
        if "/zh/m/" in s and not s.endswith("/sel") and s.startswith(BASE + "doc/A-RES-74-304/"):
            a, b = (int(x) for x in s.rsplit("/", 1)[1].split("-"))
            if lo <= a and b <= hi:
                inside["/" + s[len(BASE):]] = props[MND + "exact"]
    marks = p.xpath(".//mark")
    assert len(inside) >= 10
    assert {m.get("data-mention"): _text(m) for m in marks} == {k: re.sub(r"\s+", "", v) for k, v in inside.items()}
    # each highlight links to the page of what it refers to, and that page exists
    actors = set()
    for m in marks:
        links = m.xpath("./a/@href")
        assert links, lhtml.tostring(m)
        for h in links:
            assert (root / (h.lstrip("/") + ".html")).is_file(), h
        actors.update(h for h in links if h.startswith("/actor/"))
    assert {"/actor/secretary-general", "/actor/inter-parliamentary-union", "/actor/general-assembly"} <= actors
    sg = [m for m in marks if m.xpath('./a[@href="/actor/secretary-general"]')]
    assert sg and _text(sg[0]) == "秘书长"
    assert 'class="m actor' in page
    # both languages on the page, the verb and the report linked
    assert "Clause" in page and "分句" in page
    assert 'href="/verb/request"' in page and f'href="/{CLAUSE}/report"' in page


def test_paragraph_resolution_and_actor_pages(site):
    from lxml import html as lhtml

    root = site[0]
    para = lhtml.fromstring((root / "doc/A-RES-74-304/op/24.html").read_text(encoding="utf-8"))
    assert para.xpath('//p[contains(@class, "text")]//mark/a[@href="/actor/secretary-general"]')
    assert para.xpath('//a[@class="fn" and @href="/doc/A-RES-74-304/fn/9"]')  # the footnote marker ⁹
    assert "**" not in _text(para.xpath('//p[contains(@class, "text")]')[0])
    res = (root / "doc/A-RES-74-304.html").read_text(encoding="utf-8")
    assert res.count('<section class="para"') == 42
    assert 'href="/doc/A-RES-74-304/op/24/c/2"' in res and 'href="/actor/secretary-general"' in res
    actor = (root / "actor/inter-parliamentary-union.html").read_text(encoding="utf-8")
    assert "What is asked of it" in actor and "被要求做的事" in actor
    assert 'href="/doc/A-RES-74-304/op/20/c/1"' in actor  # OP 20 calls for it (asked-of-actor.rq)
    onto = (root / "ontology/index.html").read_text(encoding="utf-8")
    assert 'id="Mandate"' in onto and 'id="LanguageVersion"' in onto and "S01" in onto
    # the same page, its stylesheet and formats linked from where each file is
    assert (root / "ontology.html").read_text(encoding="utf-8") == onto.replace('href="../', 'href="')
    home = (root / "index.html").read_text(encoding="utf-8")
    assert 'href="/doc/A-RES-74-304"' in home and "UN mandates" in home and "联合国" in home


def test_internal_links_resolve(site):
    """Root-relative links resolve as the shipped server configuration resolves them (the file,
    else ``PATH.html``, else ``PATH/index.html``); relative ones (the stylesheet, the other
    formats) resolve as files, so a page opened as a file has its style."""
    root = site[0]
    broken = set()
    pages = list(root.rglob("*.html"))
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for h in set(re.findall(r'href="(/[^"#?]*)', text)):
            if h == "/sparql":  # served by `mandates serve`
                continue
            rel = h.lstrip("/")
            if not ((root / rel).is_file() or (root / f"{rel}.html").is_file() or (root / rel / "index.html").is_file()):
                broken.add(h)
        for h in set(re.findall(r'href="((?![a-z]+:|/|#)[^"#?]+)', text)):
            if not (page.parent / h).resolve().is_file():
                broken.add(f"{page.relative_to(root)}: {h}")
        (css,) = re.findall(r'<link rel="stylesheet" href="([^"]+)"', text)
        if page.relative_to(root).parts[0] == "graph":  # the server's page of a named graph
            assert css == "/style.css"
        else:
            assert (page.parent / css).resolve() == (root / "style.css").resolve(), page
    assert not broken, sorted(broken)[:10]
    assert len(pages) > 1000


def test_void_counts_and_checksums(site):
    root = site[0]
    void = triples((root / "void.ttl").read_bytes(), ox.RdfFormat.TURTLE)

    def obj(s: str, p: str) -> list[str]:
        return [t.object.value for t in void if t.subject.value == s and t.predicate.value == p]

    ds = BASE + "void.ttl#dataset"
    nq = (root / "dump/graph.nq").read_bytes()
    ttl = (root / "dump/graph.ttl").read_bytes()
    quads = list(ox.parse(nq, format=ox.RdfFormat.N_QUADS))
    union = triples(ttl, ox.RdfFormat.TURTLE)
    assert union == {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    assert int(obj(ds, VOID + "triples")[0]) == len(union)
    assert sum(int(obj(g, VOID + "triples")[0]) for g in obj(ds, VOID + "subset")) == len(quads)
    assert obj(ds, "http://purl.org/dc/terms/license") == ["https://creativecommons.org/licenses/by/4.0/"]
    assert any("undocs.org" in s or "un.org" in s for s in obj(ds, "http://purl.org/dc/terms/source"))
    sums = dict(reversed(line.split("  ")) for line in (root / "dump/SHA256SUMS").read_text().splitlines())
    for name, blob in (("graph.nq", nq), ("graph.ttl", ttl)):
        dist = BASE + "dump/" + name
        assert dist in obj(ds, VOID + "dataDump")
        (chk,) = obj(dist, SPDX + "checksum")
        assert obj(chk, SPDX + "checksumValue") == [hashlib.sha256(blob).hexdigest()] == [sums[name]]
        assert obj(dist, DCAT + "byteSize") == [str(len(blob))]
    ctx = json.loads((root / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    assert ctx["mnd"] == MND and ctx["addressee"] == {"@id": "mnd:addressee", "@type": "@id"}
    assert (root / ".well-known/void.ttl").read_bytes() == (root / "void.ttl").read_bytes()


def _shacl(data: bytes):  # type: ignore[no-untyped-def]
    """pySHACL's verdict on a catalogue (Turtle) under the DCAT-AP 3 shapes: (conforms, violations, warnings)."""
    import pyshacl
    from rdflib import Graph as RDFGraph
    from rdflib import Namespace

    sh = Namespace("http://www.w3.org/ns/shacl#")
    data_g = RDFGraph().parse(data=data, format="turtle")
    conforms, report, _ = pyshacl.validate(data_g, shacl_graph=RDFGraph().parse(SHAPES, format="turtle"))
    severity = {str(r): str(report.value(r, sh.resultSeverity)) for r in report.subjects(sh.resultSeverity, None)}
    violations = sorted(r for r, v in severity.items() if v.endswith("Violation"))
    return conforms, violations, sorted(r for r, v in severity.items() if v.endswith("Warning"))


def test_catalogue_is_dcat_ap(site):
    """The catalogue passes the DCAT-AP 3 shapes, mandatory and recommended properties alike;
    a catalogue without its publisher, a dataset without a title or a distribution without its
    access URL fails them."""
    root = site[0]
    void = (root / "void.ttl").read_bytes()
    conforms, violations, warnings = _shacl(void)
    assert conforms and not violations and not warnings
    g = triples(void, ox.RdfFormat.TURTLE)

    def obj(s: str, p: str) -> set:
        return {t.object.value for t in g if t.subject.value == s and t.predicate.value == p}

    cat, ds, svc = (BASE + "void.ttl#" + x for x in ("catalog", "dataset", "service"))
    assert obj(cat, DCAT + "dataset") == {ds} and obj(cat, DCAT + "service") == {svc}
    assert obj(svc, DCAT + "endpointURL") == {BASE + "sparql"} and obj(svc, DCAT + "servesDataset") == {ds}
    assert obj(ds, DCT + "issued") == obj(ds, DCT + "modified") == {"2020-09-04"}  # the adoption date, not the clock
    assert "http://publications.europa.eu/resource/authority/data-theme/INTR" in obj(ds, DCAT + "theme")
    assert {"任务授权", "mandates"} <= obj(ds, DCAT + "keyword")
    (rights,) = obj(ds, DCT + "rights")
    assert any("mnd:text" in x for x in obj(rights, RDFS + "label"))
    (contact,) = obj(ds, DCAT + "contactPoint")
    assert obj(contact, "http://www.w3.org/2006/vcard/ns#hasURL") == {BASE}
    for s_, p in ((cat, DCT + "publisher"), (ds, DCT + "title"), (BASE + "dump/graph.nq", DCAT + "accessURL")):
        kept = [t for t in g if not (t.subject.value == s_ and t.predicate.value == p)]
        assert len(kept) < len(g)
        conforms, violations, _ = _shacl(ox.serialize(kept, format=ox.RdfFormat.N_TRIPLES))
        assert not conforms and violations, (s_, p)


def test_sitemap_robots_and_nginx_maps(site, manifest, seed_build):
    from lxml import etree

    root = site[0]
    doc = etree.parse(str(root / "sitemap.xml"))
    locs = doc.xpath("//s:loc/text()", namespaces={"s": "http://www.sitemaps.org/schemas/sitemap/0.9"})
    assert len(locs) == len(manifest["resources"]) + 2 and len(set(locs)) == len(locs)
    assert BASE + CLAUSE in locs and BASE + IPU + ".html" in locs and BASE + IPU not in locs
    robots = (root / "robots.txt").read_text(encoding="utf-8")
    assert "Disallow: /sparql" in robots and f"Sitemap: {BASE}sitemap.xml" in robots
    noninfo = re.findall(r'^"(/[^"]+)" 1;$', (root / ".nginx/noninfo.map").read_text(encoding="utf-8"), re.M)
    want = {"/" + p for p, e in manifest["resources"].items() if e.get("noninformation")}
    assert set(noninfo) == want and {"/" + IPU, "/verb/request", "/scheme/actors", "/actor/bhutan"} <= want
    assert not {"/" + DOC for DOC in ("doc/A-RES-74-304", CLAUSE, "ontology", "graph/vocabulary")} & want
    # the same things as `mandates serve` answers 303 for (one rule: by type)
    from mandates.web.resources import Resources

    assert want == {"/" + p for p in Resources(seed_build[0] / "store", site=root).things}
    retired = (root / ".nginx/retired.map").read_text(encoding="utf-8").splitlines()
    assert [line for line in retired if not line.startswith("#")] == []  # the seed retires no IRI


def test_publish_is_byte_identical_and_swaps(site, seed_build, tmp_path):
    from mandates.web.publish import publish

    root = site[0]
    again = tmp_path / "again"
    again.mkdir()
    (again / "manifest.json").write_text("{}")  # an earlier site, replaced whole
    (again / "stale.html").write_text("old")
    publish(seed_build[0], again)
    assert files_of(again) == files_of(root)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".again")]


def test_html_is_escaped(tmp_path):
    """Text from the graph never becomes markup."""
    from mandates.web.publish import publish
    from mandates.rdf.store import open_store

    N, L = ox.NamedNode, ox.Literal
    (tmp_path / "b").mkdir()
    store = open_store(tmp_path / "b" / "store")
    g = N(BASE + "graph/X-1/en")
    work = N(BASE + "doc/X-1")
    evil = '<script>alert("x")</script> & <b>'
    for s, p, o in ((work, N("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), N(MND + "Resolution")),
                    (work, N("http://purl.org/dc/terms/title"), L(evil, language="en")),
                    (work, N(MND + "symbol"), L("X/1" + evil)),
                    (work, N("http://www.w3.org/2000/01/rdf-schema#seeAlso"), N("javascript:alert(1)"))):
        store.add(ox.Quad(s, p, o, g))
    store.flush()
    del store
    out = tmp_path / "site"
    publish(tmp_path / "b", out)
    page = (out / "doc/X-1.html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "javascript:" in page and 'href="javascript:' not in page
    assert "<script>" not in (out / "index.html").read_text(encoding="utf-8")


def test_cli_exit_codes(seed_build, tmp_path):
    build_dir = seed_build[0]
    r = run("publish", "--store", str(tmp_path / "nowhere"), "--out", str(tmp_path / "s"))
    assert r.returncode == 3 and "Traceback" not in r.stderr and "nowhere" in r.stderr
    (tmp_path / "empty").mkdir()
    r = run("publish", "--store", str(tmp_path / "empty"), "--out", str(tmp_path / "s"))
    assert r.returncode == 3 and "not a built store" in r.stderr
    r = run("publish", "--store", str(build_dir))
    assert r.returncode == 2 and "--out" in r.stderr
    (tmp_path / "file").write_text("x")
    r = run("publish", "--store", str(build_dir), "--out", str(tmp_path / "file"))
    assert r.returncode == 2
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    r = run("publish", "--store", str(build_dir), "--out", str(tmp_path / "mine"))
    assert r.returncode == 2 and (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
    r = run("publish", "--store", str(build_dir), "--out", str(tmp_path / "s"), "--base", "not an iri")
    assert r.returncode == 2 and "--base" in r.stderr
    assert not (tmp_path / "s").exists()
    # another base: every IRI of the data moves, the ontology's terms stay
    r = run("publish", "--store", str(build_dir), "--out", str(tmp_path / "s"), "--base", "http://localhost:8000/")
    assert r.returncode == 0, r.stderr
    nt = (tmp_path / "s" / f"{CLAUSE}.nt").read_text(encoding="utf-8")
    assert f"<http://localhost:8000/{CLAUSE}>" in nt and "<http://localhost:8000/actor/secretary-general>" in nt
    assert BASE + "doc/" not in nt and MND + "verb" in nt
    m = json.loads((tmp_path / "s" / "manifest.json").read_text(encoding="utf-8"))
    assert m["base"] == "http://localhost:8000/" and m["resources"][CLAUSE]["iri"] == f"http://localhost:8000/{CLAUSE}"
    assert "ontology" not in m["resources"] and (tmp_path / "s" / "ontology" / "index.html").is_file()
    assert "https://w3id.org/un-mandates/actor/" not in (tmp_path / "s" / "dump" / "graph.nq").read_text(encoding="utf-8")


def test_serialisers_do_not_depend_on_the_order_given(site, graph):
    import random

    from mandates.web.publish import to_jsonld, to_ntriples, to_rdfxml, to_turtle

    triples_ = sorted(expected_about(graph, BASE + "doc/A-RES-74-304/op/24"), key=str)
    shuffled = triples_[:]
    random.Random(7).shuffle(shuffled)
    for write, ext in ((to_turtle, "ttl"), (to_jsonld, "jsonld"), (to_ntriples, "nt"), (to_rdfxml, "rdf")):
        assert write(shuffled) == write(triples_) == (site[0] / f"doc/A-RES-74-304/op/24.{ext}").read_bytes()
    assert (site[0] / "doc/A-RES-74-304/op/24.rdf").read_bytes().startswith(b'<?xml version="1.0"')


def test_catalogue_options(seed_build, tmp_path):
    """``--issued``, ``--publisher`` and ``--contact`` go into the catalogue; a bad one is a usage error."""
    out = tmp_path / "s"
    r = run("publish", "--store", str(seed_build[0]), "--out", str(out), "--issued", "2021-01-15",
            "--publisher", "Example Institute", "--contact", "mailto:data@example.org")
    assert r.returncode == 0, r.stderr
    g = triples((out / "void.ttl").read_bytes(), ox.RdfFormat.TURTLE)
    ds = BASE + "void.ttl#dataset"
    for p in (DCT + "issued", DCT + "modified"):
        assert {t.object.value for t in g if t.subject.value == ds and t.predicate.value == p} == {"2021-01-15"}
    assert any(t.object.value == "Example Institute" for t in g)
    assert any(t.object.value == "mailto:data@example.org" for t in g)
    assert _shacl((out / "void.ttl").read_bytes())[0]
    for opt, value in (("--issued", "last year"), ("--contact", "someone")):
        r = run("publish", "--store", str(seed_build[0]), "--out", str(tmp_path / "t"), opt, value)
        assert r.returncode == 2 and opt in r.stderr and "Traceback" not in r.stderr


def test_every_phrase_of_the_site_is_in_the_catalogue():
    """The site's fixed words live in ingest/mandates/web/templates/messages.json, in Chinese and English
    (the templates and the modules that render the site name them as ``B("...")`` or ``M("...")``)."""
    from mandates.web.publish import KINDS, LANG_NAMES, TEMPLATES

    messages = json.loads((TEMPLATES / "messages.json").read_text(encoding="utf-8"))
    web = ROOT / "ingest" / "mandates" / "web"
    code = "\n".join(f.read_text(encoding="utf-8") for f in [web / "publish.py", web / "site.py",
                                                             *sorted(TEMPLATES.rglob("*.html"))])
    keys = {m.group(2) for m in re.finditer(r"""\b[BM]\((["'])(.*?)\1""", code)}
    keys |= set(KINDS.values()) | set(LANG_NAMES.values())
    assert len(keys) > 50
    assert sorted(k for k in keys if k not in messages) == []
    assert all(set(v) == {"zh", "en"} and v["zh"] and v["en"] for v in messages.values())
