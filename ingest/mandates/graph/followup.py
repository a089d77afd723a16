"""Report follow-up: a report requested in one resolution, linked to the report a later
resolution notes.

The Assembly asks for a report "at its seventy-sixth session" (a ``mnd:ReportingRequest`` with
``mnd:reportBy`` and ``mnd:dueSession``); a resolution of that session notes it ("表示注意到秘书长
的报告⁹", the footnote giving the symbol ``A/74/759``). A request is linked to a noting clause
(a clause that asks no one to act) of a resolution adopted after it when

* **symbol**: the noting paragraph cites a document of the session the report was due at
  (``A/76/…`` for the seventy-sixth); one whose paragraph also names the actor asked comes
  first; or, failing that,
* **author-session**: a resolution of that session notes, in a paragraph naming the actor
  asked, a document the text gives no symbol for.

Resolutions of the request's own series come first, then the earliest; ties go by IRI.
"""

from __future__ import annotations

from dataclasses import dataclass

from mandates.graph.seriesfacts import DocFacts, Noting, Request, session_of_document


@dataclass(frozen=True)
class FollowUp:
    request: str
    noted_in: str  # the noting clause
    report: str  # the noted document's IRI
    basis: str  # "symbol" | "author-session"


def _symbol_match(req: Request, noting: Noting) -> tuple[int, str] | None:
    """(0 when the paragraph names the actor asked, else 1; the report) for a symbol match."""
    for iri, sym in noting.documents:
        if sym is not None and session_of_document(sym) == req.session:
            return (0 if req.by in noting.actors else 1), iri
    return None


def _author_match(req: Request, noting: Noting, session: int | None) -> str | None:
    if session != req.session or req.by is None or req.by not in noting.actors:
        return None
    return next((iri for iri, sym in noting.documents if sym is None), None)


def _candidates(docs: list[DocFacts]) -> dict[int, list[tuple[DocFacts, Noting]]]:
    """The noting clauses that may answer a request due at each session: those citing a document
    of that session, and those of a resolution of that session citing a document without symbol."""
    out: dict[int, list[tuple[DocFacts, Noting]]] = {}
    for d in docs:
        for n in d.notings:
            sessions = {session_of_document(sym) for _, sym in n.documents if sym is not None}
            if d.session is not None and any(sym is None for _, sym in n.documents):
                sessions.add(d.session)
            for s in sessions - {None}:
                out.setdefault(s, []).append((d, n))  # type: ignore[arg-type]
    return out


def follow_ups(docs: list[DocFacts], order: dict[str, tuple], series_of: dict[str, str]) -> list[FollowUp]:
    """Link each reporting request of ``docs`` to the report a later resolution notes.

    ``order`` gives each resolution (work IRI) its place in time; ``series_of`` its series."""
    by_session = _candidates(docs)
    out: dict[str, FollowUp] = {}
    for d in sorted(docs, key=lambda d: (order[d.work], d.expression)):
        for req in d.reporting:
            if req.session is None or req.iri in out:
                continue
            best: tuple | None = None
            for later, n in by_session.get(req.session, ()):
                if order[later.work] <= order[d.work]:
                    continue
                other_series = int(series_of.get(later.work) != series_of.get(d.work) or d.work not in series_of)
                got = _symbol_match(req, n)
                if got is not None:
                    key = (0, got[0], other_series, order[later.work], n.clause, got[1])
                    cand = FollowUp(req.iri, n.clause, got[1], "symbol")
                else:
                    report = _author_match(req, n, later.session)
                    if report is None:
                        continue
                    key = (1, 0, other_series, order[later.work], n.clause, report)
                    cand = FollowUp(req.iri, n.clause, report, "author-session")
                if best is None or key < best[0]:
                    best = (key, cand)
            if best is not None:
                out[req.iri] = best[1]
    return [out[k] for k in sorted(out)]
