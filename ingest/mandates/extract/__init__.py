"""Text to a typed document, without RDF: reading, normalising, header, segments, mentions and clauses."""
