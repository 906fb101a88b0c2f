"""Adjusting a prescription for tolerability: a new draft with one of the core's rules
(:mod:`lowdose.regimens.tolerability`) applied to a plan; the plan it came from is unchanged."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.clinical.actions.prescriptions import MAX_SUPPLY_DAYS, prescriber
from apps.clinical.models import Prescription
from lowdose.errors import InputError
from lowdose.regimens import hold_dose, move_to_morning, step_back

__all__ = ["ADJUSTMENTS", "adjust_prescription", "parse_adjustment"]


#: Tolerability rules the clinician can apply (``lowdose.regimens.tolerability``).
ADJUSTMENTS = ("hold", "step_back", "morning")


def parse_adjustment(*, on: str, days: str = "") -> tuple[date, int | None]:
    """The adjust form's text → ``(the day the rule applies from, days or None)``. Days that are
    not a whole number are ``None``: the rules that need them say so
    (:func:`adjust_prescription`)."""
    try:
        day = date.fromisoformat(on)
    except ValueError:
        raise InputError(f"{on!r} is not a date; use YYYY-MM-DD.", field="on") from None
    try:
        return day, int(days)
    except ValueError:
        return day, None


def adjust_prescription(
    actor: Actor, rx: Prescription, *, rule: str, on: date, days: int | None = None
) -> Prescription:
    """A new draft with a tolerability rule applied to ``rx``'s plan; ``rx`` itself is unchanged.
    The draft ``replaces`` ``rx`` and shares its ``lineage``, so its calendar corrects the one a
    patient imported (:mod:`apps.clinical.calendar`).

    ``hold``: stay ``days`` longer on the dose of ``on``; ``step_back``: take the previous dose for
    ``days`` from ``on``, then re-try; ``morning``: every dose from ``on`` in the morning (sleep
    disturbance). The supply grows by the days added and is checked again for what the pharmacy
    can make.
    """
    person = prescriber(actor)
    day = on
    plan = rx.plan()
    if rule == "morning":
        steps = move_to_morning(plan, day)
    elif rule in ("hold", "step_back"):
        if days is None:
            raise InputError("Give the number of days as a whole number.", field="days")
        steps = (hold_dose if rule == "hold" else step_back)(plan, day, days)
    else:
        raise InputError(f"Choose one of {', '.join(ADJUSTMENTS)}.", field="rule")
    total = sum(s.days or 0 for s in steps)
    if total > MAX_SUPPLY_DAYS:
        raise InputError(
            f"The adjusted plan runs {total} days, past the {MAX_SUPPLY_DAYS}-day capsule "
            "beyond-use date; shorten the supply.",
            field="days",
        )
    rx.preparation().supply(steps)  # the core refuses what the pharmacy cannot make
    with transaction.atomic():
        new = Prescription.objects.create(
            patient=rx.patient,
            clinician=person,
            protocol=rx.protocol,
            start_date=steps[0].start,
            dose_time=steps[-1].time.value,
            supply_days=total,
            steps=[step.to_dict() for step in steps],
            custom_steps=rx.custom_steps,
            form=rx.form,
            concentration_mg_per_ml=rx.concentration_mg_per_ml,
            replaces=rx,
            lineage=rx.lineage,
        )
        record_as(
            actor,
            "prescriptions.adjust",
            patient_id=rx.patient_id,
            obj=new,
            detail={
                "from": rx.pk,
                "rule": rule,
                "on": day.isoformat(),
                "days": "" if days is None else str(days),
            },
        )
    return new
