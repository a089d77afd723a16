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


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: str(p.relative_to(ROOT / "queries")))
def test_sparqlwrapper_takes_the_query_for_a_query(path):
    """SPARQLWrapper guesses a request's form from the first word of the text that looks like a
    SPARQL keyword, in every other comment line too ("dropped" reads as DROP, "address" as ADD;
    RDFLib/sparqlwrapper issues 211, 232), and sends what it takes for an update as one, which
    the endpoint refuses. The header comments of the library avoid those words where it looks."""
    from SPARQLWrapper import SPARQLWrapper

    form = SPARQLWrapper("http://localhost/sparql")._parseQueryType(path.read_text(encoding="utf-8"))
    assert form in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"), form
