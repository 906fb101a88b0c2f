"""The patient's medication list and the answers that settle what the screen cannot identify.

Every write takes an :class:`~apps.audit.actor.Actor` and typed values (:class:`MedicationEntry`,
:class:`lowdose.safety.Resolution`), changes the list and writes its audit event in one
transaction, then re-runs the screen (:func:`apps.clinical.screening.rescreen`).

Resolutions (a person's answer to a ``review``) are stored per clinic, keyed by the normalised
text (:func:`lowdose.safety.resolution_key`), and reused for the same text for every patient of
that clinic; a confirmed depot washout is stored for the one patient it is about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Patient
from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.clinical.models import Medication, MedicationResolution
from apps.clinical.queries import patient_today
from apps.clinical.screening import MAX_NAME, rescreen, screen_patient
from lowdose.errors import InputError
from lowdose.safety import Resolution, ScreeningResult, resolution_key

__all__ = [
    "MedicationEntry",
    "add_medication",
    "correct_medication",
    "is_correction",
    "remove_medication",
    "resolution_from",
    "resolve_entry",
]


@dataclass(frozen=True, slots=True)
class MedicationEntry:
    """A validated medication-list entry: the name as taken, current or stopped, last dose.

    Raises :class:`~lowdose.errors.InputError` naming the field on a blank or too long name, an
    unknown status, a stopped medicine without its last dose, or a last dose in the future.
    """

    name: str
    status: Literal["current", "stopped"]
    last_dose: date | None
    today: date

    def __post_init__(self) -> None:
        name = " ".join(self.name.split())
        object.__setattr__(self, "name", name)
        if not name:
            raise InputError("Type the medicine's name as the patient takes it.", field="name")
        if len(name) > MAX_NAME:
            raise InputError(
                f"The name is longer than {MAX_NAME} characters; shorten it.", field="name"
            )
        if self.status not in ("current", "stopped"):
            raise InputError(
                "Say whether the patient takes it now (current) or has stopped it (stopped).",
                field="status",
            )
        if self.status == "stopped" and self.last_dose is None:
            raise InputError(
                "Give the day of the last dose of a stopped medicine: the opioid-free interval "
                "counts from it. If it is not known yet, record the medicine as current.",
                field="last_dose",
            )
        if self.last_dose is not None and self.last_dose > self.today:
            raise InputError(
                "The last dose cannot be in the future; record the stop once it has happened.",
                field="last_dose",
            )

    @classmethod
    def parse(
        cls, patient: Patient, *, name: str, status: str = "current", last_dose: str = ""
    ) -> MedicationEntry:
        """From form text (``last_dose`` as YYYY-MM-DD, blank for none)."""
        day: date | None = None
        if last_dose.strip():
            try:
                day = date.fromisoformat(last_dose.strip())
            except ValueError:
                raise InputError(
                    f"{last_dose!r} is not a date; give the day of the last dose as YYYY-MM-DD.",
                    field="last_dose",
                ) from None
        return cls(name, status, day, patient_today(patient))  # type: ignore[arg-type]


def add_medication(
    actor: Actor, patient: Patient, entry: MedicationEntry
) -> tuple[Medication, ScreeningResult]:
    """Add an entry to the list; returns it and the new screen."""
    if actor.user is None:
        raise InputError("Only a person can change a medication list.", field="actor")
    with transaction.atomic():
        med = Medication.objects.create(
            patient=patient,
            name=entry.name,
            status=entry.status,
            last_dose=entry.last_dose,
            added_by=actor.user,
        )
        record_as(
            actor,
            "clinical.medication.add",
            patient_id=patient.pk,
            obj=med,
            detail=med.snapshot(),
        )
        result = rescreen(actor, patient, because=f"medicine added: {entry.name}")
    return med, result


def is_correction(med: Medication, entry: MedicationEntry) -> bool:
    """True when ``entry`` changes what was recorded (the name, a last-dose date already given,
    or a stop undone), not when it only records a stop with its last dose."""
    return (
        entry.name != med.name
        or (med.last_dose is not None and entry.last_dose != med.last_dose)
        or (med.status == "stopped" and entry.status == "current")
    )


def correct_medication(
    actor: Actor, patient: Patient, med: Medication, entry: MedicationEntry, *, reason: str = ""
) -> tuple[Medication, ScreeningResult]:
    """Correct an entry (a mistyped name or date) or record a stop; the old values go to its
    history. A correction needs a reason, kept with the old values and in the audit event."""
    if med.patient_id != patient.pk or med.removed_at is not None:
        raise InputError("That medicine is not on this patient's list.", field="medication")
    reason = " ".join(reason.split())[:500]
    if is_correction(med, entry) and not reason:
        raise InputError(
            "Why: say why the entry is corrected (e.g. 'last dose date mistyped'); nothing was "
            "changed. The old values stay in the record.",
            field="reason",
        )
    with transaction.atomic():
        before = med.snapshot()
        med.history = [
            *med.history,
            {
                **before,
                "replaced_at": timezone.now().isoformat(),
                "replaced_by": actor.label,
                "reason": reason or "recorded as stopped",
            },
        ]
        med.name, med.status, med.last_dose = entry.name, entry.status, entry.last_dose
        med.save(update_fields=["name", "status", "last_dose", "history"])
        record_as(
            actor,
            "clinical.medication.correct",
            patient_id=patient.pk,
            obj=med,
            detail={"before": before, "after": med.snapshot(), "reason": reason},
        )
        result = rescreen(actor, patient, because=f"medicine corrected: {entry.name}")
    return med, result


def remove_medication(actor: Actor, patient: Patient, med: Medication) -> ScreeningResult:
    """Take an entry off the list (entered in error); the row and its history are kept."""
    if med.patient_id != patient.pk or med.removed_at is not None:
        raise InputError("That medicine is not on this patient's list.", field="medication")
    with transaction.atomic():
        med.removed_at = timezone.now()
        med.removed_by = actor.user
        med.save(update_fields=["removed_at", "removed_by"])
        record_as(
            actor,
            "clinical.medication.remove",
            patient_id=patient.pk,
            obj=med,
            detail=med.snapshot(),
        )
        return rescreen(actor, patient, because=f"medicine removed: {med.name}")


def resolve_entry(
    actor: Actor, patient: Patient, *, text: str, resolution: Resolution
) -> ScreeningResult:
    """Store a person's answer to a ``review`` of ``text`` and re-screen.

    Only a text that the screen of this patient currently sends to review can be resolved (a
    confident match is never overridden). Ingredients and "no opioid" are stored for the clinic;
    a confirmed washout for this patient. A new answer for the same text replaces the old one,
    which is kept.
    """
    if actor.user is None:
        raise InputError("Only a person can settle a screening entry.", field="actor")
    key = resolution_key(text)
    pending = {resolution_key(t) for t in screen_patient(patient).review_entries}
    if key not in pending:
        raise InputError(
            f"{text!r} does not need review on this patient's screen; nothing was changed.",
            field="text",
        )
    for_patient = resolution.kind == "washout_confirmed"
    with transaction.atomic():
        MedicationResolution.objects.filter(
            clinic_id=patient.clinic_id,
            key=key,
            patient=patient if for_patient else None,
            replaced_at__isnull=True,
        ).update(replaced_at=timezone.now())
        row = MedicationResolution.objects.create(
            clinic_id=patient.clinic_id,
            patient=patient if for_patient else None,
            key=key,
            text=" ".join(text.split())[:MAX_NAME],
            kind=resolution.kind,
            ingredients=list(resolution.ingredients),
            reason=resolution.reason,
            resolved_by=actor.user,
        )
        record_as(
            actor,
            "safety.review.resolve",
            patient_id=patient.pk,
            obj=row,
            detail={
                "text": row.text,
                "kind": row.kind,
                "ingredients": row.ingredients,
                "reason": row.reason,
                "scope": "patient" if for_patient else "clinic",
            },
        )
        return rescreen(actor, patient, because=f"screening entry settled: {row.text}")


def resolution_from(kind: str, ingredients: str | list[str], reason: str) -> Resolution:
    """A :class:`~lowdose.safety.Resolution` from form or API values (the core validates)."""
    names = (
        [p.strip() for p in ingredients.replace(";", ",").split(",") if p.strip()]
        if isinstance(ingredients, str)
        else [p.strip() for p in ingredients if p.strip()]
    )
    if kind not in MedicationResolution.Kind.values:
        raise InputError(
            "Choose: name the ingredients, record that it contains no opioid, or confirm the "
            "opioid-free interval.",
            field="kind",
        )
    return Resolution(kind=kind, ingredients=tuple(names), reason=" ".join(reason.split()))  # type: ignore[arg-type]
