"""The ``mandates`` command line: argparse and dispatch only.

Exit codes: 0 success; 1 the data violates the SHACL shapes; 2 usage error (a bad option,
an output folder that cannot be written); 3 an input could not be read or built (the other
files are still built; when none can be, the earlier build is left as it was); 4 an internal
error (a bug: the message says how to report it). Data go to files or stdout, messages to stderr.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from mandates import __version__
from mandates.build.pipeline import build
from mandates.build.results import BuildError, NothingToBuild
from mandates.core.resources import corpus_dir
from mandates.core.symbols import canonical
from mandates.exports.gephi import export_cli
from mandates.rdf.iris import IRIError, check
from mandates.rdf.namespaces import DEFAULT_BASE
from mandates.vocab.concepts import VocabularyError
from mandates.web.publish import publish_cli
from mandates.web.push import push_cli
from mandates.web.query import query_cli
from mandates.web.serve import serve_cli

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3, 4
# a General Assembly resolution symbol as the option may give it: A/RES/74/303, 74/303,
# A/RES/ES-10/22, A/RES/2758(XXVI), 2758 (XXVI)
_RESOLUTION = re.compile(r"(?:A/RES/)?(?:\d{1,3}/\d{1,4}|(?:ES|S)-\d{1,2}/\d{1,4}|\d{1,4} ?\([IVXL]{1,7}\))")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit 2 with a hint, never a traceback
        self.print_usage(sys.stderr)
        print(f"mandates: error: {message} (see 'mandates {self.prog.split()[-1]} --help')"
              if " " in self.prog else f"mandates: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="mandates", description="Turn UN General Assembly resolutions into a validated "
                "knowledge graph of mandates.")
    p.add_argument("--version", action="version", version=f"mandates {__version__}")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)
    b = sub.add_parser("build", help="build resolution files or folders into a graph, a SHACL report and exports")
    b.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the bundled corpus)")
    b.add_argument("--out", type=Path, default=Path("build"), help="output folder (default: build/)")
    b.add_argument("--base", default=None, help="base IRI for minted IRIs (default: https://w3id.org/un-mandates/)")
    b.add_argument("--symbol", default=None, help="the symbol of a single document whose text gives none")
    b.add_argument("--lang", choices=("zh", "en"), default=None, help="the language (default: detected)")
    b.add_argument("--quiet", action="store_true", help="no per-document lines on stderr")
    b.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                   help="worker processes (default: one per CPU; 1 builds in this process)")
    b.add_argument("--force", action="store_true",
                   help="build every document again (default: only new and changed ones)")
    b.add_argument("--validator", choices=("auto", "pyshacl"), default="auto",
                   help="auto (default): the nodes the fast SHACL engine finds a result for are validated again "
                        "by pySHACL (the results and report are its); the engine clears the rest. pyshacl: pySHACL "
                        "for every document")
    b.add_argument("--no-progress", action="store_true",
                   help="no progress bar (there is none unless stderr is a terminal, nor when CI is set)")
    b.add_argument("--no-recursive", action="store_true",
                   help="search the folders given, not their sub-folders (default: sub-folders too)")
    b.add_argument("--allow-empty", action="store_true",
                   help="write an empty build when no document can be built (default: leave the earlier "
                        "build in --out as it was, and exit 3)")

    q = sub.add_parser("query", help="run a library query (by name) or a SPARQL file against a built store")
    q.add_argument("query", help="a query name from queries/ (e.g. mandates-by-addressee) or a .rq file")
    q.add_argument("--store", default="build", help="the folder 'mandates build --out' wrote (default: build/), "
                   "or a SPARQL endpoint URL")
    q.add_argument("--param", action="append", default=[], metavar="K=V",
                   help="bind a query parameter (repeatable); IRIs in <>, else a string literal")
    q.add_argument("--format", choices=("table", "csv", "json", "tsv"), default="table",
                   help="how the rows are printed (default: table)")

    e = sub.add_parser("export", help="export a view of a built store: gephi (GEXF 1.3), png, svg, csv tables")
    e.add_argument("kind", choices=("gephi", "png", "svg", "gephi-csv"))
    e.add_argument("--store", default="build", help="the folder 'mandates build --out' wrote (default: build/)")
    e.add_argument("--out", type=Path, default=None, help="output file (default: in the store folder)")
    e.add_argument("--projection", choices=("mandate", "actor-instrument", "co-addressee", "actor-theme"), default="mandate",
                   help="which network: GA asks A together with B (mandate), actor-instrument, co-addressee, actor-theme")

    pb = sub.add_parser("publish", help="write a static linked-data site (HTML + Turtle/JSON-LD/N-Triples twins, VoID/DCAT)")
    pb.add_argument("--store", default="build", help="the folder 'mandates build --out' wrote (default: build/)")
    pb.add_argument("--out", type=Path, required=True, help="the site folder to write")
    pb.add_argument("--base", default=None, help="the base IRI the site is published under (default: the graph's)")

    sv = sub.add_parser("serve", help="serve the site with content negotiation and a safe SPARQL endpoint")
    sv.add_argument("--store", default="build", help="the folder 'mandates build --out' wrote (default: build/)")
    sv.add_argument("--site", type=Path, default=None, help="a folder 'mandates publish' wrote (default: published on start)")
    sv.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    sv.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0: any free port)")
    sv.add_argument("--base", default=None, help="the base IRI the served IRIs stand for")
    sv.add_argument("--timeout", type=float, default=10.0, help="seconds a SPARQL query may run (default: 10)")
    sv.add_argument("--memory", type=int, default=1024, help="MiB a SPARQL query may use (default: 1024)")
    sv.add_argument("--max-rows", type=int, default=10000, help="result rows returned at most (default: 10000)")

    pu = sub.add_parser("push", help="load the named graphs of a build into a SPARQL 1.1 server (Graph Store Protocol)")
    pu.add_argument("--store", default="build", help="the folder 'mandates build --out' wrote (default: build/)")
    pu.add_argument("--endpoint", required=True, help="the server's Graph Store Protocol endpoint URL")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help(sys.stderr)
        return EXIT_USAGE
    if args.command == "build":
        return _build(args)
    if args.command == "query":
        return query_cli(args)
    if args.command == "export":
        return export_cli(args)
    if args.command == "publish":
        return publish_cli(args)
    if args.command == "serve":
        return serve_cli(args)
    if args.command == "push":
        return push_cli(args)
    return EXIT_USAGE  # pragma: no cover


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


def _build(args: argparse.Namespace) -> int:
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


def _report(args: argparse.Namespace, result) -> None:  # type: ignore[no-untyped-def]
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


def run() -> None:
    """Console-script entry point: an error a user can cause ends in its message and exit code;
    anything else is a bug, reported in one line with exit code 4 (``MANDATES_DEBUG=1`` shows
    the traceback)."""
    try:
        code = main()
    except KeyboardInterrupt:
        print("mandates: interrupted", file=sys.stderr)
        code = 130
    except Exception as exc:  # noqa: BLE001 - the last resort: one line, never a traceback
        if os.environ.get("MANDATES_DEBUG"):
            raise
        print(f"mandates: internal error ({type(exc).__name__}: {exc}); this is a bug: please report it "
              "with the command you ran (MANDATES_DEBUG=1 shows where it happened)", file=sys.stderr)
        code = EXIT_INTERNAL
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
