"""The vocabularies are data with a contract; the code holds none of their knowledge."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import ROOT

KINDS = ("verb", "actor", "instrument", "theme")


@pytest.mark.parametrize("kind", KINDS)
def test_every_concept_has_one_chinese_and_one_english_preferred_label(vocab, kind):
    concepts = vocab.of_kind(kind)
    assert concepts, kind
    for c in concepts:
        assert set(c.pref) >= {"zh", "en"}, c.iri


@pytest.mark.parametrize("kind", KINDS)
def test_no_label_names_two_concepts_unless_declared(vocab, kind):
    from mandates.core.text import fold_label

    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    declared: dict[str, set[str]] = defaultdict(set)
    for c in vocab.of_kind(kind):
        for lang, labels in c.labels.items():
            for lab in labels:
                owners[(lang, fold_label(lab, lang=lang))].add(c.iri)
        for lab in c.ambiguous:
            declared[c.iri].add(lab)
    clashes = []
    for (lang, lab), iris in owners.items():
        if len(iris) > 1 and not all(any(fold_label(d, lang=lang) == lab for d in declared[i]) for i in iris):
            clashes.append((lang, lab, sorted(iris)))
    assert clashes == []


def test_verbs_have_a_key_a_force_and_a_directive_flag(vocab):
    for v in vocab.of_kind("verb"):
        assert v.notation and v.notation == v.pref["en"], v.iri
        assert v.iri.endswith("/" + v.notation.replace(" ", "-")), v.iri
        assert 0 <= v.strength <= 5
        assert (v.strength == 0) == (not v.directive), v.iri


# the Chinese openings the UN uses at large (issue 3): each must be a verb label
OPENINGS = ["决定", "请", "促请", "吁请", "敦促", "呼吁", "鼓励", "邀请", "欢迎", "注意到", "表示注意到",
            "赞赏地注意到", "认识到", "确认", "承认", "重申", "回顾", "铭记", "意识到", "深信", "强调",
            "着重指出", "深为关切", "表示决心", "审议了", "建议", "赞同", "谴责"]


@pytest.mark.parametrize("word", OPENINGS)
def test_common_chinese_openings_are_verbs(vocab, word):
    lex = vocab.lexicon(("verb",), "zh")
    assert word in lex.entries


def test_jieba_dictionary_is_generated_from_the_labels(vocab):
    from mandates.extract.lexmatch import user_dictionary_lines

    words = {line.rsplit(" ", 1)[0] for line in user_dictionary_lines(vocab)}
    assert "各国议会联盟" in words and "联合国国家工作队" in words
    assert "表示注意到" in words
    assert len(words) > 300


def test_scheme_files_parse_and_declare_versions():
    import rdflib

    for f in sorted((ROOT / "ontology/vocab").glob("*.ttl")):
        g = rdflib.Graph()
        g.parse(f, format="turtle")
        schemes = list(g.subjects(rdflib.RDF.type, rdflib.URIRef("http://www.w3.org/2004/02/skos/core#ConceptScheme")))
        assert schemes, f
        for s in schemes:
            assert g.value(s, rdflib.OWL.versionInfo) is not None, (f, s)


def _code_strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docs.add(id(first.value))
    return [(n.lineno, n.value) for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]


def test_code_names_no_verb_actor_or_instrument(vocab):
    """Knowledge lives in ontology/: no label of a verb, actor or instrument is a string in the code."""
    labels = set()
    for c in vocab.concepts:
        if c.kind in ("verb", "actor", "instrument"):
            for lang, labs in c.labels.items():
                for lab in labs:
                    if len(lab) >= 2 and (lang == "zh" or len(lab) >= 4):
                        labels.add(lab.lower())
    han = re.compile(r"[\u4e00-\u9fff]")
    zh_labels = sorted(lab for lab in labels if han.search(lab))
    en_labels = {lab for lab in labels if not han.search(lab)}
    found = []
    for f in sorted((ROOT / "ingest").rglob("*.py")):
        for line, s in _code_strings(f):
            low = s.lower()
            if low.strip() in en_labels:
                found.append((f.name, line, low.strip()))
            if han.search(low):
                found.extend((f.name, line, lab) for lab in zh_labels if lab in low)
    assert found == []
