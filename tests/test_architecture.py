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
    "charts": 0,
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


# --- the web apps (web/apps/<app>/): no import cycle between them --------------------------------

WEB_APPS = Path(__file__).resolve().parents[1] / "web" / "apps"

#: App-to-app imports that close a cycle today, each to be removed (issue 13, item 4). With these
#: taken out the apps form no cycle; the test fails when a new cycle appears, and when one of
#: these imports is gone, so that the list only shrinks. Read "a → b" as "a imports b although b
#: builds on a".
KNOWN_APP_CYCLE_EDGES = {
    ("audit", "accounts"),  # the log reads users and addresses; accounts writes the log
    ("alerts", "checkins"),  # the follow-up rule reads check-ins; check-ins raise alerts
    ("checkins", "clinical"),  # the panel and dashboard show the safety hold
    ("checkins", "nof1"),  # the dashboard shows the patient's trial
    ("clinical", "nof1"),  # open trial windows and naltrexone holders read trials
}


def _app_edges() -> dict[tuple[str, str], set[str]]:
    """(importer, imported) between the web apps, each with the modules that make it: imports
    inside functions and ``importlib.import_module("apps.…")`` calls count; a model's string
    reference ("clinical.Prescription") is no import. An app's tests are left out: they may
    build records of any app without the app itself depending on it."""
    edges: dict[tuple[str, str], set[str]] = {}
    for path in sorted(WEB_APPS.rglob("*.py")):
        parts = path.relative_to(WEB_APPS).parts
        if len(parts) < 2 or "tests" in parts:
            continue
        own = parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif (target := _import_module_target(node)) is not None:
                names = [target]
            for name in names:
                bits = name.split(".")
                if bits[0] == "apps" and len(bits) > 1 and bits[1] != own:
                    edges.setdefault((own, bits[1]), set()).add("/".join(parts))
    return edges


def _cycles(edges: set[tuple[str, str]]) -> list[str]:
    """The nodes that reach themselves."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    return sorted(a for a in graph if reaches(a, a, {a}))


def test_the_web_apps_form_no_cycle_beyond_the_known_edges() -> None:
    edges = _app_edges()
    assert _cycles(set(edges) - KNOWN_APP_CYCLE_EDGES) == [], {
        edge: sorted(modules) for edge, modules in edges.items()
    }


def test_every_known_app_cycle_edge_still_exists() -> None:
    """When one is removed, take it off :data:`KNOWN_APP_CYCLE_EDGES`."""
    assert KNOWN_APP_CYCLE_EDGES - set(_app_edges()) == set()


def test_the_app_walker_counts_lazy_and_importlib_imports(tmp_path: Path) -> None:
    lazy = ast.parse(
        "def f():\n    from apps.nof1.models import Nof1Trial\n"
        "import importlib\nimportlib.import_module('apps.alerts.rules')\n"
        "x = models.ForeignKey('clinical.Prescription', on_delete=None)\n"
    )
    found = {
        n.module if isinstance(n, ast.ImportFrom) else _import_module_target(n)
        for n in ast.walk(lazy)
    } - {None}
    assert found == {"apps.nof1.models", "apps.alerts.rules"}
    assert _cycles({("a", "b"), ("b", "c"), ("c", "a")}) == ["a", "b", "c"]
    assert _cycles({("a", "b"), ("b", "c")}) == []
