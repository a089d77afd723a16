"""The published site in a real browser: headless Chromium (Debian's ``chromium`` package)
renders the home page and a clause page served over HTTP; the text and the highlighted,
linked mentions are in the rendered DOM, and the screenshot of the clause page (kept in the
build folder, ``screenshots/clause.png``) shows the highlights.

Chromium is required, not optional: without ``/usr/bin/chromium`` these tests fail and say
how to install it (``apt-get install -y chromium``; ``fonts-wqy-microhei`` or
``fonts-noto-cjk`` give the screenshot its Chinese glyphs).
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CLAUSE = "doc/A-RES-74-304/op/24/c/2"
BASE = "https://w3id.org/un-mandates/"


def chromium() -> str:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"headless Chromium is needed at {CHROMIUM} for the rendering tests: install Debian's "
                    "package with 'apt-get install -y chromium' (and 'fonts-wqy-microhei' for Chinese glyphs "
                    "in the screenshot)", pytrace=False)
    return str(CHROMIUM)


@pytest.fixture(scope="module")
def served(seed_build, tmp_path_factory):
    """The seed's site, published and served on 127.0.0.1 (a free port) by http.server."""
    from mandates.web.publish import publish

    site = tmp_path_factory.mktemp("browser") / "site"
    publish(seed_build[0], site)

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - the signature of the base class
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def browse(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    exe = chromium()
    r = subprocess.run([exe, *FLAGS, f"--user-data-dir={profile}", *extra, url],
                       capture_output=True, text=True, timeout=90)
    assert r.returncode == 0, f"chromium failed ({r.returncode}): {r.stderr[-2000:]}"
    return r


def dom(url: str, profile: Path):  # type: ignore[no-untyped-def]
    from lxml import html as lhtml

    r = browse(url, profile, "--dump-dom")
    assert "<html" in r.stdout, r.stderr[-2000:]
    return lhtml.fromstring(r.stdout)


def test_home_page_renders(served, tmp_path):
    url, _ = served
    doc = dom(f"{url}/index.html", tmp_path / "profile")
    text = doc.text_content()
    assert "UN mandates" in text and "联合国任务授权" in text
    assert "A/RES/74/304" in text
    assert doc.xpath('//a[@href="/doc/A-RES-74-304"]')
    assert doc.xpath('//a[@href="/actor/inter-parliamentary-union"]')


def test_clause_page_renders_the_highlights(served, seed_build, tmp_path):
    import pyoxigraph as ox

    from mandates.rdf.store import open_store

    url, site = served
    doc = dom(f"{url}/{CLAUSE}.html", tmp_path / "profile")
    store = open_store(seed_build[0] / "store", read_only=True)
    text = next(q.object.value for q in store.quads_for_pattern(
        ox.NamedNode(BASE + CLAUSE), ox.NamedNode(BASE + "ontology#text"), None, None))
    (p,) = doc.xpath('//p[contains(concat(" ", @class, " "), " text ")]')
    for span in p.xpath('span[@class="lang"]'):
        span.drop_tree()
    assert re.sub(r"\s+", "", p.text_content()) == re.sub(r"\s+", "", text)
    marks = p.xpath(".//mark")
    assert len(marks) >= 10
    hrefs = {a.get("href"): re.sub(r"\s+", "", a.text_content()) for m in marks for a in m.xpath("./a")}
    assert hrefs.get("/actor/secretary-general") == "秘书长"
    assert {"/actor/inter-parliamentary-union", "/actor/general-assembly", "/actor/national-parliaments"} <= set(hrefs)
    assert all(m.xpath("./a") for m in marks)
    assert "Secretary-General" in doc.text_content() and "request" in doc.text_content()


def test_clause_screenshot_is_kept_in_the_build_folder(served, seed_build, tmp_path):
    from matplotlib import image

    url, _ = served
    shots = seed_build[0] / "screenshots"
    shots.mkdir(exist_ok=True)
    png = shots / "clause.png"
    png.unlink(missing_ok=True)
    browse(f"{url}/{CLAUSE}.html", tmp_path / "profile", f"--screenshot={png}", "--window-size=1200,900",
           "--hide-scrollbars")
    assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    img = image.imread(str(png))
    assert img.shape[:2] == (900, 1200)
    rgb = (img[:, :, :3] * 255).round()
    # the highlight colour of an actor mention (#fff1a8) covers a good part of the text block
    highlight = ((abs(rgb[:, :, 0] - 255) <= 2) & (abs(rgb[:, :, 1] - 241) <= 3) & (abs(rgb[:, :, 2] - 168) <= 4)).sum()
    assert highlight > 2000, f"only {highlight} highlight pixels in {png}"
