"""Corpus orchestration: worker processes, language versions, the incremental store, the outputs of a build."""
