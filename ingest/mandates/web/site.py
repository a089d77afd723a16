"""The pages of the linked-data site: what each page says about a resource, rendered by the
templates of :mod:`mandates.web.pages` (``templates/resource.html``, a body per kind of
resource, ``home.html``, ``ontology.html``).

:class:`Site` reads an in-memory index of the graph (:class:`mandates.rdf.describe.GraphIndex`)
and answers the questions the templates ask: the kind of a resource, its labels in Chinese
and English, the root-relative link of an IRI, the source text of a paragraph with its
mentions marked, the statements about a resource and those that refer to it. It writes no
markup itself. The static site (:mod:`mandates.web.publish`) and the server
(:mod:`mandates.web.serve`) render a resource's page with :meth:`Site.page`.

Pages link their stylesheet and their other formats relatively (``../../style.css``, from the
page's own folder), so a page opened as a file (``file://``) has its style; links between
resources are root-relative (``/actor/secretary-general``), answered by ``mandates serve`` or
by the shipped nginx configuration (``deploy/nginx``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, Callable, Iterable

from mandates.core.resources import ontology_dir
from mandates.rdf.describe import (GraphIndex, inbound_query, is_iri, is_literal, parse_turtle, quad_graph_names,
                                   query_iri, rebaser)
from mandates.rdf.describe import iri as iri_term
from mandates.rdf.formats import SERVED_FORMATS, compact, natural_key
from mandates.rdf.namespaces import DCTERMS as DCT
from mandates.rdf.namespaces import DCAT, ELI, FOAF, MND, OA, OWL, PREFIXES, PROV, RDF, RDFS, SH, SKOS, VOID, XSD
from mandates.web.pages import M, render
from mandates.web.query import run_query

#: resource paths that would collide with the site's own files
RESERVED = {"index", "void", "context", "manifest", "style", "sparql", "sitemap", "robots"}
RESERVED_PREFIXES = ("dump/", "ontology/", "sparql/", ".well-known/", ".nginx/")
#: how many "referenced by" rows a page lists at most
MAX_INVERSE = 200
#: how many triples the page of a named graph shows at most
GRAPH_PAGE_ROWS = 2000

EU_LANG = {"http://publications.europa.eu/resource/authority/language/ZHO": "zh",
           "http://publications.europa.eu/resource/authority/language/ENG": "en"}

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
    "graph": "Named graph",
    "resource": "Resource",
}
#: the types (with their subclasses) of what an IRI names rather than a document about it:
#: actors and concepts, whose IRIs answer 303 to their description (Cool URIs for the Semantic
#: Web), unless also typed as a document (:data:`DOCUMENT_TYPES`). The rule of ``mandates
#: serve`` (``mandates.web.resources``); tests/test_publish.py holds the two together.
THING_TYPES = (MND + "Actor", SKOS + "Concept", SKOS + "ConceptScheme")
#: the types of documents and their parts, which stay documents whatever else they are
DOCUMENT_TYPES = (ELI + "LegalResource", ELI + "LegalExpression", ELI + "LegalResourceSubdivision",
                  OWL + "Ontology", FOAF + "Document", VOID + "Dataset", DCAT + "Dataset")

#: the template of the body of a page, by kind of resource (others: ``kinds/generic.html``)
BODIES = {
    "resolution": "kinds/resolution.html",
    "paragraph": "kinds/paragraph.html",
    "clause": "kinds/clause.html",
    "footnote": "kinds/footnote.html",
    "report": "kinds/report.html",
    "mention": "kinds/mention.html",
    "anchor": "kinds/anchor.html",
    "language-version": "kinds/language-version.html",
    "actor": "kinds/actor.html",
    "instrument": "kinds/instrument.html",
    "verb": "kinds/verb.html",
    "theme": "kinds/theme.html",
    "sdg": "kinds/sdg.html",
    "scheme": "kinds/scheme.html",
}
GENERIC_BODY = "kinds/generic.html"

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

_WEB = re.compile(r"https?://", re.I)


class Namespace:
    """IRIs of a namespace as attributes, for templates: ``mnd.verb``."""

    def __init__(self, base: str):
        self._base = base

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._base + name


def is_web(url: str) -> bool:
    """Whether ``url`` is an http(s) address (only those become outside links, never ``javascript:``)."""
    return _WEB.match(url) is not None


def safe_path(path: str) -> bool:
    """Whether a resource path can be a file of the site."""
    if not path or path in RESERVED or path.startswith(RESERVED_PREFIXES):
        return False
    for seg in path.split("/"):
        if seg in ("", ".", "..") or len(seg.encode("utf-8")) > 240:
            return False
        if any(c in seg for c in "\\?\x00") or any(ord(c) < 0x20 for c in seg):
            return False
    return True


def nonempty(rows: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """The rows of a list of facts that have a value."""
    return [(k, v) for k, v in rows if v]


def joined(values: Iterable[str], sep: str) -> str:
    """``values`` joined by ``sep``, as text (a template escapes it when it writes it)."""
    return sep.join(values)


def relative_root(path: str | None) -> str:
    """The way from the page of ``path`` (``PATH.html``, in the folder of ``PATH``) to the site's root.

    >>> relative_root("doc/A-RES-74-304/op/24"), relative_root("ontology"), relative_root(None)
    ('../../../', '', '')
    """
    return "../" * path.count("/") if path else ""


def clean(text: str) -> str:
    return text.replace("**", "").strip()


#: what every template of the site may use besides its own context
TEMPLATE_GLOBALS = {
    "mnd": Namespace(MND), "rdf": Namespace(RDF), "rdfs": Namespace(RDFS), "skos": Namespace(SKOS),
    "dct": Namespace(DCT), "eli": Namespace(ELI), "oa": Namespace(OA), "owl": Namespace(OWL),
    "MND": MND, "XSD_STRING": XSD + "string", "KINDS": KINDS, "FORMATS": SERVED_FORMATS,
    "is_iri": is_iri, "is_literal": is_literal, "is_web": is_web, "compact": compact, "nonempty": nonempty,
    "joined": joined,
}


class Site:
    """What the pages of the site say, for one :class:`GraphIndex` (see the module docstring).

    ``store`` is the store the graph came from (the actor pages run a library query over it),
    ``src_base`` the base its IRIs have there, ``sources`` the source address of each built file.
    """

    def __init__(self, data: GraphIndex, store: Any, src_base: str, sources: dict[str, str]):
        self.d = data
        self.base = data.base
        self.store = store
        self.src_base = src_base
        self.sources = sources
        self.to_src = rebaser(data.base, src_base)
        self.from_src = rebaser(src_base, data.base)
        self.paths: dict[str, str] = {}
        self.skipped: list[str] = []
        for s in sorted(data.by_s):
            if not s.startswith(self.base):
                continue
            path = s[len(self.base):].partition("#")[0]
            if path in self.paths:
                continue
            if safe_path(path):
                self.paths[path] = self.base + path
            else:
                self.skipped.append(s)
        #: the named graphs under the base that are no resource of their own, by path (their
        #: pages: :meth:`graph_page`)
        self.graph_paths: dict[str, str] = {}
        for g in quad_graph_names(data.quads):
            path = g[len(self.base):] if g.startswith(self.base) else ""
            if path not in self.paths and "#" not in path and safe_path(path):
                self.graph_paths[path] = g
        self.iri_to_path = {iri: p for p, iri in {**self.paths, **self.graph_paths}.items()}
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
        if iri not in self._kind and iri in self.graph_paths.values():
            self._kind[iri] = "graph"
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

    def _own_labels(self, iri: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for p in (SKOS + "prefLabel", RDFS + "label", DCT + "title", ELI + "title"):
            for lang in ("zh", "en", ""):
                v = self.d.literal(iri, p, lang)
                if v and lang not in out:
                    out[lang] = v
            if out:
                break
        return out

    def _made_label(self, iri: str, k: str, out: dict[str, str]) -> dict[str, str]:
        """The label of a part of a resolution, made from its symbol and number."""
        d = self.d
        sym = None
        if k in ("paragraph", "clause", "footnote", "report", "language-version", "resolution"):
            w = self.work_of(iri) if k != "language-version" else d.iri(iri, ELI + "realizes")
            sym = d.literal(w, MND + "symbol") if w else None
        if k == "resolution":
            sym = d.literal(iri, MND + "symbol") or iri[len(self.base):]
            return {"zh": sym, "en": sym}
        if k == "paragraph":
            n = d.literal(iri, MND + "number") or "?"
            pre = MND + "PreambularParagraph" in d.types(iri)
            return dict(zip(("zh", "en"), M("{sym} PP {n}" if pre else "{sym} OP {n}", sym=sym, n=n)))
        if k == "clause":
            para = d.iri(iri, ELI + "is_part_of")
            pl = self.labels(para) if para else {"zh": "", "en": ""}
            n = d.literal(iri, MND + "order") or "?"
            return dict(zip(("zh", "en"), M("{para}, clause {n}", para=(pl.get("zh", ""), pl.get("en", "")), n=n)))
        if k == "footnote":
            n = d.literal(iri, MND + "number") or "?"
            return dict(zip(("zh", "en"), M("{sym} footnote {n}", sym=sym, n=n)))
        if k == "report":
            clause = next(iter(d.subjects(MND + "hasReportingRequest", iri)), None)
            cl = self.labels(clause) if clause else {"zh": "", "en": ""}
            return dict(zip(("zh", "en"), M("{clause}, reporting request", clause=(cl.get("zh", ""), cl.get("en", "")))))
        if k == "language-version" and not out:
            lang = self.lang_of(iri)
            return dict(zip(("zh", "en"), M("{sym} ({lang} text)", sym=sym,
                                            lang=M(LANG_NAMES[lang]) if lang in LANG_NAMES else lang)))
        if k == "mention":
            return {"": f"“{clean(d.literal(iri, MND + 'exact') or '')}”"}
        return out

    def labels(self, iri: str) -> dict[str, str]:
        """``{"zh": ..., "en": ...}`` (either may be missing; ``""`` for an untagged label)."""
        if iri in self._labels:
            return self._labels[iri]
        out = self._made_label(iri, self.kind(iri), self._own_labels(iri))
        if not out:
            sym = self.d.literal(iri, MND + "symbol") or self.d.literal(iri, SKOS + "notation")
            if sym:
                out = {"": sym}
        if not out:
            out = {"": self.short(iri)}
        self._labels[iri] = out
        return out

    def short(self, iri: str) -> str:
        if iri.startswith(self.base):
            return iri[len(self.base):]
        if iri.startswith(MND):
            return "mnd:" + iri[len(MND):]
        return compact(iri, PREFIXES)

    def label_text(self, iri: str, sep: str = " · ") -> str:
        lab = self.labels(iri)
        parts = [v for k, v in sorted(lab.items(), key=lambda kv: ("zh", "", "en").index(kv[0]))]
        uniq: list[str] = []
        for p in parts:
            if p not in uniq:
                uniq.append(p)
        return sep.join(uniq)

    def label_parts(self, iri: str) -> tuple[str | None, str | None, str]:
        """The Chinese and English labels, and the label to show when there is neither."""
        lab = self.labels(iri)
        return lab.get("zh"), lab.get("en"), lab.get("") or self.short(iri)

    def href(self, iri: str) -> str | None:
        """The root-relative link of an IRI under the base, or ``None``."""
        if iri.startswith(MND) and len(iri) > len(MND):
            return "/ontology/#" + iri[len(MND):]
        head, _, frag = iri.partition("#")
        if head in self.iri_to_path:
            return "/" + self.iri_to_path[head] + (f"#{frag}" if frag else "")
        return None

    def prop_title(self, p: str) -> str:
        lab = self.labels(p) if p.startswith(MND) else {}
        return " · ".join(v for k, v in sorted(lab.items()) if v)

    def lits(self, iri: str, p: str) -> list[Any]:
        """The objects of ``iri p``, Chinese first, then English, then untagged."""
        return sorted(self.d.objects(iri, p), key=lambda o: (("zh", "en", "").index(o.language or "")
                                                             if (o.language or "") in ("zh", "en", "") else 3, o.value))

    def texts_of(self, iri: str) -> list[Any]:
        """The ``mnd:text`` literals of ``iri``, by language tag and value."""
        return sorted(self.d.objects(iri, MND + "text"), key=lambda o: (o.language or "", o.value))

    def values(self, iri: str, p: str) -> list[str]:
        """The lexical values of ``iri p``, sorted."""
        return sorted(o.value for o in self.d.objects(iri, p))

    def is_a(self, iri: str, cls: str) -> bool:
        return cls in self.d.types(iri)

    def non_information(self, iri: str) -> bool:
        """Whether ``iri`` names an actor or a concept rather than a document (:data:`THING_TYPES`)."""
        types = self.d.types(iri)
        return any(t in types for t in THING_TYPES) and not any(t in types for t in DOCUMENT_TYPES)

    def graphs_of(self, iri: str) -> list[str]:
        """The named graphs the triples about ``iri`` come from."""
        return sorted({g for t in self.d.own(iri) for g in self.d.graphs_of.get(t, ())})

    # -- highlighted text

    def _marks(self, anchor: str, exact: str, start: int, lo: int, hi: int) -> list[dict]:
        """The mentions inside the anchor's text, nested (a mark that crosses another is left out)."""
        d = self.d
        src = d.iri(anchor, OA + "hasSource")
        marks = []
        for ms, me, m in self.mentions.get(src or "", []):
            a, b = ms - start, me - start
            if a < lo or b > hi or a >= b:
                continue
            if exact[a:b] != (d.literal(m, MND + "exact") or ""):
                continue  # offsets that do not match the text are not drawn
            marks.append((a, b, m))
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
        return roots

    def _plain(self, text: str, owner: str | None, markers: dict[str, str], out: list[tuple]) -> None:
        """Tokens of unmarked text: pieces (linked to ``owner``'s page) and footnote markers."""
        text = text.replace("**", "")
        h = self.href(owner) if owner else None
        pieces: list[tuple] = []
        if text and markers:
            pat = "|".join(re.escape(k) for k in sorted(markers, key=len, reverse=True))
            pos = 0
            for mt in re.finditer(pat, text):
                pieces.append(("text", text[pos:mt.start()], h))
                fn = markers[mt.group(0)]
                pieces.append(("fn", mt.group(0), self.href(fn), self.label_text(fn)))
                pos = mt.end()
            pieces.append(("text", text[pos:], h))
        elif text:
            pieces.append(("text", text, h))
        out.extend(p for p in pieces if p[0] != "text" or p[1])

    def _tokens(self, nodes: list[dict], a: int, b: int, owner: str | None, exact: str,
                markers: dict[str, str], out: list[tuple]) -> None:
        pos = a
        for n in nodes:
            self._plain(exact[pos:n["a"]], owner, markers, out)
            m = n["m"]
            refs = self.d.iris(m, MND + "refersTo")
            kinds = {self.kind(r) for r in refs}
            cls = "actor" if "actor" in kinds else "instrument" if kinds & {"instrument", "resolution"} else (
                "other" if refs else "unresolved")
            how = self.values(m, MND + "mentionKind")
            if "in-title" in how:
                cls += " in-title"
            title = " / ".join(self.label_text(r) for r in refs) or " · ".join(M("unresolved"))
            out.append(("open", cls, " ".join(how), title, self.href(m)))
            self._tokens(n["kids"], n["a"], n["b"], refs[0] if refs else None, exact, markers, out)
            out.append(("close", [(self.href(r) or r, self.label_text(r)) for r in refs[1:]]))
            pos = n["b"]
        self._plain(exact[pos:b], owner, markers, out)

    def highlight(self, anchor: str, footnotes: list[str] | None = None) -> dict[str, Any] | None:
        """The exact source slice of ``anchor`` as tokens for ``macros.html``'s ``highlighted``:
        text, footnote markers (linked), and every mention inside it as a nested mark linked
        to what it refers to; Markdown ``**`` dropped. ``None`` when it has no text."""
        d = self.d
        exact = d.literal(anchor, MND + "exact")
        span = self.span(anchor)
        if exact is None or span is None:
            return None
        lo = len(exact) - len(exact.lstrip())
        hi = len(exact.rstrip())
        markers = {}
        for fn in footnotes or []:
            mk = d.literal(fn, MND + "marker")
            if mk and not re.fullmatch(r"[A-Za-z0-9]+", mk) and self.href(fn):
                markers[mk] = fn
        tokens: list[tuple] = []
        self._tokens(self._marks(anchor, exact, span[0], lo, hi), lo, hi, None, exact, markers, tokens)
        lang = self.lang_of(d.iri(anchor, OA + "hasSource"))
        tag = " · ".join(M("{lang} text", lang=M(LANG_NAMES[lang]))) if lang in LANG_NAMES else ""
        return {"lang": lang, "anchor": self.href(anchor) or "", "tag": tag, "tokens": tokens}

    def highlights(self, iri: str, footnotes: list[str] | None = None) -> list[dict[str, Any]]:
        """The highlighted text of every anchor of ``iri`` (one per language), Chinese first."""
        def order(a: str) -> tuple:
            lang = self.lang_of(self.d.iri(a, OA + "hasSource"))
            return (("zh", "en").index(lang) if lang in ("zh", "en") else 2, a)

        anchors = sorted(self.d.iris(iri, MND + "anchor"), key=order)
        return [h for h in (self.highlight(a, footnotes) for a in anchors) if h]

    # -- parts of pages

    def paragraphs_of(self, work: str) -> list[str]:
        d = self.d
        paras = d.iris(work, MND + "hasParagraph")
        return sorted(paras, key=lambda p: (MND + "OperativeParagraph" in d.types(p),
                                            d.integer(p, MND + "number") or 0, p))

    def clauses_of(self, para: str) -> list[str]:
        return sorted(self.d.iris(para, MND + "hasClause"), key=lambda c: (self.d.integer(c, MND + "order") or 0, c))

    def crumbs(self, iri: str) -> list[str]:
        """The resources ``iri`` is part of, outermost first."""
        chain = []
        cur = self.d.iri(iri, ELI + "is_part_of")
        if self.kind(iri) == "report":
            cur = next(iter(self.d.subjects(MND + "hasReportingRequest", iri)), None)
        seen = set()
        while cur and cur not in seen:
            seen.add(cur)
            chain.append(cur)
            cur = self.d.iri(cur, ELI + "is_part_of")
        return list(reversed(chain))

    def neighbours(self, iri: str) -> tuple[str | None, str | None]:
        """The paragraphs before and after a paragraph in its resolution."""
        work = self.work_of(iri)
        if not work:
            return None, None
        paras = self.paragraphs_of(work)
        i = paras.index(iri) if iri in paras else -1
        return (paras[i - 1] if i > 0 else None), (paras[i + 1] if 0 <= i < len(paras) - 1 else None)

    def para_id(self, para: str) -> str:
        """The id of a paragraph's section on its resolution's page (``op-24``)."""
        return "-".join(self.iri_to_path.get(para, "").rsplit("/", 2)[-2:])

    def statements(self, iri: str) -> list[tuple[str, list[tuple[str, list[Any]]]]]:
        """The triples about ``iri`` by subject (its own first), each by predicate."""
        by_s: dict[str, list] = defaultdict(list)
        for t in self.d.own(iri):
            by_s[t.subject.value].append(t)
        out = []
        for s in sorted(by_s, key=lambda x: (x != iri, natural_key(x))):
            grouped: dict[str, list] = defaultdict(list)
            for t in by_s[s]:
                grouped[t.predicate.value].append(t.object)
            out.append((s, [(p, grouped[p]) for p in sorted(grouped, key=lambda x: compact(x, PREFIXES))]))
        return out

    def inverse(self, iri: str) -> tuple[list[tuple[str, str]], int]:
        """The (subject, predicate) of the triples that refer to ``iri`` (at most
        :data:`MAX_INVERSE`), and how many more there are."""
        refs = [t for t in self.d.by_o.get(iri, ()) if t.subject.value != iri]
        refs.sort(key=lambda t: (compact(t.predicate.value, PREFIXES), natural_key(t.subject.value)))
        return [(t.subject.value, t.predicate.value) for t in refs[:MAX_INVERSE]], max(0, len(refs) - MAX_INVERSE)

    def query_link(self, query_of: Callable[[str], str], iri: str) -> str:
        """The root-relative link of the endpoint's answer to ``query_of(IRI)``, the IRI as the store names it."""
        return "/" + query_iri("", query_of(self.to_src(iri_term(iri)).value))

    def inbound_link(self, iri: str) -> str:
        """The link of the SPARQL query that gives every triple referring to ``iri``."""
        return self.query_link(inbound_query, iri)

    def cited_by(self, iri: str) -> list[str]:
        return [s for s in self.d.subjects(ELI + "cites", iri) if self.kind(s) in ("paragraph", "footnote")]

    def footnotes_of(self, iri: str) -> list[str]:
        d = self.d
        return sorted(d.iris(iri, MND + "hasFootnote"), key=lambda f: (d.integer(f, MND + "number") or 0, f))

    def asked_of(self, iri: str) -> list[dict[str, Any]]:
        """What the mandates ask of an actor (the library query ``asked-of-actor``), with each
        clause and report addressee moved to the site's base."""
        if not self.d.subjects(MND + "addressee", iri):
            return []
        src_iri = self.to_src(iri_term(iri)).value
        rows = run_query("asked-of-actor", store=self.store, params={"actor": f"<{src_iri}>"})
        for r in rows:
            r["clause"] = self.from_src(iri_term(r["clause"])).value
            r["order"] = self.d.literal(r["clause"], MND + "order") or "?"
            if r.get("reportTo"):
                r["reportTo"] = self.from_src(iri_term(r["reportTo"])).value
        return rows

    def clauses_with_verb(self, iri: str) -> list[str]:
        return sorted(self.d.subjects(MND + "verb", iri), key=lambda c: (natural_key(self.work_of(c) or ""), natural_key(c)))

    def scheme_members(self, iri: str) -> list[str]:
        return sorted(self.d.subjects(SKOS + "inScheme", iri), key=lambda m: self.label_text(m))

    # -- pages

    def page(self, iri: str, path: str | None = None, *, root: str | None = None) -> str:
        """The HTML page of the resource ``iri`` (a resource of :attr:`paths`, or one at ``path``;
        ``root``: the way to the site's root from where the page is written, else from ``PATH.html``)."""
        path = path if path is not None else self.iri_to_path[iri]
        k = self.kind(iri)
        if k == "ontology" and iri == MND.rstrip("#"):
            return self.ontology_page(alternates=path)
        return render("resource.html", site=self, d=self.d, iri=iri, path=path, kind=k,
                      root=relative_root(path) if root is None else root, body=BODIES.get(k, GENERIC_BODY),
                      **TEMPLATE_GLOBALS)

    def graph_page(self, path: str, triples: list, rows: int = GRAPH_PAGE_ROWS) -> str:
        """The page of the named graph at ``path`` (:func:`graph_page`), the page ``mandates
        serve`` answers at its IRI (``mandates.web.resources``), byte for byte."""
        return graph_page(self.base, path, self.to_src(iri_term(self.base + path)).value, triples, rows)

    def ontology_terms(self) -> list[tuple[str, str, list[str]]]:
        """The ontology's terms in groups: (anchor id, heading, terms)."""
        d = self.d
        terms = sorted({s for s in d.by_s if s.startswith(MND) and len(s) > len(MND)}, key=lambda s: s[len(MND):].lower())
        groups = [("classes", "Classes", OWL + "Class"), ("object-properties", "Object properties", OWL + "ObjectProperty"),
                  ("datatype-properties", "Datatype properties", OWL + "DatatypeProperty"),
                  ("annotation-properties", "Annotation properties", OWL + "AnnotationProperty")]
        placed: set[str] = set()
        out = []
        for gid, en, cls in groups + [("individuals", "Other terms", None)]:
            members = [t for t in terms if t not in placed and (cls is None or cls in d.iris(t, RDF + "type"))]
            placed.update(members)
            if members:
                out.append((gid, en, members))
        return out

    def shapes(self) -> list[dict[str, Any]] | None:
        """The SHACL shapes shipped with the ontology (``None`` when there are none)."""
        f = ontology_dir() / "shapes.ttl"
        if not f.is_file():
            return None
        g = parse_turtle(f)
        by_s: dict[Any, list] = defaultdict(list)
        for t in g:
            by_s[t.subject].append(t)

        def vals(s: Any, p: str) -> list:
            return [t.object for t in by_s.get(s, ()) if t.predicate.value == p]

        shapes = sorted({t.subject for t in g if t.predicate.value == RDF + "type" and t.object.value == SH + "NodeShape"
                         and is_iri(t.subject)}, key=lambda s: s.value)
        rows = []
        for s in shapes:
            msgs = []
            for ps in vals(s, SH + "property") + [s]:
                for m in sorted(vals(ps, SH + "message"), key=lambda o: (o.language != "en", o.value)):
                    if m.language == "en" or not m.language:
                        msgs.append(m.value)
            rows.append({"id": s.value.rpartition("#")[2],
                         "labels": sorted(vals(s, RDFS + "label"), key=lambda o: (o.language != "zh", o.value)),
                         "targets": sorted(o.value for o in vals(s, SH + "targetClass") if is_iri(o)),
                         "messages": sorted(set(msgs))})
        return rows

    def ontology_page(self, alternates: str | None = None, root: str | None = None) -> str:
        """The ontology documented from the graph, every term at an anchor equal to its fragment
        (``root``: the way to the site's root from where the page is written, else that of
        ``alternates``)."""
        return render("ontology.html", site=self, d=self.d, o=MND.rstrip("#"), alternates=alternates,
                      path=alternates, root=relative_root(alternates) if root is None else root,
                      groups=self.ontology_terms(), shapes=self.shapes(), **TEMPLATE_GLOBALS)

    def ranked(self, p: str, kinds: tuple[str, ...]) -> list[tuple[str, int]]:
        """The objects of ``p`` of the given kinds, by how often they are used."""
        n: dict[str, int] = defaultdict(int)
        for t in self.d.triples:
            if t.predicate.value == p and is_iri(t.object) and self.kind(t.object.value) in kinds:
                n[t.object.value] += 1
        return sorted(n.items(), key=lambda kv: (-kv[1], self.label_text(kv[0]), kv[0]))

    def works(self) -> list[str]:
        """The resolutions that have a text in the graph, by adoption date."""
        d = self.d
        works = [s for s in self.paths.values() if self.kind(s) == "resolution" and d.iris(s, ELI + "is_realized_by")]
        return sorted(works, key=lambda w: (d.literal(w, ELI + "date_document") or "", natural_key(w)))

    def home(self, counts: dict[str, int], triples: int) -> str:
        """The home page: the dataset's figures, its resolutions, the most used terms."""
        d = self.d
        works = self.works()
        stats = [("Resolutions", len(works)), ("Paragraphs", counts.get("paragraph", 0)),
                 ("Clauses", counts.get("clause", 0)),
                 ("Mandates", len(d.subjects(RDF + "type", MND + "Mandate"))),
                 ("Mentions", counts.get("mention", 0)), ("Actors", counts.get("actor", 0)),
                 ("Instruments", counts.get("instrument", 0)), ("Triples", triples),
                 ("Resources", len(self.paths))]
        rows = []
        for w in works:
            paras = d.iris(w, MND + "hasParagraph")
            mandates = sum(1 for p in paras for c in d.iris(p, MND + "hasClause") if MND + "Mandate" in d.types(c))
            rows.append((w, len(paras), mandates))
        ranked = [(en, items) for p, kinds, en in (
            (MND + "addressee", ("actor",), "Actors asked (clauses)"), (MND + "verb", ("verb",), "Verbs (clauses)"),
            (MND + "theme", ("theme",), "Themes (paragraphs)"),
            (ELI + "cites", ("instrument", "resolution"), "Instruments cited")) if (items := self.ranked(p, kinds))]
        schemes = sorted(s for s in self.paths.values() if self.kind(s) == "scheme")
        return render("home.html", site=self, d=self.d, stats=stats, works=rows, ranked=ranked, schemes=schemes,
                      path=None, root="", **TEMPLATE_GLOBALS)


def graph_page(base: str, path: str, name: str, triples: list, rows: int = GRAPH_PAGE_ROWS) -> str:
    """The page of the named graph ``name`` served at ``{base}path``: its triples in a table (at
    most ``rows``, sorted), with the query that lists them."""
    def cell(term: Any) -> tuple[str, ...]:
        if is_iri(term):
            v = term.value
            return ("iri", "/" + v[len(base):] if v.startswith(base) else v, v)
        if is_literal(term):
            return ("literal", term.value, term.language or "")
        return ("other", str(term))

    shown = sorted(triples, key=str)[:rows]
    note = (f"The first {rows} of {len(triples)} triples; the whole graph is in /{path}.ttl, "
            f".nt, .jsonld and .rdf." if len(triples) > rows else "")
    return render("sparql-results.html", title=f"Named graph {base}{path}", path=None, lang="en",
                  query=f"SELECT * WHERE {{\n  GRAPH <{name}> {{ ?s ?p ?o }}\n}} LIMIT 100\n",
                  note=note, form="graph", names=["subject", "predicate", "object"],
                  rows=[[cell(t.subject), cell(t.predicate), cell(t.object)] for t in shown])
