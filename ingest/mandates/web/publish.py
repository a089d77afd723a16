"""``mandates publish``: the graph as a static linked-data site.

``publish(build_dir, out, base=None)`` reads the store a ``mandates build --out`` folder holds
(``<build_dir>/store``, opened read-only) and writes into ``out``:

``PATH.html``, ``PATH.ttl``, ``PATH.jsonld``, ``PATH.nt``, ``PATH.rdf``
    for every resource ``{base}PATH``: every IRI under the base that is the subject of a
    triple (documents, paragraphs, clauses, reporting requests, footnotes, language
    versions, anchors, mentions, selectors, actors (every State and organization of the
    vocabularies, named in a built text or not), instruments, verbs, themes, SDGs, flags,
    drafting conventions, schemes, the ontology, ...). A
    hash IRI ``{base}PATH#x`` belongs to the resource ``PATH`` (a client drops the fragment
    before asking). ``doc/A-RES-74-303.html`` sits next to the folder ``doc/A-RES-74-303/``.
    The HTML page shows Chinese and English together; paragraph, clause and footnote pages
    show the source text with every extracted mention highlighted (``<mark>``) and linked to
    the actor's or instrument's page.
``graph/NAME.html``, ``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``
    every named graph ``{base}graph/NAME``: its triples, the bytes ``mandates serve`` answers
    at its IRI (the page: a table of them); its description (size, the resources it holds
    first, its source, the query that gives it) is in ``void.ttl``.
``index.html``
    the home page (Chinese and English).
``void.ttl`` (and the same bytes as ``.well-known/void.ttl``)
    the VoID and DCAT-AP description of the dataset ``{base}void.ttl#dataset`` and of its
    catalogue (:mod:`mandates.web.catalogue`): licence, rights of the republished UN texts,
    publisher, contact point, dates, keywords and themes, sources, triple counts (the union,
    and each named graph as a ``void:subset``), the dumps with their byte sizes and SHA-256,
    the SPARQL endpoint as a ``dcat:DataService``.
``dump/graph.nq``, ``dump/graph.ttl``, ``dump/SHA256SUMS``
    every quad of the store (the document graphs and the vocabulary graph) as sorted
    N-Quads, their union as Turtle, and the checksums (``sha256sum -c`` reads the file).
``sitemap.xml``, ``robots.txt``
    every page's address for crawlers (non-information resources by their ``.html`` page),
    and where the sitemap is (the endpoint is not to be crawled).
``.nginx/noninfo.map``, ``.nginx/retired.map``
    maps for the nginx configuration of ``deploy/nginx``: the paths of the resources that are
    no documents (actors and concepts: answered 303 to their description), and the retired
    IRIs (symbol corrections, ``owl:sameAs``: answered 301).
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
    "triples", "files": {"html", "ttl", "jsonld", "nt", "rdf"}, "noninformation"}}, ...}``
    plus the site files and the media type of each extension (``mandates serve`` reads it).

**The description of an IRI** (what the ``.ttl``, ``.jsonld``, ``.nt`` and ``.rdf`` of a
resource hold) is the rule of :mod:`mandates.rdf.describe`, over the union of all graphs of
the store: the IRI's own triples (those whose subject is the IRI or IRI#fragment, and,
repeatedly, those of the objects of ``mnd:anchor`` and ``oa:hasSelector``: a paragraph brings
its anchors and their selectors, a mention its selector; mentions point to their paragraph,
so they are not part of it, and a reporting request, a footnote or a clause is a resource of
its own); the triples whose object is the IRI (at most 500; past that, the description links
to the SPARQL query that gives them all); and what the description document ``PATH.html``
says of itself (its topic, ``void:inDataset``, ``dcterms:license``, ``prov:wasDerivedFrom`` the
named graphs). :func:`mandates.rdf.describe.about` is the rule in code (over a store,
:meth:`Data.about` over the in-memory index); :func:`mandates.rdf.formats.to_turtle`,
``to_jsonld``, ``to_ntriples`` and ``to_rdfxml`` write any list of triples in
``canonical_order``, so the bytes do not depend on the order the triples come in (this module
re-exports them).

Links inside pages are root-relative (``/doc/A-RES-74-303/op/24``, no extension) so the
site works at any host: ``mandates serve`` negotiates the format, and so does the nginx
configuration of ``deploy/nginx`` (``try_files $uri.$ext``); the stylesheet and a page's other
formats are linked relatively, so a page opened as a file has its style. The IRIs shown are
the real IRIs under the base. With ``--base`` other than the graph's, every IRI under the
graph's base is moved to the new one (the ontology's own terms never move), in the pages,
the twins and the dumps alike.

The pages are rendered by :mod:`mandates.web.site` from the Jinja2 templates of
``templates/`` (the server renders its pages from the same templates); the site's fixed
words (Chinese and English) are in ``templates/messages.json``, its stylesheet is
``templates/style.css``.

Everything is written into a fresh folder beside ``out`` (each file with
:func:`mandates.core.files.atomic_write`) and swapped in at the end, so a half-written site
never replaces a good one; nothing carries the clock's date (the catalogue's dates come from
the data or ``--issued``), so equal stores give equal bytes.

Exit codes of ``mandates publish``: 0 written; 2 usage (bad ``--base``, ``--issued`` or
``--contact``, ``--out`` a file or a folder that is not a site, or ``--out`` cannot be
written); 3 the store (no such folder, no built store, cannot be opened).
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
from mandates.rdf.describe import (DATASET, MAX_INBOUND, GraphIndex, about, all_quads, quad_graph_names,
                                   rebase_quads)
from mandates.rdf.formats import (SERVED_FORMATS, canonical_order, resource_bytes, to_jsonld, to_nquads, to_rdfxml,
                                  to_ntriples, to_turtle)
from mandates.rdf.iris import IRIError, check
from mandates.rdf.namespaces import MND, OWL, PREFIXES, RDF, graph_base
from mandates.rdf.store import StoreError, open_for_command
from mandates.web.catalogue import PREFIXES as CATALOGUE
from mandates.web.catalogue import (CatalogueInfo, graph_description, nginx_maps, robots_txt, sitemap_files,
                                    void_triples)
from mandates.web.pages import TEMPLATES
from mandates.web.site import KINDS, LANG_NAMES, Site

__all__ = ["publish", "publish_cli", "about", "Data", "to_turtle", "to_jsonld", "to_ntriples", "to_nquads", "to_rdfxml",
           "canonical_order", "KINDS", "LANG_NAMES", "TEMPLATES", "FORMATS", "PublishError", "CatalogueInfo",
           "void_triples"]

EXIT_OK, EXIT_USAGE, EXIT_STORE = 0, 2, 3

#: media type of each file a resource has
FORMATS = SERVED_FORMATS
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


def publish(build_dir: Path, out: Path, *, base: str | None = None, progress: Callable[[str], None] | None = None,
            info: CatalogueInfo = CatalogueInfo()) -> dict[str, Any]:
    """Write the site of the build folder ``build_dir`` into ``out`` (see the module
    docstring; ``info``: what the catalogue says that the graph does not). Returns counts:
    ``resources``, ``files``, ``triples``, ``quads``, ``kinds``, ``skipped``, ``base``.
    Raises :class:`PublishError`."""
    build_dir, out = Path(build_dir), Path(out)
    _check_out(out)
    if info.issued is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", info.issued):
        raise PublishError(f"--issued {info.issued!r} is not a date (YYYY-MM-DD)", EXIT_USAGE)
    if info.contact is not None and not re.match(r"(https?://|mailto:)\S+$", info.contact):
        raise PublishError(f"--contact {info.contact!r} is not an http(s): or mailto: address", EXIT_USAGE)
    store = _open(build_dir)
    quads_src = all_quads(store)
    names = quad_graph_names(quads_src)
    if not quads_src:
        raise PublishError(f"--store {build_dir}: the store is empty")
    src_base = graph_base(names)
    base = normalise_base(base) if base else src_base
    quads = rebase_quads(quads_src, src_base, base)
    data = Data(quads, base, src_base)
    site = Site(data, store, src_base, read_sources())

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        counts = _write(site, tmp, progress, info)
        os.chmod(tmp, 0o755)
        swap_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return counts


class _Writer:
    """Files written atomically under the site's folder, counted."""

    def __init__(self, root: Path):
        self.root = root
        self.count = 0

    def __call__(self, rel: str, data: str | bytes) -> None:
        atomic_write(self.root / rel, data)
        self.count += 1

    def resource(self, path: str, page: str, triples: list) -> dict[str, str]:
        """A resource's page and its RDF files (:data:`FORMATS`); their names by extension."""
        self(f"{path}.html", page)
        for ext in FORMATS:
            if ext != "html":
                self(f"{path}.{ext}", resource_bytes(triples, ext))
        return {ext: f"{path}.{ext}" for ext in FORMATS}


def _resources(site: Site, write: _Writer, progress: Callable[[str], None] | None
               ) -> tuple[dict[str, Any], dict[str, int]]:
    """Every resource's page and RDF files, then every named graph's: the manifest's entries
    and the number of resources of each kind."""
    d = site.d
    manifest: dict[str, Any] = {}
    kinds: dict[str, int] = defaultdict(int)
    for i, (path, iri) in enumerate(sorted(site.paths.items())):
        triples = d.about(iri)
        k = site.kind(iri)
        kinds[k] += 1
        manifest[path] = {"iri": iri, "kind": k, "triples": len(triples),
                          "files": write.resource(path, site.page(iri), triples)}
        if site.non_information(iri):
            manifest[path]["noninformation"] = True
        if progress and i % 500 == 0:
            progress(f"{i} resources")
    sizes = d.graph_sizes()
    for path, g in sorted(site.graph_paths.items()):
        # the graph's triples in each format, the bytes `mandates serve` answers at its IRI
        content = graph_description(site, g, sizes.get(g, 0))[1]
        kinds["graph"] += 1
        files = {ext: f"{path}.{ext}" for ext in FORMATS}
        write(files["html"], site.graph_page(path, content))
        for ext in FORMATS:
            if ext != "html":
                write(files[ext], resource_bytes(content, ext))
        manifest[path] = {"iri": g, "kind": "graph", "triples": len(content), "files": files}
    return manifest, kinds


def _dumps(site: Site, write: _Writer) -> dict[str, dict[str, Any]]:
    """The dumps and their checksums."""
    d = site.d
    nq = to_nquads(d.quads)
    ttl = to_turtle(d.triples, dict(PREFIXES))
    dumps = {}
    for name, blob, n in (("graph.nq", nq, len(set(nq.splitlines()))), ("graph.ttl", ttl, len(d.triples))):
        write(f"dump/{name}", blob)
        dumps[name] = {"path": f"dump/{name}", "bytes": len(blob), "sha256": hashlib.sha256(blob).hexdigest(),
                       "triples": n}
    write("dump/SHA256SUMS", "".join(f"{v['sha256']}  {k}\n" for k, v in sorted(dumps.items())))
    return dumps


def _write(site: Site, root: Path, progress: Callable[[str], None] | None,
           info: CatalogueInfo = CatalogueInfo()) -> dict[str, Any]:
    d = site.d
    write = _Writer(root)
    manifest, kinds = _resources(site, write, progress)
    dumps = _dumps(site, write)
    void = to_turtle(void_triples(site, dumps, d.graph_sizes(), len(d.triples), info), CATALOGUE,
                     first=site.base + DATASET)
    write("void.ttl", void)
    write(".well-known/void.ttl", void)
    for name, text in {**sitemap_files(site), **nginx_maps(site)}.items():
        write(name, text)
    write("robots.txt", robots_txt(site.base))
    write("context.jsonld", json.dumps(context_doc(d), ensure_ascii=False, sort_keys=True, indent=1) + "\n")
    write("style.css", (TEMPLATES / "style.css").read_bytes())
    write("index.html", site.home(dict(kinds), len(d.triples)))

    # the ontology
    write("ontology/index.html", site.ontology_page(alternates="ontology" if "ontology" in site.paths else None,
                                                    root="../"))
    for f in ("mandates.ttl", "shapes.ttl"):
        p = ontology_dir() / f
        if p.is_file():
            write(f"ontology/{f}", p.read_bytes())

    files = {"home": "index.html", "void": "void.ttl", "well-known-void": ".well-known/void.ttl",
             "context": "context.jsonld", "style": "style.css", "ontology": "ontology/index.html",
             "checksums": "dump/SHA256SUMS", "dumps": dumps, "sitemap": "sitemap.xml", "robots": "robots.txt",
             "nginx": {"noninformation": ".nginx/noninfo.map", "retired": ".nginx/retired.map",
                       "codes": ".nginx/codes.map"}}
    doc = {"generator": f"mandates {__version__}", "base": site.base, "formats": FORMATS,
           "rule": "triples whose subject is the IRI or IRI#fragment, plus (repeatedly) those of the objects of "
                   f"mnd:anchor and oa:hasSelector; the triples whose object is the IRI (at most {MAX_INBOUND}); "
                   "the description's topic, dataset, licence and source graphs", "site": files,
           "resources": manifest, "counts": {"resources": len(manifest), "triples": len(d.triples),
                                             "quads": len(d.quads), "kinds": dict(sorted(kinds.items()))}}
    write("manifest.json", json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n")
    return {"resources": len(manifest), "files": write.count, "triples": len(d.triples), "quads": len(d.quads),
            "kinds": dict(sorted(kinds.items())), "skipped": list(site.skipped), "base": site.base}


def publish_cli(args) -> int:  # type: ignore[no-untyped-def]
    """``mandates publish [--store DIR] --out SITE [--base IRI] [--issued DATE] [--publisher NAME]
    [--contact URL]``."""
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
        info = CatalogueInfo(issued=getattr(args, "issued", None), publisher=getattr(args, "publisher", None),
                             contact=getattr(args, "contact", None))
        counts = publish(Path(where), Path(args.out), base=base, info=info)
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
