"""The tool's fingerprint: a hash of everything besides the input that decides what a build writes.

A document's cached artefacts are reused only while the fingerprint is unchanged: the tool's
version, every module of the package that takes part in building a document (at any depth),
the ontology, shapes and vocabularies, the export queries and the base IRI. Standard library only.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Callable

from mandates import __version__
from mandates.core.files import atomic_write, cache_dir
from mandates.core.resources import ontology_dir, queries_dir

# modules that do not take part in building a document (they read what was built), as paths
# inside the package (a folder: every module under it); every other module of the package,
# at any depth, does, and a change to it builds every document again
NOT_DOCUMENT_CODE = ("cli.py", "__main__.py", "web/", "exports/gephi.py", "exports/network.py", "exports/pictures.py")


# the modules the corpus outputs are written by
EXPORT_CODE = ("exports/", "rdf/store.py", "build/versions.py")


PACKAGE = Path(__file__).resolve().parents[1]  # the package's folder


def _hash_files(h, files: list[Path], root: Path) -> None:  # type: ignore[no-untyped-def]
    for f in files:
        h.update(str(f.relative_to(root)).encode("utf-8") + b"\0" + hashlib.sha256(f.read_bytes()).digest())


def _modules(*, within: tuple[str, ...] = (), without: tuple[str, ...] = ()) -> list[Path]:
    """The package's modules at any depth, in a stable order: those under ``within`` (all when
    empty), less those under ``without``."""
    def under(rel: str, prefixes: tuple[str, ...]) -> bool:
        return any(rel == p or (p.endswith("/") and rel.startswith(p)) for p in prefixes)

    found = []
    for f in sorted(PACKAGE.rglob("*.py")):
        rel = f.relative_to(PACKAGE).as_posix()
        if (not within or under(rel, within)) and not under(rel, without):
            found.append(f)
    return found


@lru_cache(maxsize=8)
def environment(base: str) -> str:
    """A hash of everything besides the input that decides a document's artefacts: the tool's
    version, the code that builds a document (every module of the package at any depth but
    :data:`NOT_DOCUMENT_CODE`), the ontology, shapes and vocabularies, the base IRI."""
    h = hashlib.sha256(f"mandates {__version__}\0{base}\0".encode("utf-8"))
    _hash_files(h, _modules(without=NOT_DOCUMENT_CODE), PACKAGE)
    _hash_files(h, sorted(ontology_dir().rglob("*.ttl")), ontology_dir())
    _hash_files(h, sorted((queries_dir() / "export").glob("*.rq")), queries_dir())  # the view's part
    return h.hexdigest()


def exports_environment() -> str:
    """A hash of what the corpus outputs depend on besides the documents: the code that writes
    them and the export queries."""
    h = hashlib.sha256()
    _hash_files(h, _modules(within=EXPORT_CODE), PACKAGE)
    _hash_files(h, sorted(queries_dir().rglob("*.rq")), queries_dir())
    return h.hexdigest()


def kept(name: str, base: str, compute: Callable[[str], bool]) -> bool:
    """A yes/no that depends only on the tool, the shapes and the vocabularies, computed once
    and kept in the user's cache folder."""
    f = cache_dir() / "vocabulary" / f"{environment(base)[:32]}.{name}.json"
    try:
        return bool(json.loads(f.read_text(encoding="utf-8"))["yes"])
    except (OSError, ValueError, KeyError):
        pass
    yes = bool(compute(base))
    try:
        atomic_write(f, json.dumps({"yes": yes}))
    except OSError:
        pass
    return yes
