"""Writes to check-ins. Each function validates through the core, writes in one transaction,
and appends to the audit log; nothing is partly saved.

A patient may change or delete a check-in for :data:`lowdose.diary.CHANGE_WINDOW` after making
it (:func:`change_checkin`, :func:`delete_checkin`): a change keeps the version it replaces
(:class:`~apps.checkins.models.CheckinRevision`), a deletion keeps the row outside the diary, and
each writes its audit event in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.models import Patient, User
from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.checkins.models import Checkin, CheckinRevision, SideEffectReport, answers_of
from apps.checkins.summaries import after_diary_change
from config.errors import CheckinConflictError
from lowdose.daily import DAILY_SCALES
from lowdose.diary import CHANGE_WINDOW, may_change, parse_checkin
from lowdose.diary import Checkin as CoreCheckin
from lowdose.interop.diary_csv import read_checkins_csv

__all__ = [
    "ImportResult",
    "change_checkin",
    "delete_checkin",
    "import_checkins",
    "read_import",
    "record_checkin",
    "revised_checkin",
    "store_checkin",
    "why_unchangeable",
]


@dataclass(frozen=True)
class ImportResult:
    created: int
    already_present: int


def _same(stored: CoreCheckin, incoming: CoreCheckin) -> bool:
    """Same entry? ``recorded_at`` is ignored: it defaults to "now" when a client omits it, so a
    re-sent form differs only there."""
    return replace(incoming, recorded_at=stored.recorded_at) == stored


def store_checkin(
    actor: Actor,
    patient: Patient,
    checkin: CoreCheckin,
    *,
    followup: bool = True,
    silence_alert_open: bool | None = None,
) -> tuple[Checkin, bool]:
    """Store a validated check-in made by ``actor`` (a person: ``created_by``); re-sending the
    same ``client_id`` returns the stored one. The caller writes the audit event
    (:func:`record_checkin`, :func:`import_checkins`) in the same transaction.

    Returns ``(row, created)``. Raises :class:`CheckinConflictError` when the id was used for a
    different entry. A new check-in runs the follow-up rules in the same transaction
    (:func:`apps.checkins.followup.followup_after_checkin`: raises pain, side-effect alerts and
    closes "no check-in"), as lowdose itself; ``followup=False`` leaves that to a caller storing
    many. ``silence_alert_open``: what the caller knows of an open "no check-in" alert (see
    :func:`~apps.checkins.followup.followup_after_checkin`; None: not known).
    """
    by = _person(actor)
    # Insert first: the unique (patient, client_id) constraint says whether the id was used, so a
    # new check-in (nearly every one) costs no look-up beforehand.
    try:
        with transaction.atomic():
            row = Checkin.objects.create(
                patient=patient,
                client_id=checkin.client_id,
                day=checkin.day,
                recorded_at=checkin.recorded_at,
                **checkin.scores,
                dose_status=checkin.dose_status,
                dose_mg=checkin.dose_mg,
                dose_time=checkin.dose_time,
                note=checkin.note,
                kit=checkin.kit,
                created_by=by,
            )
            effects = SideEffectReport.objects.bulk_create(
                [
                    SideEffectReport(checkin=row, name=e.name, severity=e.severity, detail=e.detail)
                    for e in checkin.side_effects
                ]
            )
            if followup:
                after_diary_change(patient, silence_alert_open=silence_alert_open)
    except IntegrityError:
        # The id is stored already: a re-sent entry, or two copies of one submission racing.
        existing = Checkin.objects.get(patient=patient, client_id=checkin.client_id)
        if existing.deleted_at is not None:
            raise CheckinConflictError(
                f"client_id {checkin.client_id} belongs to a check-in that was deleted; "
                "generate a new id for a new entry.",
                field="client_id",
            ) from None
        if not _same(existing.to_core(), checkin):
            raise CheckinConflictError(
                f"client_id {checkin.client_id} was already used for a different check-in; "
                "generate a new id for a new entry.",
                field="client_id",
            ) from None
        return existing, False
    # What was stored, without reading it back (CheckinOut.from_row lists them).
    prefetch_cache = row._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    prefetch_cache["side_effects"] = effects
    return row, True


def record_checkin(
    actor: Actor,
    patient: Patient,
    raw: Mapping[str, object],
    *,
    explicit: bool = False,
    silence_alert_open: bool | None = None,
) -> tuple[Checkin, bool]:
    """Validate and store one check-in for ``patient`` on behalf of ``actor``; audited.

    ``explicit``: the entry comes from a person at the form (see
    :func:`lowdose.diary.parse_checkin`); ``silence_alert_open`` as for :func:`store_checkin`.
    """
    _person(actor)
    checkin = parse_checkin(
        raw,
        now=timezone.now(),
        tz=ZoneInfo(patient.time_zone),
        joined=patient.created_at,
        explicit=explicit,
    )
    with transaction.atomic():  # the check-in and its audit event commit together
        row, created = store_checkin(actor, patient, checkin, silence_alert_open=silence_alert_open)
        record_as(
            actor,
            "checkins.add" if created else "checkins.add.replay",
            patient_id=patient.pk,
            clinic_id=patient.clinic_id,
            obj=row,
        )
    return row, created


def _person(actor: Actor) -> User:
    if actor.user is None:
        raise ValueError("a check-in is written by a person, not by lowdose itself")
    return actor.user


def revised_checkin(
    row: Checkin, changes: Mapping[str, object], *, now: datetime, explicit: bool = False
) -> CoreCheckin:
    """The check-in ``row`` with ``changes`` applied, validated as a new entry is.

    Answers not in ``changes`` keep their stored values; the id, the moment it was made (and so
    the days it may belong to) and a blinded trial's kit code stay as stored. Sending
    ``dose_status``, ``dose_missed`` or ``dose_mg`` answers the dose question again, as in a new
    entry; with "missed" or "no dose due" a stored dose and time are dropped.
    """
    raw: dict[str, object] = row.snapshot()
    if {"dose_status", "dose_missed", "dose_mg"} & changes.keys():
        del raw["dose_status"]
    raw.update(changes)
    raw.update(client_id=str(row.client_id), recorded_at=row.recorded_at.isoformat(), kit=row.kit)
    patient = row.patient
    return parse_checkin(
        raw,
        now=now,
        tz=ZoneInfo(patient.time_zone),
        joined=patient.created_at,
        explicit=explicit,
    )


def why_unchangeable(row: Checkin, now: datetime) -> str | None:
    """Why the patient can no longer change or delete ``row``, in words; ``None`` while they may."""
    local = row.recorded_at.astimezone(ZoneInfo(row.patient.time_zone))
    made = f"{local:%a} {local.day} {local:%b} at {local:%H:%M}"
    if row.deleted_at is not None:
        return f"The check-in of {made} was deleted; record a new check-in instead."
    if not may_change(row.recorded_at, now):
        return (
            f"The check-in of {made} was made more than {CHANGE_WINDOW.days} days ago, so it can "
            "no longer be changed or deleted: entries stay as they were recorded, close to the "
            "day. Add a note to today's check-in, or tell your care team what was wrong."
        )
    return None


def _refuse_unless_changeable(row: Checkin, now: datetime) -> None:
    reason = why_unchangeable(row, now)
    if reason:
        raise CheckinConflictError(reason, field=None)


def change_checkin(
    actor: Actor, row: Checkin, checkin: CoreCheckin, *, now: datetime | None = None
) -> tuple[Checkin, bool]:
    """Replace the answers of ``row`` with ``checkin`` (from :func:`revised_checkin`); audited.

    The version replaced is kept as a :class:`CheckinRevision` and the audit event
    ``checkins.change`` names it, in the same transaction; the follow-up rules run on the changed
    diary. Returns ``(row, changed)``: the same answers again change nothing and record nothing.
    Raises :class:`CheckinConflictError` past the change window or for a deleted check-in.
    """
    user = _person(actor)
    now = now or timezone.now()
    if checkin.client_id != row.client_id or checkin.recorded_at != row.recorded_at:
        raise ValueError("change_checkin takes the same entry, revised (see revised_checkin)")
    with transaction.atomic():
        locked = Checkin.objects.select_for_update().select_related("patient").get(pk=row.pk)
        _refuse_unless_changeable(locked, now)
        before = locked.snapshot()
        after = answers_of(checkin)
        if before == after:
            return locked, False
        revision = CheckinRevision.objects.create(
            checkin=locked, values=before, replaced_at=now, replaced_by=user
        )
        for name in ("day", *DAILY_SCALES.names, "dose_status", "dose_mg"):
            setattr(locked, name, getattr(checkin, name))
        locked.dose_time = checkin.dose_time
        locked.note = checkin.note
        locked.changed_at = now
        locked.save()
        locked.side_effects.all().delete()
        SideEffectReport.objects.bulk_create(
            SideEffectReport(checkin=locked, name=e.name, severity=e.severity, detail=e.detail)
            for e in checkin.side_effects
        )
        after_diary_change(locked.patient)
        record_as(
            actor,
            "checkins.change",
            patient_id=locked.patient_id,
            obj=locked,
            detail={
                "revision": revision.pk,
                "changed": sorted(name for name in after if after[name] != before[name]),
            },
        )
    return locked, True


def delete_checkin(actor: Actor, row: Checkin, *, now: datetime | None = None) -> Checkin:
    """Delete ``row``: it leaves the diary (statistics, charts, alerts, analyses) and stays in the
    record, marked, for the care team and the audit log; audited in the same transaction.

    Raises :class:`CheckinConflictError` past the change window or when already deleted.
    """
    user = _person(actor)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Checkin.objects.select_for_update().select_related("patient").get(pk=row.pk)
        _refuse_unless_changeable(locked, now)
        locked.deleted_at = now
        locked.deleted_by = user
        locked.save(update_fields=["deleted_at", "deleted_by"])
        after_diary_change(locked.patient, followup=False)
        record_as(
            actor,
            "checkins.delete",
            patient_id=locked.patient_id,
            obj=locked,
            detail={"day": locked.day.isoformat()},
        )
    return locked


def read_import(patient: Patient, text: str) -> list[CoreCheckin]:
    """The check-ins of a lowdose CSV export for ``patient``, each validated by the core
    (:func:`lowdose.interop.diary_csv.read_checkins_csv`: a bad row is a ``CheckinError``)."""
    return list(
        read_checkins_csv(
            text, now=timezone.now(), tz=ZoneInfo(patient.time_zone), joined=patient.created_at
        )
    )


def import_checkins(
    actor: Actor, patient: Patient, checkins: Sequence[CoreCheckin]
) -> ImportResult:
    """Import validated check-ins (:func:`read_import`): all rows or none; ids already stored
    are skipped. The follow-up rules run once, on the whole diary, after the last row."""
    _person(actor)
    created = 0
    with transaction.atomic():
        for checkin in checkins:
            _, was_created = store_checkin(actor, patient, checkin, followup=False)
            created += was_created
        if created:
            after_diary_change(patient)
        record_as(actor, "checkins.import", patient_id=patient.pk, detail={"created": created})
    return ImportResult(created=created, already_present=len(checkins) - created)
