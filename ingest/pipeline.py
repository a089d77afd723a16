"""Build a corpus: read, extract, build RDF, validate, store, export; in parallel, incrementally, atomically.

One bad file never stops the run: it is reported with its reason and the rest are built.

Each document is built on its own (``ingest.workers.process``: read, extract, RDF,
pySHACL), in worker processes when there is more than one to build, and leaves its
artefacts in ``OUT/docs/``: its sorted N-Quads, its Turtle, its part of the mandates view and a summary
holding its cache key. The key is the file's content hash, its name as given, the options
that reach the extraction and the tool itself (its version, the hash of its code, ontology,
shapes, vocabularies and queries): a document whose key has not changed is not built again.

The corpus outputs are then made from the artefacts, only when something changed:

- the embedded store ``OUT/store``: a copy of the previous store (a RocksDB checkpoint:
  hard links) in which each changed document's named graph is dropped and loaded again,
  the graphs of removed files are dropped, then swapped in for the old one; a store that
  cannot be reused (or a build that changes many documents) is loaded afresh, in a thread,
  each document as soon as it is built (``_StoreLoader``). The store folder records which graph holds which
  artefact (``mandates-build.json``). Until the swap the previous store is untouched, so a
  build killed at any point leaves it usable, and the next build resumes (documents
  already built are not built again) and ends with the store a clean build gives.
- ``graph.nq``, ``graph.trig``, ``graph.ttl`` (``ingest.assemble``), ``vocabulary.ttl``,
  ``shacl-report.ttl``, ``report.json``, the views ``mandates.json`` and ``mandates.csv``
  (merged from the documents' parts, ``ingest.export``; the language versions of one
  resolution are viewed together, and that part is kept in ``OUT/docs/`` for the next builds
  while its documents do not change) and ``mandates.gexf`` (read from the
  new store): byte-identical to what a clean build writes. For a large corpus the corpus
  shapes and the view are made in a worker process and the graph files in a thread,
  while the build process finishes the store and writes the GEXF (``_export``).

``OUT/docs/manifest.json`` (written last) remembers the keys, the per-document summaries and
the state the outputs were made from; a build with nothing changed only hashes the inputs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .vocab import DEFAULT_BASE

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx", ".doc")
STORE_STATE = "mandates-build.json"  # inside the store folder: which artefact each graph holds
MANIFEST = "manifest.json"
ARTEFACTS = (".view.json", ".json", ".nq", ".ttl", ".shared.nt")  # a document's files in docs/ (longest suffix first)
EXTRACTED = ".txt"  # and, for a PDF or Word file, the text extracted from it
OUTPUTS = ("graph.nq", "graph.trig", "graph.ttl", "vocabulary.ttl", "shacl-report.ttl", "report.json",
           "mandates.json", "mandates.csv", "mandates.gexf")


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

    @property
    def failed(self) -> list[DocResult]:
        return [d for d in self.documents if d.error]

    @property
    def violating(self) -> list[DocResult]:
        return [d for d in self.documents if d.conforms is False]

    def exit_code(self) -> int:
        if self.failed:
            return 3
        if self.violating or self.corpus.get("conforms") is False:
            return 1
        return 0


class BuildError(Exception):
    """The build cannot run or was cut short (another build holds the folder, workers died);
    the previous outputs and store are untouched."""


def collect(paths: list[Path]) -> tuple[list[Path], list[DocResult]]:
    """The resolution files named by ``paths`` (folders are read for known suffixes), in a stable order."""
    files: list[Path] = []
    errors: list[DocResult] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in SUFFIXES))
        elif p.exists():
            files.append(p)
        else:
            errors.append(DocResult(path=str(p), error=f"{p}: no such file or folder"))
    return files, errors


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def nt_term(t) -> str:  # type: ignore[no-untyped-def]
    r"""A term in N-Triples syntax (strings escaped on one line).

    >>> from rdflib import Literal, URIRef
    >>> print(nt_term(Literal('a"b' + chr(10) + 'c', lang="zh")), nt_term(URIRef("http://x/y")))
    "a\"b\nc"@zh <http://x/y>
    """
    from rdflib import BNode, Literal

    if isinstance(t, Literal):
        v = str(t).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if t.language:
            return f'"{v}"@{t.language}'
        if t.datatype:
            return f'"{v}"^^<{t.datatype}>'
        return f'"{v}"'
    if isinstance(t, BNode):
        return f"_:{t}"
    return f"<{t}>"


def sorted_terms(triples) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """The distinct triples as N-Triples terms, sorted: in the order of their N-Quads lines.
    (Lines and term tuples differ only where one term is a proper prefix of another; an IRI
    never is, and a literal only of the same literal with a language or datatype, whose ``@``,
    ``-`` or ``^`` sorts after the space that ends a term in a line.)"""
    terms: dict = {}  # a term's text, once per term (types and predicates repeat)

    def nt(t):  # type: ignore[no-untyped-def]
        r = terms.get(t)
        if r is None:
            r = terms[t] = nt_term(t)
        return r

    return sorted({(nt(s), nt(p), nt(o)) for s, p, o in triples})


def nquad_lines(terms: list[tuple[str, str, str]], name: str) -> str:
    """Sorted triples (:func:`sorted_terms`) as the N-Quads of graph ``name``."""
    g = f" <{name}> .\n"
    return "".join(f"{s} {p} {o}{g}" for s, p, o in terms)


def sorted_nquads(graphs: list[tuple[str, Any]]) -> str:
    """Canonical N-Quads: one line per quad, sorted, so equal graphs give equal bytes."""
    if len(graphs) == 1:
        return nquad_lines(sorted_terms(graphs[0][1]), graphs[0][0])
    lines = {f"{s} {p} {o} <{name}> ." for name, g in graphs for s, p, o in sorted_terms(g)}
    return "\n".join(sorted(lines)) + ("\n" if lines else "")


# ---------------------------------------------------------------- the tool's identity


# modules that do not take part in building a document (they read what was built); every
# other module of the package does, and a change to it builds every document again
NOT_DOCUMENT_CODE = {"cli.py", "query.py", "gephi.py", "publish.py", "serve.py", "push.py",
                     "sparql_worker.py"}
EXPORT_CODE = {"export.py", "gephi.py", "assemble.py", "store.py", "versions.py"}


def _hash_files(h, files: list[Path], root: Path) -> None:  # type: ignore[no-untyped-def]
    for f in files:
        h.update(str(f.relative_to(root)).encode("utf-8") + b"\0" + hashlib.sha256(f.read_bytes()).digest())


@lru_cache(maxsize=8)
def environment(base: str) -> str:
    """A hash of everything besides the input that decides a document's artefacts: the tool's
    version, the code that builds a document, the ontology, shapes and vocabularies, the base IRI."""
    from . import __version__
    from .resources import ontology_dir

    h = hashlib.sha256(f"mandates {__version__}\0{base}\0".encode("utf-8"))
    here = Path(__file__).resolve().parent
    _hash_files(h, sorted(f for f in here.glob("*.py") if f.name not in NOT_DOCUMENT_CODE), here)
    _hash_files(h, sorted(ontology_dir().rglob("*.ttl")), ontology_dir())
    from .resources import queries_dir

    _hash_files(h, sorted((queries_dir() / "export").glob("*.rq")), queries_dir())  # the view's part
    return h.hexdigest()


def _exports_environment() -> str:
    """A hash of what the corpus outputs depend on besides the documents: the code that writes
    them and the export queries."""
    from .resources import queries_dir

    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    _hash_files(h, sorted(here / n for n in EXPORT_CODE if (here / n).exists()), here)
    _hash_files(h, sorted(queries_dir().rglob("*.rq")), queries_dir())
    return h.hexdigest()


def _artefact_name(path: str) -> str:
    stem = "".join(c if c.isalnum() or c in "-_.()" else "_" for c in Path(path).name)[:80]
    return f"{stem}.{hashlib.sha256(path.encode('utf-8')).hexdigest()[:12]}"


def _key(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


# ---------------------------------------------------------------- build


def build(paths: list[Path], out: Path, *, base: str = DEFAULT_BASE, symbol: str | None = None,
          lang: str | None = None, progress=None, jobs: int | None = None,  # type: ignore[no-untyped-def]
          force: bool = False, validator: str = "auto") -> BuildResult:
    """Build every file of ``paths`` into ``out``.

    Writes ``graph.trig`` and ``graph.nq`` (the named graphs), ``graph.ttl`` (their union),
    ``vocabulary.ttl``, ``shacl-report.ttl``, ``report.json``, ``mandates.json``,
    ``mandates.csv``, ``mandates.gexf``, the embedded store ``store/`` and the per-document
    artefacts ``docs/``.

    Args:
        jobs: worker processes (default: the CPUs this process may use; 1 builds in-process).
        force: build every document again, ignoring the artefacts of earlier builds.
        validator: "auto" (pySHACL over the nodes the fast engine finds results for,
            ``ingest.workers._validate``) or "pyshacl" (pySHACL for every document).
        progress: called with each document's ``DocResult`` as it is built; if it has a
            ``start(total, unchanged)`` method, that is called first.

    Raises:
        BuildError: another build is writing ``out``, or worker processes kept dying.
    """
    out.mkdir(parents=True, exist_ok=True)
    docs_dir = out / "docs"
    docs_dir.mkdir(exist_ok=True)
    with _Lock(docs_dir / ".lock", out):
        _recover(out)
        return _build(paths, out, docs_dir, base=base, symbol=symbol, lang=lang, progress=progress,
                      jobs=jobs or default_jobs(), force=force, validator=validator)


def _build(paths: list[Path], out: Path, docs_dir: Path, *, base: str, symbol: str | None, lang: str | None,
           progress, jobs: int, force: bool, validator: str = "auto") -> BuildResult:  # type: ignore[no-untyped-def]
    import time

    from . import workers

    clock = time.perf_counter()
    timings: dict[str, float] = {}

    def phase(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(timings.get(name, 0.0) + now - clock, 3)
        clock = now

    files, errors = collect(paths)
    env = environment(base)
    manifest = {} if force else _read_json(docs_dir / MANIFEST) or {}
    if manifest.get("env") != env:
        manifest = {"facts": manifest.get("facts", {})} if not force else {}
    known = manifest.get("documents", {})
    shas: dict[str, str | None] = {}
    for f in files:
        try:
            shas[str(f)] = hashlib.sha256(f.read_bytes()).hexdigest()
        except OSError:
            shas[str(f)] = None  # the worker reports why
    phase("hash")
    with contextlib.ExitStack() as cleanup:
        pool = _Pool(jobs)
        cleanup.callback(pool.close)
        loader: _StoreLoader | None = None
        # language versions that print different symbols share one (ingest.versions)
        other_version: dict[str, str] = {}
        facts_cache = manifest.get("facts", {})
        facts: dict[str, Any] = {}
        if len(files) > 1:
            todo = []
            for f in files:
                c = facts_cache.get(str(f))
                if c and c.get("sha") == shas[str(f)] and c.get("lang") == lang and c.get("env") == env:
                    facts[str(f)] = c["facts"]
                else:
                    todo.append(str(f))
            for p, got in zip(todo, pool.map(workers.header_facts, [(p, lang) for p in todo])):
                facts[p] = got
            other_version = _identify(files, facts, lang)
        phase("versions")
        tasks: list[workers.Task] = []
        summaries: dict[str, dict[str, Any]] = {}
        for f in files:
            p = str(f)
            if p in other_version:
                sym, reason = other_version[p], "other-version"
            else:
                sym, reason = (symbol if len(files) == 1 else None), None
            key = _key(env, shas[p], p, lang, sym, reason, validator)
            art = _artefact_name(p)
            cached = None if force else _cached(docs_dir, known.get(p), key, art)
            if cached is not None and shas[p] is not None:
                summaries[p] = cached
            else:
                tasks.append(workers.Task(path=p, key=key, artefact=art, docs_dir=str(docs_dir), base=base,
                                          lang=lang, symbol=sym, symbol_reason=reason, validator=validator))
        unchanged = len(summaries)
        start = getattr(progress, "start", None)
        if start is not None:
            start(len(files), unchanged)
        # a store loaded afresh is loaded while the documents are built (pyoxigraph works
        # without Python's lock): start it now, with what the earlier builds left
        if _store_state(out / "store") is None or len(tasks) > _afresh_above(len(files)):
            loader = _StoreLoader(out)
            cleanup.callback(loader.abort)
            for s in summaries.values():
                loader.add(s, docs_dir, earlier=True)
        for s in pool.run(tasks):
            summaries[s["path"]] = s
            if loader is not None:
                loader.add(s, docs_dir)
            if progress and not s["result"].get("error"):
                progress(DocResult(**s["result"]))
            elif getattr(progress, "failed", None) is not None:
                progress.failed(DocResult(**s["result"]))
        phase("documents")
        # the documents in the order of the files; the first of two with one graph wins
        results = list(errors)
        included: list[dict[str, Any]] = []
        graphs_seen: set[str] = set()
        for f in files:
            s = summaries[str(f)]
            r = DocResult(**s["result"])
            results.append(r)
            if r.error:
                continue
            if r.graph in graphs_seen:
                r.error = (f"{f}: a document with the same symbol and language ({r.symbol}, {r.lang}) "
                           "was already built")
                continue
            graphs_seen.add(r.graph)  # type: ignore[arg-type]
            included.append(s)
        results_sorted = sorted(results, key=lambda x: x.path)
        summary = {
            "documents": [{k: v for k, v in vars(r).items()} for r in results_sorted],
            "built": sum(1 for r in results if r.graph and not r.error),
            "failed": sum(1 for r in results if r.error),
            "violating": sum(1 for r in results if r.conforms is False),
        }
        reports = sorted({line for f in files for line in summaries[str(f)].get("report", [])})
        state = _key(env, _exports_environment(), [(s["graph"], s["nq_sha256"]) for s in included],
                     hashlib.sha256(json.dumps(summary, ensure_ascii=False).encode("utf-8")).hexdigest(),
                     hashlib.sha256("\n".join(reports).encode("utf-8")).hexdigest())
        current = (manifest.get("exports") == state and all((out / n).exists() for n in OUTPUTS)
                   and _store_state(out / "store") is not None and "corpus" in manifest)
        phase("summary")
        if current:  # (a loader started for nothing is removed on the way out)
            corpus = manifest["corpus"]
            summary["corpus"] = {k: corpus[k] for k in ("conforms", "results")}
        else:
            corpus = _export(out, docs_dir, included, reports, summary, base=base, validator=validator, pool=pool,
                             loader=loader, phase=phase, timings=timings)
        new_manifest = {
            "env": env,
            "documents": {str(f): {"key": summaries[str(f)]["key"], "artefact": summaries[str(f)]["artefact"],
                                   "summary": summaries[str(f)]}
                          for f in files if summaries[str(f)].get("graph") and not summaries[str(f)]["result"].get("error")},
            "facts": {p: {"sha": shas[p], "lang": lang, "env": env, "facts": facts[p]} for p in facts},
            "exports": state,
            "corpus": corpus,
            "timings": timings if not current else manifest.get("timings", {}),
        }
        text = json.dumps(new_manifest, ensure_ascii=False)
        if not current or text != json.dumps(manifest, ensure_ascii=False):
            atomic_write(docs_dir / MANIFEST, text)
        _remove_stale_artefacts(docs_dir, {s["artefact"] for s in summaries.values()} | _group_artefacts(included))
        phase("manifest")
        return BuildResult(out, results_sorted, rebuilt=len(files) - unchanged, unchanged=unchanged,
                           exported=not current, corpus=summary["corpus"], timings=timings)


def _validate_corpus(docs_dir: Path, included: list[dict[str, Any]], base: str, validator: str) -> dict[str, Any]:
    """The corpus shapes over what the documents share, in parts that stay small: every
    document's ``.shared.nt`` together (its resolution's node and the IRIs it does not own),
    then each resolution built from more than one file (its language versions), with the
    triples about the nodes those files share (the rest of what they state is in the first part)."""
    from .assemble import nt_lines, triple_line
    from .validate import validate_corpus
    from .workers import fast_engine_ok, skolemised_report_lines

    fast = validator == "auto" and fast_engine_ok(base)
    parts: list[str] = []
    shared: set[str] = set()
    for s in included:
        shared.update(nt_lines((docs_dir / f"{s['artefact']}.shared.nt").read_text(encoding="utf-8")))
    parts.append(_nt(shared))
    del shared
    for own, members in sorted(_resolutions(included).items()):
        if len(members) < 2:
            continue
        lines: set[str] = set()
        for s in members:
            for line in nt_lines((docs_dir / f"{s['artefact']}.nq").read_text(encoding="utf-8")):
                if line.startswith(f"<{own}"):  # its paragraphs, clauses, ... (its IRI is in the first part)
                    lines.add(triple_line(line))
        parts.append(_nt(lines))
    results: dict[tuple, dict[str, Any]] = {}
    report: set[str] = set()
    conforms = True
    for data in parts:
        v = validate_corpus(data, base=base, fast=fast)
        conforms = conforms and v.conforms
        for x in v.results:
            r = {"shape": x.shape, "focus": x.focus, "path": x.path, "message": x.message, "severity": x.severity}
            results[tuple(r.values())] = r
        if v.report is not None and v.results:
            report.update(skolemised_report_lines(v.report))
    ordered = [results[k] for k in sorted(results, key=lambda k: tuple(x or "" for x in k))]
    return {"conforms": conforms, "results": ordered, "report": sorted(report)}


def _resolutions(included: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The built documents by resolution (the IRI space they own): a resolution's language versions together."""
    out: dict[str, list[dict[str, Any]]] = {}
    for s in included:
        out.setdefault(s["own"], []).append(s)
    return out


def _nt(lines: set[str]) -> str:
    lines.discard("")
    return "\n".join(sorted(lines)) + "\n" if lines else ""


def _cached(docs_dir: Path, entry: dict[str, Any] | None, key: str, artefact: str) -> dict[str, Any] | None:
    """The summary of a document built before with the same key, if its artefacts are all there."""
    if not all((docs_dir / f"{artefact}{ext}").is_file() for ext in ARTEFACTS):
        return None
    s = entry["summary"] if entry is not None and entry.get("key") == key and entry.get("artefact") == artefact \
        else _read_json(docs_dir / f"{artefact}.json")  # built by a build that did not finish
    if s is None or s.get("key") != key:
        return None
    if s.get("result", {}).get("text") and not (docs_dir / f"{artefact}{EXTRACTED}").is_file():
        return None
    return s


def _identify(files: list[Path], facts: dict[str, Any], lang: str | None) -> dict[str, str]:
    """``ingest.versions.identify`` over header facts computed (and cached) by the workers."""
    from . import versions

    def cached(p, *, lang=None):  # type: ignore[no-untyped-def]
        d = facts.get(str(p))
        if d is None:
            return None
        return versions.HeaderFacts(**{**d, "drafts": tuple(d["drafts"])})

    original = versions.header_facts
    versions.header_facts = cached  # type: ignore[assignment]
    try:
        return versions.identify(files, lang=lang)
    finally:
        versions.header_facts = original  # type: ignore[assignment]


# ---------------------------------------------------------------- exports


PARALLEL_EXPORTS_MIN = 200  # documents: from this many, the corpus outputs are made side by side


def _export(out: Path, docs_dir: Path, included: list[dict[str, Any]], reports: list[str], summary: dict[str, Any],
            *, base: str, validator: str, pool: _Pool, loader: _StoreLoader | None, phase,
            timings: dict[str, float]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Write every corpus output into a temporary folder, then put them in place; the corpus
    shapes' verdict (which ``report.json`` holds).

    For a corpus of :data:`PARALLEL_EXPORTS_MIN` documents or more (and more than one job),
    the corpus shapes and the mandates view are made in a worker process and the graph files
    in a thread, while this process finishes the store and writes the GEXF from it; their own
    durations are in ``timings`` (they overlap). The bytes are those of one after the other."""
    from concurrent.futures import ThreadPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from rdflib import Graph

    from .assemble import DocArtefact, write_graph_files
    from .gephi import write_build_exports

    arts = [DocArtefact(graph=s["graph"], nq=docs_dir / f"{s['artefact']}.nq",
                        ttl=docs_dir / f"{s['artefact']}.ttl") for s in included]
    vocab_ttl, vocab_nq = _vocabulary_outputs(base)
    slim = [{k: s[k] for k in ("artefact", "key", "nq_sha256", "own", "graph", "view_keys", "view_labels")}
            for s in included]
    work = Path(tempfile.mkdtemp(prefix=".export.", dir=out))
    side = pool if len(included) >= PARALLEL_EXPORTS_MIN and pool.jobs > 1 else None
    if side is not None:
        pool.close()  # fresh workers: those of the documents hold their caches (200-400 MB each)
    try:
        with ThreadPoolExecutor(max_workers=1) as thread:
            # one worker process, one after the other: two at once would pass 2 GB at 10,000 documents
            side_args = (work, docs_dir, slim, base, validator)
            shapes_and_view = _alongside(side, _shapes_and_view, *side_args)
            files_job = _alongside(thread if side is not None else None, _timed, write_graph_files, arts,
                                   nq_out=work / "graph.nq", ttl_out=work / "graph.ttl", trig_out=work / "graph.trig")
            if loader is not None:
                new_store = loader.finish(included, docs_dir, vocab_nq, f"{base}graph/vocabulary")
            else:
                new_store = _update_store(out, included, docs_dir, vocab_nq, f"{base}graph/vocabulary")
            phase("store")
            store = _open(new_store)
            write_build_exports(store, work)
            del store
            phase("gexf")
            try:
                side_result = shapes_and_view.result()
            except BrokenProcessPool:  # its worker died (killed, out of memory): here, then
                print("mandates: a worker process died; making the corpus shapes and the view in this process",
                      file=sys.stderr)
                side_result = _shapes_and_view(*side_args)
            (corpus, timings["corpus shapes"]), (_, timings["mandates view"]) = side_result
            _, timings["graph files"] = files_job.result()
            phase("waiting for the corpus shapes, the view and the graph files")
        summary["corpus"] = {k: corpus[k] for k in ("conforms", "results")}
        report_g = Graph()
        reports = sorted(set(reports) | set(corpus["report"]))
        if reports:
            report_g.parse(data="\n".join(reports) + "\n", format="nt")
        _bind(report_g)
        (work / "shacl-report.ttl").write_text(report_g.serialize(format="turtle"), encoding="utf-8")
        (work / "vocabulary.ttl").write_text(vocab_ttl, encoding="utf-8")
        (work / "report.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        phase("reports")
        swap_dir(new_store, out / "store")
        for name in OUTPUTS:  # each file is replaced at once (readers see the old or the new one)
            os.chmod(work / name, 0o644)
            os.replace(work / name, out / name)
        phase("swap and write")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return corpus


def _shapes_and_view(work: Path, docs_dir: Path, included: list[dict[str, Any]], base: str, validator: str):  # type: ignore[no-untyped-def]
    """The corpus shapes' verdict and the mandates view (written into ``work``), each timed."""
    return (_timed(_validate_corpus, docs_dir, included, base, validator),
            _timed(_write_view, work, docs_dir, included, base))


def _timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """``fn(*args, **kwargs)`` and the seconds it took."""
    import time

    t = time.perf_counter()
    got = fn(*args, **kwargs)
    return got, round(time.perf_counter() - t, 3)


def _alongside(where, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """A future of ``fn(*args, **kwargs)``: submitted to ``where`` (a worker pool or a thread
    pool), or done here and now when it is None."""
    if where is not None:
        return where.submit(fn, *args, **kwargs)
    from concurrent.futures import Future

    done: Future = Future()
    done.set_result(fn(*args, **kwargs))
    return done


def _group_artefact(members: list[dict[str, Any]]) -> str:
    """The name (in docs/) of the view part of a resolution built from several files, its
    language versions viewed together: keyed by what each was built from (its key, which holds
    the tool's environment) and what it gave (its N-Quads' hash), so a part is made once and
    used again while none of them changes."""
    return "group." + _key(sorted((s["key"], s["nq_sha256"]) for s in members))[:24]


def _group_artefacts(included: list[dict[str, Any]]) -> set[str]:
    return {_group_artefact(m) for m in _resolutions(included).values() if len(m) > 1}


def _write_view(work: Path, docs_dir: Path, included: list[dict[str, Any]], base: str) -> None:
    """``mandates.json`` and ``mandates.csv`` from the documents' parts of the view; the
    language versions of one resolution are viewed together here (``ingest.export``), and that
    part is kept in docs/ (:func:`_group_artefact`) for the builds after."""
    import orjson

    from .export import view_keys, write_merged
    from .workers import _view_store, view_fragment

    parts = []
    for members in _resolutions(included).values():
        if len(members) == 1:
            s = members[0]
            f = docs_dir / f"{s['artefact']}.view.json"
            parts.append((s["view_keys"], s["view_labels"], lambda f=f: orjson.loads(f.read_bytes())))
            continue
        f = docs_dir / f"{_group_artefact(members)}.view.json"
        try:
            view = orjson.loads(f.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            view = view_fragment([built_nquads(docs_dir / f"{s['artefact']}.nq", s["nq_sha256"]) for s in members],
                                 [s["graph"] for s in members], base)
            atomic_write(f, orjson.dumps(view))
        # (read again when merged, as a document's part is: not all of them held at once)
        parts.append((view_keys(view), view["labels"], lambda f=f: orjson.loads(f.read_bytes())))
    with (work / "mandates.json").open("w", encoding="utf-8") as j, (work / "mandates.csv").open("w", encoding="utf-8") as c:
        write_merged(parts, _view_store(base)[1], j, c)


@lru_cache(maxsize=4)
def _vocabulary_outputs(base: str) -> tuple[str, str]:
    """``vocabulary.ttl`` and the vocabulary graph's N-Quads; they depend only on the tool and
    the base, so they are kept in the user's cache folder (as jieba's dictionary is)."""
    from .lexmatch import cache_dir
    from .workers import _vocabulary_graph

    folder = cache_dir() / "vocabulary"
    key = environment(base)[:32]
    ttl_f, nq_f = folder / f"{key}.ttl", folder / f"{key}.nq"
    try:
        return ttl_f.read_text(encoding="utf-8"), nq_f.read_text(encoding="utf-8")
    except OSError:
        pass
    g = _vocabulary_graph(base)
    nq = sorted_nquads([(f"{base}graph/vocabulary", g)])
    _bind(g)  # (the graph keeps the prefixes of the vocabulary files, as vocabulary.ttl shows them)
    ttl = g.serialize(format="turtle")
    try:
        atomic_write(nq_f, nq)
        atomic_write(ttl_f, ttl)
        for old in folder.iterdir():  # keep the few latest
            if old.suffix in (".ttl", ".nq") and old.stem != key and old.stat().st_mtime < ttl_f.stat().st_mtime - 86400:
                old.unlink(missing_ok=True)
    except OSError:
        pass
    return ttl, nq


def _open(path: Path):  # type: ignore[no-untyped-def]
    from .store import open_store

    return open_store(path)


def _store_state(store_dir: Path) -> dict[str, Any] | None:
    if not (store_dir / "CURRENT").is_file():
        return None
    return _read_json(store_dir / STORE_STATE)


def _update_store(out: Path, included: list[dict[str, Any]], docs_dir: Path, vocab_nq: str,
                  vocab_name: str) -> Path:
    """A new store folder (not yet in place) holding exactly the included documents and the
    vocabulary: a copy of the previous store with the changed graphs replaced, or (many changes,
    no previous store) loaded afresh."""
    import pyoxigraph

    want = {s["graph"]: s["nq_sha256"] for s in included}
    files = {s["graph"]: docs_dir / f"{s['artefact']}.nq" for s in included}
    vocab_sha = hashlib.sha256(vocab_nq.encode("utf-8")).hexdigest()
    old = _store_state(out / "store")
    changed = None
    if old is not None:
        have = old.get("graphs", {})
        changed = [g for g in want if have.get(g) != want[g]]
        if len(changed) > _afresh_above(len(want)):
            changed = None
    if changed is None:
        return _load_afresh(out, included, docs_dir, vocab_nq, vocab_name)
    target = Path(tempfile.mkdtemp(prefix=".store.", dir=out))
    nq_format = pyoxigraph.RdfFormat.N_QUADS
    src = store = None
    try:
        target.rmdir()
        src = pyoxigraph.Store.read_only(str(out / "store"))
        src.backup(str(target))
        src = None
        store = pyoxigraph.Store(str(target))
        present = {g.value for g in store.named_graphs()}
        for g in sorted(present - set(want) - {vocab_name}):
            store.remove_graph(pyoxigraph.NamedNode(g))
        for g in changed + sorted(set(want) - set(changed) - present):
            if g in present:
                store.remove_graph(pyoxigraph.NamedNode(g))
            load_built(store, built_nquads(files[g], want[g]))
        if old.get("vocabulary") != vocab_sha or vocab_name not in present:  # type: ignore[union-attr]
            if vocab_name in present:
                store.remove_graph(pyoxigraph.NamedNode(vocab_name))
            store.bulk_load(vocab_nq.encode("utf-8"), format=nq_format)
        store.flush()
        store = None
    except BaseException as exc:
        del src, store  # (closed before their folder goes: RocksDB may still write into it)
        shutil.rmtree(target, ignore_errors=True)
        if isinstance(exc, OSError):  # the old store cannot be read: load afresh
            return _load_afresh(out, included, docs_dir, vocab_nq, vocab_name)
        raise
    _write_store_state(target, want, vocab_nq)
    return target


def _load_afresh(out: Path, included: list[dict[str, Any]], docs_dir: Path, vocab_nq: str, vocab_name: str,
                 *, earlier: bool = True) -> Path:
    """A new store folder holding the included documents and the vocabulary, loaded from the
    built files (``earlier``: written by an earlier build, checked against their hashes)."""
    loader = _StoreLoader(out)
    try:
        for s in sorted(included, key=lambda s: s["graph"]):
            loader.add(s, docs_dir, earlier=earlier)
        return loader.finish(included, docs_dir, vocab_nq, vocab_name)
    finally:
        loader.abort()


def _write_store_state(target: Path, graphs: dict[str, str], vocab_nq: str) -> None:
    """Record in a store folder which graph holds which document (by the hash of its N-Quads)."""
    vocab_sha = hashlib.sha256(vocab_nq.encode("utf-8")).hexdigest()
    atomic_write(target / STORE_STATE, json.dumps({"graphs": graphs, "vocabulary": vocab_sha}, sort_keys=True))


def _afresh_above(documents: int) -> int:
    """With more changed documents than this, a store is loaded afresh (faster than replacing
    graph after graph)."""
    return max(50, documents // 4)


class _StoreLoader:
    """A new store (not yet in place), loaded in a thread while the documents are built: each
    document's N-Quads as it is done, in chunks of about :data:`BULK_CHUNK` bytes.

    :meth:`finish` makes it hold exactly the documents a build includes (a graph loaded twice
    or by a document that is not included is dropped and loaded again from the right file),
    with the vocabulary; :meth:`abort` removes it."""

    def __init__(self, out: Path):
        import queue
        import threading

        import pyoxigraph

        self.target = Path(tempfile.mkdtemp(prefix=".store.", dir=out))
        self.store = pyoxigraph.Store(str(self.target))
        self.loaded: dict[str, list[Path]] = {}  # graph -> the files loaded into it
        self.queue: queue.Queue = queue.Queue()
        self.error: BaseException | None = None
        self.done = False
        self.thread = threading.Thread(target=self._run, name="store loader", daemon=True)
        self.thread.start()

    def add(self, summary: dict[str, Any], docs_dir: Path, *, earlier: bool = False) -> None:
        """Load a built document (nothing for a document that failed). One an ``earlier``
        build wrote is checked against the hash its summary records (:func:`built_nquads`):
        it is loaded leniently (:func:`load_built`), so a file changed since must not reach
        the store."""
        if summary.get("graph") and not summary["result"].get("error"):
            self.queue.put((summary["graph"], docs_dir / f"{summary['artefact']}.nq",
                            summary.get("nq_sha256") if earlier else None))

    def _run(self) -> None:
        chunk: list[bytes] = []
        size = 0
        while True:
            item = self.queue.get()
            if item is not None and self.error is None:
                graph, path, sha = item
                try:
                    data = built_nquads(path, sha)
                except (OSError, BuildError) as exc:
                    self.error = exc
                    continue
                self.loaded.setdefault(graph, []).append(path)
                chunk.append(data)
                size += len(data)
            if chunk and (item is None or size >= BULK_CHUNK) and self.error is None:
                try:
                    load_built(self.store, b"".join(chunk))
                except Exception as exc:  # noqa: BLE001 - reported by finish()
                    self.error = exc
                chunk, size = [], 0
            if item is None:
                return

    def _stop(self) -> None:
        if self.thread.is_alive():
            self.queue.put(None)
            self.thread.join()

    def finish(self, included: list[dict[str, Any]], docs_dir: Path, vocab_nq: str, vocab_name: str) -> Path:
        """The store folder holding exactly the ``included`` documents and the vocabulary."""
        import pyoxigraph

        self._stop()
        if self.error is not None:
            raise self.error  # (abort() removes the folder)
        files = {s["graph"]: docs_dir / f"{s['artefact']}.nq" for s in included}
        # (self.store, never a local name: on an error, abort() must be able to close it
        # before removing its folder, while the traceback still holds this frame)
        for g in sorted(set(self.loaded) | set(files)):
            if self.loaded.get(g) == [files.get(g)]:
                continue
            if g in self.loaded:
                self.store.remove_graph(pyoxigraph.NamedNode(g))
            if g in files:
                load_built(self.store, built_nquads(files[g], None))
        self.store.bulk_load(vocab_nq.encode("utf-8"), format=pyoxigraph.RdfFormat.N_QUADS)
        self.store.flush()
        self.store = None
        self.done = True
        _return_freed_memory()
        _write_store_state(self.target, {s["graph"]: s["nq_sha256"] for s in included}, vocab_nq)
        return self.target

    def abort(self) -> None:
        """Stop loading and remove the new store (nothing once :meth:`finish` has run)."""
        if self.done:
            return
        self._stop()
        self.done = True
        self.store = None
        shutil.rmtree(self.target, ignore_errors=True)


BULK_CHUNK = 128 * 1024 * 1024  # bytes of N-Quads per bulk load. Each load's memory grows with its
# input (about 7x: 0.43 GB at 64 MB, 0.87 GB at 128 MB, 1.35 GB at 200 MB), and each one adds files
# that RocksDB then compacts in the background, over a store that keeps growing: 3,000 generated
# documents cost 52 s of CPU in 64 MB loads (21 s of it compaction), 46 s in 128 MB loads (12 s),
# 42 s in 200 MB loads; at 10,000 documents compaction alone took 156 s of CPU in 64 MB loads.


def _remove_stale_artefacts(docs_dir: Path, keep: set[str]) -> None:
    for p in docs_dir.iterdir():
        if p.name in (MANIFEST, ".lock"):
            continue
        name = p.name
        for ext in ARTEFACTS + (EXTRACTED,):
            if name.endswith(ext):
                name = name[:-len(ext)]
                break
        else:
            if not name.startswith("."):
                continue
            name = ""
        if name not in keep:
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)


def _recover(out: Path) -> None:
    """Undo what a killed build left: a store moved aside but not replaced, temporary folders and files."""
    store, aside = out / "store", out / ".store.old"
    if not store.exists() and (aside / "CURRENT").is_file():
        os.replace(aside, store)
    for p in out.iterdir():
        if p.name.startswith((".store.", ".export.", ".assemble.")) or (
                p.name.startswith(".") and any(p.name.startswith(f".{n}.") for n in OUTPUTS)):
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)


class _Lock:
    """An exclusive lock on an output folder for the time of a build."""

    def __init__(self, path: Path, out: Path):
        self.path, self.out, self.fd = path, out, None

    def __enter__(self) -> _Lock:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            return self
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self.fd)
            self.fd = None
            raise BuildError(f"another build is writing into {self.out}") from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)


def _return_freed_memory() -> None:
    """Hand back to the system the memory that bulk loads freed (glibc keeps it for the process
    otherwise: 0.14 GB after 3,000 documents), before the outputs that need the most."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def built_nquads(path: Path, sha: str | None) -> bytes:
    """A built document's N-Quads, checked against the hash its summary records (``sha``;
    None: written by this build, no check)."""
    data = path.read_bytes()
    if sha is not None and hashlib.sha256(data).hexdigest() != sha:
        raise BuildError(f"{path}: not the N-Quads the build that wrote it recorded (changed since); "
                         f"delete {path.with_suffix('.json').name} beside it to build the document again")
    return data


def load_built(store, data: bytes) -> None:  # type: ignore[no-untyped-def]
    """Bulk-load built documents' N-Quads into ``store``.

    Leniently: pyoxigraph does not validate the IRIs again (12 % less CPU for the store, the
    largest part of a clean build after the documents). These bytes are the workers' own, and
    each passed pyoxigraph's strict parser when its worker loaded it into its view store; those
    an earlier build wrote are checked against their recorded hash first (:func:`built_nquads`).
    """
    import pyoxigraph

    store.bulk_load(data, format=pyoxigraph.RdfFormat.N_QUADS, lenient=True)


def _read_json(path: Path) -> Any:
    import orjson

    try:
        return orjson.loads(path.read_bytes())
    except (OSError, ValueError):  # (orjson.JSONDecodeError is a ValueError)
        return None


# ---------------------------------------------------------------- worker processes


class _Pool:
    """Worker processes, started when first needed (none for one document or ``jobs=1``)."""

    def __init__(self, jobs: int):
        self.jobs = jobs
        self.executor = None

    def _executor(self):  # type: ignore[no-untyped-def]
        if self.executor is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            from .workers import init_worker

            self.executor = ProcessPoolExecutor(max_workers=self.jobs, mp_context=multiprocessing.get_context("spawn"),
                                                initializer=init_worker)
        return self.executor

    def map(self, fn, args: list[tuple]) -> list[Any]:  # type: ignore[no-untyped-def]
        """``fn`` over ``args`` (cheap tasks: in this process when a worker dies)."""
        from concurrent.futures.process import BrokenProcessPool

        if self.jobs == 1 or len(args) < 2 * self.jobs:
            return [fn(*a) for a in args]
        try:
            return list(self._executor().map(fn, *zip(*args), chunksize=max(1, len(args) // (8 * self.jobs))))
        except BrokenProcessPool:
            self.close()
            return [fn(*a) for a in args]

    def submit(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        """``fn(*args, **kwargs)`` in a worker process: a future."""
        return self._executor().submit(fn, *args, **kwargs)

    def run(self, tasks: list):  # type: ignore[no-untyped-def]
        """Each task's summary as it is done (in no particular order)."""
        from concurrent.futures import as_completed
        from concurrent.futures.process import BrokenProcessPool

        from .workers import run_task

        if self.jobs == 1 or len(tasks) < 2:
            for t in tasks:
                yield run_task(t)
            return
        todo = list(tasks)
        for attempt in range(3):
            futures = {self._executor().submit(run_task, t): t for t in todo}
            done = set()
            try:
                for fut in as_completed(futures):
                    s = fut.result()
                    done.add(futures[fut].path)
                    yield s
                return
            except BrokenProcessPool:
                # a worker died (killed, out of memory): start new ones for what is left
                self.close()
                todo = [t for t in todo if t.path not in done]
                print(f"mandates: a worker process died; building the {len(todo)} remaining document(s) again",
                      file=sys.stderr)
        raise BuildError("worker processes kept dying; nothing was changed (documents already built are "
                         "kept: run the build again to resume)")

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None


# ---------------------------------------------------------------- small helpers


def swap_dir(new: Path, target: Path) -> None:
    """Put ``new`` in the place of ``target``: in one step where the system can exchange two
    names (Linux renameat2), else by moving the old one aside first."""
    if target.exists() and _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # ``new`` now names the old folder
        return
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        if old.exists():
            shutil.rmtree(old)
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    AT_FDCWD, RENAME_EXCHANGE = -100, 2
    return renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0


def _bind(g) -> None:  # type: ignore[no-untyped-def]
    from rdflib import Namespace

    for prefix, ns in (
        ("mnd", "https://w3id.org/un-mandates/ontology#"), ("eli", "http://data.europa.eu/eli/ontology#"),
        ("oa", "http://www.w3.org/ns/oa#"), ("prov", "http://www.w3.org/ns/prov#"),
        ("skos", "http://www.w3.org/2004/02/skos/core#"), ("dcterms", "http://purl.org/dc/terms/"),
        ("sh", "http://www.w3.org/ns/shacl#"),
    ):
        g.bind(prefix, Namespace(ns), override=True)


def skolemise(g):  # type: ignore[no-untyped-def]
    """pySHACL's report uses blank nodes; they are named with content-derived IRIs so that the
    report is identical across runs (and the report of a corpus is the union of its documents')."""
    from rdflib import BNode, Graph, URIRef

    def describe(node, depth=0):  # type: ignore[no-untyped-def]
        parts = []
        for p, o in sorted(g.predicate_objects(node), key=lambda x: (str(x[0]), str(x[1]))):
            parts.append(f"{p}={describe(o, depth + 1) if isinstance(o, BNode) and depth < 4 else o}")
        return "(" + ";".join(parts) + ")"

    names: dict[BNode, URIRef] = {}
    for node in set(g.subjects()) | set(g.objects()):
        if isinstance(node, BNode):
            digest = hashlib.sha256(describe(node).encode("utf-8")).hexdigest()[:16]
            names[node] = URIRef(f"https://w3id.org/un-mandates/shacl-report/{digest}")
    out = Graph()
    for s, p, o in g:
        out.add((names.get(s, s), p, names.get(o, o)))  # type: ignore[arg-type]
    return out
