"""``mandates push``: a build's named graphs into a real SPARQL server (Oxigraph), through the
Graph Store Protocol; the library queries give the same rows there as on the embedded store.

The server is ``oxigraph serve`` (read-write, Graph Store Protocol at /store, queries at
/query) on 127.0.0.1, with ``--union-default-graph`` so that the library queries see the
union of the named graphs as the embedded store shows it; and without it, where the push and
``mandates query`` stop with exit code 5 and say how to start the server, never answering
0 rows.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, OxigraphServer, free_port, oxigraph_exe

MANIFEST = tomllib.loads((ROOT / "tests" / "queries" / "manifest.toml").read_text(encoding="utf-8"))


class Server(OxigraphServer):
    """``oxigraph serve`` over a database in a temporary folder (empty at first), with
    ``--union-default-graph`` unless ``union`` is false."""

    def __init__(self, exe: str, work: Path, *, union: bool = True):
        if union:
            super().__init__(exe, "serve", work / "db", work / "server.log")
            return
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = self.base + "/query"
        self.log = open(work / "server-plain.log", "wb")
        self.proc = subprocess.Popen([exe, "serve", "--location", str(work / "db"), "--bind", f"127.0.0.1:{self.port}"],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self._wait(30)
        except BaseException:
            self.stop()
            raise

    def count(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"]["value"])

    def graphs(self) -> set[str]:
        return {r["g"]["value"] for r in self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}


@pytest.fixture()
def server(tmp_path):
    exe = oxigraph_exe()
    if exe is None:
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    s = Server(exe, tmp_path)
    yield s
    s.stop()


@pytest.fixture()
def plain_server(tmp_path):
    """``oxigraph serve`` without ``--union-default-graph``: its default graph is a graph of its own."""
    exe = oxigraph_exe()
    if exe is None:
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    s = Server(exe, tmp_path, union=False)
    yield s
    s.stop()


def query(name: str, store: str, *params: str) -> subprocess.CompletedProcess:
    args = [a for p in params for a in ("--param", p)]
    return subprocess.run([sys.executable, "-m", "mandates.cli", "query", name, "--store", store, *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def push(out: Path, endpoint: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mandates.cli", "push", "--endpoint", endpoint, "--store", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)


def local_counts(out: Path) -> tuple[int, set[str]]:
    import pyoxigraph

    store = pyoxigraph.Store.read_only(str(out / "store"))
    return len(store), {g.value for g in store.named_graphs()}


def test_push_round_trip_and_idempotent(seed_build, server):
    from mandates.web.query import run_query

    out, _ = seed_build
    n, graphs = local_counts(out)
    assert "https://w3id.org/un-mandates/graph/vocabulary" in graphs
    r = push(out, server.base + "/store")
    assert r.returncode == 0, r.stderr
    assert f"pushed {len(graphs)} graph(s), {n} triples" in r.stderr
    assert "note" not in r.stderr and "error" not in r.stderr  # the union was checked, and found
    assert server.count() == n and server.graphs() == graphs
    # pushing again changes nothing
    r = push(out, server.base + "/store")
    assert r.returncode == 0, r.stderr
    assert server.count() == n and server.graphs() == graphs
    # every library query of the manifest on the seed: the same rows, in the same order
    endpoint = server.base + "/query"
    cases = [c for c in MANIFEST["case"] if c["store"] == "seed"]
    assert len(cases) > 10
    for case in cases:
        params = case.get("params")
        local = run_query(case["query"], store=out, params=params)
        remote = run_query(case["query"], store=endpoint, params=params)
        assert remote == local, case["id"]


def test_push_replaces_what_the_server_held(seed_build, server):
    """A graph on the server with other content (an older build) is replaced, not added to."""
    out, _ = seed_build
    n, _ = local_counts(out)
    graph = "https://w3id.org/un-mandates/graph/A-RES-74-304/zh"
    stale = b"<https://w3id.org/un-mandates/doc/A-RES-74-304> <http://example.org/stale> \"old\" .\n"
    req = urllib.request.Request(f"{server.base}/store?graph={urllib.parse.quote(graph, safe='')}", data=stale,
                                 method="PUT", headers={"Content-Type": "application/n-triples"})
    with urllib.request.urlopen(req, timeout=30):
        pass
    assert server.count() == 1
    r = push(out, server.base + "/store")
    assert r.returncode == 0, r.stderr
    assert server.count() == n
    rows = server.select("SELECT ?o WHERE { GRAPH ?g { ?s <http://example.org/stale> ?o } }")
    assert rows == []


def test_push_exit_codes(seed_build, tmp_path):
    out, _ = seed_build
    r = push(out, "ftp://127.0.0.1/store")
    assert r.returncode == 2 and "http" in r.stderr
    r = push(out, f"http://127.0.0.1:{free_port()}/store")
    assert r.returncode == 3 and "cannot reach" in r.stderr and "Traceback" not in r.stderr
    r = push(tmp_path / "nothing", "http://127.0.0.1:1/store")
    assert r.returncode == 3 and "no such folder" in r.stderr
    (tmp_path / "empty").mkdir()
    r = push(tmp_path / "empty", "http://127.0.0.1:1/store")
    assert r.returncode == 3 and "not a built store" in r.stderr


def test_credentials_are_sent_but_never_shown():
    from mandates.web.push import Endpoint

    ep = Endpoint.parse("https://user:s%40cret@example.org:8443/store?x=1")
    assert ep.auth == "Basic dXNlcjpzQGNyZXQ="
    assert "cret" not in ep.shown and ep.shown == "https://example.org:8443/store?x=1"
    assert ep.graph_target("https://w3id.org/un-mandates/graph/A/zh") == \
        "/store?x=1&graph=https%3A%2F%2Fw3id.org%2Fun-mandates%2Fgraph%2FA%2Fzh"


def test_a_server_without_the_union_default_graph_is_named_never_silent(seed_build, plain_server, tmp_path):
    """Pushed into ``oxigraph serve`` without ``--union-default-graph``, every library query
    would answer 0 rows: the push (after storing every graph) and ``mandates query`` stop with
    exit code 5, naming the query endpoint and the option; a query that names its dataset
    with FROM runs as it is."""
    from mandates.web.query import QueryError, run_query

    out, _ = seed_build
    n, graphs = local_counts(out)
    r = push(out, plain_server.base + "/store")
    assert r.returncode == 5, r.stderr
    assert f"pushed {len(graphs)} graph(s), {n} triples" in r.stderr  # stored all the same
    assert plain_server.count() == n and plain_server.graphs() == graphs
    assert "the graphs are stored" in r.stderr and plain_server.url in r.stderr
    assert "--union-default-graph" in r.stderr and "Traceback" not in r.stderr
    # without the check, the library query would indeed answer nothing (the failure it prevents)
    assert plain_server.select("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1") == []

    for name, params in (("mandates-by-addressee", ()), ("verb-profile", ()),
                         ("asked-of-actor", ("actor=<https://w3id.org/un-mandates/actor/secretary-general>",)),
                         ("asked-of-actor", ("actor=iso:FRA",))):
        r = query(name, plain_server.url, *params)
        assert r.returncode == 5, (name, r.stderr)
        assert r.stdout == "" and "rows" not in r.stderr, name
        assert plain_server.url in r.stderr and "--union-default-graph" in r.stderr, r.stderr
    with pytest.raises(QueryError) as err:
        run_query("reports-requested", store=plain_server.url)
    assert err.value.code == 5

    vocab = "https://w3id.org/un-mandates/graph/vocabulary"
    named = tmp_path / "verbs-from-vocabulary.rq"
    named.write_text("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                     f"SELECT ?verb FROM <{vocab}> WHERE {{ ?v skos:notation ?verb ; "
                     "<https://w3id.org/un-mandates/ontology#strength> ?s } ORDER BY ?verb\n", encoding="utf-8")
    remote = run_query(named, store=plain_server.url)
    assert {"verb": "request"} in remote and remote == run_query(named, store=out)


def test_the_same_server_with_the_union_default_graph_answers(seed_build, tmp_path):
    """The database the plain server held, served again with ``--union-default-graph``: the
    check passes, and the library queries give the rows of the embedded store."""
    from mandates.web.query import run_query

    exe = oxigraph_exe()
    if exe is None:
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    out, _ = seed_build
    plain = Server(exe, tmp_path, union=False)
    try:
        assert push(out, plain.base + "/store").returncode == 5
    finally:
        plain.stop()
    union = Server(exe, tmp_path)
    try:
        r = push(out, union.base + "/store")
        assert r.returncode == 0 and "note" not in r.stderr, r.stderr
        r = query("mandates-by-addressee", union.url)
        assert r.returncode == 0 and "rows" in r.stderr, r.stderr
        rows = run_query("mandates-by-addressee", store=union.url)
        assert rows and rows == run_query("mandates-by-addressee", store=out)
    finally:
        union.stop()
