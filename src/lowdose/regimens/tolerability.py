"""Tolerability rules a clinician applies to a dated plan: pure functions, schedule in and out.

Each rule returns a new, contiguous schedule and records what it did in the ``note`` of the steps
it created or changed. None of them changes a dose silently.

``hold_dose(steps, on, days)``
    Side effects at a new dose: stay on the current dose ``days`` longer before the next increase;
    every later step moves ``days`` later. Practice sources: wait until side effects have passed
    before going up (Kresser Institute, low-quality); LDN Research Trust pack: lower the dose if
    symptoms increase (see :func:`step_back`).
``step_back(steps, on, days)``
    Side effects that do not settle: go back to the previous (lower) dose for ``days``, then
    re-try the dose that was not tolerated for its full planned length (the days already spent
    on it do not count). LDN Research Trust pack: "lower the dose if symptoms increase" [S].
``move_to_morning(steps, on)``
    Sleep disturbance (insomnia, vivid dreams): take the dose in the morning from ``on`` onwards.
    naltrexone.com and ClearSpring Rx [L]; vivid dreams and insomnia are the typical LDN side
    effects (Younger & Mackey 2009; Vatvani et al. 2024 meta-analysis).

A step with length :math:`n` that is held for :math:`h` days becomes :math:`n + h` days long and
every later start moves by :math:`h` days. A step back of :math:`b` days, :math:`s` days into
step *k*, replaces its :math:`n_k` days by :math:`s + b + n_k` days, so every later start moves by
:math:`s + b` days.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from lowdose.errors import RegimenError
from lowdose.regimens.steps import DoseTime, TitrationStep, decimal_str, validate_schedule

__all__ = ["hold_dose", "move_to_morning", "step_back"]


@dataclass(frozen=True, slots=True)
class _Segment:
    dose_mg: Decimal
    time: DoseTime
    days: int | None
    note: str


def _segments(steps: Sequence[TitrationStep]) -> list[_Segment]:
    return [_Segment(s.dose_mg, s.time, s.days, s.note) for s in steps]


def _redate(start: date, segments: Sequence[_Segment]) -> tuple[TitrationStep, ...]:
    dated: list[TitrationStep] = []
    day = start
    for seg in segments:
        end = None if seg.days is None else day + timedelta(days=seg.days - 1)
        dated.append(
            TitrationStep(start=day, end=end, dose_mg=seg.dose_mg, time=seg.time, note=seg.note)
        )
        if end is not None:
            day = end + timedelta(days=1)
    return validate_schedule(dated)


def _locate(plan: tuple[TitrationStep, ...], on: date) -> int:
    for index, step in enumerate(plan):
        if step.contains(on):
            return index
    raise RegimenError(
        f"{on} is outside the plan ({plan[0].start} to {plan[-1].end or 'open-ended'}); "
        "give a date inside the plan.",
        field="on",
    )


def _positive_days(days: int, what: str) -> None:
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise RegimenError(
            f"{what} must be a whole number of days ≥ 1, got {days!r}.", field="days"
        )


def _join(note: str, addition: str) -> str:
    return addition if not note else f"{note}; {addition}"


def hold_dose(steps: Sequence[TitrationStep], on: date, days: int) -> tuple[TitrationStep, ...]:
    """Stay ``days`` longer on the dose taken on ``on``; later steps move ``days`` later.

    Raises
    ------
    RegimenError
        ``on`` is outside the plan, ``days`` < 1, or ``on`` falls in the open-ended final step
        (there is no next increase to delay).
    """
    _positive_days(days, "hold length")
    plan = validate_schedule(steps)
    index = _locate(plan, on)
    segments = _segments(plan)
    seg = segments[index]
    if seg.days is None:
        raise RegimenError(
            f"{on} is in the final open-ended step ({decimal_str(seg.dose_mg)} mg); there is no "
            "increase to hold back. Use step_back to lower the dose instead.",
            field="on",
        )
    segments[index] = _Segment(
        seg.dose_mg,
        seg.time,
        seg.days + days,
        _join(
            seg.note,
            f"held {days} more days at {decimal_str(seg.dose_mg)} mg after side "
            f"effects reported {on.isoformat()}",
        ),
    )
    return _redate(plan[0].start, segments)


def step_back(steps: Sequence[TitrationStep], on: date, days: int) -> tuple[TitrationStep, ...]:
    """From ``on``, take the previous step's dose for ``days``, then re-try the current dose.

    The re-tried step keeps its full planned length (open-ended stays open-ended); all later
    steps move accordingly.

    Raises
    ------
    RegimenError
        ``on`` is in the first step (no lower step exists: hold, build a custom plan with a lower
        start, or stop and consult), outside the plan, or ``days`` < 1.
    """
    _positive_days(days, "step-back length")
    plan = validate_schedule(steps)
    index = _locate(plan, on)
    if index == 0:
        raise RegimenError(
            f"{on} is in the first step, so there is no lower dose to step back to; hold the "
            "dose, start a custom plan at a lower dose, or stop and consult the prescriber.",
            field="on",
        )
    current, previous = plan[index], plan[index - 1]
    segments = _segments(plan)
    elapsed = (on - current.start).days
    original_days = None if current.end is None else (current.end - current.start).days + 1
    replacement: list[_Segment] = []
    if elapsed > 0:
        replacement.append(
            _Segment(
                current.dose_mg,
                current.time,
                elapsed,
                _join(current.note, "stopped early: side effects"),
            )
        )
    replacement.append(
        _Segment(
            previous.dose_mg,
            current.time,
            days,
            f"stepped back from {decimal_str(current.dose_mg)} mg to "
            f"{decimal_str(previous.dose_mg)} mg for {days} days after side effects "
            f"reported {on.isoformat()}",
        )
    )
    replacement.append(
        _Segment(
            current.dose_mg,
            current.time,
            original_days,
            _join(current.note, f"re-try of {decimal_str(current.dose_mg)} mg after the step back"),
        )
    )
    segments[index : index + 1] = replacement
    return _redate(plan[0].start, segments)


def move_to_morning(steps: Sequence[TitrationStep], on: date) -> tuple[TitrationStep, ...]:
    """Take every dose from ``on`` onwards in the morning (sleep disturbance); doses unchanged."""
    plan = validate_schedule(steps)
    index = _locate(plan, on)
    segments = _segments(plan)
    current = plan[index]
    elapsed = (on - current.start).days
    remaining = None if current.end is None else (current.end - on).days + 1
    note = f"moved to the morning from {on.isoformat()} for sleep disturbance"
    replacement: list[_Segment] = []
    if elapsed > 0 and current.time is not DoseTime.MORNING:
        replacement.append(_Segment(current.dose_mg, current.time, elapsed, current.note))
        replacement.append(
            _Segment(current.dose_mg, DoseTime.MORNING, remaining, _join(current.note, note))
        )
    else:
        moved = current.time is not DoseTime.MORNING
        replacement.append(
            _Segment(
                current.dose_mg,
                DoseTime.MORNING,
                current.days,
                _join(current.note, note) if moved else current.note,
            )
        )
    segments[index : index + 1] = replacement
    offset = index + len(replacement)
    for later in range(offset, len(segments)):
        seg = segments[later]
        if seg.time is not DoseTime.MORNING:
            segments[later] = _Segment(
                seg.dose_mg, DoseTime.MORNING, seg.days, _join(seg.note, note)
            )
    return _redate(plan[0].start, segments)
