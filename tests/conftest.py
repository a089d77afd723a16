"""Shared fixtures: the seed resolution built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SEED = CORPUS / "A-RES-74-303.zh.md"


@pytest.fixture(scope="session")
def vocab():
    from ingest.vocab import load

    return load()


@pytest.fixture(scope="session")
def seed_doc(vocab):
    from ingest.extract import extract
    from ingest.read import read_source

    return extract(read_source(SEED), vocab)


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory):
    """The seed built with the real pipeline into a temporary folder."""
    from ingest.pipeline import build

    out = tmp_path_factory.mktemp("seed")
    result = build([SEED], out)
    return out, result


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory):
    """The whole bundled corpus built once."""
    from ingest.pipeline import build

    out = tmp_path_factory.mktemp("corpus")
    result = build([CORPUS], out)
    return out, result
