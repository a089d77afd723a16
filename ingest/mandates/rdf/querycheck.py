"""The checks a public, read-only SPARQL endpoint makes before a query runs.

:func:`analyse` parses a query with rdflib's SPARQL 1.1 parser (the query is never run by
rdflib): an update is refused, and so is any ``SERVICE`` pattern, found in the parse tree and,
as a second line, as a keyword token of the text after SPARQL's ``\\u`` escapes are expanded
(Oxigraph would otherwise send the query to any URL it names: a request-forgery hole).
Importing the parser takes about a second, so this module is apart from :mod:`mandates.rdf.sparql`.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
SERVICE_REFUSED = "SERVICE is refused: this endpoint does not send queries to other services"


class Refused(Exception):
    """A query a read-only endpoint does not run; ``status`` is the HTTP status to answer
    (400: it does not parse as a query; 403: an update, or ``SERVICE``)."""

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


def _nodes(tree: Any) -> Iterator[Any]:
    """Every node of an rdflib SPARQL parse tree (without recursion: trees can be deep)."""
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


def _is_update(text: str, words: list[str]) -> bool:
    try:
        parseUpdate(text)
        return True
    except Exception:  # noqa: BLE001 - any failure means "not an update either"
        return any(w in UPDATE_WORDS for w in words[:1]) or bool(
            set(words) & {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP"} and not
            set(words) & {"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})


def check(text: str) -> str:
    """The form of a query an endpoint runs (``SELECT``, ``CONSTRUCT``, ``DESCRIBE`` or ``ASK``);
    raises :class:`Refused` for an update (403), a ``SERVICE`` pattern (403) or a text that
    does not parse as a SPARQL 1.1 query (400).

    >>> check("SELECT * WHERE { ?s ?p ?o }")
    'SELECT'
    >>> check("INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }")
    Traceback (most recent call last):
    ...
    mandates.rdf.querycheck.Refused: updates are refused: this endpoint is read-only
    >>> check("SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    mandates.rdf.querycheck.Refused: SERVICE is refused: this endpoint does not send queries to other services
    """
    return analyse(text)[0]


def analyse(text: str) -> tuple[str, bool]:
    """:func:`check`, and whether the query names its dataset (``FROM``, ``FROM NAMED``).

    >>> analyse("SELECT * FROM <http://x/g> WHERE { ?s ?p ?o }")
    ('SELECT', True)
    """
    words = keywords(text)
    try:
        tree = parseQuery(text)
    except (ParseBaseException, RecursionError, ValueError, TypeError, KeyError) as exc:
        if _is_update(text, words):
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
                raise Refused(403, SERVICE_REFUSED)
            if node.name == "DatasetClause":
                dataset = True
    if "SERVICE" in words:  # the second line: the keyword anywhere outside strings, IRIs, comments
        raise Refused(403, SERVICE_REFUSED)
    return name[:-5].upper(), dataset
