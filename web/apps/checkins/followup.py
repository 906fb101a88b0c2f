"""Follow-up rules that turn check-in data into stored alerts.

They live with the check-ins they read, above the alerts app, which keeps the alert records, their
actions and pages and knows nothing of check-ins. The rules themselves are the core's
(:func:`lowdose.diary.alerts_for` and :func:`lowdose.diary.no_checkin_alert`, pure and tested
without Django); this module only decides which record each finding is and stores it:

=======================  ========  =====================================  =====================
kind                     severity  key (one open alert per key)           raised
=======================  ========  =====================================  =====================
``pain_up``              warning   first day of the 7-day window          after a check-in
``new_side_effect``      warning   side effect name                       after a check-in
``severe_side_effect``   urgent    side effect name and day               after a check-in
``no_checkin``           warning   "" (one open alert per silence)        by the daily sweep
=======================  ========  =====================================  =====================

A finding is stored once per occurrence, not once per evaluation: a side effect is "new" only
once in a patient's history, a severe report once per day, and a pain rise once per week (the
same rise shows in every 7-day window that overlaps it), so a clinician who resolves one is not
handed it again the next morning. A check-in resolves an open ``no_checkin`` alert.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Max, Q

from apps.accounts.models import Patient
from apps.alerts.actions import raise_alert, resolve_open
from apps.alerts.models import Alert, Severity
from apps.audit.actor import Actor
from apps.checkins.queries import core_checkins, patient_today
from lowdose.daily import Diary
from lowdose.diary import Alert as Finding
from lowdose.diary import Checkin as CoreCheckin
from lowdose.diary import alerts_for, daily_scores, no_checkin_alert
from lowdose.diary.summary import WINDOW_DAYS

__all__ = ["FOLLOWUP_KINDS", "SEVERITY_OF", "followup_after_checkin", "sweep_silence"]

#: The severity each follow-up finding is stored with.
SEVERITY_OF: dict[str, Severity] = {
    "no_checkin": Severity.WARNING,
    "new_side_effect": Severity.WARNING,
    "pain_up": Severity.WARNING,
    "severe_side_effect": Severity.URGENT,
}
FOLLOWUP_KINDS = tuple(SEVERITY_OF)
CHECKED_IN_AGAIN = "The patient checked in again."


def _key(finding: Finding) -> str:
    if finding.code == "pain_up":
        return finding.since.isoformat()
    if finding.code == "new_side_effect":
        return finding.subject
    if finding.code == "severe_side_effect":
        return f"{finding.subject} {finding.since.isoformat()}"
    return ""


def _seen_before(finding: Finding, key: str, earlier: set[tuple[str, str]]) -> bool:
    """Was this occurrence stored already (open, acknowledged or resolved)?"""
    if finding.code == "pain_up":
        start = finding.since
        overlapping = {
            (start + timedelta(days=d)).isoformat() for d in range(-(WINDOW_DAYS - 1), WINDOW_DAYS)
        }
        return any(kind == "pain_up" and k in overlapping for kind, k in earlier)
    return (finding.code, key) in earlier


def _store(actor: Actor, patient: Patient, finding: Finding, key: str) -> tuple[Alert, bool]:
    return raise_alert(
        actor,
        patient,
        kind=finding.code,
        severity=SEVERITY_OF[finding.code],
        message=finding.message,
        facts=dict(finding.facts),
        key=key,
    )


def followup_after_checkin(
    actor: Actor,
    patient: Patient,
    *,
    today: date | None = None,
    checkins: Sequence[CoreCheckin] | None = None,
    diary: Diary | None = None,
    silence_alert_open: bool | None = None,
) -> list[Alert]:
    """Evaluate the follow-up rules on ``patient``'s whole diary and store what they find.

    Called by the check-in write path in the same transaction as the check-in. ``today`` is the
    patient's calendar day (default: now in their time zone); ``checkins`` the patient's diary
    when the caller has read it already, ``diary`` their daily series when it is built already.
    ``silence_alert_open``: whether a "no check-in" alert is open, as the patient's panel summary
    said when the request read it (the check-in API's token reads it in the same statement);
    None when not known, and the stored alerts are read. With no finding to store and no
    silence alert to close, the stored alerts are not read at all. Returns the alerts newly
    raised.
    """
    today = today or patient_today(patient)
    if diary is None:
        diary = daily_scores(core_checkins(patient) if checkins is None else checkins)
    findings = alerts_for(diary, today)
    # Silence is the daily sweep's to raise, not a check-in's.
    storable = [f for f in findings if f.code in SEVERITY_OF and f.code != "no_checkin"]
    still_silent = any(f.code == "no_checkin" for f in findings)
    if not storable and (still_silent or silence_alert_open is False):
        return []  # nothing to raise or close: the stored alerts need not be read
    stored = Alert.objects.filter(patient=patient, kind__in=FOLLOWUP_KINDS).values_list(
        "kind", "key", "resolved_at"
    )
    earlier = {(kind, key) for kind, key, _ in stored}
    silent = any(kind == "no_checkin" and closed is None for kind, _, closed in stored)
    raised: list[Alert] = []
    for finding in storable:
        key = _key(finding)
        if _seen_before(finding, key, earlier):
            continue
        alert, created = _store(actor, patient, finding, key)
        if created:
            raised.append(alert)
            earlier.add((finding.code, key))
    if silent and not still_silent:
        # The latest check-in is recent (a back-dated import may leave the patient silent).
        resolve_open(actor, patient, "no_checkin", CHECKED_IN_AGAIN)
    return raised


def sweep_silence(now: datetime) -> int:
    """Raise ``no_checkin`` for every patient, in every clinic, silent for 3 days or more.

    Days are counted in each patient's own time zone: at one instant a patient in Auckland may
    already be on their third silent day while one in Los Angeles is still on their second. A
    patient who never checked in is silent since the day their record was created. Returns how
    many alerts were raised (patients with an open one are skipped).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    already = set(
        Alert.objects.filter(kind="no_checkin", resolved_at__isnull=True).values_list(
            "patient_id", flat=True
        )
    )
    raised = 0
    # A deleted check-in is no check-in.
    kept = Q(checkins__deleted_at__isnull=True)
    patients = Patient.objects.annotate(last_day=Max("checkins__day", filter=kept)).order_by("pk")
    for patient in patients:
        if patient.pk in already:
            continue
        tz = ZoneInfo(patient.time_zone)
        finding = no_checkin_alert(
            patient.last_day,
            now.astimezone(tz).date(),
            joined=patient.created_at.astimezone(tz).date(),
        )
        if finding is None:
            continue
        _, created = _store(Actor.system(patient.clinic_id), patient, finding, "")
        raised += created
    return raised
