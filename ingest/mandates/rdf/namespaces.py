"""The namespaces of the graph and the one prefix table every serialisation and query uses.

Plain strings (no RDF library), so that any layer may name a term.

>>> PREFIXES["mnd"] == MND
True
"""

from __future__ import annotations

import re

DEFAULT_BASE = "https://w3id.org/un-mandates/"

DCTERMS = "http://purl.org/dc/terms/"
ELI = "http://data.europa.eu/eli/ontology#"
MND = "https://w3id.org/un-mandates/ontology#"
OA = "http://www.w3.org/ns/oa#"
ORG = "http://www.w3.org/ns/org#"
OWL = "http://www.w3.org/2002/07/owl#"
PROV = "http://www.w3.org/ns/prov#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SKOS_NOTE = "http://www.w3.org/2004/02/skos/core#note"
XSD = "http://www.w3.org/2001/XMLSchema#"
SH = "http://www.w3.org/ns/shacl#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
FOAF = "http://xmlns.com/foaf/0.1/"
FORMATS_NS = "http://www.w3.org/ns/formats/"

#: the prefixes of the graph files, the published pages and the endpoint's answers (sorted by prefix)
PREFIXES = {
    "dcterms": DCTERMS,
    "eli": ELI,
    "mnd": MND,
    "oa": OA,
    "org": ORG,
    "owl": OWL,
    "prov": PROV,
    "rdf": RDF,
    "rdfs": RDFS,
    "skos": SKOS,
    "xsd": XSD,
}
#: the catalogue's (VoID, DCAT) prefixes besides those
CATALOGUE_PREFIXES = {**PREFIXES, "void": VOID, "dcat": DCAT, "spdx": SPDX, "foaf": FOAF}

VOCABULARY_GRAPH = "graph/vocabulary"  # relative to the base
_DOCUMENT_GRAPH = re.compile(r"(.*/)graph/[^/]+/[a-z]{2,3}$")


def graph_base(graph_names: list[str] | tuple[str, ...] | set[str]) -> str:
    """The base IRI a graph was built with, from the names of its named graphs: the vocabulary
    graph ``{base}graph/vocabulary``, else a document graph ``{base}graph/{symbol}/{lang}``.

    >>> graph_base(["http://x.org/m/graph/A-RES-1-1/zh"])
    'http://x.org/m/'
    >>> graph_base([]) == DEFAULT_BASE
    True
    """
    names = sorted(graph_names)
    for g in names:
        if g.endswith(VOCABULARY_GRAPH):
            return g[: -len(VOCABULARY_GRAPH)]
    for g in names:
        m = _DOCUMENT_GRAPH.match(g)
        if m:
            return m.group(1)
    return DEFAULT_BASE
