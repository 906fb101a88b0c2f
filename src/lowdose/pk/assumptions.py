"""Plain-language assumptions attached to every output of :mod:`lowdose.pk`."""

from __future__ import annotations

__all__ = ["ASSUMPTIONS", "OCCUPANCY_LABEL"]

ASSUMPTIONS: tuple[str, ...] = (
    "Kinetics are calibrated to the 50 mg tablet label (naltrexone Cmax 13.3 ng/mL at 1 h, "
    "t½ 4 h; 6β-naltrexol Cmax 108 ng/mL, t½ 13 h). Dose-proportionality was shown only for "
    "50-200 mg; below 50 mg it is assumed (no PK study of 1-5 mg immediate-release naltrexone).",
    "Compounded capsules and liquids are assumed to behave like the immediate-release tablet.",
    "Brain occupancy is a model fitted to 7 single-dose PET scans (Rabiner 2011, scan time "
    "assumed 3 h) and the offset after 50 mg (Lee 1988); no PET data exist for repeated low "
    "doses or for how long occupancy lasts after doses below 12.5 mg.",
    "κ and δ occupancy use the relative potencies of Trøstheim 2022 (2x and 79x the μ ED50); "
    "they are not fitted to κ or δ PET data.",
    "6β-naltrexol is assumed not to contribute at brain receptors (it crosses the blood-brain "
    "barrier poorly).",
    "No effect of food, liver or kidney disease, age, sex or interacting drugs is modelled "
    "(liver impairment raises exposure 5-10x per the label).",
)

OCCUPANCY_LABEL = (
    "model estimate: fitted to single-dose PET data and extrapolated to repeated and low doses"
)
