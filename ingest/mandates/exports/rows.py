"""The rows of the view queries (``queries/export/*.rq``) over a store: what every export reads."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterator

from mandates.core.resources import queries_dir
from mandates.rdf.store import iter_select, read_query, select


@lru_cache(maxsize=None)
def view_query(name: str) -> str:
    """The text of the export view query ``queries/export/<name>.rq`` (read once per process:
    a document's view runs a dozen of them)."""
    return read_query(queries_dir() / "export" / f"{name}.rq").text


def view_rows(store, name: str) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The rows of the export view query ``name`` over ``store``."""
    return select(store, view_query(name))


def iter_view_rows(store, name: str) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """:func:`view_rows`, one at a time."""
    return iter_select(store, view_query(name))
