"""The shell lives outside the core: no science or clinical module imports ``lowdose.cli`` or rich.

``lowdose.cli`` depends on the packages it drives, never the reverse, and rich (the ``cli``
extra) is not installed with the core. The walk reads every module's source with :mod:`ast`, so
an import inside a function, ``from lowdose import cli``, a relative import and an
``importlib.import_module("...")`` call with a string are all caught.
"""

from __future__ import annotations

import ast
from pathlib import Path

import lowdose

CORE = Path(lowdose.__file__).parent
SHELL = CORE / "cli"
FORBIDDEN = ("lowdose.cli", "rich")


def _module_name(path: Path) -> str:
    parts = path.relative_to(CORE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(source: str, package: str) -> set[str]:
    """Every module ``source`` (a module of ``package``) imports, as absolute dotted names.

    ``from a import b`` gives both ``a`` and ``a.b``, since ``b`` may be a module.
    """
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (isinstance(node.func, ast.Name) and node.func.id == "__import__")
            )
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def _forbidden(modules: set[str]) -> set[str]:
    return {m for m in modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)}


def _imports_of(path: Path) -> set[str]:
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    return _imported_modules(path.read_text(encoding="utf-8"), package)


def test_no_core_module_imports_the_shell_or_rich() -> None:
    core_modules = [p for p in sorted(CORE.rglob("*.py")) if SHELL not in p.parents]
    assert len(core_modules) > 50  # the walk really covers the packages
    offenders = {
        str(path.relative_to(CORE)): sorted(_forbidden(_imports_of(path)))
        for path in core_modules
        if _forbidden(_imports_of(path))
    }
    assert offenders == {}


def test_the_shell_is_one_package_and_no_core_package_keeps_a_commands_module() -> None:
    assert (SHELL / "__init__.py").is_file()
    assert sorted(str(p.relative_to(CORE)) for p in CORE.rglob("commands.py")) == []


def test_the_walker_catches_every_way_of_importing_the_shell() -> None:
    source = (
        "import importlib\n"
        "from lowdose import cli\n"
        "from .. import cli as shell\n"
        "def f():\n"
        "    from ..cli.output import print_json\n"
        "    import rich.table\n"
        "    importlib.import_module('lowdose.cli.pk')\n"
        "    __import__('rich')\n"
    )
    assert _forbidden(_imported_modules(source, "lowdose.pk")) == {
        "lowdose.cli",
        "lowdose.cli.output",
        "lowdose.cli.output.print_json",
        "lowdose.cli.pk",
        "rich",
        "rich.table",
    }
    assert _forbidden(_imported_modules("from lowdose import charts, errors\n", "lowdose")) == set()
