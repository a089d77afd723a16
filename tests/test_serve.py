"""``mandates serve``: content negotiation on every IRI of the seed, and the SPARQL 1.1 Protocol.

The seed is built with the real pipeline, published (``mandates.web.publish``; while it does not
exist, a small fixture site stands in for it and the rest is answered from the store) and
served on 127.0.0.1 with a free port. Real HTTP clients (urllib, SPARQLWrapper) get every
resource in each format, and every RDF answer must parse (pyoxigraph) to exactly the triples
the graph holds about the IRI.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest



BASE = "https://w3id.org/un-mandates/"
TYPES = {"html": "text/html; charset=utf-8", "ttl": "text/turtle; charset=utf-8",
         "jsonld": "application/ld+json", "nt": "application/n-triples", "rdf": "application/rdf+xml"}
ACCEPT = {"html": "text/html", "ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
          "rdf": "application/rdf+xml"}
#: the types of actors and concepts (non-information resources), and of documents (which they never are)
THING_TYPES = ("https://w3id.org/un-mandates/ontology#Actor", "http://www.w3.org/2004/02/skos/core#Concept",
               "http://www.w3.org/2004/02/skos/core#ConceptScheme")
DOC_TYPES = ("http://data.europa.eu/eli/ontology#LegalResource", "http://data.europa.eu/eli/ontology#LegalExpression",
             "http://data.europa.eu/eli/ontology#LegalResourceSubdivision", "http://www.w3.org/2002/07/owl#Ontology")


# ---------------------------------------------------------------- fixtures


def _publisher():
    try:
        from mandates.web import publish  # type: ignore[attr-defined]
    except ImportError:
        return None
    return publish if hasattr(publish, "publish") else None


def _fixture_site(build: Path, out: Path) -> Path:
    """A small stand-in for a published site: three resources in four files each, a home
    page and a VoID file, written from the store (so they hold the same triples)."""
    from mandates.web.serve import Server

    site = out / "site"
    app = Server(build, site=None)
    try:
        for path in ("doc/A-RES-74-304", "doc/A-RES-74-304/op/24", "actor/inter-parliamentary-union"):
            for ext in TYPES:
                f = site / f"{path}.{ext}"
                f.parent.mkdir(parents=True, exist_ok=True)
                body = app.render(path, ext)
                if ext == "html":  # mark the page so a test can tell the site's file from the store's
                    body = body.replace(b"<main>", b"<main data-from=\"site\">", 1)
                f.write_bytes(body)
        (site / "index.html").write_text("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>site</title>"
                                         "</head><body data-from=\"site\">home</body></html>\n", encoding="utf-8")
        (site / "void.ttl").write_text(f"<{BASE}void> a <http://rdfs.org/ns/void#Dataset> .\n", encoding="utf-8")
        (site / "manifest.json").write_text(json.dumps({"resources": []}), encoding="utf-8")
    finally:
        app.stop()
    return site


@pytest.fixture(scope="module")
def site(seed_build, tmp_path_factory):
    out, _ = seed_build
    publish = _publisher()
    work = tmp_path_factory.mktemp("site")
    if publish is None:
        return SimpleNamespace(path=_fixture_site(out, work), published=False)
    publish.publish(out, work / "site")
    return SimpleNamespace(path=work / "site", published=True)


@pytest.fixture(scope="module")
def server(seed_build, site):
    from mandates.web.serve import start_server

    s = start_server(seed_build[0], site=site.path, timeout=10, memory=1024, max_rows=10000)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def store(seed_build):
    from mandates.rdf.store import open_store

    return open_store(seed_build[0] / "store", read_only=True)


# ---------------------------------------------------------------- helpers


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


_DIRECT = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, accept: str | None = None, method: str = "GET", data: bytes | None = None,
          headers: dict[str, str] | None = None, follow: bool = True):  # type: ignore[no-untyped-def]
    """(status, headers, body) of one request; redirects are followed unless ``follow`` is false."""
    h = dict(headers or {})
    if accept is not None:
        h["Accept"] = accept
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with (urllib.request.urlopen(req, timeout=30) if follow else _DIRECT.open(req, timeout=30)) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def resource_paths(store) -> list[str]:  # type: ignore[no-untyped-def]
    """Every resource of the seed: the IRIs under the base the graph says something about
    (hash IRIs ``ontology#X`` are answered at ``ontology``)."""
    rows = store.query("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s)) }")
    return sorted({r["s"].value[len(BASE):].split("#")[0] for r in rows if r["s"].value.startswith(BASE)})


_INDEX: dict[int, object] = {}


def expected(store, path: str) -> set[str]:  # type: ignore[no-untyped-def]
    """The triples the graph holds about ``{BASE}path``: the rule of ``mandates.web.publish``
    (its in-memory index ``Data.about``, the code that wrote the site's files), or, without
    the publisher, ``mandates.web.serve.describe`` (which a test holds to the same rule)."""
    from mandates.web.serve import describe

    if id(store) not in _INDEX:
        publish = _publisher()
        if publish is not None and hasattr(publish, "Data"):
            _INDEX[id(store)] = publish.Data(list(store.quads_for_pattern(None, None, None, None)), BASE)
        else:
            index: dict[str, list[str]] = {}
            for r in store.query("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s)) }"):
                v = r["s"].value
                if v.startswith(BASE) and "#" in v:
                    index.setdefault(v[len(BASE):].split("#")[0], []).append(v)
            _INDEX[id(store)] = index
    idx = _INDEX[id(store)]
    if isinstance(idx, dict):
        return {str(t) for t in describe(store, BASE + path, sorted(idx.get(path, [])))}
    return {str(t) for t in idx.about(BASE + path)}  # type: ignore[attr-defined]


def parsed(body: bytes, ext: str) -> set[str]:
    import pyoxigraph

    fmt = {"ttl": pyoxigraph.RdfFormat.TURTLE, "nt": pyoxigraph.RdfFormat.N_TRIPLES,
           "jsonld": pyoxigraph.RdfFormat.JSON_LD, "rdf": pyoxigraph.RdfFormat.RDF_XML}[ext]
    return {str(t) for t in pyoxigraph.parse(body, format=fmt, base_iri=BASE)}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append(tag)

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        self.text.append(data)


def page(body: bytes) -> _Page:
    p = _Page()
    p.feed(body.decode("utf-8"))
    return p


# ---------------------------------------------------------------- linked data


def things(store) -> set[str]:  # type: ignore[no-untyped-def]
    """The paths of the actors and concepts of the seed, by their types (and their classes' superclasses)."""
    def typed(tops: tuple[str, ...]) -> set[str]:
        values = " ".join(f"<{t}>" for t in tops)
        rows = store.query(f"SELECT DISTINCT ?s WHERE {{ VALUES ?top {{ {values} }} ?s a ?c . "
                           f"?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?top }}",
                           use_default_graph_as_union=True)
        return {r["s"].value[len(BASE):] for r in rows if r["s"].value.startswith(BASE) and "#" not in r["s"].value}

    return typed(THING_TYPES) - typed(DOC_TYPES)


def test_every_resource_in_every_format(server, store):
    """Each IRI of the seed at its own path, in each format by Accept. A document or a part
    of one answers 200 with the right Content-Type, Vary and Content-Location; an actor or a
    concept answers 303 to its description in that format, with Link rel=describedby for
    each format. Each RDF answer is the graph's triples about the IRI."""
    paths = resource_paths(store)
    thing = things(store)
    assert len(paths) > 1000 and "doc/A-RES-74-304/op/24/c/2" in paths and "ontology" in paths
    assert {"actor/inter-parliamentary-union", "verb/request", "scheme/actors", "actor/france"} <= thing
    assert not {"doc/A-RES-74-304", "doc/A-RES-74-304/op/24", "ontology"} & thing
    for path in paths:
        want = expected(store, path)
        assert want, path
        url = server.url + urllib.parse.quote(path, safe="/%")
        name = urllib.parse.quote(path.rsplit("/", 1)[-1], safe="%")
        for ext, accept in ACCEPT.items():
            status, headers, body = fetch(url, accept, follow=False)
            assert "Accept" in headers["Vary"], (path, ext)
            if path in thing:
                assert status == 303, (path, ext, status, body[:200])
                assert urllib.parse.unquote(headers["Location"]) == f"/{urllib.parse.unquote(path)}.{ext}"
                assert f'<{headers["Location"]}>; rel="describedby"' in headers["Link"]
                assert headers["Link"].count('rel="describedby"') == len(TYPES)
                status, headers, body = fetch(urllib.parse.urljoin(url, headers["Location"]), accept)
            else:
                assert headers["Content-Location"] == f"{name}.{ext}"
            assert status == 200, (path, ext, status, body[:200])
            assert headers["Content-Type"] == TYPES[ext], (path, ext)
            if ext == "html":
                assert "html" in page(body).tags
            else:
                assert parsed(body, ext) == want, (path, ext)


def test_explicit_file_urls(server, store):
    """``/PATH.ttl`` and its twins give one format whatever the Accept header says."""
    paths = resource_paths(store)
    for path in paths[::25] + ["doc/A-RES-74-304", "doc/A-RES-74-304/op/24"]:
        want = expected(store, path)
        for ext in TYPES:
            status, headers, body = fetch(server.url + f"{path}.{ext}", "text/html")
            assert status == 200 and headers["Content-Type"] == TYPES[ext], (path, ext, status)
            if ext != "html":
                assert parsed(body, ext) == want, (path, ext)


def test_site_files_are_served(server, site, store):
    """The published files answer when they exist (the fixture site marks its pages)."""
    status, headers, body = fetch(server.url + "doc/A-RES-74-304/op/24", "text/html")
    assert status == 200
    status, headers, body = fetch(server.url + "doc/A-RES-74-304/op/24.ttl")
    assert body == (site.path / "doc/A-RES-74-304/op/24.ttl").read_bytes()
    status, headers, body = fetch(server.url + "void.ttl")
    assert status == 200 and headers["Content-Type"] == TYPES["ttl"]
    assert body == (site.path / "void.ttl").read_bytes()
    status, headers, body = fetch(server.url, "text/html")
    assert status == 200 and body == (site.path / "index.html").read_bytes()
    if not site.published:
        _, _, body = fetch(server.url + "doc/A-RES-74-304/op/24", "text/html")
        assert b'data-from="site"' in body
        _, _, body = fetch(server.url + "doc/A-RES-74-304/op/23", "text/html")  # not in the fixture site
        assert b'data-from="site"' not in body and b"A-RES-74-304/op/23" in body


@pytest.mark.parametrize("accept, ext", [
    (None, "html"),
    ("*/*", "html"),
    ("text/turtle;q=0.9, application/ld+json", "jsonld"),
    ("application/n-triples;q=0.4, text/turtle;q=0.5, */*;q=0.1", "ttl"),
    ("text/*", "html"),
    ("text/*;q=0.2, text/turtle;q=0.8", "ttl"),
    ("application/rdf+xml;q=1, text/turtle;q=0.3", "rdf"),
    ("application/rdf+xml;q=0.2, text/turtle;q=0.3", "ttl"),
    ("text/html;q=0, */*;q=0.5", "ttl"),
    ("application/json", "jsonld"),
    ("application/xhtml+xml,text/html;q=0.9,*/*;q=0.8", "html"),
])
def test_negotiation(server, accept, ext):
    """A document answers the chosen format itself; an actor redirects to it (303)."""
    status, headers, _ = fetch(server.url + "doc/A-RES-74-304/op/24", accept)
    assert status == 200 and headers["Content-Type"] == TYPES[ext]
    assert headers["Vary"] == "Accept, Accept-Encoding"
    status, headers, _ = fetch(server.url + "actor/inter-parliamentary-union", accept, follow=False)
    assert status == 303 and headers["Location"] == f"/actor/inter-parliamentary-union.{ext}"
    assert headers["Vary"] == "Accept"


def test_not_acceptable_not_found_head(server):
    for path in ("actor/inter-parliamentary-union", "doc/A-RES-74-304/op/24"):
        status, headers, body = fetch(server.url + path, "image/png")
        assert status == 406 and b"text/turtle" in body and b"application/rdf+xml" in body
    for path in ("nothing/here", "doc/A-RES-74-304/op/999", "doc/A-RES-74-304/op/24.xyz",
                 "doc/../../../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd", "doc%00", "actor/"):
        status, _, _ = fetch(server.url + path, "text/turtle")
        assert status == 404, path
    status, headers, body = fetch(server.url + "doc/A-RES-74-304/op/24", "text/turtle", method="HEAD")
    assert status == 200 and body == b"" and headers["Content-Type"] == TYPES["ttl"]
    assert int(headers["Content-Length"]) > 100
    status, headers, body = fetch(server.url + "sparql", "text/turtle", method="HEAD")
    assert status == 200 and body == b""
    status, _, _ = fetch(server.url + "doc/A-RES-74-304", method="PUT", data=b"x")
    assert status == 405
    status, _, _ = fetch(server.url + "doc/A-RES-74-304", method="DELETE")
    assert status == 405


def test_home_page(server):
    status, headers, body = fetch(server.url, "text/html")
    assert status == 200 and headers["Content-Type"] == TYPES["html"]
    assert "html" in page(body).tags or b"<html" in body


# ---------------------------------------------------------------- HTTP caching


def _strong_tag(body: bytes, suffix: str = "") -> str:
    import hashlib

    return f'"{hashlib.sha256(body).hexdigest()[:32]}{suffix}"'


@pytest.mark.parametrize("path, accept", [("doc/A-RES-74-304/op/24", "text/turtle"), ("dump/graph.nq", None),
                                          ("void.ttl", None), ("sparql", "text/turtle"), ("robots.txt", None),
                                          ("graph/vocabulary", "application/n-triples")])
def test_etag_and_last_modified_give_304(server, path, accept):
    """A strong ETag that is the hash of the bytes, Last-Modified and Cache-Control; a
    matching If-None-Match, or a recent enough If-Modified-Since, gives 304 without a body."""
    url = server.url + path
    status, headers, body = fetch(url, accept)
    assert status == 200 and body
    assert headers["ETag"] == _strong_tag(body)
    assert "max-age=" in headers["Cache-Control"] and headers["Last-Modified"].endswith(" GMT")
    for method in ("GET", "HEAD"):
        status, h, b = fetch(url, accept, method, headers={"If-None-Match": f'"x", {headers["ETag"]}'})
        assert (status, b) == (304, b"") and h["ETag"] == headers["ETag"], method
        assert "Accept-Encoding" in h["Vary"]
    status, _, b = fetch(url, accept, headers={"If-None-Match": '"something-else"'})
    assert status == 200 and b == body
    status, _, b = fetch(url, accept, headers={"If-Modified-Since": headers["Last-Modified"]})
    assert (status, b) == (304, b"")
    status, _, b = fetch(url, accept, headers={"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"})
    assert status == 200 and b == body
    # If-None-Match wins over If-Modified-Since
    status, _, b = fetch(url, accept, headers={"If-None-Match": '"other"', "If-Modified-Since": headers["Last-Modified"]})
    assert status == 200


@pytest.mark.parametrize("path", ["dump/graph.nq", "robots.txt", "doc/A-RES-74-304/op/24.ttl"])
def test_ranges(server, path):
    """A single byte range gives 206 with Content-Range (a file of the site, or bytes made by
    the server); one past the end gives 416; If-Range with another validator gives it all."""
    url = server.url + path
    status, headers, whole = fetch(url)
    size = len(whole)
    assert status == 200 and headers["Accept-Ranges"] == "bytes" and size > 20
    for rng, part in (("bytes=0-9", whole[:10]), ("bytes=5-", whole[5:]), ("bytes=-7", whole[-7:]),
                      (f"bytes=3-{size + 100}", whole[3:])):
        status, h, b = fetch(url, headers={"Range": rng})
        assert status == 206 and b == part, rng
        start = size - len(part) if rng.startswith("bytes=-") else int(rng[6:].split("-")[0])
        assert h["Content-Range"] == f"bytes {start}-{start + len(part) - 1}/{size}", rng
        assert int(h["Content-Length"]) == len(part)
    status, h, b = fetch(url, headers={"Range": f"bytes={size}-"})
    assert status == 416 and h["Content-Range"] == f"bytes */{size}"
    status, _, b = fetch(url, headers={"Range": "bytes=0-9", "If-Range": headers["ETag"]})
    assert status == 206 and b == whole[:10]
    status, _, b = fetch(url, headers={"Range": "bytes=0-9", "If-Range": '"stale"'})
    assert status == 200 and b == whole


def test_gzip(server, store):
    """gzip when Accept-Encoding allows it: the same bytes once decompressed, an ETag of
    their own, Vary: Accept-Encoding; not with q=0, and not for a range."""
    import gzip

    for path, accept in (("doc/A-RES-74-304/op/24", "text/turtle"), ("dump/graph.nq", None),
                         ("doc/A-RES-74-304", "text/html"), ("graph/A-RES-74-304/zh", "application/n-triples")):
        url = server.url + path
        _, plain, body = fetch(url, accept)
        status, h, zipped = fetch(url, accept, headers={"Accept-Encoding": "gzip, deflate"})
        assert status == 200 and h["Content-Encoding"] == "gzip" and gzip.decompress(zipped) == body, path
        assert len(zipped) < len(body) and h["ETag"] == _strong_tag(body, "-gz") != plain["ETag"]
        assert "Accept-Encoding" in h["Vary"] and "Accept-Encoding" in plain["Vary"]
        status, h2, _ = fetch(url, accept, "HEAD", headers={"Accept-Encoding": "gzip"})
        assert status == 200 and int(h2["Content-Length"]) == len(zipped)
        status, h, b = fetch(url, accept, headers={"Accept-Encoding": "br, gzip;q=0"})
        assert status == 200 and h["Content-Encoding"] is None and b == body
        status, h, b = fetch(url, accept, headers={"Accept-Encoding": "gzip", "Range": "bytes=0-9"})
        assert status == 206 and h["Content-Encoding"] is None and b == body[:10]
    q = urllib.parse.urlencode({"query": SELECT.replace("LIMIT 5", "LIMIT 50")})
    _, _, body = fetch(f"{server.url}sparql?{q}", "application/sparql-results+json")
    status, h, zipped = fetch(f"{server.url}sparql?{q}", "application/sparql-results+json",
                              headers={"Accept-Encoding": "gzip"})
    assert status == 200 and h["Content-Encoding"] == "gzip" and gzip.decompress(zipped) == body
    assert h["X-Result-Truncated"] == "false" and h["Cache-Control"] == "no-store"


# ---------------------------------------------------------------- everything resolves


def test_named_graphs_resolve(server, store):
    """Every named graph of the store answers at its path, in every format, with exactly its triples."""
    import pyoxigraph

    graphs = sorted(g.value for g in store.named_graphs())
    assert BASE + "graph/vocabulary" in graphs and len(graphs) >= 2
    for g in graphs:
        path = g[len(BASE):]
        want = {str(pyoxigraph.Triple(q.subject, q.predicate, q.object))
                for q in store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(g))}
        for ext, accept in ACCEPT.items():
            status, headers, body = fetch(server.url + path, accept)
            assert status == 200 and headers["Content-Type"] == TYPES[ext], (path, ext)
            assert headers["Content-Location"] == f"{path.rsplit('/', 1)[-1]}.{ext}"
            if ext == "html":
                assert "table" in page(body).tags and g.encode() in body
            else:
                assert parsed(body, ext) == want, (path, ext)
            status, headers, same = fetch(server.url + f"{path}.{ext}")
            assert status == 200 and same == body, (path, ext)
    status, _, body = fetch(server.url + "graph/nothing", "text/turtle")
    assert status == 404


def test_void_subsets_resolve(server, site):
    """The VoID's subsets (the named graphs) and dumps all answer 200."""
    import pyoxigraph

    void = pyoxigraph.parse((site.path / "void.ttl").read_bytes(), format=pyoxigraph.RdfFormat.TURTLE)
    targets = {t.object.value for t in void if t.predicate.value in ("http://rdfs.org/ns/void#subset",
                                                                     "http://rdfs.org/ns/void#dataDump")}
    assert any("/graph/" in t for t in targets)
    for t in sorted(targets):
        status, _, _ = fetch(server.url + t[len(BASE):], "text/turtle", "HEAD")
        assert status == 200, t


def test_trailing_slash_redirects(server):
    for path, target in (("doc/A-RES-74-304/", "/doc/A-RES-74-304"), ("doc/A-RES-74-304/op/24//", "/doc/A-RES-74-304/op/24"),
                         ("actor/inter-parliamentary-union/", "/actor/inter-parliamentary-union"),
                         ("graph/vocabulary/", "/graph/vocabulary"), ("void.ttl/", "/void.ttl"),
                         ("doc/A-RES-74-304/?x=1", "/doc/A-RES-74-304?x=1")):
        status, headers, _ = fetch(server.url + path, "text/turtle", follow=False)
        assert (status, headers["Location"]) == (301, target), path
    status, headers, body = fetch(server.url + "doc/A-RES-74-304/", "text/turtle")
    assert status == 200 and headers["Content-Type"] == TYPES["ttl"]
    for path in ("actor/", "nothing/", "doc/A-RES-74-304/op/999/"):
        assert fetch(server.url + path, follow=False)[0] == 404, path


def test_things_see_other_with_describedby(server, store):
    """The IPU (an actor) and a verb (a concept) are not documents: 303 to the description,
    a Link to each format; the document that mentions them answers itself."""
    for path in ("actor/inter-parliamentary-union", "verb/request", "scheme/verbs"):
        status, headers, body = fetch(server.url + path, "text/turtle", follow=False)
        assert status == 303 and headers["Location"] == f"/{path}.ttl", path
        links = headers["Link"]
        for ext, ctype in TYPES.items():
            assert f'</{path}.{ext}>; rel="describedby"; type="{ctype.split(";")[0]}"' in links
        status, headers, body = fetch(server.url + path, "text/turtle", "HEAD", follow=False)
        assert status == 303 and body == b""
        status, headers, body = fetch(server.url + path, "text/turtle")
        assert status == 200 and parsed(body, "ttl") == expected(store, path)
    status, headers, _ = fetch(server.url + "doc/A-RES-74-304", "text/turtle", follow=False)
    assert status == 200 and headers["Content-Location"] == "A-RES-74-304.ttl"


def test_actors_by_code(server, store):
    """``/iso/FRA``, ``/iso/FR``, ``/m49/250`` (the codes ``mandates query`` takes) redirect to the State."""
    from mandates.web.query import actor_by_code

    france = actor_by_code("iso:FRA", store)
    assert france == BASE + "actor/france"
    for path in ("iso/FRA", "iso/FR", "m49/250", "iso/fra"):
        status, headers, _ = fetch(server.url + path, follow=False)
        assert (status, headers["Location"]) == (303, "/actor/france"), path
    status, headers, body = fetch(server.url + "iso/FRA", "text/turtle")
    assert status == 200 and parsed(body, "ttl") == expected(store, "actor/france")
    for path in ("iso/XXX", "m49/999", "iso/F"):
        assert fetch(server.url + path, follow=False)[0] == 404, path


def test_catalogue_files(server, site, seed_build, tmp_path):
    """``/.well-known/void`` redirects to the VoID when the site has no such file (and serves
    its own when it has: negotiated); ``sitemap.xml`` and ``robots.txt`` are served with their
    types; without a robots.txt the server keeps crawlers off /sparql."""
    from mandates.web.serve import Server

    status, headers, _ = fetch(server.url + ".well-known/void", "text/turtle", follow=False)
    if (site.path / ".well-known" / "void.ttl").is_file():
        assert status == 200 and headers["Content-Type"] == TYPES["ttl"]
    else:
        assert (status, headers["Location"]) == (303, "/void.ttl")
        status, headers, body = fetch(server.url + ".well-known/void", "text/turtle")
        assert status == 200 and body == (site.path / "void.ttl").read_bytes()
    mine = tmp_path / "site"
    (mine / ".well-known").mkdir(parents=True)
    (mine / ".well-known/void.ttl").write_text(f"<{BASE}void.ttl#dataset> a <http://rdfs.org/ns/void#Dataset> .\n")
    (mine / ".well-known/void.html").write_text("<!DOCTYPE html><html><body>VoID</body></html>\n")
    (mine / "void.ttl").write_text(f"<{BASE}void.ttl#dataset> a <http://rdfs.org/ns/void#Dataset> .\n")
    (mine / "sitemap.xml").write_text('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>\n')
    (mine / "robots.txt").write_text("User-agent: *\nAllow: /\n")
    with Server(seed_build[0], site=mine) as s:
        for accept, ext in (("text/turtle", "ttl"), ("text/html", "html"), (None, "html")):
            status, headers, body = fetch(s.url + ".well-known/void", accept)
            assert status == 200 and headers["Content-Type"] == TYPES[ext], accept
            assert body == (mine / f".well-known/void.{ext}").read_bytes()
            assert headers["Content-Location"] == f"void.{ext}"
        assert fetch(s.url + ".well-known/void", "application/n-triples")[0] == 406
        status, headers, body = fetch(s.url + "sitemap.xml")
        assert status == 200 and headers["Content-Type"] == "application/xml" and b"urlset" in body
        status, headers, body = fetch(s.url + "robots.txt")
        assert status == 200 and headers["Content-Type"] == "text/plain; charset=utf-8" and body == b"User-agent: *\nAllow: /\n"
    if not (site.path / "robots.txt").is_file():
        status, headers, body = fetch(server.url + "robots.txt")
        assert status == 200 and b"Disallow: /sparql" in body


def test_options_and_methods(server):
    status, headers, body = fetch(server.url + "doc/A-RES-74-304", method="OPTIONS")
    assert status == 204 and headers["Allow"] == "GET, HEAD, POST, OPTIONS" and body == b""
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = fetch(server.url + "doc/A-RES-74-304", method="POST", data=b"x",
                               headers={"Content-Type": "text/plain"})
    assert status == 405 and headers["Allow"] == "GET, HEAD, POST, OPTIONS"


# ---------------------------------------------------------------- SPARQL protocol

SELECT = ("PREFIX mnd: <https://w3id.org/un-mandates/ontology#> "
          "SELECT ?c ?n WHERE { ?c a mnd:Clause ; mnd:order ?n } ORDER BY ?c LIMIT 5")
RESULT_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8"}


def _rows(body: bytes, fmt: str) -> list[tuple[str, str]]:
    """The (c, n) values of an answer to SELECT, read with pyoxigraph's result parsers."""
    import csv
    import io

    import pyoxigraph

    if fmt == "csv":  # lossy by design: pyoxigraph does not read it; the csv module does
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
        assert rows[0] == ["c", "n"]
        return [(r[0], r[1]) for r in rows[1:]]
    f = {"json": pyoxigraph.QueryResultsFormat.JSON, "xml": pyoxigraph.QueryResultsFormat.XML,
         "tsv": pyoxigraph.QueryResultsFormat.TSV}[fmt]
    res = pyoxigraph.parse_query_results(body, format=f)
    return [(s["c"].value, s["n"].value) for s in res]


def test_sparql_get_post_and_formats(server, store):
    want = [(r["c"].value, r["n"].value) for r in store.query(SELECT, use_default_graph_as_union=True)]
    assert len(want) == 5
    q = urllib.parse.urlencode({"query": SELECT})
    for fmt, ctype in RESULT_TYPES.items():
        # by Accept, GET
        status, headers, body = fetch(f"{server.url}sparql?{q}", ctype.split(";")[0])
        assert status == 200 and headers["Content-Type"] == ctype, (fmt, status, body[:300])
        assert headers["X-Result-Limit"] == "10000" and headers["X-Result-Truncated"] == "false"
        assert _rows(body, fmt) == want, fmt
        # by format=, POST form
        status, headers, body = fetch(f"{server.url}sparql", None, "POST",
                                      urllib.parse.urlencode({"query": SELECT, "format": fmt}).encode(),
                                      {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200 and headers["Content-Type"] == ctype and _rows(body, fmt) == want, fmt
        # POST application/sparql-query
        status, headers, body = fetch(f"{server.url}sparql", ctype.split(";")[0], "POST", SELECT.encode(),
                                      {"Content-Type": "application/sparql-query"})
        assert status == 200 and _rows(body, fmt) == want, fmt


def test_sparql_construct_describe_ask(server, store):
    import pyoxigraph

    construct = ("CONSTRUCT { ?s ?p ?o } WHERE { BIND(<https://w3id.org/un-mandates/doc/A-RES-74-304/op/24> AS ?s) "
                 "?s ?p ?o }")
    want = {str(t) for t in store.query(construct, use_default_graph_as_union=True)}
    for accept, fmt in (("text/turtle", pyoxigraph.RdfFormat.TURTLE), ("application/n-triples", pyoxigraph.RdfFormat.N_TRIPLES),
                        ("application/ld+json", pyoxigraph.RdfFormat.JSON_LD), ("application/rdf+xml", pyoxigraph.RdfFormat.RDF_XML)):
        status, headers, body = fetch(f"{server.url}sparql?" + urllib.parse.urlencode({"query": construct}), accept)
        assert status == 200 and headers["Content-Type"].split(";")[0] == accept
        assert {str(t) for t in pyoxigraph.parse(body, format=fmt)} == want
    status, headers, body = fetch(f"{server.url}sparql?" + urllib.parse.urlencode(
        {"query": "DESCRIBE <https://w3id.org/un-mandates/actor/inter-parliamentary-union>"}), "text/turtle")
    assert status == 200 and b"inter-parliamentary-union" in body
    for q, value in (("ASK { ?s a <https://w3id.org/un-mandates/ontology#Clause> }", True),
                     ("ASK { ?s a <https://w3id.org/un-mandates/ontology#Nothing> }", False)):
        status, headers, body = fetch(f"{server.url}sparql?" + urllib.parse.urlencode({"query": q}),
                                      "application/sparql-results+json")
        assert status == 200 and json.loads(body)["boolean"] is value
        status, headers, body = fetch(f"{server.url}sparql?" + urllib.parse.urlencode({"query": q, "format": "xml"}))
        assert status == 200 and f"<boolean>{str(value).lower()}</boolean>".encode() in body
    # a CSV answer to ASK does not exist: 406
    status, _, _ = fetch(f"{server.url}sparql?" + urllib.parse.urlencode({"query": "ASK {}"}), "text/csv")
    assert status == 406


def test_sparql_named_graphs_and_union(server):
    """The default graph is the union of the named graphs; default-graph-uri narrows it."""
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    counts = {}
    for name, extra in (("union", {}), ("vocab", {"default-graph-uri": BASE + "graph/vocabulary"}),
                        ("doc", {"default-graph-uri": BASE + "graph/A-RES-74-304/zh"}),
                        ("series", {"default-graph-uri": BASE + "graph/series"})):
        status, _, body = fetch(f"{server.url}sparql?" + urllib.parse.urlencode({"query": q, **extra}),
                                "application/sparql-results+json")
        assert status == 200, body
        counts[name] = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    assert counts["vocab"] > 0 and counts["doc"] > 0
    assert counts["union"] == counts["vocab"] + counts["doc"] + counts["series"]
    # FROM and FROM NAMED in the query are honoured; named-graph-uri alone leaves the default graph empty
    for query, extra, want in (
            (f"SELECT (COUNT(*) AS ?n) FROM <{BASE}graph/vocabulary> WHERE {{ ?s ?p ?o }}", {}, counts["vocab"]),
            (f"SELECT (COUNT(*) AS ?n) FROM NAMED <{BASE}graph/A-RES-74-304/zh> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {},
             counts["doc"]),
            ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", {"named-graph-uri": BASE + "graph/vocabulary"},
             counts["vocab"]),
            ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", {"named-graph-uri": BASE + "graph/vocabulary"}, 0),
            ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", {}, counts["union"])):
        status, _, body = fetch(f"{server.url}sparql?" + urllib.parse.urlencode({"query": query, **extra}),
                                "application/sparql-results+json")
        assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == want, query


def test_sparql_errors(server):
    for q, status_want in (("SELEC * WHERE { ?s ?p ?o }", 400), ("SELECT * WHERE { ?s ?p ?o ", 400), ("", 400)):
        status, headers, body = fetch(f"{server.url}sparql?" + urllib.parse.urlencode({"query": q}))
        assert status == status_want, (q, body)
        assert headers["Content-Type"] == "text/plain; charset=utf-8"
    status, _, _ = fetch(f"{server.url}sparql?" + urllib.parse.urlencode({"query": SELECT, "format": "pdf"}))
    assert status == 400
    status, _, _ = fetch(f"{server.url}sparql", None, "POST", SELECT.encode(), {"Content-Type": "text/plain"})
    assert status == 415
    status, _, _ = fetch(f"{server.url}sparql?query=x&query=y")
    assert status == 400
    status, _, _ = fetch(f"{server.url}sparql", None, "POST", b"query=" + b"x" * (1 << 21),
                         {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413
    # a long query in the URL is fine up to 64 KiB; beyond, 414 (POST it)
    long_ask = "ASK {} #" + "a" * 60000
    status, _, body = fetch(f"{server.url}sparql?" + urllib.parse.urlencode({"query": long_ask}),
                            "application/sparql-results+json")
    assert status == 200 and json.loads(body)["boolean"] is True
    status, _, _ = fetch(f"{server.url}sparql?" + urllib.parse.urlencode({"query": long_ask + "a" * 10000}))
    assert status == 414
    status, _, body = fetch(f"{server.url}sparql", "application/sparql-results+json", "POST",
                            (long_ask + "a" * 100000).encode(), {"Content-Type": "application/sparql-query"})
    assert status == 200 and json.loads(body)["boolean"] is True


def test_service_description_and_query_page(server):
    import pyoxigraph

    status, headers, body = fetch(f"{server.url}sparql", "text/turtle")
    assert status == 200 and headers["Content-Type"] == TYPES["ttl"]
    g = {(str(t.subject), str(t.predicate), str(t.object)) for t in pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.TURTLE)}
    turtle = body

    def ground(triples):  # type: ignore[no-untyped-def]
        return {str(t) for t in triples if not isinstance(t.subject, pyoxigraph.BlankNode)
                and not isinstance(t.object, pyoxigraph.BlankNode)}

    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (f"<{BASE}sparql>", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", f"<{sd}Service>") in g
    assert (f"<{BASE}sparql>", f"<{sd}supportedLanguage>", f"<{sd}SPARQL11Query>") in g
    assert any(p == f"<{sd}resultFormat>" and o == "<http://www.w3.org/ns/formats/SPARQL_Results_CSV>" for _, p, o in g)
    for accept, fmt in (("application/n-triples", pyoxigraph.RdfFormat.N_TRIPLES),
                        ("application/rdf+xml", pyoxigraph.RdfFormat.RDF_XML),
                        ("application/ld+json", pyoxigraph.RdfFormat.JSON_LD)):
        for path in ("sparql", "sparql/"):
            status, headers, body = fetch(f"{server.url}{path}", accept)
            assert status == 200 and headers["Content-Type"] == TYPES.get(fmt.file_extension, accept), accept
            assert ground(pyoxigraph.parse(body, format=fmt)) == ground(
                pyoxigraph.parse(turtle, format=pyoxigraph.RdfFormat.TURTLE)), accept
    status, headers, body = fetch(f"{server.url}sparql", "text/html,application/xhtml+xml,*/*;q=0.8")
    assert status == 200 and headers["Content-Type"] == TYPES["html"]
    p = page(body)
    assert "form" in p.tags and "textarea" in p.tags
    # the page's form sends format=html: a table
    status, headers, body = fetch(f"{server.url}sparql?" + urllib.parse.urlencode({"query": SELECT, "format": "html"}))
    assert status == 200 and headers["Content-Type"] == TYPES["html"] and "table" in page(body).tags


def _library_cases():  # type: ignore[no-untyped-def]
    from mandates.web.query import library, params_of

    cases = []
    for name, q in library().items():
        params = {}
        for p in params_of(q) or []:
            if p.required:
                example = p.meaning.split("e.g.", 1)[-1].strip() if "e.g." in p.meaning else None
                if not example:
                    break
                params[p.name] = example
        else:
            cases.append((name, params))
    return cases


def test_sparqlwrapper_runs_library_queries(server, seed_build):
    """SPARQLWrapper (JSON over GET and POST, XML) gets the rows mandates.web.query.run_query gets."""
    from SPARQLWrapper import JSON, POST, XML, SPARQLWrapper

    from mandates.web.query import bind, plain, resolve, run_query, with_values

    cases = _library_cases()
    names = {n for n, _ in cases}
    assert {"reports-requested", "mandates-by-addressee", "asked-of-actor"} <= names
    for i, (name, params) in enumerate(cases):
        q = resolve(name)
        want = run_query(name, store=seed_build[0], params=params or None)
        text = with_values(q.text, bind(q, params)) if params else q.text
        sw = SPARQLWrapper(server.url + "sparql")
        sw.setQuery(text)
        sw.setReturnFormat(JSON)
        if i % 2:
            sw.setMethod(POST)
        res = sw.query()
        assert res.response.headers["X-Result-Truncated"] == "false"
        doc = res.convert()
        got = [{v: plain(b.get(v)) for v in doc["head"]["vars"]} for b in doc["results"]["bindings"]]
        ordered = "ORDER BY" in q.text.upper()
        key = lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False)  # noqa: E731
        assert (got if ordered else sorted(got, key=key)) == (want if ordered else sorted(want, key=key)), name
        if name == "reports-requested":
            assert got, "the seed requests a report of the Secretary-General"
            sw.setReturnFormat(XML)
            xml = sw.query().convert()
            assert len(xml.getElementsByTagName("result")) == len(want)


# ---------------------------------------------------------------- the command line and the API


def test_cli_subprocess_and_errors(seed_build, site, tmp_path):
    """``mandates serve`` as a command: starts on a free port of 127.0.0.1, answers, stops
    on SIGTERM with exit 0; a missing store is exit 3, a --site that is no folder exit 2."""
    from mandates.cli import main
    from mandates.web.serve import start_subprocess

    srv = start_subprocess(seed_build[0], site=site.path, port=0)
    try:
        assert srv.url.startswith("http://127.0.0.1:")
        status, headers, body = fetch(srv.url + "doc/A-RES-74-304/op/24", "application/n-triples")
        assert status == 200 and headers["Content-Type"] == TYPES["nt"]
        status, headers, body = fetch(srv.url + "sparql?" + urllib.parse.urlencode({"query": "ASK {}"}),
                                      "application/sparql-results+json")
        assert status == 200 and json.loads(body)["boolean"] is True
    finally:
        assert srv.stop() == 0
    assert main(["serve", "--store", str(tmp_path / "missing"), "--port", "0"]) == 3
    assert main(["serve", "--store", str(seed_build[0]), "--site", str(tmp_path / "nosite"), "--port", "0"]) == 2
    for bad in (["--queries", "0"], ["--per-client", "0"], ["--connections", "0"], ["--queue", "-1"],
                ["--request-deadline", "0"]):
        assert main(["serve", "--store", str(seed_build[0]), "--port", "0", *bad]) == 2, bad
    with socket.socket() as s:  # a busy port: exit 3, no traceback
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        t = time.monotonic()
        assert main(["serve", "--store", str(seed_build[0]), "--site", str(site.path), "--port", str(port)]) == 3
        assert time.monotonic() - t < 30


def test_default_host_is_loopback():
    from mandates.cli import _parser

    args = _parser().parse_args(["serve"])
    assert args.host == "127.0.0.1" and args.port == 8000


def test_store_rule_is_publish_rule(store):
    """What the server answers from the store (mandates.web.serve.describe) is what publish
    writes into the files (mandates.web.publish.about), for every resource of the seed."""
    from mandates.web.serve import describe

    publish = _publisher()
    if publish is None or not hasattr(publish, "about"):
        pytest.skip("mandates.web.publish is not there yet")
    paths = resource_paths(store)
    hashes: dict[str, list[str]] = {}
    for r in store.query("SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } FILTER(isIRI(?s)) }"):
        v = r["s"].value
        if v.startswith(BASE) and "#" in v:
            hashes.setdefault(v[len(BASE):].split("#")[0], []).append(v)
    for path in paths:
        assert {str(t) for t in describe(store, BASE + path, sorted(hashes.get(path, [])))} == expected(store, path), path
    for path in ("doc/A-RES-74-304/op/24", "ontology"):  # the slow way, with the publisher's own store query
        assert {str(t) for t in describe(store, BASE + path)} == {str(t) for t in publish.about(store, BASE + path)}


def test_store_only_server(seed_build, store):
    """Without a site (and no publisher), every IRI is answered from the store."""
    from mandates.web.serve import Server

    with Server(seed_build[0], site=None) as s:
        status, headers, body = fetch(s.url + "doc/A-RES-74-304/op/24/c/2", "text/turtle")
        assert status == 200 and parsed(body, "ttl") == expected(store, "doc/A-RES-74-304/op/24/c/2")
        status, headers, body = fetch(s.url, "text/html")
        assert status == 200 and b"A-RES-74-304" in body


def test_the_server_renders_the_page_the_site_has(seed_build, site):
    """A page answered from the store is the page the site would have (one set of templates):
    byte for byte, for a paragraph, an actor, the ontology and the home page; the stylesheet
    the pages link to is served without a site too."""
    from mandates.web.serve import Server

    if not site.published:
        pytest.skip("mandates.web.publish is not there yet")
    with Server(seed_build[0], site=None) as s:
        for path in ("doc/A-RES-74-304/op/24", "actor/inter-parliamentary-union", "ontology"):
            status, headers, body = fetch(s.url + path, "text/html")
            assert status == 200 and body == (site.path / f"{path}.html").read_bytes(), path
        status, headers, body = fetch(s.url, "text/html")
        assert status == 200 and body == (site.path / "index.html").read_bytes()
        status, headers, body = fetch(s.url + "style.css")
        assert status == 200 and body == (site.path / "style.css").read_bytes()


def test_html_answers_are_site_pages(server):
    """The endpoint's HTML answers and its query page are pages of the site's design (its
    header and stylesheet), with every value escaped."""
    q = 'SELECT ?x WHERE { BIND("<b>&\'\\"" AS ?x) }'
    status, headers, body = fetch(server.url + "sparql?" + urllib.parse.urlencode({"query": q, "format": "html"}))
    text = body.decode("utf-8")
    assert status == 200 and '<header class="site">' in text and 'href="/style.css"' in text
    assert "<td><span>&lt;b&gt;&amp;&#x27;&quot;</span></td>" in text and "<b>&" not in text
    status, headers, body = fetch(server.url + "sparql", "text/html")
    assert status == 200 and b'<header class="site">' in body and b"<textarea" in body


def test_another_base(seed_build, tmp_path):
    """``--base`` moves the IRIs (as publish does): the site published under that base and the
    store's answers (rebased on the fly) hold the same triples, at the same paths."""
    from mandates.web.serve import Server

    publish = _publisher()
    if publish is None:
        pytest.skip("mandates.web.publish is not there yet")
    other = "http://127.0.0.1:8765/un/"
    publish.publish(seed_build[0], tmp_path / "site", base=other)
    with Server(seed_build[0], site=tmp_path / "site") as with_site, \
            Server(seed_build[0], site=None, base=other) as from_store:
        assert with_site.base == other  # from the site's manifest.json
        for path in ("doc/A-RES-74-304/op/24", "actor/inter-parliamentary-union", "doc/A-RES-74-304/zh/m/1003-1005"):
            a = fetch(with_site.url + path, "text/turtle")
            b = fetch(from_store.url + path, "text/turtle")
            assert a[0] == b[0] == 200, path
            ga, gb = parsed(a[2], "ttl"), parsed(b[2], "ttl")
            assert ga == gb and any(f"<{other}{path}>" in t for t in ga), path
            assert not any(BASE + "doc/" in t or BASE + "actor/" in t for t in ga), path
