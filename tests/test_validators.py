"""The fast SHACL engine (mandates.validate.fast) against pySHACL, the reference validator.

The fast engine may validate bulk builds only because these tests show that it gives
pySHACL's verdict and pySHACL's results (shape, focus node, path, English message, severity,
one for one) on every shape fixture, on every corpus document, on damaged documents and on a
batch of documents validated together. No stub: real shapes, fixtures, corpus and vocabulary.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH, XSD

pytest.importorskip("pyshacl")
pytest.importorskip("pyoxigraph")

from mandates.validate.fast import UnsupportedShaclFeature, compile_shapes  # noqa: E402
from mandates.validate.engine import (  # noqa: E402
    Validation,
    corpus_shapes_graph,
    engine_supports_shapes,
    fast_validate,
    fast_validate_nquads,
    results_by_graph,
    shapes_graph,
    validate,
)
from mandates.rdf.namespaces import DEFAULT_BASE  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "shapes"
CORPUS = ROOT / "corpus"
SEED = CORPUS / "A-RES-74-303.zh.md"
INVALID = re.compile(r"(S\d\d)-invalid-\d\d\.ttl$")
MND = Namespace("https://w3id.org/un-mandates/ontology#")
OA = Namespace("http://www.w3.org/ns/oa#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
DCT = Namespace("http://purl.org/dc/terms/")
SHP = "https://w3id.org/un-mandates/shapes#"


def key(v: Validation) -> list[tuple]:
    return sorted((r.shape, r.focus, r.path or "", r.message, r.severity) for r in v.results)


def assert_same(ref: Validation, fast: Validation, what: str) -> None:
    assert ref.conforms == fast.conforms, f"{what}: conforms pyshacl={ref.conforms} fast={fast.conforms}"
    a, b = key(ref), key(fast)
    only_ref = [x for x in a if x not in b]
    only_fast = [x for x in b if x not in a]
    assert a == b, f"{what}: results differ\nonly pyshacl: {only_ref[:10]}\nonly fast: {only_fast[:10]}"


def shape_ids(v: Validation) -> set[str]:
    return {r.shape.removeprefix(SHP).split("-")[0] for r in v.results}


# ---------------------------------------------------------------------------- documents


@pytest.fixture(scope="module")
def vocabulary():
    from mandates.graph.builder import vocabulary_graph

    return vocabulary_graph(base=DEFAULT_BASE)


@pytest.fixture(scope="module")
def built(vocab):  # type: ignore[no-untyped-def]
    """Every corpus document built in-process: {file name: (graph name, graph)}."""
    from mandates.graph.builder import build_graph
    from mandates.extract.extractors import extract
    from mandates.extract.read import read_source

    out = {}
    for f in sorted(CORPUS.iterdir()):
        if f.suffix not in (".txt", ".md"):
            continue
        doc = extract(read_source(f), vocab)
        out[f.name] = build_graph(doc, base=DEFAULT_BASE)
    return out


def nquads(graphs: list[tuple[str, Graph]]) -> str:
    from mandates.rdf.terms import sorted_nquads

    return sorted_nquads(graphs)


def reference(g: Graph) -> Validation:
    """pySHACL as the pipeline runs it (the reachable part of the vocabulary)."""
    from mandates.validate.document import vocabulary_for

    return validate(g, vocabulary=vocabulary_for(g, DEFAULT_BASE), base=DEFAULT_BASE)


def copy(g: Graph) -> Graph:
    out = Graph()
    for t in g:
        out.add(t)
    return out


# ---------------------------------------------------------------------------- fixtures


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("S*.ttl")), ids=lambda p: p.name)
def test_shape_fixture_same_results(path: Path) -> None:
    g = Graph().parse(path, format="turtle")
    ref = validate(g)
    fast = fast_validate(g, vocabulary=Graph())
    assert_same(ref, fast, path.name)
    m = INVALID.fullmatch(path.name)
    if m:  # each S##-invalid example fires its shape, and only it, in both engines
        assert fast.results  # a Warning-only fixture conforms (allow_warnings), but reports
        assert shape_ids(fast) == shape_ids(ref) == {m.group(1)}
    else:
        assert fast.conforms and not fast.results


def test_fixture_as_nquads_text_same_results() -> None:
    """The text entry point (N-Triples) gives what the rdflib entry point gives."""
    for path in sorted(FIXTURES.glob("S*-invalid-*.ttl")):
        g = Graph().parse(path, format="turtle")
        nt = g.serialize(format="nt")
        assert key(fast_validate_nquads(nt, vocabulary_nt="")) == key(fast_validate(g, vocabulary=Graph())), path.name


def test_engine_matches_reference() -> None:
    """The fast engine supports the shapes and gives pySHACL's results on every shape fixture,
    document and corpus shapes alike (a build trusts it because this holds)."""
    assert engine_supports_shapes() is True
    fixtures = sorted(FIXTURES.glob("[SC]*.ttl"))
    assert len(fixtures) > 50
    for f in fixtures:
        corpus = f.name.startswith("C")
        g = Graph().parse(f, format="turtle")
        ref = validate(g, shapes=corpus_shapes_graph() if corpus else None)
        fast = fast_validate(g, vocabulary=Graph(), corpus=corpus)
        assert (ref.conforms, key(ref)) == (fast.conforms, key(fast)), f.name


# ---------------------------------------------------------------------------- the corpus


def test_every_corpus_document_same_results(built, vocabulary) -> None:  # type: ignore[no-untyped-def]
    assert built, "no corpus document"
    for fname, (name, g) in built.items():
        ref = reference(g)
        fast = fast_validate_nquads(nquads([(name, g)]))
        assert_same(ref, fast, fname)
    # and against pySHACL with the whole vocabulary, on the seed
    name, g = built[SEED.name]
    assert_same(validate(g, vocabulary=vocabulary), fast_validate_nquads(nquads([(name, g)])), "seed, whole vocabulary")


def _first(g: Graph, p, cls=None):  # type: ignore[no-untyped-def]
    for s, o in sorted(g.subject_objects(p)):
        if cls is None or (s, RDF.type, cls) in g:
            return s, o
    raise AssertionError(f"no {p} in the document")


def damages(g: Graph) -> dict:
    """Named ways to break a built document (each on a copy)."""
    out = {}

    def drop(p, cls=None):  # type: ignore[no-untyped-def]
        def f(h: Graph) -> None:
            s, o = _first(h, p, cls)
            h.remove((s, p, o))
        return f

    out["drop paragraph number (S03 minCount)"] = drop(MND.number, MND.Paragraph)
    out["drop hasParagraph (S03 inverse path)"] = drop(MND.hasParagraph)
    out["drop is_realized_by (S01, S02)"] = drop(ELI.is_realized_by)
    out["drop clause verb (S06)"] = drop(MND.verb)
    out["drop a type Mandate (S06 or)"] = lambda h: h.remove(sorted(h.triples((None, RDF.type, MND.Mandate)))[0])
    out["drop selector end (S12)"] = drop(OA.end)
    out["drop anchor exact (S10)"] = drop(MND.exact, MND.Anchor)

    def extra_predicate(h: Graph) -> None:  # S06 closed
        s, _ = _first(h, MND.verb)
        h.add((s, URIRef("http://example.org/unknown"), Literal("x")))
        h.add((s, URIRef("http://example.org/unknown"), Literal("y")))
    out["closed clause, two extra values"] = extra_predicate

    def start_after_end(h: Graph) -> None:  # S12 lessThanOrEquals
        s, end = _first(h, OA.end)
        for o in list(h.objects(s, OA.start)):
            h.remove((s, OA.start, o))
        h.add((s, OA.start, Literal(int(end) + 5, datatype=XSD.nonNegativeInteger)))
    out["selector start after end"] = start_after_end

    def french_title(h: Graph) -> None:  # S01 languageIn + uniqueLang warning
        s = sorted(h.subjects(RDF.type, MND.Resolution))[0]
        h.add((s, DCT.title, Literal("titre", lang="fr")))
        h.add((s, DCT.title, Literal("another title", lang="en")))
        h.add((s, DCT.title, Literal("yet another title", lang="en")))
    out["extra titles (S01 languageIn, uniqueLang warning)"] = french_title

    def bad_number(h: Graph) -> None:  # S03 datatype + minInclusive, ill-typed literal
        s, o = _first(h, MND.number, MND.Paragraph)
        h.remove((s, MND.number, o))
        h.add((s, MND.number, Literal("zero", datatype=XSD.integer)))
    out["ill-typed paragraph number"] = bad_number

    def unknown_verb(h: Graph) -> None:  # S06 class, S07 path (verb/directive)
        s, o = _first(h, MND.verb)
        h.remove((s, MND.verb, o))
        h.add((s, MND.verb, URIRef("https://w3id.org/un-mandates/verb/no-such-verb")))
    out["clause verb not a mnd:Verb"] = unknown_verb

    def both_paragraph_kinds(h: Graph) -> None:  # S03 xone, S04/S05 pattern
        s = sorted(h.subjects(RDF.type, MND.OperativeParagraph))[0]
        h.add((s, RDF.type, MND.PreambularParagraph))
    out["paragraph both preambular and operative"] = both_paragraph_kinds
    return out


def test_damaged_documents_fire_the_same_shapes(built) -> None:  # type: ignore[no-untyped-def]
    name, g = built[SEED.name]
    for what, damage in damages(g).items():
        h = copy(g)
        damage(h)
        ref = reference(h)
        fast = fast_validate_nquads(nquads([(name, h)]))
        assert ref.results, f"{what}: nothing fired"
        assert_same(ref, fast, what)


def test_dropping_a_required_triple_fires_its_shape(built) -> None:  # type: ignore[no-untyped-def]
    name, g = built[SEED.name]
    h = copy(g)
    s, o = _first(h, MND.sourceSha256, MND.LanguageVersion)
    h.remove((s, MND.sourceSha256, o))
    ref = reference(h)
    fast = fast_validate_nquads(nquads([(name, h)]))
    assert_same(ref, fast, "drop mnd:sourceSha256")
    assert not fast.conforms and shape_ids(fast) == {"S02"}
    assert [r.focus for r in fast.results] == [str(s)]
    assert fast.results[0].path == str(MND.sourceSha256)


def test_inverse_path_is_named_the_same_way(built) -> None:  # type: ignore[no-untyped-def]
    name, g = built[SEED.name]
    h = copy(g)
    s, o = _first(h, MND.hasParagraph)
    h.remove((s, MND.hasParagraph, o))
    ref, fast = reference(h), fast_validate_nquads(nquads([(name, h)]))
    assert_same(ref, fast, "drop mnd:hasParagraph")
    assert {r.path for r in fast.results if r.focus == str(o)} >= {f"^<{MND.hasParagraph}>"}


def test_a_batch_gives_each_documents_results(built) -> None:  # type: ignore[no-untyped-def]
    """Many documents in one store: the union of their results, attributed by focus node.

    This holds for documents of different resolutions (two language versions of one resolution
    share its paragraphs: validated together they are one merged resolution)."""
    graphs = []
    expected = []
    taken: set = set()
    for i, (fname, (name, g)) in enumerate(sorted(built.items())):
        subjects = set(g.subjects(RDF.type, MND.Resolution))
        if subjects & taken:
            continue
        taken |= subjects
        h = copy(g)
        if len(graphs) % 3 == 0:  # damage every third document
            s, o = _first(h, MND.number, MND.Paragraph)
            h.remove((s, MND.number, o))
        graphs.append((name, h))
        expected.extend(fast_validate_nquads(nquads([(name, h)])).results)
    assert len(graphs) >= 8
    text = nquads(graphs)
    batch = fast_validate_nquads(text)
    assert key(batch) == sorted((r.shape, r.focus, r.path or "", r.message, r.severity) for r in expected)
    assert not batch.conforms
    split = results_by_graph(batch, text)
    damaged = {name for i, (name, _) in enumerate(graphs) if i % 3 == 0}
    assert all(r.shape.endswith("S03-Paragraph") for r in batch.results)
    assert set(split) == damaged
    # and pySHACL on the merged documents agrees
    merged = Graph()
    for _, h in graphs:
        for t in h:
            merged.add(t)
    assert_same(reference(merged), batch, "batch")


# ---------------------------------------------------------------------------- what is not supported


@pytest.mark.parametrize("snippet, feature", [
    ("sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 1 ]", "targetNode"),
    ("sh:targetClass ex:C ; sh:and ( [ sh:class ex:D ] )", "sh:and"),
    ("sh:targetClass ex:C ; sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ; sh:minCount 1 ]", "zeroOrMorePath"),
    ("sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:maxLength 3 ]", "sh:maxLength"),
    ("sh:targetClass ex:C ; sh:sparql [ sh:select \"SELECT $this WHERE {}\" ]", "sparql"),
    ("sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:D ] ; "
     "sh:qualifiedMinCount 1 ; sh:qualifiedValueShapesDisjoint true ]", "qualifiedValueShapesDisjoint"),
])
def test_unsupported_features_raise_a_clear_error(snippet: str, feature: str) -> None:
    ttl = f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
    ex:S a sh:NodeShape ; {snippet} ."""
    with pytest.raises(UnsupportedShaclFeature, match=f"unsupported SHACL feature .*{feature}"):
        compile_shapes(Graph().parse(data=ttl, format="turtle"))


def test_the_project_shapes_compile() -> None:
    compiled = compile_shapes(shapes_graph(DEFAULT_BASE))
    assert len(compiled.node_shapes) == len(set(shapes_graph(DEFAULT_BASE).subjects(RDF.type, SH.NodeShape)))
