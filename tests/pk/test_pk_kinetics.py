"""Kinetics: the label calibration and the exactness of the closed-form superposition."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

from lowdose.pk import PkInputError, default_parameters, simulate_doses
from lowdose.pk.calibration import parameter_table_rows
from lowdose.pk.kinetics import (
    ParameterArrays,
    channel_values,
    exponential_form,
    single_dose_peak,
    superpose,
    superposed_channels,
)
from lowdose.pk.occupancy import occupancy
from lowdose.pk.parameters import ModelParameters
from lowdose.pk.population import iter_population_grid, sample_parameters

LABEL = json.loads((Path(__file__).parents[1] / "reference" / "pk_label.json").read_text())


def _check(name: str, actual: float) -> None:
    spec = LABEL["values"][name]
    if "rel_tol" in spec:
        assert actual == pytest.approx(spec["value"], rel=spec["rel_tol"]), name
    else:
        assert actual == pytest.approx(spec["value"], abs=spec["abs_tol"]), name


def _half_life(channel: str, t0: float, t1: float) -> float:
    sim = simulate_doses([(0.0, Decimal(50))], [t0, t1])
    c = sim.naltrexone_ng_ml if channel == "naltrexone" else sim.naltrexol_ng_ml
    return (t1 - t0) * math.log(2) / math.log(c[0] / c[1])


def test_single_50mg_dose_reproduces_the_label() -> None:
    p = default_parameters()
    tmax, cmax = single_dose_peak(p, "naltrexone", 50)
    _check("naltrexone_cmax_ng_ml", cmax)
    _check("naltrexone_tmax_h", tmax)
    tmax_m, cmax_m = single_dose_peak(p, "naltrexol", 50)
    _check("naltrexol_cmax_ng_ml", cmax_m)
    _check("naltrexol_tmax_h", tmax_m)
    _check("naltrexone_half_life_h", _half_life("naltrexone", 12, 24))
    _check("naltrexol_half_life_h", _half_life("naltrexol", 48, 96))


def test_steady_state_metabolite_ratio_is_in_the_reported_band() -> None:
    p = ParameterArrays.from_parameters(default_parameters())
    rates, coef = exponential_form(p)
    auc = (coef[:, 0, :] / rates[0]).sum(axis=1)  # AUC(0-inf) of one dose = AUC_tau at ss
    ratio = auc[1] / auc[0]
    band = LABEL["steady_state_ratio"]["naltrexol_to_naltrexone_auc"]
    assert band["low"] <= ratio <= band["high"]


def _ode_solution(
    p: ModelParameters, dose_times: list[float], amounts: list[float], times: np.ndarray
) -> np.ndarray:
    """Integrate the model's ODEs with solve_ivp between doses (gut, C_p, C_m, pool)."""
    gamma = p.gamma

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        gut, cp, cm, pool = y
        drive = cp + p.naltrexol_weight * cm
        return np.array(
            [
                -p.ka * gut,
                p.a_parent * p.ka * gut - p.k_parent * cp,
                p.a_naltrexol * p.ka * gut + gamma * cp - p.k_naltrexol * cm,
                p.k_slow * (p.slow_gain * drive - pool),
            ]
        )

    order = np.argsort(dose_times)
    events = [(dose_times[i], amounts[i]) for i in order]
    y = np.zeros(4)
    now = min(events[0][0], float(times.min()))
    out = np.zeros((3, times.size))
    boundaries = [t for t, _ in events] + [float(times.max()) + 1.0]
    k = 0
    for seg_end_i, seg_end in enumerate(boundaries):
        if seg_end > now:
            mask = (times >= now) & (times < seg_end)
            sol = solve_ivp(
                rhs,
                (now, seg_end),
                y,
                method="LSODA",
                rtol=1e-12,
                atol=1e-15,
                t_eval=times[mask] if mask.any() else None,
                dense_output=False,
            )
            if mask.any():
                ys = sol.y
                out[0, mask] = ys[1]
                out[1, mask] = ys[2]
                out[2, mask] = ys[1] + p.naltrexol_weight * ys[2] + ys[3]
            y = solve_ivp(rhs, (now, seg_end), y, method="LSODA", rtol=1e-12, atol=1e-15).y[:, -1]
            now = seg_end
        if seg_end_i < len(events):
            y = y.copy()
            y[0] += events[seg_end_i][1]
            k += 1
    return out


@pytest.mark.parametrize("naltrexol_weight", [0.0, 0.1])
def test_closed_form_matches_solve_ivp_on_an_irregular_history(naltrexol_weight: float) -> None:
    p = default_parameters().with_changes(naltrexol_weight=naltrexol_weight)
    # irregular: late, early, a missed day (no dose at 72 h), a dose change and a double dose
    dose_times = [0.0, 22.5, 49.0, 97.25, 121.0, 121.0, 150.7]
    amounts = [4.5, 4.5, 3.0, 6.0, 1.5, 1.5, 50.0]
    times = np.array(
        [0.5, 1.0, 3.3, 22.4, 23.0, 30.0, 60.0, 72.0, 98.0, 122.0, 151.0, 160.0, 200.0]
    )
    closed = simulate_doses(
        [(t, Decimal(str(a))) for t, a in zip(dose_times, amounts, strict=True)], times, params=p
    )
    ode = _ode_solution(p, dose_times, amounts, times)
    np.testing.assert_allclose(closed.naltrexone_ng_ml, ode[0], rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(closed.naltrexol_ng_ml, ode[1], rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(closed.effect_site_ng_ml, ode[2], rtol=1e-6, atol=1e-12)


doses_strategy = st.lists(
    st.tuples(st.floats(0, 200, allow_nan=False), st.integers(0, 100)), min_size=1, max_size=8
)


@settings(max_examples=40, deadline=None)
@given(doses_strategy, st.lists(st.floats(0, 300, allow_nan=False), min_size=1, max_size=10))
def test_superposition_equals_the_direct_sum_over_doses(
    doses: list[tuple[float, int]], times: list[float]
) -> None:
    pa = ParameterArrays.from_parameters(default_parameters())
    rates, _coef = exponential_form(pa)
    t = np.array(times)
    states = superpose(rates, [d for d, _ in doses], [float(a) for _, a in doses], t)[:, 0, :]
    direct = np.zeros((t.size, 4))
    for when, amount in doses:
        dt = t - when
        direct += np.where(
            dt[:, None] >= 0, amount * np.exp(-np.clip(dt, 0, None)[:, None] * rates[0]), 0.0
        )
    np.testing.assert_allclose(states, direct, rtol=1e-9, atol=1e-12)


def test_a_missed_dose_is_simply_absent() -> None:
    full = simulate_doses([(0.0, Decimal(3)), (24.0, Decimal(3)), (48.0, Decimal(3))], [60.0])
    missed = simulate_doses([(0.0, Decimal(3)), (48.0, Decimal(3))], [60.0])
    only_missed = simulate_doses([(24.0, Decimal(3))], [60.0])
    assert missed.naltrexol_ng_ml[0] == pytest.approx(
        full.naltrexol_ng_ml[0] - only_missed.naltrexol_ng_ml[0], rel=1e-12
    )
    assert missed.naltrexol_ng_ml[0] < full.naltrexol_ng_ml[0]


def test_datetimes_and_hours_give_the_same_answer() -> None:
    from datetime import UTC, datetime, timedelta

    t0 = datetime(2026, 1, 5, 22, 0, tzinfo=UTC)
    by_dt = simulate_doses(
        [(t0, Decimal("4.5")), (t0 + timedelta(hours=24), Decimal("4.5"))],
        [t0 + timedelta(hours=h) for h in (1, 25, 30)],
    )
    by_h = simulate_doses([(0, Decimal("4.5")), (24, Decimal("4.5"))], [1, 25, 30])
    np.testing.assert_allclose(by_dt.occupancy["mu"], by_h.occupancy["mu"], rtol=1e-12)
    assert by_dt.origin == t0


@pytest.mark.parametrize(
    ("doses", "field"),
    [
        ([(0, 4.5)], "doses[0]"),  # float mg
        ([(0, Decimal(-1))], "doses[0]"),
        ([(0, Decimal(500))], "doses[0]"),
        ([(0, True)], "doses[0]"),
    ],
)
def test_bad_doses_are_rejected_with_the_field_named(
    doses: list[tuple[float, object]], field: str
) -> None:
    with pytest.raises(PkInputError) as info:
        simulate_doses(doses, [1.0])  # type: ignore[arg-type]
    assert info.value.field == field


def test_naive_datetimes_are_rejected() -> None:
    from datetime import datetime

    with pytest.raises(PkInputError, match="time zone"):
        simulate_doses([(datetime(2026, 1, 1, 22), Decimal(3))], [1.0])


def test_every_table_row_has_a_source_and_a_kind() -> None:
    rows = parameter_table_rows()
    assert {r.kind for r in rows} == {"measured", "derived", "fitted", "assumed"}
    assert all(r.source and math.isfinite(r.value) for r in rows)


def test_equal_rates_are_rejected() -> None:
    p = default_parameters()
    with pytest.raises(PkInputError, match="distinct"):
        ParameterArrays.from_parameters(p.with_changes(k_slow=p.k_naltrexol))


@pytest.mark.parametrize(
    ("doses", "times"),
    [
        (np.arange(14) * 24 + 22.0, np.arange(0.0, 337.0)),  # the regular grid, cached decay
        (np.array([3.0, 3.0, 50.0]), np.array([3.0, 2.0, 3.0, 100.0, 0.0])),  # unsorted, ties
        (np.array([170.0, 5.5, 90.25, 30.0]), np.linspace(-4.0, 260.0, 203)),  # irregular
        (np.array([]), np.arange(5.0)),  # no dose at all
    ],
)
def test_superposed_channels_equal_the_state_by_state_superposition(
    doses: np.ndarray, times: np.ndarray
) -> None:
    pa = sample_parameters(70, seed=11)
    rates, coef = exponential_form(pa)
    amounts = np.random.default_rng(2).uniform(0.0, 6.0, (70, doses.size))
    for c in (coef, np.random.default_rng(3).normal(size=coef.shape)):  # and a dense one
        ref = channel_values(c, superpose(rates, doses, amounts, times))
        got = superposed_channels(rates, c, doses, amounts, times)
        scale = np.maximum(np.abs(ref).max(axis=2, keepdims=True), 1e-300)
        assert got.shape == ref.shape
        assert np.max(np.abs(got - ref) / scale) < 1e-12


def test_population_grid_equals_the_superposition_and_occupancy() -> None:
    pa = sample_parameters(40, seed=5)
    doses, times = np.array([22.0, 46.0, 70.0]), np.arange(0.0, 80.0, 0.5)
    rates, coef = exponential_form(pa)
    ref = channel_values(coef, superpose(rates, doses, [4.5] * 3, times))
    (_, conc, mu), *rest = iter_population_grid(pa, doses, np.full(3, 4.5), times, chunk_size=64)
    assert not rest
    np.testing.assert_allclose(conc, ref, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(mu, occupancy(ref[2], pa.ec50_mu[:, None]), rtol=1e-12)
