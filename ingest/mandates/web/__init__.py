"""Using a built graph: library queries, pushing to a SPARQL server, the static linked-data site and the server."""
