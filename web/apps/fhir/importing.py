"""The FHIR import: a Bundle (lowdose's export, or Observations from another system) written into
one patient's record through the existing actions, all or nothing (docs/fhir.md, "Import").

Who imports what (the route's rule is ``fhir.import``: the patient themself or a clinician of
their care team; a pharmacist or a clinic admin 403, anyone else's patient 404):

* check-ins and their side effects (daily-score and dose Observations, AdverseEvents): only the
  patient (``checkins.import``: the diary is the patient's own words);
* QuestionnaireResponses: the patient for a questionnaire they answer, the clinician for any
  (a form a clinician completes at a visit, e.g. the ACR physician forms, only the clinician);
* orders, dispensings, diagnoses, care professionals and N-of-1 results from another record:
  the patient or the clinician, kept read-only as history (:class:`apps.fhir.models.HistoryRecord`;
  never a lowdose prescription, dispensing or trial: lowdose writes its own orders);
* the Patient, the visit report's DocumentReference and questionnaire scores are counted, never
  written (the record's own; the report is rendered again; scores are re-computed).

A resource the importer's role may not write is refused like an invalid one (403, its path in
the OperationOutcome); any refusal writes nothing. Writes go through
:func:`apps.checkins.actions.import_checkins` and
:func:`apps.clinical.actions.complete_assessment`, which audit each row as they always do; the
import adds one ``fhir.import`` event with the counts, in the same transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone

from apps.accounts.access import acts_on_any, audit_allowed_access, get_patient_for_user
from apps.accounts.models import Patient, User
from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.checkins.actions import import_checkins
from apps.checkins.models import Checkin, answers_of
from apps.clinical.actions.assessments import complete_assessment
from apps.clinical.models import AssessmentResult
from apps.fhir.gather import identifier_systems, native_urls
from apps.fhir.models import HistoryRecord
from config.api_input import row_id
from config.errors import ImportRefusedError
from lowdose import instruments
from lowdose.diary import Checkin as CoreCheckin
from lowdose.errors import InputError
from lowdose.interop.fhir import PatientIdentity
from lowdose.interop.fhir.reader import ImportedAssessment, ImportPlan, Problem, read_import

__all__ = ["ImportSummary", "import_bundle"]

NO_PATIENT = "No such patient, or their record is not yours to import into. Check the patient's id."


@dataclass
class ImportSummary:
    """What an import did, by kind: created, already present, and kept (not imported)."""

    checkins: dict[str, int] = field(default_factory=lambda: {"created": 0, "already_present": 0})
    side_effects: dict[str, int] = field(
        default_factory=lambda: {"created": 0, "already_present": 0}
    )
    assessments: dict[str, int] = field(
        default_factory=lambda: {"created": 0, "already_present": 0}
    )
    history: dict[str, int] = field(default_factory=lambda: {"created": 0, "already_present": 0})
    kept: dict[str, int] = field(default_factory=dict)
    resources: int = 0

    def to_dict(self) -> dict[str, object]:
        parts = (self.checkins, self.side_effects, self.assessments, self.history)
        return {
            "created": sum(p["created"] for p in parts),
            "already_present": sum(p["already_present"] for p in parts),
            "checkins": self.checkins,
            "side_effects": self.side_effects,
            "assessments": self.assessments,
            "history": self.history,
            "kept": self.kept,
            "resources": self.resources,
        }


def _target(request: HttpRequest, patient_id: object) -> Patient:
    pk = row_id(patient_id)
    if pk is None:
        raise ImportRefusedError(404, [Problem("$", NO_PATIENT, "not-found")])
    try:
        return get_patient_for_user(request, pk, "fhir.import", audited_by_write=True)
    except Http404:
        user = request.user
        if isinstance(user, User) and not acts_on_any(user, "fhir.import"):
            raise ImportRefusedError(
                403,
                [
                    Problem(
                        "$",
                        "Your role cannot import into a patient's record: the patient or their "
                        "clinician imports it.",
                        "forbidden",
                    )
                ],
            ) from None
        raise ImportRefusedError(404, [Problem("$", NO_PATIENT, "not-found")]) from None


def _parse(body: bytes) -> object:
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        message = "The body is not UTF-8 text; send the Bundle as UTF-8 JSON."
    except json.JSONDecodeError as bad:
        message = (
            f"The body is not valid JSON (line {bad.lineno}, column {bad.colno}: {bad.msg}); "
            "send a FHIR Bundle as JSON."
        )
    raise ImportRefusedError(400, [Problem("$", message, "structure")])


def _role_problems(user: User, plan: ImportPlan) -> list[Problem]:
    """The resources ``user``'s role may not write (module docstring)."""
    found: list[Problem] = []
    if not user.is_patient:
        found += [
            Problem(
                path,
                "Check-ins and side effects are the patient's own diary: only the patient "
                "imports them. Remove these entries, or ask the patient to import the Bundle.",
                "forbidden",
            )
            for item in plan.checkins
            for path in item.paths
        ]
    else:
        found += [
            Problem(
                item.path,
                f"{instruments.get(item.instrument).title} is completed by the clinician at a "
                "visit: only the clinician imports it. Remove this entry, or ask your clinician.",
                "forbidden",
            )
            for item in plan.assessments
            if item.completed_by == "clinician"
        ]
    return found


def _same_answers(a: CoreCheckin, b: CoreCheckin) -> bool:
    return answers_of(replace(a, client_id=b.client_id, recorded_at=b.recorded_at)) == answers_of(b)


def _days_taken(patient: Patient, plan: ImportPlan) -> tuple[list[Problem], set[UUID]]:
    """Another system's days the diary already has a check-in for: the same answers are already
    present (their ids, to skip); other answers are a conflict (lowdose keeps the diary's entry:
    one check-in a day, never overwritten by import)."""
    foreign = {item.checkin.day: item for item in plan.checkins if item.foreign}
    stored = (
        Checkin.objects.filter(patient=patient, day__in=list(foreign))
        .in_diary()
        .prefetch_related("side_effects")
    )
    found: list[Problem] = []
    skip: set[UUID] = set()
    for row in stored:
        item = foreign[row.day]
        if row.client_id == item.checkin.client_id:
            continue  # imported before: _conflicts compares it
        if _same_answers(item.checkin, row.to_core()):
            skip.add(item.checkin.client_id)
            continue
        found += [
            Problem(
                path,
                f"The diary already has a check-in for {row.day} with other answers; lowdose "
                "keeps one check-in a day and does not overwrite it by import. Remove these "
                "entries, or ask the patient to correct that day in lowdose.",
                "conflict",
            )
            for path in item.paths
        ]
    return found, skip


def _conflicts(patient: Patient, plan: ImportPlan) -> list[Problem]:
    """Check-ins whose id is stored for a different entry (or a deleted one)."""
    ids = [item.checkin.client_id for item in plan.checkins]
    stored = {
        row.client_id: row
        for row in Checkin.objects.filter(patient=patient, client_id__in=ids).prefetch_related(
            "side_effects"
        )
    }
    found = []
    for item in plan.checkins:
        row = stored.get(item.checkin.client_id)
        if row is None:
            continue
        same = replace(item.checkin, recorded_at=row.recorded_at) == row.to_core()
        if row.deleted_at is None and same:
            continue
        why = "was deleted by the patient" if row.deleted_at else "is stored with other answers"
        found += [
            Problem(
                path,
                f"The check-in {item.checkin.client_id} of {item.checkin.day} {why}; lowdose "
                "does not overwrite a diary entry by import. Remove these entries.",
                "conflict",
            )
            for path in item.paths
        ]
    return found


def _stored(patient: Patient, item: ImportedAssessment) -> bool:
    """Is this questionnaire stored already (same instrument, moment and answers)?"""
    clean = instruments.get(item.instrument).validate(item.answers)
    return any(
        row.result.get("answers") == clean
        for row in AssessmentResult.objects.filter(
            patient=patient, instrument=item.instrument, completed_at=item.completed_at
        )
    )


def _write(actor: Actor, patient: Patient, plan: ImportPlan, skip: set[UUID]) -> ImportSummary:
    summary = ImportSummary(kept=dict(plan.kept), resources=plan.resources)
    checkins = [item.checkin for item in plan.checkins if item.checkin.client_id not in skip]
    effects = sum(len(c.side_effects) for c in checkins)
    skipped = [item.checkin for item in plan.checkins if item.checkin.client_id in skip]
    summary.checkins["already_present"] = len(skipped)
    summary.side_effects["already_present"] = sum(len(c.side_effects) for c in skipped)
    with transaction.atomic():
        if checkins:
            before = set(
                Checkin.objects.filter(
                    patient=patient, client_id__in=[c.client_id for c in checkins]
                ).values_list("client_id", flat=True)
            )
            done = import_checkins(actor, patient, checkins)
            new = sum(len(c.side_effects) for c in checkins if c.client_id not in before)
            summary.checkins["created"] = done.created
            summary.checkins["already_present"] += done.already_present
            summary.side_effects["created"] = new
            summary.side_effects["already_present"] += effects - new
        for item in plan.assessments:
            if _stored(patient, item):
                summary.assessments["already_present"] += 1
                continue
            try:
                complete_assessment(
                    actor,
                    patient,
                    item.instrument,
                    dict(item.answers),
                    completed_at=item.completed_at,
                )
            except InputError as bad:
                raise ImportRefusedError(400, [Problem(item.path, str(bad))]) from None
            summary.assessments["created"] += 1
        HistoryRecord.objects.bulk_create(
            HistoryRecord(
                patient=patient,
                resource_type=item.resource_type,
                full_url=item.full_url,
                resource=item.resource,
                summary=item.summary,
                occurred_on=item.occurred_on,
                imported_by=actor.user,
            )
            for _, item in plan.history
        )
        summary.history = {"created": len(plan.history), "already_present": plan.already_known}
        record_as(actor, "fhir.import", patient_id=patient.pk, detail=summary.to_dict())
    return summary


def import_bundle(request: HttpRequest, patient_id: object, body: bytes) -> ImportSummary:
    """Import ``body`` into the patient's record for ``request.user`` (module docstring).

    Raises :class:`ImportRefusedError` (nothing written) for a patient out of reach, a body
    that is not a readable Bundle, or any resource refused.
    """
    patient = _target(request, patient_id)
    user = request.user
    assert isinstance(user, User)  # _target let only a signed-in user through
    try:
        data = _parse(body)
        plan = read_import(
            data,
            systems=identifier_systems(),
            patient=PatientIdentity(patient.pk, patient.display_name, patient.mrn),
            now=timezone.now(),
            tz=ZoneInfo(patient.time_zone),
            joined=patient.created_at,
            known_urls=native_urls(patient),
        )
        problems = list(plan.problems) or _role_problems(user, plan)
        problems = problems or _conflicts(patient, plan)
        taken, skip = _days_taken(patient, plan)
        problems = problems or taken
        if problems:
            forbidden = all(p.code == "forbidden" for p in problems)
            raise ImportRefusedError(403 if forbidden else 400, problems)
        return _write(Actor.from_request(request), patient, plan, skip)
    except ImportRefusedError:
        audit_allowed_access(request, patient, "fhir.import")  # the access stays in the record
        raise
