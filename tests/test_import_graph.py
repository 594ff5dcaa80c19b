"""The import graph of ``src/pinkit`` has no cycle.

Every import counts, including those inside functions (a lazy import that only dodges a cycle is
still a cycle); imports under ``if TYPE_CHECKING:`` do not, since they never run. Importing
``a.b.c`` runs the packages ``a`` and ``a.b`` first, so those are edges too, except for the
importer's own packages, which are always running already.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pinkit

ROOT = Path(pinkit.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = ["pinkit", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in ROOT.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:
                    visit(other)
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.append(child)
            visit(child)

    visit(tree)
    return found


def _with_parents(name: str) -> set[str]:
    parts = name.split(".")
    return {".".join(parts[:n]) for n in range(1, len(parts) + 1)} & set(MODULES)


def _edges(name: str, path: Path) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                targets |= _with_parents(alias.name)
            continue
        if node.level:
            base = package.split(".")
            base = base[: len(base) - node.level + 1]
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        targets |= _with_parents(source)
        for alias in node.names:
            targets |= _with_parents(f"{source}.{alias.name}")
    own = _with_parents(package) if path.name != "__init__.py" else _with_parents(name)
    return {t for t in targets - own if t.startswith("pinkit")}


GRAPH = {name: _edges(name, path) for name, path in MODULES.items()}


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def strong(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in GRAPH[node]:
            if nxt not in index:
                strong(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            strong(node)
    return found


def test_the_graph_sees_the_modules() -> None:
    assert "pinkit.emulator.areas.pins.rules" in GRAPH
    assert "pinkit.emulator.areas.boards.rules" in GRAPH["pinkit.emulator.areas.pins.rules"]


def test_no_import_cycles() -> None:
    assert _cycles() == []
