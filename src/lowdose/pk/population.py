r"""Populations: seeded log-normal between-subject variability (BSV) and percentile bands.

Each subject's parameter is :math:`\theta_i = \theta_{typ}\,e^{\eta_i}`,
:math:`\eta_i\sim N(0,\omega^2)`, independent across parameters (no correlations: assumed).
Bioavailability :math:`F` and volume :math:`V` act through the apparent amplitude
:math:`a_p = F/V_p`; clearance and volume through :math:`k_p = CL/V`.

Only one variability figure exists for oral naltrexone: a 4-fold range of serum 6β-naltrexol
between subjects at a fixed dose (n = 23; ACNP-indexed secondary analysis of heavy drinkers on
50/100 mg/day). The expected range of 23 normal draws is about 3.7 SD, so
:math:`\omega = \ln 4 / 3.7 \approx 0.37` on 6β-naltrexol exposure (derived). The label's
bioavailability of 5-40%, read as a 95% range, gives :math:`\omega_F=\ln 8/3.92\approx 0.53`
(derived, with that reading assumed). Everything else is an assumption and labelled so.

Subjects are simulated in chunks (default 4096) so memory stays near 100 MB for any ``n``;
time-course bands use the first ``band_subjects`` subjects (iid draws, so a random sample).
"""

from __future__ import annotations

import math
import time as _time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from lowdose.errors import PkInputError
from lowdose.pk._kernel import fill_channels, plan_times
from lowdose.pk.assumptions import ASSUMPTIONS, OCCUPANCY_LABEL
from lowdose.pk.calibration import default_parameters
from lowdose.pk.kinetics import (
    ParameterArrays,
    exponential_form,
    exponential_form_rows,
    sorted_inputs,
    superposed_channels,
)
from lowdose.pk.metrics import compute_interval_metrics
from lowdose.pk.occupancy import occupancy
from lowdose.pk.parameters import ModelParameters
from lowdose.pk.regimen import Regimen

__all__ = [
    "DEFAULT_VARIABILITY",
    "PERCENTILES",
    "PopulationResult",
    "PopulationSimulation",
    "Variability",
    "iter_population_grid",
    "sample_parameters",
]

FloatArray = npt.NDArray[np.float64]
PERCENTILES: tuple[int, ...] = (5, 50, 95)
_GROUP_SUBJECTS = 65_536  # why: 128 B of rates and coefficients per subject, ~8 MB a group
_NO_PERCENTILE = {"unblocked.longest_start_clock_h"}  # a clock time: circular, no percentiles


@dataclass(frozen=True, slots=True)
class Variability:
    """Log-normal BSV of one parameter: SD ``omega`` of log values."""

    parameter: str
    omega: float
    kind: str
    source: str


DEFAULT_VARIABILITY: tuple[Variability, ...] = (
    Variability(
        "bioavailability",
        math.log(8.0) / 3.92,
        "derived",
        "label F 5-40% (Davis's; e-lactancia) read as a 95% range: ln(8)/(2*1.96)",
    ),
    Variability(
        "naltrexol_exposure",
        math.log(4.0) / 3.7,
        "derived",
        "4-fold range of serum 6β-naltrexol at a fixed dose, n=23 (ACNP-indexed secondary "
        "analysis); expected range of 23 normals ≈ 3.7 SD",
    ),
    Variability("clearance", 0.3, "assumed", "no oral population PK exists; a typical ω"),
    Variability("volume", 0.3, "assumed", "no oral population PK exists; a typical ω"),
    Variability("absorption_rate", 0.5, "assumed", "absorption is usually the most variable"),
    Variability("occupancy_ec50", 0.3, "assumed", "no individual PET potency data; a typical ω"),
)
_KNOWN = {v.parameter for v in DEFAULT_VARIABILITY}


def sample_parameters(
    n: int,
    seed: int,
    params: ModelParameters | None = None,
    variability: tuple[Variability, ...] = DEFAULT_VARIABILITY,
) -> ParameterArrays:
    """Draw ``n`` subjects (seeded, reproducible: same seed and ``n`` give the same people)."""
    if not 1 <= n <= 10_000_000:
        raise PkInputError(f"n_subjects={n} must be 1-10,000,000", field="subjects")
    p = params or default_parameters()
    rng = np.random.default_rng(seed)
    eta: dict[str, FloatArray] = {}
    for v in variability:
        if v.parameter not in _KNOWN:
            raise PkInputError(
                f"unknown variability parameter {v.parameter!r}; use one of {sorted(_KNOWN)}",
                field="variability",
            )
        if not (math.isfinite(v.omega) and 0 <= v.omega <= 2):
            raise PkInputError(f"omega {v.omega} for {v.parameter} must be 0-2", field="omega")
        eta[v.parameter] = rng.normal(0.0, v.omega, n) if v.omega > 0 else np.zeros(n)
    zero = np.zeros(n)

    def e(name: str) -> FloatArray:
        return np.exp(eta.get(name, zero))

    cl, vol = e("clearance"), e("volume")
    ones = np.ones(n)
    k_parent = p.k_parent * cl / vol
    # keep rate constants distinct (the closed form divides by their differences)
    for other in (p.k_naltrexol, p.k_slow):
        close = np.abs(k_parent - other) < 1e-6 * other
        k_parent = np.where(close, other * (1 + 1e-5), k_parent)
    ka = np.maximum(p.ka * e("absorption_rate"), k_parent * (1 + 1e-5))
    ka = np.where(np.abs(ka - p.k_naltrexol) < 1e-6 * ka, ka * (1 + 1e-5), ka)
    return ParameterArrays(
        ka=ka,
        k_parent=k_parent,
        k_naltrexol=p.k_naltrexol * ones,
        a_parent=p.a_parent * e("bioavailability") / vol,
        a_naltrexol=p.a_naltrexol * e("naltrexol_exposure"),
        systemic_fraction=p.systemic_fraction * ones,
        k_slow=p.k_slow * ones,
        slow_gain=p.slow_gain * ones,
        naltrexol_weight=p.naltrexol_weight * ones,
        ec50_mu=p.ec50_mu * e("occupancy_ec50"),
    )


def iter_population_grid(
    population: ParameterArrays,
    dose_times_h: npt.ArrayLike,
    amounts: npt.ArrayLike,
    times_h: npt.ArrayLike,
    *,
    chunk_size: int = 4096,
    reuse_buffers: bool = False,
) -> Iterator[tuple[slice, FloatArray, FloatArray]]:
    """Yield ``(subjects, conc, mu)`` chunk by chunk over the full time grid.

    ``conc`` has shape ``(3, chunk, t)`` (naltrexone, 6β-naltrexol, effect site; ng/mL) and
    ``mu`` ``(chunk, t)``; ``amounts`` (mg) is ``(d,)`` for everyone or ``(n, d)`` per subject.
    Memory stays ~ ``chunk_size * t * 32`` bytes whatever ``n`` is. Each value is computed and
    written once by the compiled kernel (:mod:`lowdose.pk._kernel`).

    ``reuse_buffers=True`` writes every chunk into **the same** arrays: a chunk is valid only
    until the next one is requested (copy what you keep). It saves allocating (and the operating
    system zeroing) fresh memory per chunk; the default hands out fresh arrays.
    """
    if chunk_size < 1:
        raise PkInputError("chunk_size must be positive", field="chunk")
    per_subject = np.ndim(amounts) == 2  # else one amount per dose for everyone
    rows = population.n if per_subject else 1
    td, amt_all, tt, _ = sorted_inputs(np.empty((rows, 4)), dose_times_h, amounts, times_h)
    plan = plan_times(td, tt)
    n_t = tt.shape[0]
    shared = np.empty(4 * n_t * min(chunk_size, population.n)) if reuse_buffers else None
    # the coefficients of several chunks at once (fewer numpy calls), bounded at ~8 MB
    group = chunk_size * max(1, _GROUP_SUBJECTS // chunk_size)
    for g0 in range(0, population.n, group):
        members = population.take(slice(g0, min(population.n, g0 + group)), checked=True)
        rates_t, coef_t = exponential_form_rows(members)  # (4, n), (3, 4, n), rows contiguous
        for lo in range(0, members.n, chunk_size):
            own = slice(lo, min(members.n, lo + chunk_size))
            m = own.stop - lo
            sl = slice(g0 + lo, g0 + own.stop)
            flat = shared[: 4 * n_t * m] if shared is not None else np.empty(4 * n_t * m)
            buf = flat.reshape(4, n_t, m)  # naltrexone, 6β-naltrexol, effect, μ; subjects inner
            amt = np.broadcast_to(amt_all[:, sl] if per_subject else amt_all, (td.size, m))
            fill_channels(
                plan,
                np.ascontiguousarray(rates_t[:, own]),
                np.ascontiguousarray(coef_t[:, :, own]),
                amt.copy(),  # C-contiguous and writeable: one compiled signature
                buf[:3],
                ec50=members.ec50_mu[own],
                mu=buf[3],
            )
            yield sl, buf[:3].transpose(0, 2, 1), buf[3].T


@dataclass(frozen=True, slots=True)
class PopulationResult:
    """Percentiles of the metrics over all subjects, and time-course bands."""

    regimen: Regimen
    n_subjects: int
    seed: int
    percentiles: dict[str, dict[str, float]]
    band_times_h: FloatArray
    bands: dict[str, FloatArray]  # channel -> array (3, t): p5, p50, p95
    band_subjects: int
    elapsed_s: float
    variability: tuple[Variability, ...] = DEFAULT_VARIABILITY
    assumptions: tuple[str, ...] = field(default=ASSUMPTIONS)

    def summary(self) -> str:
        mu = self.percentiles["occupancy.mu.trough"]
        return (
            f"{self.n_subjects} subjects (seed {self.seed}), {self.regimen.label()}: μ trough "
            f"p5 {mu['p5']:.0%}, p50 {mu['p50']:.0%}, p95 {mu['p95']:.0%} "
            f"({self.elapsed_s:.2f} s; {OCCUPANCY_LABEL})"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "regimen": self.regimen.label(),
            "n_subjects": self.n_subjects,
            "seed": self.seed,
            "percentiles": self.percentiles,
            "bands": {
                "t_h": self.band_times_h.tolist(),
                "subjects": self.band_subjects,
                **{
                    ch: {f"p{q}": arr[i].tolist() for i, q in enumerate(PERCENTILES)}
                    for ch, arr in self.bands.items()
                },
            },
            "variability": [
                {"parameter": v.parameter, "omega": v.omega, "kind": v.kind, "source": v.source}
                for v in self.variability
            ],
            "assumptions": list(self.assumptions),
        }


class PopulationSimulation:
    """Configure a population run; :meth:`fit` simulates it.

    Parameters
    ----------
    regimen : Regimen
    n_subjects : int
    seed : int
    band_step_h : float
        Time-course band resolution (default hourly, over the whole regimen plus one interval).
    metric_step_h : float
        Grid step for the hours-above metrics (default 0.25 h).
    chunk_size : int
        Subjects per chunk (memory ~ ``chunk_size`` x time points x 56 bytes).
    band_subjects : int
        Subjects used for the time-course percentile bands (all metrics use every subject).
    progress : callable, optional
        Called as ``progress(done, total)`` after each chunk.
    """

    def __init__(
        self,
        regimen: Regimen,
        n_subjects: int,
        seed: int,
        *,
        params: ModelParameters | None = None,
        variability: tuple[Variability, ...] = DEFAULT_VARIABILITY,
        band_step_h: float = 1.0,
        metric_step_h: float = 0.25,
        chunk_size: int = 4096,
        band_subjects: int = 20_000,
        unblocked_below: float = 0.25,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        if not 0.01 <= band_step_h <= 24 or not 0.01 <= metric_step_h <= 1:
            raise PkInputError("band_step_h must be 0.01-24 h and metric_step_h 0.01-1 h")
        if chunk_size < 1 or band_subjects < 1:
            raise PkInputError("chunk_size and band_subjects must be positive", field="chunk")
        self.regimen = regimen
        self.n_subjects = n_subjects
        self.seed = seed
        self.params = params or default_parameters()
        self.variability = variability
        self.band_step_h = band_step_h
        self.metric_step_h = metric_step_h
        self.chunk_size = chunk_size
        self.band_subjects = min(band_subjects, n_subjects)
        self.unblocked_below = unblocked_below
        self.progress = progress
        self._population = sample_parameters(n_subjects, seed, self.params, variability)

    def fit(self) -> PopulationResult:
        start = _time.perf_counter()
        reg = self.regimen
        dose_times = reg.dose_times_h()
        amounts = np.full(dose_times.size, float(reg.dose_mg))
        end = float(dose_times[-1]) + reg.interval_h
        band_t = np.arange(0.0, end + 1e-9, self.band_step_h)
        n, nb = self.n_subjects, self.band_subjects
        band_store = {
            ch: np.empty((nb, band_t.size), dtype=np.float32)
            for ch in ("naltrexone_ng_ml", "naltrexol_ng_ml", "mu")
        }
        metric_store: dict[str, FloatArray] = {}
        for lo in range(0, n, self.chunk_size):
            hi = min(n, lo + self.chunk_size)
            pa = self._population.take(slice(lo, hi))
            gm = compute_interval_metrics(
                pa,
                dose_times,
                amounts,
                reg.interval_h,
                unblocked_below=self.unblocked_below,
                step_h=self.metric_step_h,
            )
            for key, arr in gm.values.items():
                metric_store.setdefault(key, np.empty(n))[lo:hi] = arr
            if lo < nb:
                b_hi = min(hi, nb)
                sub = pa.take(slice(0, b_hi - lo))
                rates, coef = exponential_form(sub)
                conc = superposed_channels(rates, coef, dose_times, amounts, band_t)
                band_store["naltrexone_ng_ml"][lo:b_hi] = conc[0]
                band_store["naltrexol_ng_ml"][lo:b_hi] = conc[1]
                band_store["mu"][lo:b_hi] = occupancy(conc[2], sub.ec50_mu[:, None])
            if self.progress is not None:
                self.progress(hi, n)
        pct = {
            key: dict(
                zip(
                    (f"p{q}" for q in PERCENTILES),
                    (float(v) for v in np.percentile(arr, PERCENTILES)),
                    strict=True,
                )
            )
            for key, arr in metric_store.items()
            if key not in _NO_PERCENTILE
        }
        bands = {
            ch: np.percentile(arr, PERCENTILES, axis=0).astype(np.float64)
            for ch, arr in band_store.items()
        }
        return PopulationResult(
            regimen=reg,
            n_subjects=n,
            seed=self.seed,
            percentiles=pct,
            band_times_h=band_t,
            bands=bands,
            band_subjects=nb,
            elapsed_s=_time.perf_counter() - start,
            variability=self.variability,
        )
