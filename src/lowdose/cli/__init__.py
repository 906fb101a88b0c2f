"""The ``lowdose`` command: a thin shell over the core packages.

The shell lives here and nowhere else: the science and clinical packages (``pk``, ``meta``,
``outcomes``, ...) import nothing from it, and ``tests/test_core_imports_no_shell.py`` proves it.
Each command group is one module of this package with
``register(subparsers: argparse._SubParsersAction) -> None``; the parser it adds sets
``handler=callable(args) -> int`` as a default. This module parses and dispatches;
:mod:`lowdose.cli.output` prints (rich tables for people, ``--json`` for programs), names flags in
error messages and maps exceptions to exit codes: 0 success, 1 a domain error
(:class:`lowdose.errors.LowdoseError`), 2 a usage error (argparse's own convention).

People's tables need rich, from the ``cli`` extra (``pip install 'lowdose[cli]'``).
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

from lowdose import __version__
from lowdose.cli.output import EXIT_USAGE, print_json, run

__all__ = ["COMMAND_MODULES", "build_parser", "main", "print_json"]

#: Modules that contribute sub-commands, in the order ``lowdose --help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "lowdose.cli.meta",
    "lowdose.cli.evidence",
    "lowdose.cli.pk",
    "lowdose.cli.instruments",
    "lowdose.cli.safety",
    "lowdose.cli.regimens",
    "lowdose.cli.pharmacy",
    "lowdose.cli.outcomes",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lowdose",
        description="Low-dose naltrexone: pharmacology, evidence, compounding and N-of-1 trials.",
    )
    parser.add_argument("--version", action="version", version=f"lowdose {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_USAGE
    return run(handler, args)
