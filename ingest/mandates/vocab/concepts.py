"""The vocabularies (verbs, actors, instruments, themes, conditions, drafting markers) as lookups.

Everything the extractors know about the UN's language comes from the Turtle files under
``ontology/``; this module reads them once and offers typed, read-only views:
labels by language, the longest-match lexicons, verbs with their force, actors with their
classes. Nothing here names a verb or an actor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from mandates.core.resources import ontology_dir
from mandates.core.text import fold_label
from mandates.rdf.namespaces import DCTERMS, ELI, MND, SKOS, SKOS_NOTE
from mandates.rdf.terms import RDFSyntaxError, read_turtle

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
LANGS = ("zh", "en")
# In a label, the gap: a stretch of the clause the phrase spans ("应……请求": 应会员国请求);
# what may stand there is decided by the label's role (ontology/VOCAB-SCHEMA.md)
GAP = "……"


def gap_parts(label: str) -> tuple[str, ...]:
    """The words of a label around its gaps (one part when it has none).

    >>> gap_parts("应……请求"), gap_parts("upon request")
    (('应', '请求'), ('upon request',))
    """
    return tuple(label.split(GAP))


@dataclass(frozen=True)
class Concept:
    """A SKOS concept of one of the vocabularies, with its labels by language."""

    iri: str
    kind: str  # verb | actor | instrument | theme | condition | marker | sdg
    pref: dict[str, str]
    labels: dict[str, tuple[str, ...]]  # every pref/alt/hidden label by language
    types: frozenset[str] = frozenset()
    notation: str | None = None
    symbol: str | None = None
    directive: bool = False
    strength: int = 0
    roles: frozenset[str] = frozenset()
    part_of: tuple[str, ...] = ()
    count: int | None = None
    refers_class: str | None = None
    rendering: str | None = None
    sdgs: tuple[str, ...] = ()
    instrument_type: str | None = None
    ambiguous: frozenset[str] = frozenset()
    forms: dict[str, str] = field(default_factory=dict)  # citation forms by language ({n} = number)
    used_in: frozenset[str] = frozenset()  # mnd:Preambular / mnd:Operative, for verbs
    condition_type: str | None = None  # mnd:ResourceCondition / mnd:RequestCondition / ..., for conditions

    def label(self, lang: str) -> str:
        """The preferred label in a language, else any label.

        >>> Concept("x", "actor", {"en": "IPU"}, {"en": ("IPU",)}).label("zh")
        'IPU'
        """
        return self.pref.get(lang) or next(iter(self.pref.values()), self.iri)

    def all_labels(self) -> list[str]:
        """Every label, Chinese first, deduplicated, in a stable order."""
        seen: list[str] = []
        for lang in LANGS:
            for lab in self.labels.get(lang, ()):
                if lab not in seen:
                    seen.append(lab)
        return seen


@dataclass
class Lexicon:
    """Folded label -> concepts, for longest-match lookup in one language."""

    lang: str
    entries: dict[str, list[Concept]] = field(default_factory=dict)
    max_len: int = 0

    def add(self, label: str, concept: Concept) -> None:
        """Add a label (a label with a gap is not a string to look up: see ``gap_parts``)."""
        key = fold_label(label, lang=self.lang)
        if not key or GAP in key:
            return
        bucket = self.entries.setdefault(key, [])
        if concept not in bucket:
            bucket.append(concept)
        self.max_len = max(self.max_len, len(key))


class Vocabulary:
    """All vocabularies of ``ontology/`` loaded once.

    >>> v = load()
    >>> v.by_notation("request").directive
    True
    """

    def __init__(self, concepts: list[Concept], organization_classes: frozenset[str]):
        self.concepts = concepts
        self.by_iri = {c.iri: c for c in concepts}
        self.organization_classes = organization_classes
        self._notation = {c.notation: c for c in concepts if c.kind == "verb" and c.notation}
        self._marker_words: dict[tuple[str, str], list[str]] = {}
        self._by_role: dict[str, list[Concept]] = {}  # markers by role: per-paragraph look-ups need not scan every concept
        for c in concepts:
            if c.kind == "marker":
                for r in c.roles:
                    self._by_role.setdefault(r, []).append(c)

    def of_kind(self, kind: str) -> list[Concept]:
        return [c for c in self.concepts if c.kind == kind]

    def by_notation(self, key: str) -> Concept:
        return self._notation[key]

    def markers(self, role: str) -> list[Concept]:
        """The drafting markers with a role (local name of the role, e.g. ``ClauseConjunction``)."""
        return list(self._by_role.get(MND + role, ()))

    def marker_words(self, role: str, lang: str) -> list[str]:
        """The folded words of every marker with a role, longest first."""
        key = (role, lang)
        got = self._marker_words.get(key)
        if got is None:
            words = {fold_label(w, lang=lang) for c in self.markers(role) for w in c.labels.get(lang, ())}
            got = self._marker_words[key] = sorted((w for w in words if w), key=lambda w: (-len(w), w))
        return list(got)

    def citation_forms(self, role: str, lang: str) -> list[str]:
        """How resolutions (``ResolutionNoun``) or decisions (``DecisionNoun``) are cited by number."""
        return sorted(c.forms[lang] for c in self.markers(role) if lang in c.forms)

    def is_organization(self, concept: Concept) -> bool:
        return bool(concept.types & self.organization_classes)

    @lru_cache(maxsize=None)
    def lexicon(self, kinds: tuple[str, ...], lang: str) -> Lexicon:
        lex = Lexicon(lang)
        for c in self.concepts:
            if c.kind in kinds:
                for lab in c.labels.get(lang, ()):
                    lex.add(lab, c)
        return lex

    def __hash__(self) -> int:  # for lru_cache on methods
        return id(self)


def _lit_lang(term) -> str | None:  # type: ignore[no-untyped-def]
    lang = getattr(term, "language", None)
    if lang:
        return str(lang).split("-")[0].lower()
    return None


def _kind(types: set[str], schemes: set[str]) -> str | None:
    if MND + "Verb" in types:
        return "verb"
    if MND + "Instrument" in types:
        return "instrument"
    if MND + "Theme" in types:
        return "theme"
    if MND + "Condition" in types:
        return "condition"
    if MND + "SDG" in types:
        return "sdg"
    if MND + "DraftingMarker" in types and any(s.endswith("/scheme/drafting") for s in schemes):
        return "marker"
    if MND + "Actor" in types or any(s.endswith("/scheme/actors") for s in schemes):
        return "actor"
    return None


def vocabulary_files(folder: Path | None = None) -> list[Path]:
    """The Turtle files that make up the ontology and the vocabularies, in a fixed order."""
    root = folder or ontology_dir()
    return [root / "mandates.ttl"] + sorted((root / "vocab").glob("*.ttl"))


def _parse(files: list[Path]):  # type: ignore[no-untyped-def]
    try:
        return read_turtle(files)
    except RDFSyntaxError as exc:
        raise VocabularyError(str(exc)) from exc


def typed_subjects(path: Path, cls: str) -> list[tuple[str, dict[str, list]]]:
    """The subjects of the Turtle file ``path`` typed ``cls``, sorted, each with its objects by
    property (``{property IRI: [terms]}``).

    Raises:
        VocabularyError: the file is not valid Turtle.
    """
    by_s: dict[str, dict[str, list]] = {}
    for s, p, o in _parse([path]):
        by_s.setdefault(str(s), {}).setdefault(str(p), []).append(o)
    return [(s, props) for s, props in sorted(by_s.items()) if cls in {str(t) for t in props.get(RDF_TYPE, [])}]


class VocabularyError(Exception):
    """A vocabulary file cannot be read or breaks the vocabulary contract."""


@dataclass(frozen=True)
class Correction:
    """A known misprint of a resolution's symbol in one language version (``ontology/corrections.ttl``)."""

    iri: str
    printed: str  # the misprinted symbol, canonical (A/RES/74/303)
    lang: str
    symbol: str  # the resolution's symbol
    adopted: str | None
    drafts: frozenset[str]
    retires: bool  # the printed symbol's IRI names nothing else: it keeps answering for this resolution
    note: str

    def fits(self, *, printed: str | None, lang: str, adopted: str | None, drafts: tuple[str, ...] | list[str]) -> bool:
        """Whether a text with these facts is the one this entry corrects: the same printed symbol and
        language, no fact of the entry contradicted, and at least one of its date and drafts present.

        >>> c = Correction("x", "A/RES/74/303", "zh", "A/RES/74/304", "2020-09-04", frozenset({"A/74/L.85"}), False, "")
        >>> c.fits(printed="A/RES/74/303", lang="zh", adopted="2020-09-04", drafts=[])
        True
        >>> c.fits(printed="A/RES/74/303", lang="zh", adopted=None, drafts=[])  # nothing to tell it by
        False
        >>> c.fits(printed="A/RES/74/303", lang="zh", adopted="2020-09-04", drafts=["A/74/L.86"])
        False
        """
        if printed != self.printed or lang != self.lang:
            return False
        if adopted and self.adopted and adopted != self.adopted:
            return False
        if drafts and self.drafts and not self.drafts & set(drafts):
            return False
        return bool((adopted and self.adopted) or (drafts and self.drafts))


@lru_cache(maxsize=4)
def corrections(folder: str | None = None) -> tuple[Correction, ...]:
    """The known symbol misprints of ``ontology/corrections.ttl`` (none when the file is absent).

    Raises:
        VocabularyError: the file is not valid Turtle.
    """
    path = (Path(folder) if folder else ontology_dir()) / "corrections.ttl"
    if not path.is_file():
        return ()
    out = []
    for s, props in typed_subjects(path, MND + "SymbolCorrection"):

        def one(prop: str) -> str | None:
            vals = props.get(prop)
            return str(sorted(vals, key=str)[0]) if vals else None

        notes = {(_lit_lang(x) or ""): str(x) for x in props.get(SKOS_NOTE, [])}
        out.append(Correction(
            iri=s, printed=one(MND + "printedSymbol") or "", lang=one(DCTERMS + "language") or "",
            symbol=one(MND + "symbol") or "", adopted=one(ELI + "date_document"),
            drafts=frozenset(str(x) for x in props.get(MND + "draftSymbol", [])),
            retires=(one(MND + "retiresPrintedIRI") or "").lower() == "true", note=notes.get("en", "")))
    return tuple(out)


@lru_cache(maxsize=4)
def load(folder: str | None = None) -> Vocabulary:
    """Load the ontology and every vocabulary under ``ontology/``.

    Args:
        folder: another ontology folder (tests); the shipped one by default.

    Raises:
        VocabularyError: a file is not valid Turtle.
    """
    g = _parse(vocabulary_files(Path(folder) if folder else None))
    by_s: dict[str, dict[str, list]] = {}
    for s, p, o in g:
        by_s.setdefault(str(s), {}).setdefault(str(p), []).append(o)
    # classes below mnd:Organization
    sub: dict[str, set[str]] = {}
    for s, props in by_s.items():
        for sup in props.get(RDFS_SUBCLASS, []):
            sub.setdefault(str(sup), set()).add(s)
    orgs: set[str] = set()
    todo = [MND + "Organization"]
    while todo:
        c = todo.pop()
        if c not in orgs:
            orgs.add(c)
            todo.extend(sub.get(c, ()))
    concepts: list[Concept] = []
    for s in sorted(by_s):
        props = by_s[s]
        types = {str(t) for t in props.get(RDF_TYPE, [])}
        schemes = {str(t) for t in props.get(SKOS + "inScheme", [])}
        kind = _kind(types, schemes)
        if kind is None or not schemes and kind != "marker":
            continue
        pref: dict[str, str] = {}
        labels: dict[str, list[str]] = {}
        for prop in ("prefLabel", "altLabel", "hiddenLabel"):
            for lit in sorted(props.get(SKOS + prop, []), key=str):
                lang = _lit_lang(lit)
                if lang is None:
                    continue
                if prop == "prefLabel":
                    pref.setdefault(lang, str(lit))
                labels.setdefault(lang, [])
                if str(lit) not in labels[lang]:
                    labels[lang].append(str(lit))
        for lang, p in pref.items():  # pref first
            labels[lang].remove(p)
            labels[lang].insert(0, p)

        def one(prop: str) -> str | None:
            vals = props.get(prop)
            return str(sorted(vals, key=str)[0]) if vals else None

        directive = one(MND + "directive")
        strength = one(MND + "strength")
        count = one(MND + "refersToCount")
        concepts.append(
            Concept(
                iri=s,
                kind=kind,
                pref=pref,
                labels={k: tuple(v) for k, v in labels.items()},
                types=frozenset(types),
                notation=one(SKOS + "notation"),
                symbol=one(MND + "symbol"),
                directive=(directive or "").lower() == "true",
                strength=int(strength) if strength else 0,
                roles=frozenset(str(r) for r in props.get(MND + "role", [])),
                part_of=tuple(sorted(str(x) for x in props.get(MND + "partOf", []))),
                count=int(count) if count else None,
                refers_class=one(MND + "refersToClass"),
                rendering=one(MND + "rendering"),
                sdgs=tuple(sorted(str(x) for x in props.get(MND + "sdg", []))),
                instrument_type=one(MND + "instrumentType"),
                ambiguous=frozenset(str(x) for x in props.get(MND + "ambiguousLabel", [])),
                forms={_lit_lang(x) or "": str(x) for x in props.get(MND + "citationForm", [])},
                used_in=frozenset(str(x) for x in props.get(MND + "usedIn", [])),
                condition_type=one(MND + "conditionType"),
            )
        )
    return Vocabulary(concepts, frozenset(orgs))
