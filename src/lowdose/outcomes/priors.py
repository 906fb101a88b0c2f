r"""The weakly informative priors of the outcomes models, in one place.

The treatment-effect prior is expressed in units of the day-to-day SD :math:`s` of the outcome
(conjugate Normal–Inverse-Gamma, see :mod:`lowdose.outcomes.ar1`), so it means the same on a
calm and on a noisy diary:

=================================  =========================================  ==================
coefficient                        prior                                      why
=================================  =========================================  ==================
baseline level (intercept)         flat                                       always identified
cycle offsets (N-of-1 blocks)      flat                                       see below
linear trend (per 28 days)         flat                                       see below
treatment effect / change          :math:`N(0, (2s)^2)`                       effects beyond ±4
                                                                              SDs (≈ ±6 points
                                                                              for s = 1.5) are
                                                                              implausible
day-to-day variance :math:`s^2`    :math:`\text{Inv-Gamma}(\nu_0/2,           worth 2 pseudo-days
                                   \nu_0 s_0^2/2)`, :math:`\nu_0=2,\ s_0=1.5`
AR(1) coefficient ρ                :math:`\propto (1-\rho^2)^{-1/2}`          Jeffreys prior
=================================  =========================================  ==================

Why the nuisance coefficients are flat: in the conjugate family a prior on a coefficient is
scaled by :math:`s^2`, so it also carries information *about* :math:`s^2`. Weakly informative
N(0, (2s)²) priors on the cycle offsets and trend made the posterior understate the day-to-day
SD when autocorrelation is high (95 % intervals covered the truth in only ≈ 92.7 % of simulated
trials at ρ = 0.8); with flat nuisance priors coverage was 95.0 % (the calibration tests
pin this). Flat priors on well-identified nuisance coefficients are the standard
non-informative choice (Gelman et al., *Bayesian Data Analysis*, 3rd ed., 2013, §14.2).

Short diaries (the open-label response analysis)
------------------------------------------------
The :math:`s^2` prior is in points, so it is not weak on a three-week diary whose true SD is
far from :math:`s_0`: in the conjugate family it adds :math:`\nu_0 s_0^2/2` to the residual sum
of squares at every ρ, and the ρ Jacobian :math:`\prod_i(1-\rho^{2g_i})^{-1/2}` then rewards
explaining a too-large :math:`s^2` with ρ near 1. A calm diary (SD 0.5, ρ 0.4) was read as SD
≈ 1.3 with ρ ≈ 0.8 and its 95 % interval covered the true change 99.9 % of the time, at twice
the width needed (issue 16). The open-label analysis therefore uses :data:`OPEN_LABEL_PRIORS`:
``nu0 = 0``, the reference prior :math:`p(s^2) \propto 1/s^2` (Gelman et al. 2013, §3.2),
which makes the interval scale-equivariant. The N-of-1 analysis keeps ``nu0 = 2``: over
three cycles of 28 days the two pseudo-days are negligible, and its PyMC reference and
registered plans were computed with it.

These are modelling choices, not clinical facts: :math:`s_0 = 1.5` points is a *hypothesis*
about the typical day-to-day SD of a 0–10 rating, and carries the weight of two days of data,
so it is overwhelmed by any real diary. The effect prior shrinks the estimate towards zero by
the factor :math:`v/(v + 4s^2)` (:math:`v` the data's variance of the estimate), about 2–4 %
for a three-cycle trial; the calibration tests allow for exactly that.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lowdose.errors import OutcomesError
from lowdose.serial import Plain

__all__ = ["OPEN_LABEL_PRIORS", "Priors"]


@dataclass(frozen=True)
class Priors(Plain):
    """Prior scales (in units of the day-to-day SD ``s``) and the prior on ``s²``.

    Parameters
    ----------
    effect_sd
        Prior SD of each treatment effect / change, in units of ``s``.
    s0, nu0
        Prior guess of the day-to-day SD (points) and its weight in pseudo-days. ``nu0 = 0``
        is the reference prior :math:`p(s^2) \\propto 1/s^2` (no pseudo-days; ``s0`` unused),
        the choice of the open-label response analysis (:data:`OPEN_LABEL_PRIORS`).
    """

    effect_sd: float = 2.0
    s0: float = 1.5
    nu0: float = 2.0

    def __post_init__(self) -> None:
        for name in ("effect_sd", "s0"):
            value = getattr(self, name)
            if not value > 0:
                raise OutcomesError(f"prior {name} must be > 0, got {value!r}", field=name)
        if not (self.nu0 >= 0 and np.isfinite(self.nu0)):
            raise OutcomesError(
                f"prior nu0 must be ≥ 0 (0 = the reference prior 1/s²), got {self.nu0!r}",
                field="nu0",
            )

    @property
    def a0(self) -> float:
        """Inverse-gamma shape :math:`\\nu_0/2`."""
        return self.nu0 / 2.0

    @property
    def b0(self) -> float:
        """Inverse-gamma scale :math:`\\nu_0 s_0^2/2`."""
        return self.nu0 * self.s0**2 / 2.0


#: The open-label response analysis: the same effect prior, the reference prior on :math:`s^2`.
#: Two or three weeks of days are too few for a 1.5-point prior SD worth two pseudo-days to be
#: weak (module docstring, "Short diaries"; issue 16).
OPEN_LABEL_PRIORS = Priors(nu0=0.0)
