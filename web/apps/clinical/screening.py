"""The safety screen of what is stored now, and the gates built on it.

:func:`screen_patient` screens the patient's medication list, conditions, next planned surgery
and the clinic's resolutions with :func:`lowdose.safety.screen`. Every write to those lists
(:mod:`apps.clinical.actions.medications`, :mod:`apps.clinical.actions.conditions`) changes the
data and writes its audit event in one transaction, then **re-runs the screen**
(:func:`rescreen`). For a patient on treatment — a signed or dispensed prescription, or an N-of-1
trial that is not finished — a screen that is now ``contraindicated`` or ``review`` raises an
urgent alert that blocks dispensing and kit release (:func:`require_clear_screen`) until the
screen passes again, which resolves the alert by itself. :func:`require_prescribable` is the one
gate before naltrexone is prescribed.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q

from apps.accounts.models import Patient
from apps.accounts.treatment import naltrexone_holders
from apps.alerts.actions import raise_alert, resolve_alert
from apps.alerts.models import Alert, Severity
from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.clinical.models import Medication, MedicationResolution, PlannedSurgery
from apps.clinical.queries import patient_today
from lowdose.safety import (
    ContraindicationError,
    Finding,
    Resolution,
    ReviewRequiredError,
    ScreenBlockedError,
    ScreeningResult,
    StoppedMedication,
    check_prescribable,
    screen,
)

__all__ = [
    "MAX_NAME",
    "SCREEN_ALERT",
    "next_surgery",
    "on_treatment",
    "require_clear_screen",
    "require_prescribable",
    "rescreen",
    "resolutions_for",
    "safety_hold",
    "screen_patient",
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


def on_treatment(patient: Patient) -> bool:
    """True while the patient holds naltrexone or may soon: a signed or dispensed prescription,
    or an N-of-1 trial that is not finished (:func:`apps.accounts.treatment.naltrexone_holders`)."""
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
