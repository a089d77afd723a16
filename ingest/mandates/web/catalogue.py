"""The published site's catalogue and the files crawlers and front servers read.

:func:`void_triples` describes the dataset ``{base}void.ttl#dataset`` in VoID (counts, the
named graphs as subsets, the dumps with their sizes and SHA-256) and as a DCAT-AP catalogue:
the ``dcat:Catalog`` ``{base}void.ttl#catalog`` with the ``dcat:Dataset``, a
``dcat:Distribution`` for each dump and one for the SPARQL endpoint, the ``dcat:DataService``
``{base}void.ttl#service`` (the endpoint ``{base}sparql``), the publisher (``foaf:Agent``), the
contact point (vCard), keywords and themes (the EU's data themes and the graph's own most
used themes), the licence of the data and ``dcterms:rights`` for the United Nations texts the
graph republishes (``mnd:text``, ``mnd:exact``), release and modification dates. The dates come
from the data (the latest adoption date of a built resolution) unless given
(:class:`CatalogueInfo`): nothing depends on the clock. ``tests/schemas/dcat-ap/`` holds the
DCAT-AP 3 shapes the catalogue is checked with.

:func:`graph_description` describes a named graph (``graph/…``) in ``void.ttl``;
:func:`sitemap_files`, :func:`robots_txt` and :func:`nginx_maps` write ``sitemap.xml``,
``robots.txt`` and the maps ``deploy/nginx/mandates.conf`` includes from ``.nginx/`` (the
non-information resources, answered 303; the retired IRIs, answered 301).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from mandates import __version__
from mandates.rdf.describe import DATA_LICENSE, DATASET, graph_query, iri, literal, query_iri, triple
from mandates.rdf.formats import canonical_order
from mandates.rdf.namespaces import (CATALOGUE_PREFIXES, DCAT, DCTERMS, ELI, FOAF, FORMATS_NS, MND, OA, ORG, OWL, PROV,
                                     RDF, RDFS, SKOS, SPDX, VOID, XSD)
from mandates.web.pages import M
from mandates.web.site import EU_LANG, Site

DCT = DCTERMS
VCARD = "http://www.w3.org/2006/vcard/ns#"
DCATAP = "http://data.europa.eu/r5r/"
#: the prefixes of ``void.ttl``
PREFIXES = {**CATALOGUE_PREFIXES, "vcard": VCARD, "dcatap": DCATAP}
EU = "http://publications.europa.eu/resource/authority/"
#: the EU's data themes the dataset is filed under (their names: ``templates/messages.json``)
EU_THEMES = ("INTR", "GOVE")
#: how many of the graph's own themes (the most used) the catalogue names
OWN_THEMES = 8
#: the United Nations' terms of use of the texts it publishes
UN_TERMS = "https://www.un.org/en/about-us/terms-of-use"
#: the area the dataset covers: the whole Earth (GeoNames)
EARTH = "http://sws.geonames.org/6295630/"
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
#: at most this many addresses in one sitemap file (sitemaps.org)
SITEMAP_MAX = 50000
MEDIA = {"graph.nq": ("application/n-quads", "N-Quads", "RDF_N_QUADS"),
         "graph.ttl": ("text/turtle", "Turtle", "RDF_TURTLE")}


@dataclass(frozen=True)
class CatalogueInfo:
    """What the catalogue says that the graph does not: the release date (``issued``,
    ``YYYY-MM-DD``; default: the latest adoption date of a built resolution), the publisher's
    name (default: the project's, ``templates/messages.json``) and the contact point (an
    ``http(s):`` or ``mailto:`` address; default: the site's home page)."""

    issued: str | None = None
    publisher: str | None = None
    contact: str | None = None


class _Triples:
    """A list of triples built with IRIs and literals given as strings."""

    def __init__(self) -> None:
        self.out: list = []

    def add(self, s: str, p: str, o: Any) -> None:
        self.out.append(triple(iri(s), iri(p), o if not isinstance(o, str) else iri(o)))

    def both(self, s: str, p: str, key: str, **fields: Any) -> None:
        """The Chinese and the English of a phrase of ``messages.json``, as two literals."""
        for lang, text in zip(("zh", "en"), M(key, **fields)):
            self.add(s, p, literal(text, language=lang))

    def typed(self, s: str, p: str, value: Any, dt: str) -> None:
        self.add(s, p, literal(str(value), datatype=XSD + dt))


def adoption_dates(site: Site) -> list[str]:
    """The adoption dates of the built resolutions, sorted."""
    return sorted(v for w in site.works() if (v := site.d.literal(w, ELI + "date_document")))


def void_triples(site: Site, dumps: dict[str, dict[str, Any]], graphs: dict[str, int], triples: int,
                 info: CatalogueInfo = CatalogueInfo()) -> list:
    """The VoID and DCAT-AP description of the dataset ``{base}void.ttl#dataset`` and its catalogue."""
    t = _Triples()
    ds = site.base + DATASET
    _void(t, site, ds, triples)
    for g, n in sorted(graphs.items()):
        t.add(ds, VOID + "subset", g)
        t.add(g, RDF + "type", VOID + "Dataset")
        t.typed(g, VOID + "triples", n, "integer")
        if g in site.graph_paths.values():
            t.out.extend(graph_description(site, g, n)[0])
    _dumps(t, site.base, ds, dumps)
    _catalogue(t, site, ds, info)
    return canonical_order(t.out, ds)


def _void(t: _Triples, site: Site, ds: str, triples: int) -> None:
    """The dataset's VoID: counts, vocabularies, sources, example resources."""
    d, base = site.d, site.base
    t.add(ds, RDF + "type", VOID + "Dataset")
    t.add(ds, RDF + "type", DCAT + "Dataset")
    t.both(ds, DCT + "title", "Mandates in UN General Assembly resolutions")
    t.both(ds, DCT + "description", "void.description")
    t.add(ds, DCT + "license", DATA_LICENSE)
    tool = f"{base}tool/mandates/{__version__}"
    t.add(ds, DCT + "creator", tool if tool in d.by_s else literal(f"mandates {__version__}"))
    t.add(ds, DCAT + "landingPage", base)
    t.add(ds, FOAF + "homepage", base)
    t.add(ds, VOID + "uriSpace", literal(base))
    t.add(ds, VOID + "sparqlEndpoint", base + "sparql")
    t.typed(ds, VOID + "triples", triples, "integer")
    t.typed(ds, VOID + "entities", len(site.paths), "integer")
    t.typed(ds, VOID + "distinctSubjects", len({x.subject for x in d.triples}), "integer")
    t.typed(ds, VOID + "distinctObjects", len({x.object for x in d.triples}), "integer")
    t.typed(ds, VOID + "properties", len({x.predicate for x in d.triples}), "integer")
    t.typed(ds, VOID + "classes", len({x.object for x in d.triples if x.predicate.value == RDF + "type"}), "integer")
    for v in (MND.rstrip("#"), ELI.rstrip("#"), OA.rstrip("#"), PROV.rstrip("#"), SKOS.rstrip("/"), DCT.rstrip("/"),
              ORG.rstrip("#")):
        t.add(ds, VOID + "vocabulary", v)
    for lang in sorted(EU_LANG):
        t.add(ds, DCT + "language", lang)
    # where each built text came from (corpus/SOURCES.tsv), else the official text of its work
    sources: set[str] = set()
    for expr in d.subjects(RDF + "type", MND + "LanguageVersion"):
        f = d.literal(expr, MND + "sourceFile") or ""
        if f in site.sources:
            sources.add(site.sources[f])
        else:
            for w in d.iris(expr, ELI + "realizes"):
                sources.update(d.iris(w, RDFS + "seeAlso"))
    for src in sorted(sources):
        t.add(ds, DCT + "source", src if re.match(r"https?://\S+$", src) else literal(src))
    works = sorted(s for s in site.paths.values() if site.kind(s) == "resolution" and d.iris(s, ELI + "is_realized_by"))
    for w in works:
        t.add(ds, VOID + "rootResource", w)
    for w in works[:1]:
        t.add(ds, VOID + "exampleResource", w)
        clauses = [c for p in site.paragraphs_of(w) for c in site.clauses_of(p)]
        if clauses:
            t.add(ds, VOID + "exampleResource", clauses[0])


def _dumps(t: _Triples, base: str, ds: str, dumps: dict[str, dict[str, Any]]) -> None:
    """A distribution for each dump (VoID ``void:dataDump``, DCAT-AP), and one for the endpoint."""
    rights = base + "void.ttl#rights"
    for name, info in sorted(dumps.items()):
        media, fmt, eu_type = MEDIA[name]
        dist = base + "dump/" + name
        t.add(ds, VOID + "dataDump", dist)
        t.add(ds, DCAT + "distribution", dist)
        t.add(ds, VOID + "feature", FORMATS_NS + fmt)
        t.add(dist, RDF + "type", DCAT + "Distribution")
        t.both(dist, DCT + "title", "dump {name}", name=name)
        t.both(dist, DCT + "description", f"dump.{name}")
        t.add(dist, DCAT + "accessURL", dist)
        t.add(dist, DCAT + "downloadURL", dist)
        t.add(dist, DCAT + "mediaType", "http://www.iana.org/assignments/media-types/" + media)
        t.add(dist, DCT + "format", EU + "file-type/" + eu_type)
        t.add(dist, DCATAP + "availability", EU + "planned-availability/STABLE")
        t.typed(dist, DCAT + "byteSize", info["bytes"], "nonNegativeInteger")
        t.add(dist, DCT + "license", DATA_LICENSE)
        t.add(dist, DCT + "rights", rights)
        t.typed(dist, VOID + "triples", info["triples"], "integer")
        chk = dist + "#sha256"
        t.add(dist, SPDX + "checksum", chk)
        t.add(chk, RDF + "type", SPDX + "Checksum")
        t.add(chk, SPDX + "algorithm", SPDX + "checksumAlgorithm_sha256")
        t.add(chk, SPDX + "checksumValue", literal(info["sha256"], datatype=XSD + "hexBinary"))
    dist = base + "void.ttl#sparql"
    t.add(ds, DCAT + "distribution", dist)
    t.add(dist, RDF + "type", DCAT + "Distribution")
    t.both(dist, DCT + "title", "SPARQL endpoint")
    t.both(dist, DCT + "description", "dump.sparql")
    t.add(dist, DCAT + "accessURL", base + "sparql")
    t.add(dist, DCAT + "accessService", base + "void.ttl#service")
    t.add(dist, DCT + "format", EU + "file-type/SPARQLQRES")
    t.add(dist, DCATAP + "availability", EU + "planned-availability/AVAILABLE")
    t.add(dist, DCT + "license", DATA_LICENSE)
    t.add(dist, DCT + "rights", rights)


def _catalogue(t: _Triples, site: Site, ds: str, info: CatalogueInfo) -> None:
    """The catalogue, the endpoint's data service, the dataset's DCAT-AP properties."""
    base = site.base
    cat, svc, pub, contact = (base + "void.ttl#" + x for x in ("catalog", "service", "publisher", "contact"))
    dates = adoption_dates(site)
    issued = info.issued or (dates[-1] if dates else None)
    modified = max(x for x in (issued, dates[-1] if dates else None) if x) if issued else None
    t.add(cat, RDF + "type", DCAT + "Catalog")
    t.both(cat, DCT + "title", "catalogue.title")
    t.both(cat, DCT + "description", "catalogue.description")
    t.add(cat, FOAF + "homepage", base)
    t.add(cat, DCAT + "dataset", ds)
    t.add(cat, DCAT + "service", svc)
    for node in (cat, ds):
        t.add(node, DCT + "publisher", pub)
        t.add(node, DCT + "license", DATA_LICENSE)
        t.add(node, DCT + "spatial", EARTH)
        for lang in sorted(EU_LANG):
            t.add(node, DCT + "language", lang)
        if issued:
            t.typed(node, DCT + "issued", issued, "date")
        if modified:
            t.typed(node, DCT + "modified", modified, "date")
    t.add(svc, RDF + "type", DCAT + "DataService")
    t.both(svc, DCT + "title", "SPARQL endpoint")
    t.both(svc, DCT + "description", "service.description")
    t.add(svc, DCAT + "endpointURL", base + "sparql")
    t.add(svc, DCAT + "endpointDescription", base + "sparql")
    t.add(svc, DCAT + "servesDataset", ds)
    t.add(svc, DCT + "conformsTo", SPARQL_PROTOCOL)
    t.add(svc, DCT + "license", DATA_LICENSE)
    t.add(svc, DCT + "publisher", pub)
    t.add(svc, DCAT + "contactPoint", contact)
    t.add(ds, DCAT + "contactPoint", contact)
    t.add(ds, DCT + "accessRights", EU + "access-right/PUBLIC")
    t.add(ds, DCT + "conformsTo", MND.rstrip("#"))
    if dates:
        period = base + "void.ttl#period"
        t.add(ds, DCT + "temporal", period)
        t.add(period, RDF + "type", DCT + "PeriodOfTime")
        t.typed(period, DCAT + "startDate", dates[0], "date")
        t.typed(period, DCAT + "endDate", dates[-1], "date")
    _agents(t, base, pub, contact, info)
    _rights(t, base, ds)
    _themes(t, site, cat, ds)


def _agents(t: _Triples, base: str, pub: str, contact: str, info: CatalogueInfo) -> None:
    """The publisher and the contact point."""
    t.add(pub, RDF + "type", FOAF + "Agent")
    t.add(pub, RDF + "type", FOAF + "Organization")
    t.add(contact, RDF + "type", VCARD + "Kind")
    t.add(contact, RDF + "type", VCARD + "Organization")
    if info.publisher:
        t.add(pub, FOAF + "name", literal(info.publisher))
        t.add(contact, VCARD + "fn", literal(info.publisher))
    else:
        t.both(pub, FOAF + "name", "publisher.name")
        t.both(contact, VCARD + "fn", "publisher.name")
    address = info.contact or base
    t.add(contact, VCARD + ("hasEmail" if address.startswith("mailto:") else "hasURL"), address)


def _rights(t: _Triples, base: str, ds: str) -> None:
    """The licence document, and the rights statement of the republished United Nations texts."""
    rights = base + "void.ttl#rights"
    t.add(ds, DCT + "rights", rights)
    t.add(rights, RDF + "type", DCT + "RightsStatement")
    t.both(rights, RDFS + "label", "rights.un-texts")
    t.add(rights, RDFS + "seeAlso", UN_TERMS)
    t.add(DATA_LICENSE, RDF + "type", DCT + "LicenseDocument")
    t.add(DATA_LICENSE, DCT + "type", "http://purl.org/adms/licencetype/Attribution")
    t.add(EARTH, RDF + "type", DCT + "Location")


def _themes(t: _Triples, site: Site, cat: str, ds: str) -> None:
    """Keywords and themes: the EU's data themes, and the graph's most used themes (with
    their labels as keywords)."""
    eu = EU + "data-theme"
    t.add(cat, DCAT + "themeTaxonomy", eu)
    t.add(eu, RDF + "type", SKOS + "ConceptScheme")
    t.both(eu, DCT + "title", "EU data themes")
    for code in EU_THEMES:
        theme = f"{eu}/{code}"
        t.add(ds, DCAT + "theme", theme)
        t.add(theme, RDF + "type", SKOS + "Concept")
        t.add(theme, SKOS + "inScheme", eu)
        t.both(theme, SKOS + "prefLabel", f"theme.{code}")
    for n in range(1, 4):
        t.both(ds, DCAT + "keyword", f"keyword.{n}")
    own = [x for x, _ in site.ranked(MND + "theme", ("theme",))[:OWN_THEMES]]
    for theme in own:
        t.add(ds, DCAT + "theme", theme)
        t.add(theme, RDF + "type", SKOS + "Concept")
        for scheme in site.d.iris(theme, SKOS + "inScheme"):
            t.add(theme, SKOS + "inScheme", scheme)
            t.add(cat, DCAT + "themeTaxonomy", scheme)
            t.add(scheme, RDF + "type", SKOS + "ConceptScheme")
        for lab in site.d.objects(theme, SKOS + "prefLabel"):
            t.add(theme, SKOS + "prefLabel", lab)
            t.add(ds, DCAT + "keyword", lab)


# ---------------------------------------------------------------- named graphs


def graph_description(site: Site, graph: str, size: int) -> tuple[list, list]:
    """A named graph's description (VoID: its size, the dataset it is a subset of, the resources
    it holds first, the source it was made from, the query that gives it), and its triples."""
    d, base = site.d, site.base
    t = _Triples()
    t.add(graph, RDF + "type", VOID + "Dataset")
    t.typed(graph, VOID + "triples", size, "integer")
    t.add(graph, DCT + "isPartOf", base + DATASET)
    content = [x for x in d.triples if graph in d.graphs_of.get(x, ())]
    for s in sorted({x.subject.value for x in content}):
        kind = site.kind(s)
        if kind in ("resolution", "language-version", "scheme") and s.startswith(base):
            t.add(graph, VOID + "rootResource", s)
        if kind == "source":
            t.add(graph, PROV + "wasDerivedFrom", s)
        if kind == "language-version":
            f = d.literal(s, MND + "sourceFile") or ""
            if re.match(r"https?://\S+$", site.sources.get(f, "")):
                t.add(graph, DCT + "source", site.sources[f])
    t.add(graph, RDFS + "seeAlso", query_iri(base, graph_query(site.to_src(iri(graph)).value)))
    return canonical_order(t.out, graph), content


# ---------------------------------------------------------------- crawlers and front servers


def page_address(site: Site, iri_: str) -> str:
    """The address of a resource's page: its IRI, or ``{IRI}.html`` for a thing that is no
    document (its IRI answers 303)."""
    return iri_ + ".html" if site.non_information(iri_) else iri_


def sitemap_files(site: Site) -> dict[str, str]:
    """``sitemap.xml`` (the home page, the ontology and every page of the site; past
    :data:`SITEMAP_MAX` addresses, an index of ``sitemap-N.xml`` files)."""
    base = site.base
    urls = [base, base + "ontology/"]
    urls += [page_address(site, i) for _, i in sorted({**site.paths, **site.graph_paths}.items())]
    head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'

    def urlset(chunk: list[str]) -> str:
        return head + f"<urlset {ns}>\n" + "".join(f"<url><loc>{escape(u)}</loc></url>\n" for u in chunk) + "</urlset>\n"

    if len(urls) <= SITEMAP_MAX:
        return {"sitemap.xml": urlset(urls)}
    files = {f"sitemap-{i // SITEMAP_MAX + 1}.xml": urlset(urls[i:i + SITEMAP_MAX])
             for i in range(0, len(urls), SITEMAP_MAX)}
    index = head + f"<sitemapindex {ns}>\n" + "".join(
        f"<sitemap><loc>{escape(base + name)}</loc></sitemap>\n" for name in sorted(files, key=lambda n: int(n[8:-4]))
    ) + "</sitemapindex>\n"
    return {"sitemap.xml": index, **files}


def robots_txt(base: str) -> str:
    """``robots.txt``: every page may be crawled, the SPARQL endpoint not; where the sitemap is."""
    return f"User-agent: *\nDisallow: /sparql\n\nSitemap: {base}sitemap.xml\n"


def _quote(text: str) -> str:
    """A string of nginx's configuration language, in double quotes."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def nginx_maps(site: Site) -> dict[str, str]:
    """The maps ``deploy/nginx/mandates.conf`` includes: ``.nginx/noninfo.map`` (the path of
    every resource that is no document, answered 303 to its description) and
    ``.nginx/retired.map`` (every IRI a symbol correction retired, and what is under it,
    answered 301 to the IRI that answers now: ``owl:sameAs`` in the graph) and
    ``.nginx/codes.map`` (see :func:`_codes_map`)."""
    noninfo = sorted(p for p, i in site.paths.items() if site.non_information(i))
    lines = ["# mandates publish: the resources that are no documents (their IRIs answer 303)\n"]
    lines += [f"{_quote('/' + p)} 1;\n" for p in noninfo]
    moved = ["# mandates publish: retired IRIs (symbol corrections, owl:sameAs) -> the IRI that answers now\n"]
    for old in sorted(site.paths.values()):
        for new in site.d.iris(old, OWL + "sameAs"):
            if old.startswith(site.base) and new.startswith(site.base) and new != old:
                src, dst = old[len(site.base):], new[len(site.base):]
                moved.append(f"{_quote('~^/' + re.escape(src) + '(?<mandates_rest>[/.].*)?$')} "
                             f"{_quote('/' + dst + '$mandates_rest')};\n")
    return {".nginx/noninfo.map": "".join(lines), ".nginx/retired.map": "".join(moved), ".nginx/codes.map": _codes_map(site)}


def _codes_map(site: Site) -> str:
    """``.nginx/codes.map``: ``/iso/FRA``, ``/iso/FR``, ``/m49/250`` (any case, M49 with or
    without its leading zeros) -> the State's path, answered 303 as ``mandates serve`` does; a
    code two actors share names neither."""
    found: dict[str, set[str]] = {}
    for path, iri in site.paths.items():
        for prop, scheme in (("isoAlpha3", "iso"), ("isoAlpha2", "iso"), ("m49", "m49")):
            for code in site.values(iri, MND + prop):
                # (nginx compares a map's strings without regard to case)
                spellings = {code.upper()} if scheme == "iso" else {code, code.lstrip("0") or "0", code.zfill(3)}
                for spelling in spellings:
                    found.setdefault(f"/{scheme}/{spelling}", set()).add("/" + path)
    lines = ["# mandates publish: States by their codes (ISO 3166-1 alpha-3 and alpha-2, UN M49) -> their pages\n"]
    lines += [f"{_quote(code)} {_quote(next(iter(paths)))};\n" for code, paths in sorted(found.items()) if len(paths) == 1]
    return "".join(lines)
