"""Page latency of ``mandates serve`` while slow clients trickle and a query flood runs.

For ``--seconds`` (default 60), all on loopback and every loop bounded by the clock:

- ``--trickle`` sockets (default 100) each send a request one header line every
  ``--interval`` seconds (default 2; ``--body``: a POST body, one byte at a time), from the
  addresses 127.0.0.2–127.0.0.5 (a quarter each); a socket the server closes is opened again
  after one interval;
- ``--queries`` clients (default 40) each send a heavy SPARQL query (a three-way cross
  product, stopped by the time limit), again and again, from 127.0.0.6 and 127.0.0.7;
- one client on 127.0.0.1 asks for pages (a paragraph's HTML and Turtle, the home page, the
  VoID, an actor, the query page) one after another and times each answer.

It prints p50, p95 and the largest page latency, the statuses of the pages, what the server
did to the trickling sockets (408 after its request deadline, 503 refused) and the statuses
of the queries. Run it on a build folder (``--build``; default: the seed built into a
temporary folder)::

    python3 benchmarks/serve_load.py --seconds 60
    python3 benchmarks/serve_load.py --seconds 60 --nginx   # through deploy/nginx/mandates.conf

``--nginx`` publishes the site and puts Debian's nginx with the shipped configuration in front
(``/sparql`` proxied to ``mandates serve``), as ``tests/test_nginx.py`` does, and loads nginx.
``tests/test_serve_load.py`` runs :func:`run_load` for a shorter window.
"""

from __future__ import annotations

import argparse
import http.client
import json
import select
import socket
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HEAVY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"
PAGES = [("/doc/A-RES-74-304/op/24", "text/html"), ("/doc/A-RES-74-304/op/24", "text/turtle"),
         ("/", "text/html"), ("/void.ttl", "text/turtle"), ("/actor/inter-parliamentary-union.html", "text/html"),
         ("/sparql", "text/html"), ("/doc/A-RES-74-304/op/24/c/2", "application/ld+json")]
TRICKLE_FROM = ("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5")
QUERIES_FROM = ("127.0.0.6", "127.0.0.7")


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``values``.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50), percentile([1.0, 2.0, 3.0, 4.0], 95)
    (2.0, 4.0)
    """
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, -(-len(ordered) * p // 100) - 1))
    return ordered[int(k)]


class Trickler:
    """Sockets that send a request a line (or a body byte) at a time (see the module)."""

    def __init__(self, host: str, port: int, count: int, interval: float, body: bool):
        self.host, self.port, self.count, self.interval, self.body = host, port, count, interval, body
        self.stats: Counter[str] = Counter()

    def _open(self, i: int) -> socket.socket | None:
        s = socket.socket()
        s.settimeout(2)
        try:
            s.bind((TRICKLE_FROM[i % len(TRICKLE_FROM)], 0))
            s.connect((self.host, self.port))
        except OSError:
            s.close()
            self.stats["connect failed"] += 1
            return None
        self.stats["opened"] += 1
        head = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                b"Content-Length: 100000\r\n\r\n") if self.body else b"GET /doc/A-RES-74-304 HTTP/1.1\r\n"
        try:
            s.sendall(head)
        except OSError:
            pass
        return s

    def _answer(self, s: socket.socket) -> None:
        """The server answered or closed a socket: note how."""
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        code = data[9:12].decode("ascii", "replace") if data.startswith(b"HTTP/1.") else "closed"
        self.stats[f"server: {code}"] += 1
        s.close()

    def run(self, until: float) -> None:
        socks: dict[int, socket.socket | None] = {i: None for i in range(self.count)}
        reopen: dict[int, float] = {i: 0.0 for i in range(self.count)}
        step = 0
        while time.monotonic() < until:
            now = time.monotonic()
            for i, s in socks.items():
                if s is None and now >= reopen[i]:
                    socks[i] = self._open(i)
            live = {s: i for i, s in socks.items() if s is not None}
            readable, _, _ = select.select(list(live), [], [], 0) if live else ([], [], [])
            for s in readable:
                self._answer(s)
                socks[live[s]] = None
                reopen[live[s]] = now + self.interval
            for i, s in socks.items():
                if s is None:
                    continue
                try:
                    s.sendall(b"x" if self.body else f"X-Slow-{step}: {'a' * 20}\r\n".encode("ascii"))
                except OSError:
                    self.stats["server: reset"] += 1
                    s.close()
                    socks[i] = None
                    reopen[i] = now + self.interval
            step += 1
            time.sleep(max(0.0, min(self.interval, until - time.monotonic())))
        for s in socks.values():
            if s is not None:
                s.close()


def _query_client(host: str, port: int, source: str, until: float, stats: Counter[str], lock: threading.Lock) -> None:
    path = "/sparql?" + urllib.parse.urlencode({"query": HEAVY})
    while time.monotonic() < until:
        conn = http.client.HTTPConnection(host, port, timeout=60, source_address=(source, 0))
        try:
            conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
            r = conn.getresponse()
            r.read()
            key = f"{r.status}" + (f" {r.getheader('X-Query-Stopped')}" if r.getheader("X-Query-Stopped") else "")
        except OSError as exc:
            key = type(exc).__name__
            time.sleep(0.5)
        finally:
            conn.close()
        with lock:
            stats[key] += 1


def _pages(host: str, port: int, until: float, out: list[tuple[float, int, str]]) -> None:
    i = 0
    while time.monotonic() < until:
        path, accept = PAGES[i % len(PAGES)]
        i += 1
        conn = http.client.HTTPConnection(host, port, timeout=30)
        t = time.monotonic()
        try:
            conn.request("GET", path, headers={"Accept": accept})
            r = conn.getresponse()
            r.read()
            status = r.status
        except OSError:
            status = 0
        finally:
            conn.close()
        out.append((time.monotonic() - t, status, path))
        time.sleep(0.05)


def run_load(url: str, *, seconds: float = 60, trickle: int = 100, interval: float = 2.0, queries: int = 40,
             body: bool = False) -> dict[str, Any]:
    """Load the server at ``url`` (see the module) for ``seconds``; the figures."""
    u = urllib.parse.urlsplit(url)
    host, port = u.hostname or "127.0.0.1", u.port or 80
    until = time.monotonic() + seconds
    trickler = Trickler(host, port, trickle, interval, body)
    qstats: Counter[str] = Counter()
    lock = threading.Lock()
    pages: list[tuple[float, int, str]] = []
    threads = [threading.Thread(target=trickler.run, args=(until,), daemon=True)]
    threads += [threading.Thread(target=_query_client, args=(host, port, QUERIES_FROM[i % len(QUERIES_FROM)], until,
                                                             qstats, lock), daemon=True) for i in range(queries)]
    for t in threads:
        t.start()
    time.sleep(min(1.0, seconds / 10))  # the load is on
    _pages(host, port, until, pages)
    for t in threads:
        t.join(max(1.0, until - time.monotonic()) + 90)
    lat = [p[0] for p in pages]
    return {"seconds": seconds, "pages": len(pages), "page_statuses": dict(Counter(p[1] for p in pages)),
            "p50": percentile(lat, 50) if lat else None, "p95": percentile(lat, 95) if lat else None,
            "max": max(lat) if lat else None, "slowest": max(pages)[2] if pages else None,
            "trickle": dict(trickler.stats), "queries": dict(qstats)}


def _nginx(build: Path, serve_url: str):  # type: ignore[no-untyped-def]
    """The build's site published into a folder nginx may read, and nginx started over it
    (the helpers of tests/nginx_site.py), ``/sparql`` going to ``serve_url``."""
    sys.path.insert(0, str(ROOT / "tests"))
    from nginx_site import Nginx, shared_tmp

    from mandates.web.publish import publish

    site = shared_tmp("serve-load-site-") / "site"
    publish(build, site)
    for folder in [site.parent, *site.rglob("*")]:
        folder.chmod(0o755 if folder.is_dir() else 0o644)
    u = urllib.parse.urlsplit(serve_url)
    return Nginx(site, f"{u.hostname}:{u.port}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", type=Path, default=None, help="a build folder (default: the seed, built now)")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--trickle", type=int, default=100)
    ap.add_argument("--interval", type=float, default=2.0)
    ap.add_argument("--queries", type=int, default=40)
    ap.add_argument("--body", action="store_true", help="trickle a POST body instead of header lines")
    ap.add_argument("--json", type=Path, default=None, help="write the figures to this file too")
    ap.add_argument("--nginx", action="store_true", help="load nginx with the shipped configuration in front")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "ingest"))
    from mandates.build.pipeline import build
    from mandates.web.serve import start_subprocess

    with tempfile.TemporaryDirectory(prefix="serve-load-") as tmp:
        out = args.build
        if out is None:
            out = Path(tmp) / "seed"
            build([ROOT / "corpus" / "A-RES-74-303.zh.md"], out)
        srv = start_subprocess(out, port=0, env={"MANDATES_SITE_CACHE": str(Path(tmp) / "cache")})
        front = _nginx(out, srv.url) if args.nginx else None
        try:
            limits = next((line.strip() for line in list(srv.log) if "limits:" in line), "")
            figures = run_load(front.url if front else srv.url, seconds=args.seconds, trickle=args.trickle,
                               interval=args.interval, queries=args.queries, body=args.body)
        finally:
            if front is not None:
                front.stop()
            code = srv.stop()
    if front is not None:
        print("through nginx (deploy/nginx/mandates.conf) in front of mandates serve")
    print(limits)
    print(f"{args.seconds:g} s, {args.trickle} sockets trickling ({'body bytes' if args.body else 'header lines'} "
          f"every {args.interval:g} s), {args.queries} clients sending heavy queries")
    print(f"pages: {figures['pages']} answered {figures['page_statuses']}; latency p50 {figures['p50'] * 1000:.1f} ms, "
          f"p95 {figures['p95'] * 1000:.1f} ms, max {figures['max'] * 1000:.1f} ms ({figures['slowest']})")
    print(f"trickling sockets: {figures['trickle']}")
    print(f"queries: {figures['queries']}")
    print(f"server exit code: {code}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
