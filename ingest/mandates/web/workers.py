"""The SPARQL queries of ``mandates serve``: worker processes, and the queue in front of them.

Every query runs in a worker process (``python -m mandates.web.sparql_worker``, see that
module for the child's side: read-only, ``SERVICE`` refused, ``RLIMIT_AS`` memory cap, row
cap). :class:`Workers` keeps them: idle ones wait with the store open; a worker that
answered normally takes the next query, one that hit a limit, failed, grew past
``RETIRE_RSS`` or served ``RETIRE_JOBS`` queries is ended and replaced. A query that runs
longer than the time limit is killed with its process. Workers run at a lower CPU priority
(``nice`` :data:`QUERY_NICE`) than the server, so queries never slow the pages down.

:class:`Queries` is the server's side (asyncio): at most ``max_concurrent`` queries run at
once; at most ``max_waiting`` more wait for a turn, each up to the time limit, then get 503
with ``Retry-After``; any beyond that get 503 at once. The waiting happens on the event
loop, the talking to a worker in threads of their own (never those that serve pages).

**Memory bound.** At most ``max_concurrent`` workers run a query at once, each capped at
``memory`` MiB beyond what it uses with the store open, so the queries together take at most
``max_concurrent × memory`` MiB (3 × 1024 MiB by default), plus each worker's own size with
the store open (about 55 MiB resident on the seed; more with a larger store). Answers are
spooled to temporary files, never held in the server's memory.
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread

__all__ = ["QUERY_NICE", "Queries", "Worker", "Workers"]

#: how much nicer (lower CPU priority) a query process is than the server
QUERY_NICE = 10


class Worker:
    """One query process and the report line it is writing."""

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
        """Kill the process (if it runs) and reap it."""
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


class Workers:
    """The query processes: ``target`` are kept alive (idle ones wait with the store open)."""

    RETIRE_RSS = 256 << 20
    RETIRE_JOBS = 200

    def __init__(self, store_dir: Path, spares: int, quiet: bool):
        self.argv = [sys.executable, "-m", "mandates.web.sparql_worker", "--store", str(store_dir)]
        self.env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])
        self.env["PYTHONPATH"] = root + (os.pathsep + self.env["PYTHONPATH"] if self.env.get("PYTHONPATH") else "")
        self.target = spares
        self.quiet = quiet
        self._idle: list[Worker] = []
        self._live = 0  # idle and busy
        self._lock = threading.Lock()
        self._closed = False
        self._refill()

    def _spawn(self) -> Worker:
        proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL if self.quiet else None, env=self.env)
        try:
            os.setpriority(os.PRIO_PROCESS, proc.pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + QUERY_NICE))
        except OSError:  # pragma: no cover - the process is gone already, or no such call here
            pass
        return Worker(proc)

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

    def _end(self, worker: Worker, refill: bool = False) -> None:
        worker.end()
        with self._lock:
            self._live -= 1
        if refill:
            threading.Thread(target=self._refill, daemon=True).start()

    def _take(self) -> Worker:
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

    def _give_back(self, worker: Worker) -> None:
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
        """End the idle workers; busy ones end when their query does."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for w in idle:
            self._end(w)


class Queries:
    """The queue of SPARQL queries in front of :class:`Workers` (see the module docstring)."""

    def __init__(self, store_dir: Path, tmp: Path, *, timeout: float, memory: int, max_rows: int, base: str,
                 max_concurrent: int = 3, max_waiting: int = 16, quiet: bool = True):
        self.store_dir = store_dir
        self.tmp = tmp
        self.timeout = float(timeout)
        self.memory = int(memory)
        self.max_rows = int(max_rows)
        self.base = base
        self.max_concurrent = max(1, int(max_concurrent))
        self.max_waiting = max(0, int(max_waiting))
        self.waiting = 0
        self.running = 0
        self._slots: asyncio.Semaphore | None = None  # made on the server's event loop
        self._threads = anyio.CapacityLimiter(self.max_concurrent)
        self.workers = Workers(store_dir, self.max_concurrent, quiet)

    @property
    def memory_bound(self) -> int:
        """MiB the queries running at once may take together beyond their workers' own size."""
        return self.max_concurrent * self.memory

    def busy(self, message: str) -> dict[str, Any]:
        return {"status": 503, "message": message, "retry": max(1, round(self.timeout / 2))}

    async def run(self, job: dict[str, Any]) -> tuple[dict[str, Any], Path | None]:
        """Run one query when a slot is free (waiting at most the time limit); its report and
        the answer file (the caller deletes it)."""
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_concurrent)
        if self._slots.locked():
            if self.waiting >= self.max_waiting:
                return self.busy("too many queries are running or waiting; try again shortly"), None
            self.waiting += 1
            try:
                async with asyncio.timeout(self.timeout):
                    await self._slots.acquire()
            except TimeoutError:
                return self.busy("too many queries are running; try again shortly"), None
            finally:
                self.waiting -= 1
        else:
            await self._slots.acquire()
        self.running += 1
        try:
            return await anyio.to_thread.run_sync(self.run_now, job, limiter=self._threads)
        finally:
            self.running -= 1
            self._slots.release()

    def run_now(self, job: dict[str, Any]) -> tuple[dict[str, Any], Path | None]:
        """Run one query in a worker process under the limits (blocking); its report and the answer file."""
        fd, name = tempfile.mkstemp(prefix="answer-", dir=self.tmp)
        os.close(fd)
        out = Path(name)
        try:
            job = {**job, "store": str(self.store_dir), "timeout": self.timeout, "memory": self.memory,
                   "max_rows": self.max_rows, "base": self.base, "out": name}
            meta = self.workers.run(job, self.timeout)
            if meta is None:
                meta = {"status": 503, "limit": "time",
                        "message": f"the query was stopped: it ran longer than the time limit of {self.timeout:g} s"}
            elif meta.get("status") is None:
                meta = {"status": 503, "limit": "memory",
                        "message": f"the query was stopped: it needed more than the memory limit of {self.memory} MiB "
                                   f"(or it crashed: exit {meta.get('exit')})"}
        except BaseException:
            out.unlink(missing_ok=True)
            raise
        if meta.get("status") != 200:
            out.unlink(missing_ok=True)
            return meta, None
        return meta, out

    def close(self) -> None:
        self.workers.close()
