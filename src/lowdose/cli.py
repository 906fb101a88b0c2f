"""The ``lowdose`` command: a thin shell over the core packages.

Each sub-package that offers commands has a ``commands`` module with
``register(subparsers: argparse._SubParsersAction) -> None``; the parser it adds sets
``handler=callable(args) -> int`` as a default. This module parses, dispatches, and maps
exceptions to exit codes: 0 success, 1 a domain error (:class:`lowdose.errors.LowdoseError`),
2 a usage error (argparse's own convention).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from lowdose import __version__
from lowdose.errors import LowdoseError

__all__ = ["COMMAND_MODULES", "build_parser", "main", "print_json"]

#: Modules that contribute sub-commands, in the order ``lowdose --help`` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "lowdose.meta.commands",
    "lowdose.evidence.commands",
    "lowdose.pk.commands",
    "lowdose.instruments.commands",
    "lowdose.safety.commands",
    "lowdose.regimens.commands",
    "lowdose.pharmacy.commands",
    "lowdose.outcomes.commands",
)


def print_json(payload: Any) -> None:
    """Print one JSON object on standard output (sorted keys, no NaN: programs read this)."""
    sys.stdout.write(json.dumps(payload, indent=2, sort_keys=True, allow_nan=False, default=str))
    sys.stdout.write("\n")


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
        return 2
    try:
        return int(handler(args))
    except LowdoseError as exc:
        sys.stderr.write(f"lowdose: {exc}\n")
        return 1
    except BrokenPipeError:
        # The reader stopped early (`lowdose ... | head`): not an error of ours. Point stdout at
        # /dev/null so the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
