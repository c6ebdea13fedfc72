"""The package's import graph: no cycles, and no import from a higher layer.

Layers (docs/architecture.md), lowest first; a module may import its own layer and
the ones below, at module level or inside a function alike:

    core < events, context < triggers, kinds < cloud < loops < invoke, http < matrix, flows
         < plugin, cli (and the package root, which re-exports the public names)

``loops`` sits below ``invoke`` because ``invoke`` checks every invocation's writes with
it; ``loops`` itself only reads the write journal (duck-typed) and the trigger kinds.

The graph is read from the source with ``ast`` (every ``import`` statement, including the
ones inside functions, which run later but still couple the modules; only imports under
``if TYPE_CHECKING:``, which never run, are left out).
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest_fctrigger

PACKAGE = Path(pytest_fctrigger.__file__).parent
ROOT = "pytest_fctrigger"

# module (or package prefix) -> layer; the longest matching prefix wins
LAYERS: Dict[str, int] = {
    "core": 0,
    "errors": 0,
    "_audit": 0,  # the audit-hook multiplexer (stdlib only)
    "_outliving": 0,  # threads and timers that outlive their invocation (stdlib + errors)
    "_fc_signature": 0,  # FC's request signature (stdlib only)
    "_credentials": 1,
    "events": 1,
    "context": 1,
    "triggers": 2,
    "kinds": 2,
    "cloud": 3,
    "loops": 4,
    "invoke": 5,
    "http": 5,
    "instances": 6,  # process instances: the child runs an Invoker
    "matrix": 6,
    "flows": 6,
    "plugin": 7,
    "hookspecs": 7,
    "_entry": 7,  # the pytest11 entry point: loads the plugin module (and what its start-up imports)
    "fc_settings": 7,  # FCSettings, what fc_settings returns (apart from the entry module: start-up cost)
    "cli": 7,
    "events.cli_event": 7,  # the `fctrigger event` / `list` / `lint` commands live beside their layer
    "events.cli_list": 7,
    "triggers.cli_lint": 7,
    "": 7,  # the package root: lazy re-exports of the public API
}

# Upward imports that exist in modules other issues are reworking; each names its owner.
# The test fails when one of them disappears, so the list only ever shrinks.
KNOWN_UPWARD: Set[Tuple[str, str]] = {
    ("cloud.sls.job", "invoke"),  # issue 8 point 3 / h9-services: the SLS job runs the handler through invoke
    # process mode: the Invoker hands a call to an instance, whose child process runs an Invoker
    # (a deliberate seam, imported only when isolate="process"; the cycle test skips known edges)
    ("invoke._invoker", "instances"),
}


def _modules() -> Dict[str, Tuple[Path, bool]]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, is_package)
    return found


def _resolve(name: str, modules: Dict[str, Tuple[Path, bool]]) -> str:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name


def _is_type_checking(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def import_graph() -> Dict[str, Set[str]]:
    """Module -> the package modules it imports (names relative to the package, root = '')."""
    modules = _modules()
    graph: Dict[str, Set[str]] = {m: set() for m in modules}
    for module, (path, is_package) in modules.items():
        here = module.split(".") if module else []
        base = here if is_package else here[:-1]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        type_only = {id(n) for block in ast.walk(tree) if _is_type_checking(block) for n in ast.walk(block)}
        for node in ast.walk(tree):
            if id(node) in type_only:  # `if TYPE_CHECKING:` imports are for annotations only
                continue
            targets: List[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    anchor = base[: len(base) - node.level + 1]
                    target = ".".join([ROOT] + anchor + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                # `from .x import y`: the submodule x.y when there is one, else x
                targets = [f"{target}.{a.name}" for a in node.names]
            for target in targets:
                if target != ROOT and not target.startswith(ROOT + "."):
                    continue
                name = _resolve(target[len(ROOT) + 1 :] if target != ROOT else "", modules)
                if name != module:
                    graph[module].add(name)
    return graph


def _cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    out: List[List[str]] = []
    counter = 0
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    item = stack.pop()
                    on_stack.discard(item)
                    component.append(item)
                    if item == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def layer_of(module: str) -> int:
    best = ""
    for prefix in LAYERS:
        if prefix and (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best):
            best = prefix
    return LAYERS[best]


def test_the_graph_sees_function_level_and_relative_imports():
    graph = import_graph()
    assert "kinds.registry" in graph["triggers.model"]  # module level, relative
    assert "events" in graph["kinds.timer"]  # inside a function: `from ..events import timer_event`
    assert "core._random" in graph["events._random"]  # the re-export of the moved module


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles():
    graph = import_graph()
    for module, target in KNOWN_UPWARD:
        graph[module].discard(target)
    cycles = _cycles(graph)
    assert cycles == [], "import cycles in pytest_fctrigger: " + "; ".join(" <-> ".join(c) for c in cycles)


def test_no_upward_imports():
    graph = import_graph()
    upward = {
        (module, target)
        for module, targets in graph.items()
        for target in targets
        if layer_of(target) > layer_of(module)
    }
    unexpected = sorted(upward - KNOWN_UPWARD)
    assert unexpected == [], "imports from a higher layer (see docs/architecture.md): " + ", ".join(
        f"{m or ROOT} -> {t or ROOT}" for m, t in unexpected
    )
    fixed = sorted(KNOWN_UPWARD - upward)
    assert fixed == [], f"these upward imports are gone; drop them from KNOWN_UPWARD: {fixed}"


def test_every_module_has_a_layer():
    # a new top-level module must be placed in a layer on purpose, not fall into the root's
    unplaced = [m for m in import_graph() if m and layer_of(m) == LAYERS[""] and m.split(".")[0] not in LAYERS]
    assert unplaced == []
