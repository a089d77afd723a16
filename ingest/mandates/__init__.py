"""Turn UN General Assembly resolutions into a validated knowledge graph of mandates.

The package reads resolutions (Chinese or English text, Markdown or HTML), finds their
header, paragraphs, clauses, actors, instruments and reporting requests, builds one RDF
named graph per document with character offsets for every fact, validates it with SHACL
and exports views of it (mandates JSON/CSV) through SPARQL queries.
"""

__version__ = "0.1.0"
