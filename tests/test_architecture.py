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
    "explain": 2,
    "reminders": 2,
    "kernels": 2,
    "cli": 3,
}
#: Imports that break the layering today, each to be removed. The test fails when a new one
#: appears, and when one of these is gone, so that the list only shrinks. Empty since issue 13:
#: the evidence base reaches ``outcomes`` as arguments, never as an import.
KNOWN_BREAKS: set[tuple[str, str]] = set()


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


# --- no import cycle between the core's modules ----------------------------------------------


def _module_name(path: Path, root: Path = CORE) -> str:
    """``lowdose.pk.kinetics`` for ``pk/kinetics.py``; a package is named by its ``__init__``."""
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _under_type_checking(tree: ast.AST) -> set[int]:
    """Ids of the nodes inside ``if TYPE_CHECKING:`` blocks: never executed, so no cycle."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and (
            (isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
            or (isinstance(node.test, ast.Attribute) and node.test.attr == "TYPE_CHECKING")
        ):
            for statement in node.body:
                skipped.update(id(sub) for sub in ast.walk(statement))
    return skipped


def _imported_modules(tree: ast.AST, own: str, is_package: bool, known: set[str]) -> set[str]:
    """The core modules one module imports, each named as precisely as the import names it.

    ``from lowdose.pk import kinetics`` is an edge to ``lowdose.pk.kinetics``;
    ``from lowdose.pk import default_parameters`` one to ``lowdose.pk`` (its ``__init__``).
    Running a package's ``__init__`` on the way to a submodule is not counted: Python finishes
    a package's ``__init__`` before anything inside it can need it again.
    """
    package = own if is_package else own.rpartition(".")[0]
    skipped = _under_type_checking(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's own package
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                found.add(sub if sub in known else module)
        elif (target := _import_module_target(node)) is not None:
            found.add(target)
    return {name for name in found if name in known and name != own}


def _module_graph(root: Path = CORE) -> dict[str, set[str]]:
    """Module → the core modules it imports (inside functions and through importlib too)."""
    paths = {_module_name(path, root): path for path in sorted(root.rglob("*.py"))}
    known = set(paths)
    return {
        name: _imported_modules(
            ast.parse(path.read_text(encoding="utf-8"), filename=str(path)),
            name,
            path.name == "__init__.py",
            known,
        )
        for name, path in paths.items()
    }


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_core_modules_form_no_import_cycle() -> None:
    assert _cycles(_module_graph()) == []


def test_the_module_cycle_check_would_catch_a_lazy_import(tmp_path: Path) -> None:
    package = tmp_path / "lowdose" / "pk"
    package.mkdir(parents=True)
    (tmp_path / "lowdose" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("from lowdose.pk.kinetics import superpose\n")
    (package / "kinetics.py").write_text("from . import parameters\n")
    (package / "parameters.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from lowdose.pk.fitting import fit\n"
        "def calibrate():\n    from lowdose.pk.kinetics import single_dose_peak\n"
    )
    (package / "fitting.py").write_text(
        "import importlib\nimportlib.import_module('lowdose.pk.parameters')\n"
    )
    graph = _module_graph(tmp_path / "lowdose")
    assert _cycles(graph) == [["lowdose.pk.kinetics", "lowdose.pk.parameters"]]
    assert graph["lowdose.pk.fitting"] == {"lowdose.pk.parameters"}


# --- small modules, short functions (STYLE.md convention 15) ---------------------------------

#: The longest a core module may be, in lines ("split a module by noun when it passes ~600").
MAX_MODULE_LINES = 600
#: The longest a core function may be, from ``def`` to its last line, unless it says why.
MAX_FUNCTION_LINES = 80
#: A function may be longer when the comment block directly above it (above its decorators)
#: has a line with this phrase, e.g. ``# Long because it mirrors metafor's escalc: …``.
LONG_BECAUSE = "long because"


def _says_why(lines: list[str], node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """The comment lines directly above ``node`` (and its decorators) contain LONG_BECAUSE."""
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    above = first - 2  # 0-based index of the line above the first decorator or the def
    while above >= 0 and lines[above].strip().startswith("#"):
        if LONG_BECAUSE in lines[above].lower():
            return True
        above -= 1
    return False


def _too_long(root: Path = CORE) -> dict[str, int]:
    """``{"path": lines}`` for each long module and ``{"path:function": lines}`` for each long
    function without a reason above it."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        where = path.relative_to(root).as_posix()
        if len(lines) > MAX_MODULE_LINES:
            found[where] = len(lines)
        for node in ast.walk(ast.parse(text, filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES and not _says_why(lines, node):
                    found[f"{where}:{node.name}"] = length
    return found


def test_no_long_module_and_no_long_function_without_a_reason() -> None:
    assert _too_long() == {}


def test_the_length_check_catches_long_code_and_accepts_a_reason(tmp_path: Path) -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(80))
    (tmp_path / "long.py").write_text(f"def long():\n{body}\n")
    (tmp_path / "why.py").write_text(
        f"# Long because it reads like the paper.\n@staticmethod\ndef why():\n{body}\n"
    )
    (tmp_path / "short.py").write_text(f"def short():\n{body[: -len('    x79 = 79') - 1]}")
    (tmp_path / "big.py").write_text("x = 1\n" * 601)
    assert _too_long(tmp_path) == {"big.py": 601, "long.py:long": 81}


# --- the web apps (web/apps/<app>/): no import cycle between them --------------------------------

WEB_APPS = Path(__file__).resolve().parents[1] / "web" / "apps"

#: App-to-app imports that close a cycle today, each to be removed (issue 13, item 4). With these
#: taken out the apps form no cycle; the test fails when a new cycle appears, and when one of
#: these imports is gone, so that the list only shrinks. Read "a → b" as "a imports b although b
#: builds on a".
KNOWN_APP_CYCLE_EDGES: set[tuple[str, str]] = set()  # none left


def _app_edges() -> dict[tuple[str, str], set[str]]:
    """(importer, imported) between the web apps, each with the modules that make it: imports
    inside functions and ``importlib.import_module("apps.…")`` calls count; a model's string
    reference ("clinical.Prescription") and an import for type checkers only are no import. An
    app's tests are left out: they may build records of any app without the app depending on it."""
    edges: dict[tuple[str, str], set[str]] = {}
    for path in sorted(WEB_APPS.rglob("*.py")):
        parts = path.relative_to(WEB_APPS).parts
        if len(parts) < 2 or "tests" in parts:
            continue
        own = parts[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = _under_type_checking(tree)
        for node in ast.walk(tree):
            names: list[str] = []
            if id(node) in typing_only:
                continue
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


def _app_graph(edges: set[tuple[str, str]]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    return graph


def test_the_web_apps_form_no_cycle_beyond_the_known_edges() -> None:
    edges = _app_edges()
    assert _cycles(_app_graph(set(edges) - KNOWN_APP_CYCLE_EDGES)) == [], {
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
    assert _cycles(_app_graph({("a", "b"), ("b", "c"), ("c", "a")})) == [["a", "b", "c"]]
    assert _cycles(_app_graph({("a", "b"), ("b", "c")})) == []
