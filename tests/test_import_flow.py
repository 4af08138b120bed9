"""The package's imports follow its data flow and never form a cycle.

Every ``import`` of every module counts, including those inside functions and
under ``TYPE_CHECKING``: a lazy import hides a cycle, it does not remove it.
The flow is collect -> aggregate -> views -> placement -> the package root;
``config`` is a leaf any layer but ``collect`` may read.
"""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import requires
from pathlib import Path

import pytest

import jupyter_dashmon

ROOT = Path(jupyter_dashmon.__file__).parent
PACKAGE = "jupyter_dashmon"
#: Layers in the order data flows; a module may import its own layer or earlier ones.
LAYERS = ["collect", "aggregate", "views", "placement"]
#: What ``collect`` may import besides the standard library: ``distributed``, and
#: ``cloudpickle`` and ``msgpack``, which ``distributed`` requires, so every
#: scheduler has them.
SCHEDULER_SIDE = {"distributed", "cloudpickle", "msgpack"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def imports(name: str, path: Path) -> set[str]:
    """Every module ``path`` imports, relative imports made absolute.

    ``from x import y`` imports the module ``x.y`` when there is one, else ``x``.
    """
    modules = package_modules()
    anchor = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*up, base] if base else up)
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports."""
    modules = package_modules()
    return {
        name: {target for target in imports(name, path) if target in modules and target != name}
        for name, path in modules.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle as a list of modules (first repeated at the end), or []."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return []


def layer(module: str) -> int:
    """Position of ``module`` in the flow; the package root comes last."""
    parts = module.split(".")
    if len(parts) == 1:
        return len(LAYERS)
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else -1


def test_the_walker_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    module = tmp_path / "lazy.py"
    module.write_text(
        "from . import visibility\n"
        "def later():\n"
        "    import jupyter_dashmon\n"
        "    from ..views.base import Throttle\n"
        "if False:\n"
        "    from .inline import Dashboard\n"
    )
    assert imports("jupyter_dashmon.placement.lazy", module) == {
        "jupyter_dashmon.placement.visibility",
        "jupyter_dashmon",
        "jupyter_dashmon.views.base",
        "jupyter_dashmon.placement.inline",
    }
    graph = import_graph()
    assert "jupyter_dashmon.placement.inline" in graph[PACKAGE]
    assert "jupyter_dashmon.collect.ring" in graph["jupyter_dashmon.collect.plugin"]


def test_the_cycle_finder_finds_a_lazy_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    cycle = find_cycle(import_graph())
    assert cycle == [], "import cycle: " + " -> ".join(cycle)


def test_imports_follow_the_flow() -> None:
    against = [
        f"{module} imports {target}"
        for module, targets in import_graph().items()
        for target in targets
        if layer(module) >= 0 and layer(target) > layer(module)
    ]
    assert against == []


def test_what_collect_imports_is_on_every_scheduler() -> None:
    needed = {
        re.split(r"[\s<>=!~;\[]", r, maxsplit=1)[0].lower() for r in requires("distributed") or []
    }
    assert SCHEDULER_SIDE - {"distributed"} <= needed


def test_config_imports_nothing_of_the_package() -> None:
    assert import_graph()["jupyter_dashmon.config"] == set()


@pytest.mark.parametrize("module", sorted(m for m in package_modules() if ".collect" in m))
def test_collect_imports_only_the_standard_library_and_distributed(module: str) -> None:
    outside = sorted(
        {
            imported
            for imported in imports(module, package_modules()[module])
            if not imported.startswith(f"{PACKAGE}.collect")
            and imported.split(".")[0] not in sys.stdlib_module_names
            and imported.split(".")[0] not in SCHEDULER_SIDE
            and imported != "__future__"
        }
    )
    assert outside == []
