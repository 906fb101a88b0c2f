"""The core never imports Django: the web layer depends on lowdose, never the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

import lowdose

CORE = Path(lowdose.__file__).parent
FORBIDDEN_ROOTS = {"django", "ninja", "axes", "csp", "web", "config", "apps"}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
        elif (target := _import_module_target(node)) is not None:
            roots.add(target.split(".")[0])
    return roots


def _import_module_target(node: ast.AST) -> str | None:
    """The module named by an ``importlib.import_module("...")`` call with a string, else None."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "import_module"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


def test_core_modules_never_import_the_web_layer() -> None:
    offenders = {
        str(path.relative_to(CORE)): sorted(_imported_roots(path) & FORBIDDEN_ROOTS)
        for path in sorted(CORE.rglob("*.py"))
        if _imported_roots(path) & FORBIDDEN_ROOTS
    }
    assert offenders == {}


def test_the_walker_would_catch_a_django_import(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text(
        "from django.db import models\nimport importlib\nimportlib.import_module('ninja')\n"
    )
    assert _imported_roots(sneaky) >= {"django", "ninja"}


# --- the layers between the core's packages (docs/architecture.md) -------------------------------

#: Each package and its layer: a package may import only from its own layer or those below.
LAYERS = {
    "errors": 0,
    "serial": 0,
    "charts": 0,
    "daily": 0,
    "pk": 1,
    "meta": 1,
    "outcomes": 1,
    "safety": 2,
    "regimens": 2,
    "pharmacy": 2,
    "instruments": 2,
    "diary": 2,
    "evidence": 2,
    "interop": 2,
    "cli": 3,
}
#: Imports that break the layering today, each to be removed (issue 13, item 4). The test fails
#: when a new one appears, and when one of these is gone, so that the list only shrinks.
KNOWN_BREAKS = {("outcomes", "evidence")}


def _package_edges() -> set[tuple[str, str]]:
    """(importer, imported) between the core's top-level packages: imports inside functions,
    relative imports and ``importlib.import_module("lowdose.…")`` calls included."""
    edges: set[tuple[str, str]] = set()
    for path in CORE.rglob("*.py"):
        parts = path.relative_to(CORE).parts
        own = parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: resolve against the module's own package
                    package = [own, *parts[1:-1]][: max(len(parts) - node.level, 0)]
                    names = [".".join(["lowdose", *package, node.module or ""])]
                elif node.module:
                    names = [node.module]
            elif (target := _import_module_target(node)) is not None:
                names = [target]
            for name in names:
                bits = name.split(".")
                if bits[0] == "lowdose" and len(bits) > 1 and bits[1] and bits[1] != own:
                    edges.add((own, bits[1]))
    return edges


def test_every_core_package_has_a_layer() -> None:
    packages = {p.name.removesuffix(".py") for p in CORE.iterdir() if not p.name.startswith("_")}
    packages.discard("py.typed")
    assert packages == set(LAYERS)


def test_no_package_imports_upwards_beyond_the_known_breaks() -> None:
    upwards = {(a, b) for a, b in _package_edges() if LAYERS[b] > LAYERS[a]}
    assert upwards == KNOWN_BREAKS


def test_the_packages_form_no_cycle() -> None:
    edges = _package_edges()
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    assert sorted(a for a in graph if reaches(a, a, {a})) == []
