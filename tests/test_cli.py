"""The `lowdose` command shell: dispatch, exit codes, JSON output."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from lowdose import __version__
from lowdose.cli import build_parser, main, print_json


def test_version_and_help_list_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"lowdose {__version__}"
    assert main([]) == 2  # no command: help, usage error


def test_every_registered_command_has_a_handler() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    for name, sub in subparsers.choices.items():  # type: ignore[union-attr]
        has_handler = sub.get_default("handler") is not None or any(
            getattr(a, "choices", None) for a in sub._actions
        )
        assert has_handler, name


def test_print_json_refuses_nan(capsys: pytest.CaptureFixture[str]) -> None:
    print_json({"b": 1, "a": "x"})
    assert json.loads(capsys.readouterr().out) == {"a": "x", "b": 1}
    with pytest.raises(ValueError, match="Out of range float"):
        print_json({"x": float("nan")})


def test_the_console_script_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lowdose.cli", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"lowdose {__version__}"
