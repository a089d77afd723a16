"""The vocabularies under ``ontology/`` (verbs, actors, instruments, themes, drafting conventions) as Python objects."""
