"""The ``mandates`` command line: argparse and dispatch only.

Exit codes: 0 success; 1 the data violates the SHACL shapes; 2 usage error (a bad option,
an output folder that cannot be written); 3 an input could not be read or built (the other
files are still built; when none can be, the earlier build is left as it was); 4 an internal
error (a bug: the message says how to report it); 5 (``query --store URL``, ``push``) the
SPARQL endpoint's default graph is not the union of its named graphs, so every query would
answer nothing (the message says how to start the server). Data go to files or stdout,
messages to stderr.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from mandates import __version__

EXIT_USAGE, EXIT_INTERNAL = 2, 4  # (the other codes are the commands' own: see the docstring)

#: each command: the module that runs it and its entry point, ``(args) -> exit code``. A module
#: is imported only for its own command, so ``--help`` and a command that needs no RDF library
#: start without loading one (tests/test_benchmarks.py checks it)
COMMANDS = {
    "build": ("mandates.build.command", "build_cli"),
    "query": ("mandates.web.query", "query_cli"),
    "export": ("mandates.exports.gephi", "export_cli"),
    "publish": ("mandates.web.publish", "publish_cli"),
    "serve": ("mandates.web.serve", "serve_cli"),
    "push": ("mandates.web.push", "push_cli"),
    "series": ("mandates.web.series", "series_cli"),
}


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

    e = sub.add_parser("export", help="export a view of a built store: gephi (GEXF 1.3), csv tables, png, svg, "
                       "a timeline picture")
    e.add_argument("kind", choices=("gephi", "gephi-csv", "png", "svg", "timeline"),
                   help="timeline: who is asked, resolution by resolution (PNG, or SVG when --out ends in .svg)")
    e.add_argument("--store", default="build", help="the folder 'mandates build --out' wrote (default: build/)")
    e.add_argument("--out", type=Path, default=None, help="output file (default: in the store folder)")
    e.add_argument("--projection", choices=("mandate", "actor-instrument", "co-addressee", "actor-theme"), default="mandate",
                   help="which network: the Assembly and the actors it asks, one edge per verb (mandate), "
                        "actor-instrument, co-addressee (actors asked together, undirected), actor-theme")
    e.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="the language of the labels (default: en; zh pictures need a font with Chinese characters)")

    pb = sub.add_parser("publish", help="write a static linked-data site (HTML + Turtle/JSON-LD/N-Triples/RDF-XML twins, VoID/DCAT-AP)")
    pb.add_argument("--store", default="build", help="the folder 'mandates build --out' wrote (default: build/)")
    pb.add_argument("--out", type=Path, required=True, help="the site folder to write")
    pb.add_argument("--base", default=None, help="the base IRI the site is published under (default: the graph's)")
    pb.add_argument("--issued", default=None, help="the catalogue's release date, YYYY-MM-DD (default: the latest adoption date)")
    pb.add_argument("--publisher", default=None, help="the publisher's name in the catalogue (default: the project's)")
    pb.add_argument("--contact", default=None, help="the contact point, an http(s): or mailto: address (default: the site)")

    sv = sub.add_parser("serve", help="serve the site with content negotiation and a safe SPARQL endpoint")
    sv.add_argument("--store", default="build", help="the folder 'mandates build --out' wrote (default: build/)")
    sv.add_argument("--site", type=Path, default=None, help="a folder 'mandates publish' wrote (default: published on start)")
    sv.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    sv.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0: any free port)")
    sv.add_argument("--base", default=None, help="the base IRI the served IRIs stand for")
    sv.add_argument("--timeout", type=float, default=10.0, help="seconds a SPARQL query may run (default: 10)")
    sv.add_argument("--memory", type=int, default=1024, help="MiB a SPARQL query may use (default: 1024)")
    sv.add_argument("--max-rows", type=int, default=10000, help="result rows returned at most (default: 10000)")
    sv.add_argument("--queries", type=int, default=3,
                    help="SPARQL queries run at once; times the memory limit, the bound on the workers' memory (default: 3)")
    sv.add_argument("--queue", type=int, default=16, help="SPARQL queries that may wait for a worker (default: 16)")
    sv.add_argument("--connections", type=int, default=512, help="connections served at once (default: 512)")
    sv.add_argument("--per-client", type=int, default=32,
                    help="connections one client address may hold (default: 32)")
    sv.add_argument("--request-deadline", type=float, default=10.0,
                    help="seconds a client has to send a whole request, head and body (default: 10)")

    pu = sub.add_parser("push", help="load the named graphs of a build into a SPARQL 1.1 server (Graph Store Protocol)")
    pu.add_argument("--store", default="build", help="the folder 'mandates build --out' wrote (default: build/)")
    pu.add_argument("--endpoint", required=True, help="the server's Graph Store Protocol endpoint URL")
    se = sub.add_parser("series", help="what changed for an actor since the previous resolution of a series")
    se.add_argument("view", nargs="?", choices=("changes",), default="changes",
                    help="changes (default): new, strengthened, weakened, modified, dropped and repeated requests")
    se.add_argument("--actor", required=True,
                    help="the actor: <IRI>, a State's code (iso:FRA), or a key or label of the actor vocabulary, in Chinese or English")
    se.add_argument("--symbol", default=None, help="the later resolution (default: each series' latest)")
    se.add_argument("--all", action="store_true", help="every resolution that has one before it, not only the latest")
    se.add_argument("--store", default="build", help="the folder 'mandates build --out' wrote (default: build/), "
                    "or a SPARQL endpoint URL")
    se.add_argument("--format", choices=("table", "csv", "json", "tsv"), default="table",
                    help="table (default): the main columns; csv, tsv, json: every column of series-changes.rq")
    se.add_argument("--lang", choices=("zh", "en"), default=None, help="the language of the text column (table)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help(sys.stderr)
        return EXIT_USAGE
    module, entry = COMMANDS[args.command]
    return getattr(importlib.import_module(module), entry)(args)


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
