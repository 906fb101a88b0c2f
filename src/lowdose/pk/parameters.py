r"""The one parameter table of the pharmacology engine, with a source for every number.

Every value is tagged ``measured`` (read from a label or a study), ``derived`` (computed from
measured values; the derivation is stated), ``fitted`` (estimated by :mod:`lowdose.pk.fitting`
from the PET data) or ``assumed`` (no data; a modelling choice, said plainly).

Model (per mg of an oral immediate-release dose taken at :math:`t=0`; concentrations in ng/mL):

.. math::

    C_p(t) &= D\,a_p\,\frac{k_a}{k_a-k_p}\left(e^{-k_p t}-e^{-k_a t}\right) \\
    \frac{dC_m}{dt} &= D\,a_m\,k_a e^{-k_a t} + \gamma\,C_p - k_m C_m,
        \qquad \gamma = k_p\,\frac{a_m F}{(1-F)\,a_p}

:math:`a_p = F/V_p` is the apparent parent amplitude, :math:`a_m` the amplitude of
6β-naltrexol formed during first pass (about 95% of a dose is metabolised before reaching the
circulation), and :math:`\gamma` the systemic conversion of parent to metabolite, assuming the
liver converts the same fraction of naltrexone into 6β-naltrexol on the first pass and later.

The derivation of the kinetic constants from the label values, the typical person and the
full table with derived values are in :mod:`lowdose.pk.calibration` (which needs
:mod:`lowdose.pk.kinetics`; this module needs nothing from it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

from lowdose.errors import PkInputError

__all__ = [
    "LABEL_50MG",
    "ModelParameters",
    "ParameterEntry",
]

Kind = Literal["measured", "derived", "fitted", "assumed"]


@dataclass(frozen=True, slots=True)
class ParameterEntry:
    """One row of the parameter table."""

    name: str
    value: float
    unit: str
    kind: Kind
    source: str

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "kind": self.kind,
            "source": self.source,
        }


_SWISS = "Swiss Fachinformation naltrexone 50 mg (reg. 56109); ASHP monograph"

#: The single-dose 50 mg label values the default calibration must reproduce.
LABEL_50MG: dict[str, ParameterEntry] = {
    "naltrexone_cmax": ParameterEntry(
        "naltrexone_cmax", 13.3, "ng/mL", "measured", _SWISS + " (mean Cmax after 50 mg)"
    ),
    "naltrexone_tmax": ParameterEntry(
        "naltrexone_tmax", 1.0, "h", "measured", "ASHP monograph; Swiss Fachinformation (Tmax 1 h)"
    ),
    "naltrexone_half_life": ParameterEntry(
        "naltrexone_half_life", 4.0, "h", "measured", "ASHP monograph; Davis's; Swiss label (~4 h)"
    ),
    "naltrexol_cmax": ParameterEntry(
        "naltrexol_cmax", 108.0, "ng/mL", "measured", _SWISS + " (6β-naltrexol mean Cmax ~108)"
    ),
    "naltrexol_half_life": ParameterEntry(
        "naltrexol_half_life", 13.0, "h", "measured", "ASHP monograph; Swiss label (~13 h)"
    ),
}

#: Systemic availability of oral naltrexone ("systemic fraction ~5%"; J Clin Psychiatry
#: 1984;45(9):15-19). It only splits 6β-naltrexol formation into first-pass (95%) and
#: systemic (5%) parts; the parent curve is calibrated on the apparent volume V/F.
SYSTEMIC_FRACTION = 0.05

#: Occupancy-model values estimated by :func:`lowdose.pk.fitting.fit_occupancy` with its
#: defaults (PET scan at 3 h, 6β-naltrexol weight 0); a test re-runs the fit and checks them.
FITTED_SLOW_RATE_PER_H = 0.0315034
FITTED_SLOW_GAIN = 7.55064
FITTED_EC50_MU_NG_ML = 1.96926


@dataclass(frozen=True, slots=True)
class ModelParameters:
    r"""Parameters of one (typical or simulated) person. Rates in 1/h, amplitudes (ng/mL)/mg.

    Effect site (brain receptors see plasma naltrexone directly plus a slowly exchanging pool;
    see :mod:`lowdose.pk.occupancy`):

    .. math::

        C_e(t) = C_d(t) + g\,k_s\int_0^t C_d(s)\,e^{-k_s (t-s)}\,ds,
        \qquad C_d = C_p + w\,C_m
    """

    ka: float
    k_parent: float
    k_naltrexol: float
    a_parent: float
    a_naltrexol: float
    systemic_fraction: float
    k_slow: float
    slow_gain: float
    naltrexol_weight: float
    ec50_mu: float

    def __post_init__(self) -> None:
        for name in ("ka", "k_parent", "k_naltrexol", "a_parent", "k_slow", "ec50_mu"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise PkInputError(
                    f"parameter {name}={value!r} must be a positive finite number; "
                    "use default_parameters() and replace() only the values you mean to change",
                    field=name,
                )
        for name in ("a_naltrexol", "slow_gain", "naltrexol_weight"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise PkInputError(
                    f"parameter {name}={value!r} must be a finite number >= 0", field=name
                )
        if not 0 < self.systemic_fraction < 1:
            raise PkInputError(
                f"systemic_fraction={self.systemic_fraction!r} must lie strictly between 0 and 1",
                field="systemic_fraction",
            )

    @property
    def gamma(self) -> float:
        """Systemic parent → 6β-naltrexol conversion term (1/h), see the module docstring."""
        f = self.systemic_fraction
        return self.k_parent * self.a_naltrexol * f / ((1.0 - f) * self.a_parent)

    def with_changes(self, **changes: float) -> ModelParameters:
        """A copy with some values replaced (validated again)."""
        return replace(self, **changes)
