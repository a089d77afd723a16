"""Build a corpus: read, extract, build RDF, validate, store, export; in parallel, incrementally, atomically.

One bad file never stops the run: it is reported with its reason and the rest are built.

Each document is built on its own (``mandates.build.workers.process``: read, extract, RDF,
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
- the series graph ``{base}graph/series`` (``mandates.build.seriesstep``): which resolutions form a
  series, clause lineage, report follow-up, made from every included document each time the
  outputs are made (so adding or removing a file changes it as a clean build would); it goes
  into the store, the graph files and the view, and its SHACL results join the corpus verdict;
- ``graph.nq``, ``graph.trig``, ``graph.ttl`` (``mandates.exports.graphfiles``), ``vocabulary.ttl``,
  ``shacl-report.ttl``, ``report.json``, the views ``mandates.json`` and ``mandates.csv``
  (merged from the documents' parts, ``mandates.exports.view``; the language versions of one
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
import ctypes
import fcntl
import hashlib
import json
import multiprocessing
import os
import queue
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import (
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    as_completed,
)
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import orjson

from mandates.build import versions, workers
from mandates.build.inputs import Inputs, collect, file_hash
from mandates.build.results import BuildError, BuildResult, DocResult, NothingToBuild
from mandates.build.seriesstep import FACTS, merge_verdict, put_series_graph, series_step
from mandates.build.workers import EXTRACTED, init_worker, run_task
from mandates.core.files import atomic_write, swap_dir
from mandates.core.fingerprint import environment, exports_environment
from mandates.exports.gephi import write_build_exports
from mandates.exports.graphfiles import DocArtefact, write_graph_files
from mandates.exports.view import view_fragment, view_keys, view_store, write_merged
from mandates.graph.vocabulary import vocabulary_outputs
from mandates.rdf.namespaces import DEFAULT_BASE
from mandates.rdf.store import graph_names, load_nquads, open_store, remove_graph
from mandates.rdf.terms import (
    nt_lines,
    report_turtle,
    triple_line,
)
from mandates.validate.document import fast_engine_ok, skolemised_report_lines
from mandates.validate.engine import validate_corpus

STORE_STATE = "mandates-build.json"  # inside the store folder: which artefact each graph holds
MANIFEST = "manifest.json"
ARTEFACTS = (".view.json", ".json", ".nq", ".ttl", ".shared.nt")  # a document's files in docs/ (longest suffix first)
OUTPUTS = ("graph.nq", "graph.trig", "graph.ttl", "vocabulary.ttl", "shacl-report.ttl", "report.json",
           "mandates.json", "mandates.csv", "mandates.gexf")


# ---------------------------------------------------------------- the tool's identity


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
          force: bool = False, validator: str = "auto", recursive: bool = True,
          allow_empty: bool = False) -> BuildResult:
    """Build every file of ``paths`` into ``out``.

    Writes ``graph.trig`` and ``graph.nq`` (the named graphs), ``graph.ttl`` (their union),
    ``vocabulary.ttl``, ``shacl-report.ttl``, ``report.json``, ``mandates.json``,
    ``mandates.csv``, ``mandates.gexf``, the embedded store ``store/`` and the per-document
    artefacts ``docs/``.

    Args:
        jobs: worker processes (default: the CPUs this process may use; 1 builds in-process).
        force: build every document again, ignoring the artefacts of earlier builds.
        validator: "auto" (pySHACL over the nodes the fast engine finds results for,
            ``mandates.validate.document.validate_document``) or "pyshacl" (pySHACL for every document).
        progress: called with each document's ``DocResult`` as it is built; if it has a
            ``start(total, unchanged)`` method, that is called first.
        recursive: search folders in their sub-folders too.
        allow_empty: write an empty build when no document can be built (else the outputs
            of an earlier build are left as they are: ``BuildResult.kept``).

    A build never leaves an earlier build in ``out`` emptier than it was when it fails: when
    no document can be built, nothing is written; a file that was built before and cannot be
    read now keeps its earlier build (with a warning).

    Raises:
        NothingToBuild: no resolution file in ``paths`` (and ``allow_empty`` is false).
        BuildError: another build is writing ``out``, or worker processes kept dying.
    """
    found = collect(paths, recursive=recursive, exclude=out)
    if not found.files and not allow_empty:
        raise NothingToBuild(found)
    out.mkdir(parents=True, exist_ok=True)
    docs_dir = out / "docs"
    docs_dir.mkdir(exist_ok=True)
    with _Lock(docs_dir / ".lock", out):
        _recover(out)
        return _build(found, out, docs_dir, base=base, symbol=symbol, lang=lang, progress=progress,
                      jobs=jobs or default_jobs(), force=force, validator=validator, allow_empty=allow_empty)


class _Clock:
    """The wall time of each phase of a build, in seconds (``timings``)."""

    def __init__(self) -> None:
        self.clock = time.perf_counter()
        self.timings: dict[str, float] = {}

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(self.timings.get(name, 0.0) + now - self.clock, 3)
        self.clock = now


def _language_versions(files: list[Path], shas: dict[str, str | None], cache: dict[str, Any], env: str,
                       lang: str | None, pool: _Pool) -> tuple[dict[str, Any], dict[str, str]]:
    """The header facts of each file (kept ones reused) and the files to be named by another
    language version's symbol (``mandates.build.versions``)."""
    facts: dict[str, Any] = {}
    if len(files) < 2:
        return facts, {}
    todo = []
    for f in files:
        c = cache.get(str(f))
        if c and c.get("sha") == shas[str(f)] and c.get("lang") == lang and c.get("env") == env:
            facts[str(f)] = c["facts"]
        else:
            todo.append(str(f))
    for p, got in zip(todo, pool.map(workers.header_facts, [(p, lang) for p in todo])):
        facts[p] = got
    return facts, _identify(files, facts, lang)


def _plan(files: list[Path], shas: dict[str, str | None], other_version: dict[str, str], known: dict[str, Any],
          docs_dir: Path, *, env: str, base: str, symbol: str | None, lang: str | None, force: bool,
          validator: str) -> tuple[list[workers.Task], dict[str, dict[str, Any]]]:
    """What to build (a task per changed file) and the summaries of the files kept as built."""
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
    return tasks, summaries


def _run_tasks(tasks: list[workers.Task], summaries: dict[str, dict[str, Any]], pool: _Pool,
               loader: _StoreLoader | None, docs_dir: Path, progress) -> None:  # type: ignore[no-untyped-def]
    """Build the tasks' files, each summary into ``summaries`` (and the loader) as it comes."""
    for s in pool.run(tasks):
        summaries[s["path"]] = s
        if loader is not None:
            loader.add(s, docs_dir)
        if progress and not s["result"].get("error"):
            progress(DocResult(**s["result"]))
        elif getattr(progress, "failed", None) is not None:
            progress.failed(DocResult(**s["result"]))


def _include(files: list[Path], summaries: dict[str, dict[str, Any]],
             errors: list[DocResult]) -> tuple[list[DocResult], list[dict[str, Any]]]:
    """Every file's result, and the summaries of the documents the build includes: in the
    order of the files, the first of two with one graph wins."""
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
    return results, included


def _keep_earlier(files: list[Path], summaries: dict[str, dict[str, Any]], earlier: dict[str, Any],
                  docs_dir: Path) -> list[str]:
    """Put back the earlier build of each file that failed now but was built before (its
    artefacts still in ``docs_dir``, its N-Quads as recorded): a file that cannot be read at
    the moment does not take its document out of the build. Returns those files."""
    kept = []
    for f in files:
        p = str(f)
        now, entry = summaries.get(p), earlier.get(p)
        if now is None or not now["result"].get("error") or not entry:
            continue
        before = entry.get("summary") or {}
        art = before.get("artefact")
        if not art or before["result"].get("error") or not all((docs_dir / f"{art}{ext}").is_file() for ext in ARTEFACTS):
            continue
        try:
            built_nquads(docs_dir / f"{art}.nq", before.get("nq_sha256"))
        except (OSError, BuildError):
            continue
        before = dict(before, result=dict(before["result"], issues=[*before["result"].get("issues", []), {
            "code": "earlier-build-kept", "severity": "warning", "where": None, "span": None,
            "message": f"cannot be built now ({now['result']['error']}); its earlier build is kept"}]))
        summaries[p] = before
        kept.append(p)
    return kept


def _report_summary(results: list[DocResult]) -> dict[str, Any]:
    """The documents' part of ``report.json``."""
    return {
        "documents": [dict(vars(r)) for r in sorted(results, key=lambda x: x.path)],
        "built": sum(1 for r in results if r.graph and not r.error),
        "failed": sum(1 for r in results if r.error),
        "violating": sum(1 for r in results if r.conforms is False),
    }


def _new_manifest(files: list[Path], summaries: dict[str, dict[str, Any]], shas: dict[str, str | None],
                  facts: dict[str, Any], *, env: str, lang: str | None, state: str, corpus: dict[str, Any],
                  timings: dict[str, float]) -> dict[str, Any]:
    """What the next build needs to know of this one (``docs/manifest.json``)."""
    return {
        "env": env,
        "documents": {str(f): {"key": summaries[str(f)]["key"], "artefact": summaries[str(f)]["artefact"],
                               "summary": summaries[str(f)]}
                      for f in files if summaries[str(f)].get("graph") and not summaries[str(f)]["result"].get("error")},
        "facts": {p: {"sha": shas[p], "lang": lang, "env": env, "facts": facts[p]} for p in facts},
        "exports": state,
        "corpus": corpus,
        "timings": timings,
    }


def _build(found: Inputs, out: Path, docs_dir: Path, *, base: str, symbol: str | None, lang: str | None,
           progress, jobs: int, force: bool, validator: str = "auto",  # type: ignore[no-untyped-def]
           allow_empty: bool = False) -> BuildResult:
    phase = _Clock()
    files = found.files
    errors = [DocResult(path=m, error=f"{m}: no such file or folder") for m in found.missing]
    env = environment(base)
    earlier = _read_json(docs_dir / MANIFEST) or {}
    manifest = {} if force else earlier
    if manifest.get("env") != env:
        manifest = {"facts": manifest.get("facts", {})} if not force else {}
    shas = {str(f): file_hash(f) for f in files}
    phase("hash")
    with contextlib.ExitStack() as cleanup:
        pool = _Pool(jobs)
        cleanup.callback(pool.close)
        loader: _StoreLoader | None = None
        facts, other_version = _language_versions(files, shas, manifest.get("facts", {}), env, lang, pool)
        phase("versions")
        tasks, summaries = _plan(files, shas, other_version, manifest.get("documents", {}), docs_dir, env=env,
                                 base=base, symbol=symbol, lang=lang, force=force, validator=validator)
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
        _run_tasks(tasks, summaries, pool, loader, docs_dir, progress)
        phase("documents")
        kept = _keep_earlier(files, summaries, earlier.get("documents", {}), docs_dir)
        results, included = _include(files, summaries, errors)
        if not included and not allow_empty:  # nothing built: the earlier build stays as it was
            return BuildResult(out, sorted(results, key=lambda x: x.path), rebuilt=len(tasks),
                               exported=False, timings=phase.timings, skipped=found.skipped, kept=True)
        summary = _report_summary(results)
        reports = sorted({line for f in files for line in summaries[str(f)].get("report", [])})
        state = _key(env, exports_environment(), [(s["graph"], s["nq_sha256"]) for s in included],
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
                             loader=loader, phase=phase, timings=phase.timings)
        new_manifest = _new_manifest(files, summaries, shas, facts, env=env, lang=lang, state=state, corpus=corpus,
                                     timings=phase.timings if not current else manifest.get("timings", {}))
        text = json.dumps(new_manifest, ensure_ascii=False)
        if not current or text != json.dumps(manifest, ensure_ascii=False):
            atomic_write(docs_dir / MANIFEST, text)
        _remove_stale_artefacts(docs_dir, {s["artefact"] for s in summaries.values()} | _group_artefacts(included)
                                | {Path(FACTS).stem})
        phase("manifest")
        return BuildResult(out, sorted(results, key=lambda x: x.path), rebuilt=len(files) - unchanged,
                           unchanged=unchanged, exported=not current, corpus=summary["corpus"], timings=phase.timings,
                           skipped=found.skipped, kept_documents=kept)


def _validate_corpus(docs_dir: Path, included: list[dict[str, Any]], base: str, validator: str) -> dict[str, Any]:
    """The corpus shapes over what the documents share, in parts that stay small: every
    document's ``.shared.nt`` together (its resolution's node and the IRIs it does not own),
    then each resolution built from more than one file (its language versions), with the
    triples about the nodes those files share (the rest of what they state is in the first part)."""

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
    """``mandates.build.versions.identify`` over header facts computed (and cached) by the workers."""

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

    arts = [DocArtefact(graph=s["graph"], nq=docs_dir / f"{s['artefact']}.nq",
                        ttl=docs_dir / f"{s['artefact']}.ttl") for s in included]
    vocab_ttl, vocab_nq = vocabulary_outputs(base)
    slim = [{k: s[k] for k in ("artefact", "key", "nq_sha256", "own", "graph", "view_keys", "view_labels")}
            for s in included]
    work = Path(tempfile.mkdtemp(prefix=".export.", dir=out))
    series = series_step(docs_dir, included, base, validator)  # (the graph files, the store and the view need it)
    if series.nquads:
        (work / "series.nq").write_bytes(series.nquads)
        (work / "series.ttl").write_text(series.turtle, encoding="utf-8")
        arts.append(DocArtefact(graph=series.name, nq=work / "series.nq", ttl=work / "series.ttl"))
    phase("series")
    side = pool if len(included) >= PARALLEL_EXPORTS_MIN and pool.jobs > 1 else None
    if side is not None:
        pool.close()  # fresh workers: those of the documents hold their caches (200-400 MB each)
    try:
        with ThreadPoolExecutor(max_workers=1) as thread:
            # one worker process, one after the other: two at once would pass 2 GB at 10,000 documents
            side_args = (work, docs_dir, slim, base, validator, series.view)
            shapes_and_view = _alongside(side, _shapes_and_view, *side_args)
            files_job = _alongside(thread if side is not None else None, _timed, write_graph_files, arts,
                                   nq_out=work / "graph.nq", ttl_out=work / "graph.ttl", trig_out=work / "graph.trig")
            if loader is not None:
                new_store = loader.finish(included, docs_dir, vocab_nq, f"{base}graph/vocabulary")
            else:
                new_store = _update_store(out, included, docs_dir, vocab_nq, f"{base}graph/vocabulary")
            put_series_graph(new_store, series)
            phase("store")
            store = open_store(new_store)
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
            corpus = merge_verdict(corpus, series)
            _, timings["graph files"] = files_job.result()
            phase("waiting for the corpus shapes, the view and the graph files")
        summary["corpus"] = {k: corpus[k] for k in ("conforms", "results")}
        reports = sorted(set(reports) | set(corpus["report"]))
        (work / "shacl-report.ttl").write_text(report_turtle(reports), encoding="utf-8")
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


def _shapes_and_view(work: Path, docs_dir: Path, included: list[dict[str, Any]], base: str, validator: str,  # type: ignore[no-untyped-def]
                     series: dict[str, Any] | None = None):
    """The corpus shapes' verdict and the mandates view (written into ``work``; ``series``: the
    series graph's part of it), each timed."""
    return (_timed(_validate_corpus, docs_dir, included, base, validator),
            _timed(_write_view, work, docs_dir, included, base, series))


def _timed(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """``fn(*args, **kwargs)`` and the seconds it took."""

    t = time.perf_counter()
    got = fn(*args, **kwargs)
    return got, round(time.perf_counter() - t, 3)


def _alongside(where, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """A future of ``fn(*args, **kwargs)``: submitted to ``where`` (a worker pool or a thread
    pool), or done here and now when it is None."""
    if where is not None:
        return where.submit(fn, *args, **kwargs)

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


def _write_view(work: Path, docs_dir: Path, included: list[dict[str, Any]], base: str,
                series: dict[str, Any] | None = None) -> None:
    """``mandates.json`` and ``mandates.csv`` from the documents' parts of the view; the
    language versions of one resolution are viewed together here (``mandates.exports.view``), and that
    part is kept in docs/ (:func:`_group_artefact`) for the builds after."""

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
        write_merged(parts, view_store(base)[1], j, c, series)


def _store_state(store_dir: Path) -> dict[str, Any] | None:
    if not (store_dir / "CURRENT").is_file():
        return None
    return _read_json(store_dir / STORE_STATE)


def _update_store(out: Path, included: list[dict[str, Any]], docs_dir: Path, vocab_nq: str,
                  vocab_name: str) -> Path:
    """A new store folder (not yet in place) holding exactly the included documents and the
    vocabulary: a copy of the previous store with the changed graphs replaced, or (many changes,
    no previous store) loaded afresh."""

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
        return load_afresh(out, included, docs_dir, vocab_nq, vocab_name)
    target = Path(tempfile.mkdtemp(prefix=".store.", dir=out))
    src = store = None
    try:
        target.rmdir()
        src = open_store(out / "store", read_only=True)
        src.backup(str(target))
        src = None
        store = open_store(target)
        present = graph_names(store)
        for g in sorted(present - set(want) - {vocab_name}):
            remove_graph(store, g)
        for g in changed + sorted(set(want) - set(changed) - present):
            if g in present:
                remove_graph(store, g)
            load_built(store, built_nquads(files[g], want[g]))
        if old.get("vocabulary") != vocab_sha or vocab_name not in present:  # type: ignore[union-attr]
            if vocab_name in present:
                remove_graph(store, vocab_name)
            load_nquads(store, vocab_nq.encode("utf-8"))
        store.flush()
        store = None
    except BaseException as exc:
        del src, store  # (closed before their folder goes: RocksDB may still write into it)
        shutil.rmtree(target, ignore_errors=True)
        if isinstance(exc, OSError):  # the old store cannot be read: load afresh
            return load_afresh(out, included, docs_dir, vocab_nq, vocab_name)
        raise
    _write_store_state(target, want, vocab_nq)
    return target


def load_afresh(out: Path, included: list[dict[str, Any]], docs_dir: Path, vocab_nq: str, vocab_name: str,
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
        self.target = Path(tempfile.mkdtemp(prefix=".store.", dir=out))
        self.store = open_store(self.target)
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
                remove_graph(self.store, g)
            if g in files:
                load_built(self.store, built_nquads(files[g], None))
        load_nquads(self.store, vocab_nq.encode("utf-8"))
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

    load_nquads(store, data, lenient=True)


def _read_json(path: Path) -> Any:
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
            self.executor = ProcessPoolExecutor(max_workers=self.jobs, mp_context=multiprocessing.get_context("spawn"),
                                                initializer=init_worker)
        return self.executor

    def map(self, fn, args: list[tuple]) -> list[Any]:  # type: ignore[no-untyped-def]
        """``fn`` over ``args`` (cheap tasks: in this process when a worker dies)."""

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


