"""The built store to files: the mandates view (JSON/CSV), the GEXF/PNG/SVG networks, the graph files."""
