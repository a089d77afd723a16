"""What a build reports: each file's result, the build's result and its exit code, and the
error that stops a build."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class DocResult:
    path: str
    symbol: str | None = None
    lang: str | None = None
    graph: str | None = None
    triples: int = 0
    conforms: bool | None = None
    error: str | None = None
    issues: list[dict[str, Any]] = field(default_factory=list)
    shacl: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    text: str | None = None  # a PDF or Word file: the extracted text its offsets count (OUT/docs/NAME.txt)


@dataclass
class BuildResult:
    out: Path
    documents: list[DocResult]
    rebuilt: int = 0  # documents built in this run
    unchanged: int = 0  # documents whose artefacts were reused
    exported: bool = True  # False: nothing changed, the outputs were left as they were
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase
    corpus: dict[str, Any] = field(default_factory=dict)  # the corpus shapes' verdict: conforms, results
    skipped: list[tuple[str, str]] = field(default_factory=list)  # files found and not built: (path, why)
    kept: bool = False  # True: no document could be built, and the earlier outputs were left as they were
    kept_documents: list[str] = field(default_factory=list)  # files that failed now whose earlier build was kept

    @property
    def failed(self) -> list[DocResult]:
        return [d for d in self.documents if d.error]

    @property
    def violating(self) -> list[DocResult]:
        return [d for d in self.documents if d.conforms is False]

    def exit_code(self) -> int:
        if self.failed or self.kept or self.kept_documents:
            return 3
        if self.violating or self.corpus.get("conforms") is False:
            return 1
        return 0


class BuildError(Exception):
    """The build cannot run or was cut short (another build holds the folder, workers died);
    the previous outputs and store are untouched."""


class NothingToBuild(BuildError):
    """No resolution file was found in the paths given; nothing was written."""

    def __init__(self, found: Any):
        self.found = found
        named = ", ".join(found.missing[:3]) + (" …" if len(found.missing) > 3 else "")
        parts = [f"no such file or folder: {named}"] if found.missing else []
        if found.skipped:
            parts.append(f"{len(found.skipped)} file(s) skipped")
        super().__init__("nothing to build (" + ("; ".join(parts) or "no resolution file found") + ")")
