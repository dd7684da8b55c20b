"""elearn's modules import one another in layers: no module reaches back up to one that
imports it, even lazily inside a function. A cycle means two modules each need the other,
which is a sign that what both need belongs below both."""

from __future__ import annotations

import ast
from pathlib import Path

import elearn

PACKAGE_ROOT = Path(elearn.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, known: set[str]) -> set[str]:
    """The elearn modules a file imports, at top level or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from elearn.xapi import store`` imports the module elearn.xapi.store.
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        found.update(name for name in names if name in known)
    return found


def import_graph() -> dict[str, set[str]]:
    files = {_module_name(path): path for path in PACKAGE_ROOT.rglob("*.py")}
    known = set(files)
    return {name: _imports(path, known) - {name} for name, path in files.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules along it, or None. Packages' ``__init__`` modules are
    left out: importing ``elearn.x.y`` runs ``elearn.x`` first without that being a choice."""
    modules = {name for name in graph if not _is_package(name)}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for target in sorted(graph[name] & modules):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[name] = 2
        return None

    for name in sorted(modules):
        if name not in state and (cycle := visit(name)):
            return cycle
    return None


def _is_package(name: str) -> bool:
    return (PACKAGE_ROOT.parent / name.replace(".", "/") / "__init__.py").exists()


def test_no_module_imports_one_that_imports_it() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"elearn.a": {"elearn.b"}, "elearn.b": {"elearn.c"}, "elearn.c": {"elearn.a"}}
    assert find_cycle(graph) == ["elearn.a", "elearn.b", "elearn.c", "elearn.a"]
