"""SHACL validation: pySHACL as the reference, the fast engine, and how a build validates each document."""
