"""``lowdose criteria`` CLI: JSON keys, versions, errors naming the bad argument."""

from __future__ import annotations

import json

import pytest

from lowdose.cli import main

CASE_A = [
    "--areas",
    "shoulder_girdle_left,shoulder_girdle_right,upper_arm_left,upper_arm_right,hip_left,"
    "hip_right,upper_leg_left,neck,lower_back",
    "--fatigue",
    "2",
    "--waking-unrefreshed",
    "2",
    "--cognitive",
    "1",
    "--duration-months",
    "6",
    "--json",
]
SIX = ["--headaches", "yes", "--lower-abdominal", "no", "--depression", "no"]
KEYS = {
    "version",
    "wpi",
    "sss",
    "fs",
    "regions_with_pain",
    "generalized_pain",
    "meets_criteria",
    "severity_band",
}


@pytest.mark.parametrize("version", ["acr2016", "acr2011"])
def test_case_a_json(version: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["criteria", version, *CASE_A, *SIX]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= KEYS
    assert (out["version"], out["wpi"], out["sss"], out["fs"]) == (version, 9, 6, 15)
    assert out["meets_criteria"] is True
    assert out["severity_band"] == "severe"
    assert len(out["regions_with_pain"]) == 5


def test_acr2011_reads_self_report(capsys: pytest.CaptureFixture[str]) -> None:
    main(["criteria", "acr2011", *CASE_A, *SIX])
    out = json.loads(capsys.readouterr().out)
    assert "criteria met on self-report (research classification)" in out["interpretation"]


def test_acr2010_somatic(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["criteria", "acr2010", *CASE_A, "--somatic", "1", "--other-disorder", "no"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["version"], out["sss"], out["meets_criteria"]) == ("acr2010", 6, True)


def test_case_b_fails_2016_generalized_pain(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "criteria",
        "acr2016",
        "--areas",
        "jaw_left,jaw_right,neck,upper_back,lower_back,chest,abdomen,shoulder_girdle_left",
        "--fatigue",
        "3",
        "--waking-unrefreshed",
        "3",
        "--cognitive",
        "2",
        "--headaches",
        "yes",
        "--lower-abdominal",
        "yes",
        "--depression",
        "no",
        "--duration-months",
        "12",
        "--json",
    ]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["wpi"], out["sss"], out["generalized_pain"], out["meets_criteria"]) == (
        8,
        10,
        False,
        False,
    )


@pytest.mark.parametrize(
    ("override", "flag"),
    [
        (["--areas", "knee_left"], "--areas"),
        (["--fatigue", "5"], "--fatigue"),
        (["--duration-months", "-1"], "--duration-months"),
    ],
)
def test_bad_values_name_the_argument(
    override: list[str], flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["criteria", "acr2016", *CASE_A, *SIX]
    i = argv.index(override[0])
    argv[i + 1] = override[1]
    assert main(argv) == 1
    assert flag in capsys.readouterr().err


def test_usage_error_exit_2() -> None:
    with pytest.raises(SystemExit) as exc:
        main(["criteria", "acr2016", *CASE_A, "--headaches", "maybe"])
    assert exc.value.code == 2


def test_human_table(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [a for a in ["criteria", "acr2016", *CASE_A, *SIX] if a != "--json"]
    assert main(argv) == 0
    assert "criteria met" in capsys.readouterr().out
