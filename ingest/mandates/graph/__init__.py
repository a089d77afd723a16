"""A typed document to RDF triples (the only place that mints a document's triples), and the vocabulary graph."""
