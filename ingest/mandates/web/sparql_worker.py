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
3. checks the query (:func:`mandates.rdf.querycheck.analyse`): it must parse as a SPARQL 1.1
   *query* with Oxigraph's own parser (the engine that runs it, on an empty store, with every
   word "service" altered so that the parser never sees that keyword); an update is refused
   (403), and so is any ``SERVICE`` pattern (403), found as a keyword token of the text after
   SPARQL's ``\\u`` escapes are expanded *and* where the altered text no longer parses
   (Oxigraph would otherwise send the query to any URL it names: a request-forgery hole);
   brackets nested deeper than the parser can take are refused (400);
4. runs the query (the default graph is the union of the named graphs unless the request
   names a dataset) and writes at most ``max_rows`` solutions (or triples) to the answer
   file in the negotiated format (an HTML answer is the site's page, from the templates of
   :mod:`mandates.web.pages`), noting whether it cut the answer;
5. lifts the limits again (they are soft limits; a SPARQL query runs no code that could
   raise them) for the next query.

It reports back one small dict (a JSON line on stdout): ``status``, ``content_type``, ``rows``,
``truncated``, or ``message`` for an error, and ``rss``, its resident size. An allocation over the cap kills the process
(Rust aborts) or raises ``MemoryError``; the parent reports both as the memory limit.
"""

from __future__ import annotations

import json
import re
import resource
import sys
from typing import Any
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import pyoxigraph

from mandates.rdf.formats import negotiate
from mandates.rdf.namespaces import PREFIXES, XSD
from mandates.rdf.querycheck import Refused, analyse, check, expand_escapes, keywords
from mandates.rdf.sparql import binding
from mandates.web.pages import stream

__all__ = ["Refused", "analyse", "check", "choose_format", "execute", "expand_escapes", "keywords", "main", "run",
           "write_ask", "write_graph", "write_select"]

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

# ---------------------------------------------------------------- negotiation


def choose_format(form: str, fmt: str | None, accept: str | None) -> tuple[str, str]:
    """The short name and the media type of the answer to a query of ``form``, from an
    explicit ``format`` parameter (a short name or a media type) or else the Accept header.
    Raises :class:`Refused` (400 for an unknown ``format``, 406 when nothing acceptable)."""
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
    """The SPARQL 1.1 JSON form of an IRI, blank node, literal or quoted triple."""
    if isinstance(term, pyoxigraph.Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    b = binding(term)
    return b if b is not None else {"type": "literal", "value": str(term)}


def _xml_term(term: Any) -> str:
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
    """The solutions of a SELECT query in the format ``fmt`` (a key of :data:`SELECT_FORMATS`)."""
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
        cells = ([cell(sol[n], base) for n in names] for sol in rows)
        _write_page(w, title="SPARQL results", query=query, note=note, form="select",
                    names=[f"?{n}" for n in names], rows=cells)
    w.close()


def write_ask(path: str, fmt: str, value: bool, *, note: str = "", query: str = "") -> None:
    """The answer of an ASK query in the format ``fmt`` (a key of :data:`ASK_FORMATS`)."""
    w = _Writer(path)
    v = "true" if value else "false"
    if fmt == "json":
        w.write('{"head": {}, "boolean": ' + v + "}\n")
    elif fmt == "xml":
        w.write('<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
                f"<head/>\n<boolean>{v}</boolean>\n</sparql>\n")
    else:
        _write_page(w, title="SPARQL result", query=query, note=note, form="ask", value=v)
    w.close()


def write_graph(path: str, fmt: str, triples: list[Any], *, base: str = "", note: str = "", query: str = "") -> None:
    """The answer to a CONSTRUCT or DESCRIBE query in the format ``fmt`` (a key of :data:`GRAPH_FORMATS`)."""
    if fmt == "html":
        w = _Writer(path)
        cells = ([cell(t.subject, base), cell(t.predicate, base), cell(t.object, base)] for t in triples)
        _write_page(w, title="SPARQL results", query=query, note=note, form="graph",
                    names=["subject", "predicate", "object"], rows=cells)
        w.close()
        return
    rdf = {"turtle": pyoxigraph.RdfFormat.TURTLE, "ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
           "jsonld": pyoxigraph.RdfFormat.JSON_LD, "rdfxml": pyoxigraph.RdfFormat.RDF_XML}[fmt]
    prefixes = dict(PREFIXES)
    if base:
        prefixes.setdefault("base", base)
    kwargs: dict[str, Any] = {"prefixes": prefixes} if fmt in ("turtle", "rdfxml") else {}
    pyoxigraph.serialize(triples, path, format=rdf, **kwargs)


def _write_page(w: _Writer, **context: Any) -> None:
    """An HTML answer: the page ``templates/sparql-results.html``, written as it is rendered."""
    for piece in stream("sparql-results.html", path=None, lang="en", **context):
        w.write(piece)


def cell(term: Any, base: str) -> tuple[str, ...] | None:
    """A term as the HTML answers show it: ``("iri", link or "", IRI)`` (an IRI under ``base``
    links to its page on this server), ``("literal", text, language)``, ``("other", text)``."""
    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        v = term.value
        href = "/" + v[len(base):] if base and v.startswith(base) else v
        return ("iri", href if href.startswith(("/", "http://", "https://")) else "", v)
    if isinstance(term, pyoxigraph.Literal):
        return ("literal", term.value, term.language or "")
    return ("other", str(term))


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
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = int(usage.ru_utime + usage.ru_stime) + int(job["timeout"]) + 2
    _soft(resource.RLIMIT_CPU, cpu)
    _soft(resource.RLIMIT_FSIZE, int(job["memory"]) << 20)


def _soft(which: int, value: int | None) -> None:
    _, hard = resource.getrlimit(which)
    if value is None:
        value = hard
    elif hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, hard))


def _cap_memory(mib: int) -> None:
    """Cap the address space at its current size plus ``mib`` MiB (the soft limit)."""
    _soft(resource.RLIMIT_AS, _status("VmSize") + (mib << 20))


def _uncap() -> None:
    for which in (resource.RLIMIT_AS, resource.RLIMIT_CPU, resource.RLIMIT_FSIZE):
        _soft(which, None)


def execute(job: dict[str, Any]) -> dict[str, Any]:
    """Check, run and write the answer of one query (in the current process)."""
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
    sound, and kills it when a job runs out of time. (Importing this module loads what a
    query needs: pyoxigraph and the SPARQL parser.)"""
    args = list(sys.argv[1:] if argv is None else argv)
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
