r"""The weakly informative priors of the outcomes models, in one place.

All coefficient priors are expressed in units of the day-to-day SD :math:`s` of the outcome
(conjugate Normal–Inverse-Gamma, see :mod:`lowdose.outcomes.ar1`), so they mean the same on a
calm and on a noisy diary:

==============================  ==========================================  ====================
coefficient                     prior                                       why
==============================  ==========================================  ====================
baseline level (intercept)      flat                                        always well identified
treatment effect (per arm)      :math:`N(0, (2s)^2)`                        effects beyond ±4 SDs
                                                                            (≈ ±6 points for s=1.5)
                                                                            are implausible; the
                                                                            data dominate after a
                                                                            few weeks
cycle offsets (N-of-1)          :math:`N(0, (2s)^2)`                        same reasoning
linear trend (per 28 days)      :math:`N(0, s^2)`                           slow drift only
day-to-day variance :math:`s^2`  :math:`\text{Inv-Gamma}(\nu_0/2, \nu_0 s_0^2/2)`,
                                :math:`\nu_0 = 2,\ s_0 = 1.5` points        worth 2 pseudo-days
AR(1) coefficient ρ             :math:`U(-1, 1)`                            no preference
==============================  ==========================================  ====================

These are modelling choices, not clinical facts: :math:`s_0 = 1.5` points is a *hypothesis*
about typical day-to-day SD of a 0–10 rating, and carries the weight of two days of data, so it
is overwhelmed by any real diary. The calibration tests in ``tests/outcomes`` check that the
resulting 95 % intervals cover a known effect at close to the nominal rate.
"""

from __future__ import annotations

from dataclasses import dataclass

from lowdose.outcomes.errors import OutcomesError

__all__ = ["Priors"]


@dataclass(frozen=True)
class Priors:
    """Prior scales (in units of the day-to-day SD ``s``) and the prior on ``s²``.

    Parameters
    ----------
    effect_sd
        Prior SD of each treatment effect / change, in units of ``s``.
    cycle_sd
        Prior SD of each cycle offset, in units of ``s``.
    trend_sd
        Prior SD of the slope per 28 days, in units of ``s``.
    s0, nu0
        Prior guess of the day-to-day SD (points) and its weight in pseudo-days.
    """

    effect_sd: float = 2.0
    cycle_sd: float = 2.0
    trend_sd: float = 1.0
    s0: float = 1.5
    nu0: float = 2.0

    def __post_init__(self) -> None:
        for name in ("effect_sd", "cycle_sd", "trend_sd", "s0", "nu0"):
            value = getattr(self, name)
            if not value > 0:
                raise OutcomesError(f"prior {name} must be > 0, got {value!r}", field=name)

    @property
    def a0(self) -> float:
        """Inverse-gamma shape :math:`\\nu_0/2`."""
        return self.nu0 / 2.0

    @property
    def b0(self) -> float:
        """Inverse-gamma scale :math:`\\nu_0 s_0^2/2`."""
        return self.nu0 * self.s0**2 / 2.0

    def to_dict(self) -> dict[str, float]:
        return {
            "effect_sd": self.effect_sd,
            "cycle_sd": self.cycle_sd,
            "trend_sd": self.trend_sd,
            "s0": self.s0,
            "nu0": self.nu0,
        }
