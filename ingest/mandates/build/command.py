"""``mandates build``: the options checked, the build run, and what it did told on stderr.

Exit codes (the README's): 0 built and valid; 1 built, the data violate the SHACL shapes;
2 usage error (a bad option, an output folder that cannot be written); 3 an input could not be
read or built (the others are built; when none can be, the earlier build is left as it was).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from mandates.build.pipeline import build
from mandates.build.results import BuildError, BuildResult, NothingToBuild
from mandates.core.resources import corpus_dir
from mandates.core.symbols import canonical
from mandates.rdf.iris import IRIError, check
from mandates.rdf.namespaces import DEFAULT_BASE
from mandates.vocab.concepts import VocabularyError

EXIT_USAGE, EXIT_INPUT = 2, 3
# a General Assembly resolution symbol as the option may give it: A/RES/74/303, 74/303,
# A/RES/ES-10/22, A/RES/2758(XXVI), 2758 (XXVI)
_RESOLUTION = re.compile(r"(?:A/RES/)?(?:\d{1,3}/\d{1,4}|(?:ES|S)-\d{1,2}/\d{1,4}|\d{1,4} ?\([IVXL]{1,7}\))")


def _options(args: argparse.Namespace) -> tuple[str, str | None] | int:
    """The base IRI and the symbol the options give, checked before anything is read or written
    (an exit code when they are wrong)."""
    base = args.base or DEFAULT_BASE
    if not base.endswith(("/", "#")):
        base += "/"
    try:
        check(base + "doc/x")
    except IRIError as exc:
        return _usage(f"--base {args.base!r} is not an absolute IRI ({exc}); give one such as {DEFAULT_BASE}")
    symbol = args.symbol
    if symbol is not None:
        printed = symbol.strip()
        if not _RESOLUTION.fullmatch(printed.upper()):
            return _usage(f"--symbol {symbol!r} is not a General Assembly resolution symbol; give one such as "
                          "A/RES/74/303, 74/303, A/RES/ES-10/22 or A/RES/2758(XXVI)")
        symbol = canonical(printed.upper().removeprefix("A/RES/").replace(" (", "("))
        if not symbol.startswith("A/RES/"):
            symbol = "A/RES/" + symbol
    if args.out.exists() and not args.out.is_dir():
        return _usage(f"--out {args.out} exists and is not a folder")
    if args.jobs is not None and args.jobs < 1:
        return _usage("--jobs must be 1 or more")
    return base, symbol


def _usage(message: str) -> int:
    print(f"mandates: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def build_cli(args: argparse.Namespace) -> int:
    """Run ``mandates build`` with parsed arguments; the exit code."""
    checked = _options(args)
    if isinstance(checked, int):
        return checked
    base, symbol = checked
    paths = args.paths or [corpus_dir()]
    progress = Progress(bar=not args.no_progress and not args.quiet and sys.stderr.isatty()
                        and os.environ.get("CI", "").lower() in ("", "0", "false"))
    try:
        result = build(paths, args.out, base=base, symbol=symbol, lang=args.lang, progress=progress,
                       jobs=args.jobs, force=args.force, validator=args.validator,
                       recursive=not args.no_recursive, allow_empty=args.allow_empty)
    except NothingToBuild as exc:
        progress.end()
        _skipped(exc.found.skipped)
        kept = " (the earlier build in it is left as it was)" if (args.out / "graph.nq").exists() else ""
        print(f"mandates: error: {exc}; nothing was written to {args.out}{kept}", file=sys.stderr)
        return EXIT_INPUT
    except VocabularyError as exc:
        progress.end()
        print(f"mandates: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except BuildError as exc:
        progress.end()
        print(f"mandates: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # the output folder cannot be written
        progress.end()
        print(f"mandates: error: --out {args.out}: cannot be written ({exc.strerror or exc}); "
              "choose a folder you can write to", file=sys.stderr)
        return EXIT_USAGE
    progress.end()
    _report(args, result)
    return result.exit_code()


def _skipped(skipped: list[tuple[str, str]]) -> None:
    for path, why in skipped:
        print(f"mandates: skipped {path}: {why}", file=sys.stderr)


def _report(args: argparse.Namespace, result: BuildResult) -> None:
    """The per-file lines (in file order, once the build knows each file's fate) and the summary."""
    for r in result.documents:
        if not args.quiet or r.error:
            print(f"  {r.path}: {_state(r)}", file=sys.stderr)
    _skipped(result.skipped)
    for r in result.violating:
        print(f"mandates: {r.path}: {len([x for x in r.shacl if x['severity'] == 'Violation'])} SHACL "
              f"violation(s), see {args.out / 'shacl-report.ttl'}", file=sys.stderr)
    corpus_violations = [x for x in result.corpus.get("results", []) if x["severity"] == "Violation"]
    if corpus_violations:
        print(f"mandates: the documents disagree with each other: {len(corpus_violations)} SHACL violation(s) of "
              f"ontology/corpus-shapes.ttl, e.g. {corpus_violations[0]['focus']}: {corpus_violations[0]['message']} "
              f"(see {args.out / 'report.json'}, \"corpus\")", file=sys.stderr)
    if result.kept:
        print(f"mandates: no document could be built; the earlier build in {args.out}/ is left as it was",
              file=sys.stderr)
        return
    built = sum(1 for r in result.documents if r.graph and not r.error)
    print(f"mandates: built {built} document(s) ({result.rebuilt} built now, {result.unchanged} unchanged), "
          f"{len(result.failed)} failed, {len(result.violating)} with SHACL violations -> {args.out}/"
          + ("" if result.exported else " (nothing changed)"), file=sys.stderr)


def _state(r) -> str:  # type: ignore[no-untyped-def]
    """What a file's line says: failed, SHACL violations, warnings (N) or ok."""
    if r.error:
        return f"failed ({r.error.removeprefix(r.path + ': ')})"
    head = f"{r.symbol} ({r.lang}), {r.triples} triples, "
    if r.conforms is False:
        return head + "SHACL violations"
    warnings = sum(1 for i in r.issues or [] if i.get("severity") in ("warning", "violation"))
    return head + (f"warnings ({warnings}), see report.json" if warnings else "ok")


class Progress:
    """A bar on a terminal while the documents are built (the per-file lines come at the end)."""

    def __init__(self, *, bar: bool) -> None:
        self.bar = bar
        self.total = self.done = 0
        self.width = 0

    def start(self, total: int, unchanged: int) -> None:
        self.total, self.done = total, unchanged
        if self.bar and total > unchanged:
            self._draw()

    def __call__(self, r) -> None:  # type: ignore[no-untyped-def]
        self.done += 1
        if self.bar:
            self._draw(r.path)

    failed = __call__

    def _draw(self, last: str = "") -> None:
        n = 30
        filled = n * self.done // max(1, self.total)
        line = f"\r[{'#' * filled}{'.' * (n - filled)}] {self.done}/{self.total} {Path(last).name}"[:100]
        sys.stderr.write(line + " " * max(0, self.width - len(line)))
        self.width = len(line)
        sys.stderr.flush()

    def end(self) -> None:
        if self.bar and self.width:
            sys.stderr.write("\r" + " " * self.width + "\r")
            sys.stderr.flush()


