"""The typical person: kinetic constants derived from the 50 mg label, and the full table.

:func:`calibrate_to_label` turns the label values of :data:`lowdose.pk.parameters.LABEL_50MG`
into :class:`~lowdose.pk.parameters.ModelParameters` (the derivation is in its docstring; the
model is drawn in :mod:`lowdose.pk.parameters`). It needs the closed-form kinetics for the
6β-naltrexol peak, so it lives here rather than beside the parameters, which
:mod:`lowdose.pk.kinetics` imports.
"""

from __future__ import annotations

import math

from scipy.optimize import brentq

from lowdose.errors import PkInputError
from lowdose.pk.kinetics import single_dose_peak
from lowdose.pk.parameters import (
    FITTED_EC50_MU_NG_ML,
    FITTED_SLOW_GAIN,
    FITTED_SLOW_RATE_PER_H,
    LABEL_50MG,
    SYSTEMIC_FRACTION,
    ModelParameters,
    ParameterEntry,
)

__all__ = ["calibrate_to_label", "default_parameters", "parameter_table_rows"]


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
    return (*LABEL_50MG.values(), *_derived_rows(p), *_fitted_and_assumed_rows(p))


def _derived_rows(p: ModelParameters) -> tuple[ParameterEntry, ...]:
    """The kinetic constants derived from the label, and the systemic fraction they rest on."""
    return (
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
    )


def _fitted_and_assumed_rows(p: ModelParameters) -> tuple[ParameterEntry, ...]:
    """The modelling assumptions, the occupancy model fitted to PET and the receptor ratios."""
    return (
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
