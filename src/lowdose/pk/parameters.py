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
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Literal

from scipy.optimize import brentq

from lowdose.errors import PkInputError

__all__ = [
    "LABEL_50MG",
    "ModelParameters",
    "ParameterEntry",
    "calibrate_to_label",
    "default_parameters",
    "parameter_table_rows",
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


def _tmax_of(ka: float, k: float) -> float:
    return math.log(ka / k) / (ka - k)


def calibrate_to_label(
    *,
    cmax_parent: float = LABEL_50MG["naltrexone_cmax"].value,
    tmax_parent: float = LABEL_50MG["naltrexone_tmax"].value,
    half_life_parent: float = LABEL_50MG["naltrexone_half_life"].value,
    cmax_naltrexol: float = LABEL_50MG["naltrexol_cmax"].value,
    half_life_naltrexol: float = LABEL_50MG["naltrexol_half_life"].value,
    reference_dose_mg: float = 50.0,
) -> ModelParameters:
    r"""Derive the kinetic constants from single-dose label values.

    * :math:`k_p = \ln 2 / t_{1/2,p}`, :math:`k_m = \ln 2/t_{1/2,m}`;
    * :math:`k_a` solves :math:`t_{max} = \ln(k_a/k_p)/(k_a-k_p)` with :math:`k_a > k_p`;
    * :math:`a_p = C_{max}/\bigl(D\,\tfrac{k_a}{k_a-k_p}(e^{-k_p t_{max}}-e^{-k_a t_{max}})\bigr)`;
    * :math:`a_m` scales the metabolite curve (linear in :math:`a_m`) so its maximum is the
      label Cmax (found on a fine grid refined by bounded scalar minimisation).
    """
    k_p = math.log(2.0) / half_life_parent
    k_m = math.log(2.0) / half_life_naltrexol
    if not 0 < tmax_parent < 1.0 / k_p:
        raise PkInputError(
            f"tmax {tmax_parent} h cannot be produced with half-life {half_life_parent} h; "
            f"tmax must be below 1/k = {1.0 / k_p:.3g} h",
            field="tmax_parent",
        )
    ka = float(brentq(lambda a: _tmax_of(a, k_p) - tmax_parent, k_p * (1 + 1e-9), 1e4, xtol=1e-14))
    shape = ka / (ka - k_p) * (math.exp(-k_p * tmax_parent) - math.exp(-ka * tmax_parent))
    a_p = cmax_parent / (reference_dose_mg * shape)
    unit = ModelParameters(
        ka=ka,
        k_parent=k_p,
        k_naltrexol=k_m,
        a_parent=a_p,
        a_naltrexol=1.0,
        systemic_fraction=SYSTEMIC_FRACTION,
        k_slow=FITTED_SLOW_RATE_PER_H,
        slow_gain=FITTED_SLOW_GAIN,
        naltrexol_weight=0.0,
        ec50_mu=FITTED_EC50_MU_NG_ML,
    )
    from lowdose.pk.kinetics import single_dose_peak  # local: kinetics imports this module

    peak_unit = single_dose_peak(unit, "naltrexol", reference_dose_mg)[1]
    return unit.with_changes(a_naltrexol=cmax_naltrexol / peak_unit)


_DEFAULT: ModelParameters | None = None


def default_parameters() -> ModelParameters:
    """The typical-person parameters: label calibration plus the fitted occupancy model."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = calibrate_to_label()
    return _DEFAULT


def parameter_table_rows() -> tuple[ParameterEntry, ...]:
    """The full table, with the derived values computed from the measured ones."""
    p = default_parameters()
    label = tuple(LABEL_50MG.values())
    return (
        *label,
        ParameterEntry(
            "ka",
            p.ka,
            "1/h",
            "derived",
            "solves tmax = ln(ka/k)/(ka-k) for the label tmax 1 h and t½ 4 h",
        ),
        ParameterEntry("k_parent", p.k_parent, "1/h", "derived", "ln 2 / 4 h (label t½)"),
        ParameterEntry("k_naltrexol", p.k_naltrexol, "1/h", "derived", "ln 2 / 13 h (label t½)"),
        ParameterEntry(
            "apparent_volume_parent_L",
            1000.0 / p.a_parent,
            "L",
            "derived",
            "V/F from label Cmax 13.3 ng/mL after 50 mg at tmax 1 h",
        ),
        ParameterEntry(
            "a_naltrexol",
            p.a_naltrexol,
            "(ng/mL)/mg",
            "derived",
            "scaled so the 6β-naltrexol peak after 50 mg is the label 108 ng/mL",
        ),
        ParameterEntry(
            "systemic_fraction",
            p.systemic_fraction,
            "1",
            "measured",
            "systemic fraction ~5%, J Clin Psychiatry 1984;45(9):15-19 (label range 5-40%)",
        ),
        ParameterEntry(
            "same_conversion_first_pass_and_systemic",
            1.0,
            "flag",
            "assumed",
            "the liver forms 6β-naltrexol from the same fraction of naltrexone on first pass "
            "and afterwards (no source; it moves <5% of the metabolite curve)",
        ),
        ParameterEntry(
            "dose_linearity_below_50mg",
            1.0,
            "flag",
            "assumed",
            "linearity shown only for 50-200 mg (J Clin Psychiatry 1984); no PK study of 1-5 mg IR",
        ),
        ParameterEntry(
            "k_slow",
            p.k_slow,
            "1/h",
            "fitted",
            "slow effect-site pool; fitted to Rabiner 2011 PET (via Trøstheim 2022 Table 1) "
            "and Lee 1988 offset (J Nucl Med 29:1207)",
        ),
        ParameterEntry("slow_gain", p.slow_gain, "1", "fitted", "as k_slow"),
        ParameterEntry("ec50_mu", p.ec50_mu, "ng/mL", "fitted", "as k_slow; effect-site units"),
        ParameterEntry(
            "naltrexol_weight",
            p.naltrexol_weight,
            "1",
            "assumed",
            "6β-naltrexol adds nothing at brain receptors: no central effect at 20 mg IV "
            "(Pain Med 2011, doi 10.1111/j.1526-4637.2011.01279.x); no correlation with "
            "occupancy (Weerts 2008). Sensitivity with w>0 in docs/pharmacology.md",
        ),
        ParameterEntry(
            "ec50_ratio_kappa",
            2.0,
            "1",
            "measured",
            "KOR ED50 = 2 x MOR ED50, Trøstheim 2022 (opioid-antagonist-planner app code)",
        ),
        ParameterEntry(
            "ec50_ratio_delta",
            79.0,
            "1",
            "measured",
            "DOR ED50 = 79 x MOR ED50, Trøstheim 2022 (based on naloxone affinity ratios)",
        ),
    )
