"""``lowdose compound``: JSON keys and exact strings, refusals naming the argument."""

from __future__ import annotations

import argparse
import json

import pytest

from lowdose.cli import pharmacy as commands
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


def test_capsule_json(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "compound",
        "--form",
        "capsule",
        "--strength",
        "4.5",
        "--count",
        "30",
        "--source",
        "api",
        "--json",
    ]
    assert _run(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ingredients"][0] == {
        "name": "naltrexone hydrochloride USP powder (anhydrous)",
        "quantity": "135",
        "unit": "mg",
        "role": "active",
        "note": "weighed 1:1: doses are naltrexone HCl",
    }
    assert out["ingredients"][1]["quantity"] == "6615"
    assert (out["bud_days"], out["storage"]) == (180, "room temperature")
    assert out["label"].startswith("Naltrexone hydrochloride 4.5 mg capsules.")


def test_liquid_json_preserved(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "compound",
        "--form",
        "liquid",
        "--concentration",
        "1",
        "--volume",
        "100",
        "--source",
        "tablets",
        "--preserved",
        "--compounded-on",
        "2025-01-06",
        "--json",
    ]
    assert _run(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(i["name"].split(" ")[0], i["quantity"], i["unit"]) for i in out["ingredients"]] == [
        ("naltrexone", "2", "tablet"),
        ("ascorbic", "500", "mg"),
        ("glycerol", "20", "mL"),
        ("sodium", "100", "mg"),
        ("purified", "q.s.", None),
    ]
    assert (out["bud_days"], out["storage"]) == (35, "refrigerated")
    assert out["beyond_use_date"] == "2025-02-10"
    assert "Do not use after 2025-02-10." in out["label"]


def test_unpreserved_liquid_gets_fourteen_days_refrigerated(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = [
        "compound",
        "--form",
        "liquid",
        "--concentration",
        "1",
        "--volume",
        "50",
        "--source",
        "api",
        "--json",
    ]
    assert _run(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["bud_days"], out["storage"]) == (14, "refrigerated")


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (
            ["--form", "capsule", "--strength", "7", "--count", "30", "--source", "api"],
            "--strength",
        ),
        (
            [
                "--form",
                "capsule",
                "--strength",
                "4.5",
                "--count",
                "30",
                "--source",
                "api",
                "--filler",
                "calcium carbonate",
            ],
            "--filler",
        ),
        (
            [
                "--form",
                "liquid",
                "--concentration",
                "2",
                "--volume",
                "50",
                "--source",
                "api",
                "--dose",
                "1.5",
            ],
            "--concentration",
        ),
        (
            ["--form", "liquid", "--concentration", "1", "--volume", "0", "--source", "api"],
            "--volume",
        ),
    ],
)
def test_refusals_exit_1_naming_the_argument(
    extra: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(["compound", *extra, "--json"]) == 1
    assert f"lowdose: {named}:" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--form", "capsule", "--count", "30", "--source", "api"], "--strength"),
        (["--form", "liquid", "--volume", "50", "--source", "api"], "--concentration"),
        (
            ["--form", "capsule", "--strength", "abc", "--count", "3", "--source", "api"],
            "--strength",
        ),
        (
            ["--form", "capsule", "--strength", "4.5", "--count", "3", "--source", "pills"],
            "--source",
        ),
        (["--form", "gel", "--source", "api"], "--form"),
        (
            [
                "--form",
                "capsule",
                "--strength",
                "4.5",
                "--count",
                "3",
                "--source",
                "api",
                "--preserved",
            ],
            "--preserved",
        ),
        (
            [
                "--form",
                "liquid",
                "--concentration",
                "1",
                "--volume",
                "50",
                "--source",
                "api",
                "--filler",
                "lactose",
            ],
            "--filler",
        ),
    ],
)
def test_usage_errors_exit_2(
    extra: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        _run(["compound", *extra])
    assert info.value.code == 2
    assert named in capsys.readouterr().err


def test_human_output_shows_the_formula_and_label(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "compound",
        "--form",
        "capsule",
        "--strength",
        "4.5",
        "--count",
        "30",
        "--source",
        "tablets",
    ]
    assert _run(argv) == 0
    out = capsys.readouterr().out
    assert "3 tablets" in out  # the fewest: 3 x 50 mg >= 30 x 4.5 mg (tests/reference)
    assert "overage: 750 mg (15 mg naltrexone HCl)" in out
    assert "opioid pain relief may not work" in out


@pytest.mark.parametrize(("balance", "factors"), [([], [10]), (["--min-weighable", "10"], [])])
def test_min_weighable_sets_when_a_trituration_is_written(
    balance: list[str], factors: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["compound", "--form", "capsule", "--strength", "0.5", "--count", "30"]
    assert _run([*argv, "--source", "api", *balance, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [d["factor"] for d in out["dilutions"]] == factors
    assert out["weighings"][0]["quantity"] == ("120" if factors else "15")


def test_a_too_low_min_weighable_names_its_flag(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["compound", "--form", "capsule", "--strength", "4.5", "--count", "30"]
    assert _run([*argv, "--source", "api", "--min-weighable", "0", "--json"]) == 1
    assert "lowdose: --min-weighable:" in capsys.readouterr().out
