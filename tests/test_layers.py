"""The package keeps its layering rules (tests/layering.py), and the checker catches each broken rule.

The fixture packages are written by the tests: each breaks exactly one rule.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from layering import check

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ingest" / "mandates"

DOC = '"""A module."""\n'

# name -> (files of the fixture package "pkg", the phrases of the expected problems)
BROKEN = {
    "cycle": ({"core/__init__.py": DOC, "core/a.py": DOC + "from pkg.core import b\n",
               "core/b.py": DOC + "from pkg.core import a\n"},
              "import cycle: pkg.core.a <-> pkg.core.b"),
    "cycle_through_function": ({"core/__init__.py": DOC, "core/a.py": DOC + "def f():\n    from pkg.core.b import g\n",
                                "core/b.py": DOC + "from pkg.core.a import f\ndef g():\n    pass\n"},
                               ("import cycle: pkg.core.a <-> pkg.core.b", "imports pkg.core.b inside a function")),
    "private": ({"core/__init__.py": DOC, "core/a.py": DOC + "def _hidden():\n    pass\n",
                 "rdf/__init__.py": DOC, "rdf/b.py": DOC + "from pkg.core.a import _hidden\n"},
                "imports the private name _hidden of pkg.core.a"),
    "private_attribute": ({"core/__init__.py": DOC, "core/a.py": DOC + "def _hidden():\n    pass\n",
                           "rdf/__init__.py": DOC, "rdf/b.py": DOC + "from pkg.core import a\nx = a._hidden\n"},
                          "uses the private name _hidden of pkg.core.a"),
    "upward": ({"core/__init__.py": DOC, "core/a.py": DOC + "from pkg.web import b\n",
                "web/__init__.py": DOC, "web/b.py": DOC},
               "layer core imports pkg.web.b of the higher layer web"),
    "forbidden_rdflib": ({"extract/__init__.py": DOC, "extract/a.py": DOC + "import rdflib\n"},
                         "imports rdflib, allowed only in rdf, graph, validate"),
    "forbidden_pyoxigraph": ({"web/__init__.py": DOC, "web/a.py": DOC + "from pyoxigraph import Store\n"},
                             "imports pyoxigraph, allowed only in rdf"),
    "lazy_import": ({"core/__init__.py": DOC, "core/a.py": DOC + "def f():\n    import json\n"},
                    "imports json inside a function"),
    "no_docstring": ({"core/__init__.py": DOC, "core/a.py": "x = 1\n"}, "no module docstring"),
    "long_function": ({"core/__init__.py": DOC, "core/a.py": DOC + "def f():\n" + "    x = 1\n" * 100},
                      "function f has 101 lines"),
}


def _write(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for rel, text in {"__init__.py": DOC, **files}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_the_package_keeps_its_layers():
    assert check(PACKAGE) == []


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_the_checker_catches_a_broken_rule(tmp_path, case):
    files, phrases = BROKEN[case]
    phrases = (phrases,) if isinstance(phrases, str) else phrases
    problems = check(_write(tmp_path, files))
    assert len(problems) == len(phrases), problems
    for phrase in phrases:
        assert any(phrase in p for p in problems), (phrase, problems)


def test_a_package_that_keeps_the_rules_passes(tmp_path):
    root = _write(tmp_path, {"core/__init__.py": DOC, "core/a.py": DOC + "def f():\n    import jieba\n",
                             "rdf/__init__.py": DOC, "rdf/b.py": DOC + "import rdflib\nfrom pkg.core import a\n",
                             "web/__init__.py": DOC, "web/c.py": DOC + "from pkg.rdf.b import rdflib\n"})
    assert check(root) == []


def test_no_top_level_ingest_module_is_installed():
    """The distribution installs one import package, ``mandates`` (pyproject.toml)."""
    import tomllib

    conf = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert {p.split(".")[0] for p in conf["packages"]} == {"mandates"}
    assert conf["package-dir"][""] == "ingest"


def test_the_fingerprint_covers_every_module_that_builds_a_document(tmp_path, monkeypatch):
    """Editing a module at any depth of the package (not only its top level) changes the
    fingerprint that keeps cached documents, so the next build rebuilds them; the modules that
    only read a build (web/, cli.py) do not take part."""
    import shutil

    from mandates.core import fingerprint

    modules = {f.relative_to(PACKAGE).as_posix() for f in fingerprint._modules(without=fingerprint.NOT_DOCUMENT_CODE)}
    assert {"extract/segment.py", "graph/builder.py", "validate/fast.py", "core/text.py"} <= modules
    assert not any(m.startswith("web/") or m == "cli.py" for m in modules)
    copy = tmp_path / "mandates"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "PACKAGE", copy)
    fingerprint.environment.cache_clear()
    before = fingerprint.environment("https://example.org/")
    (copy / "extract" / "segment.py").write_text((copy / "extract" / "segment.py").read_text() + "\n# edited\n")
    fingerprint.environment.cache_clear()
    assert fingerprint.environment("https://example.org/") != before
    (copy / "web" / "serve.py").write_text((copy / "web" / "serve.py").read_text() + "\n# edited\n")
    fingerprint.environment.cache_clear()
    edited = fingerprint.environment("https://example.org/")
    (copy / "web" / "serve.py").write_text((copy / "web" / "serve.py").read_text() + "\n# again\n")
    fingerprint.environment.cache_clear()
    assert fingerprint.environment("https://example.org/") == edited
    fingerprint.environment.cache_clear()


def test_every_command_is_a_module_below_the_command_line():
    """The command line names each command's module as data (it is imported only when the
    command runs); each exists, sits in a layer below ``cli``, and has its entry point."""
    import importlib

    from layering import LAYERS

    from mandates.cli import COMMANDS, _parser

    assert set(COMMANDS) == set(_parser()._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    for module, entry in COMMANDS.values():
        layer = module.split(".")[1]
        assert LAYERS.index(layer) < LAYERS.index("cli"), module
        assert callable(getattr(importlib.import_module(module), entry)), (module, entry)
