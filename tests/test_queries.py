"""Every query file has its header, parses, and is in the catalogue."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT

QUERIES = sorted((ROOT / "queries").rglob("*.rq"))


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: str(p.relative_to(ROOT / "queries")))
def test_query_has_header_and_parses(path):
    import pyoxigraph

    from mandates.rdf.store import read_query

    q = read_query(path)
    for key in ("title", "question", "question-zh", "params", "returns"):
        assert q.header.get(key), (path.name, key)
    assert re.search(r"(?m)^PREFIX ", q.text)
    store = pyoxigraph.Store()
    list(store.query(q.text))  # parses and runs on an empty store


def test_catalogue_lists_every_query_with_its_question():
    from mandates.rdf.store import read_query

    catalogue = (ROOT / "queries/README.md").read_text(encoding="utf-8")
    for path in QUERIES:
        rel = str(path.relative_to(ROOT / "queries"))
        row = next((line for line in catalogue.splitlines() if f"`{rel}`" in line), None)
        assert row is not None, rel
        assert read_query(path).header["question"] in row, rel
