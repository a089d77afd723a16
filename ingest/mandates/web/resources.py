"""What ``mandates serve`` answers at a path, HTTP aside: the resources of the store, the files
of the published site, the named graphs, and the IRIs that are not documents.

:class:`Resources` holds the store (opened read-only) and the site folder, and knows

- the **resources**: every IRI ``{base}PATH`` the graph says something about (hash IRIs
  ``PATH#x`` belong to ``PATH``); each is answered by the site's file ``PATH.ext`` when
  there is one, else from the store by the publisher's rule (:func:`describe` and the
  site's page, :meth:`mandates.web.site.Site.page`): :meth:`representation`;
- the **non-information resources** (:meth:`is_thing`): an IRI whose ``rdf:type`` is (a
  subclass of) ``mnd:Actor``, ``skos:Concept`` or ``skos:ConceptScheme`` names an actor
  or a concept, not a document, unless it is also typed as a document (an ELI legal
  resource, expression or subdivision, an ontology, a dataset). Decided by type, never
  by path;
- the **named graphs** ``{base}graph/…`` (:meth:`graph_iri`), written once per format into
  a folder of the server's (:meth:`graph_file`);
- the **retired IRIs** (``owl:sameAs`` from a symbol correction): :meth:`moved`;
- **actors by code**: ``iso/FRA``, ``iso/FR``, ``m49/250`` (:meth:`actor_path`, the lookup
  of :func:`mandates.web.query.actor_by_code`).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import urllib.parse
from collections import Counter
from pathlib import Path
from typing import Any

from mandates.core.files import atomic_write
from mandates.rdf.describe import (FIXED, GraphIndex, all_quads, describe, graph_names, hash_subjects, is_subject, rebase_quads, rebase_triples)
from mandates.rdf.formats import SERVED_FORMATS, graph_triples, resource_bytes
from mandates.rdf.namespaces import DCAT, ELI, FOAF, MND, OWL, SKOS, VOID, graph_base
from mandates.rdf.store import built_store_path, open_built, same_as, select
from mandates.web import publish as publisher
from mandates.web.query import QueryError, actor_by_code
from mandates.web.site import Site, graph_page

__all__ = ["DOCUMENT_TYPES", "THING_TYPES", "Resources"]

#: the types of what an IRI names rather than a document about it (with their subclasses)
THING_TYPES = (MND + "Actor", SKOS + "Concept", SKOS + "ConceptScheme")
#: the types of documents and their parts, which stay documents whatever else they are
DOCUMENT_TYPES = (ELI + "LegalResource", ELI + "LegalExpression", ELI + "LegalResourceSubdivision",
                  OWL + "Ontology", FOAF + "Document", VOID + "Dataset", DCAT + "Dataset")
#: rows of a named graph's HTML page at most (the RDF formats hold all of it)
GRAPH_PAGE_ROWS = 2000
_CODE_PATH = re.compile(r"(iso|m49)/([A-Za-z]{2,3}|[0-9]{1,3})")


def _read_manifest(site: Path | None) -> dict[str, Any]:
    """The site's ``manifest.json`` (``{}`` when there is none or it cannot be read)."""
    if site is None:
        return {}
    try:
        doc = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def _values(types: tuple[str, ...]) -> str:
    return " ".join(f"<{t}>" for t in types)


class Resources:
    """The store and the site of a server (see the module). ``work``: a folder of the server's
    own for the files it writes (the named graphs)."""

    def __init__(self, store: str | Path, *, site: str | Path | None = None, base: str | None = None,
                 work: Path | None = None, max_rows: int = 10000):
        self.store_dir = built_store_path(store)
        self.store = open_built(self.store_dir)
        self.graph_base = graph_base(graph_names(self.store))
        self.site = Path(site) if site is not None else None
        self.manifest = _read_manifest(self.site)
        #: the resource paths the site has files for (from its manifest.json), None: ask the files
        self.site_resources: set[str] | None = (set(self.manifest["resources"])
                                                if isinstance(self.manifest.get("resources"), dict) else None)
        self.base = base or self.manifest.get("base") or self.graph_base
        self.work = work
        self.html_rows = min(int(max_rows), GRAPH_PAGE_ROWS)
        self._hash_index = self._index_hash_iris()
        #: retired resource paths (an IRI a symbol correction retired: ``owl:sameAs`` in the
        #: graph) -> the path that answers for them now
        self.retired = {old[len(self.graph_base):]: new[len(self.graph_base):]
                        for old, new in same_as(self.store) if old.startswith(self.graph_base)
                        and new.startswith(self.graph_base)}
        #: the named graphs, by path (``graph/A-RES-74-304/zh``)
        self.graphs = {g[len(self.graph_base):]: g for g in graph_names(self.store) if g.startswith(self.graph_base)}
        self.things = self._index_things()
        #: when the data last changed: the newest file of the store
        self.modified = max((p.stat().st_mtime for p in self.store_dir.iterdir() if p.is_file()), default=None)
        self._pages: Site | None = None  # the site's pages over the store, made when first needed
        self._lock = threading.Lock()
        self._graph_lock = threading.Lock()  # one named graph written at a time
        self._codes: dict[str, str | None] = {}

    # -- indexes

    def _index_hash_iris(self) -> dict[str, list[str]]:
        """The hash IRIs ``{base}PATH#…`` that are subjects, by PATH (e.g. ``ontology``)."""
        out: dict[str, list[str]] = {}
        for s in hash_subjects(self.store, self.graph_base):
            out.setdefault(s[len(self.graph_base):].partition("#")[0], []).append(s)
        return out

    def _index_things(self) -> set[str]:
        """The paths of the non-information resources (see the module)."""
        sub = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"

        def typed(tops: tuple[str, ...]) -> set[str]:
            # the classes first, then what has one of them (one path query over both is slow)
            rows = select(self.store, f"SELECT DISTINCT ?c WHERE {{ VALUES ?top {{ {_values(tops)} }} "
                                      f"?c {sub}* ?top . FILTER(isIRI(?c)) }}")
            classes = tuple(sorted({r["c"] for r in rows} | set(tops)))
            rows = select(self.store, f"SELECT DISTINCT ?s WHERE {{ VALUES ?t {{ {_values(classes)} }} "
                                      "?s a ?t . FILTER(isIRI(?s)) }")
            return {r["s"] for r in rows}

        n = len(self.graph_base)
        return {s[n:] for s in typed(THING_TYPES) - typed(DOCUMENT_TYPES)
                if s.startswith(self.graph_base) and "#" not in s[n:]}

    # -- resources

    def in_store(self, path: str) -> bool:
        """Whether the graph says something about ``{base}path``."""
        if not path or (self.base != self.graph_base and (self.graph_base + path).startswith(FIXED)):
            return False
        if path in self._hash_index:
            return True
        return is_subject(self.store, self.graph_base + path)

    def site_file(self, rel: str) -> Path | None:
        """A regular file of the site at ``rel`` (never outside the site)."""
        if self.site is None or not rel:
            return None
        p = self.site / rel
        try:
            real = p.resolve()
            root = self.site.resolve()
        except (OSError, RuntimeError, ValueError):
            return None
        if root != real and root not in real.parents:
            return None
        return p if real.is_file() else None

    def site_document(self, path: str) -> dict[str, Path]:
        """The files ``path.ext`` of the site in the formats a resource is served in, by extension."""
        out = {}
        for ext in SERVED_FORMATS:
            f = self.site_file(f"{path}.{ext}")
            if f is not None:
                out[ext] = f
        return out

    def representation(self, path: str, ext: str) -> tuple[bytes | Path, str] | None:
        """The bytes (or the site file) of ``{base}path`` in format ``ext``, and its content type."""
        f = self.site_file(f"{path}.{ext}")
        if f is not None:
            return f, SERVED_FORMATS[ext]
        if ext == "html":
            f = self.site_file(f"{path}/index.html")
            if f is not None:
                return f, SERVED_FORMATS[ext]
        if not self.in_store(path):
            return None
        return self.render(path, ext), SERVED_FORMATS[ext]

    def has_resource(self, path: str) -> bool:
        """Whether ``{base}path`` is a resource: the site has its files, or the store knows it."""
        if self.site_resources is not None:
            if path in self.site_resources:
                return True
        elif any(self.site_file(f"{path}.{e}") is not None for e in SERVED_FORMATS):
            return True
        return self.in_store(path)

    def is_thing(self, path: str) -> bool:
        """Whether ``{base}path`` names an actor or a concept (a non-information resource)."""
        return path in self.things

    def moved(self, path: str) -> str | None:
        """Where a retired resource (or one under it: ``doc/OLD/op/3``) answers now, or None."""
        for old, new in self.retired.items():
            if path == old or path.startswith(old + "/"):
                return new + path[len(old):]
        return None

    def resolve(self, path: str) -> str:
        """The resource path a request path stands for: as sent, or else with its ASCII
        percent-escapes decoded (clients write ``(`` as ``%28``; ``%2F`` stays)."""
        if "%" not in path or self.has_resource(path):
            return path
        decoded = re.sub(r"%(?!2[Ff])[0-7][0-9A-Fa-f]", lambda m: urllib.parse.unquote(m.group(0)), path)
        if decoded != path and not any(c in decoded for c in "\x00 <>\"{}|^`\\") and self.has_resource(decoded):
            return decoded
        return path

    def exists(self, path: str) -> bool:
        """Whether a path answers at all (a resource, a graph, a file or document of the site)."""
        return bool(self.has_resource(path) or path in self.graphs or self.site_file(path) is not None
                    or self.site_document(path) or self.moved(path) is not None)

    # -- made from the store

    def pages(self) -> Site:
        """The site's pages over the store, under the served base (made on first use: the
        graph is read into memory once, as ``mandates publish`` reads it)."""
        with self._lock:
            if self._pages is None:
                quads = rebase_quads(all_quads(self.store), self.graph_base, self.base)
                self._pages = Site(GraphIndex(quads, self.base), self.store, self.graph_base, publisher.read_sources())
            return self._pages

    def render(self, path: str, ext: str) -> bytes:
        """``{base}path`` answered from the store (see :func:`describe`): the page the site would
        have, or the triples written by the publisher's serialisers (the bytes of its files)."""
        if ext == "html":
            return self.pages().page(self.base + path, path=path).encode("utf-8")
        triples = rebase_triples(describe(self.store, self.graph_base + path, self._hash_index.get(path, [])),
                                 self.graph_base, self.base)
        return resource_bytes(triples, ext)

    def home_page(self) -> bytes:
        """The site's home page, made from the store (when the site has no ``index.html``)."""
        site = self.pages()
        kinds = Counter(site.kind(i) for i in site.paths.values())
        return site.home(dict(kinds), len(site.d.triples)).encode("utf-8")

    # -- named graphs

    def graph_iri(self, path: str) -> str | None:
        """The IRI of the named graph at ``path`` as the served base names it, or None."""
        return self.base + path if path in self.graphs else None

    def graph_file(self, path: str, ext: str) -> Path:
        """The named graph at ``path`` in format ``ext``: written once into the server's folder."""
        assert self.work is not None and path in self.graphs
        target = self.work / "graphs" / f"{hashlib.sha256(path.encode('utf-8')).hexdigest()[:24]}.{ext}"
        with self._graph_lock:
            if not target.is_file():
                triples = rebase_triples(graph_triples(self.store, self.graphs[path]), self.graph_base, self.base)
                data = self._graph_page(path, triples) if ext == "html" else resource_bytes(triples, ext)
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(target, data)
        return target

    def _graph_page(self, path: str, triples: list[Any]) -> bytes:
        """A named graph as an HTML page: its triples in a table (at most ``html_rows``)."""
        return graph_page(self.base, path, self.graphs[path], triples, self.html_rows).encode("utf-8")

    # -- codes

    def actor_path(self, path: str) -> str | None:
        """The resource path of the actor ``iso/FRA``, ``iso/FR`` or ``m49/250`` names, or None."""
        m = _CODE_PATH.fullmatch(path)
        if m is None:
            return None
        code = f"{m.group(1).lower()}:{m.group(2)}"
        if code not in self._codes:
            try:
                found: str | None = actor_by_code(code, self.store)
            except QueryError:
                found = None
            self._codes[code] = found[len(self.graph_base):] if found and found.startswith(self.graph_base) else None
        return self._codes[code]
