"""A patient's rows as the core's FHIR records (:mod:`lowdose.interop.fhir.records`).

The caller has checked access (``fhir.export``, audited once); this module only reads. A patient
reading their own record gets no draft prescription (a draft is the clinician's until signed),
nor a draft order kept from another record.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from apps.accounts.models import Patient, User
from apps.checkins.models import Checkin
from apps.clinical.access import visible_prescriptions
from apps.clinical.fhir_records import fhir_base, identifier_systems, prescription_record
from apps.clinical.models import AssessmentResult, Prescription
from apps.fhir.models import HistoryRecord, history_shown_to
from apps.nof1.models import Nof1Trial
from apps.pharmacy.models import Dispensing
from lowdose.daily import DAILY_SCALES
from lowdose.interop.fhir import (
    AssessmentRecord,
    CheckinRecord,
    DispensingRecord,
    Nof1EffectRecord,
    Nof1Record,
    PatientIdentity,
    PatientRecord,
    PractitionerRecord,
    ReportDocument,
    SideEffectRecord,
    entry_uuid,
)

__all__ = ["fhir_base", "identifier_systems", "native_urls", "patient_record"]


def _person(user: User) -> PractitionerRecord:
    return PractitionerRecord(
        lowdose_id=user.pk, name=user.get_full_name() or user.username, role=user.role
    )


def _checkin(row: Checkin) -> CheckinRecord:
    return CheckinRecord(
        client_id=row.client_id,
        day=row.day,
        recorded_at=row.recorded_at,
        scores=tuple((s.name, int(getattr(row, s.name))) for s in DAILY_SCALES),
        dose_status=row.dose_status,
        dose_mg=row.dose_mg,
        dose_time=row.dose_time,
        note=row.note,
        kit=row.kit,
        side_effects=tuple(
            SideEffectRecord(e.name, e.severity, e.detail)
            for e in sorted(row.side_effects.all(), key=lambda e: e.name)
        ),
    )


def _dispensing(row: Dispensing) -> DispensingRecord:
    return DispensingRecord(
        lowdose_id=row.pk,
        prescription_id=row.prescription_id,
        preparation=row.preparation,
        quantity=Decimal(row.quantity),
        unit=row.unit,
        lot=row.lot,
        compounded_on=row.compounded_on,
        beyond_use_date=row.beyond_use_date,
        pharmacist_id=row.pharmacist_id,
        dispensed_at=row.dispensed_at,
    )


def _nof1(trial: Nof1Trial) -> Nof1Record | None:
    result: dict[str, Any] = trial.result or {}
    if trial.unblinded_at is None or not result.get("effects"):
        return None  # still blinded, or no result could be computed
    return Nof1Record(
        trial_id=trial.pk,
        outcome=str(result.get("outcome", trial.outcome)),
        start=trial.start,
        end=trial.end,
        unblinded_at=trial.unblinded_at,
        mcid=float(result.get("mcid", trial.mcid)),
        effects=tuple(
            Nof1EffectRecord(
                arm=str(e["arm"]),
                mean=float(e["mean"]),
                ci_low=float(e["ci_low"]),
                ci_high=float(e["ci_high"]),
                p_better=float(e["p_better"]),
                p_mcid=float(e["p_mcid"]),
            )
            for e in result["effects"]
        ),
        summary=" ".join(str(s) for s in result.get("sentences", ())),
    )


def patient_record(
    patient: Patient, reader: User, *, report: ReportDocument | None = None
) -> PatientRecord:
    """Everything the export holds about ``patient``, as ``reader`` may see it."""
    # the prescriptions getter's rule: a patient never sees a draft
    rxs = visible_prescriptions(reader, "prescriptions.view", patient)
    prescriptions = list(rxs.select_related("clinician", "pharmacy").order_by("created_at", "pk"))
    dispensings = list(
        Dispensing.objects.filter(prescription__in=prescriptions)
        .select_related("pharmacist")
        .order_by("dispensed_at", "pk")
    )
    staff = {rx.clinician.pk: rx.clinician for rx in prescriptions}
    staff |= {d.pharmacist.pk: d.pharmacist for d in dispensings}
    checkins = (
        Checkin.objects.filter(patient=patient)
        .in_diary()
        .prefetch_related("side_effects")
        .order_by("day", "recorded_at")
    )
    results = AssessmentResult.objects.filter(patient=patient).order_by("completed_at", "pk")
    trials = Nof1Trial.objects.filter(patient=patient).order_by("start", "pk")
    history = [row.to_core() for row in history_shown_to(reader.is_patient, patient)]
    return PatientRecord(
        patient=PatientIdentity(lowdose_id=patient.pk, name=patient.display_name, mrn=patient.mrn),
        practitioners=tuple(_person(staff[pk]) for pk in sorted(staff)),
        checkins=tuple(_checkin(c) for c in checkins),
        assessments=tuple(
            AssessmentRecord(
                lowdose_id=r.pk,
                instrument=r.instrument,
                answers=r.result.get("answers", {}),
                completed_at=r.completed_at,
                version=r.version,
            )
            for r in results
        ),
        prescriptions=tuple(prescription_record(rx) for rx in prescriptions),
        dispensings=tuple(_dispensing(d) for d in dispensings),
        nof1_results=tuple(n for n in (_nof1(t) for t in trials) if n is not None),
        history=tuple(history),
        report=report,
    )


def native_urls(patient: Patient) -> frozenset[str]:
    """The ``fullUrl`` of every order, dispensing, diagnosis, care professional and N-of-1 result
    lowdose itself exports for ``patient`` (whoever reads), and of the history kept before: an
    import that brings one of these back keeps nothing new (:mod:`lowdose.interop.fhir.reader`)."""
    systems = identifier_systems()
    rxs = list(Prescription.objects.filter(patient=patient).values_list("pk", "clinician_id"))
    batches = list(
        Dispensing.objects.filter(prescription__patient=patient).values_list("pk", "pharmacist_id")
    )
    keys: list[tuple[str, object]] = [("prescription", pk) for pk, _ in rxs]
    keys += [("dispensing", pk) for pk, _ in batches]
    keys += [("practitioner", who) for _, who in rxs + batches]
    keys += [("condition", "fibromyalgia")] if rxs else []
    keys += [
        ("nof1", t.pk)
        for t in Nof1Trial.objects.filter(patient=patient, unblinded_at__isnull=False)
        if _nof1(t) is not None
    ]
    urls = {f"urn:uuid:{entry_uuid(systems, kind, key)}" for kind, key in keys}
    return frozenset(
        urls | set(HistoryRecord.objects.filter(patient=patient).values_list("full_url", flat=True))
    )


def parse_since(text: str | None) -> date | None:
    """``?since=YYYY-MM-DD`` as a date; ``None`` when absent. Raises ``ValueError`` otherwise."""
    if text is None or text == "":
        return None
    if len(text) != 10 or not text.isascii():
        raise ValueError(text)
    return date.fromisoformat(text)
