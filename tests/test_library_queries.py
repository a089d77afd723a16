"""The query library (queries/*.rq) and ``mandates query``, driven by tests/queries/manifest.toml.

Every case runs in-process against a store built with the real pipeline, and again over
HTTP against a real Oxigraph server started here on 127.0.0.1 (loaded with the build's
graph.nq and vocabulary.ttl), which must give the same rows in the same order.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import ROOT, SEED, OxigraphServer, free_port, oxigraph_exe

HERE = ROOT / "tests" / "queries"
FIXTURES = sorted((HERE / "fixtures").iterdir())
MANIFEST = tomllib.loads((HERE / "manifest.toml").read_text(encoding="utf-8"))
CASES = MANIFEST["case"]
BASE = "https://w3id.org/un-mandates/"
PREFIXES = ("actor", "doc", "theme", "instrument", "verb", "flag")
UNBOUND = "<unbound>"
SERIES_FILES = [ROOT / "tests" / "data" / n for n in ("A-RES-76-900.zh.md", "A-RES-95-10.en.txt", "A-RES-97-10.en.txt")]
SOURCES = {p.name: p for p in [SEED, *FIXTURES, *SERIES_FILES]}


# ---------------------------------------------------------------- stores


@pytest.fixture(scope="module")
def pair_build(tmp_path_factory):
    """The seed and the two language versions of the made-up resolution A/RES/99/1, built
    with the pipeline's own stages (read, extract, RDF, graph.nq, vocabulary.ttl, store) but
    without its validation and JSON/CSV exports, which are slow for a resolution in two
    languages."""
    from mandates.graph.builder import build_graph, vocabulary_graph
    from mandates.extract.extractors import extract
    from mandates.core.files import atomic_write
    from mandates.rdf.terms import sorted_nquads
    from mandates.extract.read import read_source
    from mandates.rdf.store import load_nquads, open_store
    from mandates.vocab.concepts import load

    out = tmp_path_factory.mktemp("pair")
    vocab = load()
    graphs = [build_graph(extract(read_source(f), vocab)) for f in [SEED, *FIXTURES]]
    nq = sorted_nquads(graphs)
    vocab_g = vocabulary_graph()
    atomic_write(out / "graph.nq", nq)
    atomic_write(out / "vocabulary.ttl", vocab_g.serialize(format="turtle"))
    store = open_store(out / "store")
    load_nquads(store, nq.encode("utf-8"))
    load_nquads(store, sorted_nquads([(f"{BASE}graph/vocabulary", vocab_g)]).encode("utf-8"))
    store.flush()
    del store
    return out


@pytest.fixture(scope="module")
def series_build(tmp_path_factory):
    """The seed with its synthetic successor A/RES/76/900 (Chinese) and the synthetic English pair
    A/RES/95/10, A/RES/97/10 (tests/data/README.md), built with the real pipeline: two series of
    two resolutions, with the series graph (clause lineage, dropped clauses, report follow-up)."""
    from mandates.build.pipeline import build

    out = tmp_path_factory.mktemp("series")
    build([SEED, *SERIES_FILES], out, jobs=1)
    return out


@pytest.fixture(scope="module")
def stores(seed_build, pair_build, corpus_build, series_build):
    return {"seed": seed_build[0], "pair": pair_build, "corpus": corpus_build[0], "series": series_build}


class Server(OxigraphServer):
    """A read-only Oxigraph server over a copy of a build's data, union default graph."""

    def __init__(self, exe: str, out: Path, work: Path):
        db = work / "db"
        subprocess.run([exe, "load", "--location", str(db), "--file", str(out / "graph.nq")],
                       check=True, capture_output=True, timeout=120)
        subprocess.run([exe, "load", "--location", str(db), "--file", str(out / "vocabulary.ttl"),
                        "--graph", f"{BASE}graph/vocabulary"], check=True, capture_output=True, timeout=120)
        super().__init__(exe, "serve-read-only", db, work / "server.log")


@pytest.fixture(scope="module")
def servers(stores, tmp_path_factory):
    exe = oxigraph_exe()
    if exe is None:
        pytest.skip("the Oxigraph server is not installed (pip install oxigraph)")
    started: dict[str, Server] = {}
    try:
        for name, out in stores.items():
            started[name] = Server(exe, out, tmp_path_factory.mktemp(f"oxigraph-{name}"))
        yield {name: s.url for name, s in started.items()}
    finally:
        for s in started.values():
            s.stop()


# ---------------------------------------------------------------- matching


def expand(value):  # type: ignore[no-untyped-def]
    if isinstance(value, str) and ":" in value and value.split(":", 1)[0] in PREFIXES:
        prefix, rest = value.split(":", 1)
        return f"{BASE}{prefix}/{rest}"
    return value


def matches(row: dict, want: dict) -> bool:
    for key, value in want.items():
        col, contains = (key[:-1], True) if key.endswith("~") else (key, False)
        assert col in row, f"the manifest names a column {col!r} the query does not return ({sorted(row)})"
        got = row[col]
        if value == UNBOUND:
            if got is not None:
                return False
        elif contains:
            if got is None or str(expand(value)) not in str(got):
                return False
        elif got != expand(value):
            return False
    return True


def check_case(case: dict, rows: list[dict]) -> None:
    label = case["id"]
    if "rows" in case:
        assert len(rows) == case["rows"], f"{label}: {len(rows)} rows, expected {case['rows']}"
    assert rows or not case.get("expect"), f"{label}: no rows"
    free = list(range(len(rows)))
    for want in case.get("expect", []):
        hit = next((i for i in free if matches(rows[i], want)), None)
        assert hit is not None, f"{label}: no row matches {want}"
        free.remove(hit)
    for unwanted in case.get("absent", []):
        bad = [r for r in rows if matches(r, unwanted)]
        assert not bad, f"{label}: a row matches {unwanted}: {bad[0]}"
    if "first" in case:
        assert matches(rows[0], case["first"]), f"{label}: first row {rows[0]} does not match {case['first']}"
    for col, total in case.get("sums", {}).items():
        assert sum(r[col] for r in rows) == total, f"{label}: sum of {col}"
    if case.get("spans"):
        check_spans(label, rows)


def check_spans(label: str, rows: list[dict]) -> None:
    """The offsets point at the excerpt in the source file (as read: offsets are characters)."""
    from mandates.extract.read import read_source

    texts: dict[str, str] = {}
    checked = 0
    for r in rows:
        excerpt = r.get("exact", r.get("excerpt"))
        if r.get("start") is None or excerpt is None:
            continue
        name = r.get("file") or _file_for(r["symbol"], r["lang"])
        if name not in texts:
            texts[name] = read_source(SOURCES[name]).text
            if r.get("sha256"):
                assert r["sha256"] == hashlib.sha256(SOURCES[name].read_bytes()).hexdigest(), label
        assert texts[name][r["start"]:r["end"]] == excerpt, f"{label}: {name}[{r['start']}:{r['end']}]"
        checked += 1
    assert checked, f"{label}: no span to check"


def _file_for(symbol: str, lang: str) -> str:
    stem = symbol.replace("/", "-")
    return next(n for n in SOURCES if n.startswith(f"{stem}.{lang}."))


# ---------------------------------------------------------------- the cases


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_in_process(case, stores):
    from mandates.web.query import run_query

    rows = run_query(case["query"], store=stores[case["store"]], params=case.get("params"))
    check_case(case, rows)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case_over_http_gives_the_same_rows(case, stores, servers):
    from mandates.web.query import run_query

    local = run_query(case["query"], store=stores[case["store"]], params=case.get("params"))
    remote = run_query(case["query"], store=servers[case["store"]], params=case.get("params"))
    assert remote == local
    check_case(case, remote)


def test_every_library_query_has_cases_on_the_seed():
    from mandates.web.query import library

    covered = {c["query"] for c in CASES if c["store"] == "seed"}
    assert set(library()) <= covered, set(library()) - covered
    assert covered <= set(library())


def test_the_manifest_names_known_stores_and_parameters():
    from mandates.web.query import library, params_of

    lib = library()
    for c in CASES:
        assert c["store"] in ("seed", "pair", "corpus", "series"), c["id"]
        declared = {p.name for p in params_of(lib[c["query"]])}
        assert set(c.get("params", {})) <= declared, c["id"]
        assert c.get("why"), f"{c['id']}: say where in the text the expectations come from"


# ---------------------------------------------------------------- headers and catalogue


def test_headers_match_the_results(stores):
    """``# returns:`` lists the result columns in order; every parameter is one of them
    (pyoxigraph binds only projected variables)."""
    from mandates.web.query import library, params_of, run_query_terms

    for name, q in library().items():
        params = {p.name: f"<{BASE}x>" for p in params_of(q) if p.required}
        result = run_query_terms(name, store=stores["seed"], params=params)
        returns = [c.strip() for c in q.header["returns"].split(",")]
        assert result.variables == returns, name
        for p in params_of(q):
            assert p.name in returns, (name, p.name)
        assert "ORDER BY" in q.text, name


def test_catalogue_lists_every_library_query():
    from mandates.web.query import library, params_of

    catalogue = (ROOT / "queries" / "README.md").read_text(encoding="utf-8")
    for name, q in library().items():
        row = next((line for line in catalogue.splitlines() if f"`{name}.rq`" in line), None)
        assert row is not None, name
        assert q.header["question"] in row, name
        assert q.header["returns"] in row, name
        declared = params_of(q)
        for p in declared:
            assert f"`{p.name}`" in row, (name, p.name)
        if not declared:
            assert "| none |" in row, name
        assert q.header["question-zh"], name


def test_params_of_the_library():
    from mandates.web.query import library, params_of

    got = {n: [(p.name, p.required) for p in params_of(q)] for n, q in library().items() if params_of(q)}
    assert got == {"asked-of-actor": [("actor", True)], "provenance": [("clause", True)],
                   "mandates-by-theme": [("theme", False)],
                   "series-changes": [("actor", True), ("symbol", False)], "mandate-history": [("mandate", True)],
                   "requests-over-time": [("actor", True)],
                   "mandates-by-state-group": [("group", False)]}


def _store_of(files, out):  # type: ignore[no-untyped-def]
    """A store of ``files`` built with the pipeline's own stages (as ``pair_build``)."""
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source
    from mandates.graph.builder import build_graph, vocabulary_graph
    from mandates.rdf.store import load_nquads, open_store
    from mandates.rdf.terms import sorted_nquads
    from mandates.vocab.concepts import load

    vocab = load()
    store = open_store(out)
    load_nquads(store, sorted_nquads([build_graph(extract(read_source(f), vocab)) for f in files]).encode("utf-8"))
    load_nquads(store, sorted_nquads([(f"{BASE}graph/vocabulary", vocabulary_graph())]).encode("utf-8"))
    return store


def test_groups_of_states_from_the_chinese_and_the_english_text_alike(tmp_path):
    """A/RES/99/3 in Chinese alone and in English alone: the same mandates under the same
    groups, for the same reasons, with the same IRIs (the texts differ only in language)."""
    from mandates.web.query import run_query

    keys = ("group", "how", "actor", "verb", "strength", "symbol", "para", "clause")
    got = {}
    for lang, name in (("zh", "A-RES-99-3.zh.md"), ("en", "A-RES-99-3.en.txt")):
        store = _store_of([HERE / "fixtures" / name], tmp_path / lang)
        rows = run_query("mandates-by-state-group", store=store)
        assert all(r[f"text{'Zh' if lang == 'zh' else 'En'}"] for r in rows)
        got[lang] = [tuple(r[k] for k in keys) for r in rows]
        del store
    assert len(got["zh"]) == 11 and got["zh"] == got["en"]


# ---------------------------------------------------------------- binding and escaping


def test_values_block_goes_into_the_outer_where_group():
    from mandates.web.query import with_values

    q = ('PREFIX a: <http://x/ns#>\n# a comment { with a brace\nSELECT ?s ("{" AS ?b) ?where\n'
         'WHERE { { SELECT ?s WHERE { ?s a:p ?o } } }')
    out = with_values(q, {"o": {"type": "literal", "value": "v"}})
    assert out.index('VALUES (?o) { ("v") }') == out.index("WHERE {") + len("WHERE {") + 3
    q2 = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    out2 = with_values(q2, {"s": {"type": "uri", "value": "http://x/s"}})
    assert out2.startswith("CONSTRUCT { ?s ?p ?o } WHERE {\n  VALUES (?s) { (<http://x/s>) }")
    q3 = "SELECT * { ?s ?p ?o }"
    assert with_values(q3, {"s": {"type": "uri", "value": "http://x/s"}}).startswith("SELECT * {\n  VALUES")


@pytest.mark.parametrize("value", ['say "hi"', "back\\slash", "line\nbreak\ttab", "{ } # <not an iri>", "'single'"])
def test_string_parameters_round_trip_locally_and_over_http(value, tmp_path, stores, servers):
    from mandates.web.query import run_query

    q = tmp_path / "echo.rq"
    q.write_text("# title: echo\n# question: q\n# question-zh: q\n# params: x = a string\n# returns: x, n\n"
                 "SELECT ?x ?n WHERE { BIND (STRLEN(?x) AS ?n) }\n", encoding="utf-8")
    want = [{"x": value, "n": len(value)}]
    assert run_query(q, store=stores["seed"], params={"x": value}) == want
    assert run_query(q, store=servers["seed"], params={"x": value}) == want


def test_bad_iris_are_refused():
    from mandates.web.query import QueryError, parse_param, sparql_term

    for bad in ("actor=<not an iri>", "actor=<relative/path>", "actor=<http://x/a>b>", "=x", "noequals", "a b=1"):
        with pytest.raises(QueryError):
            parse_param(bad)
    with pytest.raises(QueryError):
        sparql_term({"type": "uri", "value": "http://x/}"})


def test_python_api_errors(stores, tmp_path):
    from mandates.web.query import QueryError, run_query

    with pytest.raises(QueryError) as e:
        run_query("no-such-query", store=stores["seed"])
    assert e.value.code == 2
    with pytest.raises(QueryError) as e:
        run_query("asked-of-actor", store=stores["seed"])  # the required parameter is missing
    assert e.value.code == 2 and "actor" in str(e.value)
    with pytest.raises(QueryError) as e:
        run_query("reports-requested", store=stores["seed"], params={"actor": "<http://x/a>"})
    assert e.value.code == 2
    with pytest.raises(QueryError) as e:
        run_query("reports-requested", store=tmp_path / "nothing")
    assert e.value.code == 3
    with pytest.raises(QueryError) as e:
        run_query("reports-requested", store=f"http://127.0.0.1:{free_port()}/query")
    assert e.value.code == 3


# ---------------------------------------------------------------- the command line


def cli(*args: str) -> tuple[int, str, str]:
    """``mandates query ...`` in this process (stdout and stderr captured)."""
    import contextlib
    import io

    from mandates.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["query", *args])
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_cli_reports_requested_as_csv(stores):
    r = subprocess.run([sys.executable, "-m", "mandates.cli", "query", "reports-requested", "--store",
                        str(stores["seed"]), "--format", "csv"], capture_output=True, text=True, cwd=ROOT,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "by,byEn,byZh,to,toEn,toZh,session,year,symbol,para,clause,verb,textZh,textEn"
    assert len(lines) == 2
    assert lines[1].startswith(f"{BASE}actor/secretary-general,Secretary-General,秘书长,"
                               f"{BASE}actor/general-assembly,General Assembly,大会,76,2021,A/RES/74/304,OP24,")
    assert "Traceback" not in r.stderr and "1 row" in r.stderr


def test_cli_formats(stores):
    import csv
    import io

    code, out, _ = cli("asked-of-actor", "--store", str(stores["seed"]), "--param",
                       f"actor=<{BASE}actor/world-health-organization>", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["head"]["vars"][:3] == ["actor", "strength", "verb"]
    [b] = doc["results"]["bindings"]
    assert b["para"] == {"type": "literal", "value": "OP6"}
    assert b["strength"]["datatype"].endswith("#integer") and b["verbZh"]["xml:lang"] == "zh"
    assert "reportTo" not in b  # unbound
    code, out, _ = cli("verb-profile", "--store", str(stores["seed"]), "--format", "tsv")
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()]
    assert rows[0][:3] == ["symbol", "verb", "verbEn"] and len(rows) == 21
    code, out, _ = cli("verb-profile", "--store", str(stores["seed"]), "--format", "csv")
    assert list(csv.reader(io.StringIO(out)))[1][:2] == ["A/RES/74/304", "request"]
    code, out, _ = cli("mandates-by-addressee", "--store", str(stores["seed"]))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["actor", "actorEn", "actorZh"] and set(lines[1]) <= {"-", " "}
    assert len(lines) == 2 + 38
    assert any(line.startswith("actor/world-health-organization ") and " OP6 " in line for line in lines)


def test_cli_any_sparql_file(stores, tmp_path):
    q = tmp_path / "count.rq"
    q.write_text("PREFIX mnd: <https://w3id.org/un-mandates/ontology#>\n"
                 "SELECT (COUNT(?c) AS ?n) WHERE { ?c a mnd:Mandate ; mnd:verb ?v } ORDER BY ?n\n", encoding="utf-8")
    code, out, _ = cli(str(q), "--store", str(stores["seed"]), "--format", "csv")
    assert (code, out) == (0, "n\n20\n")
    code, _, err = cli(str(q), "--store", str(stores["seed"]), "--param", "x=1")
    assert code == 2 and "x" in err


@pytest.mark.parametrize("args,code,message", [
    (["no-such-query"], 2, "unknown query 'no-such-query'"),
    (["missing.rq"], 2, "no such query file"),
    (["reports-requested", "--param", "oops"], 2, "bad --param"),
    (["reports-requested", "--param", "actor=<http://x/a>"], 2, "unknown parameter 'actor'"),
    (["asked-of-actor"], 2, "needs --param actor"),
    (["asked-of-actor", "--param", "actor=<not an iri>"], 2, "not an absolute IRI"),
    (["asked-of-actor", "--param", "actor=secretary-general"], 2, "is an IRI: write it <...>"),
    (["asked-of-actor", "--param", "actor=<http://x/a>", "--param", "actor=<http://x/b>"], 2, "twice"),
])
def test_cli_usage_errors_exit_2(args, code, message, stores):
    got, out, err = cli(*args, "--store", str(stores["seed"]))
    assert got == code and message in err and out == ""
    assert "Traceback" not in err


def test_cli_missing_or_unbuilt_store_exits_3(tmp_path):
    got, out, err = cli("reports-requested", "--store", str(tmp_path / "nowhere"))
    assert got == 3 and "does not exist" in err and out == ""
    (tmp_path / "empty").mkdir()
    got, out, err = cli("reports-requested", "--store", str(tmp_path / "empty"))
    assert got == 3 and "not a built store" in err and out == ""


def test_cli_bad_query_file_exits_2(stores, tmp_path):
    q = tmp_path / "bad.rq"
    q.write_text("SELECT WHERE {", encoding="utf-8")
    got, _, err = cli(str(q), "--store", str(stores["seed"]))
    assert got == 2 and "does not parse" in err


def test_query_cli_reads_args_as_the_cli_gives_them(stores):
    """``query_cli`` takes the parsed arguments the ``query`` subcommand defines."""
    from mandates.web.query import query_cli

    args = SimpleNamespace(query="reports-requested", store=str(stores["seed"]), param=[], format="csv")
    assert query_cli(args) == 0
