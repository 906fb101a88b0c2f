"""The one place where the ``lowdose`` command talks to people and programs.

* ``--json``: :func:`respond` prints one JSON object (:func:`print_json`) or calls the
  human-readable printer; only this module writes JSON.
* Tables and text for people: :func:`console` and :func:`table` (rich, from the ``cli``
  extra, imported only when a person-facing output is printed, so ``--json`` and ``--version``
  never need it), and :class:`LazyProgress` for runs of more than a second.
* Flags in messages: :func:`naming_the_flag` rewrites a core :class:`~lowdose.errors.InputError`
  so its message starts with the command-line flag the person typed (``--through: ...``).
* Exit codes: :func:`run` calls a command's handler and maps what it raises: 0 success,
  1 a domain error (:class:`~lowdose.errors.LowdoseError`, printed as ``lowdose: message``),
  2 a usage error (argparse's own convention, also :data:`EXIT_USAGE` when no command is given).
* Statistical caveats: :func:`caveats_on_stderr` prints warnings as ``warning: ...``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from lowdose.errors import InputError, LowdoseError, MissingExtraError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

__all__ = [
    "EXIT_ERROR",
    "EXIT_OK",
    "EXIT_USAGE",
    "LazyProgress",
    "caveats_on_stderr",
    "console",
    "naming_the_flag",
    "print_json",
    "respond",
    "run",
    "table",
]

#: Exit codes of every ``lowdose`` command.
EXIT_OK = 0
EXIT_ERROR = 1  # a domain error: the message says what to change
EXIT_USAGE = 2  # argparse's convention for a command line it cannot parse

#: How to get rich when it is missing: the core installs without it.
RICH_MISSING = (
    "tables need the cli extra: pip install 'lowdose[cli]' (or add --json for JSON output)"
)


def print_json(payload: Any) -> None:
    """Print one JSON object on standard output (sorted keys, no NaN: programs read this)."""
    sys.stdout.write(json.dumps(payload, indent=2, sort_keys=True, allow_nan=False, default=str))
    sys.stdout.write("\n")


def respond(as_json: bool, payload: Callable[[], Any], human: Callable[[], None]) -> int:
    """Print ``payload()`` as JSON with ``--json``, else call ``human()``; return exit code 0.

    ``payload`` is called only for ``--json``, so a person's table never builds the dictionary.
    """
    if as_json:
        print_json(payload())
    else:
        human()
    return EXIT_OK


def _rich(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if (exc.name or "").partition(".")[0] != "rich":
            raise
        raise MissingExtraError(RICH_MISSING) from None


def console(*, stderr: bool = False) -> Console:
    """A rich console on standard output (or standard error)."""
    return _rich("rich.console").Console(stderr=stderr)  # type: ignore[no-any-return]


def table(title: str) -> Table:
    """An empty rich table with a title; the caller adds columns and rows."""
    return _rich("rich.table").Table(title=title)  # type: ignore[no-any-return]


class LazyProgress:
    """A rich progress bar on stderr that appears only once a run has taken over 1 s.

    Without rich (the ``cli`` extra) there is simply no bar: it is decoration, not output.
    """

    def __init__(self, description: str) -> None:
        self.description = description
        self.start = time.perf_counter()
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if time.perf_counter() - self.start < 1.0:
                return
            try:
                progress = _rich("rich.progress")
            except MissingExtraError:
                return
            self.bar = progress.Progress(console=console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.description, total=total)
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _flag(field: str | None, flags: Mapping[str, str] | None, default: str) -> str:
    if flags is not None:
        return flags.get(field or "", default)
    return f"--{field.replace('_', '-')}" if field else default


@contextmanager
def naming_the_flag(
    flag: str | Mapping[str, str] | None = None, *, default: str = "input"
) -> Iterator[None]:
    """Re-raise a core :class:`~lowdose.errors.InputError` with the flag in front of its message.

    ``flag`` is one of:

    * a flag (``"--through"``): every error in the block is about it; the error's ``field``
      becomes the flag's name (``"through"``);
    * a mapping from the core's ``field`` to a flag (``{"surgery_in_days": "--surgery-in-days"}``),
      with ``default`` for a field it does not list;
    * ``None``: the flag is the field with dashes (``waking_unrefreshed`` →
      ``--waking-unrefreshed``), or ``default`` when the error names no field.
    """
    try:
        yield
    except InputError as exc:
        field: str | None
        if isinstance(flag, str):
            name, field = flag, flag.lstrip("-").replace("-", "_")
        else:
            name, field = _flag(exc.field, flag, default), exc.field
        raise InputError(f"{name}: {exc}", field=field) from exc


@contextmanager
def caveats_on_stderr(category: type[Warning]) -> Iterator[None]:
    """Print caveats of ``category`` to stderr as ``warning: ...`` instead of raising them."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", category)
        yield
    for w in caught:
        if issubclass(w.category, category):
            sys.stderr.write(f"warning: {w.message}\n")
        else:  # pragma: no cover - not ours: re-emit
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def run(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Call a command's handler and map what it raises to an exit code and a message."""
    try:
        return int(handler(args))
    except LowdoseError as exc:
        sys.stderr.write(f"lowdose: {exc}\n")
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader stopped early (`lowdose ... | head`): not an error of ours. Point stdout at
        # /dev/null so the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
