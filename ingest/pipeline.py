"""Build a corpus: read, extract, build RDF, validate, store, export; atomically.

One bad file never stops the run: it is reported with its reason and the rest are built.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .read import InputError, read_source
from .vocab import DEFAULT_BASE

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")


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


@dataclass
class BuildResult:
    out: Path
    documents: list[DocResult]

    @property
    def failed(self) -> list[DocResult]:
        return [d for d in self.documents if d.error]

    @property
    def violating(self) -> list[DocResult]:
        return [d for d in self.documents if d.conforms is False]

    def exit_code(self) -> int:
        if self.failed:
            return 3
        if self.violating:
            return 1
        return 0


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


def sorted_nquads(graphs: list[tuple[str, Any]]) -> str:
    """Canonical N-Quads: one line per quad, sorted, so equal graphs give equal bytes."""
    lines: set[str] = set()
    for name, g in graphs:
        for s, p, o in g:
            lines.add(f"{nt_term(s)} {nt_term(p)} {nt_term(o)} <{name}> .")
    return "\n".join(sorted(lines)) + ("\n" if lines else "")


def build(paths: list[Path], out: Path, *, base: str = DEFAULT_BASE, symbol: str | None = None,
          lang: str | None = None, progress=None) -> BuildResult:  # type: ignore[no-untyped-def]
    """Build every file of ``paths`` into ``out``.

    Writes ``graph.trig`` and ``graph.nq`` (the named graphs), ``graph.ttl`` (their union),
    ``vocabulary.ttl``, ``shacl-report.ttl``, ``report.json``, ``mandates.json``,
    ``mandates.csv`` and the embedded store ``store/``.
    """
    from rdflib import Graph

    from .build import build_graph, dataset, vocabulary_graph
    from .export import mandates, mandates_csv, to_json
    from .extract import extract
    from .store import load_nquads, open_store
    from .validate import validate
    from .vocab import load

    vocab = load()
    files, results = collect(paths)
    vocab_g = vocabulary_graph(base=base)
    graphs: list[tuple[str, Graph]] = []
    reports = Graph()
    for f in files:
        r = DocResult(path=str(f))
        results.append(r)
        try:
            src = read_source(f, lang=lang)
            doc = extract(src, vocab, symbol=symbol if len(files) == 1 else None)
            name, g = build_graph(doc, base=base)
        except InputError as exc:
            r.error = str(exc)
            continue
        r.symbol, r.lang, r.graph, r.triples, r.truncated = doc.header.symbol, doc.lang, name, len(g), doc.truncated
        r.issues = [{"code": i.code, "severity": i.severity, "message": i.message, "where": i.where,
                     "span": list(doc.orig_span(i.span)) if i.span else None} for i in doc.issues]
        r.counts = {"preambular": sum(p.kind == "preambular" for p in doc.paragraphs),
                    "operative": sum(p.kind == "operative" for p in doc.paragraphs),
                    "footnotes": len(doc.footnotes),
                    "clauses": sum(len(p.clauses) for p in doc.paragraphs),
                    "mandates": sum(1 for p in doc.paragraphs for c in p.clauses if c.verb.directive)}
        v = validate(g, vocabulary=vocab_g, base=base)
        r.conforms = v.conforms
        r.shacl = [{"shape": x.shape, "focus": x.focus, "path": x.path, "message": x.message,
                    "severity": x.severity} for x in v.results]
        if v.report is not None:
            for t in v.report:
                reports.add(t)
        if any(name == n for n, _ in graphs):
            r.error = f"{f}: a document with the same symbol and language ({doc.header.symbol}, {doc.lang}) was already built"
            continue
        graphs.append((name, g))
        if progress:
            progress(r)

    out.mkdir(parents=True, exist_ok=True)
    vocab_name = f"{base}graph/vocabulary"
    nq = sorted_nquads(graphs)
    atomic_write(out / "graph.nq", nq)
    ds = dataset(graphs)
    atomic_write(out / "graph.trig", ds.serialize(format="trig"))
    union = Graph()
    for _, g in graphs:
        for t in g:
            union.add(t)
    _bind(union)
    atomic_write(out / "graph.ttl", union.serialize(format="turtle"))
    _bind(vocab_g)
    atomic_write(out / "vocabulary.ttl", vocab_g.serialize(format="turtle"))
    _bind(reports)
    atomic_write(out / "shacl-report.ttl", _report_turtle(reports))

    # the embedded store: built aside, then swapped in
    store_dir = out / "store"
    tmp_dir = Path(tempfile.mkdtemp(prefix=".store.", dir=out))
    store = open_store(tmp_dir)
    load_nquads(store, nq.encode("utf-8"))
    load_nquads(store, sorted_nquads([(vocab_name, vocab_g)]).encode("utf-8"))
    store.flush()
    view = mandates(store)
    from .gephi import write_build_exports

    write_build_exports(store, tmp_dir.parent)
    del store
    _swap_dir(tmp_dir, store_dir)

    atomic_write(out / "mandates.json", to_json(view))
    atomic_write(out / "mandates.csv", mandates_csv(view))
    summary = {
        "documents": [
            {k: v for k, v in vars(r).items()} for r in sorted(results, key=lambda x: x.path)
        ],
        "built": sum(1 for r in results if r.graph and not r.error),
        "failed": sum(1 for r in results if r.error),
        "violating": sum(1 for r in results if r.conforms is False),
    }
    atomic_write(out / "report.json", json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
    return BuildResult(out, sorted(results, key=lambda x: x.path))


def _swap_dir(new: Path, target: Path) -> None:
    import shutil

    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        if old.exists():
            shutil.rmtree(old)
        os.replace(target, old)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _bind(g) -> None:  # type: ignore[no-untyped-def]
    from rdflib import Namespace

    for prefix, ns in (
        ("mnd", "https://w3id.org/un-mandates/ontology#"), ("eli", "http://data.europa.eu/eli/ontology#"),
        ("oa", "http://www.w3.org/ns/oa#"), ("prov", "http://www.w3.org/ns/prov#"),
        ("skos", "http://www.w3.org/2004/02/skos/core#"), ("dcterms", "http://purl.org/dc/terms/"),
        ("sh", "http://www.w3.org/ns/shacl#"),
    ):
        g.bind(prefix, Namespace(ns), override=True)


def _report_turtle(g) -> str:  # type: ignore[no-untyped-def]
    """The SHACL report as Turtle; pySHACL's report uses blank nodes, so they are skolemised
    to content-derived IRIs to keep the file identical across runs."""
    import hashlib

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
    _bind(out)
    return out.serialize(format="turtle")
