"""The shape of the code: imports flow one way through the layers, no two modules (or sibling packages) import
each other, and no module grows past the size where it usually does two jobs.

Layers, lowest first; a module may import its own layer and the ones below, never one above:
  orchestration/lib (shared code and contracts, no Dagster definitions) < data_quality < orchestration/defs
  < orchestration/definitions.py < orchestration/tools (demo generator, benchmark)
  < orchestration/terminal (what a command shows while it runs and when it ends) < orchestration/cli.py

Imports are read with `ast` from the source, so an import inside a function (the command line imports lazily)
counts as much as one at the top of a file.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.lib.workspace import REPO_ROOT

PACKAGES = ("orchestration", "data_quality")
LAYERS = (
    ("orchestration.lib", "lib"),
    ("data_quality", "data_quality"),
    ("orchestration.defs", "defs"),
    ("orchestration.definitions", "definitions"),
    ("orchestration.tools", "tools"),
    ("orchestration.terminal", "terminal"),
    ("orchestration.cli_parser", "cli"),
    ("orchestration.cli", "cli"),
)
MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _source_files() -> list[Path]:
    return sorted(
        path for package in PACKAGES for path in (REPO_ROOT / package).rglob("*.py") if "__pycache__" not in path.parts
    )


MODULES = {_module_name(path): path for path in _source_files()}


def _imported_names(path: Path) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every import of the file, relative imports resolved against its package."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            for alias in node.names:
                # `from package import module` imports the module; `from module import name` the module
                yield node.lineno, f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base


def _internal(name: str) -> str | None:
    """The project module an imported name resolves to (the longest known prefix), or None for a library."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        if candidate in MODULES:
            return candidate
    return None


def _layer(module: str) -> int | None:
    for index, (prefix, _) in enumerate(LAYERS):
        if module == prefix or module.startswith(prefix + "."):
            return index
    return None  # the top-level package's __init__


IMPORTS = {
    module: sorted({(line, target) for line, name in _imported_names(path) if (target := _internal(name))})
    for module, path in MODULES.items()
}


def test_every_module_has_a_layer() -> None:
    unplaced = [module for module in MODULES if _layer(module) is None and module not in PACKAGES]
    assert not unplaced, f"modules outside every layer: {unplaced}; place them in lib, defs or tools"


def test_imports_flow_down_the_layers() -> None:
    upward = [
        f"{MODULES[module].relative_to(REPO_ROOT)}:{line} ({LAYERS[_layer(module)][1]}) imports {target} "
        f"({LAYERS[_layer(target)][1]})"
        for module, imports in IMPORTS.items()
        if _layer(module) is not None
        for line, target in imports
        if _layer(target) is not None and _layer(target) > _layer(module)
    ]
    assert not upward, "imports against the layers:\n" + "\n".join(upward)


def test_lib_imports_nothing_of_defs() -> None:
    found = [
        f"{MODULES[module].relative_to(REPO_ROOT)}:{line} imports {target}"
        for module, imports in IMPORTS.items()
        if module.startswith("orchestration.lib")
        for line, target in imports
        if target.startswith("orchestration.defs") or target == "orchestration.definitions"
    ]
    assert not found, "orchestration/lib must not import definitions:\n" + "\n".join(found)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_cycles_are_found() -> None:
    """The cycle finder itself: a test of the code base that could never fail would prove nothing."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_back() -> None:
    graph = {
        module: {target for _, target in imports if target != module and not module.startswith(target + ".")}
        for module, imports in IMPORTS.items()
    }
    assert not _cycles(graph), f"import cycles between modules: {_cycles(graph)}"


def _sibling_edge(source: str, target: str) -> tuple[str, str] | None:
    """The two sibling packages or modules an import crosses between, below their common parent."""
    source_parts, target_parts = source.split("."), target.split(".")
    common = 0
    while common < min(len(source_parts), len(target_parts)) and source_parts[common] == target_parts[common]:
        common += 1
    if common >= min(len(source_parts), len(target_parts)):
        return None  # one contains the other
    return ".".join(source_parts[: common + 1]), ".".join(target_parts[: common + 1])


def test_no_packages_import_each_other() -> None:
    """Within a layer (between layers the order above rules), e.g. defs/ingest and defs/quality."""
    graph: dict[str, set[str]] = {}
    for module, imports in IMPORTS.items():
        for _, target in imports:
            if _layer(module) != _layer(target):
                continue
            if edge := _sibling_edge(module, target):
                graph.setdefault(edge[0], set()).add(edge[1])
                graph.setdefault(edge[1], set())
    assert not _cycles(graph), f"packages or modules that import each other: {_cycles(graph)}"


@pytest.mark.parametrize("path", _source_files(), ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_module_size(path: Path) -> None:
    relative = path.relative_to(REPO_ROOT).as_posix()
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{relative} has {lines} lines (cap {MAX_LINES}): split it by concern"
