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

Exit codes: 0 every graph was stored; 2 usage (not an http(s) URL); 3 no built store, or the
server cannot be reached or refused a graph (the message names it; graphs already sent stay).
"""

from __future__ import annotations

import base64
import http.client
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from mandates import __version__
from mandates.rdf.describe import graph_names
from mandates.rdf.formats import graph_ntriples
from mandates.rdf.store import StoreError, open_for_command

EXIT_OK, EXIT_USAGE, EXIT_STORE = 0, 2, 3
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
    return Pushed(len(names), total)


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


def _agent() -> str:
    return f"mandates/{__version__}"


def push_cli(args) -> int:  # type: ignore[no-untyped-def]
    """``mandates push --endpoint URL [--store DIR]``."""
    try:
        ep = Endpoint.parse(args.endpoint)
        store = open_built_store(Path(args.store))
        result = push(store, args.endpoint)
    except PushError as exc:
        print(f"mandates: error: {exc}", file=sys.stderr)
        return exc.code
    print(f"mandates: pushed {result.graphs} graph(s), {result.triples} triples, to {ep.shown}", file=sys.stderr)
    return EXIT_OK
