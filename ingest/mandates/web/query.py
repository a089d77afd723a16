"""Run the SPARQL query library (``queries/*.rq``) or any SPARQL file: ``mandates query``.

A query runs against

- a folder written by ``mandates build --out DIR`` (its embedded pyoxigraph store
  ``DIR/store``, opened read-only); parameters are bound by the engine (pyoxigraph
  ``substitutions``) and the default graph is the union of the named graphs; or
- a SPARQL 1.1 endpoint (an ``http://`` or ``https://`` URL). The query is sent with the
  SPARQL protocol (POST, form-encoded) and the results are read as SPARQL 1.1 Query
  Results JSON. Parameters are bound by a ``VALUES`` block inserted as the first element
  of the query's outermost ``WHERE`` group, its terms written with SPARQL escaping
  (:func:`sparql_term`). A library query uses its parameters in that outermost group, so
  both bindings give the same rows. The endpoint must expose the union of the named graphs
  as its default graph (Oxigraph: ``oxigraph serve --union-default-graph``): before a query
  that does not name its dataset (``FROM``) runs, :func:`check_union` asks the endpoint
  whether its default graph holds a triple of one of its named graphs, and stops with
  exit code 5 when it does not (the queries would otherwise find nothing, silently).

Rows are dicts of plain values: IRIs and strings as ``str``, integers as ``int``, booleans
as ``bool``, unbound as ``None`` (language tags and other datatypes are dropped; use
:func:`run_query_terms` or ``--format json`` to keep them).

Parameters (``--param k=v`` or ``params={"k": v}``): ``<...>`` is an IRI, a value of ASCII
digits an ``xsd:integer``, anything else a string literal. A library query declares its
parameters in its ``# params:`` header (``name = meaning`` entries separated by ``;``, or
``none``); an entry whose meaning says "optional" may be left out (the variable then stays
free: all values), the others are required.

Exit codes of ``mandates query``: 0 the query ran (even with no rows); 2 usage: unknown
query name, unreadable query file, query syntax, bad ``--param``, unknown or missing
parameter; 3 the store: the folder does not exist or holds no built store, the store cannot
be opened, the endpoint cannot be reached or fails; 5 the endpoint's default graph is not
the union of its named graphs (the message says how to start the server so that it is).
Messages go to stderr, results to stdout.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mandates import __version__
from mandates.core.resources import queries_dir
from mandates.rdf.namespaces import DEFAULT_BASE, MND, XSD
from mandates.rdf.querycheck import keywords
from mandates.rdf.sparql import NotSelect, binding, from_binding, is_term, select_bindings
from mandates.rdf.store import Query, StoreError, open_built, read_query

EXIT_OK, EXIT_USAGE, EXIT_STORE, EXIT_NOT_UNION = 0, 2, 3, 5
_INTEGER_TYPES = {XSD + t for t in ("integer", "nonNegativeInteger", "int", "long", "positiveInteger",
                                    "nonPositiveInteger", "negativeInteger", "short", "byte",
                                    "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
HTTP_TIMEOUT = 120  # seconds
#: an actor given by a code: ``iso:FRA`` (ISO 3166-1 alpha-3), ``iso:FR`` (alpha-2), ``m49:250``
_CODE = re.compile(r"(iso|m49):([A-Za-z]{2,3}|[0-9]{1,3})", re.I)
CODE_PROPERTIES = {("iso", 3): MND + "isoAlpha3", ("iso", 2): MND + "isoAlpha2", ("m49", 0): MND + "m49"}


class QueryError(Exception):
    """A problem with the query, its parameters or the store; ``code`` is the exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Param:
    """A parameter a query declares in its ``# params:`` header."""

    name: str
    meaning: str
    required: bool


@dataclass(frozen=True)
class Result:
    """The rows of a SELECT query as SPARQL 1.1 JSON bindings (``None`` when unbound)."""

    variables: list[str]
    rows: list[dict[str, dict[str, str] | None]]

    def values(self) -> list[dict[str, Any]]:
        return [{v: plain(r.get(v)) for v in self.variables} for r in self.rows]

    def to_json(self) -> dict[str, Any]:
        """SPARQL 1.1 Query Results JSON."""
        return {"head": {"vars": list(self.variables)},
                "results": {"bindings": [{v: b for v, b in r.items() if b is not None} for r in self.rows]}}


# ---------------------------------------------------------------- the library


def library() -> dict[str, Query]:
    """The library queries by name (``queries/*.rq``; the export views in ``queries/export/`` are not in it).

    >>> "reports-requested" in library()
    True
    """
    return {p.stem: read_query(p) for p in sorted(queries_dir().glob("*.rq"))}


def params_of(query: Query) -> list[Param] | None:
    """The parameters a query declares, or ``None`` when it has no ``# params:`` header.

    >>> q = Query("x", Path("x.rq"), "", {"params": "actor = an actor's IRI; theme = a theme (optional)"})
    >>> [(p.name, p.required) for p in params_of(q)]
    [('actor', True), ('theme', False)]
    >>> params_of(Query("x", Path("x.rq"), "", {"params": "none"}))
    []
    """
    spec = query.header.get("params")
    if spec is None:
        return None
    if spec.strip().lower() in ("", "none", "-"):
        return []
    out = []
    for entry in spec.split(";"):
        name, _, meaning = entry.partition("=")
        name = name.strip().lstrip("?$")
        if not _NAME.fullmatch(name):
            raise QueryError(f"{query.path}: cannot read the '# params:' entry {entry.strip()!r} "
                             "(expected 'name = meaning')")
        out.append(Param(name, meaning.strip(), "optional" not in meaning.lower()))
    return out


def resolve(name_or_path: str | Path) -> Query:
    """A library query by name, or a SPARQL file by path."""
    lib = library()
    key = str(name_or_path)
    if key in lib:
        return lib[key]
    if key.endswith(".rq") and key[:-3] in lib and "/" not in key:
        return lib[key[:-3]]
    path = Path(name_or_path)
    if path.is_file():
        try:
            return read_query(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise QueryError(f"cannot read query file {path}: {exc}") from None
    if path.suffix == ".rq" or "/" in key or path.exists():
        raise QueryError(f"no such query file: {path}")
    raise QueryError(f"unknown query {key!r}; library queries: {', '.join(lib)} (or give a .rq file)")


# ---------------------------------------------------------------- parameters and terms


def parse_param(text: str) -> tuple[str, dict[str, str]]:
    """One ``--param k=v`` as a name and a term.

    >>> parse_param("actor=<https://w3id.org/un-mandates/actor/secretary-general>")
    ('actor', {'type': 'uri', 'value': 'https://w3id.org/un-mandates/actor/secretary-general'})
    >>> parse_param("session=76")[1]["datatype"]
    'http://www.w3.org/2001/XMLSchema#integer'
    >>> parse_param("symbol=A/RES/74/303")
    ('symbol', {'type': 'literal', 'value': 'A/RES/74/303'})
    """
    name, sep, value = text.partition("=")
    name = name.strip().lstrip("?$")
    if not sep or not _NAME.fullmatch(name):
        raise QueryError(f"bad --param {text!r}: expected NAME=VALUE (an IRI as <...>, an integer, or a string)")
    return name, to_term(value)


def to_term(value: Any) -> dict[str, str]:
    """A parameter value as a SPARQL JSON term: ``"<iri>"`` an IRI, ASCII digits (or an ``int``)
    an integer, ``bool`` a boolean, other strings a string literal; pyoxigraph terms as they are."""
    if isinstance(value, dict) and value.get("type") in ("uri", "literal", "code"):
        return value
    if isinstance(value, bool):
        return {"type": "literal", "value": "true" if value else "false", "datatype": XSD + "boolean"}
    if isinstance(value, int):
        return {"type": "literal", "value": str(value), "datatype": XSD + "integer"}
    if is_term(value):
        return binding(value)  # type: ignore[return-value]
    if not isinstance(value, str):
        raise QueryError(f"cannot bind a parameter to {value!r} (give a string, an int or '<IRI>')")
    if value.startswith("<") and value.endswith(">"):
        iri = value[1:-1]
        if not _SCHEME.match(iri) or _IRI_FORBIDDEN.search(iri):
            raise QueryError(f"{value!r} is not an absolute IRI")
        return {"type": "uri", "value": iri}
    if value.startswith("<"):
        raise QueryError(f"{value!r}: an IRI must be written <...>")
    if re.fullmatch(r"[0-9]+", value):
        return {"type": "literal", "value": value, "datatype": XSD + "integer"}
    code = _CODE.fullmatch(value)
    if code:  # a State by its code: looked up in the store's vocabulary when the query runs
        scheme, key = code.group(1).lower(), code.group(2).upper()
        key = key.zfill(3) if scheme == "m49" else key
        prop = CODE_PROPERTIES[(scheme, len(key))] if scheme == "iso" else CODE_PROPERTIES[(scheme, 0)]
        return {"type": "code", "value": key, "property": prop, "given": value}
    return {"type": "literal", "value": value}


def bind(query: Query, params: dict[str, Any] | None) -> dict[str, dict[str, str]]:
    """Check ``params`` against the query's declared parameters; the terms to bind by name."""
    given = {k.lstrip("?$"): to_term(v) for k, v in (params or {}).items()}
    declared = params_of(query)
    if declared is None:  # a file without a header: the variable must occur in the query
        for k in given:
            if not re.search(rf"[?$]{re.escape(k)}\b", query.text):
                raise QueryError(f"unknown parameter {k!r}: {query.path.name} has no variable ?{k}")
        return given
    names = [p.name for p in declared]
    for k in given:
        if k not in names:
            known = ", ".join(names) if names else "none"
            raise QueryError(f"unknown parameter {k!r} for query {query.name} (its parameters: {known})")
    for p in declared:
        if p.required and p.name not in given:
            raise QueryError(f"query {query.name} needs --param {p.name}=VALUE ({p.meaning})")
        if p.name in given and "IRI" in p.meaning and given[p.name]["type"] not in ("uri", "code"):
            raise QueryError(f"parameter {p.name} of query {query.name} is an IRI: write it <...>, or give a "
                             f"State's code as iso:FRA, iso:FR or m49:250 ({p.meaning})")
    return given


def sparql_term(term: dict[str, str]) -> str:
    r"""A term in SPARQL syntax, escaped: ``<iri>``, ``"string"``, ``"v"@lang``, ``"v"^^<datatype>``.

    >>> sparql_term({"type": "literal", "value": 'say "hi"\n\\ ok'})
    '"say \\"hi\\"\\n\\\\ ok"'
    >>> sparql_term({"type": "uri", "value": "http://x/a b"})
    Traceback (most recent call last):
    ...
    mandates.web.query.QueryError: 'http://x/a b' cannot be written as a SPARQL IRI
    """
    if term["type"] == "uri":
        if _IRI_FORBIDDEN.search(term["value"]) or not _SCHEME.match(term["value"]):
            raise QueryError(f"{term['value']!r} cannot be written as a SPARQL IRI")
        return f"<{term['value']}>"
    if term["type"] != "literal":
        raise QueryError(f"cannot bind a parameter to a {term['type']}")
    v = term["value"]
    for a, b in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"),
                 ("\b", "\\b"), ("\f", "\\f")):
        v = v.replace(a, b)
    if term.get("xml:lang"):
        if not re.fullmatch(r"[A-Za-z]+(-[A-Za-z0-9]+)*", term["xml:lang"]):
            raise QueryError(f"bad language tag {term['xml:lang']!r}")
        return f'"{v}"@{term["xml:lang"]}'
    dt = term.get("datatype")
    if dt and dt != XSD + "string":
        return f'"{v}"^^{sparql_term({"type": "uri", "value": dt})}'
    return f'"{v}"'


def with_values(text: str, terms: dict[str, dict[str, str]]) -> str:
    """``text`` with ``VALUES (?k ...) { (term ...) }`` as the first element of its outermost
    WHERE group: how parameters are bound for a SPARQL endpoint.

    >>> print(with_values('PREFIX a: <http://x/#>\\nSELECT ?s WHERE { ?s a:p ?o }', {"o": {"type": "literal", "value": "v"}}))
    PREFIX a: <http://x/#>
    SELECT ?s WHERE {
      VALUES (?o) { ("v") }
     ?s a:p ?o }
    """
    if not terms:
        return text
    names = sorted(terms)
    block = ("\n  VALUES (" + " ".join(f"?{n}" for n in names) + ") { ("
             + " ".join(sparql_term(terms[n]) for n in names) + ") }\n")
    at = _where_brace(text)
    return text[:at + 1] + block + text[at + 1:]


def _where_brace(text: str) -> int:
    """The index of the ``{`` that opens the outermost WHERE group (outside comments,
    strings and IRIs): the first ``{`` after a top-level ``WHERE``, else the first ``{``."""
    i, n = 0, len(text)
    first_brace = None
    saw_where = False
    iri = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote)
            continue
        if c == "<":
            m = iri.match(text, i)
            i = m.end() if m else i + 1
            continue
        if c == "{":
            if saw_where:
                return i
            if first_brace is None:
                first_brace = i
                # a CONSTRUCT template comes before WHERE: keep looking for WHERE
                if not re.search(r"(?i)\bCONSTRUCT\s*$", text[:i]):
                    return i
            depth, i = 1, i + 1
            while i < n and depth:  # skip the template
                depth += {"{": 1, "}": -1}.get(text[i], 0)
                i += 1
            continue
        if (c in "Ww" and text[i:i + 5].upper() == "WHERE" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "?$:_"))
                and (i + 5 >= n or not (text[i + 5].isalnum() or text[i + 5] == "_"))):
            saw_where = True
            i += 5
            continue
        i += 1
    if first_brace is not None:
        return first_brace
    raise QueryError("cannot find the WHERE group of the query to bind parameters")


def plain(b: dict[str, str] | None) -> Any:
    """A SPARQL JSON binding as a plain value, as :func:`mandates.rdf.store.term_value` gives them (any
    XSD integer type as ``int``)."""
    if b is None:
        return None
    if b["type"] == "bnode":
        return f"_:{b['value']}"
    if b["type"] != "uri":
        dt = b.get("datatype", "")
        if dt in _INTEGER_TYPES:
            try:
                return int(b["value"])
            except ValueError:
                return b["value"]
        if dt == XSD + "boolean":
            return b["value"] in ("true", "1")
    return b["value"]


# ---------------------------------------------------------------- stores


def is_endpoint(store: Any) -> bool:
    return isinstance(store, str) and re.match(r"(?i)https?://", store) is not None


def open_store(folder: str | Path):  # type: ignore[no-untyped-def]
    """The embedded store of a folder written by ``mandates build --out`` (or the store folder
    itself), read-only (:func:`mandates.rdf.store.open_built`; its errors as :class:`QueryError`)."""
    try:
        return open_built(folder)
    except StoreError as exc:
        raise QueryError(str(exc), EXIT_STORE) from None


def _execute_local(store, text: str, terms: dict[str, dict[str, str]]) -> Result:  # type: ignore[no-untyped-def]
    subs = {}
    for k, t in terms.items():
        try:
            subs[k] = from_binding(t)
        except ValueError as exc:
            raise QueryError(f"{t['value']!r} is not an IRI ({exc})") from None
    try:
        names, rows = select_bindings(store, text, subs)
    except SyntaxError as exc:
        raise QueryError(f"the query does not parse: {exc}") from None
    except RuntimeError as exc:  # e.g. a parameter that is not a projected variable
        raise QueryError(f"the query cannot run: {exc}") from None
    except OSError as exc:
        raise QueryError(f"the store failed: {exc}", EXIT_STORE) from None
    except NotSelect as exc:
        raise QueryError(str(exc)) from None
    return Result(names, rows)


def _execute_http(url: str, text: str, terms: dict[str, dict[str, str]]) -> Result:
    body = urllib.parse.urlencode({"query": with_values(text, terms)}).encode("utf-8")
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Accept": "application/sparql-results+json",
        "Content-Type": "application/x-www-form-urlencoded",
        "User-Agent": f"mandates/{__version__}"})
    try:
        with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT) as resp:
            data = json.loads(resp.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace").strip()[:500]
        code = EXIT_USAGE if exc.code == 400 else EXIT_STORE
        raise QueryError(f"the endpoint {url} answered {exc.code} {exc.reason}: {detail}", code) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise QueryError(f"cannot reach the SPARQL endpoint {url}: {reason}", EXIT_STORE) from None
    except ValueError as exc:
        raise QueryError(f"the endpoint {url} did not answer with SPARQL JSON results: {exc}", EXIT_STORE) from None
    if "results" not in data:
        raise QueryError("mandates query runs SELECT queries only")
    names = list(data.get("head", {}).get("vars", []))
    rows = []
    for b in data["results"].get("bindings", []):
        row = {}
        for n in names:
            t = b.get(n)
            if t is not None and t.get("type") == "typed-literal":  # SPARQL JSON of old endpoints
                t = {**t, "type": "literal"}
            row[n] = t
        rows.append(row)
    return Result(names, rows)


def union_probe(graph: str | None = None) -> str:
    """A SELECT query for one triple (without blank nodes) of a named graph (``graph``, or
    any), with ``?inDefault``: whether the default graph holds it too. No row: no such triple.

    >>> "GRAPH <http://x/g>" in union_probe("http://x/g")
    True
    """
    where, g = (f"<{graph}>", f"(<{graph}> AS ?g)") if graph else ("?g", "?g")
    return ("SELECT ?g ?inDefault WHERE {\n"
            f"  {{ SELECT {g} ?s ?p ?o WHERE {{ GRAPH {where} {{ ?s ?p ?o FILTER (!isBlank(?s) && !isBlank(?o)) }} }} "
            "LIMIT 1 }\n"
            "  BIND (EXISTS { ?s ?p ?o } AS ?inDefault)\n}")


def not_union(endpoint: str, graph: str) -> str:
    """What to say about an endpoint whose default graph lacks a triple of ``graph``."""
    return (f"the SPARQL endpoint {endpoint} does not answer from the union of its named graphs: its "
            f"default graph lacks the triples of graph <{graph}>, so the library queries would find "
            "nothing there. Start Oxigraph with 'oxigraph serve --union-default-graph' (or 'oxigraph "
            "serve-read-only --union-default-graph'), or set up the server so that its default graph is "
            "the union of the named graphs (Apache Jena Fuseki: tdb2:unionDefaultGraph true); a query "
            "that names its dataset with FROM runs as it is")


def probe_answer(result: Result) -> tuple[str, bool] | None:
    """The graph of :func:`union_probe`'s triple and whether the default graph holds it
    (``None``: the endpoint has no such triple)."""
    if not result.rows or not result.rows[0].get("g"):
        return None
    row = result.values()[0]
    return str(row["g"]), row.get("inDefault") is True


def check_union(url: str) -> None:
    """Stop (:class:`QueryError`, exit code 5) when the default graph of the SPARQL endpoint
    ``url`` lacks a triple of one of its named graphs."""
    found = probe_answer(_execute_http(url, union_probe(), {}))
    if found is not None and not found[1]:
        raise QueryError(not_union(url, found[0]), EXIT_NOT_UNION)


def run_query_terms(name_or_path: str | Path, *, store: Any, params: dict[str, Any] | None = None) -> Result:
    """Run a library query (by name) or a SPARQL file; the rows as SPARQL JSON bindings.

    ``store`` is a folder written by ``mandates build --out``, an ``http(s)://`` SPARQL
    endpoint, or an open ``pyoxigraph.Store``. Raises :class:`QueryError`.
    """
    query = resolve(name_or_path)
    return _run(query, bind(query, params), store)


def _run(query: Query, terms: dict[str, dict[str, str]], store: Any) -> Result:
    if isinstance(store, (str, Path)) and not is_endpoint(store):
        store = open_store(store)
    if is_endpoint(store) and "FROM" not in keywords(query.text):
        check_union(store)
    terms = {k: _by_code(v, store) if v.get("type") == "code" else v for k, v in terms.items()}
    if is_endpoint(store):
        return _execute_http(store, query.text, terms)
    return _execute_local(store, query.text, terms)


def _by_code(term: dict[str, str], store: Any) -> dict[str, str]:
    """The actor IRI a code parameter (``iso:FRA``, ``iso:FR``, ``m49:250``) names in the store."""
    text = f'SELECT DISTINCT ?a WHERE {{ ?a <{term["property"]}> "{term["value"]}" }} ORDER BY ?a'
    found = _execute_http(store, text, {}) if is_endpoint(store) else _execute_local(store, text, {})
    iris = [r["a"] for r in found.rows if r.get("a") and r["a"].get("type") == "uri"]
    if len(iris) != 1:
        raise QueryError(f"{term['given']}: " + ("no actor has this code" if not iris else
                                                 f"{len(iris)} actors have this code"))
    return iris[0]


def actor_by_code(code: str, store: Any) -> str:
    """The IRI of the actor a code names in ``store`` (an open store, a build folder or an
    endpoint URL): ``iso:FRA`` (ISO 3166-1 alpha-3), ``iso:FR`` (alpha-2) or ``m49:250``, the
    lookup a query parameter given as a code gets. Raises :class:`QueryError` when the text is
    no such code, or no actor or more than one has it.

    >>> from mandates.rdf.store import open_store as new_store
    >>> actor_by_code("iso:XX", new_store())
    Traceback (most recent call last):
    ...
    mandates.web.query.QueryError: iso:XX: no actor has this code
    """
    term = to_term(code) if _CODE.fullmatch(code) else None
    if term is None or term.get("type") != "code":
        raise QueryError(f"{code!r} is not a code: give iso:FRA, iso:FR or m49:250")
    if isinstance(store, (str, Path)) and not is_endpoint(store):
        store = open_store(store)
    return _by_code(term, store)["value"]


def run_query(name_or_path: str | Path, *, store: Any, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Run a library query (by name) or a SPARQL file; the rows as dicts of plain values.

    >>> from mandates.rdf.store import open_store as new_store
    >>> run_query("reports-requested", store=new_store())
    []
    """
    return run_query_terms(name_or_path, store=store, params=params).values()


# ---------------------------------------------------------------- output


def _width(s: str) -> int:
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in s)


def _cut(s: str, limit: int) -> str:
    if _width(s) <= limit:
        return s
    out, w = [], 0
    for ch in s:
        cw = _width(ch)
        if w + cw > limit - 1:
            break
        out.append(ch)
        w += cw
    return "".join(out) + "…"


TABLE_CELL = 60  # display columns; longer values are cut with "…" in the table format


def format_table(result: Result) -> str:
    """Aligned columns for reading in a terminal: IRIs under the default base are shown
    relative to it (``actor/secretary-general``), line breaks as spaces, and cells wider
    than TABLE_CELL display columns are cut with "…" (csv, tsv and json give full values)."""
    def cell(b: dict[str, str] | None) -> str:
        if b is None:
            return ""
        v = b["value"]
        if b["type"] == "uri" and v.startswith(DEFAULT_BASE):
            v = v[len(DEFAULT_BASE):]
        return _cut(" ".join(v.split()) if ("\n" in v or "\r" in v or "\t" in v) else v, TABLE_CELL)

    head = list(result.variables)
    body = [[cell(r.get(v)) for v in head] for r in result.rows]
    widths = [max([_width(h)] + [_width(row[i]) for row in body]) for i, h in enumerate(head)]

    def line(cells: list[str]) -> str:
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip()

    out = [line(head), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in body)
    return "\n".join(out) + "\n"


def format_csv(result: Result) -> str:
    """RFC 4180 CSV with a header row (line ends \\n): IRIs in full, literals as their text, unbound empty."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(result.variables)
    for r in result.rows:
        w.writerow(["" if r.get(v) is None else r[v]["value"] for v in result.variables])  # type: ignore[index]
    return buf.getvalue()


def format_tsv(result: Result) -> str:
    r"""Tab-separated with a header row: values as in CSV, with backslash, tab, line feed and
    carriage return written \\, \t, \n, \r."""
    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")

    lines = ["\t".join(result.variables)]
    for r in result.rows:
        lines.append("\t".join("" if r.get(v) is None else esc(r[v]["value"]) for v in result.variables))  # type: ignore[index]
    return "\n".join(lines) + "\n"


def format_json(result: Result) -> str:
    """SPARQL 1.1 Query Results JSON (https://www.w3.org/TR/sparql11-results-json/), one
    solution per line: IRIs, literals with their language tag or datatype, unbound left out."""
    doc = result.to_json()
    rows = [json.dumps(b, ensure_ascii=False) for b in doc["results"]["bindings"]]
    head = json.dumps(doc["head"], ensure_ascii=False)
    body = ",\n  ".join(rows)
    return f'{{"head": {head},\n "results": {{"bindings": [' + (f"\n  {body}\n" if rows else "") + "]}}\n"


FORMATS = {"table": format_table, "csv": format_csv, "tsv": format_tsv, "json": format_json}


def query_cli(args) -> int:  # type: ignore[no-untyped-def]
    """``mandates query NAME|FILE [--store DIR|URL] [--param k=v ...] [--format F]``."""
    try:
        params: dict[str, Any] = {}
        for text in args.param or []:
            name, term = parse_param(text)
            if name in params:
                raise QueryError(f"--param {name} is given twice")
            params[name] = term
        fmt = FORMATS.get(args.format or "table")
        if fmt is None:
            raise QueryError(f"unknown format {args.format!r} (table, csv, tsv, json)")
        query = resolve(args.query)
        terms = bind(query, params)
        result = _run(query, terms, args.store if is_endpoint(args.store) else Path(args.store))
    except QueryError as exc:
        print(f"mandates: error: {exc}", file=sys.stderr)
        return exc.code
    sys.stdout.write(fmt(result))
    sys.stdout.flush()
    n = len(result.rows)
    print(f"mandates: {n} row{'s' if n != 1 else ''}", file=sys.stderr)
    return EXIT_OK
