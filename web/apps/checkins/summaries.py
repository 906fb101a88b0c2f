"""The panel's stored summary of each patient (:class:`~apps.checkins.models.PatientSummary`):
kept in the transaction of every change that moves it, and rebuilt from scratch as the safety net.

The figures are the core's: :func:`lowdose.diary.summarize` computes the 7-day means, the change
from baseline and the current dose; this module only stores them. Each writer refreshes the part
its change moves, in its own transaction, with one upsert:

====================================  ==========================================================
change                                part refreshed
====================================  ==========================================================
check-in stored, changed, deleted,    the diary part (:func:`refresh_diary`): last check-in,
imported                              7-day means, change from baseline, current dose
alert raised or resolved              the alert counts (:func:`refresh_alert_counts`, registered
                                      with :func:`apps.alerts.actions.watch_alert_changes`)
prescription signed or dispensed,     the treatment part (:func:`refresh_treatment`, through the
trial designed or unblinded           providers of :mod:`apps.accounts.treatment`)
====================================  ==========================================================

The 7-day window moves with the date, so :func:`rebuild_patient_summaries` recomputes every row
once a day (a periodic job, :data:`apps.jobs.schedule.PERIODIC_JOBS`) and on demand
(``manage.py rebuild_patient_summaries``). It is idempotent: two runs at once store the same
values. A patient without a row yet (created since the last rebuild, never checked in) shows on
the panel with empty figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from apps.accounts.models import Patient
from apps.accounts.treatment import naltrexone_holders
from apps.alerts.models import Alert, Severity
from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.checkins.followup import followup_after_checkin
from apps.checkins.models import Checkin, PatientSummary
from apps.checkins.queries import core_checkins
from lowdose.daily import Diary
from lowdose.diary import Checkin as CoreCheckin
from lowdose.diary import daily_scores, summarize

__all__ = [
    "DIARY_FIELDS",
    "after_diary_change",
    "diary_figures",
    "rebuild_patient_summaries",
    "refresh_alert_counts",
    "refresh_diary",
    "refresh_treatment",
]

DIARY_FIELDS = (
    "computed_on",
    "last_checkin_at",
    "last7",
    "change_from_baseline",
    "current_dose_mg",
    "updated_at",
)
_ALERT_FIELDS = ("open_alerts", "urgent_alerts", "silence_alert_open", "updated_at")
_TREATMENT_FIELDS = ("prescribed", "in_trial", "updated_at")
#: Patients per step of a rebuild: bounds the check-ins held in memory at once.
_CHUNK = 200


def diary_figures(
    checkins: Iterable[CoreCheckin], today: date, *, diary: Diary | None = None
) -> dict[str, Any]:
    """The diary part of a summary, as stored, from the core's :func:`summarize` (``diary``:
    the daily series of ``checkins`` when the caller has built it)."""
    summary = summarize(checkins, today=today, rows=diary)
    return {
        "computed_on": today,
        "last_checkin_at": summary.last_checkin_at,
        "last7": summary.last7,
        "change_from_baseline": summary.change_from_baseline,
        "current_dose_mg": summary.current_dose_mg,
    }


def _upsert(rows: Sequence[PatientSummary], fields: Sequence[str]) -> None:
    """Insert the rows, or update only ``fields`` of those that exist: one statement."""
    if rows:
        PatientSummary.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["patient"], update_fields=list(fields)
        )


def refresh_diary(
    patient: Patient,
    checkins: Iterable[CoreCheckin] | None = None,
    *,
    diary: Diary | None = None,
) -> None:
    """Store the diary part of ``patient``'s summary; ``checkins`` is their diary (every
    check-in that counts) when the caller has read it already, ``diary`` its daily series."""
    if checkins is None:
        checkins = core_checkins(patient)
    figures = diary_figures(checkins, patient.today(), diary=diary)
    _upsert([PatientSummary(patient=patient, updated_at=timezone.now(), **figures)], DIARY_FIELDS)


def after_diary_change(
    patient: Patient, *, followup: bool = True, silence_alert_open: bool | None = None
) -> None:
    """What follows a change to ``patient``'s diary, in the caller's transaction: the follow-up
    rules (:func:`apps.checkins.followup.followup_after_checkin`, unless ``followup`` is False;
    ``silence_alert_open`` is passed on) and the diary part of the summary, both from one read
    of the diary."""
    checkins = core_checkins(patient)
    diary = daily_scores(checkins)  # one daily series for the rules and the summary
    if followup:
        followup_after_checkin(
            Actor.system(patient.clinic_id),
            patient,
            diary=diary,
            silence_alert_open=silence_alert_open,
        )
    refresh_diary(patient, checkins, diary=diary)


#: A patient with no open alert.
_NO_ALERTS = {"open_alerts": 0, "urgent_alerts": 0, "silence_alert_open": False}


def _alert_counts(patient_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The alert part of each patient's summary: open and urgent counts, and whether a "no
    check-in" alert is open (one statement)."""
    rows = (
        Alert.objects.filter(patient_id__in=patient_ids, resolved_at__isnull=True)
        .order_by()
        .values("patient_id")
        .annotate(
            open=Count("id"),
            urgent=Count("id", filter=Q(severity=Severity.URGENT)),
            silence=Count("id", filter=Q(kind="no_checkin")),
        )
    )
    return {
        row["patient_id"]: {
            "open_alerts": row["open"],
            "urgent_alerts": row["urgent"],
            "silence_alert_open": row["silence"] > 0,
        }
        for row in rows
    }


def refresh_alert_counts(patient_id: int) -> None:
    """Store the patient's open alert counts and whether a "no check-in" alert is open; two
    queries."""
    counts = _alert_counts([patient_id]).get(patient_id, _NO_ALERTS)
    _upsert(
        [PatientSummary(patient_id=patient_id, **counts, updated_at=timezone.now())],
        _ALERT_FIELDS,
    )


def refresh_treatment(patient_ids: Iterable[int]) -> None:
    """Store whether each patient holds a prescription or is in a blinded trial (three queries,
    whatever the number)."""
    ids = list(patient_ids)
    prescribed, in_trial = naltrexone_holders(ids)
    now = timezone.now()
    _upsert(
        [
            PatientSummary(
                patient_id=pid,
                prescribed=pid in prescribed,
                in_trial=pid in in_trial,
                updated_at=now,
            )
            for pid in ids
        ],
        _TREATMENT_FIELDS,
    )


def _rebuild_chunk(patients: Sequence[Patient]) -> None:
    ids = [p.pk for p in patients]
    diaries: dict[int, list[CoreCheckin]] = defaultdict(list)
    rows = Checkin.objects.in_diary().filter(patient_id__in=ids).prefetch_related("side_effects")
    for row in rows:
        diaries[row.patient_id].append(row.to_core())
    prescribed, in_trial = naltrexone_holders(ids)
    counts = _alert_counts(ids)
    now = timezone.now()
    summaries = []
    for patient in patients:
        summaries.append(
            PatientSummary(
                patient=patient,
                **diary_figures(diaries[patient.pk], patient.today()),
                **counts.get(patient.pk, _NO_ALERTS),
                prescribed=patient.pk in prescribed,
                in_trial=patient.pk in in_trial,
                updated_at=now,
            )
        )
    _upsert(summaries, [*DIARY_FIELDS, *_ALERT_FIELDS[:-1], *_TREATMENT_FIELDS[:-1]])


def rebuild_patient_summaries(
    *, patient_ids: Iterable[int] | None = None, actor: Actor | None = None
) -> int:
    """Recompute the summary of every patient (or of ``patient_ids``) from scratch; returns how
    many were stored. Each step of :data:`_CHUNK` patients commits on its own; one audit event
    says how many were rebuilt."""
    patients = Patient.objects.order_by("pk")
    if patient_ids is not None:
        patients = patients.filter(pk__in=list(patient_ids))
    done = 0
    last = 0
    while True:
        chunk = list(patients.filter(pk__gt=last)[:_CHUNK])
        if not chunk:
            break
        with transaction.atomic():
            _rebuild_chunk(chunk)
        done += len(chunk)
        last = chunk[-1].pk
    if done:
        record_as(actor or Actor.system(), "checkins.summaries.rebuild", detail={"rebuilt": done})
    return done
