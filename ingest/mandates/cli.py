"""The ``mandates`` command line.

Exit codes: 0 success; 1 the data violates the SHACL shapes; 2 usage error;
3 unreadable or unparsable input (the other files are still built). Data go to files
or stdout, messages to stderr. Heavy libraries load only for the command that needs them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from mandates import __version__
from mandates.build.pipeline import build
from mandates.build.results import BuildError
from mandates.core.resources import corpus_dir
from mandates.exports.gephi import export_cli
from mandates.rdf.iris import IRIError, check
from mandates.rdf.namespaces import DEFAULT_BASE
from mandates.vocab.concepts import VocabularyError
from mandates.web.publish import publish_cli
from mandates.web.push import push_cli
from mandates.web.query import query_cli
from mandates.web.serve import serve_cli

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INPUT = 0, 1, 2, 3


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

    q = sub.add_parser("query", help="run a library query (by name) or a SPARQL file against a built store")
    q.add_argument("query", help="a query name from queries/ (e.g. mandates-by-addressee) or a .rq file")
    q.add_argument("--store", default="build", help="the folder 'mandates build --out' wrote (default: build/), "
                   "or a SPARQL endpoint URL")
    q.add_argument("--param", action="append", default=[], metavar="K=V",
                   help="bind a query parameter (repeatable); IRIs in <>, else a string literal")
    q.add_argument("--format", choices=("table", "csv", "json", "tsv"), default="table")

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
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument("--base", default=None, help="the base IRI the served IRIs stand for")
    sv.add_argument("--timeout", type=float, default=10.0, help="seconds a SPARQL query may run")
    sv.add_argument("--memory", type=int, default=1024, help="MiB a SPARQL query may use")
    sv.add_argument("--max-rows", type=int, default=10000, help="result rows returned at most")

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


def _build(args: argparse.Namespace) -> int:
    base = args.base or DEFAULT_BASE
    if not base.endswith(("/", "#")):
        base += "/"
    try:
        check(base + "doc/x")
    except IRIError as exc:
        print(f"mandates: error: --base {args.base!r} is not an absolute IRI ({exc})", file=sys.stderr)
        return EXIT_USAGE
    if args.out.exists() and not args.out.is_dir():
        print(f"mandates: error: --out {args.out} exists and is not a folder", file=sys.stderr)
        return EXIT_USAGE
    if args.jobs is not None and args.jobs < 1:
        print("mandates: error: --jobs must be 1 or more", file=sys.stderr)
        return EXIT_USAGE
    paths = args.paths or [corpus_dir()]
    bar = (not args.no_progress and not args.quiet and sys.stderr.isatty()
           and os.environ.get("CI", "").lower() in ("", "0", "false"))

    class Progress:
        """Per-document lines, or a bar on a terminal."""

        def __init__(self) -> None:
            self.total = self.done = 0
            self.width = 0

        def start(self, total: int, unchanged: int) -> None:
            self.total, self.done = total, unchanged
            if bar and total > unchanged:
                self._draw()

        def __call__(self, r) -> None:  # type: ignore[no-untyped-def]
            self.done += 1
            if bar:
                self._draw(r.path)
            elif not args.quiet:
                state = "ok" if r.conforms else "SHACL violations"
                print(f"  {r.path}: {r.symbol} ({r.lang}), {r.triples} triples, {state}", file=sys.stderr)

        def failed(self, r) -> None:  # type: ignore[no-untyped-def]
            self.done += 1
            if bar:
                self._draw(r.path)

        def _draw(self, last: str = "") -> None:
            n = 30
            filled = n * self.done // max(1, self.total)
            line = f"\r[{'#' * filled}{'.' * (n - filled)}] {self.done}/{self.total} {Path(last).name}"[:100]
            sys.stderr.write(line + " " * max(0, self.width - len(line)))
            self.width = len(line)
            sys.stderr.flush()

        def end(self) -> None:
            if bar and self.width:
                sys.stderr.write("\r" + " " * self.width + "\r")
                sys.stderr.flush()

    progress = Progress()
    try:
        result = build(paths, args.out, base=base, symbol=args.symbol, lang=args.lang, progress=progress,
                       jobs=args.jobs, force=args.force, validator=args.validator)
    except VocabularyError as exc:
        progress.end()
        print(f"mandates: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except BuildError as exc:
        progress.end()
        print(f"mandates: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    progress.end()
    for r in result.failed:
        print(f"mandates: cannot build {r.error}", file=sys.stderr)
    for r in result.violating:
        print(f"mandates: {r.path}: {len([x for x in r.shacl if x['severity'] == 'Violation'])} SHACL "
              f"violation(s), see {args.out / 'shacl-report.ttl'}", file=sys.stderr)
    corpus_violations = [x for x in result.corpus.get("results", []) if x["severity"] == "Violation"]
    if corpus_violations:
        print(f"mandates: the documents disagree with each other: {len(corpus_violations)} SHACL violation(s) of "
              f"ontology/corpus-shapes.ttl, e.g. {corpus_violations[0]['focus']}: {corpus_violations[0]['message']} "
              f"(see {args.out / 'report.json'}, \"corpus\")", file=sys.stderr)
    built = sum(1 for r in result.documents if r.graph and not r.error)
    print(f"mandates: built {built} document(s) ({result.rebuilt} built now, {result.unchanged} unchanged), "
          f"{len(result.failed)} failed, {len(result.violating)} with SHACL violations -> {args.out}/"
          + ("" if result.exported else " (nothing changed)"), file=sys.stderr)
    return result.exit_code()


def run() -> None:
    """Console-script entry point."""
    try:
        code = main()
    except KeyboardInterrupt:
        print("mandates: interrupted", file=sys.stderr)
        code = 130
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
