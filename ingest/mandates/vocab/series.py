"""The resolution series the UN's records name (``ontology/vocab/series.ttl``) as lookups.

A series there has a stable IRI, its titles edition after edition in Chinese and English
(``skos:prefLabel``/``skos:altLabel``) and the symbols of its members (``mnd:memberSymbol``).
Nothing here names a series: the file does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mandates.core.resources import ontology_dir
from mandates.rdf.namespaces import MND, SKOS
from mandates.vocab.concepts import typed_subjects

SERIES_FILE = "series.ttl"


@dataclass(frozen=True)
class KnownSeries:
    """A series of ``series.ttl``: its IRI (default base), titles by language, member symbols."""

    iri: str
    pref: dict[str, str]
    titles: dict[str, tuple[str, ...]]  # every title (pref first) by language
    members: frozenset[str]

    def title(self, lang: str) -> str:
        """The preferred title in ``lang``, else in any language (English first).

        >>> KnownSeries("x", {"en": "T"}, {"en": ("T",)}, frozenset()).title("zh")
        'T'
        """
        return self.pref.get(lang) or self.pref.get("en") or next(iter(sorted(self.pref.values())), self.iri)


@lru_cache(maxsize=4)
def known_series(folder: str | None = None) -> tuple[KnownSeries, ...]:
    """The series of ``ontology/vocab/series.ttl`` (none when the file is absent), by IRI.

    >>> [s.iri.rsplit("/", 1)[-1] for s in known_series()]
    ['un-ipu']

    Raises:
        VocabularyError: the file is not valid Turtle.
    """
    path = (Path(folder) if folder else ontology_dir()) / "vocab" / SERIES_FILE
    if not path.is_file():
        return ()
    out = []
    for s, props in typed_subjects(path, MND + "Series"):
        pref: dict[str, str] = {}
        titles: dict[str, list[str]] = {}
        for prop in ("prefLabel", "altLabel"):
            for lit in sorted(props.get(SKOS + prop, []), key=str):
                lang = (getattr(lit, "language", None) or "").split("-")[0].lower()
                if not lang:
                    continue
                if prop == "prefLabel":
                    pref.setdefault(lang, str(lit))
                if str(lit) not in titles.setdefault(lang, []):
                    titles[lang].append(str(lit))
        for lang, p in pref.items():
            titles[lang].remove(p)
            titles[lang].insert(0, p)
        members = frozenset(str(x) for x in props.get(MND + "memberSymbol", []))
        out.append(KnownSeries(s, pref, {k: tuple(v) for k, v in titles.items()}, members))
    return tuple(out)
