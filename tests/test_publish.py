"""``mandates publish``: the static linked-data site of the seed resolution.

Every resource has its page and its three RDF twins; each twin holds exactly the triples
the graph holds about the IRI (the rule of mandates.web.publish, re-implemented here from the
raw quads); clause pages show the text with the mentions highlighted and linked; the VoID
description counts and checksums what the dumps hold; two publishes give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
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
FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}


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


@pytest.fixture(scope="module")
def graph(seed_build):
    """The union of the store's graphs, by subject (read straight from the store)."""
    from mandates.rdf.store import open_store

    store = open_store(seed_build[0] / "store", read_only=True)
    by_s = defaultdict(set)
    for q in store.quads_for_pattern(None, None, None, None):
        by_s[q.subject.value].add(ox.Triple(q.subject, q.predicate, q.object))
    return by_s


def expected_about(by_s, iri: str) -> set:
    """The rule: subject IRI or IRI#fragment, then the anchors and selectors reached from them."""
    todo = [s for s in by_s if s == iri or s.startswith(iri + "#")]
    out, seen = set(), set()
    while todo:
        s = todo.pop()
        if s in seen:
            continue
        seen.add(s)
        for t in by_s.get(s, ()):
            out.add(t)
            if t.predicate.value in (MND + "anchor", OA + "hasSelector"):
                todo.append(t.object.value)
    return out


def triples(data: bytes, fmt) -> set:  # type: ignore[no-untyped-def]
    """What a file parses to, as triples (pyoxigraph parses to quads in the default graph)."""
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, format=fmt)}


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_every_resource_has_its_four_files(site, manifest, graph):
    root, counts = site
    res = manifest["resources"]
    assert counts["resources"] == len(res) > 1000
    for path, entry in res.items():
        assert entry["iri"] == BASE + path
        assert set(entry["files"]) == {"html", "ttl", "jsonld", "nt"}
        for ext, rel in entry["files"].items():
            assert rel == f"{path}.{ext}"
            assert (root / rel).is_file(), rel
    # every IRI under the base that is a subject has a resource (hash IRIs by their document)
    subjects = {s[len(BASE):].partition("#")[0] for s in graph if s.startswith(BASE)}
    assert subjects == set(res)
    kinds = {e["kind"] for e in res.values()}
    assert {"resolution", "paragraph", "clause", "actor", "instrument", "verb", "theme", "footnote",
            "report", "mention", "ontology"} <= kinds
    assert res["doc/A-RES-74-304"]["kind"] == "resolution"
    assert res[CLAUSE]["kind"] == "clause"
    assert res["actor/inter-parliamentary-union"]["kind"] == "actor"
    for f in ("index.html", "void.ttl", "context.jsonld", "style.css", "dump/graph.nq", "dump/graph.ttl",
              "dump/SHA256SUMS", "ontology/index.html", "ontology/mandates.ttl", "ontology.html"):
        assert (root / f).is_file(), f
    assert (root / "doc/A-RES-74-304.html").is_file() and (root / "doc/A-RES-74-304").is_dir()


def test_twins_hold_the_triples_about_the_iri(site, manifest, graph, seed_build):
    from mandates.web.publish import about
    from mandates.rdf.store import open_store

    root = site[0]
    for path, entry in manifest["resources"].items():
        want = expected_about(graph, entry["iri"])
        assert want and len(want) == entry["triples"], path
        for ext, fmt in FORMATS.items():
            got = triples((root / entry["files"][ext]).read_bytes(), fmt)
            assert got == want, f"{path}.{ext}"
    store = open_store(seed_build[0] / "store", read_only=True)
    for path in (CLAUSE, "doc/A-RES-74-304/op/24", "ontology", "actor/inter-parliamentary-union",
                 "doc/A-RES-74-304/zh/m/4536-4539"):
        assert set(about(store, BASE + path)) == expected_about(graph, BASE + path), path
    # the paragraph's twin carries its anchor and the anchor's selector, not its mentions
    para = {t.subject.value for t in expected_about(graph, BASE + "doc/A-RES-74-304/op/24")}
    assert para == {BASE + "doc/A-RES-74-304/op/24", BASE + "doc/A-RES-74-304/zh/op/24",
                    BASE + "doc/A-RES-74-304/zh/op/24/sel"}


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
    assert (root / "ontology.html").read_bytes() == (root / "ontology/index.html").read_bytes()
    home = (root / "index.html").read_text(encoding="utf-8")
    assert 'href="/doc/A-RES-74-304"' in home and "UN mandates" in home and "联合国" in home


def test_internal_links_resolve(site):
    root = site[0]
    broken = set()
    for page in root.rglob("*.html"):
        for h in set(re.findall(r'href="(/[^"#]*)', page.read_text(encoding="utf-8"))):
            if h == "/sparql":  # served by `mandates serve`
                continue
            rel = h.lstrip("/")
            if not ((root / rel).is_file() or (root / f"{rel}.html").is_file() or (root / rel / "index.html").is_file()):
                broken.add(h)
    assert not broken, sorted(broken)[:10]


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

    from mandates.web.publish import to_jsonld, to_ntriples, to_turtle

    triples = sorted(expected_about(graph, BASE + "doc/A-RES-74-304/op/24"), key=str)
    shuffled = triples[:]
    random.Random(7).shuffle(shuffled)
    for write, ext in ((to_turtle, "ttl"), (to_jsonld, "jsonld"), (to_ntriples, "nt")):
        assert write(shuffled) == write(triples) == (site[0] / f"doc/A-RES-74-304/op/24.{ext}").read_bytes()


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
