"""Debian's nginx over a published site, with the shipped configuration (``deploy/nginx/mandates.conf``),
for the tests: on a free loopback port, under a temporary prefix, as an unprivileged user.

nginx is required where these helpers are used: without ``/usr/sbin/nginx`` (Debian's ``nginx``
package; ``.ci/run`` installs it) the test fails and says how to install it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ROOT, free_port

NGINX = Path("/usr/sbin/nginx")
CONF = ROOT / "deploy" / "nginx" / "mandates.conf"
#: the values of the shipped configuration a deployment sets (deploy/README.md)
SITE_VALUE, LISTEN_VALUE, SERVE_VALUE = "/srv/un-mandates/site", "listen 8080;", "127.0.0.1:8000"


def nginx_exe() -> str:
    """Debian's nginx, or a failed test that says how to install it."""
    exe = str(NGINX) if NGINX.is_file() else shutil.which("nginx")
    if not exe:
        pytest.fail(f"nginx is needed at {NGINX} for the front-server tests: install Debian's package with "
                    "'apt-get install -y nginx' (.ci/run does)", pytrace=False)
    return exe


def shared_tmp(prefix: str) -> Path:
    """A temporary folder every user may read (pytest's own are private to their owner)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(path, 0o755)
    return path


def configuration(site: Path, port: int, serve: str) -> str:
    """The shipped configuration with the three values a deployment sets replaced."""
    text = CONF.read_text(encoding="utf-8")
    for old, new in ((SITE_VALUE, str(site)), (LISTEN_VALUE, f"listen 127.0.0.1:{port};"), (SERVE_VALUE, serve)):
        assert old in text, f"{CONF} no longer holds {old!r}"
        text = text.replace(old, new)
    return text


class Nginx:
    """An nginx master process serving ``site`` with the shipped configuration (``/sparql``
    proxied to ``serve``, host:port), started at once, stopped by :meth:`stop`."""

    def __init__(self, site: Path, serve: str = "127.0.0.1:9", *, startup: float = 20):
        exe = nginx_exe()
        self.prefix = shared_tmp("mandates-nginx-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        (self.prefix / "mandates.conf").write_text(configuration(site, self.port, serve), encoding="utf-8")
        temp = "".join(f"    {d}_temp_path {self.prefix}/{d};\n" for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (self.prefix / "nginx.conf").write_text(
            f"worker_processes 1;\npid {self.prefix}/nginx.pid;\nerror_log {self.prefix}/error.log warn;\n"
            "events { worker_connections 1024; }\n"
            f"http {{\n    access_log off;\n{temp}    include {self.prefix}/mandates.conf;\n}}\n", encoding="utf-8")
        kwargs: dict = {}
        if os.geteuid() == 0:  # never as root: the whole server runs as nobody
            nobody = pwd.getpwnam("nobody")
            for p in [self.prefix, *self.prefix.iterdir()]:
                os.chown(p, nobody.pw_uid, nobody.pw_gid)
            kwargs = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
        self.log = self.prefix / "stderr.log"
        with open(self.log, "wb") as err:
            self.proc = subprocess.Popen([exe, "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"),
                                          "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=err, **kwargs)
        deadline = time.monotonic() + startup
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"nginx did not start: {self.errors()}")

    def errors(self) -> str:
        """What nginx wrote to its error logs."""
        out = []
        for name in ("stderr.log", "error.log"):
            f = self.prefix / name
            if f.is_file():
                out.append(f.read_text(encoding="utf-8", errors="replace"))
        return "\n".join(out)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.prefix, ignore_errors=True)
