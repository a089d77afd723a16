"""Where the shipped data lives: the ontology, the query library and the bundled corpus.

In a source checkout (or an editable install) the folders sit beside the package; in a
wheel they are installed as the packages ``mandates.data.*`` (see pyproject.toml).
"""

from __future__ import annotations

from importlib import resources as _resources
from pathlib import Path

_REPO = Path(__file__).resolve().parents[3]


def _folder(name: str) -> Path:
    here = _REPO / name
    if here.is_dir():
        return here
    return Path(str(_resources.files("mandates.data") / name))


def ontology_dir() -> Path:
    """The folder of the ontology, the shapes and the vocabularies."""
    return _folder("ontology")


def queries_dir() -> Path:
    """The folder of the SPARQL query library."""
    return _folder("queries")


def corpus_dir() -> Path:
    """The folder of the bundled corpus of resolutions."""
    return _folder("corpus")
