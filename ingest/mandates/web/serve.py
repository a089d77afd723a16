"""``mandates serve``: every IRI answered at its own path, and a safe SPARQL 1.1 endpoint.

Built on the standard library (``http.server.ThreadingHTTPServer``, ``subprocess``); the
store is reached through :mod:`mandates.rdf` and every HTML page comes from the site's
templates (:mod:`mandates.web.pages`).

Linked data
    The IRI ``{base}PATH`` is answered at ``/PATH`` (whatever the host: a reverse proxy or a
    w3id redirect maps onto it unchanged). Content negotiation on ``Accept`` (q-values and
    wildcards; ties and ``*/*`` go to HTML) chooses among ``text/html``, ``text/turtle``,
    ``application/ld+json`` and ``application/n-triples``, and the answer is **direct**: a
    ``200`` with the representation itself, ``Vary: Accept`` and ``Content-Location:
    /PATH.ext`` naming the file it is (no 303 round trip; the IRIs name documents' parts,
    concepts and actors, and the answer describes them). ``/PATH.html``, ``/PATH.ttl``,
    ``/PATH.jsonld`` and ``/PATH.nt`` give one format. No acceptable format gives 406, an
    unknown path 404. ``HEAD`` works everywhere.

    Representations come from the site ``mandates publish`` wrote (``--site``; without it the
    build is published into a cache folder on start, see :func:`ensure_site`). A resource of
    the store that the site has no file for is answered from the store: the triples the
    graph holds about the IRI (:func:`describe`), the same rule as the published files, and
    the page the site would have (:meth:`mandates.web.site.Site.page`).
    Other files of the site (``void.ttl``, ``context.jsonld``, ``dump/…``, ``ontology/…``) are
    served as they are.

SPARQL 1.1 Protocol at ``/sparql``
    ``GET ?query=``, ``POST`` form-encoded (``query=``) or ``application/sparql-query``;
    ``default-graph-uri`` and ``named-graph-uri`` (otherwise the default graph is the union of
    the named graphs). SELECT answers as SPARQL JSON, XML, CSV or TSV (or an HTML table),
    ASK as JSON or XML, CONSTRUCT and DESCRIBE as Turtle, N-Triples, JSON-LD or RDF/XML, chosen
    by ``Accept`` or a ``format`` (or ``output``) parameter. ``GET /sparql`` without a query
    is the service description (``Accept: text/turtle`` and the other RDF types) or, for
    browsers, a query page. Queries see the graph's own IRIs: ``--base`` moves the pages and
    the RDF answers of the resources (as ``mandates publish --base`` does), not the store.

Safety (see :mod:`mandates.web.sparql_worker` for the child's side)
    - read-only: the store is opened read-only and updates are refused (403), by
      ``update=``, ``application/sparql-update`` or an update in ``query=``;
    - ``SERVICE`` is refused (403) after parsing; the query never runs;
    - every query runs in its own process, killed at ``timeout`` seconds (wall clock), with its
      address space capped at ``memory`` MiB beyond the opened store (``RLIMIT_AS``), and a
      503 says which limit stopped it;
    - at most ``max_rows`` rows (or triples) are returned; every answer states the cap in
      ``X-Result-Limit`` and whether it applied in ``X-Result-Truncated`` (an HTML answer
      also says so in the page);
    - at most ``max_concurrent`` queries run at once (others wait up to ``timeout`` seconds,
      then get 503 with ``Retry-After``), at most ``max_connections`` connections are served
      at once (more are answered 503 at once), request bodies are limited to 1 MiB, request
      lines to 64 KiB, a connection silent for 20 s is closed; answers are spooled to a
      temporary file (at most ``memory`` MiB each), never held in the server's memory;
    - the server binds 127.0.0.1 unless ``--host`` says otherwise.

Python API: :class:`Server` (in-process, ``with Server(build) as s: s.url``),
:func:`start_server` (in a background thread) and :func:`start_subprocess` (the real
``mandates serve`` command in a child process, for tests and scripts).
"""

from __future__ import annotations

import collections
import hashlib
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from mandates import __version__
from mandates.rdf.describe import (FIXED, GraphIndex, all_quads, blank, describe, graph_names, hash_subjects, iri,
                                   is_subject, literal, rebase_quads, rebase_triples, triple)
from mandates.rdf.formats import RESOURCE_ALIASES, RESOURCE_OFFERS, negotiate, parse_accept, resource_bytes, serialize
from mandates.rdf.formats import RESOURCE_FORMATS as FORMATS
from mandates.rdf.namespaces import FORMATS_NS, RDF, RDFS, graph_base
from mandates.rdf.store import StoreError, built_store_path, open_built, same_as
from mandates.web import publish as publisher
from mandates.web.pages import TEMPLATES, render
from mandates.web.site import Site

__all__ = ["Server", "ServerProcess", "describe", "ensure_site", "iri_path", "negotiate", "parse_accept",
           "serve_cli", "start_server", "start_subprocess", "store_path"]

EXIT_OK, EXIT_USAGE, EXIT_STORE = 0, 2, 3
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
IDLE_TIMEOUT = 20  # seconds a connection may stay silent
SD = "http://www.w3.org/ns/sparql-service-description#"


# ---------------------------------------------------------------- the store and its resources


def store_path(folder: str | Path) -> Path:
    """The embedded store of a folder written by ``mandates build --out`` (or the store itself);
    raises :class:`mandates.rdf.store.StoreError`."""
    return built_store_path(folder)


def _fixed(value: str) -> bool:
    """IRIs that keep their place when the base moves (the ontology's own terms, as in publish)."""
    return value.startswith(FIXED)


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


# ---------------------------------------------------------------- the site


def _cache_root() -> Path:
    env = os.environ.get("MANDATES_SITE_CACHE")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "mandates"


def ensure_site(build_dir: Path, base: str | None = None, *, cache: Path | None = None,
                log=None) -> Path:  # type: ignore[no-untyped-def]
    """The site of a build, published with ``mandates.web.publish.publish`` into a cache folder
    (``cache``, else ``$MANDATES_SITE_CACHE``, else ``$XDG_CACHE_HOME/mandates``, else
    ``~/.cache/mandates``) named by a hash of the build's graph, the base and the publisher's
    code and templates, so a rebuilt graph is published again and an unchanged one is reused."""
    h = hashlib.sha256()
    for name in ("graph.nq", "vocabulary.ttl"):
        p = build_dir / name
        if p.is_file():
            with p.open("rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
        h.update(b"\0")
    h.update((base or "").encode("utf-8"))
    for code in _publisher_code():
        try:
            h.update(code.read_bytes())
        except OSError:
            pass
    h.update(__version__.encode("utf-8"))
    root = cache or _cache_root()
    target = root / f"site-{h.hexdigest()[:16]}"
    if (target / "manifest.json").is_file():
        return target
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".site.", dir=root))
    if log:
        log(f"mandates: publishing the build into {target} (once; later starts reuse it)")
    try:
        publisher.publish(build_dir, tmp, base=base)
        if target.exists():  # another server published it meanwhile
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


# ---------------------------------------------------------------- the server


def _publisher_code() -> list[Path]:
    """The files that decide the bytes of a published site: the publisher's modules and templates."""
    web = Path(publisher.__file__).resolve().parent
    return [Path(publisher.__file__), web / "site.py", web / "pages.py", *sorted(TEMPLATES.rglob("*.*"))]


def _read_manifest(site: Path | None) -> dict[str, Any]:
    """The site's ``manifest.json`` (``{}`` when there is none or it cannot be read)."""
    if site is None:
        return {}
    try:
        doc = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], app: Server):
        self.app = app
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self._slots = threading.BoundedSemaphore(app.max_connections)
        super().__init__(address, _Handler)

    def process_request(self, request, client_address):  # type: ignore[no-untyped-def]
        # a connection beyond the limit is closed at once instead of starting a thread
        if not self._slots.acquire(blocking=False):
            try:
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                                b"Retry-After: 1\r\nConnection: close\r\n\r\n")
            except OSError:
                pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):  # type: ignore[no-untyped-def]
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


class Server:
    """A ``mandates serve`` server over a build folder (or its ``store/``), in this process.

    ``port=0`` takes a free port (read it from ``.port`` or ``.url``). ``start()`` serves in
    a background thread, ``stop()`` ends it; as a context manager::

        with Server("build", site="site") as s:
            urllib.request.urlopen(s.url + "doc/A-RES-74-304")

    ``max_concurrent`` queries run at once (and as many worker processes wait ready),
    ``max_connections`` connections are served at once.
    """

    def __init__(self, store: str | Path, *, site: str | Path | None = None, host: str = "127.0.0.1",
                 port: int = 0, base: str | None = None, timeout: float = 10.0, memory: int = 1024,
                 max_rows: int = 10000, max_concurrent: int = 3, max_connections: int = 64,
                 quiet: bool = True):
        self.store_dir = built_store_path(store)
        self.store = open_built(self.store_dir)
        self.graph_base = graph_base(graph_names(self.store))
        self.site = Path(site) if site is not None else None
        self.manifest = _read_manifest(self.site)
        #: the resource paths the site has files for (from its manifest.json), None: ask the files
        self.site_resources: set[str] | None = (set(self.manifest["resources"])
                                                if isinstance(self.manifest.get("resources"), dict) else None)
        self.base = base or self.manifest.get("base") or self.graph_base
        self.timeout = float(timeout)
        self.memory = int(memory)
        self.max_rows = int(max_rows)
        self.max_connections = int(max_connections)
        self.quiet = quiet
        self._queries = threading.BoundedSemaphore(max(1, int(max_concurrent)))
        self._thread: threading.Thread | None = None
        self._hash_index = self._index_hash_iris()
        #: retired resource paths (an IRI a symbol correction retired: ``owl:sameAs`` in the
        #: graph) -> the path that answers for them now
        self.retired = {old[len(self.graph_base):]: new[len(self.graph_base):]
                        for old, new in same_as(self.store) if old.startswith(self.graph_base)
                        and new.startswith(self.graph_base)}
        self._pages: Site | None = None  # the site's pages over the store, made when first needed
        self._pages_lock = threading.Lock()
        self.httpd = _HTTPServer((host, port), self)  # OSError when the address cannot be bound
        self.host, self.port = self.httpd.server_address[:2]
        self._tmp = Path(tempfile.mkdtemp(prefix="mandates-serve-"))  # the answers of queries
        self._workers = _Workers(self.store_dir, max(1, int(max_concurrent)), quiet)

    # -- lifecycle

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in str(self.host) else self.host
        return f"http://{host}:{self.port}/"

    def serve_forever(self) -> None:
        self.httpd.serve_forever(poll_interval=0.2)

    def start(self) -> Server:
        """Serve in a background thread; returns self."""
        self._thread = threading.Thread(target=self.serve_forever, name="mandates-serve", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port and the temporary files."""
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join(10)
            self._thread = None
        self.httpd.server_close()
        self._workers.close()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- resources

    def _index_hash_iris(self) -> dict[str, list[str]]:
        """The hash IRIs ``{base}PATH#…`` that are subjects, by PATH (e.g. ``ontology``)."""
        out: dict[str, list[str]] = {}
        for s in hash_subjects(self.store, self.graph_base):
            out.setdefault(s[len(self.graph_base):].partition("#")[0], []).append(s)
        return out

    def in_store(self, path: str) -> bool:
        """Whether the graph says something about ``{base}path``."""
        if not path or (self.base != self.graph_base and _fixed(self.graph_base + path)):
            return False
        if path in self._hash_index:
            return True
        return is_subject(self.store, self.graph_base + path)

    def site_file(self, rel: str) -> Path | None:
        """A regular file of the site at ``rel`` (never outside the site)."""
        if self.site is None or not rel:
            return None
        p = self.site / rel
        try:
            real = p.resolve()
            root = self.site.resolve()
        except (OSError, RuntimeError, ValueError):
            return None
        if root != real and root not in real.parents:
            return None
        return p if real.is_file() else None

    def representation(self, path: str, ext: str) -> tuple[bytes | Path, str] | None:
        """The bytes (or the site file) of ``{base}path`` in format ``ext``, and its content type."""
        f = self.site_file(f"{path}.{ext}")
        if f is not None:
            return f, FORMATS[ext]
        if ext == "html":
            f = self.site_file(f"{path}/index.html")
            if f is not None:
                return f, FORMATS[ext]
        if not self.in_store(path):
            return None
        return self.render(path, ext), FORMATS[ext]

    def has_resource(self, path: str) -> bool:
        """Whether ``{base}path`` is a resource: the site has its files, or the store knows it."""
        if self.site_resources is not None:
            if path in self.site_resources:
                return True
        elif any(self.site_file(f"{path}.{e}") is not None for e in FORMATS):
            return True
        return self.in_store(path)

    def moved(self, path: str) -> str | None:
        """Where a retired resource (or one under it: ``doc/OLD/op/3``) answers now, or None."""
        for old, new in self.retired.items():
            if path == old or path.startswith(old + "/"):
                return new + path[len(old):]
        return None

    def resolve(self, path: str) -> str:
        """The resource path a request path stands for: as sent, or else with its ASCII
        percent-escapes decoded (clients write ``(`` as ``%28``; ``%2F`` stays)."""
        if "%" not in path or self.has_resource(path):
            return path
        decoded = re.sub(r"%(?!2[Ff])[0-7][0-9A-Fa-f]", lambda m: urllib.parse.unquote(m.group(0)), path)
        if decoded != path and not any(c in decoded for c in "\x00 <>\"{}|^`\\") and self.has_resource(decoded):
            return decoded
        return path

    def pages(self) -> Site:
        """The site's pages over the store, under the served base (made on first use: the
        graph is read into memory once, as ``mandates publish`` reads it)."""
        with self._pages_lock:
            if self._pages is None:
                quads = rebase_quads(all_quads(self.store), self.graph_base, self.base)
                self._pages = Site(GraphIndex(quads, self.base), self.store, self.graph_base, publisher.read_sources())
            return self._pages

    def render(self, path: str, ext: str) -> bytes:
        """``{base}path`` answered from the store (see :func:`describe`): the page the site would
        have, or the triples written by the publisher's serialisers (the bytes of its files)."""
        if ext == "html":
            return self.pages().page(self.base + path, path=path).encode("utf-8")
        triples = rebase_triples(describe(self.store, self.graph_base + path, self._hash_index.get(path, [])),
                                 self.graph_base, self.base)
        return resource_bytes(triples, ext)

    def home_page(self) -> bytes:
        """The site's home page, made from the store (when the site has no ``index.html``)."""
        site = self.pages()
        kinds = Counter(site.kind(i) for i in site.paths.values())
        return site.home(dict(kinds), len(site.d.triples)).encode("utf-8")

    # -- SPARQL

    def run_query(self, job: dict[str, Any]) -> tuple[dict[str, Any], Path | None]:
        """Run one query in a worker process under the limits; its report and the answer file."""
        if not self._queries.acquire(timeout=self.timeout):
            return {"status": 503, "message": "too many queries are running; try again shortly",
                    "retry": 1}, None
        out = None
        try:
            fd, name = tempfile.mkstemp(prefix="answer-", dir=self._tmp)
            os.close(fd)
            out = Path(name)
            job = {**job, "store": str(self.store_dir), "timeout": self.timeout, "memory": self.memory,
                   "max_rows": self.max_rows, "base": self.base, "out": name}
            meta = self._workers.run(job, self.timeout)
            if meta is None:
                meta = {"status": 503, "limit": "time",
                        "message": f"the query was stopped: it ran longer than the time limit of {self.timeout:g} s"}
            elif meta.get("status") is None:
                meta = {"status": 503, "limit": "memory",
                        "message": f"the query was stopped: it needed more than the memory limit of {self.memory} MiB "
                                   f"(or it crashed: exit {meta.get('exit')})"}
            if meta.get("status") != 200:
                out.unlink(missing_ok=True)
                return meta, None
            return meta, out
        except BaseException:
            if out is not None:
                out.unlink(missing_ok=True)
            raise
        finally:
            self._queries.release()


class _Workers:
    """Query processes (``python -m mandates.web.sparql_worker``): idle ones wait with the store
    open; a worker that answered normally is reused, one that hit a limit, failed, grew
    past ``RETIRE_RSS`` or served ``RETIRE_JOBS`` queries is ended (and replaced)."""

    RETIRE_RSS = 256 << 20
    RETIRE_JOBS = 200

    def __init__(self, store_dir: Path, spares: int, quiet: bool):
        self.argv = [sys.executable, "-m", "mandates.web.sparql_worker", "--store", str(store_dir)]
        self.env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])
        self.env["PYTHONPATH"] = root + (os.pathsep + self.env["PYTHONPATH"] if self.env.get("PYTHONPATH") else "")
        self.target = spares
        self.quiet = quiet
        self._idle: list[_Worker] = []
        self._live = 0  # idle and busy
        self._lock = threading.Lock()
        self._closed = False
        self._refill()

    def _spawn(self) -> _Worker:
        proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL if self.quiet else None, env=self.env)
        return _Worker(proc)

    def _refill(self) -> None:
        """Start workers until ``target`` are alive (idle or busy)."""
        with self._lock:
            need = 0 if self._closed else self.target - self._live
            self._live += max(0, need)
        new = [self._spawn() for _ in range(max(0, need))]
        with self._lock:
            if not self._closed:
                self._idle.extend(new)
                return
        for w in new:
            self._end(w)

    def _end(self, worker: _Worker, refill: bool = False) -> None:
        worker.end()
        with self._lock:
            self._live -= 1
        if refill:
            threading.Thread(target=self._refill, daemon=True).start()

    def _take(self) -> _Worker:
        while True:
            with self._lock:
                worker = self._idle.pop() if self._idle else None
                if worker is None:
                    self._live += 1
            if worker is None:
                try:
                    return self._spawn()
                except BaseException:
                    with self._lock:
                        self._live -= 1
                    raise
            if worker.proc.poll() is None:
                return worker
            self._end(worker, refill=True)

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if not self._closed and self._live <= self.target:
                self._idle.append(worker)
                return
        self._end(worker)

    def run(self, job: dict[str, Any], timeout: float) -> dict[str, Any] | None:
        """The worker's report; ``None`` when it ran out of time (it is killed), a report
        without ``status`` when it died (a memory limit, a crash)."""
        worker = self._take()
        try:
            meta = worker.ask(job, timeout)
        except BaseException:
            self._end(worker, refill=True)
            raise
        if meta is None or meta.get("status") not in (200, 400, 403, 406) or meta.get("retire") \
                or int(meta.get("rss") or 0) > self.RETIRE_RSS or worker.jobs >= self.RETIRE_JOBS:
            self._end(worker, refill=True)
            if meta is None and worker.timed_out:
                return None
            return meta if meta is not None else {"exit": worker.proc.returncode}
        self._give_back(worker)
        return meta

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for w in idle:
            self._end(w)


class _Worker:
    def __init__(self, proc: subprocess.Popen[bytes]):
        self.proc = proc
        self.jobs = 0
        self.timed_out = False
        self._buf = b""

    def ask(self, job: dict[str, Any], timeout: float) -> dict[str, Any] | None:
        """Send one job and wait for its report line; ``None`` if the worker died or ran out of time."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.jobs += 1
        deadline = time.monotonic() + timeout
        try:
            self.proc.stdin.write(json.dumps(job).encode("utf-8") + b"\n")
            self.proc.stdin.flush()
        except OSError:
            return None
        fd = self.proc.stdout.fileno()
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                self.timed_out = True
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:  # the worker died
                return None
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        try:
            return json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None

    def end(self) -> None:
        proc = self.proc
        if proc.poll() is None:
            proc.kill()
        for f in (proc.stdin, proc.stdout):
            try:
                if f is not None:
                    f.close()
            except OSError:
                pass
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


# ---------------------------------------------------------------- pages


#: the query the query page starts with
EXAMPLE_QUERY = ("PREFIX mnd: <https://w3id.org/un-mandates/ontology#>\n"
                 "SELECT ?clause ?verb WHERE {\n  ?clause mnd:verb ?verb .\n} LIMIT 20\n")


def _query_page(app: Server, query: str = "") -> str:
    """The page of ``GET /sparql`` for a browser: a form to write and run a query."""
    return render("sparql.html", query=query or EXAMPLE_QUERY, timeout=f"{app.timeout:g}", memory=app.memory,
                  max_rows=app.max_rows, path=None, lang="en")


def _service_description(app: Server) -> list[Any]:
    """The SPARQL 1.1 service description of the endpoint."""
    N, L = iri, literal
    # (dg's sd:Graph is left without counts: publish's void.ttl has them)
    rdf_type = N(RDF + "type")
    svc = N(app.base + "sparql")
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
            f"Read-only; SERVICE is refused. Each query may run {app.timeout:g} s and use {app.memory} MiB; "
            f"answers are cut at {app.max_rows} rows or triples (X-Result-Limit, X-Result-Truncated).", language="en")),
    ]
    for fmt in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        t.append((svc, N(SD + "resultFormat"), N(FORMATS_NS + fmt)))
    for i, g in enumerate(graph_names(app.store)):
        ng = blank(f"g{i}")
        t += [(ds, N(SD + "namedGraph"), ng), (ng, rdf_type, N(SD + "NamedGraph")),
              (ng, N(SD + "name"), N(g))]  # as queries see them (SPARQL is not rebased)
    return [triple(*x) for x in t]


# ---------------------------------------------------------------- the handler


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT
    server_version = "mandates"
    sys_version = ""

    @property
    def app(self) -> Server:
        return self.server.app

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if not self.app.quiet:
            super().log_message(format, *args)

    # -- answering

    def _send(self, status: int, body: bytes | Path = b"", ctype: str | None = None,
              headers: dict[str, str] | None = None) -> None:
        size = body.stat().st_size if isinstance(body, Path) else len(body)
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(size))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("X-Content-Type-Options", "nosniff")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command == "HEAD":
            return
        if isinstance(body, Path):
            with body.open("rb") as f:
                shutil.copyfileobj(f, self.wfile, 1 << 16)
        else:
            self.wfile.write(body)

    def _error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self._send(status, (message.rstrip() + "\n").encode("utf-8"), "text/plain; charset=utf-8", headers)

    def _guard(self, fn) -> None:  # type: ignore[no-untyped-def]
        try:
            fn()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # noqa: BLE001 - answer 500, keep serving
            self.close_connection = True
            try:
                self._error(500, f"internal error: {type(exc).__name__}")
            except OSError:
                pass
            if not self.app.quiet:
                traceback.print_exc()

    def do_GET(self) -> None:  # noqa: N802
        self._guard(self._get)

    def do_HEAD(self) -> None:  # noqa: N802
        self._guard(self._get)

    def do_POST(self) -> None:  # noqa: N802
        self._guard(self._post)

    def do_OPTIONS(self) -> None:  # noqa: N802
        self._send(204, b"", None, {"Allow": "GET, HEAD, POST, OPTIONS",
                                     "Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
                                     "Access-Control-Allow-Headers": "Accept, Content-Type"})

    def _not_allowed(self) -> None:
        self.close_connection = True  # a body it may have sent is not read
        self._error(405, f"{self.command} is not allowed here", {"Allow": "GET, HEAD, POST, OPTIONS"})

    do_PUT = do_DELETE = do_PATCH = _not_allowed  # noqa: N815

    # -- GET

    def _get(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path in ("/sparql", "/sparql/"):
            return self._sparql(urllib.parse.parse_qs(url.query, keep_blank_values=True))
        path = iri_path(url.path)
        if path is None:
            return self._error(404, "not found")
        if path == "" or path == "index.html":
            return self._home(path)
        return self._resource(path)

    def _home(self, path: str) -> None:
        app = self.app
        idx = app.site_file("index.html")
        if path == "index.html":
            body: bytes | Path = idx if idx is not None else app.home_page()
            return self._send(200, body, FORMATS["html"])
        offers = ["text/html"]
        void = app.site_file("void.ttl")
        if void is not None:
            offers += ["text/turtle"]
        chosen = negotiate(self.headers.get("Accept"), offers, RESOURCE_ALIASES)
        if chosen is None:
            return self._error(406, "not acceptable: this page is text/html"
                               + (" or text/turtle (the dataset's VoID)" if void is not None else ""),
                               {"Vary": "Accept"})
        if chosen == "text/turtle":
            return self._send(200, void, FORMATS["ttl"], {"Vary": "Accept", "Content-Location": "void.ttl"})  # type: ignore[arg-type]
        body = idx if idx is not None else app.home_page()
        return self._send(200, body, FORMATS["html"], {"Vary": "Accept", "Content-Location": "index.html"})

    def _resource(self, path: str) -> None:
        app = self.app
        path = app.resolve(path)
        moved = app.moved(path)
        if moved is not None:  # a retired IRI (ontology/corrections.ttl): permanently at its successor
            return self._send(301, b"", "text/plain; charset=utf-8",
                              {"Location": "/" + urllib.parse.quote(moved, safe="/%()-._~")})
        # a resource: negotiate
        if app.has_resource(path):
            chosen = negotiate(self.headers.get("Accept"), list(RESOURCE_OFFERS), RESOURCE_ALIASES)
            if chosen is None:
                return self._error(406, "not acceptable: this resource is available as "
                                   + ", ".join(f.split(";")[0] for f in FORMATS.values()), {"Vary": "Accept"})
            ext = RESOURCE_OFFERS[chosen]
            rep = app.representation(path, ext)
            if rep is None:  # pragma: no cover - has_resource said yes
                return self._error(404, "not found")
            name = path.rsplit("/", 1)[-1]
            loc = urllib.parse.quote(f"{name}.{ext}", safe="%")
            return self._send(200, rep[0], rep[1], {"Vary": "Accept", "Content-Location": loc})
        # a file of the site (void.ttl, dump/…, the twins PATH.ttl, …)
        f = app.site_file(path) if not path.endswith("/") else app.site_file(path + "index.html")
        if f is not None:
            return self._send(200, f, STATIC_TYPES.get(f.suffix.lower(), "application/octet-stream"))
        if path == "style.css":  # the pages' stylesheet, when there is no site to serve it
            return self._send(200, TEMPLATES / "style.css", STATIC_TYPES[".css"])
        # PATH.ext of a resource the site has no file for
        stem, dot, ext = path.rpartition(".")
        stem = app.resolve(stem) if dot else stem
        if dot and ext in FORMATS and stem and app.in_store(stem):
            rep = app.representation(stem, ext)
            if rep is not None:
                return self._send(200, rep[0], rep[1])
        return self._error(404, f"not found: {self.app.base}{path} is not a resource of this dataset")

    # -- SPARQL

    def _post(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path not in ("/sparql", "/sparql/"):
            return self._not_allowed()
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            length = int(self.headers.get("Content-Length") or "0")
        except ValueError:
            self.close_connection = True
            return self._error(400, "bad Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self.close_connection = True
            return self._error(411, "send the request body with a Content-Length")
        if length > MAX_BODY:
            self.close_connection = True
            if length <= 16 * MAX_BODY:  # read it away, so the client gets to read the answer
                left = length
                while left > 0:
                    chunk = self.rfile.read(min(left, 1 << 16))
                    if not chunk:
                        break
                    left -= len(chunk)
            return self._error(413, f"the request body is larger than {MAX_BODY} bytes")
        body = self.rfile.read(length) if length > 0 else b""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return self._error(400, "the request body is not UTF-8")
        if ctype == "application/x-www-form-urlencoded":
            for k, v in urllib.parse.parse_qs(text, keep_blank_values=True).items():
                params.setdefault(k, []).extend(v)
        elif ctype == "application/sparql-query":
            if "query" in params:
                return self._error(400, "give the query either in the body or as query=, not both")
            params["query"] = [text]
        elif ctype == "application/sparql-update":
            return self._error(403, "updates are refused: this endpoint is read-only")
        else:
            return self._error(415, "POST application/x-www-form-urlencoded or application/sparql-query")
        if "query" not in params and "update" not in params:
            return self._error(400, "no query: give query=")
        return self._sparql(params)

    def _sparql(self, params: dict[str, list[str]]) -> None:
        app = self.app
        limits = {"X-Result-Limit": str(app.max_rows), "X-Query-Time-Limit": f"{app.timeout:g}",
                  "X-Query-Memory-Limit": f"{app.memory} MiB"}
        if "update" in params or "using-graph-uri" in params or "using-named-graph-uri" in params:
            return self._error(403, "updates are refused: this endpoint is read-only", limits)
        if "query" not in params:
            return self._describe_service(params)
        if len(params["query"]) != 1:
            return self._error(400, "give exactly one query=", limits)
        fmt = None
        for key in ("format", "output", "results"):
            vals = [v for v in params.get(key, []) if v.strip()]
            if vals:
                fmt = vals[0]
                break
        job = {"query": params["query"][0], "format": fmt, "accept": self.headers.get("Accept"),
               "default_graphs": params.get("default-graph-uri", []),
               "named_graphs": params.get("named-graph-uri", [])}
        if not job["query"].strip():
            return self._error(400, "the query is empty", limits)
        meta, out = app.run_query(job)
        headers = {**limits, "Vary": "Accept"}
        if meta.get("status") != 200 or out is None:
            if meta.get("retry"):
                headers["Retry-After"] = str(meta["retry"])
            if meta.get("limit"):
                headers["X-Query-Stopped"] = str(meta["limit"])
            return self._error(int(meta.get("status", 500)), meta.get("message", "the query failed"), headers)
        try:
            headers["X-Result-Truncated"] = "true" if meta.get("truncated") else "false"
            headers["X-Result-Rows"] = str(meta.get("rows", 0))
            headers["Cache-Control"] = "no-store"
            self._send(200, out, meta["content_type"], headers)
        finally:
            out.unlink(missing_ok=True)

    def _describe_service(self, params: dict[str, list[str]]) -> None:
        app = self.app
        offers = ["text/html", "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]
        chosen = negotiate(self.headers.get("Accept"), offers, RESOURCE_ALIASES)
        if chosen is None:
            return self._error(406, "the service description is text/turtle, application/n-triples, "
                               "application/ld+json or application/rdf+xml; the query page text/html",
                               {"Vary": "Accept"})
        if chosen == "text/html":
            return self._send(200, _query_page(app).encode("utf-8"), FORMATS["html"], {"Vary": "Accept"})
        body = serialize(_service_description(app), chosen, prefixes={"sd": SD} if chosen == "text/turtle" else None)
        ctype = FORMATS["ttl"] if chosen == "text/turtle" else chosen
        return self._send(200, body, ctype, {"Vary": "Accept"})


# ---------------------------------------------------------------- APIs


def start_server(store: str | Path, **kwargs: Any) -> Server:
    """A :class:`Server` serving in a background thread of this process (``port=0``: a free
    port); stop it with ``.stop()``."""
    kwargs.setdefault("port", 0)
    return Server(store, **kwargs).start()


class ServerProcess:
    """``mandates serve`` running in a child process (see :func:`start_subprocess`)."""

    def __init__(self, proc: subprocess.Popen[str], url: str, log: collections.deque[str]):
        self.proc = proc
        self.url = url
        self.log = log

    def stop(self, timeout: float = 10) -> int:
        """Stop the server (SIGTERM, then SIGKILL) and return its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def start_subprocess(store: str | Path, *, site: str | Path | None = None, host: str = "127.0.0.1",
                     port: int = 0, base: str | None = None, timeout: float | None = None,
                     memory: int | None = None, max_rows: int | None = None, startup: float = 120,
                     env: dict[str, str] | None = None) -> ServerProcess:
    """Run ``mandates serve`` in a child process and wait until it listens (``port=0``: a
    free port, read from the line it prints). Raises ``RuntimeError`` if it exits first."""
    argv = [sys.executable, "-c", "import sys; from mandates.cli import main; sys.exit(main(sys.argv[1:]))",
            "serve", "--store", str(store), "--host", host, "--port", str(port)]
    if site is not None:
        argv += ["--site", str(site)]
    if base is not None:
        argv += ["--base", base]
    if timeout is not None:
        argv += ["--timeout", str(timeout)]
    if memory is not None:
        argv += ["--memory", str(memory)]
    if max_rows is not None:
        argv += ["--max-rows", str(max_rows)]
    child_env = {**os.environ, **(env or {})}
    root = str(Path(__file__).resolve().parents[2])
    child_env["PYTHONPATH"] = root + (os.pathsep + child_env["PYTHONPATH"] if child_env.get("PYTHONPATH") else "")
    proc = subprocess.Popen(argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=child_env,
                            start_new_session=True)
    log: collections.deque[str] = collections.deque(maxlen=2000)
    found: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            log.append(line)
            m = re.search(r"serving (http://\S+/)", line)
            if m and not found:
                found.append(m.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    ready.wait(startup)
    if not found:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        raise RuntimeError("mandates serve did not start:\n" + "".join(log))
    return ServerProcess(proc, found[0], log)


def serve_cli(args) -> int:  # type: ignore[no-untyped-def]
    """``mandates serve [--store DIR] [--site DIR] [--host H] [--port N] [--base IRI]
    [--timeout S] [--memory MiB] [--max-rows N]``: serve until interrupted (SIGINT or SIGTERM).
    Exit codes: 0 stopped; 2 usage (bad option values, --site not a folder); 3 the store
    cannot be opened or the address cannot be bound."""
    def err(msg: str, code: int) -> int:
        print(f"mandates: error: {msg}", file=sys.stderr)
        return code

    if args.timeout <= 0 or args.memory < 64 or args.max_rows < 1 or not (0 <= args.port <= 65535):
        return err("--timeout must be > 0, --memory at least 64 (MiB), --max-rows at least 1, "
                   "--port 0-65535", EXIT_USAGE)
    base = args.base
    if base is not None:
        if not base.endswith(("/", "#")):
            base += "/"
        if not re.match(r"(?i)https?://[^/\s]+/", base):
            return err(f"--base {args.base!r} is not an absolute http(s) IRI", EXIT_USAGE)
    if args.site is not None and not Path(args.site).is_dir():
        return err(f"--site {args.site} is not a folder (write one with 'mandates publish --out')", EXIT_USAGE)
    try:
        sp = store_path(args.store)
    except StoreError as exc:
        return err(str(exc), EXIT_STORE)
    site = args.site
    if site is None:
        build_dir = sp.parent if sp.name == "store" else sp
        try:
            site = ensure_site(build_dir, base, log=lambda m: print(m, file=sys.stderr))
        except Exception as exc:  # noqa: BLE001 - serve the store alone rather than not at all
            print(f"mandates: warning: publishing the site failed ({type(exc).__name__}: {exc}); "
                  "answering from the store alone", file=sys.stderr)
            site = None
    try:
        server = Server(sp, site=site, host=args.host, port=args.port, base=base, timeout=args.timeout,
                        memory=args.memory, max_rows=args.max_rows, quiet=False)
    except OSError as exc:
        return err(f"cannot serve on {args.host}:{args.port}: {exc}", EXIT_STORE)
    site_base = server.manifest.get("base")
    if site_base and site_base != server.base:
        print(f"mandates: warning: the site was published under {site_base}, but --base is {server.base}: "
              "its pages link to the other base", file=sys.stderr)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"mandates: warning: listening on {args.host}, reachable from other machines", file=sys.stderr)

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(f"mandates: serving {server.url} (IRIs {server.base}…, SPARQL at {server.url}sparql; "
          f"queries limited to {server.timeout:g} s, {server.memory} MiB, {server.max_rows} rows)",
          file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    print("mandates: stopped", file=sys.stderr)
    return EXIT_OK
