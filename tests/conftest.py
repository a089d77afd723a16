"""Shared fixtures: the seed resolution built once per test session."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEED = CORPUS / "A-RES-74-303.zh.md"


@pytest.fixture(scope="session")
def vocab():
    from mandates.vocab.concepts import load

    return load()


@pytest.fixture(scope="session")
def seed_doc(vocab):
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source

    return extract(read_source(SEED), vocab)


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory):
    """The seed built with the real pipeline into a temporary folder."""
    from mandates.build.pipeline import build

    out = tmp_path_factory.mktemp("seed")
    result = build([SEED], out)
    return out, result


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory):
    """The whole bundled corpus built once."""
    from mandates.build.pipeline import build

    out = tmp_path_factory.mktemp("corpus")
    result = build([CORPUS], out)
    return out, result


# ---------------------------------------------------------------- a real Oxigraph server


def oxigraph_exe() -> str | None:
    """The `oxigraph` server binary (pip install oxigraph), beside this Python or on PATH."""
    import shutil
    import sys

    here = Path(sys.executable).with_name("oxigraph")
    return str(here) if here.exists() else shutil.which("oxigraph")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class OxigraphServer:
    """An `oxigraph serve`/`serve-read-only` process on a free local port (union default graph),
    started when it answers a query, stopped by :meth:`stop`."""

    def __init__(self, exe: str, command: str, db: Path, log: Path, *, timeout: float = 30):
        import subprocess

        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = self.base + "/query"
        self.log = open(log, "wb")
        self.proc = subprocess.Popen([exe, command, "--location", str(db), "--bind", f"127.0.0.1:{self.port}",
                                      "--union-default-graph"], stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self._wait(timeout)
        except BaseException:
            self.stop()
            raise

    def select(self, query: str, *, timeout: float = 30) -> list[dict]:
        import json
        import urllib.parse
        import urllib.request

        req = urllib.request.Request(self.url, data=urllib.parse.urlencode({"query": query}).encode(),
                                     headers={"Accept": "application/sparql-results+json",
                                              "Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.load(r)["results"]["bindings"]

    def _wait(self, timeout: float) -> None:
        import time
        import urllib.error

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"oxigraph server exited with {self.proc.returncode}")
            try:
                self.select("SELECT * WHERE { } LIMIT 1", timeout=2)
                return
            except (urllib.error.URLError, OSError, ValueError):
                time.sleep(0.1)
        raise RuntimeError("oxigraph server did not answer in time")

    def stop(self) -> None:
        import subprocess

        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


def dies_in_a_worker(*args):  # type: ignore[no-untyped-def]
    """Stands for ``mandates.build.pipeline._shapes_and_view`` in a test: a worker process running it
    dies at once (as one killed, or out of memory, would); in the build process it does the work."""
    import multiprocessing
    import os

    from mandates.build import pipeline

    if multiprocessing.parent_process() is not None:
        os._exit(9)
    return pipeline._shapes_and_view.__wrapped__(*args)  # type: ignore[attr-defined]


class Listener:
    """A socket on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                try:
                    self.connections.append(conn.recv(4096) or b"(connected)")
                except OSError:
                    self.connections.append(b"(connected)")

    def close(self) -> list[bytes]:
        time.sleep(0.5)  # anything in flight arrives
        self._stop.set()
        self._thread.join(5)
        self.sock.close()
        return self.connections
