"""The panel's stored summaries: kept by every write that moves them, equal to a computation from
scratch, rebuilt by a job and a command, and read by the panel in the same queries at any size."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.accounts.models import CareTeam, Clinic, Patient, Role, User
from apps.accounts.treatment import naltrexone_holders
from apps.alerts.actions import raise_alert, resolve_alert
from apps.alerts.models import Alert, Severity
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from apps.checkins.actions import change_checkin, delete_checkin, revised_checkin, store_checkin
from apps.checkins.models import Checkin, PatientSummary
from apps.checkins.queries import checkins_of, core_checkins
from apps.checkins.summaries import rebuild_patient_summaries
from apps.jobs.schedule import PERIODIC_JOBS
from config.errors import CheckinConflictError
from lowdose.daily import DAILY_SCALES
from lowdose.diary import Checkin as CoreCheckin
from lowdose.diary import SideEffect, alerts_for, daily_scores, summarize

_counter = iter(range(10**6))


def _new_patient(clinic: Clinic, team: CareTeam) -> Patient:
    n = next(_counter)
    user = User.objects.create(username=f"summary{n}", role=Role.PATIENT, clinic=clinic)
    return Patient.objects.create(user=user, clinic=clinic, care_team=team, display_name=f"S {n}")


def _checkin(patient: Patient, days_ago: int, score: int, dose: str, severe: bool) -> CoreCheckin:
    now = timezone.now() - timedelta(days=days_ago)
    return CoreCheckin(
        client_id=uuid.uuid4(),
        day=now.astimezone(ZoneInfo(patient.time_zone)).date(),
        recorded_at=now,
        scores={scale.name: (score + i) % 11 for i, scale in enumerate(DAILY_SCALES)},
        dose_status=dose,  # type: ignore[arg-type]
        dose_mg=Decimal("4.50") if dose == "taken" else None,
        dose_time=None,
        side_effects=(SideEffect("headache", "severe", ""),) if severe else (),
        note="",
    )


def _expected(patient: Patient) -> dict[str, Any]:
    """The summary computed from scratch: the core's summary of the stored diary, and the open
    alerts counted."""
    summary = summarize(core_checkins(patient), today=patient.today())
    open_ = Alert.objects.filter(patient=patient, resolved_at__isnull=True)
    prescribed, in_trial = naltrexone_holders([patient.pk])
    return {
        "last_checkin_at": summary.last_checkin_at,
        "last7": summary.last7,
        "change_from_baseline": summary.change_from_baseline,
        "current_dose_mg": summary.current_dose_mg,
        "open_alerts": open_.count(),
        "urgent_alerts": open_.filter(severity=Severity.URGENT).count(),
        "silence_alert_open": open_.filter(kind="no_checkin").exists(),
        "prescribed": patient.pk in prescribed,
        "in_trial": patient.pk in in_trial,
    }


@pytest.mark.django_db
def test_the_diary_read_in_one_statement_equals_the_models_own_conversion(
    clinic: Clinic, team: CareTeam
) -> None:
    """core_checkins reads plain tuples (a left join on the side effects) for speed: it must give
    what each stored row's to_core() gives, side effects in order, deleted ones left out."""
    patient = _new_patient(clinic, team)
    other = _new_patient(clinic, team)
    assert patient.user is not None
    actor = Actor.of(patient.user)
    effects = (
        (),
        (SideEffect("vivid_dreams", "mild", "twice"), SideEffect("headache", "severe", "")),
        (SideEffect("nausea", "moderate", "after the dose"),),
    )
    for n in range(9):
        checkin = _checkin(patient, days_ago=n // 2, score=n, dose="taken", severe=False)
        store_checkin(actor, patient, replace(checkin, side_effects=effects[n % 3]), followup=False)
        store_checkin(actor, other, _checkin(other, n, n, "none", True), followup=False)
    delete_checkin(actor, Checkin.objects.filter(patient=patient).order_by("pk")[1])
    expected = [row.to_core() for row in checkins_of(patient)]
    assert len(expected) == 8
    assert sum(len(c.side_effects) for c in expected) == 7  # a check-in with two was deleted
    assert core_checkins(patient) == expected
    # the order is the diary's (day, then the moment recorded), as the rules read it
    assert [(c.day, c.recorded_at) for c in expected] == sorted(
        (c.day, c.recorded_at) for c in expected
    )


def _stored(patient: Patient) -> dict[str, Any]:
    row = PatientSummary.objects.filter(patient=patient).first()
    if row is None:
        row = PatientSummary(patient=patient)
    return {name: getattr(row, name) for name in _expected(patient)}


operation = st.one_of(
    st.tuples(
        st.just("add"),
        st.integers(0, 24),  # days ago
        st.integers(0, 10),  # scores
        st.sampled_from(["taken", "missed", "none"]),
        st.booleans(),  # a severe side effect (an urgent alert)
        st.booleans(),  # the stored summary says whether a silence alert is open, as in the API
    ),
    st.tuples(st.just("change"), st.integers(0, 30), st.integers(0, 10)),
    st.tuples(st.just("delete"), st.integers(0, 30)),
    st.tuples(
        st.just("raise"),
        st.sampled_from(["urgent", "warning"]),
        st.integers(0, 3),
        st.sampled_from(["test", "no_checkin"]),
    ),
    st.tuples(st.just("resolve"), st.integers(0, 30)),
)


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(operation, min_size=1, max_size=10))
@pytest.mark.django_db
def test_the_stored_summary_equals_a_computation_from_scratch_after_any_changes(
    clinic: Clinic, team: CareTeam, operations: list[tuple[Any, ...]]
) -> None:
    patient = _new_patient(clinic, team)
    assert patient.user is not None
    me = Actor.of(patient.user)
    for op in operations:
        rows = list(Checkin.objects.filter(patient=patient).order_by("pk"))
        alerts = list(Alert.objects.filter(patient=patient, resolved_at__isnull=True))
        if op[0] == "add":
            *made, with_summary = op[1:]
            # as the check-in API passes what the summary read with the request said, or nothing
            known = PatientSummary.objects.filter(patient=patient).first() if with_summary else None
            store_checkin(
                me,
                patient,
                _checkin(patient, *made),
                silence_alert_open=None if known is None else known.silence_alert_open,
            )
            # A check-in closes an open "no check-in" alert unless the diary is still silent
            # (a back-dated entry), whether or not the summary said one was open.
            silent = alerts_for(daily_scores(core_checkins(patient)), patient.today())
            if not any(f.code == "no_checkin" for f in silent):
                assert not Alert.objects.filter(
                    patient=patient, kind="no_checkin", resolved_at__isnull=True
                ).exists(), op
        elif op[0] == "change" and rows:
            row = rows[op[1] % len(rows)]
            changes = {DAILY_SCALES.names[0]: op[2]}
            try:
                revised = revised_checkin(row, changes, now=timezone.now())
                change_checkin(me, row, revised)
            except CheckinConflictError:
                pass  # past the change window or deleted: nothing changes
        elif op[0] == "delete" and rows:
            with contextlib.suppress(CheckinConflictError):
                delete_checkin(me, rows[op[1] % len(rows)])
        elif op[0] == "raise":
            raise_alert(
                Actor.system(), patient, kind=op[3], key=str(op[2]), severity=op[1], message="m"
            )
        elif op[0] == "resolve" and alerts:
            resolve_alert(Actor.system(), alerts[op[1] % len(alerts)], "Dealt with.")
        assert _stored(patient) == _expected(patient), op
    maintained = _stored(patient)
    rebuild_patient_summaries(patient_ids=[patient.pk])
    assert _stored(patient) == maintained  # the safety net agrees with the writers


@pytest.mark.django_db
def test_a_rebuild_repairs_every_summary_and_is_audited_once(
    patient: Patient, other_patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    make_checkin(patient, days_ago=2, pain=3)
    make_checkin(other_patient, days_ago=1, pain=8)
    PatientSummary.objects.all().delete()  # lost, or written before the feature existed
    before = AuditEvent.objects.count()
    assert rebuild_patient_summaries() == 2
    assert rebuild_patient_summaries() == 2  # idempotent: the same values again
    assert _stored(patient) == _expected(patient)
    assert _stored(other_patient) == _expected(other_patient)
    assert PatientSummary.objects.get(patient=other_patient).last7 == {
        "pain": 8.0,
        "fatigue": 5.0,
        "sleep": 5.0,
        "mood": 5.0,
    }
    events = AuditEvent.objects.order_by("pk")[before:]
    assert [(e.action, e.detail) for e in events] == [
        ("checkins.summaries.rebuild", {"rebuilt": 2}),
        ("checkins.summaries.rebuild", {"rebuilt": 2}),
    ]


@pytest.mark.django_db
def test_the_seven_day_means_move_with_the_date_through_the_daily_job(
    patient: Patient, make_checkin: Callable[..., Any], settings: Any
) -> None:
    make_checkin(patient, days_ago=6, pain=9)
    assert PatientSummary.objects.get(patient=patient).last7 is not None
    job = next(j for j in PERIODIC_JOBS if j.name == "Rebuild panel summaries")
    assert job.func == "apps.checkins.summaries.rebuild_patient_summaries"
    assert job.minutes == 1440
    # Two days later the check-in has left the 7-day window: the daily job says so.
    later = timezone.now() + timedelta(days=2)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timezone, "now", lambda: later)
        rebuild_patient_summaries()
    stored = PatientSummary.objects.get(patient=patient)
    assert stored.last7 is None
    assert stored.computed_on == later.astimezone(ZoneInfo(patient.time_zone)).date()


@pytest.mark.django_db
def test_the_command_rebuilds_and_says_how_many(
    patient: Patient, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("rebuild_patient_summaries")
    assert "Rebuilt the summaries of 1 patient." in capsys.readouterr().out
    assert PatientSummary.objects.filter(patient=patient).exists()


def _many_patients(clinic: Clinic, team: CareTeam, n: int) -> None:
    """``n`` patients in bulk (the panel reads summaries, so a few have check-ins and alerts)."""
    start = Patient.objects.count()
    Patient.objects.bulk_create(
        Patient(clinic=clinic, care_team=team, display_name=f"Bulk {start + i:04d}")
        for i in range(n)
    )
    rebuild_patient_summaries()


@pytest.mark.django_db
def test_the_panel_reads_the_same_queries_at_10_and_500_patients(
    client_for: Callable[[User | None], Client],
    clinician: User,
    clinic: Clinic,
    team: CareTeam,
    patient: Patient,
    make_checkin: Callable[..., Any],
    django_assert_max_num_queries: Any,
) -> None:

    make_checkin(patient, days_ago=1)
    raise_alert(Actor.system(), patient, kind="test", severity="urgent", message="Call them.")
    _many_patients(clinic, team, 9)
    client = client_for(clinician)
    client.get("/panel/")  # the session's first read
    # session, user, two-factor device, two counts, the page, its alerts, the urgent alerts,
    # the nav count, the bell, and the audit event (chain head read and locked, insert, head
    # update)
    pinned = 13
    for sort in ("name", "last", "change", "alerts"):
        with django_assert_max_num_queries(pinned):
            assert client.get(f"/panel/?sort={sort}&alerts=open").status_code == 200
    _many_patients(clinic, team, 490)
    assert Patient.objects.count() == 500
    for sort in ("name", "last", "change", "alerts"):
        with django_assert_max_num_queries(pinned):
            page = client.get(f"/panel/?sort={sort}")
        assert page.status_code == 200
    assert "500 patients · page 1 of 10" in page.content.decode()
    event = AuditEvent.objects.order_by("-pk").first()
    assert event is not None
    assert event.action == "checkins.view.panel"
    assert event.detail is not None
    assert len(set(event.detail["patient_ids"])) == 50  # the page's patients, not the clinic's
