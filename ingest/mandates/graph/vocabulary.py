"""The vocabulary graph a build uses, made once per process, and its files (``vocabulary.ttl``, N-Quads).

Both depend only on the tool and the base IRI, so the files are kept in the user's cache folder.
"""

from __future__ import annotations

from functools import lru_cache

from rdflib import Graph

from mandates.core.files import atomic_write, cache_dir
from mandates.core.fingerprint import environment
from mandates.graph.builder import vocabulary_graph
from mandates.rdf.terms import bind_report_prefixes, sorted_nquads


@lru_cache(maxsize=4)
def cached_vocabulary_graph(base: str) -> Graph:
    """The vocabulary graph (:func:`mandates.graph.builder.vocabulary_graph`), made once per process and base."""
    return vocabulary_graph(base=base)


@lru_cache(maxsize=4)
def vocabulary_outputs(base: str) -> tuple[str, str]:
    """``vocabulary.ttl`` and the vocabulary graph's N-Quads; they depend only on the tool and
    the base, so they are kept in the user's cache folder (as jieba's dictionary is)."""
    folder = cache_dir() / "vocabulary"
    key = environment(base)[:32]
    ttl_f, nq_f = folder / f"{key}.ttl", folder / f"{key}.nq"
    try:
        return ttl_f.read_text(encoding="utf-8"), nq_f.read_text(encoding="utf-8")
    except OSError:
        pass
    g = cached_vocabulary_graph(base)
    nq = sorted_nquads([(f"{base}graph/vocabulary", g)])
    bind_report_prefixes(g)  # (the graph keeps the prefixes of the vocabulary files, as vocabulary.ttl shows them)
    ttl = g.serialize(format="turtle")
    try:
        atomic_write(nq_f, nq)
        atomic_write(ttl_f, ttl)
        for old in folder.iterdir():  # keep the few latest
            if old.suffix in (".ttl", ".nq") and old.stem != key and old.stat().st_mtime < ttl_f.stat().st_mtime - 86400:
                old.unlink(missing_ok=True)
    except OSError:
        pass
    return ttl, nq
