"""The published site in a real browser: headless Chromium (Debian's ``chromium`` package)
renders the home page and a clause page served over HTTP; the text and the highlighted,
linked mentions are in the rendered DOM, and the screenshot of the clause page (kept in the
build folder, ``screenshots/clause.png``) shows the highlights. Pages opened through the
shipped nginx configuration (tests/nginx_site.py) and from the disk render with their stylesheet.

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


HEADER = (0x0B, 0x3D, 0x6B)  # header.site's background in style.css


def header_pixels(png: Path) -> int:
    """How many pixels of the screenshot's top band have the site header's colour (only there
    when the stylesheet was loaded)."""
    from matplotlib import image

    rgb = (image.imread(str(png))[:120, :, :3] * 255).round()
    return int(((abs(rgb[:, :, 0] - HEADER[0]) <= 2) & (abs(rgb[:, :, 1] - HEADER[1]) <= 2)
                & (abs(rgb[:, :, 2] - HEADER[2]) <= 2)).sum())


@pytest.fixture(scope="module")
def through_nginx(seed_build):
    """The seed's site, published and served by Debian's nginx with deploy/nginx/mandates.conf."""
    import shutil

    from nginx_site import Nginx, shared_tmp

    from mandates.web.publish import publish

    shared = shared_tmp("mandates-browser-")
    try:
        publish(seed_build[0], shared / "site")
        server = Nginx(shared / "site")
        try:
            yield server.url, shared / "site"
        finally:
            server.stop()
    finally:
        shutil.rmtree(shared, ignore_errors=True)


@pytest.mark.parametrize("path", [CLAUSE, "actor/inter-parliamentary-union"])
def test_pages_through_nginx_render_with_their_stylesheet(through_nginx, tmp_path, path):
    """A document's IRI (answered with its page) and an actor's (303 to its page), opened
    through nginx: the page renders, styled."""
    url, _ = through_nginx
    doc = dom(f"{url}/{path}", tmp_path / "profile")
    assert doc.xpath('//header[@class="site"]') and doc.xpath("//h1")
    png = tmp_path / "page.png"
    browse(f"{url}/{path}", tmp_path / "profile", f"--screenshot={png}", "--window-size=1200,900", "--hide-scrollbars")
    assert header_pixels(png) > 20000, f"the page at /{path} rendered without its stylesheet"


def test_a_page_opened_as_a_file_has_its_stylesheet(through_nginx, tmp_path):
    """The stylesheet is linked relatively, so a page opened from the disk is styled (and the
    same page without its stylesheet is not: the check can fail)."""
    _, site = through_nginx
    png = tmp_path / "file.png"
    browse((site / f"{CLAUSE}.html").as_uri(), tmp_path / "profile", f"--screenshot={png}", "--window-size=1200,900",
           "--hide-scrollbars")
    assert header_pixels(png) > 20000
    bare = tmp_path / "bare.html"
    bare.write_text(re.sub(r'<link rel="stylesheet"[^>]*>', "", (site / f"{CLAUSE}.html").read_text(encoding="utf-8")),
                    encoding="utf-8")
    browse(bare.as_uri(), tmp_path / "profile", f"--screenshot={png}", "--window-size=1200,900", "--hide-scrollbars")
    assert header_pixels(png) == 0
