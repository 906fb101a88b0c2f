"""Check-in follow-up rules store alerts when the data changes: once per occurrence, closed when
the patient checks in again, and the daily sweep counts silent days in each patient's time zone."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.models import Patient, User
from apps.alerts.actions import resolve_alert
from apps.alerts.models import Alert
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from apps.checkins.actions import store_checkin
from apps.checkins.followup import sweep_silence
from apps.checkins.queries import patient_today
from lowdose.diary import Checkin as CoreCheckin
from lowdose.diary import SideEffect

MakeCheckin = Callable[..., Any]


def _open(patient: Patient, kind: str) -> list[Alert]:
    return list(Alert.objects.filter(patient=patient, kind=kind, resolved_at__isnull=True))


def test_a_pain_rise_of_two_points_raises_one_warning_keyed_by_its_window(
    patient: Patient, make_checkin: MakeCheckin
) -> None:
    for days_ago in range(13, 6, -1):
        make_checkin(patient, days_ago=days_ago, pain=3)
    assert _open(patient, "pain_up") == []
    make_checkin(patient, days_ago=6, pain=6)  # the week: 6 vs 3 before
    make_checkin(patient, days_ago=5, pain=6)  # a second check-in does not double it
    [alert] = _open(patient, "pain_up")
    assert alert.severity == "warning"
    assert alert.key == (patient_today(patient) - timedelta(days=6)).isoformat()
    assert alert.message == "Pain up 3.0 points: 7-day average 6.0 vs 3.0 the week before."
    assert alert.facts["rise_points"] == 3.0
    raised = AuditEvent.objects.get(action="alerts.raise", object_id=str(alert.pk))
    assert (raised.actor_username, raised.patient_id) == ("system", patient.pk)


def test_a_resolved_pain_rise_is_not_raised_again_for_the_same_week(
    patient: Patient, clinician: User, make_checkin: MakeCheckin
) -> None:
    for days_ago in range(13, 6, -1):
        make_checkin(patient, days_ago=days_ago, pain=3)
    make_checkin(patient, days_ago=6, pain=7)
    [alert] = _open(patient, "pain_up")
    resolve_alert(Actor.of(clinician), alert, "Flare after a house move; reviewed by phone.")
    make_checkin(patient, days_ago=5, pain=7)
    make_checkin(patient, days_ago=4, pain=7)
    assert Alert.objects.filter(patient=patient, kind="pain_up").count() == 1


def test_a_new_side_effect_raises_one_warning_keyed_by_its_name(
    patient: Patient, make_checkin: MakeCheckin
) -> None:
    make_checkin(patient, days_ago=2, side_effects=(SideEffect("vivid_dreams", "mild"),))
    make_checkin(patient, days_ago=1, side_effects=(SideEffect("vivid_dreams", "moderate"),))
    [alert] = _open(patient, "new_side_effect")
    assert (alert.severity, alert.key) == ("warning", "vivid_dreams")
    assert alert.message.startswith("New side effect: vivid dreams (first reported")
    assert _open(patient, "severe_side_effect") == []


def test_a_severe_side_effect_raises_an_urgent_alert_per_effect_and_day(
    patient: Patient, make_checkin: MakeCheckin
) -> None:
    severe = (SideEffect("nausea", "severe"),)
    make_checkin(patient, days_ago=1, side_effects=severe)
    make_checkin(patient, days_ago=1, side_effects=severe)  # twice the same day: one alert
    make_checkin(patient, days_ago=0, side_effects=severe)
    alerts = sorted(_open(patient, "severe_side_effect"), key=lambda a: a.key)
    today = patient_today(patient)
    assert [(a.severity, a.key) for a in alerts] == [
        ("urgent", f"nausea {today - timedelta(days=1)}"),
        ("urgent", f"nausea {today}"),
    ]
    assert "contact the patient today" in alerts[0].message
    assert "holding the dose or stepping back" in alerts[0].message
    # the first report of nausea is also a new side effect (a warning)
    assert [a.key for a in _open(patient, "new_side_effect")] == ["nausea"]


def test_a_new_checkin_resolves_the_no_checkin_alert(
    patient: Patient, make_checkin: MakeCheckin
) -> None:
    make_checkin(patient, days_ago=5)
    assert sweep_silence(timezone.now()) == 1
    [silent] = _open(patient, "no_checkin")
    assert silent.message.startswith("No check-in for 5 days (last on ")
    make_checkin(patient, days_ago=0)
    silent.refresh_from_db()
    assert silent.resolved_at is not None
    assert silent.resolved_by is None  # lowdose closed it
    assert silent.resolved_note == "The patient checked in again."
    event = AuditEvent.objects.get(action="alerts.resolve", object_id=str(silent.pk))
    assert event.actor_username == "system"


def test_the_sweep_raises_once_per_silence(patient: Patient, make_checkin: MakeCheckin) -> None:
    make_checkin(patient, days_ago=3)
    now = timezone.now()
    assert sweep_silence(now) == 1
    assert sweep_silence(now + timedelta(days=1)) == 0
    assert len(_open(patient, "no_checkin")) == 1


def test_the_sweep_counts_a_never_checked_in_patient_from_the_day_they_joined(
    patient: Patient, other_patient: Patient
) -> None:
    now = timezone.now()
    Patient.objects.filter(pk=patient.pk).update(created_at=now - timedelta(days=4))
    Patient.objects.filter(pk=other_patient.pk).update(created_at=now - timedelta(days=1))
    assert sweep_silence(now) == 1
    [alert] = _open(patient, "no_checkin")
    joined = (now - timedelta(days=4)).astimezone(patient_zone(patient)).date()
    assert alert.message == f"No check-in since joining on {joined.isoformat()}."
    assert alert.facts == {"days_silent": 4, "joined_on": joined.isoformat()}
    assert _open(other_patient, "no_checkin") == []


def patient_zone(patient: Patient) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(patient.time_zone)


def _checkin_on(patient: Patient, day: date) -> None:
    assert patient.user is not None
    store_checkin(
        Actor.of(patient.user),
        patient,
        CoreCheckin(
            client_id=uuid.uuid4(),
            day=day,
            recorded_at=datetime(day.year, day.month, day.day, 20, tzinfo=patient_zone(patient)),
            pain=4,
            fatigue=4,
            sleep=6,
            mood=6,
            dose_status="taken",
            dose_mg=Decimal("4.50"),
        ),
        followup=False,
    )


def test_the_sweep_counts_days_in_each_patients_own_time_zone(
    patient: Patient, other_patient: Patient
) -> None:
    Patient.objects.filter(pk=patient.pk).update(time_zone="Pacific/Auckland")
    Patient.objects.filter(pk=other_patient.pk).update(time_zone="America/Los_Angeles")
    patient.refresh_from_db()
    other_patient.refresh_from_db()
    _checkin_on(patient, date(2026, 3, 8))
    _checkin_on(other_patient, date(2026, 3, 8))
    # 12:00 UTC on 10 March: 01:00 on the 11th in Auckland (3 days after the 8th),
    # 05:00 on the 10th in Los Angeles (2 days after).
    instant = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    assert sweep_silence(instant) == 1
    [alert] = _open(patient, "no_checkin")
    assert alert.message == "No check-in for 3 days (last on 2026-03-08)."
    assert _open(other_patient, "no_checkin") == []
    # a day later Los Angeles has caught up
    assert sweep_silence(instant + timedelta(days=1)) == 1
    assert len(_open(other_patient, "no_checkin")) == 1


def test_the_command_runs_the_sweep_and_says_how_many_it_raised(
    patient: Patient, make_checkin: MakeCheckin, capsys: pytest.CaptureFixture[str]
) -> None:
    make_checkin(patient, days_ago=4)
    call_command("raise_followup_alerts")
    assert capsys.readouterr().out.strip() == "Raised 1 no-check-in alert."
    call_command("raise_followup_alerts")
    assert capsys.readouterr().out.strip() == "Raised 0 no-check-in alerts."


def test_a_csv_import_runs_the_rules_once_on_the_whole_diary(
    client_for: Callable[[User | None], Any], patient: Patient, make_checkin: MakeCheckin
) -> None:
    import io

    make_checkin(patient, days_ago=2, side_effects=(SideEffect("headache", "severe"),))
    make_checkin(patient, days_ago=1, side_effects=(SideEffect("headache", "severe"),))
    client = client_for(patient.user)
    text = client.get(f"/patients/{patient.pk}/checkins.csv").content.decode()
    Alert.objects.all().delete()
    patient.checkins.all().delete()
    upload = io.BytesIO(text.encode())
    upload.name = "export.csv"
    client.post(f"/patients/{patient.pk}/checkins/import/", {"file": upload})
    kinds = sorted(Alert.objects.filter(patient=patient).values_list("kind", "key"))
    today = patient_today(patient)
    assert kinds == [
        ("new_side_effect", "headache"),
        ("severe_side_effect", f"headache {today - timedelta(days=2)}"),
        ("severe_side_effect", f"headache {today - timedelta(days=1)}"),
    ]
