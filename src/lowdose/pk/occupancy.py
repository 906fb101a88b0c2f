r"""Brain opioid-receptor occupancy: the effect-site model and the human data it is fitted to.

Model (a hypothesis about mechanism, fitted to data; see ``docs/pharmacology.md``): receptors
see plasma naltrexone directly plus a slowly exchanging pool fed by it,

.. math::

    C_e(t) = C_d(t) + g\,k_s\!\int_0^t C_d(s)\,e^{-k_s (t-s)}\,ds, \qquad
    \mathrm{Occ}_r(t) = \frac{C_e(t)}{C_e(t) + \mathrm{EC}_{50,\mu}\,\rho_r},

with :math:`\rho_\mu=1`, :math:`\rho_\kappa=2`, :math:`\rho_\delta=79` (relative ED50s of
Trøstheim et al. 2022, doi 10.1038/s41386-022-01416-z). The fast term gives the high early
occupancy measured by PET within 8 h; the slow pool (half-life about 22 h once fitted) gives
the slow offset after 50 mg (Lee et al. 1988, J Nucl Med 29:1207-1211). :math:`C_e` is in
plasma-equivalent ng/mL; the pool may stand for brain retention, rebinding or slow receptor
dissociation, which the data cannot tell apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from lowdose.errors import PkInputError

__all__ = [
    "EC50_RATIO",
    "LEE_1988",
    "PET_SINGLE_DOSE",
    "RECEPTORS",
    "OffsetObservation",
    "PetObservation",
    "Receptor",
    "check_receptor",
    "occupancy",
]

Receptor = Literal["mu", "kappa", "delta"]
RECEPTORS: tuple[Receptor, ...] = ("mu", "kappa", "delta")

#: Relative ED50 (κ = 2 × μ, δ = 79 × μ): Trøstheim et al. 2022, read from the authors' app
#: code (github.com/martintrostheim/opioid-antagonist-planner); based on naloxone affinity ratios.
EC50_RATIO: dict[Receptor, float] = {"mu": 1.0, "kappa": 2.0, "delta": 79.0}


@dataclass(frozen=True, slots=True)
class PetObservation:
    """One single-dose PET measurement of μ-receptor occupancy (fraction 0-1)."""

    dose_mg: float
    occupancy: float
    source: str


@dataclass(frozen=True, slots=True)
class OffsetObservation:
    """One statement about the decline of occupancy after a single 50 mg dose."""

    label: str
    time_h: float
    target: float
    sigma: float
    source: str


_RABINER = (
    "Rabiner EA et al. Mol Psychiatry 2011;16:826-835, [11C]carfentanil PET < 8 h after a "
    "single oral dose, as tabulated in Trøstheim et al. 2022 Table 1"
)

#: Rabiner 2011 single oral doses (n = 7 scans in the tabulation).
PET_SINGLE_DOSE: tuple[PetObservation, ...] = (
    PetObservation(2.0, 0.27, _RABINER),
    PetObservation(5.0, 0.43, _RABINER),
    PetObservation(5.0, 0.46, _RABINER),
    PetObservation(5.0, 0.58, _RABINER),
    PetObservation(15.0, 0.61, _RABINER),
    PetObservation(50.0, 0.92, _RABINER),
    PetObservation(50.0, 0.98, _RABINER),
)

_LEE = "Lee MC et al. J Nucl Med 1988;29:1207-1211; Swiss Fachinformation (70-80% at 48 h)"

#: The slow offset after 50 mg. ``half_time`` means: occupancy at 90 h (the middle of the
#: reported 72-108 h blockade half-time) equals half the occupancy at 1 h; its target is a
#: ratio (0.5). sigma 0.05: the 70-80% range read as ±1 SD; same scale for the half-time.
LEE_1988: tuple[OffsetObservation, ...] = (
    OffsetObservation("occupancy_48h", 48.0, 0.75, 0.05, _LEE),
    OffsetObservation("half_time_90h", 90.0, 0.5, 0.05, _LEE),
)


def check_receptor(receptor: str) -> Receptor:
    """Return ``receptor`` if it is one of :data:`RECEPTORS`, else raise a clear error."""
    if receptor not in EC50_RATIO:
        raise PkInputError(
            f"receptor {receptor!r} is unknown; use one of {', '.join(RECEPTORS)}",
            field="receptor",
        )
    return receptor  # type: ignore[return-value]


def occupancy(
    effect_conc: npt.ArrayLike, ec50_mu: npt.ArrayLike, receptor: Receptor = "mu"
) -> npt.NDArray[np.float64]:
    r"""Fraction of receptors occupied, :math:`C_e/(C_e + \mathrm{EC}_{50,\mu}\rho_r)`.

    ``ec50_mu`` broadcasts against ``effect_conc`` (e.g. shape ``(n, 1)`` against ``(n, t)``).
    """
    ce = np.asarray(effect_conc, dtype=np.float64)
    ec = np.asarray(ec50_mu, dtype=np.float64) * EC50_RATIO[check_receptor(receptor)]
    return ce / (ce + ec)
