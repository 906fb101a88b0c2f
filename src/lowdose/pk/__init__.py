"""Naltrexone and 6β-naltrexol kinetics, brain opioid-receptor occupancy, and hypotheses.

Public API (plain data in, frozen results out; fast enough for a web request):

* :func:`simulate_doses` - concentrations and μ/κ/δ occupancy for a recorded dose history.
* :func:`washout_hours` - hours after the last of many daily doses until occupancy falls
  below a threshold (used to size N-of-1 run-in and washout periods).
* :func:`default_parameters`, :func:`parameter_table_rows` - the calibrated parameter table.
* :class:`OccupancyFit` - re-fit the occupancy model to the PET data.
* :func:`regimen_metrics`, :func:`compare_with` - peak/trough occupancy, hours above 25/50/90%,
  the unblocked window, time to steady state; any regimen next to 50 mg.
* :class:`lowdose.pk.population.PopulationSimulation` - seeded between-subject variability.
* :mod:`lowdose.pk.charts` - plain-data curves and Vega-Lite specs (24 h and 7 days).
* :mod:`lowdose.pk.mechanisms` - the rebound and TLR4 hypotheses (labelled as hypotheses).

Exceptions::

    LowdoseError
    ├── InputError
    │   └── PkInputError      a dose, time, receptor or option is unusable (``field`` names it)
    └── FitError              the occupancy fit did not converge
"""

from __future__ import annotations

from lowdose.errors import FitError, PkInputError
from lowdose.pk.calibration import default_parameters, parameter_table_rows
from lowdose.pk.fitting import OccupancyFit, OccupancyFitResult
from lowdose.pk.occupancy import RECEPTORS, Receptor
from lowdose.pk.parameters import ModelParameters
from lowdose.pk.regimen import (
    Regimen,
    RegimenMetrics,
    bedtime_vs_morning,
    compare_with,
    regimen_metrics,
    washout_hours,
)
from lowdose.pk.simulate import DoseSimulation, simulate_doses

__all__ = [
    "RECEPTORS",
    "DoseSimulation",
    "FitError",
    "ModelParameters",
    "OccupancyFit",
    "OccupancyFitResult",
    "PkInputError",
    "Receptor",
    "Regimen",
    "RegimenMetrics",
    "bedtime_vs_morning",
    "compare_with",
    "default_parameters",
    "parameter_table_rows",
    "regimen_metrics",
    "simulate_doses",
    "washout_hours",
]
