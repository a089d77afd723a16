"""The checks a public, read-only SPARQL endpoint makes before a query runs.

:func:`analyse` checks a query with the parser of the engine that runs it, Oxigraph's (a
145 KiB ``VALUES`` query: about 10 ms, where rdflib's parser took 3.4 s; ``benchmarks/queries.py
--parse-check``). pyoxigraph has no parse-only call, so the query is prepared over an empty
in-memory store and its answer is not read (a ``SELECT``, ``CONSTRUCT`` or ``DESCRIBE`` is
evaluated lazily; an ``ASK`` is evaluated, over no data). Refused:

- an update (403): it does not parse as a query, and its first keyword is an update's;
- any ``SERVICE`` pattern (403; Oxigraph would otherwise send the query to any URL it names:
  a request-forgery hole), on two lines. First, as a keyword token of the text after
  SPARQL's ``\\u`` escapes are expanded, outside comments, strings, IRIs, variables and
  prefixed names (:func:`keywords`). Second, by the engine's own reading: what the engine
  prepares is the text with the last letter of every run of the letters ``service``
  changed (``?service`` becomes ``?servicx``, the same everywhere), so it never sees the
  keyword. Changing a letter inside a name, a string, a comment or an IRI leaves the query
  as valid as it was; where the engine would have read the keyword, the changed word does
  not parse, and the query is refused. (The tokenizer reads ``ex:.SERVICE <url> {...}`` as a
  prefixed name; the engine reads the prefixed name ``ex:``, a full stop and ``SERVICE``.)
- a text that does not parse as a SPARQL 1.1 query (400), or brackets nested deeper than
  :data:`MAX_NESTING` (400: the engine's parser recurses once per level, and deep nesting
  overflows its stack; counted over the whole text, strings and comments included).
"""

from __future__ import annotations

import re

import pyoxigraph as ox

UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
QUERY_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
SERVICE_REFUSED = "SERVICE is refused: this endpoint does not send queries to other services"
#: brackets ``(`` ``[`` ``{`` open at once, at most (rdflib's parser, used before, stopped at 20 to 40)
MAX_NESTING = 64


class Refused(Exception):
    """A query a read-only endpoint does not run; ``status`` is the HTTP status to answer
    (400: it does not parse as a query; 403: an update, or ``SERVICE``)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


# ---------------------------------------------------------------- the lexical line


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


def nesting(text: str) -> int:
    """The deepest nesting of brackets ``(`` ``[`` ``{`` in ``text``, counted over all of it
    (an unmatched closing bracket counts as nothing).

    >>> nesting('SELECT * { FILTER ((?a)) } # (')
    3
    """
    depth = deepest = 0
    for ch in re.findall(r"[(\[{)\]}]", text):
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
    return deepest


# ---------------------------------------------------------------- the engine's line


_SERVICE_LETTERS = re.compile(r"servic(e)", re.IGNORECASE)


def without_service(text: str) -> tuple[str, list[tuple[int, int]]]:
    """``text`` with the last letter of every run of the letters ``service`` (any case)
    changed to a letter that makes a run found nowhere else in the text, and the spans of
    those runs: what the engine may prepare without ever reading the keyword ``SERVICE``.

    >>> without_service("SELECT ?service ?servicx { ?s ex:Service ?service }")
    ('SELECT ?servicq ?servicx { ?s ex:Servicq ?servicq }', [(8, 15), (33, 40), (42, 49)])
    """
    runs = [(m.start(), m.end()) for m in _SERVICE_LETTERS.finditer(text)]
    if not runs:
        return text, []
    taken = {m.group(1).lower() for m in re.finditer(r"servic([a-z])", text, re.IGNORECASE)}
    letter = next((c for c in "xqzjkwvy" if c not in taken), "x")

    def sub(m: re.Match[str]) -> str:
        last = m.group(1)
        return m.group(0)[:-1] + (letter.upper() if last.isupper() else letter)

    return _SERVICE_LETTERS.sub(sub, text), runs


_EMPTY: list[ox.Store] = []  # one empty in-memory store, made when first needed


def _prepare(text: str) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
    """``text`` prepared (parsed and planned) by the engine over an empty store; raises ``SyntaxError``."""
    if not _EMPTY:
        _EMPTY.append(ox.Store())
    return _EMPTY[0].query(text)


def _offset(text: str, message: str) -> int | None:
    """The character offset of the engine's ``error at LINE:COLUMN`` in ``text``."""
    m = re.search(r"error at (\d+):(\d+)", message)
    if not m:
        return None
    line, column = int(m.group(1)), int(m.group(2))
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    return starts[line - 1] + column - 1 if line <= len(starts) else None


def _at_a_run(text: str, message: str, runs: list[tuple[int, int]]) -> bool:
    """Whether the engine stopped on a changed ``service`` run (or on what follows it): where
    it read the keyword."""
    at = _offset(text, message)
    if at is None:
        return False
    for start, end in runs:
        after = end
        while after < len(text) and text[after].isspace():
            after += 1
        if start <= at <= after:
            return True
    return False


def _form(words: list[str]) -> str:
    """The query form a text's keywords name first (after ``PREFIX`` and ``BASE``)."""
    return next((w for w in words if w not in ("PREFIX", "BASE")), "")


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
    >>> check("PREFIX ex: <http://x/> SELECT * { ?s ?p ex:.SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")
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
    # the tokenizer (15 ms on 145 KiB) runs when its words can matter: SERVICE or FROM in the text
    words = keywords(text) if re.search(r"service|from", expand_escapes(text), re.IGNORECASE) else None
    if words is not None and "SERVICE" in words:  # the first line: the keyword outside strings, IRIs, comments, names
        raise Refused(403, SERVICE_REFUSED)
    if nesting(text) > MAX_NESTING:
        raise Refused(400, f"the query is nested too deeply (more than {MAX_NESTING} brackets open at once)")
    masked, runs = without_service(text)
    try:
        prepared = _prepare(masked)
    except SyntaxError as exc:
        words = keywords(text) if words is None else words
        first = _form(words)
        if first in UPDATE_WORDS or (set(words) & UPDATE_WORDS and not set(words) & set(QUERY_FORMS)):
            raise Refused(403, "updates are refused: this endpoint is read-only") from None
        if runs and _at_a_run(masked, str(exc), runs):  # the second line: the engine read the keyword
            raise Refused(403, SERVICE_REFUSED) from None
        msg = " ".join(str(exc).split())[:300]
        raise Refused(400, f"the query does not parse as a SPARQL 1.1 query: {msg}") from None
    except (RuntimeError, ValueError):  # it parses, but cannot run (an ASK is evaluated here): the run says why
        prepared = None
    if isinstance(prepared, ox.QuerySolutions):
        form = "SELECT"
    elif isinstance(prepared, ox.QueryBoolean):
        form = "ASK"
    else:
        words = keywords(text) if words is None else words
        form = _form(words)
    if form not in QUERY_FORMS:  # pragma: no cover - the engine parsed it as a query
        raise Refused(400, "the query is not a SELECT, CONSTRUCT, DESCRIBE or ASK query")
    return form, words is not None and "FROM" in words
