r"""Simulate a patient's recorded dose history (missed doses are simply absent).

The public entry point is :func:`simulate_doses`; it is what the diary, the N-of-1 run-in
planner and the web pages call. Doses are ``(when, Decimal mg)`` pairs; ``when`` is either a
timezone-aware :class:`~datetime.datetime` or a number of hours since ``origin``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from lowdose.errors import PkInputError
from lowdose.pk.assumptions import ASSUMPTIONS, OCCUPANCY_LABEL
from lowdose.pk.calibration import default_parameters
from lowdose.pk.kinetics import ParameterArrays, exponential_form, superpose
from lowdose.pk.occupancy import RECEPTORS, Receptor, occupancy
from lowdose.pk.parameters import ModelParameters

__all__ = ["DoseSimulation", "TimePoint", "check_dose_mg", "simulate_doses", "to_hours"]

FloatArray = npt.NDArray[np.float64]
TimePoint = datetime | float | int

#: Largest single dose accepted: the label's highest studied oral dose is 200 mg
#: (dose-proportionality study, J Clin Psychiatry 1984); beyond it the model is not calibrated.
MAX_DOSE_MG = Decimal(200)


def check_dose_mg(dose: object, *, field_name: str = "dose_mg") -> Decimal:
    """A dose as ``Decimal`` mg, validated (0 <= dose <= 200 mg; no floats, no booleans)."""
    if isinstance(dose, bool) or not isinstance(dose, Decimal | int):
        raise PkInputError(
            f"dose {dose!r} must be Decimal milligrams (e.g. Decimal('4.5')), not "
            f"{type(dose).__name__}",
            field=field_name,
        )
    value = Decimal(dose)
    if not value.is_finite() or value < 0 or value > MAX_DOSE_MG:
        raise PkInputError(
            f"dose {value} mg is outside 0-{MAX_DOSE_MG} mg, the range the model is calibrated "
            "for; check the unit (milligrams) and the decimal point",
            field=field_name,
        )
    return value


def to_hours(when: TimePoint, origin: datetime | None, *, field_name: str) -> float:
    """Hours since ``origin`` for a datetime, or the number itself."""
    if isinstance(when, datetime):
        if when.tzinfo is None or when.utcoffset() is None:
            raise PkInputError(
                f"datetime {when.isoformat()} has no time zone; pass an aware datetime "
                "(e.g. with tzinfo=ZoneInfo('Europe/Oslo'))",
                field=field_name,
            )
        if origin is None:
            raise PkInputError("datetimes need an origin", field=field_name)
        return (when - origin).total_seconds() / 3600.0
    if isinstance(when, bool) or not isinstance(when, int | float):
        raise PkInputError(
            f"time {when!r} must be an aware datetime or a number of hours", field=field_name
        )
    value = float(when)
    if not math.isfinite(value):
        raise PkInputError(f"time {when!r} must be finite", field=field_name)
    return value


@dataclass(frozen=True, slots=True)
class DoseSimulation:
    """Concentrations and occupancy at the requested times (arrays of shape ``(t,)``).

    Concentrations in ng/mL, occupancy as fractions 0-1, ``times_h`` in hours since ``origin``
    (``None`` when the input used plain hours).
    """

    times_h: FloatArray
    naltrexone_ng_ml: FloatArray
    naltrexol_ng_ml: FloatArray
    effect_site_ng_ml: FloatArray
    occupancy: dict[Receptor, FloatArray]
    origin: datetime | None = None
    assumptions: tuple[str, ...] = field(default=ASSUMPTIONS)

    def summary(self) -> str:
        mu = self.occupancy["mu"]
        return (
            f"{self.times_h.size} time points; naltrexone max "
            f"{self.naltrexone_ng_ml.max(initial=0.0):.3g} ng/mL, 6β-naltrexol max "
            f"{self.naltrexol_ng_ml.max(initial=0.0):.3g} ng/mL, μ occupancy "
            f"{mu.min(initial=1.0):.0%}-{mu.max(initial=0.0):.0%} ({OCCUPANCY_LABEL})"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin.isoformat() if self.origin else None,
            "t_h": self.times_h.tolist(),
            "naltrexone_ng_ml": self.naltrexone_ng_ml.tolist(),
            "naltrexol_ng_ml": self.naltrexol_ng_ml.tolist(),
            "occupancy": {r: v.tolist() for r, v in self.occupancy.items()},
            "occupancy_label": OCCUPANCY_LABEL,
            "assumptions": list(self.assumptions),
        }


def simulate_doses(
    doses: Iterable[tuple[TimePoint, Decimal]],
    times: Sequence[TimePoint] | npt.ArrayLike,
    *,
    origin: datetime | None = None,
    params: ModelParameters | None = None,
) -> DoseSimulation:
    r"""Concentrations and μ/κ/δ occupancy for a recorded dose history.

    Parameters
    ----------
    doses : iterable of (datetime or hours, Decimal mg)
        Doses actually taken, in any order; a missed dose is simply absent. Several doses at
        the same time add up.
    times : sequence of datetime or hours
        Output times, any order (results follow the given order).
    origin : datetime, optional
        Zero of the hour scale; defaults to the earliest datetime among doses and times.
    params : ModelParameters, optional
        Default: the typical person (:func:`~lowdose.pk.calibration.default_parameters`).

    Returns
    -------
    DoseSimulation

    Notes
    -----
    Exact closed-form superposition (module :mod:`lowdose.pk.kinetics`); cost is linear in
    the number of doses plus times.
    """
    dose_list = list(doses)
    time_list: list[TimePoint]
    if isinstance(times, np.ndarray):
        time_list = [float(v) for v in np.asarray(times, dtype=np.float64).ravel()]
    else:
        time_list = list(times)  # type: ignore[arg-type]
    if not time_list:
        raise PkInputError("no output times given; pass at least one time", field="times")
    for i, item in enumerate(dose_list):
        if not (isinstance(item, tuple) and len(item) == 2):
            raise PkInputError(
                f"dose #{i} is {item!r}; each dose must be a (time, Decimal mg) pair",
                field="doses",
            )
    if origin is None:
        stamps = [w for w, _ in dose_list if isinstance(w, datetime)]
        stamps += [w for w in time_list if isinstance(w, datetime)]
        aware = [s for s in stamps if s.tzinfo is not None and s.utcoffset() is not None]
        origin = min(aware) if aware else None
    elif origin.tzinfo is None or origin.utcoffset() is None:
        raise PkInputError("origin must be a timezone-aware datetime", field="origin")
    dose_h = np.array(
        [to_hours(w, origin, field_name=f"doses[{i}]") for i, (w, _) in enumerate(dose_list)],
        dtype=np.float64,
    )
    amounts = np.array(
        [float(check_dose_mg(d, field_name=f"doses[{i}]")) for i, (_, d) in enumerate(dose_list)],
        dtype=np.float64,
    )
    t_h = np.array([to_hours(w, origin, field_name="times") for w in time_list], dtype=np.float64)
    p = params or default_parameters()
    pa = ParameterArrays.from_parameters(p)
    rates, coef = exponential_form(pa)
    if dose_h.size:
        states = superpose(rates, dose_h, amounts, t_h)[:, 0, :]
        conc = np.einsum("cr,tr->ct", coef[:, 0, :], states)
        conc = np.maximum(conc, 0.0)  # why: round-off can give -1e-17 where the exact value is 0
    else:
        conc = np.zeros((3, t_h.size))
    occ = {r: occupancy(conc[2], p.ec50_mu, r) for r in RECEPTORS}
    return DoseSimulation(
        times_h=t_h,
        naltrexone_ng_ml=conc[0],
        naltrexol_ng_ml=conc[1],
        effect_site_ng_ml=conc[2],
        occupancy=occ,
        origin=origin,
    )
