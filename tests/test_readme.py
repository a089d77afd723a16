"""The README's quick start is what CI runs."""

from __future__ import annotations

import re

from conftest import ROOT


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [b.strip() for b in re.findall(r"```sh\n(.*?)```", quick, re.S)]


def test_quick_start_is_exactly_two_commands():
    cmds = _commands()
    assert len(cmds) == 2
    assert all("\n" not in c for c in cmds)
    assert "mandates build" in cmds[0]
    assert "pytest" in cmds[1]


def test_ci_runs_both_quick_start_commands_in_order():
    """CI runs the quick start's two commands as written, in a fresh virtual environment, and
    checks that the first one built the bundled corpus."""
    lines = (ROOT / ".ci/run").read_text(encoding="utf-8").splitlines()
    first, second = _commands()
    assert first in lines and second in lines
    assert lines.index("python3 -m venv .venv") < lines.index(first) < lines.index(second)
    assert any("build/graph.nq" in line for line in lines[lines.index(first):lines.index(second)])
