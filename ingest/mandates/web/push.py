"""``mandates push``: load a build's named graphs into a SPARQL 1.1 server (Graph Store Protocol).

Every named graph of the embedded store (one per document, and the vocabulary graph) is
sent with an HTTP ``PUT`` to ``ENDPOINT?graph=<IRI>`` as N-Triples. ``PUT`` replaces the
graph on the server, so pushing twice changes nothing, and a document rebuilt since the last
push replaces its old graph. Graphs of documents removed since the last push stay on the
server (the Graph Store Protocol cannot list graphs; remove them with ``DELETE`` or
``DROP GRAPH``).

For Oxigraph (``oxigraph serve --location DB``) the endpoint is ``http://HOST:PORT/store``;
queries then go to ``http://HOST:PORT/query`` (``--union-default-graph`` makes the default
graph the union of the named graphs, as the library queries expect). A user name and
password in the URL (``https://user:secret@host/store``) are sent as HTTP Basic
authentication, never printed.

After the graphs are stored, the push looks for the server's SPARQL query service beside
the Graph Store endpoint (:func:`query_paths`: Oxigraph's ``/store`` and ``/query``, Apache
Jena Fuseki's ``/DATASET/data`` and ``/DATASET/query``, RDF4J's and GraphDB's
``/repositories/ID/rdf-graphs/service`` and ``/repositories/ID``, Virtuoso's
``/sparql-graph-crud`` and ``/sparql``, else the endpoint itself) and asks it whether its
default graph holds a triple of a graph just pushed (:func:`mandates.web.query.union_probe`).
When it does not, the library queries would answer nothing there: the push says so and how
to start the server, and exits with 5. When no query service answers for the pushed
graphs, it says that it could not check.

Exit codes: 0 every graph was stored; 2 usage (not an http(s) URL); 3 no built store, or the
server cannot be reached or refused a graph (the message names it; graphs already sent stay);
5 every graph was stored, but the server's default graph is not the union of its named
graphs (the message says how to fix it).
"""

from __future__ import annotations

import base64
import http.client
import json
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from mandates import __version__
from mandates.rdf.describe import graph_names
from mandates.rdf.formats import graph_ntriples
from mandates.rdf.store import StoreError, open_for_command
from mandates.web.query import Result, not_union, probe_answer, union_probe

EXIT_OK, EXIT_USAGE, EXIT_STORE, EXIT_NOT_UNION = 0, 2, 3, 5
#: a Graph Store endpoint's last path segments, and where servers that use them answer queries
QUERY_PATHS = (("/store", ("/query",)),  # Oxigraph
               ("/data", ("/query", "/sparql", "")),  # Apache Jena Fuseki
               ("/rdf-graphs/service", ("",)),  # RDF4J, GraphDB
               ("/sparql-graph-crud-auth", ("/sparql",)), ("/sparql-graph-crud", ("/sparql",)))  # Virtuoso
TIMEOUT = 300  # seconds per request


class PushError(Exception):
    """A problem with the store or the server; ``code`` is the exit code."""

    def __init__(self, message: str, code: int = EXIT_STORE):
        super().__init__(message)
        self.code = code


@dataclass
class Pushed:
    """What a push sent."""

    graphs: int
    triples: int
    names: list[str]


@dataclass(frozen=True)
class Endpoint:
    """A Graph Store Protocol endpoint, parsed from its URL (credentials apart)."""

    scheme: str
    host: str
    port: int | None
    path: str  # including any query string the URL had
    auth: str | None  # "Basic ..." header value
    shown: str  # the URL without credentials, for messages

    @classmethod
    def parse(cls, url: str) -> Endpoint:
        u = urllib.parse.urlsplit(url)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise PushError(f"--endpoint {url!r} is not an http:// or https:// URL", EXIT_USAGE)
        auth = None
        if u.username is not None:
            raw = f"{urllib.parse.unquote(u.username)}:{urllib.parse.unquote(u.password or '')}"
            auth = "Basic " + base64.b64encode(raw.encode("utf-8")).decode("ascii")
        netloc = u.hostname if u.port is None else f"{u.hostname}:{u.port}"
        if ":" in (u.hostname or "") and not netloc.startswith("["):
            netloc = f"[{u.hostname}]" + (f":{u.port}" if u.port else "")
        path = u.path or "/"
        shown = urllib.parse.urlunsplit((u.scheme, netloc, path, u.query, ""))
        return cls(u.scheme, u.hostname, u.port, path + (f"?{u.query}" if u.query else ""), auth, shown)

    def graph_target(self, graph: str) -> str:
        sep = "&" if "?" in self.path else "?"
        return f"{self.path}{sep}graph={urllib.parse.quote(graph, safe='')}"


def _connection(ep: Endpoint):  # type: ignore[no-untyped-def]
    if ep.scheme == "https":
        return http.client.HTTPSConnection(ep.host, ep.port, timeout=TIMEOUT)
    return http.client.HTTPConnection(ep.host, ep.port, timeout=TIMEOUT)


def open_built_store(folder: Path):  # type: ignore[no-untyped-def]
    """The embedded store a build wrote (``folder/store`` or the store folder itself), read-only
    (:func:`mandates.rdf.store.open_for_command`; its errors as :class:`PushError`)."""
    try:
        return open_for_command(folder)
    except StoreError as exc:
        raise PushError(str(exc)) from None


def push(store, endpoint: str, *, progress=None) -> Pushed:  # type: ignore[no-untyped-def]
    """PUT every named graph of ``store`` (an open pyoxigraph store) to ``endpoint``."""
    ep = Endpoint.parse(endpoint)
    names = graph_names(store)
    conn = _connection(ep)
    total = 0
    try:
        for name in names:
            data = graph_ntriples(store, name)
            n = data.count(b"\n")
            headers = {"Content-Type": "application/n-triples", "Content-Length": str(len(data)),
                       "User-Agent": _agent()}
            if ep.auth:
                headers["Authorization"] = ep.auth
            status, reason, body = _request(conn, ep, "PUT", ep.graph_target(name), data, headers)
            if status == 0:  # the connection was closed between requests: once more on a new one
                conn.close()
                conn = _connection(ep)
                status, reason, body = _request(conn, ep, "PUT", ep.graph_target(name), data, headers)
            if not 200 <= status < 300:
                detail = body.decode("utf-8", "replace").strip()[:300]
                raise PushError(f"the server at {ep.shown} refused graph <{name}>: {status} {reason}"
                                + (f": {detail}" if detail else ""))
            total += n
            if progress:
                progress(name, n)
    finally:
        conn.close()
    return Pushed(len(names), total, names)


def _request(conn, ep: Endpoint, method: str, target: str, data: bytes, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    try:
        conn.request(method, target, body=data, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.reason, resp.read()
    except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
        return 0, "", b""
    except OSError as exc:
        raise PushError(f"cannot reach the server at {ep.shown}: {exc}") from None
    except http.client.HTTPException as exc:
        raise PushError(f"the server at {ep.shown} answered badly: {exc}") from None


def query_paths(ep: Endpoint) -> list[str]:
    """Where the SPARQL query service of the server of ``ep`` may answer, by the conventions
    of the servers that name their Graph Store endpoint so; the endpoint itself last.

    >>> query_paths(Endpoint.parse("http://localhost:7878/store"))
    ['/query', '/store']
    >>> query_paths(Endpoint.parse("http://h/ds/data?x=1"))
    ['/ds/query', '/ds/sparql', '/ds', '/ds/data']
    """
    path = ep.path.split("?", 1)[0].rstrip("/") or "/"
    out = []
    for ending, beside in QUERY_PATHS:
        if path.endswith(ending):
            out.extend((path[: -len(ending)] + b) or "/" for b in beside)
            break
    return [p for i, p in enumerate(out + [path]) if p not in out[:i]]


def _ask_union(ep: Endpoint, graph: str) -> tuple[str, bool] | None:
    """The query service beside ``ep`` that holds ``graph``, and whether its default graph
    holds a triple of that graph; ``None`` when none answers for it."""
    body = urllib.parse.urlencode({"query": union_probe(graph)}).encode("utf-8")
    headers = {"Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded",
               "Content-Length": str(len(body)), "User-Agent": _agent()}
    if ep.auth:
        headers["Authorization"] = ep.auth
    for path in query_paths(ep):
        conn = _connection(ep)
        try:
            status, _, data = _request(conn, ep, "POST", path, body, headers)
        except PushError:
            return None
        finally:
            conn.close()
        try:
            doc = json.loads(data.decode("utf-8")) if status == 200 else None
            names = list(doc["head"]["vars"]) if doc else []
            rows = list(doc["results"]["bindings"]) if doc else []
        except (ValueError, KeyError, TypeError, AttributeError):
            continue
        found = probe_answer(Result(names, rows)) if doc else None
        if found is not None:
            shown = urllib.parse.urlunsplit((ep.scheme, urllib.parse.urlsplit(ep.shown).netloc, path, "", ""))
            return shown, found[1]
    return None


def check_union(ep: Endpoint, pushed: Pushed) -> None:
    """Raise :class:`PushError` (exit code 5) when the query service beside ``ep`` has a
    default graph that lacks the triples of a graph just pushed; print a note when no query
    service could be found to ask."""
    graph = next((g for g in pushed.names if g.endswith("/graph/vocabulary")), pushed.names[0] if pushed.names else None)
    if graph is None:
        return
    found = _ask_union(ep, graph)
    if found is None:
        print(f"mandates: note: found no SPARQL query service beside {ep.shown} that holds the pushed graphs, "
              "so could not check that its default graph is the union of the named graphs (the library "
              "queries need it; 'mandates query --store URL' checks it)", file=sys.stderr)
    elif not found[1]:
        raise PushError(f"the graphs are stored, but {not_union(found[0], graph)}", EXIT_NOT_UNION)


def _agent() -> str:
    return f"mandates/{__version__}"


def push_cli(args) -> int:  # type: ignore[no-untyped-def]
    """``mandates push --endpoint URL [--store DIR]``."""
    try:
        ep = Endpoint.parse(args.endpoint)
        store = open_built_store(Path(args.store))
        result = push(store, args.endpoint)
        print(f"mandates: pushed {result.graphs} graph(s), {result.triples} triples, to {ep.shown}", file=sys.stderr)
        check_union(ep, result)
    except PushError as exc:
        print(f"mandates: error: {exc}", file=sys.stderr)
        return exc.code
    return EXIT_OK
