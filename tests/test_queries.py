"""Every query file has its header, parses, and is in the catalogue."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT, Listener

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

# ---------------------------------------------------------------- the endpoint's check


def test_the_engine_reads_service_where_the_tokenizer_sees_a_name():
    """The control for the check's second line: ``ex:.SERVICE`` is a prefixed name to the
    tokenizer, but Oxigraph reads ``ex:``, a full stop and the keyword, and calls the URL."""
    import pyoxigraph

    from mandates.rdf.querycheck import keywords

    listener = Listener()
    q = f"PREFIX ex: <http://x/> SELECT * WHERE {{ ?s ?p ex:.SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    assert "SERVICE" not in keywords(q)
    store = pyoxigraph.Store()
    x = pyoxigraph.NamedNode("http://x/")
    store.add(pyoxigraph.Quad(x, x, x))  # something for ?s ?p ex: to find
    try:
        with pytest.raises(OSError):
            list(store.query(q))
    finally:
        got = listener.close()
    assert got, "Oxigraph did not call the URL"


def test_the_check_refuses_service_and_updates_and_never_calls_out():
    from mandates.rdf.querycheck import Refused, analyse

    listener = Listener()
    u = listener.url
    service = [
        f"SELECT * WHERE {{ SERVICE <{u}> {{ ?s ?p ?o }} }}",
        f"ASK {{ service silent <{u}> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE { \\u0053ERVICE <" + u + "> { ?s ?p ?o } }",
        f"PREFIX ex: <http://x/> SELECT * WHERE {{ ?s ?p ex:.SERVICE <{u}> {{ ?s ?p ?o }} }}",
        f"PREFIX ex: <http://x/> ASK {{ ?s ?p ex:.Service <{u}> {{ ?s ?p ?o }} }}",
        f"PREFIX ex: <http://x/> CONSTRUCT WHERE {{ ?s ?p ex:.service SILENT <{u}> {{ ?s ?p ?o }} }}",
        f"PREFIX ex: <http://x/> SELECT * WHERE {{ VALUES ?e {{ <{u}> }} ?s ?p ex:.SERVICE ?e {{ ?s ?p ?o }} }}",
    ]
    updates = ["INSERT DATA { <http://x/a> <http://x/b> 1 }", "DELETE WHERE { ?s ?p ?o }", "CLEAR ALL",
               f"LOAD <{u}>", "PREFIX x: <http://x/> WITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"]
    try:
        for q in service:
            with pytest.raises(Refused) as err:
                analyse(q)
            assert err.value.status == 403 and "SERVICE" in err.value.message, q
        for q in updates:
            with pytest.raises(Refused) as err:
                analyse(q)
            assert err.value.status == 403 and "read-only" in err.value.message, q
    finally:
        got = listener.close()
    assert got == [], "the check called a URL"


def test_the_check_runs_what_only_looks_like_service():
    from mandates.rdf.querycheck import Refused, analyse

    fine = {
        "PREFIX service: <http://x/> SELECT ?service WHERE { ?s service:service ?service # SERVICE\n"
        " FILTER (CONTAINS(?service, 'SERVICE <http://x/>')) }": ("SELECT", False),
        "PREFIX ex: <http://x/> SELECT ?servicx FROM <http://x/g> WHERE { ?service ex:SERVICE ?servicx }": ("SELECT", True),
        "CONSTRUCT { ?s <http://x/service> ?o } WHERE { ?s ?p ?o }": ("CONSTRUCT", False),
        "DESCRIBE <http://x/service>": ("DESCRIBE", False),
        "ASK { ?s ?p \"service\"@en }": ("ASK", False),
    }
    for q, want in fine.items():
        assert analyse(q) == want, q
    # a syntax error in a query with such names is a syntax error (400), not a SERVICE
    with pytest.raises(Refused) as err:
        analyse("SELECT ?service WHERE { ?s ?p ?service FILTER (?service = ) }")
    assert err.value.status == 400 and "does not parse" in err.value.message


def test_the_check_refuses_deep_nesting_before_the_engine_overflows():
    """Oxigraph's parser recurses once per bracket: 10,000 nested brackets overflow its stack
    (the process dies), so the check stops at 64 (rdflib's parser stopped at 20 to 40)."""
    from mandates.rdf.querycheck import MAX_NESTING, Refused, analyse

    ok = "SELECT * WHERE { FILTER (" + "(" * (MAX_NESTING - 3) + "1" + ")" * (MAX_NESTING - 3) + ") }"
    assert analyse(ok) == ("SELECT", False)
    for deep in ("SELECT * WHERE { FILTER (" + "(" * 10_000 + "1" + ")" * 10_000 + ") }",
                 "SELECT * WHERE " + "{" * 10_000 + "}" * 10_000,
                 "SELECT * WHERE { FILTER (?a <" + "(" * 10_000 + "1" + ")" * 10_000 + "> 0) }"):
        with pytest.raises(Refused) as err:
            analyse(deep)
        assert err.value.status == 400 and "nested too deeply" in err.value.message


def test_a_large_values_query_is_checked_by_the_engine_that_runs_it():
    """A 145 KiB VALUES query: rdflib's parser took 3.4 s to check it, Oxigraph's takes
    about 10 ms (benchmarks/queries.py --parse-check); the bound here is loose (a shared machine)."""
    import sys
    import time

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from queries import values_query

    from mandates.rdf.querycheck import analyse

    text = values_query()
    assert len(text.encode("utf-8")) >= 145 * 1024
    t = time.perf_counter()
    assert analyse(text) == ("SELECT", False)
    assert time.perf_counter() - t < 1.0
