r"""Mechanism explorer: the two theories of how low-dose naltrexone might work, as models.

**Every output here is a hypothesis, not a prediction**; each result carries
:data:`HYPOTHESIS_LABEL`. The parameters of both models are not measured in humans; they are
user-settable, and the defaults are placeholders chosen to show the shape of each idea.

(a) Endogenous-opioid rebound (Bihari; Zagon & McLaughlin's intermittent-blockade idea) as an
indirect-response (turnover) model stimulated by μ occupancy :math:`O(t)`:

.. math::

    \frac{dP}{dt} = k\,\bigl(1 + S_{max}\,O(t)\bigr) - k\,P, \qquad P(0)=1, \qquad
    T(t) = P(t)\,\bigl(1-O(t)\bigr)

:math:`P` is endogenous opioid production relative to baseline, :math:`T` the net opioid tone
(endogenous opioid acting on free receptors; 1 = no drug). With constant occupancy :math:`o`,
:math:`T = (1+S_{max}o)(1-o)`, which exceeds 1 only when :math:`S_{max} > 1/(1-o)`: with
steady blockade the theory needs a large compensation; with *brief* blockade and slow
turnover, production stays raised while receptors are free. :math:`O(t)` is piecewise linear on the
grid and the ODE is solved exactly on each step:
:math:`P_{n+1}=P_n e^{-kh}+u_n(1-e^{-kh})+(u_{n+1}-u_n)\bigl(1-\tfrac{1-e^{-kh}}{kh}\bigr)`
with :math:`u = 1+S_{max}O`, as one linear recursion (``scipy.signal.lfilter``).

Two occupancy sources are offered: ``"fitted"`` (the PET-fitted model, which gives LDN a
sustained partial blockade) and ``"brief"`` (the slow pool switched off, i.e. occupancy that
follows plasma naltrexone: the brief nightly blockade the theory assumes).

(b) Glial/TLR4 antagonism (Hutchinson 2008): plasma naltrexone (nM) against a user-set TLR4
potency, fraction inhibited :math:`C/(C+IC_{50})`. Plasma is a stand-in for the concentration
at microglia.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy.signal import lfilter

from lowdose.errors import PkInputError
from lowdose.pk.calibration import default_parameters
from lowdose.pk.parameters import ModelParameters
from lowdose.pk.regimen import BEDTIME, Regimen
from lowdose.pk.simulate import simulate_doses

__all__ = [
    "HYPOTHESIS_LABEL",
    "NALTREXONE_MW",
    "TLR4_LITERATURE",
    "ReboundResult",
    "Tlr4Result",
    "rebound",
    "tlr4_exposure",
    "turnover",
]

HYPOTHESIS_LABEL = "HYPOTHESIS, not a prediction: parameters are not measured in humans"

#: g/mol, USP DI (Drugs.com) - converts ng/mL to nM: nM = ng/mL * 1000 / MW.
NALTREXONE_MW = 341.41

TLR4_LITERATURE: tuple[str, ...] = (
    "(+)-naltrexone, (+)-naloxone and (-)-naloxone antagonise TLR4 in cell lines; intrathecal "
    "dosing reversed neuropathic pain in rats (Hutchinson MR et al. Eur J Neurosci 2008;28:20-29).",
    "(+)-naltrexone and (+)-naloxone are equipotent TLR4 inhibitors biased to TRIF-IRF3 "
    "signalling (Br J Pharmacol 2016;173:856-869, PMC4761092); the IC50 values could not be read "
    "in the sources we have.",
    "In human blood cells, naltrexone 1-200 µM had no effect on TLR4-stimulated IL-6 "
    "(intracellular TLR7/8/9 were inhibited at 200 µM) ('Naltrexone inhibits IL-6 and TNF "
    "production in human immune cell subsets...', abstract).",
    "In mouse glial cultures naloxone acted at 0.1 nM-1 µM (review table, Cancers "
    "2021;13(21):5274); whether that is TLR4 is not settled.",
    "LDN plasma naltrexone peaks near 3.5 nM after 4.5 mg (label Cmax scaled to dose): "
    "micromolar TLR4 potencies would leave TLR4 essentially free. The potency gap is "
    "unresolved; set the potency to test a claim.",
)

#: Placeholder TLR4 IC50 (µM) used when none is given: NOT a measured value (see above).
DEFAULT_TLR4_IC50_UM = 1.0


@dataclass(frozen=True, slots=True)
class ReboundResult:
    """Net opioid tone over the last day of a regimen (model of a hypothesis)."""

    regimen: Regimen
    occupancy_source: str
    turnover_half_life_h: float
    s_max: float
    t_h: list[float]
    occupancy_mu: list[float]
    production: list[float]
    net_tone: list[float]
    label: str = HYPOTHESIS_LABEL

    @property
    def mean_net_tone(self) -> float:
        return float(np.mean(self.net_tone))

    @property
    def hours_above_baseline(self) -> float:
        step = self.t_h[1] - self.t_h[0]
        return float(np.sum(np.array(self.net_tone[:-1]) > 1.0) * step)

    def summary(self) -> str:
        return (
            f"[{self.label}] {self.regimen.label()}, occupancy {self.occupancy_source}: mean net "
            f"opioid tone {self.mean_net_tone:.2f} x baseline, {self.hours_above_baseline:.1f} "
            "h/day above baseline"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "hypothesis": "endogenous-opioid rebound (indirect-response turnover model)",
            "regimen": self.regimen.label(),
            "occupancy_source": self.occupancy_source,
            "turnover_half_life_h": self.turnover_half_life_h,
            "s_max": self.s_max,
            "mean_net_tone": self.mean_net_tone,
            "hours_above_baseline": self.hours_above_baseline,
            "timecourse": {
                "t_h": self.t_h,
                "mu": self.occupancy_mu,
                "production": self.production,
                "net_tone": self.net_tone,
            },
        }


def rebound(
    dose_mg: Decimal,
    *,
    at: time = BEDTIME,
    turnover_half_life_h: float = 24.0,
    s_max: float = 2.0,
    occupancy_source: Literal["fitted", "brief"] = "fitted",
    days: int = 28,
    step_h: float = 0.1,
    params: ModelParameters | None = None,
) -> ReboundResult:
    """Simulate the rebound hypothesis for ``dose_mg`` once daily; report the last day.

    ``turnover_half_life_h`` (ln2/k) and ``s_max`` are assumptions (defaults 24 h and 2:
    placeholders, no human data). ``days`` must cover several turnover half-lives.
    """
    if not 0.1 <= turnover_half_life_h <= 24 * 60:
        raise PkInputError("turnover_half_life_h must be 0.1-1440 h", field="turnover_half_life_h")
    if not 0 <= s_max <= 100:
        raise PkInputError("s_max must be 0-100 (fold stimulation at full block)", field="s_max")
    if occupancy_source not in ("fitted", "brief"):
        raise PkInputError("occupancy_source must be 'fitted' or 'brief'", field="occupancy_source")
    p = params or default_parameters()
    if occupancy_source == "brief":
        p = p.with_changes(slow_gain=0.0)
    reg = Regimen(dose_mg, at, days=days)
    doses = reg.dose_times_h()
    t = np.arange(float(doses[0]), float(doses[-1]) + reg.interval_h + step_h / 2, step_h)
    occ = simulate_doses([(float(d), dose_mg) for d in doses], t, params=p).occupancy["mu"]
    prod = turnover(occ, math.log(2.0) / turnover_half_life_h, s_max, step_h)
    tone = prod * (1.0 - occ)
    last = t >= float(doses[-1]) - 1e-9
    t0 = float(doses[-1])
    return ReboundResult(
        regimen=reg,
        occupancy_source=occupancy_source,
        turnover_half_life_h=turnover_half_life_h,
        s_max=s_max,
        t_h=[round(float(v - t0), 9) for v in t[last]],
        occupancy_mu=occ[last].tolist(),
        production=prod[last].tolist(),
        net_tone=tone[last].tolist(),
    )


def turnover(
    occ: npt.NDArray[np.float64], k: float, s_max: float, step_h: float
) -> npt.NDArray[np.float64]:
    """Exact solution of the turnover ODE for occupancy piecewise linear on a uniform grid."""
    a = math.exp(-k * step_h)
    u = 1.0 + s_max * occ
    frac = 1.0 - (1.0 - a) / (k * step_h)
    drive = u[:-1] * (1.0 - a) + (u[1:] - u[:-1]) * frac
    prod = np.empty_like(occ)
    prod[0] = 1.0
    prod[1:] = lfilter([1.0], [1.0, -a], drive, zi=[a * 1.0])[0]
    return prod


@dataclass(frozen=True, slots=True)
class Tlr4Result:
    """Plasma naltrexone against a TLR4 potency over one steady-state day (hypothesis)."""

    regimen: Regimen
    ic50_um: float
    ic50_is_placeholder: bool
    cmax_nm: float
    cavg_nm: float
    inhibition_at_peak: float
    inhibition_average: float
    literature: tuple[str, ...] = field(default=TLR4_LITERATURE)
    label: str = HYPOTHESIS_LABEL

    def summary(self) -> str:
        src = "placeholder" if self.ic50_is_placeholder else "user-set"
        return (
            f"[{self.label}] {self.regimen.label()}: plasma naltrexone peak {self.cmax_nm:.3g} nM "
            f"vs TLR4 IC50 {self.ic50_um:g} µM ({src}) -> {self.inhibition_at_peak:.2%} at peak"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "hypothesis": "glial TLR4 antagonism",
            "regimen": self.regimen.label(),
            "ic50_um": self.ic50_um,
            "ic50_source": "placeholder (not measured)" if self.ic50_is_placeholder else "user-set",
            "cmax_nm": self.cmax_nm,
            "cavg_nm": self.cavg_nm,
            "ic50_over_cmax": self.ic50_um * 1000.0 / self.cmax_nm if self.cmax_nm else None,
            "inhibition_at_peak": self.inhibition_at_peak,
            "inhibition_average": self.inhibition_average,
            "literature": list(self.literature),
        }


def tlr4_exposure(
    dose_mg: Decimal,
    *,
    ic50_um: float | None = None,
    params: ModelParameters | None = None,
) -> Tlr4Result:
    """Plasma naltrexone (nM) over a steady-state day against a TLR4 IC50 (µM)."""
    if ic50_um is not None and not (math.isfinite(ic50_um) and 1e-6 <= ic50_um <= 1e4):
        raise PkInputError("ic50_um must be 1e-6 to 1e4 µM", field="ic50_um")
    ic50 = DEFAULT_TLR4_IC50_UM if ic50_um is None else ic50_um
    reg = Regimen(dose_mg, days=14)
    doses = reg.dose_times_h()
    t = float(doses[-1]) + np.arange(0.0, reg.interval_h, 0.05)
    sim = simulate_doses([(float(d), dose_mg) for d in doses], t, params=params)
    nm = sim.naltrexone_ng_ml * 1000.0 / NALTREXONE_MW
    ic50_nm = ic50 * 1000.0
    return Tlr4Result(
        regimen=reg,
        ic50_um=ic50,
        ic50_is_placeholder=ic50_um is None,
        cmax_nm=float(nm.max()),
        cavg_nm=float(nm.mean()),
        inhibition_at_peak=float(nm.max() / (nm.max() + ic50_nm)),
        inhibition_average=float(np.mean(nm / (nm + ic50_nm))),
    )
