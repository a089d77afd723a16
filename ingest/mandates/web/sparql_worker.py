"""The SPARQL queries of ``mandates serve``, run in worker processes under limits.

The server (:mod:`mandates.web.serve`) runs every query in a worker process,
``python -m mandates.web.sparql_worker`` (:func:`main`), and kills the process when the time
limit is over. Workers are started ahead (they have imported what they need and opened
the store), so a query does not wait for Python to start; a worker that answered normally
takes the next query, one that hit a limit or grew large is ended. For each query,
:func:`run`:

1. limits the process: no core dumps, CPU seconds (``RLIMIT_CPU``, a backstop for the
   server's wall-clock kill), the size of files it writes (``RLIMIT_FSIZE``: the answer);
2. caps its address space (``RLIMIT_AS``) at what it uses with the store open plus
   ``memory`` MiB, so the query (parsing included) can allocate at most that (the store's
   reserved thread arenas are not counted against the query);
3. checks the query (:func:`check`): it must parse as a SPARQL 1.1 *query* with rdflib's
   SPARQL parser; an update is refused (403), and so is any ``SERVICE`` pattern (403), found
   in the parse tree *and*, as a second line, as a keyword token of the text after SPARQL's
   ``\\u`` escapes are expanded (Oxigraph would otherwise send the query to any URL it names:
   a request-forgery hole);
4. runs the query (the default graph is the union of the named graphs unless the request
   names a dataset) and writes at most ``max_rows`` solutions (or triples) to the answer
   file in the negotiated format, noting whether it cut the answer;
5. lifts the limits again (they are soft limits; a SPARQL query runs no code that could
   raise them) for the next query.

It reports back one small dict (a JSON line on stdout): ``status``, ``content_type``, ``rows``,
``truncated``, or ``message`` for an error, and ``rss``, its resident size. An allocation over the cap kills the process
(Rust aborts) or raises ``MemoryError``; the parent reports both as the memory limit.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

XSD = "http://www.w3.org/2001/XMLSchema#"

# media types of the answers, by the short names the ``format`` parameter takes
SELECT_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
ASK_FORMATS = {k: SELECT_FORMATS[k] for k in ("json", "xml", "html")}
GRAPH_FORMATS = {
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "html": "text/html; charset=utf-8",
}
# what a ``format`` (or ``output``/``results``) parameter may say, for each kind of answer:
# SPARQLWrapper sends json, xml, csv, tsv, turtle, n3, json-ld, rdf+xml
FORMAT_ALIASES = {
    "json": ("json", "jsonld"), "srj": ("json", None), "xml": ("xml", "rdfxml"), "srx": ("xml", None),
    "csv": ("csv", None), "tsv": ("tsv", None), "html": ("html", "html"),
    "turtle": (None, "turtle"), "ttl": (None, "turtle"), "n3": (None, "turtle"),
    "nt": (None, "ntriples"), "ntriples": (None, "ntriples"), "n-triples": (None, "ntriples"),
    "json-ld": (None, "jsonld"), "jsonld": (None, "jsonld"),
    "rdf+xml": (None, "rdfxml"), "rdf": (None, "rdfxml"), "rdfxml": (None, "rdfxml"),
}
# media types a client may ask for (Accept or ``format=<media type>``), to the short names
MEDIA_ALIASES = {
    "application/sparql-results+json": ("json", None), "application/json": ("json", "jsonld"),
    "application/sparql-results+xml": ("xml", None), "application/xml": ("xml", "rdfxml"),
    "text/xml": ("xml", "rdfxml"), "text/csv": ("csv", None), "text/tab-separated-values": ("tsv", None),
    "text/html": ("html", "html"), "application/xhtml+xml": ("html", "html"),
    "text/turtle": (None, "turtle"), "application/x-turtle": (None, "turtle"), "text/n3": (None, "turtle"),
    "application/n-triples": (None, "ntriples"), "text/plain": (None, "ntriples"),
    "application/ld+json": (None, "jsonld"), "application/rdf+xml": (None, "rdfxml"),
}
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}


class Refused(Exception):
    """A request the endpoint does not run; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


# ---------------------------------------------------------------- the query check


def expand_escapes(text: str) -> str:
    r"""SPARQL's codepoint escapes (``\uXXXX``, ``\UXXXXXXXX``), which apply to the whole query
    text before it is parsed (SPARQL 1.1 §19.2).

    >>> expand_escapes(r"\u0053ERVICE")
    'SERVICE'
    """
    def sub(m: re.Match[str]) -> str:
        try:
            return chr(int(m.group(1) or m.group(2), 16))
        except (ValueError, OverflowError):
            return m.group(0)

    return re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})", sub, text)


_TOKEN = re.compile(r"""
    (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<name>[\w\u00B7\u0300-\u036F\u203F-\u2040.\-]*:[\w\u00B7\u0300-\u036F\u203F-\u2040.\-:%\\]*|_:[\w.\-]+)
  | (?P<word>[A-Za-z][A-Za-z0-9_]*)
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


def keywords(text: str) -> list[str]:
    """The bare words of a query (keywords and function names, upper-cased): not inside
    comments, strings or IRIs, and not variables or prefixed names.

    >>> keywords('SELECT ?service { ?s ex:service "SERVICE" } # SERVICE')
    ['SELECT']
    >>> keywords('select * { service <http://x/> { ?s ?p ?o } }')
    ['SELECT', 'SERVICE']
    """
    return [m.group("word").upper() for m in _TOKEN.finditer(expand_escapes(text)) if m.group("word")]


def _nodes(tree: Any):  # type: ignore[no-untyped-def]
    """Every node of an rdflib SPARQL parse tree (without recursion: trees can be deep)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack, seen = [tree], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, CompValue):
            stack.extend(dict.values(node))
        elif isinstance(node, ParseResults):
            stack.extend(list(node))
        elif isinstance(node, (list, tuple, set)):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())


def check(text: str) -> str:
    """The form of a query the endpoint runs (``SELECT``, ``CONSTRUCT``, ``DESCRIBE`` or ``ASK``);
    raises :class:`Refused` for an update (403), a ``SERVICE`` pattern (403) or a text that
    does not parse as a SPARQL 1.1 query (400).

    >>> check("SELECT * WHERE { ?s ?p ?o }")
    'SELECT'
    >>> check("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }")
    Traceback (most recent call last):
    ...
    mandates.web.sparql_worker.Refused: updates are refused: this endpoint is read-only
    >>> check("SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    mandates.web.sparql_worker.Refused: SERVICE is refused: this endpoint does not send queries to other services
    """
    return analyse(text)[0]


def analyse(text: str) -> tuple[str, bool]:
    """:func:`check`, and whether the query names its dataset (``FROM``, ``FROM NAMED``).

    >>> analyse("SELECT * FROM <http://x/g> WHERE { ?s ?p ?o }")
    ('SELECT', True)
    """
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
    from rdflib.plugins.sparql.parserutils import CompValue

    words = keywords(text)
    try:
        tree = parseQuery(text)
    except (ParseBaseException, RecursionError, ValueError, TypeError, KeyError) as exc:
        is_update = False
        try:
            parseUpdate(text)
            is_update = True
        except Exception:  # noqa: BLE001 - any failure means "not an update either"
            is_update = any(w in UPDATE_WORDS for w in words[:1]) or bool(
                set(words) & {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP"} and not
                set(words) & {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
        if is_update:
            raise Refused(403, "updates are refused: this endpoint is read-only") from None
        msg = " ".join(str(exc).split())[:300] if not isinstance(exc, RecursionError) else "the query is nested too deeply"
        raise Refused(400, f"the query does not parse as a SPARQL 1.1 query: {msg}") from None
    top = tree[-1] if len(tree) else None
    name = getattr(top, "name", "")
    if name not in ("SelectQuery", "ConstructQuery", "DescribeQuery", "AskQuery"):  # pragma: no cover
        raise Refused(400, "the query is not a SELECT, CONSTRUCT, DESCRIBE or ASK query")
    dataset = False
    for node in _nodes(tree):
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                raise Refused(403, "SERVICE is refused: this endpoint does not send queries to other services")
            if node.name == "DatasetClause":
                dataset = True
    if "SERVICE" in words:  # the second line: the keyword anywhere outside strings, IRIs, comments
        raise Refused(403, "SERVICE is refused: this endpoint does not send queries to other services")
    return name[:-5].upper(), dataset


# ---------------------------------------------------------------- negotiation


def choose_format(form: str, fmt: str | None, accept: str | None) -> tuple[str, str]:
    """The short name and the media type of the answer to a query of ``form``, from an
    explicit ``format`` parameter (a short name or a media type) or else the Accept header.
    Raises :class:`Refused` (400 for an unknown ``format``, 406 when nothing acceptable)."""
    from mandates.web.serve import negotiate

    table = GRAPH_FORMATS if form in ("CONSTRUCT", "DESCRIBE") else ASK_FORMATS if form == "ASK" else SELECT_FORMATS
    idx = 1 if form in ("CONSTRUCT", "DESCRIBE") else 0
    if fmt:
        key = fmt.strip().lower()
        pair = FORMAT_ALIASES.get(key) or MEDIA_ALIASES.get(key.split(";")[0].strip())
        if pair is None:
            raise Refused(400, f"unknown format {fmt!r}; formats: json, xml, csv, tsv, html "
                          "(SELECT, ASK); turtle, ntriples, jsonld, rdfxml, html (CONSTRUCT, DESCRIBE)")
        name = pair[idx]
        if name is None or name not in table:
            raise Refused(406, f"a {form} query cannot be answered as {fmt!r}; it can be: {', '.join(table)}")
        return name, table[name]
    # the table's own types in the table's order (ties and */* go to the first), and the
    # other names of each (application/json, text/xml, ...) when a client names them exactly
    offers = [table[n].split(";")[0] for n in table]
    aliases: dict[str, list[str]] = {}
    for media, pair in MEDIA_ALIASES.items():
        name = pair[idx]
        if name in table and media != table[name].split(";")[0]:
            aliases.setdefault(table[name].split(";")[0], []).append(media)
    chosen = negotiate(accept, offers, aliases)
    if chosen is None:
        raise Refused(406, f"none of the accepted types can answer a {form} query; it can be: "
                      + ", ".join(offers))
    name = next(n for n in table if table[n].split(";")[0] == chosen)
    return name, table[name]


# ---------------------------------------------------------------- result formats


def _json_term(term: Any) -> dict[str, Any]:
    import pyoxigraph

    from mandates.web.query import _binding  # the SPARQL 1.1 JSON form of an IRI, blank node or literal

    if isinstance(term, pyoxigraph.Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    binding = _binding(term)
    return binding if binding is not None else {"type": "literal", "value": str(term)}


def _xml_term(term: Any) -> str:
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return f"<uri>{xml_escape(term.value)}</uri>"
    if isinstance(term, pyoxigraph.BlankNode):
        return f"<bnode>{xml_escape(term.value)}</bnode>"
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{_xml_text(term.value)}</literal>"
        dt = term.datatype.value if term.datatype else XSD + "string"
        if dt == XSD + "string":
            return f"<literal>{_xml_text(term.value)}</literal>"
        return f"<literal datatype={quoteattr(dt)}>{_xml_text(term.value)}</literal>"
    if isinstance(term, pyoxigraph.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    return f"<literal>{_xml_text(str(term))}</literal>"


def _xml_text(s: str) -> str:
    # characters XML 1.0 cannot carry are written as U+FFFD
    return xml_escape(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "\ufffd", s))


def _csv_cell(term: Any) -> str:
    import pyoxigraph

    if term is None:
        return ""
    if isinstance(term, pyoxigraph.BlankNode):
        v = f"_:{term.value}"
    elif isinstance(term, (pyoxigraph.NamedNode, pyoxigraph.Literal)):
        v = term.value
    else:
        v = str(term)
    if any(c in v for c in ',"\r\n'):
        v = '"' + v.replace('"', '""') + '"'
    return v


def _tsv_cell(term: Any) -> str:
    # SPARQL 1.1 TSV: RDF terms in Turtle/N-Triples syntax (pyoxigraph's str() of a term)
    return "" if term is None else str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class _Writer:
    """Writes the answer file in pieces (so a large answer is never one big string)."""

    def __init__(self, path: str):
        self.f = open(path, "wb")  # noqa: SIM115
        self.buf: list[str] = []
        self.size = 0

    def write(self, s: str) -> None:
        self.buf.append(s)
        self.size += len(s)
        if self.size > 1 << 16:
            self.flush()

    def flush(self) -> None:
        self.f.write("".join(self.buf).encode("utf-8"))
        self.buf, self.size = [], 0

    def close(self) -> None:
        self.flush()
        self.f.close()


def _take(iterator: Any, limit: int) -> tuple[list[Any], bool]:
    out = []
    for item in iterator:
        if len(out) == limit:
            return out, True
        out.append(item)
    return out, False


def write_select(path: str, fmt: str, names: list[str], rows: list[Any], *, base: str = "",
                 note: str = "", query: str = "") -> None:
    w = _Writer(path)
    if fmt == "json":
        w.write('{"head": {"vars": ' + json.dumps(names) + '},\n "results": {"bindings": [')
        for i, sol in enumerate(rows):
            b = {n: _json_term(sol[n]) for n in names if sol[n] is not None}
            w.write(("\n  " if i == 0 else ",\n  ") + json.dumps(b, ensure_ascii=False))
        w.write(("\n" if rows else "") + "]}}\n")
    elif fmt == "xml":
        w.write('<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>')
        w.write("".join(f"<variable name={quoteattr(n)}/>" for n in names) + "</head>\n<results>\n")
        for sol in rows:
            w.write("<result>" + "".join(f"<binding name={quoteattr(n)}>{_xml_term(sol[n])}</binding>"
                                         for n in names if sol[n] is not None) + "</result>\n")
        w.write("</results>\n</sparql>\n")
    elif fmt == "csv":
        w.write(",".join(names) + "\r\n")
        for sol in rows:
            w.write(",".join(_csv_cell(sol[n]) for n in names) + "\r\n")
    elif fmt == "tsv":
        w.write("\t".join("?" + n for n in names) + "\n")
        for sol in rows:
            w.write("\t".join(_tsv_cell(sol[n]) for n in names) + "\n")
    else:  # html
        w.write(_html_head("SPARQL results", query, note))
        w.write("<table>\n<thead><tr>" + "".join(f"<th>?{html.escape(n)}</th>" for n in names) + "</tr></thead>\n<tbody>\n")
        for sol in rows:
            w.write("<tr>" + "".join(f"<td>{_html_term(sol[n], base)}</td>" for n in names) + "</tr>\n")
        w.write("</tbody></table>\n</main></body></html>\n")
    w.close()


def write_ask(path: str, fmt: str, value: bool, *, note: str = "", query: str = "") -> None:
    w = _Writer(path)
    v = "true" if value else "false"
    if fmt == "json":
        w.write('{"head": {}, "boolean": ' + v + "}\n")
    elif fmt == "xml":
        w.write('<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
                f"<head/>\n<boolean>{v}</boolean>\n</sparql>\n")
    else:
        w.write(_html_head("SPARQL result", query, note) + f"<p class=\"ask\">{v}</p>\n</main></body></html>\n")
    w.close()


PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": XSD, "owl": "http://www.w3.org/2002/07/owl#", "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/", "eli": "http://data.europa.eu/eli/ontology#",
    "oa": "http://www.w3.org/ns/oa#", "prov": "http://www.w3.org/ns/prov#",
    "mnd": "https://w3id.org/un-mandates/ontology#",
}


def write_graph(path: str, fmt: str, triples: list[Any], *, base: str = "", note: str = "", query: str = "") -> None:
    import pyoxigraph

    if fmt == "html":
        w = _Writer(path)
        w.write(_html_head("SPARQL results", query, note))
        w.write("<table>\n<thead><tr><th>subject</th><th>predicate</th><th>object</th></tr></thead>\n<tbody>\n")
        for t in triples:
            w.write(f"<tr><td>{_html_term(t.subject, base)}</td><td>{_html_term(t.predicate, base)}</td>"
                    f"<td>{_html_term(t.object, base)}</td></tr>\n")
        w.write("</tbody></table>\n</main></body></html>\n")
        w.close()
        return
    rdf = {"turtle": pyoxigraph.RdfFormat.TURTLE, "ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
           "jsonld": pyoxigraph.RdfFormat.JSON_LD, "rdfxml": pyoxigraph.RdfFormat.RDF_XML}[fmt]
    prefixes = dict(PREFIXES)
    if base:
        prefixes.setdefault("base", base)
    kwargs: dict[str, Any] = {"prefixes": prefixes} if fmt in ("turtle", "rdfxml") else {}
    pyoxigraph.serialize(triples, path, format=rdf, **kwargs)


def _html_head(title: str, query: str, note: str) -> str:
    """The top of an HTML answer: the query in a form to change and run again, and the note."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<style>body{font-family:system-ui,sans-serif;margin:1em 2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:.2em .4em;vertical-align:top;text-align:left}"
            "textarea{width:100%;font-family:ui-monospace,monospace}.note{color:#a40}</style>\n"
            f"</head><body><main>\n<h1>{html.escape(title)}</h1>\n<p><a href=\"/\">home</a> · "
            "<a href=\"/sparql\">SPARQL endpoint</a></p>\n"
            "<form method=\"get\" action=\"/sparql\"><textarea name=\"query\" rows=\"8\" spellcheck=\"false\">"
            f"{html.escape(query)}</textarea>\n<input type=\"hidden\" name=\"format\" value=\"html\">"
            "<button type=\"submit\">Run again</button></form>\n"
            + (f"<p class=\"note\">{html.escape(note)}</p>\n" if note else ""))


def _html_term(term: Any, base: str) -> str:
    import pyoxigraph

    if term is None:
        return ""
    if isinstance(term, pyoxigraph.NamedNode):
        v = term.value
        href = "/" + v[len(base):] if base and v.startswith(base) else v
        if not href.startswith(("/", "http://", "https://")):
            return html.escape(v)
        return f"<a href=\"{html.escape(href)}\">{html.escape(v)}</a>"
    if isinstance(term, pyoxigraph.Literal):
        tag = f" <small>@{html.escape(term.language)}</small>" if term.language else ""
        lang = f" lang=\"{html.escape(term.language)}\"" if term.language else ""
        return f"<span{lang}>{html.escape(term.value)}</span>{tag}"
    return html.escape(str(term))


# ---------------------------------------------------------------- the child process


def _status(key: str) -> int:
    """A ``/proc/self/status`` value in bytes (``VmSize``, ``VmRSS``), 0 when unknown."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _limit_self(job: dict[str, Any]) -> None:
    """Soft limits for this job: CPU seconds from now (a backstop: the server kills the
    process at the time limit), the size of the answer file. Soft limits, so the next job
    can set its own; a query cannot run code that would raise them."""
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = int(usage.ru_utime + usage.ru_stime) + int(job["timeout"]) + 2
    _soft(resource.RLIMIT_CPU, cpu)
    _soft(resource.RLIMIT_FSIZE, int(job["memory"]) << 20)


def _soft(which: int, value: int | None) -> None:
    import resource

    _, hard = resource.getrlimit(which)
    if value is None:
        value = hard
    elif hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, hard))


def _cap_memory(mib: int) -> None:
    """Cap the address space at its current size plus ``mib`` MiB (the soft limit)."""
    import resource

    _soft(resource.RLIMIT_AS, _status("VmSize") + (mib << 20))


def _uncap() -> None:
    import resource

    for which in (resource.RLIMIT_AS, resource.RLIMIT_CPU, resource.RLIMIT_FSIZE):
        _soft(which, None)


def execute(job: dict[str, Any]) -> dict[str, Any]:
    """Check, run and write the answer of one query (in the current process)."""
    import pyoxigraph

    store = _STORE.get(job["store"])
    if store is None:
        store = _STORE[job["store"]] = pyoxigraph.Store.read_only(job["store"])
    _cap_memory(int(job["memory"]))  # from here on (parsing included) the query has `memory` MiB
    text = job["query"]
    form, dataset = analyse(text)
    fmt, ctype = choose_format(form, job.get("format"), job.get("accept"))
    # the dataset (SPARQL 1.1 Protocol 2.1.4): the request's default-graph-uri and
    # named-graph-uri, else the query's FROM and FROM NAMED, else the union of the named
    # graphs as the default graph (all named graphs available to GRAPH)
    kwargs: dict[str, Any] = {}
    if job.get("default_graphs") or job.get("named_graphs"):
        try:
            kwargs["default_graph"] = [pyoxigraph.NamedNode(g) for g in job.get("default_graphs") or []]
            kwargs["named_graphs"] = [pyoxigraph.NamedNode(g) for g in job.get("named_graphs") or []]
        except ValueError as exc:
            raise Refused(400, f"default-graph-uri or named-graph-uri is not an IRI: {exc}") from None
    elif not dataset:
        kwargs["use_default_graph_as_union"] = True
    try:
        res = store.query(text, **kwargs)
        limit = int(job["max_rows"])
        base = job.get("base") or ""
        if isinstance(res, pyoxigraph.QuerySolutions):
            names = [v.value for v in res.variables]
            rows, cut = _take(res, limit)
            note = f"The answer is cut at {limit} rows (the limit of this endpoint)." if cut else ""
            write_select(job["out"], fmt, names, rows, base=base, note=note, query=text)
        elif isinstance(res, pyoxigraph.QueryBoolean):
            rows, cut = [], False
            write_ask(job["out"], fmt, bool(res), query=text)
        else:
            rows, cut = _take(res, limit)
            note = f"The answer is cut at {limit} triples (the limit of this endpoint)." if cut else ""
            write_graph(job["out"], fmt, rows, base=base, note=note, query=text)
    except SyntaxError as exc:
        raise Refused(400, f"the query does not parse: {' '.join(str(exc).split())[:300]}") from None
    except (RuntimeError, ValueError) as exc:
        raise Refused(400, f"the query cannot run: {' '.join(str(exc).split())[:300]}") from None
    return {"status": 200, "content_type": ctype, "form": form, "rows": len(rows), "truncated": cut}


def run(job: dict[str, Any]) -> dict[str, Any]:
    """Limit this process, run the job, lift the limits, and return the report (never raises)."""
    try:
        _limit_self(job)
        meta = execute(job)
    except Refused as exc:
        meta = {"status": exc.status, "message": exc.message}
    except MemoryError:
        meta = {"status": 503, "limit": "memory", "message": "the query was stopped: it needed more than the "
                f"memory limit of {job.get('memory')} MiB"}
    except OSError as exc:
        meta = {"status": 500, "message": f"the store failed: {exc}"}
    except Exception as exc:  # noqa: BLE001 - report, never hang the parent
        meta = {"status": 500, "message": f"the query failed: {type(exc).__name__}: {exc}"[:500]}
    try:
        _uncap()
    except (OSError, ValueError):
        meta["retire"] = True
    meta["rss"] = _status("VmRSS")
    return meta


_STORE: dict[str, Any] = {}


def main(argv: list[str] | None = None) -> int:
    """``python -m mandates.web.sparql_worker [--store DIR]``: a query worker. It imports what a
    query needs and opens the store, then reads jobs, one JSON object per line on stdin,
    and answers each with one JSON line on stdout, until end of file (the server went away
    or is stopping). The server gives it another job only after an answer that left it
    sound, and kills it when a job runs out of time."""
    import sys

    args = list(sys.argv[1:] if argv is None else argv)
    import pyoxigraph  # noqa: F401 - preload
    from rdflib.plugins.sparql import parser  # noqa: F401 - preload

    if len(args) == 2 and args[0] == "--store":
        try:
            _STORE[args[1]] = pyoxigraph.Store.read_only(args[1])
        except OSError:
            pass  # reported when a job comes
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        try:
            job = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            meta: dict[str, Any] = {"status": 500, "message": f"bad job: {exc}", "retire": True}
        else:
            meta = run(job)
        sys.stdout.write(json.dumps(meta) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
