"""Occupancy: the fitted model against the PET points, the ED50 and the slow offset."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import brentq

from lowdose.pk import OccupancyFit, PkInputError, default_parameters, simulate_doses
from lowdose.pk.occupancy import occupancy

PET = json.loads((Path(__file__).parents[1] / "reference" / "pk_pet.json").read_text())


def _occ_50(t: float) -> float:
    return float(simulate_doses([(0.0, Decimal(50))], [t]).occupancy["mu"][0])


@pytest.fixture(scope="module")
def fit():  # type: ignore[no-untyped-def]
    return OccupancyFit().fit()


def test_single_dose_pet_points_are_reproduced_at_the_scan_time() -> None:
    tol = PET["single_dose_abs_tol"]["value"]
    for row in PET["single_dose"]:
        sim = simulate_doses([(0.0, Decimal(row["dose_mg"]))], [3.0])
        assert sim.occupancy["mu"][0] == pytest.approx(row["occupancy"], abs=tol), row


def test_ed50_at_the_scan_time_matches_troestheim() -> None:
    def occ_at(dose: float) -> float:
        return float(
            simulate_doses([(0.0, Decimal(str(round(dose, 6))))], [3.0]).occupancy["mu"][0]
        )

    ed50 = brentq(lambda d: occ_at(d) - 0.5, 1.0, 20.0, xtol=1e-6)
    spec = PET["ed50_mg"]
    assert ed50 == pytest.approx(spec["value"], rel=spec["rel_tol"])


def test_slow_offset_after_50mg_matches_lee_1988() -> None:
    spec = PET["offset_50mg"]
    assert spec["occupancy_48h"]["low"] <= _occ_50(48.0) <= spec["occupancy_48h"]["high"]
    start = _occ_50(1.0)
    half_time = brentq(lambda t: _occ_50(t) - start / 2, 10.0, 300.0)
    assert spec["half_time_h"]["low"] <= half_time <= spec["half_time_h"]["high"]
    # and it is far slower than plasma: naltrexone is below 1e-3 of its peak by 48 h
    sim = simulate_doses([(0.0, Decimal(50))], [1.0, 48.0])
    assert sim.naltrexone_ng_ml[1] < 1e-3 * sim.naltrexone_ng_ml[0]


def test_refitting_reproduces_the_stored_parameters(fit) -> None:  # type: ignore[no-untyped-def]
    tol = PET["stored_parameters_rel_tol"]["value"]
    p = default_parameters()
    assert fit.k_slow == pytest.approx(p.k_slow, rel=tol)
    assert fit.slow_gain == pytest.approx(p.slow_gain, rel=tol)
    assert fit.ec50_mu == pytest.approx(p.ec50_mu, rel=tol)


def test_fit_reports_residuals_and_checks(fit) -> None:  # type: ignore[no-untyped-def]
    d = fit.to_dict()
    assert len(d["residuals"]) == 9
    assert fit.chi_square < 9.0  # why: 6 df; chi² > 12.6 would reject the model at 5%
    assert "Lee 48 h" in fit.summary()


def test_kappa_and_delta_follow_the_relative_potencies() -> None:
    ce = np.array([2.0])
    ec50 = 2.0
    assert occupancy(ce, ec50, "mu")[0] == pytest.approx(0.5)
    assert occupancy(ce, ec50, "kappa")[0] == pytest.approx(1 / 3)
    assert occupancy(ce, ec50, "delta")[0] == pytest.approx(1 / 80)
    with pytest.raises(PkInputError, match="receptor"):
        occupancy(ce, ec50, "sigma")  # type: ignore[arg-type]


def test_fit_options_are_validated() -> None:
    with pytest.raises(PkInputError, match="scan_time_h"):
        OccupancyFit(scan_time_h=12.0)


def test_label_heroin_blockade_durations_imply_one_occupancy_threshold() -> None:
    # Label: 50 mg blocks 25 mg IV heroin for up to 24 h, 100 mg ~48 h, 150 mg ~72 h. Not
    # used in the fit. If blockade needs a fixed occupancy, the model's occupancy at those
    # three end-points must be about equal; 0.1 allows the label's rounded hour figures
    # (one day = ~0.05-0.1 occupancy at this part of the curve).
    ends = [
        float(simulate_doses([(0.0, Decimal(d))], [float(t)]).occupancy["mu"][0])
        for d, t in ((50, 24), (100, 48), (150, 72))
    ]
    assert max(ends) - min(ends) < 0.1
    assert min(ends) > 0.5  # and the threshold is a majority block, not a trace
