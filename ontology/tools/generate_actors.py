"""Generate the States and the organizations of the actor vocabulary from their tables.

    python ontology/tools/generate_actors.py           # writes ontology/vocab/states.ttl, organizations.ttl
    python ontology/tools/generate_actors.py --check   # exits 1 when a written file differs

States (``ontology/vocab/states.ttl``, scheme ``scheme:states``):

- ``ontology/sources/states.tsv``: the key (IRI local name), status (member, observer,
  former), ISO 3166 alpha-3, UN M49 code, Wikidata item, and for former Member States
  their membership dates and successors;
- pycountry (ISO 3166-1 and ISO 3166-3, with the iso-codes ``zh_CN`` translation): alpha-2,
  the English short and formal names, the Chinese formal name;
- Babel (CLDR ``zh`` territory names): the Chinese short name;
- ``ontology/sources/states-overrides.tsv``: the UN's names where the packages differ, and
  other names texts use (short forms, former names), each with its source;
- ``ontology/sources/states-non-actor-names.tsv``: names that contain a State's name but are
  not actors (a territory, a sea, a currency), written as one non-actor drafting term;
- ``ontology/sources/states-place-cues.tsv``: the words that make a State's name a place
  (``mnd:PlaceCue``, read by ``mandates.extract.places``);
- ``ontology/sources/state-groups.tsv``: the groups of States the UN lists each State in
  (least developed countries, landlocked developing countries, small island developing
  States), written ``mnd:inStateGroup`` from the State to the group's actor of ``actors.ttl``,
  with the list's URL and edition among the State's sources.

Organizations (``ontology/vocab/organizations.ttl``, scheme ``scheme:organizations``) come
from ``ontology/sources/organizations.tsv`` alone; its rows with an empty type add an
external identifier to an actor of ``actors.ttl``.

The output is sorted and byte-stable; ``tests/test_actor_tables.py`` regenerates it and
compares. The code names no State or organization: everything is read from the tables.
"""

from __future__ import annotations

import argparse
import csv
import gettext
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "ontology" / "sources"
VOCAB = ROOT / "ontology" / "vocab"
WD = "http://www.wikidata.org/entity/"

PREFIXES = """@prefix mnd:     <https://w3id.org/un-mandates/ontology#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl:     <http://www.w3.org/2002/07/owl#> .
@prefix actor:   <https://w3id.org/un-mandates/actor/> .
@prefix scheme:  <https://w3id.org/un-mandates/scheme/> .
@prefix d:       <https://w3id.org/un-mandates/drafting/> .
@prefix wd:      <http://www.wikidata.org/entity/> .
"""

STATUS_CLASS = {"member": "mnd:MemberState", "observer": "mnd:ObserverState", "former": "mnd:FormerMemberState"}
NAME_FIELDS = ("en", "zh", "en_formal", "zh_formal")
LIST_FIELDS = ("en_alt", "zh_alt")


class TableError(ValueError):
    """A source table breaks its contract (unknown key, bad code, missing name)."""


def read_tsv(path: Path) -> list[dict[str, str]]:
    """The rows of a tab-separated table; lines starting with ``#`` are comments."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    return [dict(r) for r in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)]


def lit(value: str, lang: str | None = None) -> str:
    """A Turtle string literal.

    >>> lit('Côte d"Ivoire', "en")
    '"Côte d\\\\"Ivoire"@en'
    """
    s = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{s}"@{lang}' if lang else f'"{s}"'


def versions() -> dict[str, str]:
    """The versions of the packages the States are read from (written into the file's header)."""
    from importlib.metadata import version

    return {"pycountry": version("pycountry"), "babel": version("babel")}


# ----------------------------------------------------------------------------- States


@dataclass
class State:
    key: str
    status: str
    alpha2: str = ""
    alpha3: str = ""
    m49: str = ""
    wikidata: str = ""
    since: str = ""
    until: str = ""
    successors: list[str] = field(default_factory=list)
    note: str = ""
    names: dict[str, str] = field(default_factory=dict)  # en, zh, en_formal, zh_formal
    alts: dict[str, list[str]] = field(default_factory=lambda: {"en": [], "zh": []})
    sources: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # keys of mnd:StateGroup actors of actors.ttl


def _package_names(alpha3: str, status: str) -> tuple[str, dict[str, str]]:
    """alpha-2 and the names pycountry and Babel give for an ISO alpha-3 code."""
    import pycountry
    from babel import Locale

    if status == "former":
        c = pycountry.historic_countries.get(alpha_3=alpha3)
        if c is None:
            raise TableError(f"{alpha3}: not in ISO 3166-3 (pycountry.historic_countries)")
        return c.alpha_2, {}
    c = pycountry.countries.get(alpha_3=alpha3)
    if c is None:
        raise TableError(f"{alpha3}: not in ISO 3166-1 (pycountry.countries)")
    zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"])
    formal = getattr(c, "official_name", None) or c.name
    names = {
        "en": c.name,
        "en_formal": formal,
        "zh_formal": zh.gettext(formal),
        "zh": Locale("zh").territories.get(c.alpha_2, ""),
        "numeric": c.numeric,
    }
    return c.alpha_2, names


def load_states() -> list[State]:
    """The States of the tables, with their names resolved and checked."""
    states: dict[str, State] = {}
    for r in read_tsv(SOURCES / "states.tsv"):
        if r["status"] not in STATUS_CLASS:
            raise TableError(f"{r['key']}: status {r['status']!r}")
        s = State(key=r["key"], status=r["status"], alpha3=r["alpha3"], m49=r["m49"], wikidata=r["wikidata"],
                  since=r["member_since"], until=r["member_until"], successors=r["successors"].split(),
                  note=r["note"])
        if s.alpha3:
            s.alpha2, names = _package_names(s.alpha3, s.status)
            numeric = names.pop("numeric", None)
            if numeric is not None and numeric != s.m49:
                raise TableError(f"{s.key}: M49 {s.m49} is not the ISO 3166 numeric code {numeric}")
            s.names.update({k: v for k, v in names.items() if v})
        if s.key in states:
            raise TableError(f"{s.key}: twice in states.tsv")
        states[s.key] = s
    for r in read_tsv(SOURCES / "states-overrides.tsv"):
        s = states.get(r["key"])
        if s is None:
            raise TableError(f"states-overrides.tsv: unknown key {r['key']}")
        f, v = r["field"], r["value"]
        if f in NAME_FIELDS:
            s.names[f] = v
        elif f in LIST_FIELDS:
            s.alts[f[:2]].append(v)
        else:
            raise TableError(f"states-overrides.tsv: unknown field {f} ({r['key']})")
        if r["source"] not in s.sources:
            s.sources.append(r["source"])
    for s in states.values():
        missing = [f for f in NAME_FIELDS if not s.names.get(f)]
        if missing:
            raise TableError(f"{s.key}: no {', '.join(missing)}")
        for k in s.successors:
            if k not in states:
                raise TableError(f"{s.key}: unknown successor {k}")
        if s.status != "former" and not (re.fullmatch(r"[A-Z]{3}", s.alpha3) and re.fullmatch(r"\d{3}", s.m49)):
            raise TableError(f"{s.key}: a Member or observer State needs ISO alpha-3 and M49")
    _add_groups(states)
    return [states[k] for k in sorted(states)]


def _state_group_keys() -> set[str]:
    text = (VOCAB / "actors.ttl").read_text(encoding="utf-8")
    return set(re.findall(r"^actor:([a-z0-9-]+) a mnd:Actor , mnd:StateGroup\b", text, flags=re.M))


def _add_groups(states: dict[str, State]) -> None:
    """The rows of ``state-groups.tsv`` as each State's groups and sources; every row names a
    Member or observer State by its alpha-3 code and a group of ``actors.ttl``, once, and every
    row of a group names the same list and edition."""
    by_alpha3 = {s.alpha3: s for s in states.values() if s.status != "former" and s.alpha3}
    groups = _state_group_keys()
    lists: dict[str, tuple[str, str]] = {}
    for r in read_tsv(SOURCES / "state-groups.tsv"):
        s, g = by_alpha3.get(r["alpha3"]), r["group"]
        if s is None:
            raise TableError(f"state-groups.tsv: {r['alpha3']} is not a Member or observer State of states.tsv")
        if g not in groups:
            raise TableError(f"state-groups.tsv: {g} is not a mnd:StateGroup of actors.ttl ({r['alpha3']})")
        if not (r["source"].startswith("https://") and r["edition"]):
            raise TableError(f"state-groups.tsv: {r['alpha3']} {g}: a source URL and an edition are required")
        if lists.setdefault(g, (r["source"], r["edition"])) != (r["source"], r["edition"]):
            raise TableError(f"state-groups.tsv: {g}: every row names the same list and edition ({r['alpha3']})")
        if g in s.groups:
            raise TableError(f"state-groups.tsv: {r['alpha3']} {g} twice")
        s.groups.append(g)
        source = f"ontology/sources/state-groups.tsv: {r['source']}, {r['edition']}"
        if source not in s.sources:
            s.sources.append(source)


def _state_block(s: State, pkg: dict[str, str]) -> str:
    out = [f"actor:{s.key} a mnd:Actor , mnd:State , {STATUS_CLASS[s.status]} ;", "    skos:inScheme scheme:states ;",
           f"    skos:prefLabel {lit(s.names['en'], 'en')} , {lit(s.names['zh'], 'zh')} ;"]
    alts: list[str] = []
    for lang in ("en", "zh"):
        pref = s.names[lang]
        for a in [s.names[f"{lang}_formal"], *sorted(s.alts[lang])]:
            if a != pref and lit(a, lang) not in alts:
                alts.append(lit(a, lang))
    if alts:
        out.append("    skos:altLabel " + " ,\n        ".join(alts) + " ;")
    out.append(f"    mnd:formalName {lit(s.names['en_formal'], 'en')} , {lit(s.names['zh_formal'], 'zh')} ;")
    if s.alpha2 and s.status != "former":
        out.append(f"    mnd:isoAlpha2 {lit(s.alpha2)} ;")
    if s.alpha3:
        out.append(f"    mnd:isoAlpha3 {lit(s.alpha3)} ;")
    if s.m49:
        out.append(f"    mnd:m49 {lit(s.m49)} ;")
    if s.since:
        out.append(f'    mnd:memberSince "{s.since}"^^xsd:date ;')
    if s.until:
        out.append(f'    mnd:memberUntil "{s.until}"^^xsd:date ;')
    if s.successors:
        out.append("    dcterms:isReplacedBy " + " , ".join(f"actor:{k}" for k in sorted(s.successors)) + " ;")
    if s.note:
        out.append(f"    skos:historyNote {lit(s.note, 'en')} ;")
    if s.groups:
        out.append("    mnd:inStateGroup " + " , ".join(f"actor:{g}" for g in sorted(s.groups)) + " ;")
    if s.wikidata:
        out.append(f"    skos:exactMatch wd:{s.wikidata} ;")
    base = ("ISO 3166 codes and English names: pycountry " + pkg["pycountry"] + "; Chinese short name: CLDR (Babel "
            + pkg["babel"] + "); Chinese formal name: iso-codes zh_CN; M49, Wikidata, membership: ontology/sources/states.tsv")
    if s.status == "former":
        base = "ISO 3166-3: pycountry " + pkg["pycountry"] + "; names, M49, Wikidata, membership: ontology/sources/states.tsv"
    srcs = [base] + sorted(x if x.startswith("ontology/sources/") else f"ontology/sources/states-overrides.tsv: {x}"
                           for x in s.sources)
    out.append("    dcterms:source " + " ,\n        ".join(lit(x) for x in srcs) + " .")
    return "\n".join(out)


def render_states() -> str:
    """The Turtle of ``ontology/vocab/states.ttl``."""
    pkg = versions()
    states = load_states()
    counts = {st: sum(1 for s in states if s.status == st) for st in STATUS_CLASS}
    head = [
        "# GENERATED by ontology/tools/generate_actors.py from ontology/sources/states*.tsv, state-groups.tsv,",
        f"# pycountry {pkg['pycountry']} and Babel {pkg['babel']}: do not edit; edit the tables and run the script.",
        f"# {counts['member']} Member States, {counts['observer']} observer States, {counts['former']} former Member States; "
        f"{sum(len(s.groups) for s in states)} memberships of groups of States.",
        "# Contract: ontology/VOCAB-SCHEMA.md; where each field comes from: ontology/README.md.",
        "",
        PREFIXES,
        "scheme:states a skos:ConceptScheme ;",
        '    dcterms:title "States named in General Assembly resolutions"@en , "大会决议提及的国家"@zh ;',
        '    dcterms:description "The Member States and observer States of the United Nations and former Member States, '
        'with their official short and formal names in English and Chinese, ISO 3166 codes, UN M49 codes and Wikidata '
        'items. The States are actors, as the concepts of scheme:actors are."@en ,',
        '        "联合国会员国、观察员国和前会员国，附正式中英文简称和全称、ISO 3166 代码、联合国 M49 代码和 Wikidata 条目。'
        '这些国家与 scheme:actors 中的概念一样是行为体。"@zh ;',
        '    owl:versionInfo "1.0" .',
        "",
    ]
    blocks = [_state_block(s, pkg) for s in states]
    marker = [
        "# names that contain a State's name but are not actors (ontology/sources/states-non-actor-names.tsv)",
        "d:names-containing-a-state a mnd:DraftingMarker ; skos:inScheme scheme:drafting ; mnd:role mnd:NonActorTerm ;",
        *_label_lines(read_tsv(SOURCES / "states-non-actor-names.tsv")),
        '    skos:definition "Territories, seas and currencies whose names contain a State\'s name."@en , '
        '"名称中含有国家名称的领土、海域和货币。"@zh .',
    ]
    place = [
        "",
        "# words that make a State's name a place (ontology/sources/states-place-cues.tsv; mandates/extract/places.py)",
        'mnd:PlaceCue a mnd:DraftingMarker ; rdfs:label "place cue"@en , "地点提示词"@zh ;',
        '    skos:definition "A word right before a name that makes it a place (在俄罗斯联邦举办, the situation in Myanmar): '
        'an actor of the marker\'s mnd:refersToClass named there is not an actor of the paragraph."@en ,',
        '        "紧接在名称之前、使其成为地点的词(在俄罗斯联邦举办)：在此提及的、属于该标记 mnd:refersToClass 的行为体'
        '不是段落的行为体。"@zh .',
        "d:place-cues a mnd:DraftingMarker ; skos:inScheme scheme:drafting ; mnd:role mnd:PlaceCue ; mnd:refersToClass mnd:State ;",
        *_label_lines(read_tsv(SOURCES / "states-place-cues.tsv")),
        '    skos:definition "Place words before a State\'s name."@en , "国家名称前的地点词。"@zh .',
    ]
    return "\n".join(head) + "\n" + "\n\n".join(blocks) + "\n\n" + "\n".join(marker + place) + "\n"


def _label_lines(rows: list[dict[str, str]]) -> list[str]:
    """The skos:prefLabel and skos:altLabel lines of a marker from a table of (label, lang) rows:
    the first label of each language, sorted, is preferred; Chinese first."""
    labels = {lang: sorted({r["label"] for r in rows if r["lang"] == lang}) for lang in ("zh", "en")}
    return [f"    skos:prefLabel {lit(labels['zh'][0], 'zh')} , {lit(labels['en'][0], 'en')} ;",
            "    skos:altLabel " + " , ".join([lit(x, "zh") for x in labels["zh"][1:]]
                                            + [lit(x, "en") for x in labels["en"][1:]]) + " ;"]


# ----------------------------------------------------------------------------- organizations


ORG_TYPES = ("UNPrincipalOrgan", "UNSubsidiaryBody", "UNEntity", "UNOfficial", "IntergovernmentalOrganization",
             "ParliamentaryOrganization", "StateGroup", "NonStateGroup")


def _existing_actor_keys() -> set[str]:
    text = (VOCAB / "actors.ttl").read_text(encoding="utf-8")
    return set(re.findall(r"^actor:([a-z0-9-]+) a mnd:Actor", text, flags=re.M))


def render_organizations() -> str:
    """The Turtle of ``ontology/vocab/organizations.ttl``."""
    rows = read_tsv(SOURCES / "organizations.tsv")
    existing = _existing_actor_keys()
    new = {r["key"] for r in rows if r["type"]}
    known = existing | new | {s.key for s in load_states()}
    blocks, extra = [], []
    seen: set[str] = set()
    for r in sorted(rows, key=lambda x: x["key"]):
        k = r["key"]
        if k in seen:
            raise TableError(f"organizations.tsv: {k} twice")
        seen.add(k)
        for p in r["part_of"].split():
            if p not in known:
                raise TableError(f"organizations.tsv: {k} is part of unknown {p}")
        if not r["type"]:  # an identifier for an actor of actors.ttl
            if k not in existing:
                raise TableError(f"organizations.tsv: {k} has no type and is not in actors.ttl")
            if not r["wikidata"]:
                raise TableError(f"organizations.tsv: {k}: a row without a type only adds a Wikidata item")
            extra.append(f"actor:{k} skos:exactMatch wd:{r['wikidata']} .")
            continue
        if k in existing:
            raise TableError(f"organizations.tsv: {k} is already in actors.ttl")
        if r["type"] not in ORG_TYPES:
            raise TableError(f"organizations.tsv: {k}: unknown type {r['type']}")
        if not (r["en"] and r["zh"] and r["source"]):
            raise TableError(f"organizations.tsv: {k}: en, zh and source are required")
        out = [f"actor:{k} a mnd:Actor , mnd:{r['type']} ;", "    skos:inScheme scheme:organizations ;",
               f"    skos:prefLabel {lit(r['en'], 'en')} , {lit(r['zh'], 'zh')} ;"]
        alts = [lit(a.strip(), "en") for a in r["en_alt"].split("|") if a.strip()]
        alts += [lit(a.strip(), "zh") for a in r["zh_alt"].split("|") if a.strip()]
        if alts:
            out.append("    skos:altLabel " + " ,\n        ".join(alts) + " ;")
        if r["part_of"]:
            out.append("    mnd:partOf " + " , ".join(f"actor:{p}" for p in r["part_of"].split()) + " ;")
        if r["wikidata"]:
            out.append(f"    skos:exactMatch wd:{r['wikidata']} ;")
        if r["note"]:
            out.append(f"    skos:editorialNote {lit(r['note'], 'en')} ;")
        out.append(f"    dcterms:source {lit(r['source'])} .")
        blocks.append("\n".join(out))
    head = [
        "# GENERATED by ontology/tools/generate_actors.py from ontology/sources/organizations.tsv: do not edit;",
        "# edit the table and run the script. Contract: ontology/VOCAB-SCHEMA.md.",
        f"# {len(blocks)} organizations and groups; Wikidata items of {len(extra)} actors of actors.ttl.",
        "",
        PREFIXES,
        "scheme:organizations a skos:ConceptScheme ;",
        '    dcterms:title "Organizations named in General Assembly resolutions"@en , "大会决议提及的组织"@zh ;',
        '    dcterms:description "Organs, subsidiary bodies, funds, programmes, offices, specialized agencies and related '
        'organizations of the United Nations system, treaty bodies, and intergovernmental organizations with observer '
        'status in the General Assembly, beside those of scheme:actors."@en ,',
        '        "联合国系统的机关、附属机构、基金、方案、办事处、专门机构和有关组织、条约机构，以及在大会具有观察员地位的'
        '政府间组织，作为 scheme:actors 的补充。"@zh ;',
        '    owl:versionInfo "1.0" .',
        "",
    ]
    tail = ["", "# Wikidata items of actors of actors.ttl (organizations.tsv rows without a type)", *extra] if extra else []
    return "\n".join(head) + "\n" + "\n\n".join(blocks) + "\n" + "\n".join(tail) + "\n"


OUTPUTS = {"states.ttl": render_states, "organizations.ttl": render_organizations}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the written files; exit 1 if any differs")
    args = ap.parse_args(argv)
    bad = 0
    for name, render in OUTPUTS.items():
        path = VOCAB / name
        text = render()
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                print(f"{path}: differs from its tables (run {Path(__file__).name})", file=sys.stderr)
                bad = 1
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}", file=sys.stderr)
    return bad


if __name__ == "__main__":
    sys.exit(main())
