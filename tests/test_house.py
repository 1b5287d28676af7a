"""The layout of digest/ as issue 20 set it: stages as packages, a small ground floor, no cycles.

Imports are read from the syntax tree, every form counted: top-level, in-function (lazy), under
`if TYPE_CHECKING:`, `from digest.x import y` where y is a module, and a package's `__init__`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "digest"
GROUND_FLOOR_LIMIT = 15
MODULE_LINE_LIMIT = 400
# Private attributes of dependencies the code once reached into (issue 20), and feedparser's private modules.
PRIVATE = re.compile(r"(?<!self)\._pool\b|_network_backend|httpcore\._backends|\._buffer\b|os\._exit|atexit\._run"
                     r"|feedparser\.(?:datetimes|_|sanitizer|encodings|namespaces|parsers|mixin|util|html|urls)")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """Every first-party module `path` imports, in any form and at any depth."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    edges = {name: imports(path, known) for name, path in known.items()}
    # importing a.b.c runs a/__init__ and a/b/__init__ first
    for targets in edges.values():
        for target in list(targets):
            parts = target.split(".")
            targets.update(".".join(parts[:i]) for i in range(2, len(parts)) if ".".join(parts[:i]) in known)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_of_any_form() -> None:
    assert cycles(graph()) == []


def test_ground_floor_is_small() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= GROUND_FLOOR_LIMIT, top


def test_every_module_is_short() -> None:
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MODULE_LINE_LIMIT}
    assert long == {}


def test_no_private_attributes_of_dependencies() -> None:
    found = [f"{p.relative_to(ROOT)}:{i}: {line.strip()}" for p in PACKAGE.rglob("*.py")
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if PRIVATE.search(line)]
    assert found == []


def test_package_inits_only_re_export() -> None:
    """A package's __init__ holds a docstring and imports, nothing that runs or defines."""
    for init in PACKAGE.rglob("__init__.py"):
        if init.parent == PACKAGE:
            continue  # digest/__init__.py holds __version__
        body = ast.parse(init.read_text(encoding="utf-8")).body
        kinds = {type(n).__name__ for n in body if not (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))}
        assert kinds <= {"Import", "ImportFrom", "Assign"}, (init, kinds)  # Assign: __all__
