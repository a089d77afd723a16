"""``mandates series changes``: what changed for one actor since the previous resolution of a series.

It runs the library query ``queries/series-changes.rq`` (over a built store or a SPARQL endpoint)
and keeps, for each series, its latest resolution (``--symbol`` names another; ``--all`` keeps
every resolution that has one before it). The actor is given as an IRI (``<…>``), a State's
code (``iso:FRA``), or a key or label of the actor vocabulary in either language (``IPU``,
``inter-parliamentary-union``, ``各国议会联盟``). The rows go to stdout (table, csv, tsv or
json); a line per resolution on stderr sums them up (``1 new, 1 strengthened, 7 repeated``).

Exit codes: 0 the query ran (even with no rows); 2 usage (an actor no label or several
actors answer to, a bad option); 3 the store (as ``mandates query``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from mandates.core.text import fold_label
from mandates.rdf.iris import rebase
from mandates.rdf.namespaces import graph_base
from mandates.rdf.store import graph_names
from mandates.vocab.concepts import load
from mandates.web.query import (
    EXIT_OK,
    FORMATS,
    QueryError,
    Result,
    is_endpoint,
    open_store,
    run_query_terms,
    to_term,
)

COLUMNS = ("symbol", "previousSymbol", "change", "para", "verb", "strength", "previousPara", "previousVerb",
           "previousStrength", "confidence", "text")
CHANGE_ORDER = ("new", "strengthened", "weakened", "modified", "dropped", "repeated")


def actor_term(given: str, base: str) -> dict[str, str]:
    """The parameter term of an actor given as an IRI, a code, or a key or label of the vocabulary.

    >>> actor_term("IPU", "https://w3id.org/un-mandates/")["value"]
    'https://w3id.org/un-mandates/actor/inter-parliamentary-union'
    >>> actor_term("各国议会联盟", "http://localhost:8000/")["value"]
    'http://localhost:8000/actor/inter-parliamentary-union'
    """
    text = given.strip()
    if text.startswith("<") or ":" in text and text.split(":", 1)[0].lower() in ("iso", "m49"):
        return to_term(text)
    vocab = load()
    found = {c.iri for c in vocab.of_kind("actor") if c.iri.rsplit("/", 1)[-1] == text}
    for lang in ("en", "zh"):
        found |= {c.iri for c in vocab.lexicon(("actor",), lang).entries.get(fold_label(text, lang=lang), [])}
    if len(found) != 1:
        what = "no actor of the vocabulary" if not found else f"{len(found)} actors ({', '.join(sorted(found))})"
        raise QueryError(f"--actor {given!r}: {what} answers to it; give the actor's IRI as <…>")
    return {"type": "uri", "value": rebase(found.pop(), base)}


def _base(store: Any) -> str:
    return graph_base(graph_names(store)) if not is_endpoint(store) else graph_base([])


def _latest(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows of each series' latest resolution (by adoption date, then symbol)."""
    last: dict[str, tuple[str, str]] = {}
    for r in rows:
        key = ((r.get("adopted") or {}).get("value", ""), r["symbol"]["value"])
        last[r["series"]["value"]] = max(last.get(r["series"]["value"], key), key)
    return [r for r in rows if ((r.get("adopted") or {}).get("value", ""), r["symbol"]["value"])
            == last[r["series"]["value"]]]


def _compact(rows: list[dict[str, Any]], lang: str | None) -> Result:
    """The columns a reader needs, one text column (``lang``'s, else the other language's)."""
    langs = ("Zh", "En") if lang == "zh" else ("En", "Zh")
    # the clause's text; for a dropped clause, the text of the clause dropped
    texts = [f"text{x}" for x in langs] + [f"previousText{x}" for x in langs]
    out = []
    for r in rows:
        row = {c: r.get(c) for c in COLUMNS if c != "text"}
        row["text"] = next((r[c] for c in texts if r.get(c)), None)
        out.append(row)
    return Result(list(COLUMNS), out)


def _summary(rows: list[dict[str, Any]], actor: str) -> list[str]:
    by: dict[tuple[str, str], dict[str, int]] = {}
    for r in rows:
        key = (r["symbol"]["value"], r["previousSymbol"]["value"])
        counts = by.setdefault(key, {})
        counts[r["change"]["value"]] = counts.get(r["change"]["value"], 0) + 1
    return [f"mandates: {sym} since {prev}, for {actor}: "
            + ", ".join(f"{counts[c]} {c}" for c in CHANGE_ORDER if c in counts)
            for (sym, prev), counts in sorted(by.items())]


def series_cli(args) -> int:  # type: ignore[no-untyped-def]
    """``mandates series changes --actor A [--symbol S] [--all] [--store DIR|URL] [--format F] [--lang L]``."""
    try:
        fmt = FORMATS[args.format or "table"]
        store: Any = args.store if is_endpoint(args.store) else open_store(Path(args.store))
        actor = actor_term(args.actor, _base(store))
        params: dict[str, Any] = {"actor": actor}
        if args.symbol:
            params["symbol"] = args.symbol
        result = run_query_terms("series-changes", store=store, params=params)
    except QueryError as exc:
        print(f"mandates: error: {exc}", file=sys.stderr)
        return exc.code
    rows = result.rows if (args.all or args.symbol) else _latest(result.rows)
    sys.stdout.write(fmt(_compact(rows, args.lang) if args.format in (None, "table") else Result(result.variables, rows)))
    sys.stdout.flush()
    for line in _summary(rows, actor.get("value", args.actor)) or [f"mandates: no change recorded for {args.actor}"
                                                                  " (is it asked in a series of two resolutions or more?)"]:
        print(line, file=sys.stderr)
    return EXIT_OK
