"""The SHACL shapes (ontology/shapes.ttl): catalogue rules, data-driven fixtures, vocabularies.

Fixtures live in tests/shapes/:

- ``S00-valid*.ttl`` (and any ``S##-valid*.ttl``): must conform, with no result at all.
- ``S##-invalid-NN.ttl``: small, self-contained Turtle that breaks shape ``S##`` and no
  other; every result of the report must come from that shape (a property shape counts
  for the node shape that holds it).

Validation is done as the project does it: pyshacl, SHACL Core, no inference (the
ontology, when needed, is part of the data graph), ``advanced=False``.

Every bundled corpus document is validated by the build itself (tests/test_corpus.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import SH

pyshacl = pytest.importorskip("pyshacl")

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
SHAPES_FILE = ONTOLOGY / "shapes.ttl"
FIXTURES = Path(__file__).resolve().parent / "shapes"
SHAPES_NS = "https://w3id.org/un-mandates/shapes#"
SHAPE_IRI = re.compile(re.escape(SHAPES_NS) + r"(S\d\d)-[A-Za-z][A-Za-z0-9]*$")
INVALID = re.compile(r"(S\d\d)-invalid-\d\d\.ttl$")
VALID = re.compile(r"S\d\d-valid(-\d\d)?\.ttl$")

# Constraint parameters that apply to the focus node itself when written on a node shape;
# their violations report the node shape, so the node shape needs an sh:message.
NODE_LEVEL = (SH["or"], SH["and"], SH["not"], SH.xone, SH.closed, SH.pattern, SH["class"], SH.node,
              SH.nodeKind, SH["in"], SH.hasValue, SH.datatype)


# ---------------------------------------------------------------------------- helpers


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


def node_shapes(g: Graph) -> list[URIRef]:
    return sorted(s for s in g.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef))


def shape_id(shape) -> str | None:  # type: ignore[no-untyped-def]
    m = SHAPE_IRI.fullmatch(str(shape))
    return m.group(1) if m else None


def owner_id(shapes_graph: Graph, source_shape) -> str:  # type: ignore[no-untyped-def]
    """The S## of the node shape a result's sh:sourceShape belongs to (walking up sh:property)."""
    seen = set()
    node = source_shape
    while node is not None and node not in seen:
        sid = shape_id(node)
        if sid:
            return sid
        seen.add(node)
        node = shapes_graph.value(predicate=SH.property, object=node)
    return f"<no S## shape for {source_shape!r}>"


def validate(data: Graph, shapes_graph: Graph) -> tuple[bool, Graph, str]:
    conforms, report, text = pyshacl.validate(
        data, shacl_graph=shapes_graph, inference="none", advanced=False, abort_on_first=False,
        allow_warnings=False, allow_infos=False,
    )
    return conforms, report, text


def results(report: Graph) -> list:
    return list(report.objects(None, SH.result))


def fixtures(pattern: re.Pattern[str]) -> list[Path]:
    return sorted(p for p in FIXTURES.glob("*.ttl") if pattern.fullmatch(p.name))


def vocabulary_files() -> list[Path]:
    return [ONTOLOGY / "mandates.ttl"] + sorted((ONTOLOGY / "vocab").glob("*.ttl"))


def load(paths: list[Path]) -> Graph:
    g = Graph()
    for p in paths:
        g.parse(p, format="turtle")
    return g


# ---------------------------------------------------------------------------- the catalogue


def test_shapes_file_is_shacl_core_only(shapes: Graph) -> None:
    sparql = {SH.sparql, SH.select, SH.ask, SH.construct, SH.target}
    used = {p for _, p, _ in shapes if p in sparql}
    assert not used, f"SHACL-SPARQL / SHACL-AF used ({sorted(used)}): too slow in pyshacl; use SHACL Core"


def test_every_node_shape_has_an_id_label_and_severity(shapes: Graph) -> None:
    ns = node_shapes(shapes)
    assert ns, "no sh:NodeShape in shapes.ttl"
    problems = []
    for s in ns:
        if not shape_id(s):
            problems.append(f"{s}: IRI is not {SHAPES_NS}S##-Name")
        labels = {lit.language for lit in shapes.objects(s, RDFS.label)}
        if "en" not in labels:
            problems.append(f"{s}: no rdfs:label@en")
        if shapes.value(s, SH.severity) is None:
            problems.append(f"{s}: no sh:severity")
        if not any(shapes.objects(s, SH.targetClass)) and not any(
            shapes.objects(s, t) for t in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
        ):
            problems.append(f"{s}: no target")
    assert not problems, "\n".join(problems)


def test_shape_ids_are_unique_and_consecutive(shapes: Graph) -> None:
    ids = [shape_id(s) for s in node_shapes(shapes)]
    ids = [i for i in ids if i]
    assert len(ids) == len(set(ids)), f"duplicate shape IDs: {sorted(ids)}"
    assert sorted(ids) == [f"S{n:02d}" for n in range(1, len(ids) + 1)], f"IDs have gaps: {sorted(ids)}"


def test_every_property_shape_has_a_message(shapes: Graph) -> None:
    problems = []
    for s in node_shapes(shapes):
        for ps in shapes.objects(s, SH.property):
            msgs = {m.language for m in shapes.objects(ps, SH.message)}
            if "en" not in msgs:
                path = shapes.value(ps, SH.path)
                problems.append(f"{shape_id(s)}: property shape on {path} has no sh:message@en")
        if any(shapes.value(s, p) is not None for p in NODE_LEVEL):
            if "en" not in {m.language for m in shapes.objects(s, SH.message)}:
                problems.append(f"{shape_id(s)}: node-level constraints but no sh:message@en on the node shape")
    assert not problems, "\n".join(problems)


def test_every_shape_has_an_invalid_fixture(shapes: Graph) -> None:
    ids = {shape_id(s) for s in node_shapes(shapes)}
    covered = {INVALID.fullmatch(p.name).group(1) for p in fixtures(INVALID)}  # type: ignore[union-attr]
    missing = sorted(i for i in ids - covered if i)
    assert not missing, f"shapes without a tests/shapes/S##-invalid-NN.ttl: {missing}"
    unknown = sorted(covered - ids)
    assert not unknown, f"fixtures for shapes that do not exist: {unknown}"


def test_there_is_a_valid_fixture() -> None:
    assert fixtures(VALID), "no tests/shapes/S##-valid.ttl"


def test_every_class_the_builder_emits_has_a_shape(shapes: Graph) -> None:
    """Read mandates/graph/builder.py for the classes it types nodes with (MND.X, OA.X, PROV.X)."""
    build = ROOT / "ingest" / "mandates" / "graph" / "builder.py"
    if not build.exists():
        pytest.fail("mandates/graph/builder.py not found")
    ns = {"MND": "https://w3id.org/un-mandates/ontology#", "OA": "http://www.w3.org/ns/oa#",
          "PROV": "http://www.w3.org/ns/prov#", "ELI": "http://data.europa.eu/eli/ontology#"}
    # superclasses the builder adds next to a shaped class (checked through the subclass)
    superclasses_only = {"http://data.europa.eu/eli/ontology#LegalResource",
                         "http://data.europa.eu/eli/ontology#LegalExpression",
                         "http://www.w3.org/ns/oa#SpecificResource"}
    # type classes given next to mnd:Actor (a provisional actor is an organization), checked by S16
    beside_a_shaped_class = {"https://w3id.org/un-mandates/ontology#Organization"}
    emitted = {ns[p] + n for p, n in re.findall(r"\b(MND|OA|PROV|ELI)\.([A-Z]\w*)", build.read_text())}
    targets = {str(t) for t in shapes.objects(None, SH.targetClass)}
    missing = sorted(emitted - targets - superclasses_only - beside_a_shaped_class)
    assert not missing, f"classes used in build.py without a shape (sh:targetClass): {missing}"


# ---------------------------------------------------------------------------- fixtures


@pytest.mark.parametrize("path", fixtures(VALID), ids=lambda p: p.name)
def test_valid_fixture_conforms(path: Path, shapes: Graph) -> None:
    conforms, report, text = validate(Graph().parse(path, format="turtle"), shapes)
    assert conforms and not results(report), text


@pytest.mark.parametrize("path", fixtures(INVALID), ids=lambda p: p.name)
def test_invalid_fixture_breaks_exactly_its_shape(path: Path, shapes: Graph) -> None:
    expected = INVALID.fullmatch(path.name).group(1)  # type: ignore[union-attr]
    conforms, report, text = validate(Graph().parse(path, format="turtle"), shapes)
    found = results(report)
    assert not conforms and found, f"{path.name} conforms, but should break {expected}"
    owners = {owner_id(shapes, report.value(r, SH.sourceShape)) for r in found}
    assert owners == {expected}, f"{path.name} should break {expected} only, broke {sorted(owners)}\n{text}"
    for r in found:  # a violation says what is wrong, in English
        assert any(m.language == "en" for m in report.objects(r, SH.resultMessage)), text


# ---------------------------------------------------------------------------- the shipped vocabularies


def test_ontology_and_vocabularies_conform(shapes: Graph) -> None:
    data = load(vocabulary_files())
    conforms, report, text = validate(data, shapes)
    assert conforms, text[:20000]
