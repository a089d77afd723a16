"""What the series step needs to know of a document, read off its part of the mandates view.

A document's part of the mandates view (``OUT/docs/<name>.view.json``, made by SPARQL over the
document's graph: ``mandates.exports.view``) holds its metadata, its paragraphs and clauses with
their verbs, addressees and reports, and the actors and instruments each paragraph names. The
series step (``mandates.graph.series``) reads two things from it:

* the **header facts** of every document (:class:`DocFacts`: title, session, adoption date,
  the resolutions it cites, its reporting requests and the reports it notes), small and kept
  between builds, from which series membership and report follow-up are found;
* the **clauses** (:class:`ClauseFacts`) of the documents that are members of a series with two
  or more members, which the clause lineage aligns (``mandates.graph.lineage``).

Plain data, no RDF library; no word of the UN's drafting (verbs are compared by key and force).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

_ASSEMBLY_DOCUMENT = re.compile(r"^A/(\d+)/")  # a document of a session of the General Assembly (A/74/759)
RESOLUTION_PREFIX = "A/RES/"


@dataclass(frozen=True)
class Request:
    """A reporting request: the request node, its clause, who reports to whom by which session."""

    iri: str
    clause: str
    by: str | None
    to: str | None
    session: int | None


@dataclass(frozen=True)
class Noting:
    """A clause that asks no one to act (notes, takes note, welcomes, considers) in a paragraph
    that cites documents of a session of the Assembly (``A/74/759``) or documents without a symbol."""

    clause: str
    actors: tuple[str, ...]  # the paragraph's actors
    documents: tuple[tuple[str, str | None], ...]  # (instrument IRI, its symbol or None), not resolutions


@dataclass(frozen=True)
class DocFacts:
    """The header facts of one language version."""

    work: str
    expression: str
    lang: str
    symbol: str  # the resolution's symbol (canonical)
    printed: str | None  # the symbol this language version prints (canonical)
    title: str | None
    session: int | None
    adopted: str | None
    truncated: bool
    cited: tuple[str, ...]  # symbols of the resolutions it cites
    reporting: tuple[Request, ...] = ()
    notings: tuple[Noting, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_json(d: dict[str, Any]) -> DocFacts:
        return DocFacts(**{**d, "cited": tuple(d["cited"]),
                           "reporting": tuple(Request(**r) for r in d["reporting"]),
                           "notings": tuple(Noting(n["clause"], tuple(n["actors"]),
                                                   tuple((i, s) for i, s in n["documents"])) for n in d["notings"])})


@dataclass(frozen=True)
class ClauseFacts:
    """One clause of one language version, with what its paragraph names."""

    iri: str
    kind: str  # "preambular" | "operative"
    paragraph: int
    order: int
    position: int  # the clause's place among the document's clauses (0..)
    verb: str
    key: str
    strength: int
    directive: bool
    addressees: frozenset[str]
    report: tuple[str | None, str | None, int | None] | None  # (by, to, session)
    lang: str
    text: str
    entities: frozenset[str] = field(default_factory=frozenset)  # the paragraph's actors and instruments


def session_of_document(symbol: str | None) -> int | None:
    """The session of a document of the General Assembly, from its symbol.

    >>> session_of_document("A/74/759"), session_of_document("A/RES/74/304"), session_of_document(None)
    (74, None, None)
    """
    m = _ASSEMBLY_DOCUMENT.match(symbol or "")
    return int(m.group(1)) if m else None


def doc_facts(doc: dict[str, Any]) -> DocFacts:
    """The header facts of a document of the mandates view."""
    cited: set[str] = set()
    reporting: list[Request] = []
    notings: list[Noting] = []
    for p in doc["paragraphs"]:
        docs = []
        for inst in p["instruments"]:
            sym = inst.get("symbol")
            if sym and sym.startswith(RESOLUTION_PREFIX):
                cited.add(sym)
            elif sym is None or session_of_document(sym) is not None:
                docs.append((inst["iri"], sym))
        actors = tuple(sorted(a["iri"] for a in p["actors"]))
        for c in p["clauses"]:
            rep = c.get("report")
            if rep is not None:
                reporting.append(Request(c["iri"] + "/report", c["iri"], rep.get("by"), rep.get("to"), rep.get("session")))
            if not c["directive"] and docs:
                notings.append(Noting(c["iri"], actors, tuple(docs)))
    printed = doc.get("symbol")
    return DocFacts(work=doc["iri"], expression=doc["expression"], lang=doc["language"],
                    symbol=doc["resolution_symbol"], printed=printed, title=doc.get("title"),
                    session=doc.get("session"), adopted=doc.get("adopted"), truncated=bool(doc.get("truncated")),
                    cited=tuple(sorted(cited)), reporting=tuple(reporting), notings=tuple(notings))


def clause_facts(doc: dict[str, Any]) -> list[ClauseFacts]:
    """Every clause of a document of the mandates view, in text order."""
    out: list[ClauseFacts] = []
    for p in doc["paragraphs"]:
        entities = frozenset([a["iri"] for a in p["actors"]] + [i["iri"] for i in p["instruments"]])
        for c in p["clauses"]:
            rep = c.get("report")
            out.append(ClauseFacts(
                iri=c["iri"], kind=p["kind"], paragraph=p["number"], order=int(c["iri"].rsplit("/", 1)[-1]),
                position=len(out), verb=c["verb"]["iri"], key=c["verb"]["key"], strength=int(c["strength"]),
                directive=bool(c["directive"]), addressees=frozenset(a["iri"] for a in c["addressees"]),
                report=None if rep is None else (rep.get("by"), rep.get("to"), rep.get("session")),
                lang=doc["language"], text=c.get("text") or "", entities=entities))
    return out
