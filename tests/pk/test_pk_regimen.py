"""Regimen metrics, the 50 mg comparison, steady state and washout_hours."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import numpy as np
import pytest

from lowdose.pk import PkInputError, default_parameters, simulate_doses, washout_hours
from lowdose.pk.kinetics import ParameterArrays, exponential_form, steady_state_states
from lowdose.pk.regimen import REFERENCE_50MG, Regimen, regimen_metrics, time_to_steady_state_h


def test_chronic_50mg_matches_weerts_2008_mu_and_delta_blockade() -> None:
    # Weerts EM et al. Neuropsychopharmacology 2008;33:653-665, 50 mg/day: μ BP inhibited
    # 94.9 ± 4.9%, δ 21.1 ± 14.5%. Not used in the fit: an out-of-sample check. Tolerance:
    # the model's interval range must overlap mean ± 1 SD.
    m = regimen_metrics(REFERENCE_50MG).values
    assert m["occupancy.mu.trough"] <= 0.949 + 0.049
    assert m["occupancy.mu.peak"] >= 0.949 - 0.049
    assert m["occupancy.delta.trough"] <= 0.211 + 0.145
    assert m["occupancy.delta.peak"] >= 0.211 - 0.145


def test_last_interval_auc_equals_the_steady_state_single_dose_auc() -> None:
    # After 60 days the last interval is at steady state, where AUC_tau = AUC_0-inf(1 dose).
    reg = Regimen(Decimal("4.5"), days=60)
    m = regimen_metrics(reg).values
    pa = ParameterArrays.from_parameters(default_parameters())
    rates, coef = exponential_form(pa)
    auc_inf = 4.5 * (coef[:2, 0, :] / rates[0]).sum(axis=1)
    assert m["naltrexone.auc_tau_ng_h_ml"] == pytest.approx(auc_inf[0], rel=1e-9)
    assert m["naltrexol.auc_tau_ng_h_ml"] == pytest.approx(auc_inf[1], rel=1e-9)


def test_steady_state_closed_form_equals_a_long_superposition() -> None:
    pa = ParameterArrays.from_parameters(default_parameters())
    rates, _ = exponential_form(pa)
    ss = steady_state_states(rates, 3.0, 24.0, [5.0])[0, 0]
    n = 400  # why: slowest rate 0.0315/h -> e^{-0.0315*24*400} ~ 1e-131, the tail is nil
    sim = simulate_doses([(24.0 * k, Decimal(3)) for k in range(n)], [24.0 * (n - 1) + 5.0])
    _, coef = exponential_form(pa)
    assert sim.effect_site_ng_ml[0] == pytest.approx(float(ss @ coef[2, 0]), rel=1e-12)


def test_hours_above_are_consistent_with_peak_and_trough() -> None:
    m = regimen_metrics(Regimen(Decimal(3))).values
    assert m["occupancy.mu.trough"] > 0.25  # LDN in this model never drops below 25% ...
    assert m["occupancy.mu.hours_above_25"] == pytest.approx(24.0)
    assert 0 < m["occupancy.mu.hours_above_50"] < 24  # ... and crosses 50% within the day
    assert m["occupancy.mu.hours_above_90"] == 0.0
    assert m["unblocked.hours"] == 0.0


def test_unblocked_window_appears_for_a_very_low_dose_and_bedtime_shifts_the_clock() -> None:
    bedtime = regimen_metrics(Regimen(Decimal("0.5"), time(22, 0)), unblocked_below=0.15)
    morning = regimen_metrics(Regimen(Decimal("0.5"), time(8, 0)), unblocked_below=0.15)
    assert bedtime.values["unblocked.hours"] > 0
    assert bedtime.values["unblocked.hours"] == pytest.approx(morning.values["unblocked.hours"])
    # same kinetics, 10 h apart on the clock
    b = bedtime.values["unblocked.longest_start_clock_h"]
    a = morning.values["unblocked.longest_start_clock_h"]
    assert (b - a) % 24 == pytest.approx(14.0)
    assert bedtime.block()["unblocked"]["longest_start_clock"] is not None


def test_time_to_steady_state_is_longer_for_ldn_than_for_50mg() -> None:
    assert time_to_steady_state_h(Regimen(Decimal("4.5"))) > time_to_steady_state_h(REFERENCE_50MG)


def test_washout_hours_after_50mg_and_ldn() -> None:
    w50 = washout_hours(Decimal(50))
    w45 = washout_hours(Decimal("4.5"))
    assert w45 < w50
    # by definition: occupancy at the washout time equals the threshold
    pa = ParameterArrays.from_parameters(default_parameters())
    rates, coef = exponential_form(pa)
    s = steady_state_states(rates, 4.5, 24.0, [w45])[0, 0]
    ce = float(s @ coef[2, 0])
    assert ce / (ce + default_parameters().ec50_mu) == pytest.approx(0.10, abs=1e-6)
    # κ needs more drug than μ, so it washes out sooner; a stricter threshold takes longer
    assert washout_hours(Decimal("4.5"), receptor="kappa") < w45
    assert washout_hours(Decimal("4.5"), threshold=0.05) > w45


def test_washout_is_zero_when_occupancy_never_reaches_the_threshold() -> None:
    assert washout_hours(Decimal("0.01"), threshold=0.5) == 0.0
    assert washout_hours(Decimal(0)) == 0.0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"receptor": "sigma"}, "receptor"),
        ({"threshold": 10}, "threshold"),
        ({"interval_h": 0.0}, "interval_h"),
    ],
)
def test_washout_rejects_bad_options(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(PkInputError) as info:
        washout_hours(Decimal(3), **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


def test_regimen_validation() -> None:
    with pytest.raises(PkInputError, match="interval"):
        Regimen(Decimal(3), interval=timedelta(minutes=5))
    with pytest.raises(PkInputError):
        Regimen(3.0)  # type: ignore[arg-type]


def test_metrics_block_has_the_cli_keys() -> None:
    block = regimen_metrics(Regimen(Decimal("4.5"))).block()
    assert set(block["naltrexone"]) == {"cmax_ng_ml", "tmax_h", "half_life_h", "auc_tau_ng_h_ml"}
    assert set(block["occupancy"]) == {"mu", "kappa", "delta"}
    assert np.isfinite(block["naltrexol"]["cmax_ng_ml"])


def test_bedtime_and_morning_differ_only_on_the_clock() -> None:
    from lowdose.pk import bedtime_vs_morning

    night, day = bedtime_vs_morning(Decimal(1))
    assert night.values["occupancy.mu.peak"] == pytest.approx(day.values["occupancy.mu.peak"])
    assert night.values["unblocked.hours"] == pytest.approx(day.values["unblocked.hours"])
    # a 22:00 dose leaves the unblocked stretch in the daytime; an 08:00 dose moves it to night
    assert night.values["unblocked.night_hours"] < day.values["unblocked.night_hours"]
