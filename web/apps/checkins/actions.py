"""Writes to check-ins. Each function validates through the core, writes in one transaction,
and appends to the audit log; nothing is partly saved."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import cast
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.models import Patient, User
from apps.alerts.rules import followup_after_checkin
from apps.audit.actor import Actor
from apps.audit.log import record, record_as
from apps.checkins.models import Checkin, SideEffectReport
from lowdose.diary import Checkin as CoreCheckin
from lowdose.diary import CheckinError, parse_checkin
from lowdose.diary.csvio import read_checkins_csv

__all__ = [
    "CheckinConflictError",
    "ImportResult",
    "import_checkins",
    "record_checkin",
    "store_checkin",
]


class CheckinConflictError(CheckinError):
    """The client_id was already used for a different entry."""


@dataclass(frozen=True)
class ImportResult:
    created: int
    already_present: int


def _same(stored: CoreCheckin, incoming: CoreCheckin) -> bool:
    """Same entry? ``recorded_at`` is ignored: it defaults to "now" when a client omits it, so a
    re-sent form differs only there."""
    return replace(incoming, recorded_at=stored.recorded_at) == stored


def store_checkin(
    patient: Patient, checkin: CoreCheckin, *, by: User, followup: bool = True
) -> tuple[Checkin, bool]:
    """Store a validated check-in; re-sending the same ``client_id`` returns the stored one.

    Returns ``(row, created)``. Raises :class:`CheckinConflictError` when the id was used for a
    different entry. A new check-in runs the follow-up rules in the same transaction
    (:func:`apps.alerts.rules.followup_after_checkin`: raises pain, side-effect alerts and closes
    "no check-in"), as lowdose itself; ``followup=False`` leaves that to a caller storing many.
    """
    existing = Checkin.objects.filter(patient=patient, client_id=checkin.client_id).first()
    if existing is not None:
        if not _same(existing.to_core(), checkin):
            raise CheckinConflictError(
                f"client_id {checkin.client_id} was already used for a different check-in; "
                "generate a new id for a new entry.",
                field="client_id",
            )
        return existing, False
    try:
        with transaction.atomic():
            row = Checkin.objects.create(
                patient=patient,
                client_id=checkin.client_id,
                day=checkin.day,
                recorded_at=checkin.recorded_at,
                pain=checkin.pain,
                fatigue=checkin.fatigue,
                sleep=checkin.sleep,
                mood=checkin.mood,
                dose_status=checkin.dose_status,
                dose_mg=checkin.dose_mg,
                dose_time=checkin.dose_time,
                note=checkin.note,
                kit=checkin.kit,
                created_by=by,
            )
            SideEffectReport.objects.bulk_create(
                SideEffectReport(checkin=row, name=e.name, severity=e.severity, detail=e.detail)
                for e in checkin.side_effects
            )
            if followup:
                followup_after_checkin(Actor.system(patient.clinic_id), patient)
    except IntegrityError:
        # Two copies of the same submission raced; the other one won.
        existing = Checkin.objects.get(patient=patient, client_id=checkin.client_id)
        if not _same(existing.to_core(), checkin):
            raise CheckinConflictError(
                f"client_id {checkin.client_id} was already used for a different check-in.",
                field="client_id",
            ) from None
        return existing, False
    return row, True


def record_checkin(
    actor: Actor, patient: Patient, raw: Mapping[str, object], *, explicit: bool = False
) -> tuple[Checkin, bool]:
    """Validate and store one check-in for ``patient`` on behalf of ``actor``; audited.

    ``explicit``: the entry comes from a person at the form (see
    :func:`lowdose.diary.parse_checkin`).
    """
    user = _person(actor)
    checkin = parse_checkin(
        raw,
        now=timezone.now(),
        tz=ZoneInfo(patient.time_zone),
        joined=patient.created_at,
        explicit=explicit,
    )
    with transaction.atomic():  # the check-in and its audit event commit together
        row, created = store_checkin(patient, checkin, by=user)
        record_as(
            actor,
            "checkins.add" if created else "checkins.add.replay",
            patient_id=patient.pk,
            obj=row,
        )
    return row, created


def _person(actor: Actor) -> User:
    if actor.user is None:
        raise ValueError("a check-in is written by a person, not by lowdose itself")
    return actor.user


def import_checkins(request: HttpRequest, patient: Patient, text: str) -> ImportResult:
    """Import a lowdose CSV export: all rows or none; ids already stored are skipped. The
    follow-up rules run once, on the whole diary, after the last row."""
    user = cast(User, request.user)
    checkins = read_checkins_csv(
        text, now=timezone.now(), tz=ZoneInfo(patient.time_zone), joined=patient.created_at
    )
    created = 0
    with transaction.atomic():
        for checkin in checkins:
            _, was_created = store_checkin(patient, checkin, by=user, followup=False)
            created += was_created
        if created:
            followup_after_checkin(Actor.system(patient.clinic_id), patient)
        record(request, "checkins.import", patient_id=patient.pk, detail={"created": created})
    return ImportResult(created=created, already_present=len(checkins) - created)
