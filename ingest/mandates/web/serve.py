"""``mandates serve``: every IRI answered at its own path, and a safe SPARQL 1.1 endpoint.

Built on Starlette (the application, :mod:`mandates.web.app`) and uvicorn (the HTTP/1.1
server, with the connection limits of :mod:`mandates.web.guard`); the store is reached
through :mod:`mandates.rdf`, what a path stands for is :mod:`mandates.web.resources`, and
every HTML page comes from the site's templates (:mod:`mandates.web.pages`).

Linked data
    The IRI ``{base}PATH`` is answered at ``/PATH`` (whatever the host: a reverse proxy or a
    w3id redirect maps onto it unchanged). Content negotiation on ``Accept`` (q-values and
    wildcards; ties and ``*/*`` go to HTML) chooses among ``text/html``, ``text/turtle``,
    ``application/ld+json``, ``application/n-triples`` and ``application/rdf+xml``.
    A document or a part of one (a resolution, a paragraph, a clause, a mention, the
    ontology, a named graph) answers ``200`` with the representation itself, ``Vary:
    Accept`` and ``Content-Location: PATH.ext``. An actor or a concept (a thing, not a
    document: typed ``mnd:Actor``, ``skos:Concept`` or ``skos:ConceptScheme``) answers ``303
    See Other`` to its description ``/PATH.ext`` with ``Link: rel="describedby"``.
    ``/PATH.html``, ``.ttl``, ``.jsonld``, ``.nt`` and ``.rdf`` give one format. The named
    graphs ``/graph/…`` answer their triples; ``/iso/FRA``, ``/iso/FR`` and ``/m49/250``
    redirect (303) to the State; a retired IRI (a symbol correction) and a path with a
    trailing slash redirect (301). No acceptable format gives 406, an unknown path 404.
    ``HEAD`` and ``OPTIONS`` work everywhere. Every answer has a strong ETag (a hash of its
    bytes), ``Last-Modified`` and ``Cache-Control``; ``If-None-Match`` and
    ``If-Modified-Since`` give 304, ``Range`` 206 (416 when unsatisfiable), and text is
    gzip-compressed when the client accepts it (:mod:`mandates.web.responses`).

    Representations come from the site ``mandates publish`` wrote (``--site``; without it the
    build is published into a cache folder on start, see :func:`ensure_site`). A resource of
    the store that the site has no file for is answered from the store: the triples the
    graph holds about the IRI (:func:`describe`), the same rule as the published files, and
    the page the site would have (:meth:`mandates.web.site.Site.page`). Other files of the
    site (``void.ttl``, ``context.jsonld``, ``dump/…``, ``ontology/…``, ``sitemap.xml``,
    ``robots.txt``, ``.well-known/void``) are served as they are.

SPARQL 1.1 Protocol at ``/sparql``
    ``GET ?query=``, ``POST`` form-encoded (``query=``) or ``application/sparql-query``;
    ``default-graph-uri`` and ``named-graph-uri`` (otherwise the default graph is the union of
    the named graphs). SELECT answers as SPARQL JSON, XML, CSV or TSV (or an HTML table),
    ASK as JSON or XML, CONSTRUCT and DESCRIBE as Turtle, N-Triples, JSON-LD or RDF/XML, chosen
    by ``Accept`` or a ``format`` (or ``output``) parameter. ``GET /sparql`` without a query
    is the service description (``Accept: text/turtle`` and the other RDF types) or, for
    browsers, a query page. Queries see the graph's own IRIs: ``--base`` moves the pages and
    the RDF answers of the resources (as ``mandates publish --base`` does), not the store.

Safety (see :mod:`mandates.web.sparql_worker` for the query processes' side)
    - read-only: the store is opened read-only and updates are refused (403), by
      ``update=``, ``application/sparql-update`` or an update in ``query=``;
    - ``SERVICE`` is refused (403) after parsing; the query never runs;
    - every query runs in its own process, killed at ``timeout`` seconds (wall clock), with its
      address space capped at ``memory`` MiB beyond the opened store (``RLIMIT_AS``), and a
      503 says which limit stopped it;
    - at most ``max_rows`` rows (or triples) are returned; every answer states the cap in
      ``X-Result-Limit`` and whether it applied in ``X-Result-Truncated`` (an HTML answer
      also says so in the page);
    - **pages apart from queries**: at most ``max_concurrent`` queries run at once, at most
      ``max_waiting`` more wait for a turn (each up to ``timeout`` seconds, then 503 with
      ``Retry-After``), any beyond that get 503 at once; pages are made in threads of their
      own (``page_threads``) and the query processes run at a lower CPU priority, so a
      query flood cannot starve the pages;
    - **memory bound**: the query processes together use at most ``max_concurrent ×
      memory`` MiB for their queries (3 × 1024 MiB = 3 GiB by default) plus each one's own
      size with the store open (about 55 MiB on the seed); the server prints the bound on start;
      answers are spooled to temporary files, never held in the server's memory;
    - **slow and greedy clients** (:mod:`mandates.web.guard`): a whole request (head and
      body) must arrive within ``request_timeout`` seconds (10), however it trickles, else
      408 and the connection is closed; one client (IP address) holds at most
      ``max_per_client`` connections (32), the server at most ``max_connections`` (512),
      more are answered 503 at once; a connection idle between requests is closed after
      :data:`KEEP_ALIVE` seconds; request bodies are limited to 1 MiB (413), URLs to 64 KiB
      (414: POST a longer query), and a request head still incomplete after
      :data:`MAX_HEAD` bytes is refused (400);
    - the server binds 127.0.0.1 unless ``--host`` says otherwise.

Python API: :class:`Server` (in-process, ``with Server(build) as s: s.url``),
:func:`start_server` (in a background thread) and :func:`start_subprocess` (the real
``mandates serve`` command in a child process, for tests and scripts).
"""

from __future__ import annotations

import collections
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from mandates import __version__
from mandates.rdf.describe import describe
from mandates.rdf.formats import negotiate, parse_accept
from mandates.rdf.store import StoreError, built_store_path
from mandates.web import publish as publisher
from mandates.web.app import iri_path, make_app
from mandates.web.guard import ConnectionLimits, guarded_protocol
from mandates.web.pages import TEMPLATES
from mandates.web.resources import Resources
from mandates.web.workers import Queries

__all__ = ["Server", "ServerProcess", "describe", "ensure_site", "iri_path", "negotiate", "parse_accept",
           "serve_cli", "start_server", "start_subprocess", "store_path"]

EXIT_OK, EXIT_USAGE, EXIT_STORE = 0, 2, 3
KEEP_ALIVE = 5  # seconds a connection may stay idle between requests
MAX_HEAD = 80 << 10  # bytes of an incomplete request head (a line and headers) held at most
GRACE = 3  # seconds the answers being sent get when the server stops


# ---------------------------------------------------------------- the store and its resources


def store_path(folder: str | Path) -> Path:
    """The embedded store of a folder written by ``mandates build --out`` (or the store itself);
    raises :class:`mandates.rdf.store.StoreError`."""
    return built_store_path(folder)


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


def _publisher_code() -> list[Path]:
    """The files that decide the bytes of a published site: the publisher's modules and templates."""
    web = Path(publisher.__file__).resolve().parent
    return [Path(publisher.__file__), web / "site.py", web / "pages.py", *sorted(TEMPLATES.rglob("*.*"))]


# ---------------------------------------------------------------- the server


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (OSError when the address cannot be bound)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
        sock.set_inheritable(False)
    except BaseException:
        sock.close()
        raise
    return sock


class Server(Resources):
    """A ``mandates serve`` server over a build folder (or its ``store/``), in this process.

    ``port=0`` takes a free port (read it from ``.port`` or ``.url``). ``start()`` serves in
    a background thread, ``stop()`` ends it; as a context manager::

        with Server("build", site="site") as s:
            urllib.request.urlopen(s.url + "doc/A-RES-74-304")

    ``max_concurrent`` queries run at once (and as many worker processes wait ready),
    ``max_waiting`` more wait for a turn; ``max_connections`` connections are served at
    once, ``max_per_client`` from one IP address; a request must arrive within
    ``request_timeout`` seconds; ``page_threads`` threads make the pages.
    """

    def __init__(self, store: str | Path, *, site: str | Path | None = None, host: str = "127.0.0.1",
                 port: int = 0, base: str | None = None, timeout: float = 10.0, memory: int = 1024,
                 max_rows: int = 10000, max_concurrent: int = 3, max_waiting: int = 16, max_connections: int = 512,
                 max_per_client: int = 32, request_timeout: float = 10.0, page_threads: int = 8,
                 quiet: bool = True):
        self._tmp = Path(tempfile.mkdtemp(prefix="mandates-serve-"))  # query answers, named graphs
        try:
            super().__init__(store, site=site, base=base, work=self._tmp, max_rows=max_rows)
            self.sock = _bind(host, port)
        except BaseException:
            shutil.rmtree(self._tmp, ignore_errors=True)
            raise
        self.host, self.port = self.sock.getsockname()[:2]
        self.timeout = float(timeout)
        self.memory = int(memory)
        self.max_rows = int(max_rows)
        self.quiet = quiet
        self.limits = ConnectionLimits(max_connections=int(max_connections), max_per_client=int(max_per_client),
                                       request_timeout=float(request_timeout))
        self.queries = Queries(self.store_dir, self._tmp, timeout=self.timeout, memory=self.memory,
                               max_rows=self.max_rows, base=self.base, max_concurrent=max_concurrent,
                               max_waiting=max_waiting, quiet=quiet)
        self.app = make_app(self, self.queries, quiet=quiet, page_threads=page_threads)
        config = uvicorn.Config(self.app, http=guarded_protocol(self.limits), ws="none", lifespan="off",
                                interface="asgi3", log_config=None, access_log=False, proxy_headers=False,
                                server_header=False, headers=[("Server", f"mandates/{__version__}")],
                                timeout_keep_alive=KEEP_ALIVE, timeout_graceful_shutdown=GRACE,
                                h11_max_incomplete_event_size=MAX_HEAD, backlog=1024)
        self._uvicorn = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    # -- lifecycle

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in str(self.host) else self.host
        return f"http://{host}:{self.port}/"

    @property
    def max_concurrent(self) -> int:
        return self.queries.max_concurrent

    def serve_forever(self) -> None:
        """Serve in this thread until stopped (in the main thread: by SIGINT or SIGTERM, after
        which the signal is raised again for the caller's handler)."""
        self._uvicorn.run(sockets=[self.sock])

    def start(self) -> Server:
        """Serve in a background thread; returns self once the server accepts connections."""
        self._thread = threading.Thread(target=self.serve_forever, name="mandates-serve", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._uvicorn.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        if not self._uvicorn.started:
            self.stop()
            raise RuntimeError("the server did not start")
        return self

    def stop(self) -> None:
        """Stop serving and release the port, the query processes and the temporary files."""
        if self._thread is not None:
            self._uvicorn.should_exit = True
            self._thread.join(GRACE + 10)
            if self._thread.is_alive():  # pragma: no cover - a stuck answer
                self._uvicorn.force_exit = True
                self._thread.join(10)
            self._thread = None
        self.sock.close()
        self.queries.close()
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def run_query(self, job: dict[str, Any]) -> tuple[dict[str, Any], Path | None]:
        """Run one query in a worker process under the limits, now (blocking, without the
        queue); its report and the answer file (the caller deletes it)."""
        return self.queries.run_now(job)

    def bounds(self) -> str:
        """The limits in one line, as the server prints them on start."""
        q, lim = self.queries, self.limits
        return (f"queries: {q.timeout:g} s, {q.memory} MiB, {q.max_rows} rows each; at most {q.max_concurrent} at "
                f"once ({q.max_waiting} more wait), so at most {q.max_concurrent} x {q.memory} MiB = "
                f"{q.memory_bound} MiB for queries (plus each query process's own size with the store open); "
                f"connections: {lim.max_connections}, {lim.max_per_client} per client, a request within "
                f"{lim.request_timeout:g} s")


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
    [--timeout S] [--memory MiB] [--max-rows N] [--queries N] [--queue N] [--connections N]
    [--per-client N] [--request-deadline S]``: serve until interrupted (SIGINT or SIGTERM).
    Exit codes: 0 stopped; 2 usage (bad option values, --site not a folder); 3 the store
    cannot be opened or the address cannot be bound."""
    def err(msg: str, code: int) -> int:
        print(f"mandates: error: {msg}", file=sys.stderr)
        return code

    if args.timeout <= 0 or args.memory < 64 or args.max_rows < 1 or not (0 <= args.port <= 65535):
        return err("--timeout must be > 0, --memory at least 64 (MiB), --max-rows at least 1, "
                   "--port 0-65535", EXIT_USAGE)
    if min(args.queries, args.connections, args.per_client) < 1 or args.queue < 0 or args.request_deadline <= 0:
        return err("--queries, --connections and --per-client must be at least 1, --queue at least 0, "
                   "--request-deadline > 0", EXIT_USAGE)
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
                        memory=args.memory, max_rows=args.max_rows, max_concurrent=args.queries,
                        max_waiting=args.queue, max_connections=args.connections, max_per_client=args.per_client,
                        request_timeout=args.request_deadline, quiet=False)
    except OSError as exc:
        return err(f"cannot serve on {args.host}:{args.port}: {exc}", EXIT_STORE)
    return _serve(server, args.host)


def _serve(server: Server, host: str) -> int:
    """Serve until SIGINT or SIGTERM; exit code 0."""
    site_base = server.manifest.get("base")
    if site_base and site_base != server.base:
        print(f"mandates: warning: the site was published under {site_base}, but --base is {server.base}: "
              "its pages link to the other base", file=sys.stderr)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"mandates: warning: listening on {host}, reachable from other machines", file=sys.stderr)

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # (raised again once uvicorn has stopped gracefully)
    print(f"mandates: limits: {server.bounds()}", file=sys.stderr)
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
