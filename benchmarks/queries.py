"""Library query latency: the embedded store (pyoxigraph, on disk) next to rdflib's in-memory
engine, on the same data (a built corpus, optionally cut to a number of triples).

Each library query (``queries/*.rq``) runs with the parameters of its first case in
``tests/queries/manifest.toml``; both engines see the union of the named graphs as the
default graph. Both sides do the same work: the query text, its parameters bound by the
engine (pyoxigraph ``substitutions``, rdflib ``initBindings``), every row read back with
every value as a Python object. Each engine runs a query once untimed (warm-up; an rdflib
run over a second is timed instead), then ``--repeat`` (pyoxigraph) or ``--rdflib-repeat``
times; the median is reported. Printed per
query: the rows, the median latency of each engine and their ratio (rdflib / pyoxigraph)::

    python3 benchmarks/queries.py --build /tmp/bench-1000/out --max-triples 1000000

``--parse-check`` (no build needed) prints the time the endpoint of ``mandates serve`` takes
to check a 145 KiB ``VALUES`` query before it runs it: before, rdflib's SPARQL parser
(``parseQuery``); now, :func:`mandates.rdf.querycheck.check` (Oxigraph's parser)::

    python3 benchmarks/queries.py --parse-check
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def cases() -> list[tuple[str, dict[str, Any] | None]]:
    """(query name, params) for every library query: the params of its first manifest case."""
    from mandates.web.query import library

    manifest = tomllib.loads((ROOT / "tests" / "queries" / "manifest.toml").read_text(encoding="utf-8"))
    out = []
    for name in library():
        first = next((c for c in manifest["case"] if c["query"] == name), None)
        out.append((name, (first or {}).get("params")))
    return out


def subset(build: Path, max_triples: int | None) -> tuple[bytes, int, int]:
    """N-Quads of whole documents of ``build/graph.nq`` up to ``max_triples``, plus the
    vocabulary graph; (data, documents, quads)."""
    import pyoxigraph

    src = pyoxigraph.Store.read_only(str(build / "store"))
    vocab = "https://w3id.org/un-mandates/graph/vocabulary"
    names = sorted(g.value for g in src.named_graphs() if g.value != vocab)
    parts = [src.dump(format=pyoxigraph.RdfFormat.N_QUADS, from_graph=pyoxigraph.NamedNode(vocab))
             .replace(b" .\n", b" <" + vocab.encode() + b"> .\n")]
    total = parts[0].count(b"\n")
    docs = 0
    for name in names:
        data = src.dump(format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.NamedNode(name))
        n = data.count(b"\n")
        if max_triples is not None and docs and total + n > max_triples:
            break
        parts.append(data.replace(b" .\n", b" <" + name.encode() + b"> .\n"))
        total += n
        docs += 1
    return b"".join(parts), docs, total


def adapt(store, params: dict[str, Any] | None) -> dict[str, Any] | None:  # type: ignore[no-untyped-def]
    """The manifest's parameters name IRIs of the seed resolution (``doc/A-RES-74-304/op/6/c/2``);
    in another corpus, the first IRI of the same form (``doc/<any>/op/6/c/2``, else any
    clause) stands in for them, so the query has something to find."""
    from mandates.rdf.store import select

    if not params:
        return params
    out = dict(params)
    for k, v in params.items():
        if not (isinstance(v, str) and v.startswith("<") and "/doc/" in v):
            continue
        iri = v[1:-1]
        if select(store, f"SELECT ?p WHERE {{ <{iri}> ?p ?o }} LIMIT 1"):
            continue
        rest = iri.split("/doc/", 1)[1]
        suffix = rest.split("/", 1)[1] if "/" in rest else ""
        rows = select(store, "SELECT ?s WHERE { ?s a <https://w3id.org/un-mandates/ontology#Clause> "
                             f"FILTER(STRENDS(STR(?s), \"/{suffix}\")) }} ORDER BY ?s LIMIT 1") if suffix else []
        if not rows:
            rows = select(store, "SELECT ?s WHERE { ?s a <https://w3id.org/un-mandates/ontology#Mandate> } "
                                 "ORDER BY ?s LIMIT 1")
        if rows:
            out[k] = f"<{rows[0]['s']}>"
    return out


WARM_UP_S = 1.0  # an rdflib run slower than this is its own warm-up


class Timeout(Exception):
    pass


def _alarm(signum, frame):  # type: ignore[no-untyped-def]
    raise Timeout()


def measure(build: Path, *, max_triples: int | None = 1_000_000, repeat: int = 5, rdflib_repeat: int = 3,
            rdflib_timeout: float = 120.0, log=print) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    import pyoxigraph
    from rdflib import Dataset

    from mandates.rdf.sparql import from_binding
    from mandates.web.query import bind, resolve

    data, docs, quads = subset(build, max_triples)
    result: dict[str, Any] = {"documents": docs, "quads": quads, "queries": []}
    with tempfile.TemporaryDirectory(prefix="bench-store-") as tmp:
        t = time.perf_counter()
        store = pyoxigraph.Store(tmp)
        store.bulk_load(data, format=pyoxigraph.RdfFormat.N_QUADS)
        store.flush()
        result["oxigraph_load_s"] = time.perf_counter() - t
        t = time.perf_counter()
        ds = Dataset(default_union=True)
        ds.parse(data=data.decode("utf-8"), format="nquads")
        result["rdflib_load_s"] = time.perf_counter() - t
        log(f"data: {docs} documents, {quads} quads; load: pyoxigraph {result['oxigraph_load_s']:.1f} s, "
            f"rdflib {result['rdflib_load_s']:.1f} s")
        log(f"{'query':24} {'rows':>6} {'oxigraph ms':>12} {'rdflib ms':>11} {'ratio':>7}")
        for name, params in cases():
            params = adapt(store, params)
            query = resolve(name)
            terms = bind(query, params)
            subs = {pyoxigraph.Variable(k): from_binding(v) for k, v in terms.items()} or None
            init = {k: _rdflib_term(v) for k, v in terms.items()}

            # The same work on both sides: evaluate the query text with its parameters bound
            # by the engine, and hand back every row with every value as a Python object.
            # One untimed run first (caches, lazy imports), then the median of the timed runs.
            def run_oxigraph(text: str = query.text, subs: Any = subs) -> int:
                res = store.query(text, use_default_graph_as_union=True, substitutions=subs)
                return len([tuple(sol) for sol in res])  # (as rdflib's rows are read)

            def run_rdflib(text: str = query.text, init: dict[str, Any] = init) -> int:
                return len([tuple(row) for row in ds.query(text, initBindings=init)])

            rows = run_oxigraph()
            ox_times = []
            for _ in range(repeat):
                t = time.perf_counter()
                rows = run_oxigraph()
                ox_times.append(time.perf_counter() - t)
            rd_times: list[float | None] = []
            rd_rows = None
            old = signal.signal(signal.SIGALRM, _alarm)
            try:
                # The first run is the warm-up; one that takes longer than WARM_UP_S is timed
                # as well (warming up is negligible next to it, and a second slow run is not).
                warm = True
                while len(rd_times) < rdflib_repeat:
                    signal.setitimer(signal.ITIMER_REAL, rdflib_timeout)
                    t = time.perf_counter()
                    try:
                        rd_rows = run_rdflib()
                    except Timeout:
                        rd_times.append(None)
                        break
                    finally:
                        signal.setitimer(signal.ITIMER_REAL, 0)
                    took = time.perf_counter() - t
                    if not warm or took > WARM_UP_S:
                        rd_times.append(took)
                    warm = False
            finally:
                signal.signal(signal.SIGALRM, old)
            ox = statistics.median(ox_times)
            timed_out = any(x is None for x in rd_times)
            rd = None if timed_out or not rd_times else statistics.median(rd_times)  # type: ignore[arg-type]
            entry = {"query": name, "rows": rows, "rdflib_rows": rd_rows, "oxigraph_ms": ox * 1000,
                     "oxigraph_max_ms": max(ox_times) * 1000,
                     "rdflib_ms": None if rd is None else rd * 1000, "rdflib_timeout_s": rdflib_timeout if timed_out else None,
                     "ratio": None if rd is None else rd / ox}
            result["queries"].append(entry)
            rd_text = f">{rdflib_timeout * 1000:.0f}" if rd is None else f"{rd * 1000:.1f}"
            ratio = f">{rdflib_timeout / ox:.0f}" if rd is None else f"{rd / ox:.1f}"
            mismatch = "" if rd_rows is None or rd_rows == rows else f"  (rdflib: {rd_rows} rows)"
            log(f"{name:24} {rows:>6} {ox * 1000:>12.1f} {rd_text:>11} {ratio:>7}x{mismatch}")
        ox_all = [q["oxigraph_ms"] for q in result["queries"]]
        result["oxigraph_median_ms"] = statistics.median(ox_all)
        result["oxigraph_worst_ms"] = max(q["oxigraph_max_ms"] for q in result["queries"])  # one run
        result["oxigraph_slowest_median_ms"] = max(ox_all)  # the targets are medians
        ratios = [q["ratio"] if q["ratio"] is not None else rdflib_timeout * 1000 / q["oxigraph_ms"]
                  for q in result["queries"]]
        result["min_ratio"] = min(ratios)
        log(f"pyoxigraph: median {result['oxigraph_median_ms']:.1f} ms, slowest query's median "
            f"{result['oxigraph_slowest_median_ms']:.1f} ms, slowest single run {result['oxigraph_worst_ms']:.1f} ms; "
            f"slowest ratio to rdflib {result['min_ratio']:.1f}x")
        del store
    return result


PARSE_CHECK_KIB = 145


def values_query(kib: int = PARSE_CHECK_KIB) -> str:
    """A SELECT query of about ``kib`` KiB, nearly all of it one ``VALUES`` block of
    (actor, number, label) rows: the kind of query a client sends to ask about many actors."""
    head = ("PREFIX mnd: <https://w3id.org/un-mandates/ontology#>\n"
            "PREFIX actor: <https://w3id.org/un-mandates/actor/>\n"
            "SELECT ?clause ?actor ?n ?label WHERE {\n  VALUES (?actor ?n ?label) {\n")
    tail = "  }\n  ?clause mnd:addressee ?actor .\n}\n"
    rows, size, i = [], len(head) + len(tail), 0
    while size < kib * 1024:
        rows.append(f'    (actor:state-{i:05d} {i} "State {i}")\n')
        size += len(rows[-1])
        i += 1
    return head + "".join(rows) + tail


def parse_check(repeat: int = 3, log=print) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The median time to check :func:`values_query` before it runs: rdflib's parser (as the
    endpoint did before) and :func:`mandates.rdf.querycheck.check` (Oxigraph's parser)."""
    from rdflib.plugins.sparql.parser import parseQuery

    from mandates.rdf.querycheck import check

    text = values_query()
    assert check(text) == "SELECT"
    parseQuery(text)  # (imports and caches warmed on both sides)
    timings: dict[str, list[float]] = {"rdflib": [], "oxigraph": []}
    for _ in range(repeat):
        for name, fn in (("rdflib", parseQuery), ("oxigraph", check)):
            t = time.perf_counter()
            fn(text)
            timings[name].append(time.perf_counter() - t)
    res = {"bytes": len(text.encode("utf-8")), "rdflib_ms": statistics.median(timings["rdflib"]) * 1000,
           "oxigraph_ms": statistics.median(timings["oxigraph"]) * 1000}
    log(f"parse check of a {res['bytes'] / 1024:.0f} KiB VALUES query: before (rdflib parseQuery) "
        f"{res['rdflib_ms']:.0f} ms, after (querycheck.check, Oxigraph) {res['oxigraph_ms']:.1f} ms "
        f"({res['rdflib_ms'] / res['oxigraph_ms']:.0f}x)")
    return res


def _rdflib_term(t: dict[str, str]):  # type: ignore[no-untyped-def]
    from rdflib import Literal, URIRef

    if t["type"] == "uri":
        return URIRef(t["value"])
    if t.get("xml:lang"):
        return Literal(t["value"], lang=t["xml:lang"])
    if t.get("datatype"):
        return Literal(t["value"], datatype=URIRef(t["datatype"]))
    return Literal(t["value"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", type=Path, default=None, help="a folder 'mandates build --out' wrote")
    ap.add_argument("--parse-check", action="store_true",
                    help=f"only time the check of a {PARSE_CHECK_KIB} KiB VALUES query (rdflib's parser, then Oxigraph's)")
    ap.add_argument("--max-triples", type=int, default=1_000_000, help="cut the data to about this many (0: all)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--rdflib-repeat", type=int, default=3)
    ap.add_argument("--rdflib-timeout", type=float, default=120.0, help="seconds per rdflib query")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    args = ap.parse_args(argv)
    if args.parse_check:
        res = parse_check(repeat=args.repeat)
        if args.json:
            args.json.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
        return 0
    if args.build is None:
        ap.error("--build is required (or --parse-check)")
    res = measure(args.build, max_triples=args.max_triples or None, repeat=args.repeat,
                  rdflib_repeat=args.rdflib_repeat, rdflib_timeout=args.rdflib_timeout)
    if args.json:
        args.json.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
