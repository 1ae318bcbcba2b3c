"""The package's layout is its architecture (docs/architecture.md): layers that import one way, no import cycle
between files, every package saying what it holds and what it may import, files of a readable size."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pytest_ecsfake"

# Highest first: a module may import from its own layer or any layer below it, never above. Within a layer,
# files import one way (no cycle). The root holds the public surface (and the documented aliases); scaffold is the
# development tool that adds an operation.
LAYERS = ("", "scaffold", "ways_in", "wire", "batch", "ecs", "logs", "schemas", "diagnostics", "core")
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and module in PACKAGES) else ""


PACKAGES = {module_name(path) for path in PACKAGE.rglob("__init__.py")}


class _Imports(ast.NodeVisitor):
    """The package modules a module imports at run time (``if TYPE_CHECKING:`` blocks left out: annotations
    only), at any depth (a function-level import is an import all the same)."""

    def __init__(self, module: str) -> None:
        self.module, self.found = module, set()

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.found.update(alias.name for alias in node.names if alias.name in MODULES)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        target = node.module or ""
        if node.level:
            base = self.module.split(".")
            keep = len(base) - node.level + (1 if self.module in PACKAGES else 0)
            target = ".".join(base[:keep] + ([node.module] if node.module else []))
        for alias in node.names:
            name = f"{target}.{alias.name}"
            self.found.add(name if name in MODULES else target)


def imports(module: str) -> set[str]:
    visitor = _Imports(module)
    visitor.visit(ast.parse(MODULES[module].read_text()))
    return {name for name in visitor.found if name in MODULES and name != module
            and not (name in PACKAGES and module.startswith(name + "."))}  # its own package: no edge


GRAPH = {module: imports(module) for module in MODULES}


def test_no_import_cycle_between_files() -> None:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(GRAPH[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert cycles == []


def test_imports_go_down_the_layers() -> None:
    upward = [f"{module} imports {name}" for module, names in sorted(GRAPH.items()) for name in sorted(names)
              if LAYERS.index(layer(name)) < LAYERS.index(layer(module))]
    assert upward == []


@pytest.mark.parametrize("package", sorted(PACKAGES - {"pytest_ecsfake", "pytest_ecsfake._schemas"}))
def test_every_package_says_what_it_holds_and_may_import(package: str) -> None:
    doc = ast.get_docstring(ast.parse(MODULES[package].read_text())) or ""
    assert len(doc) > 80 and "May import" in doc, package


def test_every_layer_is_a_package_of_the_tree() -> None:
    assert {layer(module) for module in MODULES} <= set(LAYERS)
    assert {f"pytest_ecsfake.{name}" for name in LAYERS if name} <= PACKAGES


def test_files_stay_readable() -> None:
    long = {module: lines for module, path in MODULES.items()
            if (lines := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_the_documented_module_paths_are_the_modules_themselves() -> None:
    # README names pytest_ecsfake._guard.NoActiveFakeError and pytest_ecsfake._sleep.OTHER_THREAD_BOUND (a
    # test may set it): those names are aliases of the modules, not copies.
    assert importlib.import_module("pytest_ecsfake._guard") is importlib.import_module("pytest_ecsfake.ways_in.guard")
    sleep = importlib.import_module("pytest_ecsfake._sleep")
    assert sleep is importlib.import_module("pytest_ecsfake.ways_in.fake_time.sleep")
    assert isinstance(sleep.OTHER_THREAD_BOUND, float)
