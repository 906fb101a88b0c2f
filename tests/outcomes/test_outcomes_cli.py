"""``lowdose nof1 design|analyze|simulate|pool`` and ``lowdose response``: keys, exit codes."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

import lowdose.cli
from lowdose.outcomes.ar1 import simulate_ar1
from lowdose.outcomes.design import Nof1Plan
from lowdose.outcomes.simulate import simulate_diary


@pytest.fixture(autouse=True)
def only_outcomes_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    # Exercise the real lowdose.cli.main with just this package's commands registered, so a
    # half-built sibling package cannot break these tests.
    assert "lowdose.cli.outcomes" in lowdose.cli.COMMAND_MODULES
    monkeypatch.setattr(lowdose.cli, "COMMAND_MODULES", ("lowdose.cli.outcomes",))


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = lowdose.cli.main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def _design(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    code, out, _ = run(
        [
            "nof1",
            "design",
            "--arms",
            "placebo,4.5",
            "--cycles",
            "3",
            "--period-days",
            "28",
            "--start",
            "2026-03-02",
            "--onset-days",
            "7",
            "--json",
        ],
        capsys,
    )
    assert code == 0
    path = tmp_path / "design.json"
    path.write_text(out)
    return path


def test_design_json_has_the_interface_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(_design(tmp_path, capsys).read_text())
    assert {"arms", "cycles", "run_in_days", "randomisation", "periods"} <= set(data)
    assert "seed" not in data  # nothing small to search: the CSPRNG has no seed to print
    assert data["randomisation"] == "os-csprng"
    assert data["arms"] == ["placebo", "4.5 mg"]
    assert len(data["periods"]) == 6
    assert set(data["periods"][0]) == {"cycle", "arm", "kit", "start", "end", "analysis_start"}
    assert data["periods"][0]["start"] == "2026-03-02"
    derivation = data["run_in_derivation"]
    assert data["run_in_days"] == derivation["run_in_days"]
    assert derivation["onset_days"] == 7


def test_analyze_json_has_the_interface_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    design = _design(tmp_path, capsys)
    plan = Nof1Plan.from_dict(json.loads(design.read_text()))
    diary = simulate_diary(plan, effect=-1.5, sd=1.2, ar1=0.4, seed=3)
    csv_path = tmp_path / "diary.csv"
    lines = ["date,pain,fatigue,sleep,mood"]
    lines += [f"{d.isoformat()},{diary.values['pain'][i]},5,5,5" for i, d in enumerate(diary.dates)]
    csv_path.write_text("\n".join(lines) + "\n")
    code, out, _ = run(
        ["nof1", "analyze", str(csv_path), "--design", str(design), "--mcid", "1", "--json"],
        capsys,
    )
    assert code == 0
    data = json.loads(out)
    assert {"outcome", "days_used", "effects", "ar1", "paired_test"} <= set(data)
    (effect,) = data["effects"]
    assert set(effect) == {"arm", "mean", "sd", "ci_low", "ci_high", "p_better", "p_mcid"}
    assert effect["arm"] == "4.5 mg"
    assert effect["mean"] < 0  # active − placebo: negative = less pain
    assert effect["ci_low"] < effect["mean"] < effect["ci_high"]
    assert data["days_used"] == 6 * (28 - plan.run_in_days)
    code, out, _ = run(["nof1", "analyze", str(csv_path), "--design", str(design)], capsys)
    assert code == 0
    assert "chance LDN 4.5 mg lowers your daily pain" in out


def test_simulate_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    design = _design(tmp_path, capsys)
    code, out, _ = run(
        [
            "nof1",
            "simulate",
            "--design",
            str(design),
            "--effect",
            "-1.5",
            "--sd",
            "1.5",
            "--ar1",
            "0.5",
            "--reps",
            "200",
            "--json",
        ],
        capsys,
    )
    assert code == 0
    data = json.loads(out)
    assert data["reps"] == 200
    (arm,) = data["arms"]
    assert 0.5 < arm["p_confident_decision"] <= 1.0
    assert 0.8 < arm["coverage"] <= 1.0


def test_response_json_keys_and_too_few_days_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = np.random.default_rng(1)
    start = date(2026, 1, 1)
    pain = (
        np.r_[np.full(5, 6.5), np.full(20, 4.0)] + simulate_ar1(rng, np.arange(25), 1, 0.6, 0.4)[0]
    )
    rows = [
        f"{(start + timedelta(days=i)).isoformat()},{np.clip(p, 0, 10):.1f},5,5,5"
        for i, p in enumerate(pain)
    ]
    path = tmp_path / "diary.csv"
    path.write_text("date,pain,fatigue,sleep,mood\n" + "\n".join(rows) + "\n")
    code, out, err = run(
        [
            "response",
            str(path),
            "--baseline-start",
            "2026-01-01",
            "--baseline-end",
            "2026-01-05",
            "--json",
        ],
        capsys,
    )
    assert code == 0
    data = json.loads(out)
    assert {
        "baseline_mean",
        "recent_mean",
        "change",
        "percent_change",
        "ci_low",
        "ci_high",
        "p_improved_1pt",
        "category",
    } <= set(data)
    assert data["change"] == pytest.approx(data["recent_mean"] - data["baseline_mean"])
    assert data["too_few_baseline_days"] is True
    assert "warning: only 5 baseline days" in err


def test_bad_input_exits_non_zero_naming_the_argument(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        lowdose.cli.main(["nof1", "design", "--arms", "placebo,4.5", "--start", "2026-02-30"])
    assert info.value.code == 2
    assert "--start" in capsys.readouterr().err
    code, _, err = run(["nof1", "design", "--arms", "1.5,4.5", "--start", "2026-03-01"], capsys)
    assert code == 1
    assert "needs a placebo arm" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("date,pain,fatigue,sleep,mood\n2026-01-01,12,5,5,5\n")
    code, _, err = run(
        ["response", str(bad), "--baseline-start", "2026-01-01", "--baseline-end", "2026-01-02"],
        capsys,
    )
    assert code == 1
    assert "line 2, column pain" in err
    design = tmp_path / "design.json"
    design.write_text("{not json")
    code, _, err = run(
        [
            "nof1",
            "simulate",
            "--design",
            str(design),
            "--effect",
            "-1",
            "--sd",
            "1",
            "--ar1",
            "0.3",
        ],
        capsys,
    )
    assert code == 1
    assert "is not JSON" in err


def test_pool_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "trials.csv"
    path.write_text("patient,estimate,se\na,-1.2,0.4\nb,-0.3,0.5\nc,-0.9,0.45\n")
    code, out, _ = run(["nof1", "pool", str(path), "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["n_patients"] == 3
    assert len(data["patients"]) == 3
    assert -1.5 < data["mean"] < 0


def test_analyze_plot_writes_the_chart_of_the_periods(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    design = _design(tmp_path, capsys)
    plan = Nof1Plan.from_dict(json.loads(design.read_text()))
    diary = simulate_diary(plan, effect=-1.0, sd=1.0, ar1=0.3, seed=5)
    csv_path = tmp_path / "diary.csv"
    lines = ["date,pain,fatigue,sleep,mood"]
    lines += [f"{d.isoformat()},{diary.values['pain'][i]},5,5,5" for i, d in enumerate(diary.dates)]
    csv_path.write_text("\n".join(lines) + "\n")
    svg = tmp_path / "chart.svg"
    code, _, _ = run(
        ["nof1", "analyze", str(csv_path), "--design", str(design), "--plot", str(svg)], capsys
    )
    assert code == 0
    text = svg.read_text()
    assert text.startswith("<svg")
    assert "N-of-1 trial: daily pain by period" in text
