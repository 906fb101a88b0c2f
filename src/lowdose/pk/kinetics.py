r"""Closed-form kinetics of naltrexone, 6β-naltrexol and the brain effect site.

Every output channel of the model is, for one oral dose of :math:`D` mg at :math:`t_j`, a sum
of exponentials over four rate constants
:math:`\lambda = (k_a, k_p, k_m, k_s)` (absorption, parent elimination, 6β-naltrexol
elimination, slow effect-site pool):

.. math::

    y_c(t) = D \sum_{i=1}^{4} c_{c,i}\, e^{-\lambda_i (t-t_j)}, \qquad t \ge t_j .

The model is linear, so a dose history superposes:
:math:`y_c(t) = \sum_i c_{c,i} S_i(t)` with
:math:`S_i(t) = \sum_{t_j\le t} D_j e^{-\lambda_i(t-t_j)}`.
:func:`superpose` computes :math:`S_i` by one pass over the merged, sorted dose and output
times (:math:`S \leftarrow S\,e^{-\lambda\Delta t} + D`), vectorised over subjects; the decay
factors are cached per distinct :math:`\Delta t`, so an hourly grid costs one ``exp`` call.

Coefficients (the parent-to-metabolite chain is the Bateman solution with three rates):

.. math::

    c_{p} &= a_p\frac{k_a}{k_a-k_p}\,(-1,\ 1,\ 0,\ 0) \\
    c_{m} &= a_m\frac{k_a}{k_a-k_m}(-1,0,1,0)
        + a_p k_a\gamma\Bigl(\tfrac{1}{(k_p-k_a)(k_m-k_a)},
        \tfrac{1}{(k_a-k_p)(k_m-k_p)}, \tfrac{1}{(k_a-k_m)(k_p-k_m)}, 0\Bigr) \\
    c_{e,i} &= c_{d,i} + \frac{g k_s c_{d,i}}{k_s-\lambda_i}\ (i\le 3), \qquad
    c_{e,4} = -\sum_{i\le 3}\frac{g k_s c_{d,i}}{k_s-\lambda_i}, \qquad c_d = c_p + w\,c_m .

The formulas need distinct rate constants; :class:`ParameterArrays` rejects rates closer than
a relative 1e-7 (the round-off this causes is then below 1e-8 relative).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Literal

import numpy as np
import numpy.typing as npt
from numba import njit
from scipy.optimize import minimize_scalar

from lowdose.errors import PkInputError
from lowdose.pk._kernel import fill_channels, plan_times
from lowdose.pk.parameters import ModelParameters

__all__ = [
    "CHANNELS",
    "RATE_NAMES",
    "Channel",
    "ParameterArrays",
    "channel_values",
    "exponential_form",
    "exponential_form_rows",
    "interval_auc",
    "single_dose_peak",
    "sorted_inputs",
    "steady_state_states",
    "superpose",
    "superposed_channels",
]

FloatArray = npt.NDArray[np.float64]
Channel = Literal["naltrexone", "naltrexol", "effect"]
CHANNELS: tuple[Channel, ...] = ("naltrexone", "naltrexol", "effect")
RATE_NAMES = ("ka", "k_parent", "k_naltrexol", "k_slow")
_MIN_REL_GAP = 1e-7  # why: coefficients divide by rate differences; 1e-7 keeps round-off < 1e-8


@dataclass(frozen=True, slots=True)
class ParameterArrays:
    """:class:`ModelParameters` for ``n`` subjects: every field an array of shape ``(n,)``."""

    ka: FloatArray
    k_parent: FloatArray
    k_naltrexol: FloatArray
    a_parent: FloatArray
    a_naltrexol: FloatArray
    systemic_fraction: FloatArray
    k_slow: FloatArray
    slow_gain: FloatArray
    naltrexol_weight: FloatArray
    ec50_mu: FloatArray

    def __post_init__(self) -> None:
        n = self.ka.shape
        for f in fields(self):
            arr = getattr(self, f.name)
            if arr.shape != n or arr.ndim != 1:
                raise PkInputError(
                    f"parameter array {f.name} has shape {arr.shape}; all must have shape {n}",
                    field=f.name,
                )
        rates = self.rates()
        for i in range(4):
            for j in range(i + 1, 4):
                gap = np.abs(rates[:, i] - rates[:, j]) / np.maximum(rates[:, i], rates[:, j])
                if np.any(gap < _MIN_REL_GAP):
                    raise PkInputError(
                        f"rate constants {RATE_NAMES[i]} and {RATE_NAMES[j]} are equal (relative "
                        f"gap < {_MIN_REL_GAP}); the closed form needs distinct rates - change "
                        "one of them by a relative 1e-6 or more",
                        field=RATE_NAMES[i],
                    )

    @property
    def n(self) -> int:
        return int(self.ka.shape[0])

    @classmethod
    def from_parameters(
        cls, params: ModelParameters | Sequence[ModelParameters]
    ) -> ParameterArrays:
        plist = [params] if isinstance(params, ModelParameters) else list(params)
        if not plist:
            raise PkInputError("no parameter sets given; pass at least one", field="params")
        return cls(
            **{
                f.name: np.array([getattr(p, f.name) for p in plist], dtype=np.float64)
                for f in fields(cls)
            }
        )

    def take(
        self, index: slice | npt.NDArray[np.intp], *, checked: bool = False
    ) -> ParameterArrays:
        """The subjects selected by ``index`` (used to process a population in chunks).
        ``checked=True`` skips the checks of :meth:`__post_init__`, which every subject of this
        already-checked population passed."""
        values = {f.name: getattr(self, f.name)[index] for f in fields(self)}
        if not checked:
            return ParameterArrays(**values)
        subset = object.__new__(ParameterArrays)
        for name, value in values.items():
            object.__setattr__(subset, name, value)
        return subset

    def rates(self) -> FloatArray:
        """Rate constants, shape ``(n, 4)`` in :data:`RATE_NAMES` order (1/h)."""
        return np.stack([self.ka, self.k_parent, self.k_naltrexol, self.k_slow], axis=1)

    def gamma(self) -> FloatArray:
        f = self.systemic_fraction
        return self.k_parent * self.a_naltrexol * f / ((1.0 - f) * self.a_parent)


def exponential_form(p: ParameterArrays) -> tuple[FloatArray, FloatArray]:
    """Rates ``(n, 4)`` and per-mg coefficients ``(3, n, 4)`` for :data:`CHANNELS`."""
    rates_t, coef_t = exponential_form_rows(p)
    return np.ascontiguousarray(rates_t.T), np.ascontiguousarray(coef_t.transpose(0, 2, 1))


def exponential_form_rows(p: ParameterArrays) -> tuple[FloatArray, FloatArray]:
    """:func:`exponential_form` with subjects last: rates ``(4, n)`` and coefficients
    ``(3, 4, n)``, every row contiguous (the layout the compiled kernel reads)."""
    coef = np.zeros((3, 4, p.n))
    _coefficients(
        p.ka,
        p.k_parent,
        p.k_naltrexol,
        p.k_slow,
        p.a_parent,
        p.a_naltrexol,
        p.gamma(),
        p.naltrexol_weight,
        p.slow_gain,
        coef,
    )
    return np.stack([p.ka, p.k_parent, p.k_naltrexol, p.k_slow]), coef


@njit(cache=True, nogil=True, error_model="numpy")
def _coefficients(  # type: ignore[no-untyped-def]  # compiled from the call's types
    ka, kp, km, ks, a_parent, a_naltrexol, gamma, weight, gain, coef
):
    """The per-mg coefficients of each subject, one pass (compiled: a population's are many
    short array operations in numpy). Channel 0 (naltrexone): the parent's one-compartment
    Bateman terms; channel 1 (6β-naltrexol): its own absorption plus the chain through the
    parent; channel 2 (effect site): their weighted drive through the slow pool's first-order
    filter (the module doc gives the model)."""
    for i in range(ka.shape[0]):
        lam = (ka[i], kp[i], km[i])
        amp_p = a_parent[i] * ka[i] / (ka[i] - kp[i])
        amp_m = a_naltrexol[i] * ka[i] / (ka[i] - km[i])
        chain = a_parent[i] * ka[i] * gamma[i]
        coef[0, 0, i] = -amp_p
        coef[0, 1, i] = amp_p
        coef[1, 0, i] = -amp_m + chain / ((kp[i] - ka[i]) * (km[i] - ka[i]))
        coef[1, 1, i] = chain / ((ka[i] - kp[i]) * (km[i] - kp[i]))
        coef[1, 2, i] = amp_m + chain / ((ka[i] - km[i]) * (kp[i] - km[i]))
        pull = gain[i] * ks[i]
        total = 0.0
        for r in range(3):
            drive = coef[0, r, i] + weight[i] * coef[1, r, i]
            filt = pull * drive / (ks[i] - lam[r])
            coef[2, r, i] = drive + filt
            total = filt if r == 0 else total + filt
        coef[2, 3, i] = -total


def _as_amounts(amounts: npt.ArrayLike, n_subjects: int, n_doses: int) -> FloatArray:
    arr = np.asarray(amounts, dtype=np.float64)
    if arr.ndim == 1:
        arr = np.broadcast_to(arr, (n_subjects, arr.shape[0]))
    if arr.shape != (n_subjects, n_doses):
        raise PkInputError(
            f"dose amounts have shape {arr.shape}; expected ({n_doses},) or "
            f"({n_subjects}, {n_doses}) (one row per subject)",
            field="amounts",
        )
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise PkInputError("dose amounts must be finite and >= 0 mg", field="amounts")
    return arr


def sorted_inputs(
    rates: FloatArray, dose_times: npt.ArrayLike, amounts: npt.ArrayLike, times: npt.ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray, npt.NDArray[np.intp]]:
    """Checked dose times sorted, their amounts as (d, n) in that order (C-contiguous), the
    output times as given and their sorted order. ``rates`` (n, 4) gives ``n``."""
    td = np.asarray(dose_times, dtype=np.float64).ravel()
    tt = np.asarray(times, dtype=np.float64).ravel()
    if not (np.all(np.isfinite(td)) and np.all(np.isfinite(tt))):
        raise PkInputError("dose and output times must be finite numbers of hours", field="times")
    amt = _as_amounts(amounts, rates.shape[0], td.shape[0])
    d_order = np.argsort(td, kind="stable")
    td, amt = td[d_order], np.ascontiguousarray(amt[:, d_order].T)
    return td, amt, tt, np.argsort(tt, kind="stable")


def superpose(
    rates: FloatArray,
    dose_times: npt.ArrayLike,
    amounts: npt.ArrayLike,
    times: npt.ArrayLike,
) -> FloatArray:
    r"""Dose-weighted exponential sums :math:`S_i(t)` at each output time.

    Parameters
    ----------
    rates : ndarray, shape (n, 4)
        Rate constants per subject (1/h).
    dose_times : array_like, shape (d,)
        Dose times in hours (any order; shared by all subjects).
    amounts : array_like, shape (d,) or (n, d)
        Dose amounts in mg; a 0 is a missed dose.
    times : array_like, shape (t,)
        Output times in hours (any order).

    Returns
    -------
    ndarray, shape (t, n, 4)
        :math:`S_i(t)=\sum_{t_j\le t} D_j e^{-\lambda_i (t-t_j)}` (mg).
    """
    td, amt, tt, t_order = sorted_inputs(rates, dose_times, amounts, times)
    n = rates.shape[0]
    # Memory layout (rate, time, subject): each step writes contiguous rows, and
    # channel_values reads contiguous rows. The returned array is a (t, n, 4) view of it.
    rates_t = np.ascontiguousarray(rates.T)
    out = np.empty((rates.shape[1], tt.shape[0], n))
    state = np.zeros((rates.shape[1], n))
    cache: dict[float, FloatArray] = {}
    now = min(td[0] if td.size else 0.0, tt[t_order[0]] if tt.size else 0.0)
    j = 0
    for k in t_order:
        target = tt[k]
        while j < td.shape[0] and td[j] <= target:
            _advance(state, rates_t, td[j] - now, cache)
            now = td[j]
            state += amt[j]
            j += 1
        _advance(state, rates_t, target - now, cache)
        now = target
        out[:, k, :] = state
    return out.transpose(1, 2, 0)


def channel_values(coef: FloatArray, states: FloatArray) -> FloatArray:
    r"""Channel values :math:`y_c = \sum_i c_{c,i} S_i`, clipped at 0, shape ``(c, n, t)``.

    ``coef`` (c, n, 4), ``states`` (t, n, 4) as returned by :func:`superpose` (fastest when it
    is that function's view of a (4, t, n) array). Computed as 4 fused row-wise products per
    channel; clipping removes round-off (-1e-17) where the exact value is 0. The result is a
    (c, n, t) view of a (c, t, n) array.
    """
    n_c, n, n_r = coef.shape
    by_rate = states.transpose(2, 0, 1)  # (4, t, n)
    out = np.zeros((n_c, states.shape[0], n))
    for c in range(n_c):
        acc = out[c]
        for r in range(n_r):
            acc += by_rate[r] * coef[c, :, r]
    np.maximum(out, 0.0, out=out)
    return out.transpose(0, 2, 1)


def superposed_channels(
    rates: FloatArray,
    coef: FloatArray,
    dose_times: npt.ArrayLike,
    amounts: npt.ArrayLike,
    times: npt.ArrayLike,
) -> FloatArray:
    r"""``channel_values(coef, superpose(rates, dose_times, amounts, times))``, faster.

    The states are kept only at the doses: between dose :math:`j` and the next, every output
    time is :math:`y_c(t)=\sum_i c_{c,i} S_i(t_j) e^{-\lambda_i (t-t_j)}`, written once per
    value by the compiled kernel (:mod:`lowdose.pk._kernel`: decay by a recurrence over the
    output steps, re-anchored with a real ``exp`` after each dose and every 32 outputs).
    Returns shape ``(c, n, t)``, a view of a ``(c, t, n)`` array, clipped at 0.
    """
    td, amt, tt, _ = sorted_inputs(rates, dose_times, amounts, times)
    plan = plan_times(td, tt)
    out = np.empty((coef.shape[0], tt.shape[0], rates.shape[0]))
    rates_t = np.ascontiguousarray(rates.T)
    fill_channels(plan, rates_t, np.ascontiguousarray(coef.transpose(0, 2, 1)), amt, out)
    return out.transpose(0, 2, 1)


def _advance(
    state: FloatArray, rates_t: FloatArray, dt: float, cache: dict[float, FloatArray]
) -> None:
    """Decay ``state`` (4, n) in place by ``exp(-rate * dt)``."""
    if dt == 0.0:
        return
    key = float(dt)
    factor = cache.get(key)
    if factor is None:
        factor = np.exp(-rates_t * key)
        if len(cache) < 64:  # why: bound memory when every step differs (irregular histories)
            cache[key] = factor
    state *= factor


def steady_state_states(
    rates: FloatArray, dose_mg: float, interval_h: float, since_dose_h: npt.ArrayLike
) -> FloatArray:
    r"""Exact :math:`S_i` after infinitely many doses of ``dose_mg`` every ``interval_h``.

    .. math:: S_i(t) = D\,\frac{e^{-\lambda_i t}}{1-e^{-\lambda_i \tau}},\qquad 0\le t<\tau

    (for :math:`t \ge \tau` it is the decay after the last dose). Returns shape ``(t, n, 4)``.
    """
    t = np.asarray(since_dose_h, dtype=np.float64).ravel()
    return (
        dose_mg * np.exp(-t[:, None, None] * rates[None]) / (-np.expm1(-rates * interval_h))[None]
    )


def interval_auc(
    start_states: FloatArray, rates: FloatArray, coef: FloatArray, length_h: float
) -> FloatArray:
    r"""Exact AUC over a dose-free interval of ``length_h`` starting from ``start_states``.

    .. math::

        \int_0^\tau \sum_i c_i S_i e^{-\lambda_i s}\,ds
        = \sum_i c_i S_i (1-e^{-\lambda_i\tau})/\lambda_i

    ``start_states`` (n, 4), ``coef`` (c, n, 4); returns (c, n) in concentration·h.
    """
    weights = start_states * (-np.expm1(-rates * length_h)) / rates
    return np.asarray(np.einsum("cnr,nr->cn", coef, weights), dtype=np.float64)


def single_dose_peak(
    params: ModelParameters, channel: Channel, dose_mg: float
) -> tuple[float, float]:
    """``(tmax_h, cmax)`` of one channel after one dose (grid search refined by Brent)."""
    pa = ParameterArrays.from_parameters(params)
    rates, coef = exponential_form(pa)
    c = coef[CHANNELS.index(channel), 0]
    r = rates[0]

    def conc(t: float) -> float:
        return float(dose_mg * np.sum(c * np.exp(-r * t)))

    grid = np.linspace(0.0, 96.0, 9601)
    values = dose_mg * (np.exp(-np.outer(grid, r)) @ c)
    k = int(np.argmax(values))
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, grid.size - 1)]
    res = minimize_scalar(
        lambda t: -conc(t), bounds=(lo, hi), method="bounded", options={"xatol": 1e-10}
    )
    return float(res.x), conc(float(res.x))
