"""The one boundary to the RDF libraries (rdflib, pyoxigraph): namespaces and prefixes, terms and sorted N-Quads, IRIs, the built store."""
