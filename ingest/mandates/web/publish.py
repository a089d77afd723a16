"""``mandates publish``: the graph as a static linked-data site.

``publish(build_dir, out, base=None)`` reads the store a ``mandates build --out`` folder holds
(``<build_dir>/store``, opened read-only) and writes into ``out``:

``PATH.html``, ``PATH.ttl``, ``PATH.jsonld``, ``PATH.nt``
    for every resource ``{base}PATH``: every IRI under the base that is the subject of a
    triple (documents, paragraphs, clauses, reporting requests, footnotes, language
    versions, anchors, mentions, selectors, actors, instruments, verbs, themes, SDGs, flags,
    drafting conventions, schemes, the ontology, ...). A hash IRI ``{base}PATH#x`` belongs
    to the resource ``PATH`` (a client drops the fragment before asking). ``doc/A-RES-74-303.html``
    sits next to the folder ``doc/A-RES-74-303/``. The HTML page shows Chinese and English
    together; paragraph, clause and footnote pages show the source text with every extracted
    mention highlighted (``<mark>``) and linked to the actor's or instrument's page.
``index.html``
    the home page (Chinese and English).
``void.ttl``
    the VoID and DCAT description of the dataset ``{base}void.ttl#dataset``: licence,
    sources (the ``corpus/SOURCES.tsv`` address of each file built, else the official text
    of its resolution), triple counts (the union, and
    each named graph as a ``void:subset``), the dumps with their byte sizes and SHA-256.
``dump/graph.nq``, ``dump/graph.ttl``, ``dump/SHA256SUMS``
    every quad of the store (the document graphs and the vocabulary graph) as sorted
    N-Quads, their union as Turtle, and the checksums (``sha256sum -c`` reads the file).
``context.jsonld``
    a JSON-LD context: the prefixes and a term for every property of the ontology.
``ontology/index.html`` (and ``ontology/mandates.ttl``, ``ontology/shapes.ttl``)
    the ontology documented in Chinese and English from the ontology in the store, every
    term at an anchor equal to its fragment (``/ontology/#Mandate``), and the SHACL shapes.
    With the default base the ontology IRI is a resource like the others, so
    ``ontology.html`` holds the same page. (Not pyLODE: pyLODE 3.4.1 fails on import, and
    3.3.4 makes its anchors from labels, ``#Languageversion`` for ``mnd:LanguageVersion``, so
    hash IRIs would not land on their term; it also configures the root logger on import.)
``style.css``, ``manifest.json``
    the stylesheet, and the list of every resource: ``{"resources": {PATH: {"iri", "kind",
    "triples", "files": {"html", "ttl", "jsonld", "nt"}}}, ...}`` plus the site files and the
    media type of each extension (``mandates serve`` reads it).

**The triples about an IRI** (what the ``.ttl``, ``.jsonld`` and ``.nt`` of a resource hold),
over the union of all graphs of the store:

1. every triple whose subject is the IRI, or the IRI followed by ``#`` and a fragment;
2. and, repeatedly, every triple whose subject is the object of a ``mnd:anchor`` or
   ``oa:hasSelector`` triple already taken (a paragraph brings its anchors and their
   selectors; a mention brings its selector).

Nothing else: mentions point to their paragraph (``mnd:inParagraph``), so they are not
part of it, and a reporting request, a footnote or a clause is a resource of its own.
:func:`mandates.rdf.describe.about` is the rule in code (over a store, :meth:`Data.about`
over the in-memory index); :func:`mandates.rdf.formats.to_turtle`, ``to_jsonld`` and
``to_ntriples`` write any list of triples in ``canonical_order``, so the bytes do not depend
on the order the triples come in (this module re-exports them).

Links inside pages are root-relative (``/doc/A-RES-74-303/op/24``, no extension) so the
site works at any host: ``mandates serve`` negotiates the format; a plain web server needs
to try ``$uri.html`` (nginx: ``try_files $uri.html $uri $uri/index.html =404;``). The IRIs
shown are the real IRIs under the base. With ``--base`` other than the graph's, every IRI
under the graph's base is moved to the new one (the ontology's own terms never move), in
the pages, the twins and the dumps alike.

The pages are rendered by :mod:`mandates.web.site` from the Jinja2 templates of
``templates/`` (the server renders its pages from the same templates); the site's fixed
words (Chinese and English) are in ``templates/messages.json``, its stylesheet is
``templates/style.css``.

Everything is written into a fresh folder beside ``out`` (each file with
:func:`mandates.core.files.atomic_write`) and swapped in at the end, so a half-written site
never replaces a good one; nothing carries a date, so equal stores give equal bytes.

Exit codes of ``mandates publish``: 0 written; 2 usage (bad ``--base``, ``--out`` a file or a
folder that is not a site, or ``--out`` cannot be written); 3 the store (no such folder, no built store, cannot be opened).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable

from mandates import __version__
from mandates.core.files import atomic_write, swap_dir
from mandates.core.resources import corpus_dir, ontology_dir
from mandates.rdf.describe import GraphIndex, about, all_quads, literal, quad_graph_names, rebase_quads, triple
from mandates.rdf.describe import iri as iri_term
from mandates.rdf.formats import (RESOURCE_FORMATS, canonical_order, to_jsonld, to_nquads, to_ntriples,
                                  to_turtle)
from mandates.rdf.iris import IRIError, check
from mandates.rdf.namespaces import CATALOGUE_PREFIXES, DCAT, DCTERMS, ELI, FOAF, FORMATS_NS, MND, OA, ORG, OWL
from mandates.rdf.namespaces import PREFIXES, PROV, RDF, RDFS, SKOS, SPDX, VOID, XSD, graph_base
from mandates.rdf.store import StoreError, open_for_command
from mandates.web.pages import DATA_LICENSE, TEMPLATES, M
from mandates.web.site import EU_LANG, KINDS, LANG_NAMES, Site

__all__ = ["publish", "publish_cli", "about", "Data", "to_turtle", "to_jsonld", "to_ntriples", "to_nquads",
           "canonical_order", "KINDS", "LANG_NAMES", "TEMPLATES", "FORMATS", "PublishError"]

EXIT_OK, EXIT_USAGE, EXIT_STORE = 0, 2, 3

DCT = DCTERMS
#: media type of each file a resource has
FORMATS = RESOURCE_FORMATS
#: the in-memory index of the graph the pages are rendered from
Data = GraphIndex


class PublishError(Exception):
    """A problem with the store or the output folder; ``code`` is the exit code."""

    def __init__(self, message: str, code: int = EXIT_STORE):
        super().__init__(message)
        self.code = code


def _open(build_dir: Path):  # type: ignore[no-untyped-def]
    """The store of a build folder, read-only (:func:`mandates.rdf.store.open_for_command`; its
    errors as :class:`PublishError`)."""
    try:
        return open_for_command(build_dir)
    except StoreError as exc:
        raise PublishError(str(exc)) from None


# ---------------------------------------------------------------- dataset files


def read_sources() -> dict[str, str]:
    """``corpus/SOURCES.tsv``: file name -> where it was retrieved from."""
    f = corpus_dir() / "SOURCES.tsv"
    if not f.is_file():
        return {}
    out = {}
    with f.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row.get("file") and row.get("source"):
                out[row["file"]] = row["source"].strip()
    return out


def context_doc(data: Data) -> dict[str, Any]:
    """The JSON-LD context: prefixes, and a term for each property of the ontology."""
    ctx: dict[str, Any] = dict(PREFIXES)
    for s in sorted(data.by_s):
        if not s.startswith(MND) or len(s) == len(MND):
            continue
        types = set(data.iris(s, RDF + "type"))
        local = s[len(MND):]
        if OWL + "ObjectProperty" in types:
            ctx[local] = {"@id": f"mnd:{local}", "@type": "@id"}
        elif OWL + "DatatypeProperty" in types or OWL + "AnnotationProperty" in types:
            ctx[local] = {"@id": f"mnd:{local}"}
    return {"@context": ctx}


def void_triples(site: Site, dumps: dict[str, dict[str, Any]], graphs: dict[str, int], triples: int) -> list:
    """The VoID and DCAT description of the dataset ``{base}void.ttl#dataset``."""
    d, base = site.d, site.base
    N, L = iri_term, literal
    ds = N(base + "void.ttl#dataset")
    out = []

    def add(s: Any, p: str, o: Any) -> None:
        out.append(triple(s, N(p), o))

    def integer(n: int, dt: str = "integer") -> Any:
        return L(str(n), datatype=XSD + dt)

    add(ds, RDF + "type", N(VOID + "Dataset"))
    add(ds, RDF + "type", N(DCAT + "Dataset"))
    for lang, text in zip(("zh", "en"), M("Mandates in UN General Assembly resolutions")):
        add(ds, DCT + "title", L(text, language=lang))
    for lang, text in zip(("zh", "en"), M("void.description")):
        add(ds, DCT + "description", L(text, language=lang))
    add(ds, DCT + "license", N(DATA_LICENSE))
    add(ds, DCT + "creator", N(f"{base}tool/mandates/{__version__}") if f"{base}tool/mandates/{__version__}" in d.by_s
        else L(f"mandates {__version__}"))
    add(ds, DCAT + "landingPage", N(base))
    add(ds, FOAF + "homepage", N(base))
    add(ds, VOID + "uriSpace", L(base))
    add(ds, VOID + "sparqlEndpoint", N(base + "sparql"))
    add(ds, VOID + "triples", integer(triples))
    add(ds, VOID + "entities", integer(len(site.paths)))
    subjects = {t.subject for t in d.triples}
    add(ds, VOID + "distinctSubjects", integer(len(subjects)))
    add(ds, VOID + "distinctObjects", integer(len({t.object for t in d.triples})))
    add(ds, VOID + "properties", integer(len({t.predicate for t in d.triples})))
    add(ds, VOID + "classes", integer(len({t.object for t in d.triples if t.predicate.value == RDF + "type"})))
    for v in (MND.rstrip("#"), ELI.rstrip("#"), OA.rstrip("#"), PROV.rstrip("#"), SKOS.rstrip("/"), DCT.rstrip("/"),
              ORG.rstrip("#")):
        add(ds, VOID + "vocabulary", N(v))
    for lang in sorted(EU_LANG):
        add(ds, DCT + "language", N(lang))
    # where each built text came from (corpus/SOURCES.tsv), else the official text of its work
    sources: set[str] = set()
    for expr in d.subjects(RDF + "type", MND + "LanguageVersion"):
        f = d.literal(expr, MND + "sourceFile") or ""
        if f in site.sources:
            sources.add(site.sources[f])
        else:
            for w in d.iris(expr, ELI + "realizes"):
                sources.update(d.iris(w, RDFS + "seeAlso"))
    for src in sorted(sources):
        add(ds, DCT + "source", N(src) if re.match(r"https?://\S+$", src) else L(src))
    works = sorted(s for s in site.paths.values() if site.kind(s) == "resolution" and d.iris(s, ELI + "is_realized_by"))
    for w in works:
        add(ds, VOID + "rootResource", N(w))
    for w in works[:1]:
        add(ds, VOID + "exampleResource", N(w))
        paras = site.paragraphs_of(w)
        clauses = [c for p in paras for c in site.clauses_of(p)]
        if clauses:
            add(ds, VOID + "exampleResource", N(clauses[0]))
    for g, n in sorted(graphs.items()):
        add(ds, VOID + "subset", N(g))
        add(N(g), RDF + "type", N(VOID + "Dataset"))
        add(N(g), VOID + "triples", integer(n))
    media = {"graph.nq": ("application/n-quads", FORMATS_NS + "N-Quads"),
             "graph.ttl": ("text/turtle", FORMATS_NS + "Turtle")}
    for name, info in sorted(dumps.items()):
        dist = N(base + "dump/" + name)
        add(ds, VOID + "dataDump", dist)
        add(ds, DCAT + "distribution", dist)
        add(ds, VOID + "feature", N(media[name][1]))
        add(dist, RDF + "type", N(DCAT + "Distribution"))
        add(dist, DCAT + "downloadURL", dist)
        add(dist, DCAT + "mediaType", N("http://www.iana.org/assignments/media-types/" + media[name][0]))
        add(dist, DCAT + "byteSize", integer(info["bytes"], "nonNegativeInteger"))
        add(dist, DCT + "license", N(DATA_LICENSE))
        add(dist, VOID + "triples", integer(info["triples"]))
        chk = N(base + "dump/" + name + "#sha256")
        add(dist, SPDX + "checksum", chk)
        add(chk, RDF + "type", N(SPDX + "Checksum"))
        add(chk, SPDX + "algorithm", N(SPDX + "checksumAlgorithm_sha256"))
        add(chk, SPDX + "checksumValue", L(info["sha256"], datatype=XSD + "hexBinary"))
    return canonical_order(out, ds.value)


# ---------------------------------------------------------------- publish


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise PublishError(f"--out {out} exists and is not a folder", EXIT_USAGE)
    if out.is_dir() and any(out.iterdir()) and not (out / "manifest.json").is_file():
        raise PublishError(f"--out {out} is a folder with files that 'mandates publish' did not write "
                           "(no manifest.json); give an empty or new folder", EXIT_USAGE)


def normalise_base(base: str) -> str:
    """``--base`` as an absolute http(s) IRI ending in ``/`` or ``#``."""
    if not base.endswith(("/", "#")):
        base += "/"
    try:
        check(base + "doc/x")
    except IRIError as exc:
        raise PublishError(f"--base {base!r} is not an absolute IRI ({exc})", EXIT_USAGE) from None
    if not re.match(r"https?://", base):
        raise PublishError(f"--base {base!r}: the site's base must be an http(s) IRI", EXIT_USAGE)
    return base


def publish(build_dir: Path, out: Path, *, base: str | None = None, progress: Callable[[str], None] | None = None
            ) -> dict[str, Any]:
    """Write the site of the build folder ``build_dir`` into ``out`` (see the module
    docstring). Returns counts: ``resources``, ``files``, ``triples``, ``quads``, ``kinds``,
    ``skipped``, ``base``. Raises :class:`PublishError`."""
    build_dir, out = Path(build_dir), Path(out)
    _check_out(out)
    store = _open(build_dir)
    quads_src = all_quads(store)
    names = quad_graph_names(quads_src)
    if not quads_src:
        raise PublishError(f"--store {build_dir}: the store is empty")
    src_base = graph_base(names)
    base = normalise_base(base) if base else src_base
    quads = rebase_quads(quads_src, src_base, base)
    data = Data(quads, base)
    site = Site(data, store, src_base, read_sources())

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        counts = _write(site, tmp, progress)
        os.chmod(tmp, 0o755)
        swap_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return counts


def _write(site: Site, root: Path, progress: Callable[[str], None] | None) -> dict[str, Any]:
    d = site.d
    n_files = 0

    def write(rel: str, data: str | bytes) -> None:
        nonlocal n_files
        atomic_write(root / rel, data)
        n_files += 1

    manifest: dict[str, Any] = {}
    kinds: dict[str, int] = defaultdict(int)
    for i, (path, iri) in enumerate(sorted(site.paths.items())):
        triples = d.about(iri)
        k = site.kind(iri)
        kinds[k] += 1
        write(f"{path}.html", site.page(iri))
        write(f"{path}.ttl", to_turtle(triples))
        write(f"{path}.jsonld", to_jsonld(triples))
        write(f"{path}.nt", to_ntriples(triples))
        manifest[path] = {"iri": iri, "kind": k, "triples": len(triples),
                          "files": {ext: f"{path}.{ext}" for ext in FORMATS}}
        if progress and i % 500 == 0:
            progress(f"{i} resources")

    # dumps
    nq = to_nquads(d.quads)
    union = d.triples
    ttl = to_turtle(union, dict(PREFIXES))
    dumps = {}
    for name, blob, n in (("graph.nq", nq, len(set(nq.splitlines()))), ("graph.ttl", ttl, len(union))):
        write(f"dump/{name}", blob)
        dumps[name] = {"path": f"dump/{name}", "bytes": len(blob), "sha256": hashlib.sha256(blob).hexdigest(),
                       "triples": n}
    write("dump/SHA256SUMS", "".join(f"{v['sha256']}  {k}\n" for k, v in sorted(dumps.items())))
    graphs = d.graph_sizes()
    write("void.ttl", to_turtle(void_triples(site, dumps, graphs, len(d.triples)), CATALOGUE_PREFIXES,
                                first=site.base + "void.ttl#dataset"))
    write("context.jsonld", json.dumps(context_doc(d), ensure_ascii=False, sort_keys=True, indent=1) + "\n")
    write("style.css", (TEMPLATES / "style.css").read_bytes())
    write("index.html", site.home(dict(kinds), len(d.triples)))

    # the ontology
    onto = site.ontology_page(alternates="ontology" if "ontology" in site.paths else None)
    write("ontology/index.html", onto)
    for f in ("mandates.ttl", "shapes.ttl"):
        p = ontology_dir() / f
        if p.is_file():
            write(f"ontology/{f}", p.read_bytes())

    files = {"home": "index.html", "void": "void.ttl", "context": "context.jsonld", "style": "style.css",
             "ontology": "ontology/index.html", "checksums": "dump/SHA256SUMS", "dumps": dumps}
    doc = {"generator": f"mandates {__version__}", "base": site.base, "formats": FORMATS,
           "rule": "triples whose subject is the IRI or IRI#fragment, plus (repeatedly) those of the objects of "
                   "mnd:anchor and oa:hasSelector", "site": files, "resources": manifest,
           "counts": {"resources": len(manifest), "triples": len(d.triples), "quads": len(d.quads),
                      "kinds": dict(sorted(kinds.items()))}}
    write("manifest.json", json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n")
    return {"resources": len(manifest), "files": n_files, "triples": len(d.triples), "quads": len(d.quads),
            "kinds": dict(sorted(kinds.items())), "skipped": list(site.skipped), "base": site.base}


def publish_cli(args) -> int:  # type: ignore[no-untyped-def]
    """``mandates publish [--store DIR] --out SITE [--base IRI]``."""
    where = str(getattr(args, "store", None) or "build")
    if re.match(r"^[a-z][a-z0-9+.-]*://", where, re.I):
        print(f"mandates: error: --store {where}: publish reads a folder written by 'mandates build --out', "
              "not an endpoint", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "out", None) is None:
        print("mandates: error: --out SITE is required", file=sys.stderr)
        return EXIT_USAGE
    try:
        base = normalise_base(args.base) if getattr(args, "base", None) else None
        counts = publish(Path(where), Path(args.out), base=base)
    except PublishError as exc:
        print(f"mandates: error: {exc}", file=sys.stderr)
        return exc.code
    except OSError as exc:  # the output folder cannot be written
        print(f"mandates: error: cannot write the site to {args.out}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"mandates: published {counts['resources']} resources ({counts['files']} files, {counts['triples']} triples) "
          f"under {counts['base']} -> {args.out}/", file=sys.stderr)
    if counts["skipped"]:
        print(f"mandates: {len(counts['skipped'])} IRI(s) have no page (their path cannot be a file name): "
              + ", ".join(counts["skipped"][:5]), file=sys.stderr)
    return EXIT_OK
