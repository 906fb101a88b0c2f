"""``lowdose pk simulate``: the JSON shape of the issue's Interfaces section and its values."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from lowdose.cli import main
from lowdose.pk.regimen import Regimen, regimen_metrics

EXPOSURE_KEYS = {"cmax_ng_ml", "tmax_h", "half_life_h", "auc_tau_ng_h_ml"}
OCC_KEYS = {"peak", "trough", "hours_above_50"}
ROW_KEYS = {"t_h", "naltrexone_ng_ml", "naltrexol_ng_ml", "mu", "kappa", "delta"}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert main(["pk", "simulate", *argv, "--json"]) == 0
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


def _check_block(block: dict) -> None:  # type: ignore[type-arg]
    for name in ("naltrexone", "naltrexol"):
        assert set(block[name]) == EXPOSURE_KEYS
    assert set(block["occupancy"]) == {"mu", "kappa", "delta"}
    for r in ("mu", "kappa", "delta"):
        assert set(block["occupancy"][r]) == OCC_KEYS
        assert 0.0 <= block["occupancy"][r]["trough"] <= block["occupancy"][r]["peak"] <= 1.0
    assert all(set(row) == ROW_KEYS for row in block["timecourse"])


def test_json_shape_and_values_match_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(capsys, "--dose", "4.5", "--at", "21:30", "--days", "10", "--observe-h", "48")
    _check_block(out)
    assert isinstance(out["assumptions"], list)
    assert all(isinstance(a, str) for a in out["assumptions"])
    assert "percentiles" not in out
    assert "compare" not in out
    # hourly rows from the last dose to --observe-h inclusive
    assert [r["t_h"] for r in out["timecourse"]] == [float(h) for h in range(49)]
    expected = regimen_metrics(Regimen(Decimal("4.5"), days=10)).values
    assert out["occupancy"]["mu"]["peak"] == pytest.approx(expected["occupancy.mu.peak"])
    assert out["naltrexone"]["cmax_ng_ml"] == pytest.approx(expected["naltrexone.cmax_ng_ml"])
    assert out["naltrexone"]["half_life_h"] == pytest.approx(4.0)
    # the occupancy at t=0 (just before absorption of the new dose) is the interval trough
    assert out["timecourse"][0]["mu"] == pytest.approx(out["occupancy"]["mu"]["trough"], abs=1e-3)


def test_compare_and_subjects_add_the_same_blocks(capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(capsys, "--dose", "3", "--compare", "50", "--subjects", "200", "--seed", "4")
    _check_block(out)
    _check_block(out["compare"])
    assert out["compare"]["occupancy"]["mu"]["trough"] > 0.9  # 50 mg daily: near-total block
    for block in (out, out["compare"]):
        pct = block["percentiles"]
        assert set(pct["occupancy"]["mu"]["peak"]) == {"p5", "p50", "p95"}
        q = pct["naltrexol"]["cmax_ng_ml"]
        assert q["p5"] < q["p50"] < q["p95"]
    again = _run(capsys, "--dose", "3", "--subjects", "200", "--seed", "4")
    assert again["percentiles"] == out["percentiles"]


def test_plot_writes_a_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "occ.png"
    assert main(["pk", "simulate", "--dose", "4.5", "--plot", str(target)]) == 0
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "μ occupancy" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--dose", "abc"], "--dose"),
        (["--dose", "-1"], "--dose"),
        (["--dose", "4.5", "--at", "25:99"], "--at"),
        (["--dose", "4.5", "--days", "0"], "--days"),
    ],
)
def test_bad_arguments_exit_2_naming_the_argument(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["pk", "simulate", *argv])
    assert info.value.code == 2
    assert needle in capsys.readouterr().err


def test_bad_plot_name_is_a_domain_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pk", "simulate", "--dose", "4.5", "--plot", "x.jpg"]) == 1
    assert "--plot" in capsys.readouterr().err


def test_progress_bar_appears_only_after_one_second() -> None:
    from lowdose.cli.output import LazyProgress as _LazyProgress

    quick = _LazyProgress("quick")
    quick(1, 10)
    assert quick.bar is None
    slow = _LazyProgress("slow")
    slow.start -= 2.0  # pretend the run started two seconds ago
    slow(5, 10)
    assert slow.bar is not None
    slow.close()
