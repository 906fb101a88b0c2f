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
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            roots.add(node.args[0].value.split(".")[0])
    return roots


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
