"""HTTP caching for the answers of ``mandates serve``: validators, conditional requests,
ranges and gzip (RFC 9110, 9111).

Every representation (a file of the site, or bytes made from the store) is answered by
:meth:`Representer.answer`, which gives it

- a **strong ETag**: the SHA-256 of its bytes (of a file: computed once per file version,
  kept by path, size, mtime and inode), and ``Last-Modified`` (a file's mtime, else the
  store's);
- ``Cache-Control: public, max-age=`` :data:`MAX_AGE`, and ``Vary`` (``Accept`` where the
  answer was negotiated, ``Accept-Encoding`` always);
- **304 Not Modified** for a matching ``If-None-Match`` (weak comparison), or, without one,
  an ``If-Modified-Since`` not older than the representation;
- **206 Partial Content** for a single byte range (``Range: bytes=…``, honouring
  ``If-Range``), **416** with ``Content-Range: bytes */size`` when no byte of it exists;
  several ranges of a file are answered as ``multipart/byteranges`` (Starlette's
  ``FileResponse``), of other bodies with the whole representation;
- **gzip** when ``Accept-Encoding`` allows it and the type is text (HTML, RDF, JSON, CSV,
  XML): compressed once (level 6, no timestamp: the same bytes every time) and kept in a
  bounded cache (:data:`GZIP_CACHE` bytes); the gzip variant has its own ETag (``…-gz``);
  a request with ``Range`` gets the identity encoding.
"""

from __future__ import annotations

import collections
import email.utils
import gzip
import hashlib
import os
import threading
from pathlib import Path
from typing import Any

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import FileResponse, Response

__all__ = ["GZIP_CACHE", "MAX_AGE", "Representer", "accepts_gzip", "compressible", "http_date", "is_fresh",
           "parse_range"]

#: seconds a cache may keep an answer before asking again (it asks with its validators)
MAX_AGE = 600
#: bytes of gzip-compressed answers kept in memory (least recently used go first)
GZIP_CACHE = 64 << 20
#: a representation larger than this is never compressed (it is sent as it is, by ranges if asked)
GZIP_MAX = 16 << 20
#: smaller ones are not worth compressing
GZIP_MIN = 256
_COMPRESSIBLE = ("text/", "application/ld+json", "application/json", "application/n-triples",
                 "application/n-quads", "application/trig", "application/rdf+xml", "application/xml",
                 "application/sparql-results+", "image/svg+xml", "application/javascript")


def http_date(ts: float) -> str:
    """An HTTP date (IMF-fixdate).

    >>> http_date(0)
    'Thu, 01 Jan 1970 00:00:00 GMT'
    """
    return email.utils.formatdate(ts, usegmt=True)


def _parse_date(value: str | None) -> float | None:
    if not value:
        return None
    try:
        dt = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return dt.timestamp() if dt is not None and dt.tzinfo is not None else None


def _tags(header: str) -> list[str]:
    """The entity tags of an ``If-None-Match`` header, ``W/`` dropped (weak comparison)."""
    return [t.strip().removeprefix("W/") for t in header.split(",") if t.strip()]


def is_fresh(headers: Any, etag: str, last_modified: float | None) -> bool:
    """Whether a GET or HEAD with these request headers is answered 304 (RFC 9110 §13.2.2).

    >>> is_fresh({"if-none-match": 'W/"a", "b"'}, '"b"', None)
    True
    >>> is_fresh({"if-none-match": '"a"', "if-modified-since": http_date(10)}, '"b"', 5)
    False
    >>> is_fresh({"if-modified-since": http_date(10)}, '"b"', 5.5)
    True
    """
    inm = headers.get("if-none-match")
    if inm is not None:
        return inm.strip() == "*" or etag in _tags(inm)
    since = _parse_date(headers.get("if-modified-since"))
    return since is not None and last_modified is not None and int(last_modified) <= since


def parse_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """The one byte range ``(start, end)`` (end excluded) a ``Range`` header asks of ``size``
    bytes; ``"unsatisfiable"`` when no byte of it exists; ``None`` to answer the whole (no
    header, another unit, several ranges, a malformed one: RFC 9110 lets a server ignore it).

    >>> parse_range("bytes=0-99", 1000), parse_range("bytes=900-", 1000), parse_range("bytes=-10", 1000)
    ((0, 100), (900, 1000), (990, 1000))
    >>> parse_range("bytes=995-2000", 1000), parse_range("bytes=1000-", 1000), parse_range("bytes=0-1,5-6", 1000)
    ((995, 1000), 'unsatisfiable', None)
    """
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash or not (first.isdigit() or last.isdigit()) or (first and not first.isdigit()) \
            or (last and not last.isdigit()):
        return None
    if not first:  # the last N bytes
        n = int(last)
        return (max(0, size - n), size) if n > 0 and size > 0 else "unsatisfiable"
    start = int(first)
    end = min(size, int(last) + 1) if last else size
    if last and int(last) < start:
        return None
    if start >= size:
        return "unsatisfiable"
    return start, end


def accepts_gzip(header: str | None) -> bool:
    """Whether an ``Accept-Encoding`` header allows gzip (a q of 0 refuses it).

    >>> accepts_gzip("gzip, deflate, br"), accepts_gzip("br;q=1, gzip;q=0"), accepts_gzip("*"), accepts_gzip(None)
    (True, False, True, False)
    """
    qs: dict[str, float] = {}
    for part in (header or "").split(","):
        name, _, params = part.strip().partition(";")
        k, _, v = params.strip().partition("=")
        try:
            q = float(v) if k.strip().lower() == "q" else 1.0
        except ValueError:
            q = 0.0
        qs[name.strip().lower()] = q
    q = qs.get("gzip", qs.get("x-gzip", qs.get("*", 0.0)))
    return q > 0


def compressible(ctype: str) -> bool:
    """Whether answers of this media type are worth gzip (text, RDF, JSON, XML)."""
    return ctype.lower().startswith(_COMPRESSIBLE)


class _LRU:
    """A small thread-safe least-recently-used map, bounded by entries and by bytes."""

    def __init__(self, entries: int, size: int = 0):
        self.entries, self.size, self.used = entries, size, 0
        self.data: collections.OrderedDict[Any, Any] = collections.OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self.lock:
            value = self.data.get(key)
            if value is not None:
                self.data.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        with self.lock:
            old = self.data.pop(key, None)
            self.used -= len(old) if self.size and old is not None else 0
            self.data[key] = value
            self.used += len(value) if self.size else 0
            while len(self.data) > self.entries or (self.size and self.used > self.size and len(self.data) > 1):
                _, gone = self.data.popitem(last=False)
                self.used -= len(gone) if self.size else 0


def _quoted(digest: str, suffix: str = "") -> str:
    return f'"{digest[:32]}{suffix}"'


class Representer:
    """Answers representations with validators, conditional requests, ranges and gzip (see
    the module). ``limiter``: the threads that hash and compress (those of the pages)."""

    def __init__(self, limiter: Any, fallback_modified: float | None = None):
        self.limiter = limiter
        self.fallback_modified = fallback_modified
        self._tags = _LRU(16384)
        self._gzip = _LRU(4096, GZIP_CACHE)

    # -- validators

    def _file_tag(self, path: Path) -> tuple[str, float, int]:
        st = path.stat()
        key = (str(path), st.st_size, st.st_mtime_ns, st.st_ino)
        digest = self._tags.get(key)
        if digest is None:
            h = hashlib.sha256()
            with path.open("rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            digest = h.hexdigest()
            self._tags.put(key, digest)
        return digest, st.st_mtime, st.st_size

    def _gzipped(self, digest: str, body: bytes | Path) -> bytes:
        data = self._gzip.get(digest)
        if data is None:
            raw = body.read_bytes() if isinstance(body, Path) else body
            data = gzip.compress(raw, compresslevel=6, mtime=0)
            self._gzip.put(digest, data)
        return data

    # -- the answer

    async def answer(self, request: Request, body: bytes | Path, ctype: str, headers: dict[str, str] | None = None,
                     *, status: int = 200) -> Response:
        """``body`` (bytes, or a file) as the answer to a GET or HEAD ``request``."""
        h = dict(headers or {})
        if isinstance(body, Path):
            digest, modified, size = await anyio.to_thread.run_sync(self._file_tag, body, limiter=self.limiter)
        else:
            digest, modified, size = hashlib.sha256(body).hexdigest(), self.fallback_modified, len(body)
        vary = [v.strip() for v in h.pop("Vary", "").split(",") if v.strip()]
        h["Vary"] = ", ".join([*vary, "Accept-Encoding"])
        h.setdefault("Cache-Control", f"public, max-age={MAX_AGE}")
        if modified is not None:
            h["Last-Modified"] = http_date(modified)
        rng = request.headers.get("range")
        zipped = (rng is None and GZIP_MIN <= size <= GZIP_MAX and compressible(ctype)
                  and accepts_gzip(request.headers.get("accept-encoding")))
        h["ETag"] = _quoted(digest, "-gz" if zipped else "")
        if status == 200 and is_fresh(request.headers, h["ETag"], modified):
            return Response(status_code=304, headers=h)
        if zipped:
            data = await anyio.to_thread.run_sync(self._gzipped, digest, body, limiter=self.limiter) \
                if size > 65536 or isinstance(body, Path) else self._gzipped(digest, body)
            h["Content-Encoding"] = "gzip"
            return Response(data, status_code=status, media_type=ctype, headers=h)
        if isinstance(body, Path):
            return FileResponse(body, status_code=status, media_type=ctype, headers=h,
                                stat_result=await anyio.to_thread.run_sync(os.stat, body, limiter=self.limiter))
        return self._bytes(request, body, ctype, h, status)

    def _bytes(self, request: Request, body: bytes, ctype: str, h: dict[str, str], status: int) -> Response:
        h["Accept-Ranges"] = "bytes"
        rng = request.headers.get("range")
        if_range = request.headers.get("if-range")
        if status != 200 or rng is None or (if_range is not None and if_range.strip() not in
                                            (h["ETag"], h.get("Last-Modified"))):
            return Response(body, status_code=status, media_type=ctype, headers=h)
        part = parse_range(rng, len(body))
        if part is None:
            return Response(body, status_code=status, media_type=ctype, headers=h)
        if part == "unsatisfiable":
            return Response(b"", status_code=416, headers={**h, "Content-Range": f"bytes */{len(body)}"})
        start, end = part  # type: ignore[misc]
        h["Content-Range"] = f"bytes {start}-{end - 1}/{len(body)}"
        return Response(body[start:end], status_code=206, media_type=ctype, headers=h)
