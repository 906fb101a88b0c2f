"""``lowdose titrate``: JSON shape, protocol list with sources, iCalendar file, bad input."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from icalendar import Calendar

from lowdose.cli import regimens as commands
from lowdose.errors import LowdoseError


def _run(argv: list[str]) -> int:
    """Dispatch like ``lowdose.cli.main`` but with only this package's sub-command."""
    parser = argparse.ArgumentParser(prog="lowdose")
    commands.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except LowdoseError as exc:
        print(f"lowdose: {exc}")
        return 1


def test_titrate_json_has_protocol_and_dated_steps(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["titrate", "--protocol", "ldnrt-standard", "--start", "2025-01-06", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["protocol"] == "ldnrt-standard"
    assert out["steps"][0] == {
        "start": "2025-01-06",
        "end": "2025-01-19",
        "dose_mg": "1.5",
        "time": "bedtime",
        "days": 14,
        "note": "",
    }
    assert out["steps"][-1]["end"] is None
    assert out["steps"][-1]["dose_mg"] == "4.5"
    assert out["sources"][0]["url"].startswith("https://")


def test_titrate_list_shows_sources(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["titrate", "--list", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    names = {p["name"]: p for p in out["protocols"]}
    assert set(names) == {"ldnrt-standard", "ldnrt-slow", "trial-6mg"}
    assert names["trial-6mg"]["reconstructed"] is True
    assert all(p["sources"] for p in names.values())


def test_titrate_writes_an_ics_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "plan.ics"
    argv = [
        "titrate",
        "--protocol",
        "trial-6mg",
        "--start",
        "2025-01-06",
        "--ics",
        str(target),
        "--tz",
        "Europe/Copenhagen",
        "--json",
    ]
    assert _run(argv) == 0
    events = list(Calendar.from_ical(target.read_bytes()).walk("VEVENT"))
    assert len(events) == 84  # one per dose of the 84-day plan
    assert str(events[0]["UID"]) == "ldn-trial-6mg-20250106@lowdose"
    assert json.loads(capsys.readouterr().out)["ics"] == str(target)


def test_titrate_custom_steps_and_morning(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "titrate",
        "--protocol",
        "custom",
        "--step",
        "1:7",
        "--step",
        "2:open",
        "--start",
        "2025-01-06",
        "--time",
        "morning",
        "--json",
    ]
    assert _run(argv) == 0
    steps = json.loads(capsys.readouterr().out)["steps"]
    assert [(s["dose_mg"], s["end"], s["time"]) for s in steps] == [
        ("1", "2025-01-12", "morning"),
        ("2", None, "morning"),
    ]


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["titrate", "--protocol", "ldn-fast", "--start", "2025-01-06"], "--protocol"),
        (["titrate", "--protocol", "ldnrt-slow", "--start", "06/01/2025"], "--start"),
        (["titrate", "--protocol", "ldnrt-slow"], "--start"),
        (["titrate", "--start", "2025-01-06"], "--protocol"),
        (["titrate", "--protocol", "custom", "--step", "x:7", "--start", "2025-01-06"], "--step"),
    ],
)
def test_usage_errors_exit_2_naming_the_argument(
    argv: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        _run(argv)
    assert info.value.code == 2
    assert named in capsys.readouterr().err


def test_domain_errors_exit_1_naming_the_argument(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["titrate", "--protocol", "custom", "--step", "9:7", "--start", "2025-01-06"]
    assert _run(argv) == 1
    assert "--step" in capsys.readouterr().out
    argv = [
        "titrate",
        "--protocol",
        "ldnrt-slow",
        "--start",
        "2025-01-06",
        "--ics",
        "x.ics",
        "--tz",
        "Nowhere/Town",
    ]
    assert _run(argv) == 1
    assert "--tz" in capsys.readouterr().out


def test_human_output_is_a_table_with_the_caveats(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["titrate", "--protocol", "trial-6mg", "--start", "2025-01-06"]) == 0
    out = capsys.readouterr().out
    assert "2025-01-27" in out
    assert "RECONSTRUCTED" in out
    assert _run(["titrate", "--list"]) == 0
    assert "trial-6mg" in capsys.readouterr().out
