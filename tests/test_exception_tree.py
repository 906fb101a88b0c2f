"""One exception tree per layer, each in one module (issue 13, item 5): the core's in
``lowdose/errors.py``, the web layer's in ``web/config/errors.py``. A caller then finds every
error it may have to answer in one place, and the API maps them to statuses in one handler."""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

import lowdose
import lowdose.errors

CORE = Path(lowdose.__file__).parent
WEB = Path(__file__).resolve().parents[1] / "web"
HOMES = {CORE / "errors.py", WEB / "config" / "errors.py"}

_BUILTIN_EXCEPTIONS = {
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
}


def _web_error_names() -> set[str]:
    tree = ast.parse((WEB / "config" / "errors.py").read_text(encoding="utf-8"))
    return {node.name for node in tree.body if isinstance(node, ast.ClassDef)}


EXCEPTION_NAMES = _BUILTIN_EXCEPTIONS | set(lowdose.errors.__all__) | _web_error_names()


def _base_name(base: ast.expr) -> str:
    return base.attr if isinstance(base, ast.Attribute) else ast.unparse(base)


def exception_classes(path: Path) -> list[str]:
    """Classes in ``path`` that derive from a known exception or warning."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and any(_base_name(base) in EXCEPTION_NAMES for base in node.bases)
    ]


def _product_modules() -> list[Path]:
    web = (
        path
        for path in WEB.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    )
    return sorted({*CORE.rglob("*.py"), *web} - HOMES)


def test_every_exception_class_lives_in_its_layers_errors_module() -> None:
    strays = {
        str(path.relative_to(path.parents[2])): names
        for path in _product_modules()
        if (names := exception_classes(path))
    }
    assert strays == {}


def test_the_check_would_catch_a_stray_error(tmp_path: Path) -> None:
    stray = tmp_path / "stray.py"
    stray.write_text(
        "from lowdose import errors\n"
        "class A(errors.InputError): ...\n"
        "class B(KeyError): ...\n"
        "class C(AlertClosedError): ...\n"
        "class D: ...\n"
    )
    assert exception_classes(stray) == ["A", "B", "C"]
