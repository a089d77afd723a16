"""The embedded store (pyoxigraph) and running SPARQL over it.

Queries see the union of all named graphs as their default graph, so a library query
works the same over one document or a corpus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pyoxigraph


@dataclass(frozen=True)
class Query:
    """A SPARQL query file of the library, with its header."""

    name: str
    path: Path
    text: str
    header: dict[str, str]


def read_query(path: Path) -> Query:
    """Read a ``.rq`` file and its ``# key: value`` header lines."""
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    for line in text.splitlines():
        m = re.match(r"#\s*([a-zA-Z-]+):\s*(.*)$", line)
        if m:
            header[m.group(1).lower()] = m.group(2).strip()
        elif line.strip() and not line.startswith("#"):
            break
    return Query(path.stem, path, text, header)


def open_store(path: Path | None = None, *, read_only: bool = False):  # type: ignore[no-untyped-def]
    """An embedded store: in memory, on disk at ``path``, or read-only on an existing one
    (read-only never creates a store and does not lock out other readers)."""
    if path is None:
        return pyoxigraph.Store()
    if read_only:
        return pyoxigraph.Store.read_only(str(path))
    return pyoxigraph.Store(str(path))


class StoreError(Exception):
    """A built store cannot be opened: the message names the folder and says how to build one."""


def built_store_path(folder: str | Path) -> Path:
    """The store folder of a build: ``folder/store``, or ``folder`` itself when it is one.

    Raises:
        StoreError: no such folder, or no built store in it.
    """
    path = Path(folder)
    hint = f"build one with 'mandates build --out {path}'"
    if not path.exists():
        raise StoreError(f"store folder {path} does not exist ({hint})")
    if not path.is_dir():
        raise StoreError(f"{path} is not a folder written by 'mandates build --out'")
    if (path / "store" / "CURRENT").is_file():
        return path / "store"
    if (path / "CURRENT").is_file():
        return path
    raise StoreError(f"{path} is not a built store (no store/ folder in it; {hint})")


def open_built(folder: str | Path):  # type: ignore[no-untyped-def]
    """The store a build wrote (see :func:`built_store_path`), read-only: never created, and not
    locked against other readers.

    Raises:
        StoreError: as :func:`built_store_path`, or the store cannot be opened.
    """
    path = built_store_path(folder)
    try:
        return pyoxigraph.Store.read_only(str(path))
    except (OSError, ValueError, RuntimeError) as exc:
        raise StoreError(f"cannot open the store in {path}: {exc}") from None


def open_for_command(folder: Path, *, option: str = "--store"):  # type: ignore[no-untyped-def]
    """:func:`open_built` for a command's option: the messages name the option and the folder
    (``--store X: no such folder (build one with …)``), for the command to print as its own.

    Raises:
        StoreError: as :func:`open_built`, with those messages.
    """
    hint = f"build one with 'mandates build --out {folder}'"
    try:
        built_store_path(folder)
    except StoreError:
        if not folder.is_dir():
            raise StoreError(f"{option} {folder}: no such folder ({hint})") from None
        raise StoreError(f"{option} {folder}: not a built store (no store/ in it; {hint})") from None
    try:
        return open_built(folder)
    except StoreError as exc:
        raise StoreError(f"{option} {folder}: {exc}") from None


def load_nquads(store, data: bytes, *, lenient: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Bulk-load N-Quads into ``store`` (``lenient``: IRIs are not validated again, for bytes
    this package wrote and checked itself)."""
    store.bulk_load(data, format=pyoxigraph.RdfFormat.N_QUADS, lenient=lenient)


def add_nquads(store, data: bytes) -> None:  # type: ignore[no-untyped-def]
    """Load N-Quads into ``store`` in one transaction (faster than a bulk load in memory)."""
    store.load(data, format=pyoxigraph.RdfFormat.N_QUADS)


def remove_graph(store, name: str) -> None:  # type: ignore[no-untyped-def]
    """Drop the named graph ``name`` (an IRI) from ``store``."""
    store.remove_graph(pyoxigraph.NamedNode(name))


def graph_names(store) -> set[str]:  # type: ignore[no-untyped-def]
    """The IRIs of the named graphs of ``store``."""
    return {g.value for g in store.named_graphs() if isinstance(g, pyoxigraph.NamedNode)}


def is_literal(term: Any) -> bool:
    """Whether a store's term is a literal."""
    return isinstance(term, pyoxigraph.Literal)


def objects(store, subject: Any, predicate: str) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """The objects of ``subject`` (a store's term) by ``predicate`` (an IRI), in any graph."""
    for q in store.quads_for_pattern(subject, pyoxigraph.NamedNode(predicate), None, None):
        yield q.object


def iri_subjects_objects(store, predicate: str) -> Iterator[tuple[str, Any]]:  # type: ignore[no-untyped-def]
    """The (subject IRI, object term) pairs of ``predicate`` (an IRI) whose subject is an IRI."""
    for q in store.quads_for_pattern(None, pyoxigraph.NamedNode(predicate), None, None):
        if isinstance(q.subject, pyoxigraph.NamedNode):
            yield q.subject.value, q.object


def term_value(term: Any) -> Any:
    """A pyoxigraph term as a plain Python value (IRIs and strings as str, numbers as int)."""
    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return term.value
    if isinstance(term, pyoxigraph.Literal):
        dt = term.datatype.value if term.datatype else ""
        if dt.endswith(("#integer", "#nonNegativeInteger", "#int", "#long")):
            try:
                return int(term.value)
            except ValueError:
                return term.value
        if dt.endswith("#boolean"):
            return term.value == "true"
        return term.value
    return str(term)


def select(store, query: str, *, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """Run a SELECT query with parameters bound by the engine; rows as dicts of plain values."""
    return list(iter_select(store, query, params=params))


def iter_select(store, query: str, *, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """:func:`select`, one row at a time (a corpus-wide view need not hold all its rows)."""
    subs = {pyoxigraph.Variable(k): v for k, v in (params or {}).items()}
    res = store.query(query, use_default_graph_as_union=True, substitutions=subs or None)
    names = [v.value for v in res.variables]
    for sol in res:
        yield dict(zip(names, map(term_value, sol)))  # (by position: 5x cheaper than by name)


def select_terms(store, query: str):  # type: ignore[no-untyped-def]
    """Run a SELECT query; rows keep the pyoxigraph terms (to read language tags)."""
    res = store.query(query, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    return names, [dict(zip(names, sol)) for sol in res]


def same_as(store) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """The (IRI, IRI) pairs ``owl:sameAs`` links in ``store``, sorted."""
    return sorted((s, o.value) for s, o in iri_subjects_objects(store, "http://www.w3.org/2002/07/owl#sameAs")
                  if isinstance(o, pyoxigraph.NamedNode))
