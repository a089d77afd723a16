"""Build the RDF of one extracted document: one named graph, no blank nodes, every fact
anchored to the characters of the source file (W3C Web Annotation TextPositionSelector).

This is the only stage that creates triples.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from rdflib import XSD as _XSD
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS as _DCTERMS
from rdflib.namespace import OWL
from rdflib.namespace import PROV as _PROV
from rdflib.namespace import RDF as _RDF
from rdflib.namespace import RDFS as _RDFS
from rdflib.namespace import SKOS as _SKOS

from mandates import __version__
from mandates.core.symbols import slug, undocs
from mandates.extract.extractors import by_symbol
from mandates.extract.model import Clause, Document, Mention, Paragraph
from mandates.rdf.iris import Minter, check, rebase
from mandates.rdf.namespaces import DEFAULT_BASE
from mandates.rdf.namespaces import MND as MND_IRI
from mandates.vocab.concepts import Concept, load, vocabulary_files


class _Terms:
    """A namespace whose terms are made once (rdflib makes a new URIRef at every ``NS.term``,
    a tenth of the cost of building a document)."""

    def __init__(self, ns):  # type: ignore[no-untyped-def]
        self._ns = ns

    def __getattr__(self, name: str) -> URIRef:
        term = URIRef(self._ns[name])
        setattr(self, name, term)
        return term


MND = _Terms(Namespace(MND_IRI))
ELI = _Terms(Namespace("http://data.europa.eu/eli/ontology#"))
OA = _Terms(Namespace("http://www.w3.org/ns/oa#"))
XSD, DCTERMS, PROV, RDF, RDFS, SKOS = (_Terms(ns) for ns in (_XSD, _DCTERMS, _PROV, _RDF, _RDFS, _SKOS))
EU_LANG = {"zh": "http://publications.europa.eu/resource/authority/language/ZHO",
           "en": "http://publications.europa.eu/resource/authority/language/ENG"}


def first_session_year(session: int) -> int:
    """The year a General Assembly session opens (September of 1945 + N).

    >>> first_session_year(76)
    2021
    """
    return 1945 + session


class Builder:
    """Adds one document's triples to a graph."""

    def __init__(self, doc: Document, *, base: str = DEFAULT_BASE):
        assert doc.header.symbol
        self.doc = doc
        self.base = base
        self.m = Minter(doc.header.symbol, doc.lang, base)
        self.g: set = set()  # the triples (an rdflib Graph is made from them where one is needed)
        self.lang = doc.lang
        self.flag = lambda name: URIRef(f"{base}flag/{name}")
        self.source = URIRef(self.m.expression)
        self.offsets: dict[int, Literal] = {}  # offset -> its literal (anchors and mentions share offsets)

    def offset(self, n: int) -> Literal:
        lit = self.offsets.get(n)
        if lit is None:
            lit = self.offsets[n] = Literal(n, datatype=XSD.nonNegativeInteger)
        return lit

    def ref(self, iri: str) -> URIRef:
        return URIRef(rebase(iri, self.base))

    def lit(self, text: str) -> Literal:
        return Literal(text, lang=self.lang)

    def selector(self, resource: URIRef, span: tuple[int, int], *, kind: URIRef) -> None:
        """``resource`` is a specific resource of the language version at ``span`` (normalised offsets)."""
        s, e = self.doc.orig_span(span)
        g, r = self.g, resource
        sel = URIRef(self.m.selector(str(r)))
        g.add((r, RDF.type, kind))
        g.add((r, RDF.type, OA.SpecificResource))
        g.add((r, OA.hasSource, self.source))
        g.add((r, OA.hasSelector, sel))
        g.add((r, MND.exact, Literal(self.doc.original[s:e])))
        g.add((sel, RDF.type, OA.TextPositionSelector))
        g.add((sel, OA.start, self.offset(s)))
        g.add((sel, OA.end, self.offset(e)))

    def build(self) -> set:  # type: ignore[type-arg]
        """Every triple of the document: the resolution, its language version and how it was
        read, its footnotes, paragraphs, clauses, sub-items, mentions and minted concepts."""
        work, expr = URIRef(self.m.work), URIRef(self.m.expression)
        self._work(work, expr)
        self._expression(work, expr)
        self._provenance(expr)
        self._footnotes(work)
        missing = {i.where for i in self.doc.issues if i.code == "verb-missing"}
        for p in self.doc.paragraphs:
            self._paragraph(p, work, missing)
        for concept in self.doc.minted.values():
            self._minted(concept)
        return self.g

    def _work(self, work: URIRef, expr: URIRef) -> None:
        g, h = self.g, self.doc.header
        g.add((work, RDF.type, MND.Resolution))
        g.add((work, RDF.type, ELI.LegalResource))
        g.add((work, MND.symbol, Literal(h.symbol)))
        g.add((work, RDFS.seeAlso, URIRef(undocs(h.symbol)))) if h.symbol and not h.symbol.startswith("LOCAL/") else None
        g.add((work, ELI.is_realized_by, expr))
        if h.title:
            g.add((work, DCTERMS.title, self.lit(h.title)))
        if h.session is not None:
            g.add((work, MND.session, Literal(h.session)))
        if h.agenda_item is not None:
            g.add((work, MND.agendaItem, Literal(h.agenda_item)))
        if h.meeting is not None:
            g.add((work, MND.plenaryMeeting, Literal(h.meeting)))
        if h.adopted:
            g.add((work, ELI.date_document, Literal(h.adopted, datatype=XSD.date)))
        for draft in h.drafts:
            g.add((work, MND.draftSymbol, Literal(draft)))

    def _expression(self, work: URIRef, expr: URIRef) -> None:
        d, g, h = self.doc, self.g, self.doc.header
        g.add((expr, RDF.type, MND.LanguageVersion))
        g.add((expr, RDF.type, ELI.LegalExpression))
        g.add((expr, ELI.realizes, work))
        g.add((expr, ELI.language, URIRef(EU_LANG[self.lang])))
        g.add((expr, DCTERMS.language, Literal(self.lang)))
        g.add((expr, MND.sourceFile, Literal(Path(d.path).name)))
        g.add((expr, MND.sourceSha256, Literal(d.sha256)))
        g.add((expr, MND.encoding, Literal(d.encoding)))
        g.add((expr, MND.truncated, Literal(d.truncated)))
        g.add((expr, MND.symbolSource, Literal(h.symbol_source)))
        if h.printed_symbol:
            g.add((expr, MND.printedSymbol, Literal(h.printed_symbol)))
        if h.title:
            g.add((expr, ELI.title, self.lit(h.title)))
        if d.truncated:
            g.add((expr, MND.flag, self.flag("truncated")))
        if h.symbol_source == "file-name":
            g.add((expr, MND.flag, self.flag("symbol-from-file-name")))
        if h.symbol_source == "correction":
            g.add((expr, MND.flag, self.flag("symbol-corrected")))
        if any(i.code == "symbol-differs-between-versions" for i in d.issues):
            g.add((expr, MND.flag, self.flag("symbol-differs-between-versions")))
        if h.retired_iri_symbol:  # the IRI the misprint gave keeps answering (ontology/corrections.ttl)
            g.add((URIRef(Minter(h.retired_iri_symbol, self.lang, self.base).work), OWL.sameAs, work))

    def _provenance(self, expr: URIRef) -> None:
        d, g, m = self.doc, self.g, self.m
        act = URIRef(m.activity)
        g.add((expr, PROV.wasGeneratedBy, act))
        g.add((act, RDF.type, PROV.Activity))
        src = URIRef(f"{m.expression}/source")
        g.add((act, PROV.used, src))
        g.add((src, RDF.type, MND.SourceFile))
        g.add((src, MND.sourceFile, Literal(Path(d.path).name)))
        g.add((src, MND.sourceSha256, Literal(d.sha256)))
        if d.extracted_from:  # the offsets count the characters of the text extracted from the file
            text = URIRef(f"{m.expression}/text")
            g.add((act, PROV.used, text))
            g.add((text, RDF.type, MND.SourceFile))
            g.add((text, PROV.wasDerivedFrom, src))
            g.add((text, MND.sourceFile, Literal(f"{Path(d.path).name}.txt")))
            g.add((text, MND.sourceSha256, Literal(hashlib.sha256(d.original.encode("utf-8")).hexdigest())))
        tool = URIRef(f"{self.base}tool/mandates/{__version__}")
        g.add((act, PROV.wasAssociatedWith, tool))
        g.add((tool, RDF.type, PROV.SoftwareAgent))
        g.add((tool, RDFS.label, Literal(f"mandates {__version__}", lang="en")))

    def _footnotes(self, work: URIRef) -> None:
        d, g, m = self.doc, self.g, self.m
        for fn in d.footnotes:
            f = URIRef(m.footnote(fn.number))
            g.add((work, MND.hasFootnote, f))
            g.add((f, RDF.type, MND.Footnote))
            g.add((f, ELI.is_part_of, work))
            g.add((f, MND.number, Literal(fn.number)))
            g.add((f, MND.marker, Literal(fn.marker)))
            g.add((f, MND.text, self.lit(d.display(fn.text_span))))
            a = URIRef(m.anchor(f"fn/{fn.number}"))
            g.add((f, MND.anchor, a))
            self.selector(a, fn.span, kind=MND.Anchor)
            for sym in fn.symbols:
                inst = self._instrument_for_symbol(sym)
                g.add((f, ELI.cites, inst))

    def _paragraph(self, p: Paragraph, work: URIRef, missing: set[str]) -> None:
        d, g, m = self.doc, self.g, self.m
        pi = URIRef(m.paragraph(p.kind, p.number))
        g.add((work, MND.hasParagraph, pi))
        g.add((pi, RDF.type, MND.Paragraph))
        g.add((pi, RDF.type, MND.PreambularParagraph if p.kind == "preambular" else MND.OperativeParagraph))
        g.add((pi, ELI.is_part_of, work))
        g.add((pi, MND.number, Literal(p.number)))
        g.add((pi, MND.text, self.lit(d.display(p.span))))
        a = URIRef(m.anchor(p.local))
        g.add((pi, MND.anchor, a))
        self.selector(a, p.span, kind=MND.Anchor)
        for theme in p.themes:
            g.add((pi, MND.theme, self.ref(theme.iri)))
        if p.local in missing:
            g.add((pi, MND.flag, self.flag("verb-missing")))
        for n in p.footnotes:
            if any(f.number == n for f in d.footnotes):
                g.add((pi, MND.hasFootnote, URIRef(m.footnote(n))))
        clause_iris = []
        for order, c in enumerate(p.clauses, start=1):
            ci = URIRef(m.clause(p.kind, p.number, order))
            clause_iris.append((c, ci))
            self._clause(p, pi, c, ci, order)
        self._subitems(p, pi, clause_iris)
        for mention in p.mentions:
            self._mention(mention, pi, work, clause_iris)

    def _clause(self, p: Paragraph, pi: URIRef, c: Clause, ci: URIRef, order: int) -> None:
        d, g, m = self.doc, self.g, self.m
        g.add((pi, MND.hasClause, ci))
        g.add((ci, RDF.type, MND.Clause))
        if c.verb.directive:
            g.add((ci, RDF.type, MND.Mandate))
            if not c.addressees:
                g.add((ci, MND.flag, self.flag("no-addressee")))
        g.add((ci, ELI.is_part_of, pi))
        g.add((ci, MND.order, Literal(order)))
        g.add((ci, MND.verb, self.ref(c.verb.iri)))
        g.add((ci, MND.verbText, self.lit(d.display(c.verb_span))))
        g.add((ci, MND.text, self.lit(d.display(c.span))))
        ca = URIRef(m.anchor(f"{p.local}/c/{order}"))
        g.add((ci, MND.anchor, ca))
        self.selector(ca, c.span, kind=MND.Anchor)
        for a_ in c.addressees:
            g.add((ci, MND.addressee, self.ref(a_.iri)))
        self._roles(pi, c, ci)
        if c.report is not None:
            r = URIRef(f"{ci}/report")
            g.add((ci, MND.hasReportingRequest, r))
            g.add((r, RDF.type, MND.ReportingRequest))
            if c.report.by is not None:
                g.add((r, MND.reportBy, self.ref(c.report.by.iri)))
            if c.report.to is not None:
                g.add((r, MND.reportTo, self.ref(c.report.to.iri)))
            if c.report.session is not None:
                g.add((r, MND.dueSession, Literal(c.report.session)))
                g.add((r, MND.dueYear, Literal(str(first_session_year(c.report.session)), datatype=XSD.gYear)))

    def _roles(self, pi: URIRef, c: Clause, ci: URIRef) -> None:
        """The conditions a clause states and the partners of a mandate, each with a mention of
        the words it was read from (kind "condition" or "partner")."""
        for cond in c.conditions:
            r = self.ref(cond.concept.iri)
            self.g.add((ci, MND.condition, r))
            self._role_mention(pi, ci, cond.span, "condition", [r])
        for partner in c.partners:
            refs = [self.ref(a.iri) for a in partner.actors]
            for r in refs:
                self.g.add((ci, MND.partner, r))
            if refs:
                self._role_mention(pi, ci, partner.span, "partner", refs)

    def _role_mention(self, pi: URIRef, ci: URIRef, span: tuple[int, int], kind: str, refs: list[URIRef]) -> None:
        mi = URIRef(self.m.mention(*self.doc.orig_span(span)))
        self.selector(mi, span, kind=MND.Mention)
        self.g.add((mi, MND.inParagraph, pi))
        self.g.add((mi, MND.inClause, ci))
        self.g.add((mi, MND.mentionKind, Literal(kind)))
        for r in refs:
            self.g.add((mi, MND.refersTo, r))

    def _subitems(self, p: Paragraph, pi: URIRef, clause_iris: list) -> None:  # type: ignore[type-arg]
        d, g, m = self.doc, self.g, self.m
        for k, (label, (ss, _)) in enumerate(p.subitems):
            se = p.subitems[k + 1][1][0] if k + 1 < len(p.subitems) else p.span[1]
            si = URIRef(f"{pi}/{label}")
            g.add((si, RDF.type, MND.SubParagraph))
            g.add((si, ELI.is_part_of, pi))
            g.add((si, MND.marker, Literal(d.text[ss:p.subitems[k][1][1]].strip())))
            g.add((si, MND.text, self.lit(d.display((ss, se)).rstrip(";；,，"))))
            sa = URIRef(m.anchor(f"{p.local}/{label}"))
            g.add((si, MND.anchor, sa))
            self.selector(sa, (ss, se), kind=MND.Anchor)
            governing = [ci for c, ci in clause_iris if c.verb_span[0] < ss]
            if governing:
                g.add((si, MND.governedBy, governing[-1]))

    def _instrument_for_symbol(self, sym: str) -> URIRef:
        known = by_symbol(load()).get(sym)
        if known is not None:
            return self.ref(known.iri)
        minted = next((c for c in self.doc.minted.values() if c.symbol == sym), None)
        if minted is not None:
            return self.ref(minted.iri)  # its labels come from _minted
        iri = check(f"{self.base}doc/{slug(sym)}")
        if (URIRef(iri), MND.symbol, None) not in self.g:
            self.g.add((URIRef(iri), RDF.type, MND.Instrument))
            self.g.add((URIRef(iri), MND.symbol, Literal(sym)))
            self.g.add((URIRef(iri), RDFS.seeAlso, URIRef(undocs(sym))))
            self.g.add((URIRef(iri), SKOS.prefLabel, Literal(sym, lang="en")))
        return URIRef(iri)

    def _mention(self, mention: Mention, pi: URIRef, work: URIRef, clause_iris: list) -> None:
        g = self.g
        mi = URIRef(self.m.mention(*self.doc.orig_span(mention.span)))
        self.selector(mi, mention.span, kind=MND.Mention)
        g.add((mi, MND.inParagraph, pi))
        g.add((mi, MND.mentionKind, Literal(mention.how)))
        for c, ci in clause_iris:
            if c.span[0] <= mention.span[0] < c.span[1] + 1:
                g.add((mi, MND.inClause, ci))
                break
        for ref in mention.refers:
            r = self.ref(ref.iri)
            g.add((mi, MND.refersTo, r))
            if mention.in_title:
                continue
            if mention.kind == "actor":
                g.add((pi, MND.mentionsActor, r))
            else:
                g.add((pi, ELI.cites, r))
                g.add((work, ELI.cites, r))
        if mention.date:  # the cited resolution's adoption date, as this citation gives it
            g.add((mi, MND.citedDate, Literal(mention.date, datatype=XSD.date)))
        if mention.in_title:
            g.add((mi, MND.mentionKind, Literal("in-title")))
        if mention.flagged:
            g.add((mi, MND.flag, self.flag("unlisted")))
        if mention.how == "coreference" and not mention.refers:
            g.add((mi, MND.flag, self.flag("coreference-unresolved")))

    def _minted(self, c: Concept) -> None:
        g = self.g
        r = self.ref(c.iri)
        if c.kind == "actor":  # a provisional actor (an organization's name no vocabulary has)
            g.add((r, RDF.type, MND.Actor))
            g.add((r, RDF.type, MND.Organization))
            g.add((r, SKOS.inScheme, self.ref(f"{DEFAULT_BASE}scheme/unreviewed")))
            for lang, labels in sorted(c.labels.items()):
                g.add((r, SKOS.prefLabel, Literal(labels[0], lang=lang)))
            g.add((r, MND.flag, self.flag("unlisted")))
            return
        g.add((r, RDF.type, MND.Instrument))
        for lang, labels in sorted(c.labels.items()):
            for i, lab in enumerate(labels):
                g.add((r, SKOS.prefLabel if i == 0 else SKOS.altLabel, Literal(lab, lang=lang)))
        if c.symbol:
            g.add((r, MND.symbol, Literal(c.symbol)))
            g.add((r, RDFS.seeAlso, URIRef(undocs(c.symbol))))
        else:
            g.add((r, MND.flag, self.flag("unlisted")))


def build_graph(doc: Document, *, base: str = DEFAULT_BASE) -> tuple[str, Graph]:
    """The named graph IRI and the triples of one document.

    >>> from mandates.extract.read import read_source
    >>> from mandates.vocab.concepts import load
    >>> from mandates.extract.extractors import extract
    >>> from mandates.core.resources import corpus_dir
    >>> doc = extract(read_source(corpus_dir() / "A-RES-74-303.zh.md"), load())
    >>> name, g = build_graph(doc)
    >>> name
    'https://w3id.org/un-mandates/graph/A-RES-74-304/zh'
    >>> len(g) > 1000
    True
    """
    name, triples = build_triples(doc, base=base)
    g = Graph()
    g.addN((s, p, o, g) for s, p, o in triples)
    return name, g


def build_triples(doc: Document, *, base: str = DEFAULT_BASE) -> tuple[str, frozenset]:  # type: ignore[type-arg]
    """:func:`build_graph`'s triples as a set of rdflib terms (making a ``Graph`` costs a third
    of building a document; bulk builds need the triples only)."""
    b = Builder(doc, base=base)
    return b.m.graph, frozenset(b.build())


def vocabulary_graph(*, base: str = DEFAULT_BASE) -> Graph:
    """The ontology and every vocabulary as one graph (rebased when ``base`` differs)."""

    g = Graph()
    for f in vocabulary_files():
        g.parse(f, format="turtle")
    if base == DEFAULT_BASE:
        return g
    out = Graph()
    for s, p, o in g:
        out.add(tuple(URIRef(rebase(str(t), base)) if isinstance(t, URIRef) else t for t in (s, p, o)))  # type: ignore[arg-type]
    return out


def dataset(graphs: list[tuple[str, Graph]]) -> Dataset:
    ds = Dataset()
    for name, g in graphs:
        target = ds.graph(URIRef(name))
        for t in g:
            target.add(t)
    return ds
