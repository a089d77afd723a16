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
:func:`about` is the rule in code (over a store); :func:`to_turtle`, :func:`to_jsonld` and
:func:`to_ntriples` write any list of triples in :func:`canonical_order`, so the bytes do not
depend on the order the triples come in.

Links inside pages are root-relative (``/doc/A-RES-74-303/op/24``, no extension) so the
site works at any host: ``mandates serve`` negotiates the format; a plain web server needs
to try ``$uri.html`` (nginx: ``try_files $uri.html $uri $uri/index.html =404;``). The IRIs
shown are the real IRIs under the base. With ``--base`` other than the graph's, every IRI
under the graph's base is moved to the new one (the ontology's own terms never move), in
the pages, the twins and the dumps alike.

The site's fixed words (Chinese and English) are in ``templates/messages.json``, its
stylesheet is ``templates/style.css``.

Everything is written into a fresh folder beside ``out`` (each file with
:func:`mandates.build.pipeline.atomic_write`) and swapped in at the end, so a half-written site
never replaces a good one; nothing carries a date, so equal stores give equal bytes.

Exit codes of ``mandates publish``: 0 written; 2 usage (bad ``--base``, ``--out`` a file or a
folder that is not a site, or ``--out`` cannot be written); 3 the store (no such folder, no built store, cannot be opened).
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
import os
import re
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable

from mandates import __version__
from mandates.exports.graphfiles import nt_lines
from mandates.build.pipeline import atomic_write, swap_dir
from mandates.vocab.concepts import DEFAULT_BASE, MND

EXIT_OK, EXIT_USAGE, EXIT_STORE = 0, 2, 3

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
ELI = "http://data.europa.eu/eli/ontology#"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
SH = "http://www.w3.org/ns/shacl#"
FOAF = "http://xmlns.com/foaf/0.1/"
FORMATS_NS = "http://www.w3.org/ns/formats/"

PREFIXES = {"rdf": RDF, "rdfs": RDFS, "xsd": XSD, "owl": OWL, "skos": SKOS, "dcterms": DCT,
            "eli": ELI, "oa": OA, "prov": PROV, "org": ORG, "mnd": MND}
VOID_PREFIXES = dict(PREFIXES, void=VOID, dcat=DCAT, spdx=SPDX, foaf=FOAF)

#: media type of each file a resource has
FORMATS = {"html": "text/html; charset=utf-8", "ttl": "text/turtle; charset=utf-8",
           "jsonld": "application/ld+json", "nt": "application/n-triples"}

#: the licence the published data are offered under (the ontology's own licence)
DATA_LICENSE = "https://creativecommons.org/licenses/by/4.0/"

#: resource paths that would collide with the site's own files
RESERVED = {"index", "void", "context", "manifest", "style", "sparql"}
RESERVED_PREFIXES = ("dump/", "ontology/", "sparql/")
#: how many "referenced by" rows a page lists at most
MAX_INVERSE = 200

FOLLOW = (MND + "anchor", OA + "hasSelector")

EU_LANG = {"http://publications.europa.eu/resource/authority/language/ZHO": "zh",
           "http://publications.europa.eu/resource/authority/language/ENG": "en"}


class PublishError(Exception):
    """A problem with the store or the output folder; ``code`` is the exit code."""

    def __init__(self, message: str, code: int = EXIT_STORE):
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------- the graph in memory


def _natural(s: str) -> tuple:
    """Sort key that orders ``op/9`` before ``op/10``."""
    parts = re.split(r"(\d+)", s)
    return tuple((0, int(p), "") if i % 2 else (1, 0, p) for i, p in enumerate(parts))


class Data:
    """The union of the store's graphs, indexed by subject and object (IRIs as ``str``)."""

    def __init__(self, quads: list, base: str):
        import pyoxigraph as ox

        self.ox = ox
        self.base = base
        self.quads = quads
        seen: set = set()
        triples = []
        for q in quads:
            t = ox.Triple(q.subject, q.predicate, q.object)
            if t not in seen:
                seen.add(t)
                triples.append(t)
        triples.sort(key=str)
        self.triples = triples
        self.by_s: dict[str, list] = defaultdict(list)
        self.by_o: dict[str, list] = defaultdict(list)
        for t in triples:
            if isinstance(t.subject, ox.NamedNode):
                self.by_s[t.subject.value].append(t)
            if isinstance(t.object, ox.NamedNode):
                self.by_o[t.object.value].append(t)
        for lst in self.by_s.values():
            lst.sort(key=str)
        for lst in self.by_o.values():
            lst.sort(key=str)
        self.hash_subjects: dict[str, list[str]] = defaultdict(list)
        for s in sorted(self.by_s):
            if "#" in s:
                head, _, frag = s.partition("#")
                if frag:
                    self.hash_subjects[head].append(s)
        self._super: dict[str, set[str]] = {}
        self._types: dict[str, frozenset[str]] = {}

    # -- reading

    def objects(self, s: str, p: str) -> list:
        return [t.object for t in self.by_s.get(s, ()) if t.predicate.value == p]

    def iris(self, s: str, p: str) -> list[str]:
        return sorted({o.value for o in self.objects(s, p) if isinstance(o, self.ox.NamedNode)}, key=_natural)

    def iri(self, s: str, p: str) -> str | None:
        v = self.iris(s, p)
        return v[0] if v else None

    def literal(self, s: str, p: str, lang: str | None = None) -> str | None:
        """The first (sorted) literal value of ``s p``, in ``lang`` if given ("" = no tag)."""
        vals = sorted(o.value for o in self.objects(s, p) if isinstance(o, self.ox.Literal)
                      and (lang is None or (o.language or "") == lang))
        return vals[0] if vals else None

    def integer(self, s: str, p: str) -> int | None:
        v = self.literal(s, p)
        try:
            return int(v) if v is not None else None
        except ValueError:
            return None

    def subjects(self, p: str, o: str) -> list[str]:
        return sorted({t.subject.value for t in self.by_o.get(o, ()) if t.predicate.value == p}, key=_natural)

    def superclasses(self, c: str) -> set[str]:
        if c not in self._super:
            self._super[c] = set()
            out, todo = {c}, [c]
            while todo:
                for sup in self.iris(todo.pop(), RDFS + "subClassOf"):
                    if sup not in out:
                        out.add(sup)
                        todo.append(sup)
            self._super[c] = out
        return self._super[c]

    def types(self, s: str) -> frozenset[str]:
        if s not in self._types:
            out: set[str] = set()
            for c in self.iris(s, RDF + "type"):
                out |= self.superclasses(c)
            self._types[s] = frozenset(out)
        return self._types[s]

    def about(self, iri: str) -> list:
        """The triples about ``iri`` (see the module docstring), sorted: its own first."""
        out: set = set()
        seen: set[str] = set()
        todo = [iri] + self.hash_subjects.get(iri, [])
        while todo:
            s = todo.pop()
            if s in seen:
                continue
            seen.add(s)
            for t in self.by_s.get(s, ()):
                out.add(t)
                if t.predicate.value in FOLLOW and isinstance(t.object, self.ox.NamedNode):
                    todo.append(t.object.value)
        return canonical_order(out)


def about(store, iri: str) -> list:  # type: ignore[no-untyped-def]
    """The triples the store (union of its graphs) holds about ``iri``, by the rule of this
    module: subject ``iri`` or ``iri#…``, plus the anchors and selectors reached through
    ``mnd:anchor`` / ``oa:hasSelector``. A list of ``pyoxigraph.Triple``."""
    import pyoxigraph as ox

    out: set = set()
    seen: set[str] = set()
    todo = [iri]
    from mandates.web.query import sparql_term

    prefix = sparql_term({"type": "literal", "value": iri + "#"})
    res = store.query(f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER (STRSTARTS(STR(?s), {prefix})) }}",
                      use_default_graph_as_union=True)
    todo.extend(sol["s"].value for sol in res if isinstance(sol["s"], ox.NamedNode) and len(sol["s"].value) > len(iri) + 1)
    while todo:
        s = todo.pop()
        if s in seen:
            continue
        seen.add(s)
        for q in store.quads_for_pattern(ox.NamedNode(s), None, None, None):
            out.add(ox.Triple(q.subject, q.predicate, q.object))
            if q.predicate.value in FOLLOW and isinstance(q.object, ox.NamedNode):
                todo.append(q.object.value)
    return canonical_order(out)


# ---------------------------------------------------------------- serialisations


def _used_prefixes(triples: Iterable, prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes of ``prefixes`` some IRI of ``triples`` starts with."""
    import pyoxigraph as ox

    iris = set()
    for t in triples:
        iris.add(t.subject.value)
        iris.add(t.predicate.value)
        o = t.object
        if isinstance(o, ox.NamedNode):
            iris.add(o.value)
        elif isinstance(o, ox.Literal) and o.datatype is not None:
            iris.add(o.datatype.value)
    used = {}
    for k, ns in prefixes.items():
        if any(v.startswith(ns) for v in iris):
            used[k] = ns
    return dict(sorted(used.items()))


def to_ntriples(triples: Iterable) -> bytes:
    """Canonical N-Triples, lines sorted."""
    import pyoxigraph as ox

    return _sorted_lines(list(triples), ox.RdfFormat.N_TRIPLES)


def to_nquads(quads: list) -> bytes:
    """Canonical N-Quads, lines sorted."""
    import pyoxigraph as ox

    return _sorted_lines(quads, ox.RdfFormat.N_QUADS)


def _sorted_lines(items: list, fmt) -> bytes:  # type: ignore[no-untyped-def]
    """``items`` serialised by pyoxigraph in ``fmt``, each line once, sorted (empty: no bytes)."""
    import pyoxigraph as ox

    if not items:
        return b""
    lines = sorted(set(nt_lines(ox.serialize(items, format=fmt).decode("utf-8"))))
    return ("\n".join(lines) + "\n").encode("utf-8")


def canonical_order(triples: Iterable, first: str | None = None) -> list:
    """Distinct triples sorted by subject (``op/9`` before ``op/10``; a resource before its
    ``#`` and ``/`` descendants; ``first`` before all), then by their N-Triples form."""
    return sorted(set(triples), key=lambda t: (t.subject.value != first, _natural(t.subject.value), str(t)))


def to_turtle(triples: Iterable, prefixes: dict[str, str] = PREFIXES, *, first: str | None = None) -> bytes:
    """Turtle in :func:`canonical_order`, declaring only the prefixes used (the same bytes
    whatever order the triples come in)."""
    import pyoxigraph as ox

    triples = canonical_order(triples, first)
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=_used_prefixes(triples, prefixes))


_LOCAL = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


def _compact(iri: str, prefixes: dict[str, str]) -> str:
    for k, ns in sorted(prefixes.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and _LOCAL.fullmatch(iri[len(ns):]):
            return f"{k}:{iri[len(ns):]}"
    return iri


def to_jsonld(triples: Iterable) -> bytes:
    """JSON-LD with the prefixes as an inline context, one node object per subject in
    :func:`canonical_order` (``@id`` full IRIs, properties and types as compact IRIs), keys
    and values sorted."""
    import pyoxigraph as ox

    triples = canonical_order(triples)
    ctx = _used_prefixes(triples, PREFIXES)
    nodes: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for t in triples:
        s = t.subject.value
        if s not in nodes:
            nodes[s] = {"@id": s}
            order.append(s)
        node = nodes[s]
        p, o = t.predicate.value, t.object
        if p == RDF + "type" and isinstance(o, ox.NamedNode):
            node.setdefault("@type", []).append(_compact(o.value, ctx))
            continue
        key = _compact(p, ctx)
        if isinstance(o, ox.NamedNode):
            val: dict[str, str] = {"@id": o.value}
        elif isinstance(o, ox.Literal):
            val = {"@value": o.value}
            if o.language:
                val["@language"] = o.language
            elif o.datatype and o.datatype.value != XSD + "string":
                val["@type"] = _compact(o.datatype.value, ctx)
        else:  # pragma: no cover - the graph has no blank nodes
            val = {"@id": f"_:{o.value}"}
        node.setdefault(key, []).append(val)
    for node in nodes.values():
        for k, v in node.items():
            if isinstance(v, list):
                v.sort(key=lambda x: json.dumps(x, sort_keys=True, ensure_ascii=False))
    doc = {"@context": ctx, "@graph": [nodes[s] for s in order]}
    return (json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


# ---------------------------------------------------------------- loading


def _graph_base(graph_names: list[str]) -> str:
    for g in graph_names:
        if g.endswith("graph/vocabulary"):
            return g[: -len("graph/vocabulary")]
    for g in graph_names:
        m = re.match(r"(.*/)graph/[^/]+/[a-z]{2}$", g)
        if m:
            return m.group(1)
    return DEFAULT_BASE


def _rebaser(src: str, dst: str) -> Callable[[Any], Any]:
    import pyoxigraph as ox

    fixed = (DEFAULT_BASE + "ontology", DEFAULT_BASE + "shapes")
    if src == dst:
        return lambda t: t

    def move(t: Any) -> Any:
        if isinstance(t, ox.NamedNode) and t.value.startswith(src) and not t.value.startswith(fixed):
            return ox.NamedNode(dst + t.value[len(src):])
        return t

    return move


def _open(build_dir: Path):  # type: ignore[no-untyped-def]
    from mandates.rdf.store import open_store

    if not build_dir.is_dir():
        raise PublishError(f"--store {build_dir}: no such folder (build one with 'mandates build --out {build_dir}')")
    store_dir = build_dir / "store"
    if not store_dir.is_dir():
        raise PublishError(f"--store {build_dir}: not a built store (no {store_dir}; build one with "
                           f"'mandates build --out {build_dir}')")
    try:
        return open_store(store_dir, read_only=True)
    except (OSError, ValueError, RuntimeError) as exc:
        raise PublishError(f"--store {build_dir}: cannot open the store {store_dir}: {exc}") from None


def _safe_path(path: str) -> bool:
    if not path or path in RESERVED or path.startswith(RESERVED_PREFIXES):
        return False
    for seg in path.split("/"):
        if seg in ("", ".", "..") or len(seg.encode("utf-8")) > 240:
            return False
        if any(c in seg for c in "\\?\x00") or any(ord(c) < 0x20 for c in seg):
            return False
    return True


# ---------------------------------------------------------------- HTML helpers


def esc(s: Any) -> str:
    return html.escape(str(s), quote=True)


_WEB = re.compile(r"https?://", re.I)


def ext_link(url: str) -> str:
    """A link to an outside address; only http(s) addresses become links (never ``javascript:``)."""
    if _WEB.match(url):
        return f'<a class="ext" href="{esc(url)}">{esc(url)}</a>'
    return esc(url)


def bi(zh: str, en: str) -> str:
    """A phrase in both languages."""
    return f'<span lang="zh">{esc(zh)}</span> <span class="en" lang="en">{esc(en)}</span>'


TEMPLATES = Path(__file__).resolve().parent / "templates"


@functools.lru_cache(maxsize=None)
def _messages() -> dict[str, dict[str, str]]:
    return json.loads((TEMPLATES / "messages.json").read_text(encoding="utf-8"))


def M(key: str, **fields: Any) -> tuple[str, str]:
    """The Chinese and English of a fixed phrase of the site (``templates/messages.json``);
    a field given as a ``(zh, en)`` pair is filled in per language."""
    entry = _messages()[key]
    return tuple(entry[lang].format(**{k: (v[i] if isinstance(v, tuple) else v) for k, v in fields.items()})
                 for i, lang in enumerate(("zh", "en")))  # type: ignore[return-value]


def B(key: str, **fields: Any) -> str:
    """A fixed phrase of the site in both languages, as HTML."""
    return bi(*M(key, **fields))


KINDS = {
    "resolution": "Resolution",
    "paragraph": "Paragraph",
    "clause": "Clause",
    "footnote": "Footnote",
    "report": "Reporting request",
    "mention": "Mention",
    "anchor": "Anchor",
    "selector": "Text position selector",
    "language-version": "Language version",
    "actor": "Actor",
    "verb": "Verb",
    "theme": "Theme",
    "sdg": "Sustainable Development Goal",
    "instrument": "Instrument",
    "flag": "Quality flag",
    "drafting": "Drafting convention",
    "scheme": "Concept scheme",
    "ontology": "Ontology",
    "activity": "Extraction activity",
    "source": "Source file",
    "agent": "Software agent",
    "concept": "Concept",
    "resource": "Resource",
}

_KIND_BY_TYPE = [
    (MND + "Resolution", "resolution"), (MND + "Clause", "clause"), (MND + "Paragraph", "paragraph"),
    (MND + "Footnote", "footnote"), (MND + "ReportingRequest", "report"), (MND + "Mention", "mention"),
    (MND + "Anchor", "anchor"), (OA + "TextPositionSelector", "selector"),
    (MND + "LanguageVersion", "language-version"), (MND + "Actor", "actor"), (MND + "Verb", "verb"),
    (MND + "Theme", "theme"), (MND + "SDG", "sdg"), (MND + "Instrument", "instrument"),
    (MND + "Flag", "flag"), (MND + "DraftingMarker", "drafting"), (SKOS + "ConceptScheme", "scheme"),
    (OWL + "Ontology", "ontology"), (PROV + "Activity", "activity"), (MND + "SourceFile", "source"),
    (PROV + "SoftwareAgent", "agent"), (SKOS + "Concept", "concept"),
]

LANG_NAMES = {"zh": "Chinese", "en": "English"}



# ---------------------------------------------------------------- the site


class Site:
    """Renders every page and file of the site for one :class:`Data`."""

    def __init__(self, data: Data, store, src_base: str, sources: dict[str, str]):  # type: ignore[no-untyped-def]
        self.d = data
        self.base = data.base
        self.store = store
        self.src_base = src_base
        self.sources = sources
        self.to_src = _rebaser(data.base, src_base)
        self.from_src = _rebaser(src_base, data.base)
        self.paths: dict[str, str] = {}
        self.skipped: list[str] = []
        for s in sorted(data.by_s):
            if not s.startswith(self.base):
                continue
            path = s[len(self.base):].partition("#")[0]
            if path in self.paths:
                continue
            if _safe_path(path):
                self.paths[path] = self.base + path
            else:
                self.skipped.append(s)
        self.iri_to_path = {iri: p for p, iri in self.paths.items()}
        self._kind: dict[str, str] = {}
        self._labels: dict[str, dict[str, str]] = {}
        # mentions by source (language version), sorted by offsets
        self.mentions: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        for m in data.subjects(RDF + "type", MND + "Mention"):
            src = data.iri(m, OA + "hasSource")
            span = self.span(m)
            if src and span:
                self.mentions[src].append((span[0], span[1], m))
        for lst in self.mentions.values():
            lst.sort(key=lambda x: (x[0], -x[1], x[2]))

    # -- facts

    def span(self, specific: str) -> tuple[int, int] | None:
        sel = self.d.iri(specific, OA + "hasSelector")
        if not sel:
            return None
        s, e = self.d.integer(sel, OA + "start"), self.d.integer(sel, OA + "end")
        return (s, e) if s is not None and e is not None else None

    def kind(self, iri: str) -> str:
        if iri not in self._kind:
            types = self.d.types(iri)
            k = next((kind for t, kind in _KIND_BY_TYPE if t in types), "resource")
            if k == "resource" and iri == MND.rstrip("#"):
                k = "ontology"
            self._kind[iri] = k
        return self._kind[iri]

    def lang_of(self, expression: str | None) -> str:
        if not expression:
            return ""
        lang = self.d.literal(expression, DCT + "language")
        if lang:
            return lang
        return EU_LANG.get(self.d.iri(expression, ELI + "language") or "", "")

    def work_of(self, iri: str) -> str | None:
        cur, seen = iri, set()
        while cur and cur not in seen:
            seen.add(cur)
            if self.kind(cur) == "resolution":
                return cur
            cur = self.d.iri(cur, ELI + "is_part_of")
        return None

    def labels(self, iri: str) -> dict[str, str]:
        """``{"zh": ..., "en": ...}`` (either may be missing; ``""`` for an untagged label)."""
        if iri in self._labels:
            return self._labels[iri]
        d = self.d
        out: dict[str, str] = {}
        for p in (SKOS + "prefLabel", RDFS + "label", DCT + "title", ELI + "title"):
            for lang in ("zh", "en", ""):
                v = d.literal(iri, p, lang)
                if v and lang not in out:
                    out[lang] = v
            if out:
                break
        k = self.kind(iri)
        sym = None
        if k in ("paragraph", "clause", "footnote", "report", "language-version", "resolution"):
            w = self.work_of(iri) if k != "language-version" else d.iri(iri, ELI + "realizes")
            sym = d.literal(w, MND + "symbol") if w else None
        if k == "resolution":
            sym = d.literal(iri, MND + "symbol") or iri[len(self.base):]
            out = {"zh": sym, "en": sym}
        elif k == "paragraph":
            n = d.literal(iri, MND + "number") or "?"
            pre = MND + "PreambularParagraph" in d.types(iri)
            out = dict(zip(("zh", "en"), M("{sym} PP {n}" if pre else "{sym} OP {n}", sym=sym, n=n)))
        elif k == "clause":
            para = d.iri(iri, ELI + "is_part_of")
            pl = self.labels(para) if para else {"zh": "", "en": ""}
            n = d.literal(iri, MND + "order") or "?"
            out = dict(zip(("zh", "en"), M("{para}, clause {n}", para=(pl.get("zh", ""), pl.get("en", "")), n=n)))
        elif k == "footnote":
            n = d.literal(iri, MND + "number") or "?"
            out = dict(zip(("zh", "en"), M("{sym} footnote {n}", sym=sym, n=n)))
        elif k == "report":
            clause = next(iter(d.subjects(MND + "hasReportingRequest", iri)), None)
            cl = self.labels(clause) if clause else {"zh": "", "en": ""}
            out = dict(zip(("zh", "en"), M("{clause}, reporting request", clause=(cl.get("zh", ""), cl.get("en", "")))))
        elif k == "language-version" and not out:
            lang = self.lang_of(iri)
            out = dict(zip(("zh", "en"), M("{sym} ({lang} text)", sym=sym, lang=M(LANG_NAMES[lang]) if lang in LANG_NAMES else lang)))
        elif k == "mention":
            ex = d.literal(iri, MND + "exact") or ""
            out = {"": f"“{_clean(ex)}”"}
        if not out:
            sym = d.literal(iri, MND + "symbol") or d.literal(iri, SKOS + "notation")
            if sym:
                out = {"": sym}
        if not out:
            out = {"": self._short(iri)}
        self._labels[iri] = out
        return out

    def _short(self, iri: str) -> str:
        if iri.startswith(self.base):
            return iri[len(self.base):]
        if iri.startswith(MND):
            return "mnd:" + iri[len(MND):]
        return _compact(iri, PREFIXES)

    def label_text(self, iri: str, sep: str = " · ") -> str:
        lab = self.labels(iri)
        parts = [v for k, v in sorted(lab.items(), key=lambda kv: ("zh", "", "en").index(kv[0]))]
        uniq: list[str] = []
        for p in parts:
            if p not in uniq:
                uniq.append(p)
        return sep.join(uniq)

    def label_html(self, iri: str) -> str:
        lab = self.labels(iri)
        zh, en, plain = lab.get("zh"), lab.get("en"), lab.get("")
        if zh and en and zh != en:
            return f'<span lang="zh">{esc(zh)}</span> <span class="en" lang="en">{esc(en)}</span>'
        if zh:
            return f'<span lang="zh">{esc(zh)}</span>'
        if en:
            return f'<span lang="en">{esc(en)}</span>'
        return esc(plain or self._short(iri))

    def href(self, iri: str) -> str | None:
        """The root-relative link of an IRI under the base, or ``None``."""
        if iri.startswith(MND) and len(iri) > len(MND):
            return "/ontology/#" + iri[len(MND):]
        head, _, frag = iri.partition("#")
        if head in self.iri_to_path:
            return "/" + self.iri_to_path[head] + (f"#{frag}" if frag else "")
        return None

    def link(self, iri: str, text: str | None = None) -> str:
        h = self.href(iri)
        body = text if text is not None else self.label_html(iri)
        if h:
            return f'<a href="{esc(h)}">{body}</a>'
        if _WEB.match(iri):
            return f'<a class="ext" href="{esc(iri)}">{body}</a>'
        return body

    def term_html(self, term) -> str:  # type: ignore[no-untyped-def]
        ox = self.d.ox
        if isinstance(term, ox.NamedNode):
            return self.link(term.value)
        if isinstance(term, ox.Literal):
            extra = ""
            if term.language:
                extra = f'<span class="lit-lang">@{esc(term.language)}</span>'
                return f'<span lang="{esc(term.language)}">{esc(term.value)}</span>{extra}'
            if term.datatype and term.datatype.value != XSD + "string":
                extra = f'<span class="lit-type">{esc(_compact(term.datatype.value, PREFIXES))}</span>'
            return f"{esc(term.value)}{extra}"
        return esc(str(term))

    def prop_html(self, p: str) -> str:
        h = self.href(p)
        lab = self.labels(p) if p.startswith(MND) else {}
        title = " · ".join(v for k, v in sorted(lab.items()) if v)
        t = f' title="{esc(title)}"' if title else ""
        text = esc(_compact(p, PREFIXES))
        if h is None and not _WEB.match(p):
            return f"<span{t}>{text}</span>"
        return f'<a href="{esc(h or p)}"{t}>{text}</a>'

    # -- highlighted text

    def highlighted(self, anchor: str, footnotes: list[str] | None = None) -> str:
        """The exact source slice of ``anchor`` with every mention inside it as a nested
        ``<mark>`` linked to what it refers to; Markdown ``**`` dropped; footnote markers linked."""
        d = self.d
        exact = d.literal(anchor, MND + "exact")
        span = self.span(anchor)
        src = d.iri(anchor, OA + "hasSource")
        if exact is None or span is None:
            return ""
        start = span[0]
        lo = len(exact) - len(exact.lstrip())
        hi = len(exact.rstrip())
        marks = []
        for ms, me, m in self.mentions.get(src or "", []):
            a, b = ms - start, me - start
            if a < lo or b > hi or a >= b:
                continue
            if exact[a:b] != (d.literal(m, MND + "exact") or ""):
                continue  # offsets that do not match the text are not drawn
            marks.append((a, b, m))
        # nest: sorted by start, longest first; a mark that crosses another is left out
        roots: list[dict] = []
        stack: list[dict] = []
        for a, b, m in sorted(marks, key=lambda x: (x[0], -x[1], x[2])):
            while stack and stack[-1]["b"] <= a:
                stack.pop()
            if stack and b > stack[-1]["b"]:
                continue
            node = {"a": a, "b": b, "m": m, "kids": []}
            (stack[-1]["kids"] if stack else roots).append(node)
            stack.append(node)
        markers = {}
        for fn in footnotes or []:
            mk = d.literal(fn, MND + "marker")
            if mk and not re.fullmatch(r"[A-Za-z0-9]+", mk) and self.href(fn):
                markers[mk] = fn

        def plain(text: str, owner: str | None) -> str:
            text = text.replace("**", "")
            if not text:
                return ""
            if markers:
                pat = "|".join(re.escape(k) for k in sorted(markers, key=len, reverse=True))
                pieces, pos = [], 0
                for mt in re.finditer(pat, text):
                    pieces.append(wrap(text[pos:mt.start()], owner))
                    fn = markers[mt.group(0)]
                    pieces.append(f'<a class="fn" href="{esc(self.href(fn))}" title="{esc(self.label_text(fn))}">'
                                  f"{esc(mt.group(0))}</a>")
                    pos = mt.end()
                pieces.append(wrap(text[pos:], owner))
                return "".join(pieces)
            return wrap(text, owner)

        def wrap(text: str, owner: str | None) -> str:
            if not text:
                return ""
            if owner:
                h = self.href(owner)
                if h:
                    return f'<a href="{esc(h)}">{esc(text)}</a>'
            return esc(text)

        def render(nodes: list[dict], a: int, b: int, owner: str | None) -> str:
            out, pos = [], a
            for n in nodes:
                out.append(plain(exact[pos:n["a"]], owner))
                out.append(mark(n))
                pos = n["b"]
            out.append(plain(exact[pos:b], owner))
            return "".join(out)

        def mark(n: dict) -> str:
            m = n["m"]
            refs = d.iris(m, MND + "refersTo")
            kinds = {self.kind(r) for r in refs}
            cls = "actor" if "actor" in kinds else "instrument" if kinds & {"instrument", "resolution"} else (
                "other" if refs else "unresolved")
            how = sorted(o.value for o in d.objects(m, MND + "mentionKind"))
            if "in-title" in how:
                cls += " in-title"
            title = " / ".join(self.label_text(r) for r in refs) or " · ".join(M("unresolved"))
            mpath = self.href(m)
            attrs = f' data-mention="{esc(mpath)}"' if mpath else ""
            first = refs[0] if refs else None
            also = "".join(f'<a class="also" href="{esc(self.href(r) or r)}" title="{esc(self.label_text(r))}" '
                           f'aria-label="{esc(self.label_text(r))}"></a>' for r in refs[1:])
            inner = render(n["kids"], n["a"], n["b"], first)
            return (f'<mark class="m {cls}" data-kind="{esc(" ".join(how))}" title="{esc(title)}"{attrs}>'
                    f"{inner}{also}</mark>")

        body = render(roots, lo, hi, None)
        lang = self.lang_of(src)
        tag = f'<span class="lang">{esc(" · ".join(M("{lang} text", lang=M(LANG_NAMES[lang]))))}</span>' if lang in LANG_NAMES else ""
        return f'<p class="text" lang="{esc(lang)}" data-anchor="{esc(self.href(anchor) or "")}">{tag}{body}</p>'

    def texts(self, iri: str, footnotes: list[str] | None = None) -> str:
        """The highlighted text of every anchor of ``iri`` (one per language), Chinese first."""
        anchors = self.d.iris(iri, MND + "anchor")
        anchors.sort(key=lambda a: (("zh", "en").index(self.lang_of(self.d.iri(a, OA + "hasSource")))
                                    if self.lang_of(self.d.iri(a, OA + "hasSource")) in ("zh", "en") else 2, a))
        out = [self.highlighted(a, footnotes) for a in anchors]
        if not any(out):
            texts = sorted(self.d.objects(iri, MND + "text"), key=lambda o: (o.language or "", o.value))
            out = [f'<p class="text" lang="{esc(t.language or "")}">{esc(t.value)}</p>' for t in texts]
        return "".join(out)

    # -- page parts

    def facts(self, rows: list[tuple[str, str]]) -> str:
        rows = [(k, v) for k, v in rows if v]
        if not rows:
            return ""
        return '<dl class="facts">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"

    def links(self, iris: Iterable[str], sep: str = "、") -> str:
        return sep.join(self.link(i) for i in iris)

    def lit_both(self, iri: str, p: str) -> str:
        vals = sorted(self.d.objects(iri, p), key=lambda o: (("zh", "en", "").index(o.language or "")
                                                              if (o.language or "") in ("zh", "en", "") else 3, o.value))
        return "<br>".join(self.term_html(v) for v in vals)

    def clause_table(self, clauses: list[str], with_text: bool = False) -> str:
        d = self.d
        if not clauses:
            return ""
        head = (f"<tr><th>{B('Clause')}</th><th>{B('Verb')}</th><th>{B('Force')}</th>"
                f"<th>{B('Addressees')}</th><th>{B('Report')}</th>"
                + (f"<th>{B('Text')}</th>" if with_text else "") + "</tr>")
        rows = []
        for c in clauses:
            verb = d.iri(c, MND + "verb")
            strength = d.literal(verb, MND + "strength") if verb else None
            mandate = MND + "Mandate" in d.types(c)
            n = d.literal(c, MND + "order") or "?"
            rep = self.report_html(d.iri(c, MND + "hasReportingRequest"))
            txt = ""
            if with_text:
                txt = "<td>" + "<br>".join(f'<span lang="{esc(t.language or "")}">{esc(t.value)}</span>' for t in sorted(
                    d.objects(c, MND + "text"), key=lambda o: (o.language or "", o.value))) + "</td>"
            rows.append(
                f"<tr><td>{self.link(c, B('clause {n}', n=n))}"
                + (f' <span class="muted">{B("mandate")}</span>' if mandate else "") + "</td>"
                f"<td>{self.link(verb) if verb else ''}</td><td class=\"num\">{esc(strength or '')}</td>"
                f"<td>{self.links(d.iris(c, MND + 'addressee'))}</td><td>{rep}</td>{txt}</tr>")
        return f"<table>{head}{''.join(rows)}</table>"

    def report_html(self, r: str | None) -> str:
        if not r:
            return ""
        d = self.d
        by, to = d.iri(r, MND + "reportBy"), d.iri(r, MND + "reportTo")
        sess, year = d.literal(r, MND + "dueSession"), d.literal(r, MND + "dueYear")
        parts = []
        if by or to:
            parts.append(f"{self.link(by) if by else '?'} → {self.link(to) if to else '?'}")
        if sess:
            parts.append(B("session {n}", n=sess) + (f" ({esc(year)})" if year else ""))
        return self.link(r, B("report")) + ": " + "; ".join(parts)

    def paragraphs_of(self, work: str) -> list[str]:
        d = self.d
        paras = d.iris(work, MND + "hasParagraph")
        return sorted(paras, key=lambda p: (MND + "OperativeParagraph" in d.types(p),
                                            d.integer(p, MND + "number") or 0, p))

    def clauses_of(self, para: str) -> list[str]:
        return sorted(self.d.iris(para, MND + "hasClause"), key=lambda c: (self.d.integer(c, MND + "order") or 0, c))

    # -- pages

    def page(self, iri: str) -> str:
        path = self.iri_to_path[iri]
        k = self.kind(iri)
        if k == "ontology" and iri == MND.rstrip("#"):
            return self.ontology_page(alternates=path)
        body = getattr(self, f"body_{k.replace('-', '_')}", self.body_generic)(iri)
        fmt = "".join(f'<a href="/{esc(path)}.{ext}" type="{esc(FORMATS[ext].split(";")[0])}">{name}</a>'
                      for ext, name in (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples")))
        head = (f'<p class="kind">{B(KINDS[k])}</p>{self.crumbs(iri)}<h1>{self.label_html(iri)}</h1>'
                f'<p class="iri"><code>{esc(iri)}</code></p><p class="formats">{fmt}</p>')
        return self.layout(self.label_text(iri), head + body + self.statements(iri) + self.inverse(iri), path)

    def crumbs(self, iri: str) -> str:
        chain = []
        cur = self.d.iri(iri, ELI + "is_part_of")
        if self.kind(iri) == "report":
            cur = next(iter(self.d.subjects(MND + "hasReportingRequest", iri)), None)
        seen = set()
        while cur and cur not in seen:
            seen.add(cur)
            chain.append(cur)
            cur = self.d.iri(cur, ELI + "is_part_of")
        if not chain:
            return ""
        return '<p class="crumbs">' + " › ".join(self.link(c) for c in reversed(chain)) + "</p>"

    def layout(self, title: str, main: str, path: str | None) -> str:
        alt = ""
        if path is not None:
            alt = "".join(f'<link rel="alternate" type="{esc(FORMATS[e].split(";")[0])}" href="/{esc(path)}.{e}">'
                          for e in ("ttl", "jsonld", "nt"))
        nav = (f'<nav><a href="/">{B("Home")}</a><a href="/ontology/">{B("Ontology")}</a>'
               f'<a href="/sparql">SPARQL</a><a href="/void.ttl">VoID</a><a href="/dump/graph.nq">{B("Dump")}</a></nav>')
        return ("<!DOCTYPE html>\n"
                f'<html lang="zh"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{esc(title)}</title>"
                f'<link rel="stylesheet" href="/style.css">{alt}</head>\n'
                f'<body><header class="site"><a class="brand" href="/">{B("UN mandates")}</a>{nav}</header>\n'
                f"<main>\n{main}\n</main>\n"
                f'<footer class="site">{B("Data licence")}: <a href="{DATA_LICENSE}">CC BY 4.0</a> · '
                f'{B("generated by")} mandates {esc(__version__)} · '
                f'<a href="/void.ttl">VoID/DCAT</a> · <a href="/context.jsonld">JSON-LD context</a></footer>\n'
                "</body></html>\n")

    def statements(self, iri: str) -> str:
        triples = self.d.about(iri)
        by_s: dict[str, list] = defaultdict(list)
        for t in triples:
            by_s[t.subject.value].append(t)
        out = [f"<h2>{B('All statements')}</h2>"]
        for s in sorted(by_s, key=lambda x: (x != iri, _natural(x))):
            if s != iri:
                out.append(f"<h3>{self.link(s, f'<code>{esc(self._short(s))}</code>')}</h3>")
            rows = []
            grouped: dict[str, list] = defaultdict(list)
            for t in by_s[s]:
                grouped[t.predicate.value].append(t.object)
            for p in sorted(grouped, key=lambda x: _compact(x, PREFIXES)):
                vals = "<br>".join(self.term_html(o) for o in grouped[p])
                rows.append(f"<tr><th>{self.prop_html(p)}</th><td>{vals}</td></tr>")
            out.append(f"<table>{''.join(rows)}</table>")
        return '<section class="statements">' + "".join(out) + "</section>"

    def inverse(self, iri: str) -> str:
        refs = [t for t in self.d.by_o.get(iri, ()) if t.subject.value != iri]
        if not refs:
            return ""
        refs.sort(key=lambda t: (_compact(t.predicate.value, PREFIXES), _natural(t.subject.value)))
        rows = [f"<tr><td>{self.link(t.subject.value)}</td><td>{self.prop_html(t.predicate.value)}</td></tr>"
                for t in refs[:MAX_INVERSE]]
        more = ""
        if len(refs) > MAX_INVERSE:
            more = (f'<p class="muted">{B("{n} more", n=len(refs) - MAX_INVERSE)}'
                    f' — <a href="/sparql">SPARQL</a></p>')
        return (f'<section class="inverse"><h2>{B("Referenced by")}</h2><table>'
                f"<tr><th>{B('Subject')}</th><th>{B('Property')}</th></tr>{''.join(rows)}</table>{more}</section>")

    # -- bodies by kind

    def body_generic(self, iri: str) -> str:
        rows = []
        for p, en in ((SKOS + "altLabel", "Also known as"), (SKOS + "definition", "Definition"),
                      (RDFS + "comment", "Comment"), (SKOS + "scopeNote", "Scope note")):
            rows.append((B(en), self.lit_both(iri, p)))
        return self.facts(rows)

    def body_resolution(self, iri: str) -> str:
        d = self.d
        out = []
        versions = d.iris(iri, ELI + "is_realized_by")
        see = d.iris(iri, RDFS + "seeAlso")
        out.append(self.facts([
            (B("Symbol"), esc(d.literal(iri, MND + "symbol") or "")),
            (B("Title"), self.lit_both(iri, DCT + "title")),
            (B("Adopted"), esc(d.literal(iri, ELI + "date_document") or "")),
            (B("Session"), esc(d.literal(iri, MND + "session") or "")),
            (B("Agenda item"), esc(d.literal(iri, MND + "agendaItem") or "")),
            (B("Plenary meeting"), esc(d.literal(iri, MND + "plenaryMeeting") or "")),
            (B("Drafts"), esc("、".join(sorted(o.value for o in d.objects(iri, MND + "draftSymbol"))))),
            (B("Language versions"), self.links(versions)),
            (B("Official text"), "、".join(ext_link(u) for u in see)),
        ]))
        out.append(self.body_generic(iri))
        paras = self.paragraphs_of(iri)
        fns = d.iris(iri, MND + "hasFootnote")
        if paras:
            out.append(f"<h2>{B('Paragraphs')}</h2>")
        for p in paras:
            pid = self.iri_to_path.get(p, "").rsplit("/", 2)
            themes = d.iris(p, MND + "theme")
            out.append(f'<section class="para" id="{esc("-".join(pid[-2:]))}"><h3>{self.link(p)}</h3>'
                       + self.texts(p, d.iris(p, MND + "hasFootnote"))
                       + self.clause_table(self.clauses_of(p))
                       + (f'<p class="muted">{B("Themes")}: {self.links(themes)}</p>' if themes else "")
                       + "</section>")
        if fns:
            fns.sort(key=lambda f: (d.integer(f, MND + "number") or 0, f))
            out.append(f"<h2>{B('Footnotes')}</h2><table>")
            for f in fns:
                out.append(f"<tr><td>{self.link(f, esc(d.literal(f, MND + 'marker') or ''))}</td>"
                           f"<td>{self.lit_both(f, MND + 'text')}</td><td>{self.links(d.iris(f, ELI + 'cites'))}</td></tr>")
            out.append("</table>")
        cites = d.iris(iri, ELI + "cites")
        if cites:
            out.append(f"<h2>{B('Instruments cited')}</h2><ul class=\"cols\">"
                       + "".join(f"<li>{self.link(c)}</li>" for c in cites) + "</ul>")
        out.append(self.cited_by(iri))
        return "".join(out)

    def cited_by(self, iri: str) -> str:
        d = self.d
        by = [s for s in d.subjects(ELI + "cites", iri) if self.kind(s) in ("paragraph", "footnote")]
        if not by:
            return ""
        return (f"<h2>{B('Cited by')}</h2><ul>"
                + "".join(f"<li>{self.link(s)}</li>" for s in by) + "</ul>")

    def body_paragraph(self, iri: str) -> str:
        d = self.d
        work = self.work_of(iri)
        out = []
        if work:
            paras = self.paragraphs_of(work)
            i = paras.index(iri) if iri in paras else -1
            nav = []
            if i > 0:
                nav.append("← " + self.link(paras[i - 1]))
            if 0 <= i < len(paras) - 1:
                nav.append(self.link(paras[i + 1]) + " →")
            if nav:
                out.append('<p class="crumbs">' + " · ".join(nav) + "</p>")
        fns = d.iris(iri, MND + "hasFootnote")
        out.append(self.texts(iri, fns))
        out.append(f"<h2>{B('Clauses')}</h2>" + self.clause_table(self.clauses_of(iri), with_text=True)
                   if d.iris(iri, MND + "hasClause") else "")
        out.append(self.facts([
            (B("Themes"), self.links(d.iris(iri, MND + "theme"))),
            (B("Actors mentioned"), self.links(d.iris(iri, MND + "mentionsActor"))),
            (B("Cites"), self.links(d.iris(iri, ELI + "cites"))),
            (B("Footnotes"), self.links(fns)),
            (B("Flags"), self.links(d.iris(iri, MND + "flag"))),
        ]))
        return "".join(out)

    def body_clause(self, iri: str) -> str:
        d = self.d
        para = d.iri(iri, ELI + "is_part_of")
        fns = d.iris(para, MND + "hasFootnote") if para else []
        verb = d.iri(iri, MND + "verb")
        out = [self.texts(iri, fns)]
        out.append(self.facts([
            (B("Verb"), (self.link(verb) if verb else "") + (
                f' <span class="muted">({esc(" / ".join(sorted(o.value for o in d.objects(iri, MND + "verbText"))))})</span>'
                if d.objects(iri, MND + "verbText") else "")),
            (B("Force"), esc(d.literal(verb, MND + "strength") or "") if verb else ""),
            (B("Mandate"), B("yes") if MND + "Mandate" in d.types(iri) else B("no")),
            (B("Addressees"), self.links(d.iris(iri, MND + "addressee"))),
            (B("Report"), self.report_html(d.iri(iri, MND + "hasReportingRequest"))),
            (B("Flags"), self.links(d.iris(iri, MND + "flag"))),
        ]))
        return "".join(out)

    def body_footnote(self, iri: str) -> str:
        d = self.d
        return self.texts(iri) + self.facts([
            (B("Marker"), esc(d.literal(iri, MND + "marker") or "")),
            (B("Text"), self.lit_both(iri, MND + "text")),
            (B("Cites"), self.links(d.iris(iri, ELI + "cites"))),
            (B("Marked in"), self.links(d.subjects(MND + "hasFootnote", iri))),
        ])

    def body_report(self, iri: str) -> str:
        d = self.d
        return self.facts([
            (B("Clause"), self.links(d.subjects(MND + "hasReportingRequest", iri))),
            (B("Report by"), self.links(d.iris(iri, MND + "reportBy"))),
            (B("Report to"), self.links(d.iris(iri, MND + "reportTo"))),
            (B("Session"), esc(d.literal(iri, MND + "dueSession") or "")),
            (B("Year"), esc(d.literal(iri, MND + "dueYear") or "")),
        ])

    def body_mention(self, iri: str) -> str:
        d = self.d
        span = self.span(iri)
        return self.facts([
            (B("Exact text"), esc(d.literal(iri, MND + "exact") or "")),
            (B("Refers to"), self.links(d.iris(iri, MND + "refersTo"))),
            (B("How"), esc("、".join(sorted(o.value for o in d.objects(iri, MND + "mentionKind"))))),
            (B("Paragraph"), self.links(d.iris(iri, MND + "inParagraph"))),
            (B("Clause"), self.links(d.iris(iri, MND + "inClause"))),
            (B("Source"), self.links(d.iris(iri, OA + "hasSource"))),
            (B("Characters"), esc(f"{span[0]}–{span[1]}") if span else ""),
            (B("Flags"), self.links(d.iris(iri, MND + "flag"))),
        ])

    def body_anchor(self, iri: str) -> str:
        owners = self.d.subjects(MND + "anchor", iri)
        return self.facts([(B("Anchor of"), self.links(owners))]) + self.highlighted(iri)

    def body_language_version(self, iri: str) -> str:
        d = self.d
        f = d.literal(iri, MND + "sourceFile")
        src = self.sources.get(f or "")
        return self.facts([
            (B("Work"), self.links(d.iris(iri, ELI + "realizes"))),
            (B("Language"), esc(self.lang_of(iri))),
            (B("Title"), self.lit_both(iri, ELI + "title")),
            (B("Source file"), esc(f or "")),
            (B("Retrieved from"), ext_link(src) if src else ""),
            (B("SHA-256"), f"<code>{esc(d.literal(iri, MND + 'sourceSha256') or '')}</code>"),
            (B("Encoding"), esc(d.literal(iri, MND + "encoding") or "")),
            (B("Truncated"), esc(d.literal(iri, MND + "truncated") or "")),
            (B("Flags"), self.links(d.iris(iri, MND + "flag"))),
        ])

    def body_actor(self, iri: str) -> str:
        d = self.d
        out = [self.body_generic(iri), self.facts([
            (B("Types"), self.links(i for i in d.iris(iri, RDF + "type"))),
            (B("Part of"), self.links(d.iris(iri, MND + "partOf"))),
            (B("Parts"), self.links(d.subjects(MND + "partOf", iri))),
            (B("Flags"), self.links(d.iris(iri, MND + "flag"))),
        ])]
        out.append(f"<h2>{B('What is asked of it')}</h2>")
        rows = self.asked_of(iri)
        if rows:
            out.append(f"<table><tr><th>{B('Force')}</th><th>{B('Verb')}</th>"
                       f"<th>{B('Resolution')}</th><th>{B('Clause')}</th><th>{B('Text')}</th>"
                       f"<th>{B('Report')}</th></tr>")
            for r in rows:
                clause = self.from_src(self.d.ox.NamedNode(r["clause"])).value
                order = self.d.literal(clause, MND + "order") or "?"
                verb = f'<span lang="zh">{esc(r.get("verbZh") or "")}</span> <span class="en" lang="en">{esc(r.get("verbEn") or r.get("verb") or "")}</span>'
                text = "<br>".join(f'<span lang="{lg}">{esc(r[k])}</span>' for k, lg in (("textZh", "zh"), ("textEn", "en")) if r.get(k))
                rep = ""
                if r.get("reportTo") or r.get("dueSession"):
                    to = self.from_src(self.d.ox.NamedNode(r["reportTo"])).value if r.get("reportTo") else None
                    rep = (f"→ {self.link(to)}" if to else "") + (
                        " " + B("session {n}", n=r["dueSession"]) if r.get("dueSession") else "")
                out.append(f"<tr><td class=\"num\">{esc(r.get('strength', ''))}</td><td>{verb}</td>"
                           f"<td>{esc(r.get('symbol') or '')} <span class=\"muted\">{esc(r.get('adopted') or '')}</span></td>"
                           f"<td>{self.link(clause, esc(r.get('para') or '') + ' ' + B('clause {n}', n=order))}"
                           f"</td><td>{text}</td><td>{rep}</td></tr>")
            out.append("</table>")
        else:
            out.append(f'<p class="muted">{B("No mandate in this dataset asks it.")}</p>')
        paras = d.subjects(MND + "mentionsActor", iri)
        if paras:
            out.append(f"<h2>{B('Mentioned in')}</h2><ul class=\"cols\">"
                       + "".join(f"<li>{self.link(p)}</li>" for p in paras) + "</ul>")
        return "".join(out)

    def asked_of(self, iri: str) -> list[dict[str, Any]]:
        from mandates.web.query import run_query

        if not self.d.subjects(MND + "addressee", iri):
            return []
        src_iri = self.to_src(self.d.ox.NamedNode(iri)).value
        return run_query("asked-of-actor", store=self.store, params={"actor": f"<{src_iri}>"})

    def body_instrument(self, iri: str) -> str:
        d = self.d
        see = d.iris(iri, RDFS + "seeAlso")
        return "".join([self.body_generic(iri), self.facts([
            (B("Symbol"), esc(d.literal(iri, MND + "symbol") or "")),
            (B("Types"), self.links(d.iris(iri, RDF + "type") + d.iris(iri, MND + "instrumentType"))),
            (B("Official text"), "、".join(ext_link(u) for u in see)),
            (B("Flags"), self.links(d.iris(iri, MND + "flag"))),
        ]), self.cited_by(iri)])

    def body_verb(self, iri: str) -> str:
        d = self.d
        out = [self.body_generic(iri), self.facts([
            (B("Force (0–5)"), esc(d.literal(iri, MND + "strength") or "")),
            (B("Directive"), esc(d.literal(iri, MND + "directive") or "")),
            (B("Used in"), self.links(d.iris(iri, MND + "usedIn"))),
        ])]
        clauses = d.subjects(MND + "verb", iri)
        if clauses:
            clauses.sort(key=lambda c: (_natural(self.work_of(c) or ""), _natural(c)))
            out.append(f"<h2>{B('Clauses with this verb')}</h2>")
            out.append(self.clause_list(clauses))
        return "".join(out)

    def clause_list(self, clauses: list[str]) -> str:
        d = self.d
        rows = []
        for c in clauses:
            text = "<br>".join(f'<span lang="{esc(t.language or "")}">{esc(t.value)}</span>' for t in sorted(
                d.objects(c, MND + "text"), key=lambda o: (o.language or "", o.value)))
            rows.append(f"<tr><td>{self.link(c)}</td><td>{self.links(d.iris(c, MND + 'addressee'))}</td><td>{text}</td></tr>")
        return (f"<table><tr><th>{B('Clause')}</th><th>{B('Addressees')}</th><th>{B('Text')}</th></tr>"
                + "".join(rows) + "</table>")

    def body_theme(self, iri: str) -> str:
        d = self.d
        out = [self.body_generic(iri), self.facts([(B("SDGs"), self.links(d.iris(iri, MND + "sdg")))])]
        paras = d.subjects(MND + "theme", iri)
        if paras:
            out.append(f"<h2>{B('Paragraphs on this theme')}</h2><ul>"
                       + "".join(f"<li>{self.link(p)}</li>" for p in paras) + "</ul>")
        return "".join(out)

    def body_sdg(self, iri: str) -> str:
        d = self.d
        themes = d.subjects(MND + "sdg", iri)
        return self.body_generic(iri) + self.facts([(B("Themes"), self.links(themes))])

    def body_scheme(self, iri: str) -> str:
        d = self.d
        members = d.subjects(SKOS + "inScheme", iri)
        out = [self.facts([(B("Description"), self.lit_both(iri, DCT + "description")),
                           (B("Version"), esc(d.literal(iri, OWL + "versionInfo") or ""))])]
        if members:
            out.append(f"<h2>{B('Concepts')} ({len(members)})</h2><ul class=\"cols\">"
                       + "".join(f"<li>{self.link(m)}</li>" for m in sorted(members, key=lambda m: self.label_text(m)))
                       + "</ul>")
        return "".join(out)

    # -- the ontology

    def ontology_page(self, alternates: str | None = None) -> str:
        d = self.d
        o = MND.rstrip("#")
        terms = sorted({s for s in d.by_s if s.startswith(MND) and len(s) > len(MND)}, key=lambda s: s[len(MND):].lower())
        groups = [("classes", "Classes", OWL + "Class"), ("object-properties", "Object properties", OWL + "ObjectProperty"),
                  ("datatype-properties", "Datatype properties", OWL + "DatatypeProperty"),
                  ("annotation-properties", "Annotation properties", OWL + "AnnotationProperty")]
        placed: set[str] = set()
        sections = []
        toc = []
        for gid, en, cls in groups + [("individuals", "Other terms", None)]:
            members = [t for t in terms if t not in placed and (cls is None or cls in d.iris(t, RDF + "type"))]
            placed.update(members)
            if not members:
                continue
            toc.append(f'<li><a href="#{gid}">{B(en)}</a> ({len(members)})</li>')
            items = []
            for t in members:
                local = t[len(MND):]
                rows = [(B("IRI"), f"<code>{esc(t)}</code>"),
                        (B("Definition"), self.lit_both(t, SKOS + "definition")),
                        (B("Comment"), self.lit_both(t, RDFS + "comment")),
                        (B("Type"), self.links(d.iris(t, RDF + "type"))),
                        (B("Subclass of"), self.links(d.iris(t, RDFS + "subClassOf"))),
                        (B("Subclasses"), self.links(d.subjects(RDFS + "subClassOf", t))),
                        (B("Subproperty of"), self.links(d.iris(t, RDFS + "subPropertyOf"))),
                        (B("Domain"), self.links(d.iris(t, RDFS + "domain"))),
                        (B("Range"), self.links(d.iris(t, RDFS + "range"))),
                        (B("Domain of"), self.links(d.subjects(RDFS + "domain", t))),
                        (B("Range of"), self.links(d.subjects(RDFS + "range", t)))]
                items.append(f'<section class="term" id="{esc(local)}"><h3>{self.label_html(t)} '
                             f'<code class="muted">mnd:{esc(local)}</code></h3>{self.facts(rows)}</section>')
            sections.append(f'<h2 id="{gid}">{B(en)}</h2>' + "".join(items))
        shapes = self.shapes_html()
        if shapes:
            toc.append(f'<li><a href="#shapes">{B("SHACL shapes")}</a></li>')
        head = (f'<p class="kind">{B("Ontology")}</p><h1>{self.label_html(o)}</h1>'
                f'<p class="iri"><code>{esc(o)}</code></p>'
                f'<p class="formats"><a href="/ontology/mandates.ttl" type="text/turtle">mandates.ttl</a>'
                f'<a href="/ontology/shapes.ttl" type="text/turtle">shapes.ttl</a>'
                + (f'<a href="/{esc(alternates)}.ttl" type="text/turtle">Turtle</a>'
                   f'<a href="/{esc(alternates)}.jsonld" type="application/ld+json">JSON-LD</a>'
                   f'<a href="/{esc(alternates)}.nt" type="application/n-triples">N-Triples</a>' if alternates else "")
                + "</p>"
                + self.facts([(B("Description"), self.lit_both(o, DCT + "description")),
                              (B("Version"), esc(d.literal(o, OWL + "versionInfo") or "")),
                              (B("Licence"), self.links(d.iris(o, DCT + "license"))),
                              (B("See also"), self.links(d.iris(o, RDFS + "seeAlso"))),
                              (B("Prefix"), f"<code>mnd: &lt;{esc(MND)}&gt;</code>")])
                + f"<ul>{''.join(toc)}</ul>")
        return self.layout(self.label_text(o), head + "".join(sections) + shapes, alternates)

    def shapes_html(self) -> str:
        import pyoxigraph as ox

        from mandates.core.resources import ontology_dir

        f = ontology_dir() / "shapes.ttl"
        if not f.is_file():
            return ""
        g = list(ox.parse(f.read_bytes(), format=ox.RdfFormat.TURTLE))
        by_s: dict[Any, list] = defaultdict(list)
        for t in g:
            by_s[t.subject].append(t)

        def vals(s: Any, p: str) -> list:
            return [t.object for t in by_s.get(s, ()) if t.predicate.value == p]

        shapes = sorted({t.subject for t in g if t.predicate.value == RDF + "type" and t.object.value == SH + "NodeShape"
                         and isinstance(t.subject, ox.NamedNode)}, key=lambda s: s.value)
        rows = []
        for s in shapes:
            labels = sorted(vals(s, RDFS + "label"), key=lambda o: (o.language != "zh", o.value))
            targets = [o.value for o in vals(s, SH + "targetClass") if isinstance(o, ox.NamedNode)]
            msgs = []
            for ps in vals(s, SH + "property") + [s]:
                for m in sorted(vals(ps, SH + "message"), key=lambda o: (o.language != "en", o.value)):
                    if m.language == "en" or not m.language:
                        msgs.append(m.value)
            rows.append(f"<tr><td><code>{esc(s.value.rpartition('#')[2])}</code><br>"
                        + " ".join(f'<span lang="{esc(lab.language or "")}">{esc(lab.value)}</span>' for lab in labels)
                        + f"</td><td>{self.links(sorted(targets))}</td><td><ul>"
                        + "".join(f"<li>{esc(m)}</li>" for m in sorted(set(msgs))) + "</ul></td></tr>")
        return (f'<h2 id="shapes">{B("SHACL shapes")}</h2>'
                f"<table><tr><th>{B('Shape')}</th><th>{B('Target class')}</th>"
                f"<th>{B('Checks')}</th></tr>{''.join(rows)}</table>")

    # -- the home page

    def home(self, counts: dict[str, int], triples: int) -> str:
        d = self.d
        works = [s for s in self.paths.values() if self.kind(s) == "resolution" and d.iris(s, ELI + "is_realized_by")]
        works.sort(key=lambda w: (d.literal(w, ELI + "date_document") or "", _natural(w)))
        out = [f'<h1>{B("Mandates in UN General Assembly resolutions")}</h1>',
               f'<p lang="zh">{esc(M("home.intro")[0])}</p><p class="en" lang="en">{esc(M("home.intro")[1])}</p>']
        stats = [("Resolutions", len(works)), ("Paragraphs", counts.get("paragraph", 0)),
                 ("Clauses", counts.get("clause", 0)),
                 ("Mandates", len(d.subjects(RDF + "type", MND + "Mandate"))),
                 ("Mentions", counts.get("mention", 0)), ("Actors", counts.get("actor", 0)),
                 ("Instruments", counts.get("instrument", 0)), ("Triples", triples),
                 ("Resources", len(self.paths))]
        out.append('<table class="stats">' + "".join(f"<tr><th>{B(en)}</th><td class=\"num\">{n}</td></tr>" for en, n in stats)
                   + "</table>")
        out.append(f"<h2>{B('Resolutions')}</h2><table><tr><th>{B('Symbol')}</th>"
                   f"<th>{B('Title')}</th><th>{B('Adopted')}</th><th>{B('Paragraphs')}</th>"
                   f"<th>{B('Mandates')}</th></tr>")
        for w in works:
            paras = d.iris(w, MND + "hasParagraph")
            mandates = sum(1 for p in paras for c in d.iris(p, MND + "hasClause") if MND + "Mandate" in d.types(c))
            out.append(f"<tr><td>{self.link(w)}</td><td>{self.lit_both(w, DCT + 'title')}</td>"
                       f"<td>{esc(d.literal(w, ELI + 'date_document') or '')}</td><td class=\"num\">{len(paras)}</td>"
                       f"<td class=\"num\">{mandates}</td></tr>")
        out.append("</table>")

        def ranked(p: str, kinds: tuple[str, ...]) -> list[tuple[str, int]]:
            n: dict[str, int] = defaultdict(int)
            for t in d.triples:
                if t.predicate.value == p and isinstance(t.object, d.ox.NamedNode) and self.kind(t.object.value) in kinds:
                    n[t.object.value] += 1
            return sorted(n.items(), key=lambda kv: (-kv[1], self.label_text(kv[0]), kv[0]))

        for p, kinds, en in ((MND + "addressee", ("actor",), "Actors asked (clauses)"),
                                 (MND + "verb", ("verb",), "Verbs (clauses)"),
                                 (MND + "theme", ("theme",), "Themes (paragraphs)"),
                                 (ELI + "cites", ("instrument", "resolution"), "Instruments cited")):
            items = ranked(p, kinds)
            if items:
                out.append(f"<h2>{B(en)}</h2><ul class=\"cols\">"
                           + "".join(f"<li>{self.link(i)} <span class=\"muted\">{n}</span></li>" for i, n in items) + "</ul>")
        schemes = [s for s in self.paths.values() if self.kind(s) == "scheme"]
        out.append(f"<h2>{B('Vocabularies')}</h2><ul>" + "".join(f"<li>{self.link(s)}</li>" for s in sorted(schemes))
                   + f'<li><a href="/ontology/">{B("Ontology and SHACL shapes")}</a></li></ul>')
        out.append(f"<h2>{B('Data')}</h2><ul>"
                   f'<li><a href="/void.ttl">void.ttl</a> — {B("dataset description (VoID, DCAT)")}</li>'
                   f'<li><a href="/dump/graph.nq">dump/graph.nq</a> — {B("all named graphs (N-Quads)")}</li>'
                   f'<li><a href="/dump/graph.ttl">dump/graph.ttl</a> — {B("their union (Turtle)")}</li>'
                   f'<li><a href="/dump/SHA256SUMS">dump/SHA256SUMS</a></li>'
                   f'<li><a href="/context.jsonld">context.jsonld</a> — JSON-LD context</li>'
                   f'<li><a href="/sparql">/sparql</a> — {B("SPARQL endpoint (with mandates serve)")}</li>'
                   "</ul>")
        return self.layout(" · ".join(M("UN mandates")), "".join(out), None)


def _clean(text: str) -> str:
    return text.replace("**", "").strip()


# ---------------------------------------------------------------- dataset files


def read_sources() -> dict[str, str]:
    """``corpus/SOURCES.tsv``: file name -> where it was retrieved from."""
    import csv

    from mandates.core.resources import corpus_dir

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
    import pyoxigraph as ox

    d, base = site.d, site.base
    N, L = ox.NamedNode, ox.Literal
    ds = N(base + "void.ttl#dataset")
    out = []

    def add(s: Any, p: str, o: Any) -> None:
        out.append(ox.Triple(s, N(p), o))

    def integer(n: int, dt: str = "integer") -> Any:
        return L(str(n), datatype=N(XSD + dt))

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
        add(chk, SPDX + "checksumValue", L(info["sha256"], datatype=N(XSD + "hexBinary")))
    return canonical_order(out, ds.value)


# ---------------------------------------------------------------- publish


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise PublishError(f"--out {out} exists and is not a folder", EXIT_USAGE)
    if out.is_dir() and any(out.iterdir()) and not (out / "manifest.json").is_file():
        raise PublishError(f"--out {out} is a folder with files that 'mandates publish' did not write "
                           "(no manifest.json); give an empty or new folder", EXIT_USAGE)


def normalise_base(base: str) -> str:
    from mandates.rdf.iris import IRIError, check

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
    import pyoxigraph as ox

    build_dir, out = Path(build_dir), Path(out)
    _check_out(out)
    store = _open(build_dir)
    quads_src = list(store.quads_for_pattern(None, None, None, None))
    names = sorted({q.graph_name.value for q in quads_src if isinstance(q.graph_name, ox.NamedNode)})
    if not quads_src:
        raise PublishError(f"--store {build_dir}: the store is empty")
    src_base = _graph_base(names)
    base = normalise_base(base) if base else src_base
    move = _rebaser(src_base, base)
    quads = [ox.Quad(move(q.subject), move(q.predicate), move(q.object), move(q.graph_name)) for q in quads_src]
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
    import pyoxigraph as ox

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
    graphs: dict[str, int] = defaultdict(int)
    for q in d.quads:
        if isinstance(q.graph_name, ox.NamedNode):
            graphs[q.graph_name.value] += 1
    write("void.ttl", to_turtle(void_triples(site, dumps, dict(graphs), len(d.triples)), VOID_PREFIXES,
                                first=site.base + "void.ttl#dataset"))
    write("context.jsonld", json.dumps(context_doc(d), ensure_ascii=False, sort_keys=True, indent=1) + "\n")
    write("style.css", (TEMPLATES / "style.css").read_bytes())
    write("index.html", site.home(dict(kinds), len(d.triples)))

    # the ontology
    onto = site.ontology_page(alternates="ontology" if "ontology" in site.paths else None)
    write("ontology/index.html", onto)
    from mandates.core.resources import ontology_dir

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
