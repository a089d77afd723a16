"""Every IRI the project mints, in one place, from UN symbols and paragraph numbers.

Patterns (``{base}`` is configurable; the default is ``https://w3id.org/un-mandates/``):

==================  ===========================================
resolution (work)   ``{base}doc/A-RES-74-303``
language version    ``{base}doc/A-RES-74-303/zh``
paragraph           ``{base}doc/A-RES-74-303/op/24`` (``pp/3`` preambular)
clause              ``{base}doc/A-RES-74-303/op/24/c/2``
reporting request   ``{base}doc/A-RES-74-303/op/24/c/2/report``
footnote            ``{base}doc/A-RES-74-303/fn/9``
anchor              ``{base}doc/A-RES-74-303/zh/op/24`` (+ ``/sel`` selector)
mention             ``{base}doc/A-RES-74-303/zh/m/7021-7030`` (+ ``/sel``)
named graph         ``{base}graph/A-RES-74-303/zh``
actor, verb, …      ``{base}actor/…``, ``{base}verb/…`` (from the vocabularies)
==================  ===========================================

Language versions share the work, paragraph, clause and footnote IRIs; anchors,
mentions and graphs are per language because their offsets are.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph

from mandates.core.symbols import slug
from mandates.rdf.namespaces import DEFAULT_BASE


class IRIError(ValueError):
    """A minted IRI is not a valid absolute IRI."""


def check(iri: str) -> str:
    """Check an IRI with a strict parser (pyoxigraph) and return it.

    >>> check("https://w3id.org/un-mandates/doc/A-RES-74-303")
    'https://w3id.org/un-mandates/doc/A-RES-74-303'
    >>> check("not an iri")
    Traceback (most recent call last):
    ...
    mandates.rdf.iris.IRIError: invalid IRI 'not an iri': ...
    """

    try:
        pyoxigraph.NamedNode(iri)
    except ValueError as exc:
        raise IRIError(f"invalid IRI {iri!r}: {exc}") from exc
    return iri


@dataclass(frozen=True)
class Minter:
    """Mints the IRIs of one document.

    >>> m = Minter("A/RES/74/303", "zh")
    >>> m.paragraph("operative", 24), m.clause("operative", 24, 2)
    ('https://w3id.org/un-mandates/doc/A-RES-74-303/op/24', 'https://w3id.org/un-mandates/doc/A-RES-74-303/op/24/c/2')
    >>> m.mention(7021, 7030)
    'https://w3id.org/un-mandates/doc/A-RES-74-303/zh/m/7021-7030'
    """

    symbol: str
    lang: str
    base: str = DEFAULT_BASE

    @property
    def work(self) -> str:
        return check(f"{self.base}doc/{slug(self.symbol)}")

    @property
    def expression(self) -> str:
        return f"{self.work}/{self.lang}"

    @property
    def graph(self) -> str:
        return check(f"{self.base}graph/{slug(self.symbol)}/{self.lang}")

    @property
    def activity(self) -> str:
        return f"{self.expression}/extraction"

    def paragraph(self, kind: str, number: int) -> str:
        return f"{self.work}/{'pp' if kind == 'preambular' else 'op'}/{number}"

    def clause(self, kind: str, number: int, order: int) -> str:
        return f"{self.paragraph(kind, number)}/c/{order}"

    def footnote(self, number: int) -> str:
        return f"{self.work}/fn/{number}"

    def anchor(self, local: str) -> str:
        return f"{self.expression}/{local}"

    def mention(self, start: int, end: int) -> str:
        return f"{self.expression}/m/{start}-{end}"

    def selector(self, resource: str) -> str:
        return f"{resource}/sel"


_FIXED = (DEFAULT_BASE + "ontology", DEFAULT_BASE + "shapes")


def rebase(iri: str, base: str) -> str:
    """Move an IRI minted under the default base to another base.

    The ontology's own terms (``…/ontology#``, ``…/shapes#``) never move: they name the
    model, not the data.

    >>> rebase("https://w3id.org/un-mandates/actor/x", "http://localhost:8000/")
    'http://localhost:8000/actor/x'
    >>> rebase("https://w3id.org/un-mandates/ontology#Mandate", "http://localhost:8000/")
    'https://w3id.org/un-mandates/ontology#Mandate'
    """
    if base != DEFAULT_BASE and iri.startswith(DEFAULT_BASE) and not iri.startswith(_FIXED):
        return base + iri[len(DEFAULT_BASE):]
    return iri
