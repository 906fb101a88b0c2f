r"""Regimen metrics computed from simulated grids, vectorised over subjects.

Definitions (all over the last dosing interval :math:`[t_N, t_N+\tau)` unless stated):

* ``cmax``/``tmax``: maximum concentration and its time after the last dose;
* ``auc_tau``: exact :math:`\int_{t_N}^{t_N+\tau} C\,dt` (closed form, no quadrature);
* ``half_life``: terminal half-life :math:`\ln 2 / k` of the subject;
* occupancy ``peak``/``trough``: maximum/minimum over the interval;
* ``hours_above_X``: hours of the interval with occupancy :math:`> X`, from a grid of step
  :data:`METRIC_STEP_H` (so exact to within that step);
* the *unblocked window*: hours with μ occupancy below a threshold (default 25%), the longest
  contiguous stretch of them, and how many fall in the night (22:00-07:00, an assumed sleep
  window; both configurable).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from lowdose.pk.kinetics import (
    ParameterArrays,
    channel_values,
    exponential_form,
    interval_auc,
    superpose,
)
from lowdose.pk.occupancy import RECEPTORS, occupancy

__all__ = [
    "HOURS_ABOVE",
    "METRIC_STEP_H",
    "NIGHT_WINDOW",
    "GridMetrics",
    "compute_interval_metrics",
]

FloatArray = npt.NDArray[np.float64]

#: Grid step for time-above-threshold metrics (h): 3 minutes.
METRIC_STEP_H = 0.05
#: Occupancy levels reported as hours above (25%, 50%, 90%; the issue's thresholds).
HOURS_ABOVE: tuple[float, ...] = (0.25, 0.5, 0.9)
#: Assumed night (clock hours): 22:00 to 07:00.
NIGHT_WINDOW: tuple[float, float] = (22.0, 7.0)


@dataclass(frozen=True, slots=True)
class GridMetrics:
    """Per-subject metric arrays, each of shape ``(n,)``; keys as in the CLI JSON."""

    values: dict[str, FloatArray]

    def subject(self, i: int = 0) -> dict[str, float]:
        return {k: float(v[i]) for k, v in self.values.items()}


def _in_night(clock: FloatArray, night: tuple[float, float]) -> npt.NDArray[np.bool_]:
    start, end = night
    if start <= end:
        return (clock >= start) & (clock < end)
    return (clock >= start) | (clock < end)


def _longest_run(mask: npt.NDArray[np.bool_]) -> tuple[FloatArray, FloatArray]:
    """Length and start index of the longest run of True along axis 1."""
    n, t = mask.shape
    run = np.zeros(n)
    best = np.zeros(n)
    best_end = np.zeros(n)
    for j in range(t):
        run = np.where(mask[:, j], run + 1, 0)
        better = run > best
        best = np.where(better, run, best)
        best_end = np.where(better, j, best_end)
    return best, best_end - best + 1


def compute_interval_metrics(
    params: ParameterArrays,
    dose_times_h: FloatArray,
    amounts: FloatArray,
    interval_h: float,
    *,
    unblocked_below: float = 0.25,
    night: tuple[float, float] = NIGHT_WINDOW,
    step_h: float = METRIC_STEP_H,
) -> GridMetrics:
    """Metrics over the interval after the last dose, for every subject in ``params``.

    ``dose_times_h`` are hours since midnight of the first day (so ``t mod 24`` is clock time).
    """
    t_last = float(np.max(dose_times_h))
    offsets = np.arange(0.0, interval_h, step_h)
    grid = t_last + offsets
    rates, coef = exponential_form(params)
    states = superpose(rates, dose_times_h, amounts, np.concatenate([[t_last], grid]))
    start = states[0]
    conc = channel_values(coef, states[1:])
    aucs = interval_auc(start, rates, coef, interval_h)
    out: dict[str, FloatArray] = {}
    names = ("naltrexone", "naltrexol")
    ks = (params.k_parent, params.k_naltrexol)
    for c, (name, k) in enumerate(zip(names, ks, strict=True)):
        idx = np.argmax(conc[c], axis=1)
        out[f"{name}.cmax_ng_ml"] = conc[c].max(axis=1)
        out[f"{name}.tmax_h"] = offsets[idx]
        out[f"{name}.half_life_h"] = np.log(2.0) / k
        out[f"{name}.auc_tau_ng_h_ml"] = aucs[c]
    ec50 = params.ec50_mu[:, None]
    mu = occupancy(conc[2], ec50, "mu")
    for r in RECEPTORS:
        occ = mu if r == "mu" else occupancy(conc[2], ec50, r)
        out[f"occupancy.{r}.peak"] = occ.max(axis=1)
        out[f"occupancy.{r}.trough"] = occ.min(axis=1)
        for level in HOURS_ABOVE:
            out[f"occupancy.{r}.hours_above_{round(level * 100)}"] = (occ > level).sum(
                axis=1
            ) * step_h
    below = mu < unblocked_below
    clock = np.mod(grid, 24.0)
    run, run_start = _longest_run(below)
    out["unblocked.hours"] = below.sum(axis=1) * step_h
    out["unblocked.night_hours"] = (below & _in_night(clock, night)[None, :]).sum(axis=1) * step_h
    out["unblocked.longest_h"] = run * step_h
    out["unblocked.longest_start_clock_h"] = np.where(
        run > 0, np.mod(t_last + run_start * step_h, 24.0), np.nan
    )
    return GridMetrics(out)
