"""The HTTP side of ``mandates serve``: a Starlette application over :class:`Resources` (what a
path stands for) and :class:`Queries` (the SPARQL queue and its worker processes).

Linked data (``GET``/``HEAD``)
    - a resource that is a document or a part of one answers **200 directly**, negotiated
      on ``Accept`` among HTML, Turtle, JSON-LD, N-Triples and RDF/XML (``Vary: Accept``,
      ``Content-Location: NAME.ext``); ``/PATH.html``, ``.ttl``, ``.jsonld``, ``.nt``,
      ``.rdf`` give one format; none acceptable: 406;
    - an **actor or a concept** (a non-information resource, decided by its ``rdf:type``)
      answers **303 See Other** to its description ``/PATH.ext`` in the negotiated format,
      with ``Link: <…>; rel="describedby"`` for every format;
    - a **named graph** ``/graph/…`` answers its triples in every format (HTML: a table);
    - ``/iso/FRA``, ``/iso/FR``, ``/m49/250``: 303 to the State's IRI path;
    - a **retired IRI** (a symbol correction): 301 to its successor; a **trailing slash**:
      301 to the path without it (a folder of the site with an ``index.html`` is served);
    - files of the site (``void.ttl``, ``dump/…``, ``sitemap.xml``, ``robots.txt``, …) with
      their types; a document of the site in several formats (``.well-known/void.ttl`` and
      ``.html``) is negotiated at its name; ``/.well-known/void`` redirects (303) to
      ``/void.ttl`` when the site has no such file, and ``/robots.txt`` is made up (keeping
      crawlers off ``/sparql``) when it has none;
    - every 200 carries a strong ETag, Last-Modified and Cache-Control, answers 304, 206
      and 416 and is gzip-compressed when asked (:mod:`mandates.web.responses`).

SPARQL 1.1 Protocol at ``/sparql`` (``GET``, ``POST`` form or ``application/sparql-query``):
    see :mod:`mandates.web.serve` for the parameters and the limits; the request body is
    read (at most :data:`MAX_BODY` bytes) before the query waits for its turn.

Everything that may block (files, the store, rendering, hashing, compressing) runs in a
pool of page threads (``page_threads``) the queries never use, so a query flood cannot
starve the pages. Every answer carries ``Access-Control-Allow-Origin: *`` and
``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

import re
import sys
import time
import urllib.parse
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mandates.rdf.describe import blank, graph_names, iri, literal, triple
from mandates.rdf.formats import (RESOURCE_ALIASES, RESOURCE_FORMATS, SERVED_FORMATS, SERVED_OFFERS, negotiate,
                                  serialize)
from mandates.rdf.namespaces import FORMATS_NS, RDF, RDFS
from mandates.web.pages import TEMPLATES, render
from mandates.web.resources import Resources
from mandates.web.responses import GZIP_MIN, MAX_AGE, Representer, accepts_gzip, compressible
from mandates.web.workers import Queries

__all__ = ["EXAMPLE_QUERY", "MAX_BODY", "MAX_URL", "STATIC_TYPES", "iri_path", "make_app"]

#: content types of other files of a site
STATIC_TYPES = {
    ".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
    ".ttl": "text/turtle; charset=utf-8", ".jsonld": "application/ld+json", ".json": "application/json",
    ".nt": "application/n-triples", ".nq": "application/n-quads", ".trig": "application/trig",
    ".rdf": "application/rdf+xml", ".owl": "application/rdf+xml", ".xml": "application/xml",
    ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8", ".md": "text/markdown; charset=utf-8",
    ".csv": "text/csv; charset=utf-8", ".tsv": "text/tab-separated-values; charset=utf-8",
    ".gz": "application/gzip", ".zip": "application/zip", ".gexf": "application/xml",
}
MAX_BODY = 1 << 20  # bytes of a request body
MAX_URL = 64 << 10  # bytes of a request's path and query string
#: a larger announced body is not even read away: the connection is closed after the 413
MAX_DRAIN = 16 * MAX_BODY
SD = "http://www.w3.org/ns/sparql-service-description#"
ALLOW = "GET, HEAD, POST, OPTIONS"
#: the query the query page starts with
EXAMPLE_QUERY = ("PREFIX mnd: <https://w3id.org/un-mandates/ontology#>\n"
                 "SELECT ?clause ?verb WHERE {\n  ?clause mnd:verb ?verb .\n} LIMIT 20\n")
_SAFE = "/%()-._~!$&'*+,;=:@"


def iri_path(raw: str) -> str | None:
    """The IRI path of a request path: percent-encoded UTF-8 of non-ASCII characters is
    decoded (URI to IRI, RFC 3987 §3.2), ASCII escapes stay as they are. ``None`` for a path
    no resource can have (``..``, NUL, backslash, invalid UTF-8).

    >>> iri_path("/doc/A-RES-74-303/op/24")
    'doc/A-RES-74-303/op/24'
    >>> iri_path("/instrument/unlisted/%E4%B8%AD%20x")
    'instrument/unlisted/中%20x'
    >>> iri_path("/doc/../etc/passwd") is None
    True
    """
    if not raw.startswith("/") or "\\" in raw or "\x00" in raw:
        return None

    def dec(m: re.Match[str]) -> str:
        return urllib.parse.unquote(m.group(0), errors="strict")

    try:
        path = re.sub(r"(?:%[89A-Fa-f][0-9A-Fa-f])+", dec, raw[1:])
    except UnicodeDecodeError:
        return None
    segs = urllib.parse.unquote(path).split("/")
    if any(s in (".", "..") for s in segs) or "\x00" in urllib.parse.unquote(path):
        return None
    return path


def href(path: str) -> str:
    """The root-relative URL of a path (non-ASCII characters percent-encoded, escapes kept)."""
    return "/" + urllib.parse.quote(path, safe=_SAFE)


@dataclass
class Answer:
    """What a GET asks for, decided in a page thread: a representation to answer with its
    validators (``body`` is bytes or a file), or a plain answer (an error, a redirect)."""

    status: int
    body: bytes | Path = b""
    ctype: str = "text/plain; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    represent: bool = False


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, (message.rstrip() + "\n").encode("utf-8"), headers=dict(headers or {}))


def _redirect(status: int, location: str, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, f"{location}\n".encode("utf-8"), headers={"Location": location, **(headers or {})})


def _represent(body: bytes | Path, ctype: str, headers: dict[str, str] | None = None) -> Answer:
    return Answer(200, body, ctype, dict(headers or {}), True)


def _plain(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(message.rstrip() + "\n", status_code=status, headers=headers)


class Locator:
    """The GET side: which answer a path gets (run in a page thread; see the module)."""

    def __init__(self, res: Resources):
        self.res = res

    def locate(self, raw: str, accept: str | None, query: str) -> Answer:
        path = iri_path(raw)
        if path is None:
            return _error(404, "not found")
        if path in ("", "index.html"):
            return self.home(path, accept)
        if path.endswith("/"):
            return self.folder(path, query)
        return self.resource(path, accept)

    def home(self, path: str, accept: str | None) -> Answer:
        res = self.res
        idx = res.site_file("index.html")
        html = RESOURCE_FORMATS["html"]
        if path == "index.html":
            return _represent(idx if idx is not None else res.home_page(), html)
        void = res.site_file("void.ttl")
        offers = ["text/html"] + (["text/turtle"] if void is not None else [])
        chosen = negotiate(accept, offers, RESOURCE_ALIASES)
        if chosen is None:
            return _error(406, "not acceptable: this page is text/html"
                          + (" or text/turtle (the dataset's VoID)" if void is not None else ""), {"Vary": "Accept"})
        if chosen == "text/turtle":
            return _represent(void, RESOURCE_FORMATS["ttl"],  # type: ignore[arg-type]
                              {"Vary": "Accept", "Content-Location": "void.ttl"})
        return _represent(idx if idx is not None else res.home_page(), html,
                          {"Vary": "Accept", "Content-Location": "index.html"})

    def folder(self, path: str, query: str) -> Answer:
        """``PATH/``: the site's ``PATH/index.html``, else a redirect to ``PATH`` when it answers."""
        idx = self.res.site_file(path + "index.html")
        if idx is not None:
            return _represent(idx, RESOURCE_FORMATS["html"])
        target = path.rstrip("/")
        if target and (self.res.exists(self.res.resolve(target)) or self.special(target)):
            return _redirect(301, href(target) + (f"?{query}" if query else ""))
        return _error(404, f"not found: {self.res.base}{path} is not a resource of this dataset")

    def special(self, path: str) -> bool:
        """Whether a path answers without being a resource or a file (see :meth:`other`)."""
        return path in ("sparql", "style.css", "robots.txt", ".well-known/void") or \
            self.res.actor_path(path) is not None

    def resource(self, path: str, accept: str | None) -> Answer:
        res = self.res
        path = res.resolve(path)
        moved = res.moved(path)
        if moved is not None:  # a retired IRI (ontology/corrections.ttl): permanently at its successor
            return _redirect(301, href(moved))
        if res.graph_iri(path) is not None:
            return self.negotiated(path, accept, lambda ext: (res.graph_file(path, ext), SERVED_FORMATS[ext]))
        if res.has_resource(path):
            if res.is_thing(path):
                return self.see_other(path, accept)
            # the formats it has: all when the store knows it, else the site's files of it
            exts = None if res.in_store(path) else sorted(res.site_document(path)) or None
            return self.negotiated(path, accept, lambda ext: res.representation(path, ext), exts)
        f = res.site_file(path)
        if f is not None:
            return _represent(f, STATIC_TYPES.get(f.suffix.lower(), "application/octet-stream"))
        return self.other(path, accept)

    def negotiated(self, path: str, accept: str | None, make: Any, exts: list[str] | None = None) -> Answer:
        """A 200 in the format ``Accept`` prefers of ``exts`` (default: all), made by ``make(ext)``."""
        exts = exts or list(SERVED_FORMATS)
        offers = [m for m, e in SERVED_OFFERS.items() if e in exts]
        chosen = negotiate(accept, offers, RESOURCE_ALIASES)
        if chosen is None:
            return _error(406, "not acceptable: this resource is available as "
                          + ", ".join(SERVED_FORMATS[e].split(";")[0] for e in exts), {"Vary": "Accept"})
        ext = SERVED_OFFERS[chosen]
        rep = make(ext)
        if rep is None:  # pragma: no cover - the caller said it exists
            return _error(404, "not found")
        loc = urllib.parse.quote(f"{path.rsplit('/', 1)[-1]}.{ext}", safe="%")
        return _represent(rep[0], rep[1], {"Vary": "Accept", "Content-Location": loc})

    def see_other(self, path: str, accept: str | None) -> Answer:
        """An actor or a concept: 303 to its description in the format ``Accept`` prefers."""
        chosen = negotiate(accept, list(SERVED_OFFERS), RESOURCE_ALIASES)
        if chosen is None:
            return _error(406, "not acceptable: this resource is described as "
                          + ", ".join(t.split(";")[0] for t in SERVED_FORMATS.values()), {"Vary": "Accept"})
        links = ", ".join(f'<{href(path)}.{e}>; rel="describedby"; type="{t.split(";")[0]}"'
                          for e, t in SERVED_FORMATS.items())
        return _redirect(303, f"{href(path)}.{SERVED_OFFERS[chosen]}",
                         {"Vary": "Accept", "Link": links, "Cache-Control": f"public, max-age={MAX_AGE}"})

    def other(self, path: str, accept: str | None) -> Answer:
        """What is neither a resource nor a file of the site."""
        res = self.res
        if path == "style.css":  # the pages' stylesheet, when there is no site to serve it
            return _represent(TEMPLATES / "style.css", STATIC_TYPES[".css"])
        if path == "robots.txt":
            sitemap = f"Sitemap: {res.base}sitemap.xml\n" if res.site_file("sitemap.xml") else ""
            return _represent(f"User-agent: *\nDisallow: /sparql\n{sitemap}".encode("ascii"), STATIC_TYPES[".txt"])
        docs = res.site_document(path)
        if docs:  # a document of the site in several formats (.well-known/void.ttl, .html)
            return self.negotiated(path, accept, lambda ext: (docs[ext], SERVED_FORMATS[ext]), sorted(docs))
        if path == ".well-known/void" and res.site_file("void.ttl") is not None:
            return _redirect(303, "/void.ttl")
        actor = res.actor_path(path)
        if actor is not None:
            return _redirect(303, href(actor), {"Cache-Control": f"public, max-age={MAX_AGE}"})
        stem, dot, ext = path.rpartition(".")
        if dot and ext in SERVED_FORMATS and stem:
            stem = res.resolve(stem)
            if res.graph_iri(stem) is not None:
                return _represent(res.graph_file(stem, ext), SERVED_FORMATS[ext])
            if res.in_store(stem):  # PATH.ext of a resource the site has no file for
                rep = res.representation(stem, ext)
                if rep is not None:
                    return _represent(rep[0], rep[1])
        return _error(404, f"not found: {res.base}{path} is not a resource of this dataset")


# ---------------------------------------------------------------- SPARQL


def service_description(res: Resources, queries: Queries) -> list[Any]:
    """The SPARQL 1.1 service description of the endpoint."""
    N, L = iri, literal
    # (dg's sd:Graph is left without counts: publish's void.ttl has them)
    rdf_type = N(RDF + "type")
    svc = N(res.base + "sparql")
    ds = blank("dataset")
    dg = blank("defaultGraph")
    t = [
        (svc, rdf_type, N(SD + "Service")),
        (svc, N(SD + "endpoint"), svc),
        (svc, N(SD + "supportedLanguage"), N(SD + "SPARQL11Query")),
        (svc, N(SD + "feature"), N(SD + "UnionDefaultGraph")),
        (svc, N(SD + "defaultEntailmentRegime"), N("http://www.w3.org/ns/entailment/Simple")),
        (svc, N(SD + "defaultDataset"), ds),
        (ds, rdf_type, N(SD + "Dataset")),
        (ds, N(SD + "defaultGraph"), dg),
        (dg, rdf_type, N(SD + "Graph")),
        (svc, N(RDFS + "comment"), L(
            f"Read-only; SERVICE is refused. Each query may run {queries.timeout:g} s and use {queries.memory} MiB; "
            f"answers are cut at {queries.max_rows} rows or triples (X-Result-Limit, X-Result-Truncated).",
            language="en")),
    ]
    for fmt in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        t.append((svc, N(SD + "resultFormat"), N(FORMATS_NS + fmt)))
    for i, g in enumerate(graph_names(res.store)):
        ng = blank(f"g{i}")
        t += [(ds, N(SD + "namedGraph"), ng), (ng, rdf_type, N(SD + "NamedGraph")),
              (ng, N(SD + "name"), N(g))]  # as queries see them (SPARQL is not rebased)
    return [triple(*x) for x in t]


class Endpoint:
    """The SPARQL side: ``/sparql`` (see the module)."""

    def __init__(self, res: Resources, queries: Queries, rep: Representer, limiter: Any):
        self.res, self.q, self.rep, self.limiter = res, queries, rep, limiter

    def limits(self) -> dict[str, str]:
        return {"X-Result-Limit": str(self.q.max_rows), "X-Query-Time-Limit": f"{self.q.timeout:g}",
                "X-Query-Memory-Limit": f"{self.q.memory} MiB"}

    async def handle(self, request: Request) -> Response:
        params = urllib.parse.parse_qs(request.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        if request.method == "POST":
            got = await self.form(request, params)
            if isinstance(got, Response):
                return got
        elif request.method not in ("GET", "HEAD"):
            return not_allowed(request.method)
        return await self.sparql(request, params)

    async def body(self, request: Request) -> bytes | Response:
        """The request body (at most :data:`MAX_BODY` bytes), or the error answer."""
        cl = request.headers.get("content-length")
        if cl is not None:
            if not cl.strip().isdigit():
                return _plain(400, "bad Content-Length", {"Connection": "close"})
            if int(cl) > MAX_BODY:  # read away unless huge, so that the client gets to read the answer
                if int(cl) <= MAX_DRAIN:
                    try:
                        async for _ in request.stream():
                            pass
                    except ClientDisconnect:
                        pass
                return _plain(413, f"the request body is larger than {MAX_BODY} bytes", {"Connection": "close"})
        data = bytearray()
        try:
            async for chunk in request.stream():
                data += chunk
                if len(data) > MAX_BODY:
                    return _plain(413, f"the request body is larger than {MAX_BODY} bytes", {"Connection": "close"})
        except ClientDisconnect:
            return _plain(400, "the client went away", {"Connection": "close"})
        return bytes(data)

    async def form(self, request: Request, params: dict[str, list[str]]) -> Response | None:
        """The parameters of a POST, added to ``params``; or the error answer."""
        ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        body = await self.body(request)
        if isinstance(body, Response):
            return body
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return _plain(400, "the request body is not UTF-8")
        if ctype == "application/x-www-form-urlencoded":
            for k, v in urllib.parse.parse_qs(text, keep_blank_values=True).items():
                params.setdefault(k, []).extend(v)
        elif ctype == "application/sparql-query":
            if "query" in params:
                return _plain(400, "give the query either in the body or as query=, not both")
            params["query"] = [text]
        elif ctype == "application/sparql-update":
            return _plain(403, "updates are refused: this endpoint is read-only")
        else:
            return _plain(415, "POST application/x-www-form-urlencoded or application/sparql-query")
        if "query" not in params and "update" not in params:
            return _plain(400, "no query: give query=")
        return None

    async def sparql(self, request: Request, params: dict[str, list[str]]) -> Response:
        limits = self.limits()
        if "update" in params or "using-graph-uri" in params or "using-named-graph-uri" in params:
            return _plain(403, "updates are refused: this endpoint is read-only", limits)
        if "query" not in params:
            return await self.describe(request)
        if len(params["query"]) != 1:
            return _plain(400, "give exactly one query=", limits)
        fmt = next((vals[0] for key in ("format", "output", "results")
                    if (vals := [v for v in params.get(key, []) if v.strip()])), None)
        job = {"query": params["query"][0], "format": fmt, "accept": request.headers.get("accept"),
               "default_graphs": params.get("default-graph-uri", []),
               "named_graphs": params.get("named-graph-uri", [])}
        if not job["query"].strip():
            return _plain(400, "the query is empty", limits)
        meta, out = await self.q.run(job)
        headers = {**limits, "Vary": "Accept"}
        if meta.get("status") != 200 or out is None:
            if meta.get("retry"):
                headers["Retry-After"] = str(meta["retry"])
            if meta.get("limit"):
                headers["X-Query-Stopped"] = str(meta["limit"])
            return _plain(int(meta.get("status", 500)), meta.get("message", "the query failed"), headers)
        headers["X-Result-Truncated"] = "true" if meta.get("truncated") else "false"
        headers["X-Result-Rows"] = str(meta.get("rows", 0))
        headers["Cache-Control"] = "no-store"
        return self.stream(request, out, meta["content_type"], headers)

    def stream(self, request: Request, out: Path, ctype: str, headers: dict[str, str]) -> Response:
        """The answer file, sent in pieces (gzip-compressed on the way when asked) and then deleted."""
        size = out.stat().st_size
        zipped = size >= GZIP_MIN and compressible(ctype) and accepts_gzip(request.headers.get("accept-encoding"))
        headers["Vary"] += ", Accept-Encoding"
        if zipped:
            headers["Content-Encoding"] = "gzip"
        else:
            headers["Content-Length"] = str(size)

        async def pieces():  # type: ignore[no-untyped-def]
            comp = zlib.compressobj(6, zlib.DEFLATED, 31) if zipped else None
            try:
                async with await anyio.open_file(out, "rb") as f:
                    while chunk := await f.read(1 << 16):
                        yield comp.compress(chunk) if comp else chunk
                if comp:
                    yield comp.flush()
            finally:
                out.unlink(missing_ok=True)

        return StreamingResponse(pieces(), media_type=ctype, headers=headers,
                                 background=BackgroundTask(out.unlink, missing_ok=True))

    async def describe(self, request: Request) -> Response:
        """``/sparql`` without a query: the service description, or the query page for a browser."""
        offers = ["text/html", "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]
        chosen = negotiate(request.headers.get("accept"), offers, RESOURCE_ALIASES)
        if chosen is None:
            return _plain(406, "the service description is text/turtle, application/n-triples, "
                          "application/ld+json or application/rdf+xml; the query page text/html", {"Vary": "Accept"})
        if chosen == "text/html":
            body = render("sparql.html", query=EXAMPLE_QUERY, timeout=f"{self.q.timeout:g}", memory=self.q.memory,
                          max_rows=self.q.max_rows, path=None, lang="en").encode("utf-8")
            return await self.rep.answer(request, body, RESOURCE_FORMATS["html"], {"Vary": "Accept"})
        body = await anyio.to_thread.run_sync(
            lambda: serialize(service_description(self.res, self.q), chosen,
                              prefixes={"sd": SD} if chosen == "text/turtle" else None), limiter=self.limiter)
        ctype = RESOURCE_FORMATS["ttl"] if chosen == "text/turtle" else chosen
        return await self.rep.answer(request, body, ctype, {"Vary": "Accept"})


# ---------------------------------------------------------------- the application


def not_allowed(method: str) -> Response:
    # a body the client may have sent is not read: the connection closes after the answer
    return _plain(405, f"{method} is not allowed here", {"Allow": ALLOW, "Connection": "close"})


class CommonHeaders:
    """ASGI middleware: the headers every answer carries, and a log line per request (stderr)."""

    def __init__(self, app: ASGIApp, log: bool):
        self.app, self.log = app, log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                for k, v in ((b"access-control-allow-origin", b"*"), (b"x-content-type-options", b"nosniff")):
                    if k not in names:
                        headers.append((k, v))
                message = {**message, "headers": headers}
                if self.log:
                    client = (scope.get("client") or ("-",))[0]
                    target = scope.get("raw_path", b"").decode("latin-1") + (
                        "?" + scope["query_string"].decode("latin-1") if scope.get("query_string") else "")
                    print(f'{client} - - [{time.strftime("%d/%b/%Y %H:%M:%S")}] "{scope["method"]} {target[:300]} '
                          f'HTTP/{scope.get("http_version", "1.1")}" {message["status"]}', file=sys.stderr, flush=True)
            await send(message)

        await self.app(scope, receive, sending)


def make_app(res: Resources, queries: Queries, *, quiet: bool = True, page_threads: int = 8) -> Starlette:
    """The application of a server (see the module)."""
    limiter = anyio.CapacityLimiter(max(1, page_threads))
    rep = Representer(limiter, res.modified)
    site = Locator(res)
    endpoint = Endpoint(res, queries, rep, limiter)

    async def dispatch(request: Request) -> Response:
        method = request.method
        raw = request.scope.get("raw_path", b"").decode("latin-1") or request.url.path
        if len(raw) + len(request.scope.get("query_string", b"")) > MAX_URL:
            return _plain(414, f"the URL is longer than {MAX_URL} bytes: POST a long query", {"Connection": "close"})
        if method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": ALLOW, "Access-Control-Allow-Methods": ALLOW,
                                                      "Access-Control-Allow-Headers": "Accept, Content-Type"})
        if raw in ("/sparql", "/sparql/"):
            return await endpoint.handle(request)
        if method not in ("GET", "HEAD"):
            return not_allowed(method)
        query = request.scope.get("query_string", b"").decode("latin-1")
        answer = await anyio.to_thread.run_sync(site.locate, raw, request.headers.get("accept"), query,
                                                limiter=limiter)
        if answer.represent:
            return await rep.answer(request, answer.body, answer.ctype, answer.headers)
        return Response(answer.body, status_code=answer.status, media_type=answer.ctype,  # type: ignore[arg-type]
                        headers=answer.headers)

    async def internal_error(request: Request, exc: Exception) -> Response:
        return _plain(500, f"internal error: {type(exc).__name__}", {"Connection": "close"})

    methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"]
    app = Starlette(routes=[Route("/{rest:path}", dispatch, methods=methods)],
                    exception_handlers={Exception: internal_error})
    app.add_middleware(CommonHeaders, log=not quiet)  # type: ignore[arg-type]
    return app
