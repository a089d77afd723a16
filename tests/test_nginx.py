"""The shipped nginx configuration (``deploy/nginx/mandates.conf``) in front of a published site.

The bundled corpus is built (with one made-up symbol correction that retires an IRI, as
tests/test_versions.py makes one: the shipped table retires none), published, and served by
Debian's nginx (``/usr/sbin/nginx``, as an unprivileged user, under a temporary prefix, on a
free loopback port) with ``/sparql`` proxied to a real ``mandates serve``. Real HTTP clients
check content negotiation, 303 and ``Link: rel=describedby`` for things and concepts, the
trailing-slash and retired-IRI redirects, ETag/304, ranges, gzip, the crawler files and the
endpoint, and that slow clients trickling their headers do not keep pages from answering.

nginx is required: without it these tests fail and say how to install it (``.ci/run`` does).
"""

from __future__ import annotations

import gzip
import http.client
import json
import shutil
import socket
import threading
import time
import urllib.parse

import pyoxigraph as ox
import pytest

from conftest import CORPUS
from nginx_site import Nginx, nginx_exe, shared_tmp

BASE = "https://w3id.org/un-mandates/"
IPU = "/actor/inter-parliamentary-union"
DOC = "/doc/A-RES-74-304"
TYPES = {"html": "text/html; charset=utf-8", "ttl": "text/turtle; charset=utf-8", "jsonld": "application/ld+json",
         "nt": "application/n-triples", "rdf": "application/rdf+xml"}
ACCEPT = {"html": "text/html", "ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
          "rdf": "application/rdf+xml"}
#: the address the page client uses; the slow and greedy clients come from others, as they
#: would on the open web (nginx's limits are per client address)
PAGE_CLIENT = "127.0.0.1"


@pytest.fixture(scope="module")
def front(tmp_path_factory):
    """The corpus built (A/RES/55/10's IRI retired for a made-up A/RES/55/99), published,
    ``mandates serve`` over it, and nginx in front."""
    from mandates.build.pipeline import build
    from mandates.extract import extractors
    from mandates.vocab.concepts import Correction
    from mandates.web.publish import publish
    from mandates.web.serve import start_subprocess

    nginx_exe()  # fail at once, and clearly, when nginx is missing
    fix = Correction("https://example.org/correction/test", "A/RES/55/10", "zh", "A/RES/55/99", None,
                     frozenset({"A/55/L.18"}), True, "made up for this test")
    out = tmp_path_factory.mktemp("nginx") / "build"
    with pytest.MonkeyPatch.context() as mp:
        shipped = extractors.corrections()
        mp.setattr(extractors, "corrections", lambda: (*shipped, fix))
        build([CORPUS], out, jobs=1)
    shared = shared_tmp("mandates-site-")
    site = shared / "site"
    publish(out, site)
    serve = start_subprocess(out, site=site)
    host = urllib.parse.urlsplit(serve.url).netloc
    server = None
    try:
        server = Nginx(site, host)
        yield server, site, out
    finally:
        if server is not None:
            server.stop()
        serve.stop()
        shutil.rmtree(shared, ignore_errors=True)


def get(front, path: str, headers: dict[str, str] | None = None, method: str = "GET",  # type: ignore[no-untyped-def]
        source: str = PAGE_CLIENT, timeout: float = 30):
    server = front[0]
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        headers: dict[str, str] = {}
        for k, v in r.getheaders():  # a header sent twice (Vary) as one list
            headers[k.lower()] = f"{headers[k.lower()]}, {v}" if k.lower() in headers else v
        return r.status, headers, r.read()
    finally:
        conn.close()


@pytest.mark.parametrize("ext", list(TYPES))
def test_negotiation_answers_each_format(front, ext):
    """A document's IRI answers the format asked for with the site's file of that format."""
    site = front[1]
    status, headers, body = get(front, DOC, {"Accept": ACCEPT[ext]})
    assert status == 200 and headers["content-type"] == TYPES[ext]
    assert "Accept" in headers["vary"]
    assert body == (site / f"{DOC[1:]}.{ext}").read_bytes()
    if ext != "html":
        fmt = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD, "nt": ox.RdfFormat.N_TRIPLES,
               "rdf": ox.RdfFormat.RDF_XML}[ext]
        assert any(q.subject.value == BASE + DOC[1:] for q in ox.parse(body, format=fmt))


@pytest.mark.parametrize("accept,ext", [
    (None, "html"), ("*/*", "html"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8", "html"),
    ("application/rdf+xml;q=1, text/turtle;q=0.3", "rdf"), ("text/html;q=0, text/turtle", "ttl"),
    ("text/turtle;q=0, application/n-triples", "nt"), ("application/json", "jsonld"),
    ("image/png, application/ld+json;q=0.5", "jsonld"),
])
def test_negotiation_of_real_accept_headers(front, accept, ext):
    status, headers, _ = get(front, DOC + "/op/24", {"Accept": accept} if accept else {})
    assert status == 200 and headers["content-type"] == TYPES[ext]


@pytest.mark.parametrize("ext", list(TYPES))
def test_things_answer_303_to_their_description(front, ext):
    """The IPU is no document: its IRI answers 303 to its description in the format asked for,
    with ``Link: rel=describedby``; the description holds what refers to it."""
    status, headers, _ = get(front, IPU, {"Accept": ACCEPT[ext]})
    assert status == 303 and headers["location"] == f"{IPU}.{ext}"
    assert headers["link"] == f'<{IPU}.{ext}>; rel="describedby"; type="{TYPES[ext].split(";")[0]}"'
    assert "Accept" in headers["vary"]
    status, headers, body = get(front, headers["location"], {"Accept": ACCEPT[ext]})
    assert status == 200 and headers["content-type"] == TYPES[ext]
    if ext == "ttl":
        ts = list(ox.parse(body, format=ox.RdfFormat.TURTLE))
        asked = {t.subject.value for t in ts if t.predicate.value == BASE + "ontology#addressee"
                 and t.object.value == BASE + IPU[1:]}
        assert len(asked) >= 8
    # a concept too; a document is answered at once
    assert get(front, "/verb/request", {"Accept": "text/turtle"})[0] == 303
    assert get(front, DOC + "/op/24/c/2", {"Accept": "text/turtle"})[0] == 200


def test_redirects(front):
    """A trailing slash: 301 to the resource (a folder with an index page answers it); a retired
    IRI (and anything under it, in any format): 301 to the IRI that answers now."""
    status, headers, _ = get(front, DOC + "/")
    assert status == 301 and headers["location"] == DOC
    status, headers, _ = get(front, DOC + "/op/24//?x=1")
    assert status == 301 and headers["location"] == DOC + "/op/24?x=1"
    status, headers, body = get(front, "/ontology/")
    assert status == 200 and b'id="Mandate"' in body
    for old, new in (("/doc/A-RES-55-10", "/doc/A-RES-55-99"), ("/doc/A-RES-55-10/op/1", "/doc/A-RES-55-99/op/1"),
                     ("/doc/A-RES-55-10.ttl", "/doc/A-RES-55-99.ttl")):
        status, headers, _ = get(front, old)
        assert (status, headers["location"]) == (301, new), old
        assert get(front, new)[0] == 200, new
    assert get(front, "/doc/A-RES-55-100")[0] == 404  # a longer symbol is not under the retired one


def test_a_state_by_its_code(front):
    """/iso/FRA, /iso/fr, /m49/250 and /m49/076: 303 to the State, as mandates serve answers."""
    for code, state in (("/iso/FRA", "/actor/france"), ("/iso/fr", "/actor/france"), ("/m49/250", "/actor/france"),
                        ("/m49/076", "/actor/brazil"), ("/m49/76", "/actor/brazil")):
        status, headers, _ = get(front, code)
        assert (status, headers["location"]) == (303, state), code
    assert get(front, "/iso/XXX")[0] == 404


def test_caching_ranges_and_gzip(front):
    site = front[1]
    status, headers, body = get(front, DOC + "/op/24", {"Accept": "text/turtle"})
    etag = headers["etag"]
    assert status == 200 and "max-age" in headers["cache-control"] and headers["last-modified"]
    status, headers, body = get(front, DOC + "/op/24", {"Accept": "text/turtle", "If-None-Match": etag})
    assert status == 304 and body == b""
    dump = (site / "dump/graph.nq").read_bytes()
    status, headers, body = get(front, "/dump/graph.nq", {"Range": "bytes=100-199"})
    assert status == 206 and body == dump[100:200] and headers["content-range"] == f"bytes 100-199/{len(dump)}"
    status, headers, body = get(front, "/dump/graph.nq", {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip" and gzip.decompress(body) == dump
    assert len(body) < len(dump) / 4 and "Accept-Encoding" in headers["vary"]


def test_site_files_and_catalogue(front):
    site = front[1]
    for path, ctype, f in (("/sitemap.xml", "text/xml", "sitemap.xml"), ("/robots.txt", "text/plain", "robots.txt"),
                           ("/.well-known/void", "text/turtle", "void.ttl"), ("/void.ttl", "text/turtle", "void.ttl"),
                           ("/graph/A-RES-74-304/zh", "text/html", "graph/A-RES-74-304/zh.html"),
                           ("/dump/SHA256SUMS", "text/plain", "dump/SHA256SUMS"), ("/style.css", "text/css", "style.css")):
        status, headers, body = get(front, path)
        assert status == 200 and headers["content-type"].split(";")[0] in (ctype, "application/xml"), path
        assert body == (site / f).read_bytes(), path
    assert get(front, "/graph/A-RES-74-304/zh", {"Accept": "application/rdf+xml"})[1]["content-type"] == TYPES["rdf"]
    assert get(front, "/.nginx/noninfo.map")[0] == 404
    assert get(front, "/no/such/thing")[0] == 404


def test_sparql_is_proxied_to_mandates_serve(front):
    """``/sparql`` reaches the real endpoint (its limits announced), which counts the triples the
    catalogue says the dataset has; its service description answers too."""
    site = front[1]
    q = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT * WHERE { ?s ?p ?o } }"})
    status, headers, body = get(front, "/sparql?" + q, {"Accept": "application/sparql-results+json"})
    assert status == 200 and "x-result-limit" in headers
    n = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    void = list(ox.parse((site / "void.ttl").read_bytes(), format=ox.RdfFormat.TURTLE))
    (count,) = [t.object.value for t in void if t.subject.value == BASE + "void.ttl#dataset"
                and t.predicate.value == "http://rdfs.org/ns/void#triples"]
    assert n == int(count)
    status, headers, body = get(front, "/sparql", {"Accept": "text/turtle"})
    assert status == 200 and headers["content-type"].startswith("text/turtle") and b"sparql" in body


def test_a_query_flood_is_rate_limited(front):
    """One address sending queries faster than the limit gets 429 past its burst, and pages from
    another address still answer."""
    q = "/sparql?" + urllib.parse.urlencode({"query": "ASK {}"})
    codes = [get(front, q, {"Accept": "application/sparql-results+json"}, source="127.0.0.3")[0] for _ in range(30)]
    assert codes.count(429) >= 10 and 200 in codes
    assert get(front, DOC)[0] == 200


def test_slow_clients_do_not_keep_pages_from_answering(front):
    """100 sockets (from another address) send a request header one line a second for 12 s;
    meanwhile every page request answers 200 within 1 s. nginx reads headers without a
    thread per client, and ``client_header_timeout`` is a deadline for the whole header: the
    trickling sockets are closed after 10 s though they never fall silent. (``limit_conn``
    counts requests whose header has been read, so it neither sees the tricklers nor blocks
    the page client; their addresses differ anyway, as on the open web.)"""
    server = front[0]
    window, n_socks = 12.0, 100
    stop = threading.Event()
    closed = [0]

    def trickle() -> None:
        socks = []
        for _ in range(n_socks):
            s = socket.socket()
            s.bind(("127.0.0.2", 0))
            s.settimeout(2)
            s.connect(("127.0.0.1", server.port))
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        i = 0
        while not stop.wait(1.0):
            i += 1
            for s in list(socks):
                try:
                    s.sendall(f"X-Trickle-{i}: {i}\r\n".encode())
                    s.setblocking(False)
                    try:
                        if s.recv(1024) == b"":
                            raise ConnectionResetError
                    except BlockingIOError:
                        pass
                    finally:
                        s.setblocking(True)
                        s.settimeout(2)
                except OSError:
                    closed[0] += 1
                    socks.remove(s)
                    s.close()
        for s in socks:
            s.close()

    attacker = threading.Thread(target=trickle, daemon=True)
    attacker.start()
    time.sleep(1.5)
    pages = [DOC, DOC + "/op/24", IPU + ".html", "/", "/actor/bhutan.ttl", "/dump/SHA256SUMS"]
    slow, n = [], 0
    end = time.monotonic() + window
    try:
        while time.monotonic() < end:
            t0 = time.monotonic()
            status = get(front, pages[n % len(pages)], timeout=5)[0]
            took = time.monotonic() - t0
            n += 1
            if status != 200 or took > 1.0:
                slow.append((pages[(n - 1) % len(pages)], status, round(took, 3)))
            time.sleep(0.2)
    finally:
        stop.set()
        attacker.join(30)
    assert n >= 30 and not slow, slow
    assert closed[0] >= n_socks * 0.9, f"only {closed[0]} trickling sockets were closed"


def test_w3id_rules_send_every_path_to_the_site():
    """The w3id.org rules (Apache mod_rewrite, as perma-id/w3id.org keeps them) send every path
    under the base, query and all, to the same path on the site's host, method kept (307)."""
    import re

    from conftest import ROOT

    lines = [ln.strip() for ln in (ROOT / "deploy/w3id/.htaccess").read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    assert "RewriteEngine on" in lines
    (rule,) = [ln.split() for ln in lines if ln.startswith("RewriteRule")]
    _, pattern, target, flags = rule
    assert set(flags.strip("[]").split(",")) >= {"R=307", "L", "NE"}
    for path in ("doc/A-RES-74-304", "actor/inter-parliamentary-union", "sparql", "", "doc/A-RES-2159(XXI)/op/1"):
        url = re.sub(pattern, target.replace("$1", r"\1"), path)
        assert url == "https://un-mandates.example.org/" + path
    assert (ROOT / "deploy/w3id/README.md").is_file()
