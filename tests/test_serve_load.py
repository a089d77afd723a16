"""``mandates serve`` under load: slow clients and a query flood together, pages timed.

The real command serves the seed in a child process (default limits, but a query time
limit of 5 s so the last queries end sooner). For 15 s, 100
sockets trickle a request one header line every 2 s (from 127.0.0.2–5), 40 clients send a
heavy SPARQL query again and again (from 127.0.0.6–7), and a client on 127.0.0.1 asks for
pages one after another: every page must answer 200 within 1 s. The issue's figure is over
60 s; ``benchmarks/serve_load.py`` runs the same load (:func:`serve_load.run_load`) for the
full 60 s and prints p50, p95 and the largest latency (``benchmarks/README.md``); this test
keeps a shorter window so the suite stays fast. The loops are bounded by the clock.
"""

from __future__ import annotations

import sys

import pytest

from conftest import ROOT

SECONDS = 15


@pytest.fixture(scope="module")
def serve_load():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import serve_load

        yield serve_load
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


def test_pages_answer_under_slow_clients_and_a_query_flood(seed_build, tmp_path, serve_load):
    from mandates.web.serve import start_subprocess

    srv = start_subprocess(seed_build[0], port=0, timeout=5, env={"MANDATES_SITE_CACHE": str(tmp_path / "cache")})
    try:
        figures = serve_load.run_load(srv.url, seconds=SECONDS, trickle=100, interval=2.0, queries=40)
    finally:
        assert srv.stop() == 0
    assert figures["pages"] > 50, figures
    assert figures["page_statuses"] == {200: figures["pages"]}, figures
    assert figures["max"] < 1.0, figures
    # the trickling sockets were cut at the request deadline (10 s), not served for ever
    assert figures["trickle"].get("server: 408", 0) >= 100, figures
    # every query was answered: stopped by a limit or refused busy, never a broken connection
    assert figures["queries"] and set(figures["queries"]) <= {"200", "503", "503 time", "503 memory"}, figures
