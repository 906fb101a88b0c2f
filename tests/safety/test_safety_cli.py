"""``lowdose screen`` CLI: JSON shape and errors naming the bad argument."""

from __future__ import annotations

import json

import pytest

from lowdose.cli import main


def test_screen_json(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        [
            "screen",
            "--med",
            "Percocet",
            "--med",
            "pregabalin",
            "--stopped",
            "methadone:14",
            "--condition",
            "breast_feeding",
            "--surgery-in-days",
            "9",
            "--json",
        ]
    )
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "contraindicated"
    codes = [f["code"] for f in out["findings"]]
    assert codes[0] == "opioid-current"
    assert {"opioid-stopped-cleared", "breastfeeding", "planned-surgery"} <= set(codes)
    for f in out["findings"]:
        assert {"code", "severity", "message", "matched", "source", "entry", "resolvable"} <= set(f)
    assert out["review_entries"] == []


def test_screen_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", "--med", "duloxetine", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "ok"


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["screen", "--condition", "flu"], "--condition"),
        (["screen", "--stopped", "tramadol"], "--stopped"),
        (["screen", "--surgery-in-days", "-2"], "--surgery-in-days"),
    ],
)
def test_screen_bad_input(argv: list[str], flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 1
    assert flag in capsys.readouterr().err


def test_screen_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", "--med", "Imodium"]) == 0
    assert "CAUTION" in capsys.readouterr().out


def test_screen_review_json_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", "--med", "Xyzpain 30/500", "--stopped", "sufentanil:1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "contraindicated"
    assert out["review_entries"] == ["Xyzpain 30/500"]
    assert main(["screen", "--med", "Xyzpain 30/500"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "REVIEW" in text
    assert "To review: 'Xyzpain 30/500'" in text
    assert "name its ingredient(s)" in text


def test_screen_unknown_stopped_medicine_needs_review(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["screen", "--stopped", "Xyzpain:40", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "review"
