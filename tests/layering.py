"""The package's layering rules, checked on the source with ``ast`` (no import is executed).

A package is a folder of modules in layers (sub-packages or top-level modules). The rules
(README, "How it works"):

- a module imports only modules of its own layer or of layers below it;
- no import cycle between modules, counting the imports inside functions;
- imports inside functions only for the heavy optional libraries (:data:`LAZY_OK`);
- no ``_private`` name of another module imported or used through the module;
- third-party libraries only in the layers allowed to use them (:data:`LIBRARIES`);
- every module opens with a docstring; no function over :data:`MAX_LINES` lines.

:func:`check` returns the broken rules as readable lines; the tests run it on the package and
on small fixture packages that break each rule once.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx

# bottom to top; a top-level module (cli.py) is its own layer, named by its stem
LAYERS = ("core", "rdf", "vocab", "extract", "graph", "validate", "exports", "build", "web", "cli", "__main__")
# library -> where it may be imported (a layer, or "layer/module.py")
LIBRARIES = {
    "rdflib": ("rdf", "graph", "validate"),
    "pyshacl": ("validate",),
    "pyoxigraph": ("rdf", "web/sparql_worker.py"),
    # the HTTP server of ``mandates serve`` (imported only when that command runs)
    "starlette": ("web",),
    "uvicorn": ("web",),
    "h11": ("web",),
}
# heavy optional libraries, which a function may import when it needs them
LAZY_OK = frozenset({"pyshacl", "matplotlib", "jieba", "rjieba", "opencc", "pypdfium2", "docx"})
MAX_LINES = 100


@dataclass
class Module:
    name: str  # dotted, e.g. mandates.core.files
    path: Path
    layer: str
    tree: ast.Module
    imports: list[tuple[str, list[str], bool, int]] = field(default_factory=list)  # module, names, in a function, line


def _layer(rel: Path) -> str:
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _modules(root: Path) -> dict[str, Module]:
    pkg = root.name
    out = {}
    for f in sorted(root.rglob("*.py")):
        rel = f.relative_to(root)
        parts = [pkg, *rel.with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = Module(".".join(parts), f, _layer(rel), ast.parse(f.read_text(encoding="utf-8")))
    return out


def _resolve(mod: Module, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = mod.name.split(".")
    if mod.path.name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def _collect_imports(mod: Module) -> None:
    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                for a in child.names:
                    mod.imports.append((a.name, [], in_function, child.lineno))
            elif isinstance(child, ast.ImportFrom):
                mod.imports.append((_resolve(mod, child), [a.name for a in child.names], in_function, child.lineno))
            visit(child, inner)

    visit(mod.tree, False)


def _where(mod: Module, line: int) -> str:
    return f"{mod.path.name}:{line} ({mod.name})"


def check(root: Path, *, layers: tuple[str, ...] = LAYERS, libraries: dict[str, tuple[str, ...]] | None = None,
          lazy_ok: frozenset[str] = LAZY_OK, max_lines: int = MAX_LINES) -> list[str]:
    """Every rule the package under ``root`` breaks, one line each (empty: it keeps them all)."""
    libraries = LIBRARIES if libraries is None else libraries
    pkg = root.name
    mods = _modules(root)
    order = {name: i for i, name in enumerate(layers)}
    problems: list[str] = []
    graph = nx.DiGraph()
    for mod in mods.values():
        _collect_imports(mod)
        graph.add_node(mod.name)
        if mod.layer not in order and mod.name != pkg:
            problems.append(f"{mod.path}: module in no layer ({mod.layer})")
        if not ast.get_docstring(mod.tree):
            problems.append(f"{_where(mod, 1)}: no module docstring saying what it is responsible for")
        for node in ast.walk(mod.tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = (node.end_lineno or node.lineno) - node.lineno + 1
                if n > max_lines:
                    problems.append(f"{_where(mod, node.lineno)}: function {node.name} has {n} lines (at most {max_lines})")
        imported_modules: dict[str, str] = {}  # local name -> package module
        for target, names, in_function, line in mod.imports:
            top = target.split(".")[0]
            if top != pkg:
                if in_function and top not in lazy_ok:
                    problems.append(f"{_where(mod, line)}: imports {target} inside a function "
                                    f"(only {', '.join(sorted(lazy_ok))} may be)")
                allowed = libraries.get(top)
                if allowed is not None:
                    rel = mod.path.relative_to(root).as_posix()
                    if mod.layer not in allowed and rel not in allowed:
                        problems.append(f"{_where(mod, line)}: imports {top}, allowed only in {', '.join(allowed)}")
                continue
            if in_function:
                problems.append(f"{_where(mod, line)}: imports {target} inside a function")
            # each imported name may be a module (from pkg.layer import module) or a name in one
            targets = []
            for n in names or [""]:
                full = f"{target}.{n}" if n else target
                if full in mods:
                    targets.append(full)
                    imported_modules[n or target.split(".")[-1]] = full
                elif target in mods:
                    targets.append(target)
                    if n.startswith("_") and not n.startswith("__") and target != mod.name:
                        problems.append(f"{_where(mod, line)}: imports the private name {n} of {target}")
                else:
                    problems.append(f"{_where(mod, line)}: imports {full}, which is not in the package")
            for t in targets:
                if t == mod.name or t == pkg:
                    continue
                graph.add_edge(mod.name, t)
                tl = mods[t].layer
                if tl in order and mod.layer in order and order[tl] > order[mod.layer]:
                    problems.append(f"{_where(mod, line)}: layer {mod.layer} imports {t} of the higher layer {tl}")
        for node in ast.walk(mod.tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in imported_modules and node.attr.startswith("_")
                    and not node.attr.startswith("__")):
                problems.append(f"{_where(mod, node.lineno)}: uses the private name {node.attr} of "
                                f"{imported_modules[node.value.id]}")
    for cycle in sorted(sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1):
        problems.append(f"import cycle: {' <-> '.join(cycle)}")
    return problems
