"""RDF formats: media types, content negotiation, and byte-stable serialisations of triples.

The published site and the server answer every resource as HTML, Turtle, JSON-LD or
N-Triples (:data:`RESOURCE_FORMATS`), chosen by :func:`negotiate` on an ``Accept`` header;
the server offers RDF/XML too (:data:`SERVED_FORMATS`). :func:`to_turtle`, :func:`to_jsonld`,
:func:`to_ntriples`, :func:`to_rdfxml` and :func:`to_nquads` write any collection of
pyoxigraph triples (or quads) in :func:`canonical_order`, so equal sets of triples give
equal bytes whatever order they come in.

>>> negotiate("text/turtle;q=0.9, application/ld+json", list(RESOURCE_OFFERS))
'application/ld+json'
>>> natural_key("op/9") < natural_key("op/10")
True
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable

import pyoxigraph as ox

from mandates.rdf.namespaces import PREFIXES, RDF, XSD
from mandates.rdf.terms import nt_lines

#: representations of a resource: the file extension, its media type
RESOURCE_FORMATS = {
    "html": "text/html; charset=utf-8",
    "ttl": "text/turtle; charset=utf-8",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
}
#: media types a client may ask for, to the extension that answers them (in the server's order)
RESOURCE_OFFERS = {"text/html": "html", "text/turtle": "ttl", "application/ld+json": "jsonld",
                   "application/n-triples": "nt"}
#: other names of these types, which count when a client names them exactly
RESOURCE_ALIASES = {"text/html": ["application/xhtml+xml"], "text/turtle": ["application/x-turtle"],
                    "application/ld+json": ["application/json"], "application/n-triples": ["text/plain"]}
#: what the server answers a resource in: the published files' formats and RDF/XML (the
#: ``PATH.rdf`` a site may hold, else written from the store when asked)
SERVED_FORMATS = {**RESOURCE_FORMATS, "rdf": "application/rdf+xml"}
SERVED_OFFERS = {**RESOURCE_OFFERS, "application/rdf+xml": "rdf"}
#: pyoxigraph's format of each RDF media type the server writes
RDF_MEDIA = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


# ---------------------------------------------------------------- content negotiation


def parse_accept(accept: str | None) -> list[tuple[str, str, float]]:
    """The media ranges of an Accept header as (type, subtype, q).

    >>> parse_accept("text/turtle;q=0.9, text/*;q=0.5, */*;q=0.1")
    [('text', 'turtle', 0.9), ('text', '*', 0.5), ('*', '*', 0.1)]
    """
    out = []
    for part in (accept or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            if media == "*":  # some clients send a bare *
                media = "*/*"
            else:
                continue
        typ, _, sub = media.partition("/")
        q = 1.0
        for f in fields[1:]:
            k, _, v = f.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = min(max(float(v.strip()), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        out.append((typ.strip(), sub.strip(), q))
    return out


def _offer_q(offer: str, ranges: list[tuple[str, str, float]], aliases: list[str]) -> float | None:
    """The q a client gives ``offer``: that of the most specific matching range, or of an alias
    the client names exactly (when it does not name the offer itself)."""
    typ, _, sub = offer.split(";")[0].strip().lower().partition("/")
    q, spec = None, -1
    for rt, rs, rq in ranges:
        if rt == typ and rs == sub:
            s = 2
        elif rt == typ and rs == "*":
            s = 1
        elif rt == "*" and rs == "*":
            s = 0
        else:
            continue
        if s > spec:
            q, spec = rq, s
    if spec < 2:
        for alias in aliases:
            at, _, asub = alias.lower().partition("/")
            named = [rq for rt, rs, rq in ranges if rt == at and rs == asub]
            if named:
                q, spec = max(named), 2
    return q


def negotiate(accept: str | None, offers: list[str], aliases: dict[str, list[str]] | None = None) -> str | None:
    """The offer (a media type) the client prefers: for each offer the most specific media
    range that matches it gives its q; the highest q > 0 wins, ties go to the earlier offer.
    No Accept header (or an empty one) accepts anything. ``aliases`` names other media types
    an offer also answers (``application/json`` for JSON-LD): they count only when the client
    names them exactly and the offer's own type is not named exactly.

    >>> offers = ["text/html", "text/turtle", "application/ld+json", "application/n-triples"]
    >>> negotiate("application/ld+json, text/turtle;q=0.9", offers)
    'application/ld+json'
    >>> negotiate("text/*;q=0.5, text/turtle", offers)
    'text/turtle'
    >>> negotiate("*/*", offers), negotiate(None, offers)
    ('text/html', 'text/html')
    >>> negotiate("text/html;q=0, */*;q=0.1", offers)
    'text/turtle'
    >>> negotiate("image/png", offers) is None
    True
    >>> negotiate("application/json", offers, {"application/ld+json": ["application/json"]})
    'application/ld+json'
    """
    ranges = parse_accept(accept)
    if not ranges:
        return offers[0] if offers else None
    best, best_q = None, 0.0
    for offer in offers:
        q = _offer_q(offer, ranges, (aliases or {}).get(offer, []))
        if q is not None and q > best_q:
            best, best_q = offer, q
    return best


# ---------------------------------------------------------------- order and names


def natural_key(s: str) -> tuple:
    """Sort key that orders ``op/9`` before ``op/10``."""
    parts = re.split(r"(\d+)", s)
    return tuple((0, int(p), "") if i % 2 else (1, 0, p) for i, p in enumerate(parts))


def canonical_order(triples: Iterable, first: str | None = None) -> list:
    """Distinct triples sorted by subject (``op/9`` before ``op/10``; a resource before its
    ``#`` and ``/`` descendants; ``first`` before all), then by their N-Triples form."""
    return sorted(set(triples), key=lambda t: (t.subject.value != first, natural_key(t.subject.value), str(t)))


def used_prefixes(triples: Iterable, prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes of ``prefixes`` some IRI of ``triples`` starts with, sorted by prefix."""
    iris = set()
    for t in triples:
        iris.add(t.subject.value)
        iris.add(t.predicate.value)
        o = t.object
        if isinstance(o, ox.NamedNode):
            iris.add(o.value)
        elif isinstance(o, ox.Literal) and o.datatype is not None:
            iris.add(o.datatype.value)
    used = {}
    for k, ns in prefixes.items():
        if any(v.startswith(ns) for v in iris):
            used[k] = ns
    return dict(sorted(used.items()))


_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


def compact(iri: str, prefixes: dict[str, str] = PREFIXES) -> str:
    """``prefix:local`` when a prefix fits (the longest namespace first), else the IRI.

    >>> compact("http://www.w3.org/2004/02/skos/core#prefLabel")
    'skos:prefLabel'
    """
    for k, ns in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and _LOCAL.fullmatch(iri[len(ns):]):
            return f"{k}:{iri[len(ns):]}"
    return iri


# ---------------------------------------------------------------- serialisations


def _sorted_lines(items: list, fmt: Any) -> bytes:
    """``items`` serialised by pyoxigraph in ``fmt``, each line once, sorted (empty: no bytes)."""
    if not items:
        return b""
    lines = sorted(set(nt_lines(ox.serialize(items, format=fmt).decode("utf-8"))))
    return ("\n".join(lines) + "\n").encode("utf-8")


def to_ntriples(triples: Iterable) -> bytes:
    """Canonical N-Triples, lines sorted."""
    return _sorted_lines(list(triples), ox.RdfFormat.N_TRIPLES)


def to_nquads(quads: list) -> bytes:
    """Canonical N-Quads, lines sorted."""
    return _sorted_lines(quads, ox.RdfFormat.N_QUADS)


def to_turtle(triples: Iterable, prefixes: dict[str, str] = PREFIXES, *, first: str | None = None) -> bytes:
    """Turtle in :func:`canonical_order`, declaring only the prefixes used (the same bytes
    whatever order the triples come in)."""
    triples = canonical_order(triples, first)
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=used_prefixes(triples, prefixes))


def _jsonld_value(o: Any, ctx: dict[str, str]) -> dict[str, str]:
    if isinstance(o, ox.NamedNode):
        return {"@id": o.value}
    if isinstance(o, ox.Literal):
        val = {"@value": o.value}
        if o.language:
            val["@language"] = o.language
        elif o.datatype and o.datatype.value != XSD + "string":
            val["@type"] = compact(o.datatype.value, ctx)
        return val
    return {"@id": f"_:{o.value}"}  # pragma: no cover - the graph has no blank nodes


def to_jsonld(triples: Iterable) -> bytes:
    """JSON-LD with the prefixes as an inline context, one node object per subject in
    :func:`canonical_order` (``@id`` full IRIs, properties and types as compact IRIs), keys
    and values sorted."""
    triples = canonical_order(triples)
    ctx = used_prefixes(triples, PREFIXES)
    nodes: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for t in triples:
        s = t.subject.value
        if s not in nodes:
            nodes[s] = {"@id": s}
            order.append(s)
        node = nodes[s]
        p, o = t.predicate.value, t.object
        if p == RDF + "type" and isinstance(o, ox.NamedNode):
            node.setdefault("@type", []).append(compact(o.value, ctx))
            continue
        node.setdefault(compact(p, ctx), []).append(_jsonld_value(o, ctx))
    for node in nodes.values():
        for v in node.values():
            if isinstance(v, list):
                v.sort(key=lambda x: json.dumps(x, sort_keys=True, ensure_ascii=False))
    doc = {"@context": ctx, "@graph": [nodes[s] for s in order]}
    return (json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def to_rdfxml(triples: Iterable) -> bytes:
    """RDF/XML in :func:`canonical_order` (one ``rdf:Description`` per subject), declaring only
    the prefixes used (the same bytes whatever order the triples come in)."""
    triples = canonical_order(triples)
    return ox.serialize(triples, format=ox.RdfFormat.RDF_XML, prefixes=used_prefixes(triples, PREFIXES)) or b""


def serialize(triples: list, media_type: str, *, prefixes: dict[str, str] | None = None) -> bytes:
    """``triples`` in the RDF media type ``media_type`` (:data:`RDF_MEDIA`), by pyoxigraph;
    ``prefixes`` for Turtle and RDF/XML."""
    fmt = RDF_MEDIA[media_type.split(";")[0].strip()]
    kwargs: dict[str, Any] = {"prefixes": prefixes} if prefixes and fmt in (ox.RdfFormat.TURTLE,
                                                                           ox.RdfFormat.RDF_XML) else {}
    return ox.serialize(triples, format=fmt, **kwargs) or b""


def resource_bytes(triples: list, ext: str) -> bytes:
    """A resource's triples as its ``.ttl``, ``.jsonld`` or ``.nt`` file (the published bytes),
    or as RDF/XML (``.rdf``)."""
    return {"ttl": to_turtle, "nt": to_ntriples, "jsonld": to_jsonld, "rdf": to_rdfxml}[ext](triples)


def graph_triples(store: Any, name: str) -> list:
    """The triples of the named graph ``name`` of a store (in the store's order)."""
    return [ox.Triple(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(name))]


def graph_ntriples(store: Any, name: str) -> bytes:
    """The named graph ``name`` of a store as N-Triples (in the store's order)."""
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))
