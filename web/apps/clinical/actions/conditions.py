"""The patient's conditions and planned surgery, as the screen reads them.

Every write takes an :class:`~apps.audit.actor.Actor` and typed values, changes the record and
writes its audit event in one transaction, then re-runs the screen
(:func:`apps.clinical.screening.rescreen`). A removed condition or a changed surgery date is
kept with who changed it, when and why.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Patient
from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.clinical.models import Condition, PlannedSurgery
from apps.clinical.queries import patient_today
from apps.clinical.screening import next_surgery, rescreen
from lowdose.errors import InputError
from lowdose.safety import ScreeningResult, normalise_condition

__all__ = ["add_condition", "remove_condition", "set_surgery"]


def _reason(reason: str, what: str, example: str) -> str:
    """The typed reason, tidied; an :class:`InputError` naming the field when it is blank."""
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise InputError(
            f"Why: say why {what} (e.g. '{example}'); nothing was changed. The old value stays "
            "in the record.",
            field="reason",
        )
    return reason


def add_condition(actor: Actor, patient: Patient, name: str) -> ScreeningResult:
    """Record a condition (once: recording it again changes nothing); a condition removed earlier
    is recorded anew, its removed row kept."""
    key = normalise_condition(name)  # InputError(field="condition") names the accepted ones
    if actor.user is None:
        raise InputError("Only a person can change the conditions.", field="actor")
    with transaction.atomic():
        row, _ = Condition.objects.listed().get_or_create(
            patient=patient, name=key, defaults={"added_by": actor.user}
        )
        record_as(actor, "clinical.condition.add", patient_id=patient.pk, obj=row)
        return rescreen(actor, patient, because=f"condition added: {key.replace('-', ' ')}")


def remove_condition(
    actor: Actor, patient: Patient, condition_id: int, *, reason: str = ""
) -> ScreeningResult:
    """Take a condition off (entered in error, or no longer applies). The row is kept with who
    removed it, when and why; the screen stops counting it. A reason is required."""
    if actor.user is None:
        raise InputError("Only a person can change the conditions.", field="actor")
    row = Condition.objects.listed().filter(patient=patient, pk=condition_id).first()
    if row is None:
        raise InputError("That condition is not recorded for this patient.", field="condition")
    reason = _reason(reason, "the condition is removed", "entered for the wrong patient")
    with transaction.atomic():
        row.removed_at = timezone.now()
        row.removed_by = actor.user
        row.removal_reason = reason
        row.save(update_fields=["removed_at", "removed_by", "removal_reason"])
        record_as(
            actor,
            "clinical.condition.remove",
            patient_id=patient.pk,
            obj=row,
            detail={
                "before": {"condition": row.name, "recorded": True},
                "after": {"condition": row.name, "recorded": False},
                "reason": reason,
            },
        )
        return rescreen(actor, patient, because=f"condition removed: {row.name.replace('-', ' ')}")


def set_surgery(
    actor: Actor, patient: Patient, on: date | None, description: str = "", *, reason: str = ""
) -> ScreeningResult:
    """Record the next planned surgery; ``None`` clears it.

    Recording the first date needs no reason. Changing or clearing a date that stands is a
    correction: it needs a reason, and the earlier row is kept with who changed it, when and
    why (the new date is a new row).
    """
    today = patient_today(patient)
    if on is not None and on < today:
        raise InputError("Date: the surgery date has passed; give a future date.", field="surgery")
    if actor.user is None:
        raise InputError("Only a person can record surgery.", field="actor")
    description = " ".join(description.split())[:200]
    current = next_surgery(patient, today)
    if current is None and on is None:
        raise InputError(
            "Date: no surgery is planned, so there is nothing to clear; give the date to record "
            "one.",
            field="surgery",
        )
    if current is not None and on == current.on and description == current.description:
        raise InputError(
            "Date: that surgery is already recorded as it is; nothing was changed.",
            field="surgery",
        )
    if current is not None:
        reason = _reason(
            reason,
            "the surgery date is changed" if on is not None else "the surgery date is cleared",
            "surgery moved by the hospital",
        )
    with transaction.atomic():
        before = None if current is None else current.snapshot()
        if current is not None:
            current.replaced_at = timezone.now()
            current.replaced_by = actor.user
            current.reason = reason
            current.save(update_fields=["replaced_at", "replaced_by", "reason"])
        new = None
        if on is not None:
            new = PlannedSurgery.objects.create(
                patient=patient, on=on, description=description, added_by=actor.user
            )
        record_as(
            actor,
            "clinical.surgery.set" if current is None else "clinical.surgery.correct",
            patient_id=patient.pk,
            obj=new or current,
            detail={
                "before": before,
                "after": None if new is None else new.snapshot(),
                "reason": reason,
            },
        )
        because = (
            "planned surgery recorded"
            if current is None
            else "planned surgery cleared"
            if on is None
            else "planned surgery date changed"
        )
        return rescreen(actor, patient, because=because)
