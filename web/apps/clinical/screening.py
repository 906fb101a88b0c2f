"""The safety net around the screen: the patient's medication list, conditions and surgery, the
people who settle what the screen cannot identify, and the rule that keeps the screen fresh.

Every write here takes an :class:`~apps.audit.actor.Actor` and typed values, changes the data and
writes its audit event in one transaction, then **re-runs the screen** (:func:`rescreen`). For a
patient on treatment — a signed or dispensed prescription, or an N-of-1 trial that is not
finished — a screen that is now ``contraindicated`` or ``review`` raises an urgent alert that
blocks dispensing and kit release (:func:`require_clear_screen`) until the screen passes again,
which resolves the alert by itself.

Resolutions (a person's answer to a ``review``) are stored per clinic, keyed by the normalised
text (:func:`lowdose.safety.resolution_key`), and reused for the same text for every patient of
that clinic; a confirmed depot washout is stored for the one patient it is about.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import Patient
from apps.alerts.actions import raise_alert, resolve_alert
from apps.alerts.models import Alert, Severity
from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.clinical.models import (
    Condition,
    Medication,
    MedicationResolution,
    PlannedSurgery,
    Prescription,
)
from apps.clinical.queries import patient_today
from lowdose.errors import InputError
from lowdose.safety import (
    ContraindicationError,
    Finding,
    Resolution,
    ReviewRequiredError,
    ScreenBlockedError,
    ScreeningResult,
    StoppedMedication,
    check_prescribable,
    normalise_condition,
    resolution_key,
    screen,
)

__all__ = [
    "SCREEN_ALERT",
    "MedicationEntry",
    "add_condition",
    "add_medication",
    "correct_medication",
    "next_surgery",
    "on_treatment",
    "remove_condition",
    "remove_medication",
    "require_clear_screen",
    "require_prescribable",
    "rescreen",
    "resolutions_for",
    "resolve_entry",
    "safety_hold",
    "screen_patient",
    "set_surgery",
]

#: The alert kind raised when the screen of a patient on treatment stops passing.
SCREEN_ALERT = "screen_blocked"
MAX_NAME = 200


# --- reading the screen ------------------------------------------------------------------------


def resolutions_for(patient: Patient) -> dict[str, Resolution]:
    """The clinic's standing resolutions, overridden by the ones made for this patient."""
    rows = MedicationResolution.objects.filter(
        Q(patient__isnull=True) | Q(patient=patient),
        clinic_id=patient.clinic_id,
        replaced_at__isnull=True,
    )
    out: dict[str, Resolution] = {}
    for row in sorted(rows, key=lambda r: r.patient_id is not None):  # patient rows last: win
        out[row.key] = Resolution(
            kind=row.kind,  # type: ignore[arg-type]  # the model's choices are the core's kinds
            ingredients=tuple(row.ingredients),
            reason=row.reason,
        )
    return out


def screen_patient(patient: Patient, today: date | None = None) -> ScreeningResult:
    """Screen what is stored now: the listed medicines (current, and stopped with days since the
    last dose), conditions, the next planned surgery, and the clinic's resolutions."""
    today = today or patient_today(patient)
    meds = list(patient.medications.listed())
    current = [m.name for m in meds if m.status == Medication.Status.CURRENT]
    stopped = [
        StoppedMedication(m.name, max(0, (today - m.last_dose).days))
        for m in meds
        if m.status == Medication.Status.STOPPED and m.last_dose is not None
    ]
    conditions = [c.name for c in patient.conditions.listed()]
    surgery = next_surgery(patient, today)
    return screen(
        medications=current,
        stopped=stopped,
        conditions=conditions,
        surgery_in_days=None if surgery is None else (surgery.on - today).days,
        resolutions=resolutions_for(patient),
    )


def next_surgery(patient: Patient, today: date | None = None) -> PlannedSurgery | None:
    """The next planned surgery that stands (today or later; a changed or cleared date is
    history)."""
    today = today or patient_today(patient)
    return patient.surgeries.planned().filter(on__gte=today).order_by("on", "id").first()


def naltrexone_holders(patient_ids: Iterable[int]) -> tuple[set[int], set[int]]:
    """Of these patients, those with a signed or dispensed prescription, and those in an N-of-1
    trial not yet unblinded (its kits contain naltrexone): two queries for any number."""
    from apps.nof1.models import Nof1Trial  # the N-of-1 app builds on clinical

    ids = list(patient_ids)
    prescribed = set(
        Prescription.objects.filter(
            patient_id__in=ids,
            status__in=(Prescription.Status.SIGNED, Prescription.Status.DISPENSED),
        ).values_list("patient_id", flat=True)
    )
    in_trial = set(
        Nof1Trial.objects.filter(patient_id__in=ids).blinded().values_list("patient_id", flat=True)
    )
    return prescribed, in_trial


def on_treatment(patient: Patient) -> bool:
    """True while the patient holds naltrexone or may soon: a signed or dispensed prescription,
    or an N-of-1 trial that is not finished (:func:`naltrexone_holders`)."""
    prescribed, in_trial = naltrexone_holders([patient.pk])
    return bool(prescribed or in_trial)


def safety_hold(patient: Patient) -> bool:
    """True when a patient on treatment must not take the next dose before talking to the clinic:
    the screen of what is stored now is contraindicated or needs review."""
    return on_treatment(patient) and screen_patient(patient).blocking


_SEVERITY_WORDS = {"contraindicated": "Contraindication", "review": "Needs review"}


def _blocking(result: ScreeningResult) -> list[Finding]:
    """The findings that stop treatment (contraindications and entries to review)."""
    return [f for f in result.findings if f.severity in _SEVERITY_WORDS]


def _blocking_summary(result: ScreeningResult) -> str:
    """One line per blocking finding, in words: what it is and what it was recognised as."""
    return "; ".join(
        f"{_SEVERITY_WORDS[f.severity]}: {f.matched or f.entry or f.message}"
        for f in _blocking(result)
    )


def _alert_message(result: ScreeningResult) -> str:
    what = (
        "a contraindication to naltrexone"
        if result.status == "contraindicated"
        else "a medicine lowdose cannot identify"
    )
    first = _blocking(result)[0]
    return (
        f"The safety screen now finds {what} for a patient on LDN: {first.message} "
        "Dispensing and kit release are blocked. Contact the patient before their next dose, "
        "then fix the medication list or settle the entry on the Safety screening page."
    )


def rescreen(actor: Actor, patient: Patient, *, because: str) -> ScreeningResult:
    """Re-run the screen after a change and act on it (call inside the change's transaction).

    On treatment and blocking → one open urgent ``screen_blocked`` alert (re-raised with the new
    findings if they changed); not blocking → any open one is resolved by lowdose. Audited as
    ``safety.rescreen`` with the status and what caused it.
    """
    result = screen_patient(patient)
    _act_on(actor, patient, result, because=because)
    return result


def _act_on(actor: Actor, patient: Patient, result: ScreeningResult, *, because: str) -> None:
    """Raise, replace or resolve the patient's ``screen_blocked`` alert for ``result``."""
    key = "|".join(sorted({f"{f.code}:{f.entry or f.matched}" for f in _blocking(result)}))[:200]
    open_alerts = list(
        Alert.objects.filter(patient=patient, kind=SCREEN_ALERT, resolved_at__isnull=True)
    )
    with transaction.atomic():
        record_as(
            actor,
            "safety.rescreen",
            patient_id=patient.pk,
            detail={"status": result.status, "because": because},
        )
        if result.blocking and on_treatment(patient):
            for stale in open_alerts:
                if stale.key != key:
                    resolve_alert(actor, stale, "Replaced by a newer screen of the same patient.")
            raise_alert(
                actor,
                patient,
                kind=SCREEN_ALERT,
                severity=Severity.URGENT,
                message=_alert_message(result),
                facts={
                    "screen": "contraindicated"
                    if result.status == "contraindicated"
                    else "needs review of an entry",
                    "after": because,
                    "found": _blocking_summary(result),
                },
                key=key,
                blocks_dispensing=True,
            )
        elif not result.blocking:
            for row in open_alerts:
                resolve_alert(
                    actor,
                    row,
                    f"The safety screen passes again ({result.status}) after: {because}.",
                )


def require_clear_screen(actor: Actor, patient: Patient, *, action: str) -> ScreeningResult:
    """The gate before naltrexone leaves the pharmacy (dispensing, kit release).

    Raises :class:`lowdose.safety.ScreenBlockedError` (a ``ContraindicationError`` or
    ``ReviewRequiredError``) when the screen of what is stored now is ``contraindicated`` or
    ``review``; the refusal is audited with the screen, and the patient's urgent alert is raised
    if it was not already (so the care team hears of it even if nobody changed the list).
    """
    result = screen_patient(patient)
    if not result.blocking:
        return result
    with transaction.atomic():
        record_as(
            actor,
            action,
            patient_id=patient.pk,
            outcome="denied",
            detail={"screening": result.to_dict()},
        )
    _act_on(actor, patient, result, because=f"refused: {action}")
    if result.status == "contraindicated":
        raise ContraindicationError(
            "Blocked by the safety screen: a contraindication to naltrexone was found "
            "(see the screen). Do not dispense; the clinician has an urgent alert.",
            result=result,
        )
    raise ReviewRequiredError(
        "Blocked by the safety screen: a medicine on the list could not be identified. A "
        "clinician or pharmacist must name its ingredients or record that it contains no opioid "
        "before anything is dispensed.",
        result=result,
    )


def require_prescribable(
    actor: Actor,
    patient: Patient,
    *,
    action: str,
    caution_reason: str = "",
    obj: object | None = None,
) -> tuple[ScreeningResult, str]:
    """The one gate before naltrexone is prescribed (signing a prescription, designing an N-of-1
    trial whose kits hold it): screen what is stored now and apply
    :func:`lowdose.safety.check_prescribable`.

    Returns the screen and the caution reason to record (whitespace collapsed; ``""`` when the
    screen needs none). A hard stop is audited as ``action`` with outcome ``denied`` and the
    screen, then re-raised (:class:`lowdose.safety.ScreenBlockedError`); a caution without a
    reason raises :class:`lowdose.safety.CautionReasonRequiredError` (``field="caution_reason"``).
    Nothing else changes either way.
    """
    result = screen_patient(patient)
    try:
        reason = check_prescribable(result, caution_reason=caution_reason)
    except ScreenBlockedError:
        with transaction.atomic():
            record_as(
                actor,
                action,
                patient_id=patient.pk,
                obj=obj,
                outcome="denied",
                detail={"screening": result.to_dict()},
            )
        raise
    return result, reason


# --- the medication list -----------------------------------------------------------------------


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


# --- conditions and surgery ----------------------------------------------------------------------


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
