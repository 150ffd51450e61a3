"""The package's shape (ARCHITECTURE.md): floors that import only downward, no import
cycles (counting imports inside functions), no private name taken from another
subpackage, and modules a person can read in one sitting."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "vizgrad"

# Bottom to top: a module may import from its own floor or a lower one, never a higher one.
FLOORS: tuple[tuple[str, ...], ...] = (
    ("vizgrad.base",),
    ("vizgrad.engine",),
    ("vizgrad.graphviz",),
    ("vizgrad.drawing",),
    ("vizgrad.export", "vizgrad.web"),
    ("vizgrad.draw", "vizgrad.pictures", "vizgrad.scrub", "vizgrad.scrub_inputs", "vizgrad.examples",
     "vizgrad.slides", "vizgrad.lite", "vizgrad.authoring", "vizgrad.course"),
    ("vizgrad.exercises",),
    ("vizgrad.grade",),
    ("vizgrad",),
)
MOST_LINES = 400


def modules() -> dict[str, tuple[Path, bool]]:
    """Every module of the package: its dotted name -> (file, whether it is a package)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


MODULES = modules()


def imports(name: str) -> list[tuple[str, str | None, int]]:
    """What module ``name`` imports from vizgrad, anywhere in it (functions too):
    (module, name taken from it or None, line)."""
    path, is_package = MODULES[name]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, None, node.lineno) for a in node.names if a.name.split(".")[0] == "vizgrad"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                here = name.split(".") if is_package else name.split(".")[:-1]
                base = ".".join(here[: len(here) - node.level + 1] + ([node.module] if node.module else []))
            elif (node.module or "").split(".")[0] == "vizgrad":
                base = node.module
            else:
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.append((sub, None, node.lineno) if sub in MODULES else (base, alias.name, node.lineno))
    return found


def graph() -> dict[str, set[str]]:
    return {m: {t for t, _, _ in imports(m) if t in MODULES and t != m} for m in MODULES}


def floor_of(module: str) -> int:
    best = max((p for floor in FLOORS for p in floor if module == p or module.startswith(p + ".")), key=len)
    return next(k for k, floor in enumerate(FLOORS) if best in floor)


def subpackage_of(module: str) -> str:
    return module if MODULES[module][1] else module.rsplit(".", 1)[0]


def test_every_module_has_a_floor():
    for module in MODULES:
        floor_of(module)  # raises where a module belongs to no floor


def test_no_import_cycles():
    edges = graph()
    state: dict[str, int] = {}  # 1: on the path, 2: done
    cycles = []
    for start in sorted(edges):
        if start in state:
            continue
        stack = [(start, iter(sorted(edges[start])))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
            elif state.get(child) == 1:
                cycles.append(path[path.index(child):] + [child])
            elif child not in state:
                state[child] = 1
                path.append(child)
                stack.append((child, iter(sorted(edges[child]))))
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_imports_run_only_downward():
    upward = [f"{m} -> {t}" for m, targets in graph().items() for t in targets if floor_of(t) > floor_of(m)]
    assert not upward, "imports from a higher floor: " + ", ".join(sorted(upward))


def test_no_private_name_crosses_a_subpackage():
    crossing = [f"{m}:{line} takes {name} from {t}" for m in MODULES for t, name, line in imports(m)
                if name and name.startswith("_") and not name.startswith("__") and t in MODULES
                and subpackage_of(t) != subpackage_of(m)]
    assert not crossing, "; ".join(crossing)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_read_in_one_sitting(module):
    path, _ = MODULES[module]
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MOST_LINES, f"{path.relative_to(ROOT)} has {lines} lines (at most {MOST_LINES})"


def test_the_checker_sees_a_cycle_inside_a_function(tmp_path, monkeypatch):
    """The cycle test counts imports made inside functions (hidden from Python, not from a reader)."""
    fake = {"vizgrad.a": (tmp_path / "a.py", False), "vizgrad.b": (tmp_path / "b.py", False)}
    fake["vizgrad.a"][0].write_text("from .b import f\n")
    fake["vizgrad.b"][0].write_text("def f():\n    from .a import g\n")
    monkeypatch.setattr(__import__(__name__), "MODULES", fake)
    with pytest.raises(AssertionError, match="vizgrad.a -> vizgrad.b -> vizgrad.a"):
        test_no_import_cycles()
