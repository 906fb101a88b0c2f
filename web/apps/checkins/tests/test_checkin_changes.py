"""A patient changes or deletes their own check-in for 7 days: the earlier version is kept and
audited with the change, a deleted entry counts nowhere, the care team sees what happened."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Patient, User
from apps.alerts.models import Alert
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from apps.checkins.actions import change_checkin, delete_checkin, revised_checkin, store_checkin
from apps.checkins.followup import sweep_silence
from apps.checkins.models import Checkin, CheckinRevision, PatientSummary
from apps.checkins.queries import core_checkins, diary_of, summary_of
from config.errors import CheckinConflictError
from lowdose.diary import CheckinError


def _me(patient: Patient) -> Actor:
    assert patient.user is not None
    return Actor.of(patient.user)


def _change(patient: Patient, row: Checkin, **changes: object) -> tuple[Checkin, bool]:
    now = timezone.now()
    return change_checkin(_me(patient), row, revised_checkin(row, changes, now=now), now=now)


# The actions ------------------------------------------------------------------------------------


def test_a_change_keeps_the_earlier_version_and_is_audited_with_it(
    patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    row = make_checkin(patient, pain=6, note="sore", dose_time=None)
    before = row.snapshot()
    changed, did = _change(
        patient, row, pain=3, side_effects=[{"name": "nausea", "severity": "mild"}]
    )
    assert did is True
    assert (changed.pain, changed.note) == (3, "sore")
    assert [e.name for e in changed.side_effects.all()] == ["nausea"]
    assert changed.changed_at is not None
    revision = CheckinRevision.objects.get(checkin=row)
    assert revision.values == before
    assert revision.values["pain"] == 6
    assert revision.replaced_by == patient.user
    event = AuditEvent.objects.filter(action="checkins.change").get()
    assert (event.patient_id, event.actor_username, event.object_id) == (
        patient.pk,
        "patient",
        str(row.pk),
    )
    assert event.detail == {"revision": revision.pk, "changed": ["pain", "side_effects"]}


def test_a_change_and_its_revision_and_event_roll_back_together(
    patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    row = make_checkin(patient, pain=6)

    def change_then_fail() -> None:
        with transaction.atomic():
            _change(patient, row, pain=2)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert Checkin.objects.get(pk=row.pk).pain == 6
    assert not CheckinRevision.objects.exists()
    assert not AuditEvent.objects.filter(action="checkins.change").exists()


def test_the_same_answers_again_change_nothing_and_record_nothing(
    patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    row = make_checkin(patient, pain=6)
    _, did = _change(patient, row, pain=6)
    assert did is False
    assert not CheckinRevision.objects.exists()
    assert not AuditEvent.objects.filter(action="checkins.change").exists()


def test_changing_to_missed_drops_the_stored_dose_and_time(
    patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    from datetime import time

    row = make_checkin(patient, dose_time=time(22, 0))
    changed, _ = _change(patient, row, dose_status="missed", dose_mg="4.5", dose_time="22:00")
    assert (changed.dose_status, changed.dose_mg, changed.dose_time) == ("missed", None, None)
    again, _ = _change(patient, changed, dose_status="taken", dose_mg="3")
    assert (again.dose_status, again.dose_mg) == ("taken", Decimal("3.00"))


def test_a_change_back_to_taken_without_a_dose_is_refused_and_changes_nothing(
    patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    row = make_checkin(patient, dose_status="missed", dose_mg=None)
    with pytest.raises(CheckinError, match="dose_mg") as caught:
        revised_checkin(row, {"dose_status": "taken"}, now=timezone.now())
    assert caught.value.field == "dose_mg"
    assert Checkin.objects.get(pk=row.pk).dose_status == "missed"


def test_the_day_can_only_move_within_the_days_the_entry_could_belong_to(
    patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    row = make_checkin(patient, days_ago=1)
    with pytest.raises(CheckinError) as caught:
        revised_checkin(row, {"day": (row.day - timedelta(days=3)).isoformat()}, now=timezone.now())
    assert caught.value.field == "day"


@pytest.mark.parametrize("action", ["change", "delete"])
def test_an_eight_day_old_checkin_is_refused_with_the_reason(
    patient: Patient, make_checkin: Callable[..., Any], action: str
) -> None:
    row = make_checkin(patient, days_ago=8, pain=6)

    def attempt() -> object:
        return (
            _change(patient, row, pain=2)
            if action == "change"
            else delete_checkin(_me(patient), row)
        )

    with pytest.raises(CheckinConflictError) as caught:
        attempt()
    assert "more than 7 days ago, so it can no longer be changed or deleted" in str(caught.value)
    assert "tell your care team" in str(caught.value)
    stored = Checkin.objects.get(pk=row.pk)
    assert (stored.pain, stored.deleted_at, stored.changed_at) == (6, None, None)
    assert not AuditEvent.objects.filter(action__in=["checkins.change", "checkins.delete"]).exists()


def test_the_window_closes_seven_days_after_the_entry_was_made(
    patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    row = make_checkin(patient, pain=6)
    almost = row.recorded_at + timedelta(days=7) - timedelta(minutes=1)
    revised = revised_checkin(row, {"pain": 5}, now=almost)
    change_checkin(_me(patient), row, revised, now=almost)
    with pytest.raises(CheckinConflictError):
        change_checkin(
            _me(patient),
            row,
            revised_checkin(row, {"pain": 4}, now=almost),
            now=row.recorded_at + timedelta(days=7),
        )
    assert Checkin.objects.get(pk=row.pk).pain == 5


def test_a_deleted_checkin_counts_nowhere_and_stays_in_the_record(
    patient: Patient, make_checkin: Callable[..., Any], client_for: Callable[[User | None], Client]
) -> None:
    for days_ago in range(1, 4):
        make_checkin(patient, days_ago=days_ago, pain=2)
    wrong = make_checkin(patient, pain=10, dose_status="missed", dose_mg=None)
    assert summary_of(patient).last7 is not None
    assert max(summary_of(patient).last7.values()) > 2  # type: ignore[union-attr]
    delete_checkin(_me(patient), wrong)

    summary = summary_of(patient)
    assert summary.last7 is not None
    assert summary.last7["pain"] == 2
    assert summary.missed_days == ()
    assert wrong.client_id not in {c.client_id for c in core_checkins(patient)}
    assert len(diary_of(patient)) == 3  # the N-of-1 and response analyses' input
    assert PatientSummary.objects.get(patient=patient).last7 == summary.last7  # the panel's
    exported = client_for(patient.user).get(f"/patients/{patient.pk}/checkins.csv")
    assert str(wrong.client_id) not in exported.content.decode()
    stored = Checkin.objects.get(pk=wrong.pk)
    assert stored.deleted_at is not None
    assert stored.deleted_by == patient.user
    event = AuditEvent.objects.get(action="checkins.delete")
    assert (event.patient_id, event.object_id) == (patient.pk, str(wrong.pk))


def test_an_edited_checkin_counts_with_its_current_answers(
    patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    row = make_checkin(patient, pain=9)
    _change(patient, row, pain=1)
    summary = summary_of(patient)
    assert summary.last7 is not None
    assert summary.last7["pain"] == 1


def test_deleting_the_only_recent_checkin_lets_the_silence_alert_rise(
    patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    make_checkin(patient, days_ago=5)
    today = make_checkin(patient)
    assert sweep_silence(timezone.now()) == 0
    delete_checkin(_me(patient), today)
    assert sweep_silence(timezone.now()) == 1
    assert Alert.objects.filter(patient=patient, kind="no_checkin").exists()


def test_re_sending_a_deleted_entry_is_a_conflict_not_a_resurrection(
    patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    row = make_checkin(patient)
    delete_checkin(_me(patient), row)
    with pytest.raises(CheckinConflictError, match="was deleted"):
        store_checkin(_me(patient), patient, row.to_core())
    assert Checkin.objects.in_diary().count() == 0


def test_a_deleted_checkin_cannot_be_deleted_or_changed_again(
    patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    row = make_checkin(patient)
    delete_checkin(_me(patient), row)
    with pytest.raises(CheckinConflictError, match="was deleted"):
        delete_checkin(_me(patient), row)


# The pages --------------------------------------------------------------------------------------


def test_the_patient_changes_a_checkin_in_the_form_and_sees_it_marked(
    client_for: Callable[[User | None], Client], patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    row = make_checkin(patient, pain=6, dose_mg=Decimal("4.50"))
    client = client_for(patient.user)
    url = f"/patients/{patient.pk}/checkins/{row.pk}/change/"
    page = client.get(url).content.decode()
    assert "Change your check-in" in page
    assert 'name="pain" value="6" required checked' in page
    assert 'name="dose_status" value="taken" required checked' in page
    response = client.post(
        url,
        {
            "pain": "2",
            "fatigue": "5",
            "sleep": "5",
            "mood": "5",
            "dose_status": "missed",
            "dose_mg": "4.5",
            "dose_time": "22:00",
            "note": "",
        },
        follow=True,
    )
    assert "Check-in changed. Your care team can see that it was changed" in (
        response.content.decode()
    )
    stored = Checkin.objects.get(pk=row.pk)
    assert (stored.pain, stored.dose_status, stored.dose_mg) == (2, "missed", None)
    assert CheckinRevision.objects.get(checkin=row).values["pain"] == 6
    assert re.search(r'class="mark changed">Changed \d+ \w+, \d\d:\d\d<', response.content.decode())


def test_a_refused_change_names_every_answer_to_fix_and_changes_nothing(
    client_for: Callable[[User | None], Client], patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    row = make_checkin(patient, pain=6, dose_status="missed", dose_mg=None)
    response = client_for(patient.user).post(
        f"/patients/{patient.pk}/checkins/{row.pk}/change/",
        {
            "pain": "2",
            "fatigue": "5",
            "sleep": "5",
            "mood": "5",
            "dose_status": "taken",
            "dose_mg": "",
            "dose_time": "",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Dose (mg): enter the dose you took in milligrams" in page
    assert "Time taken: choose Just now, or enter the time you took it." in page
    assert Checkin.objects.get(pk=row.pk).pain == 6
    assert not CheckinRevision.objects.exists()


def test_after_seven_days_the_page_says_why_it_can_no_longer_be_changed(
    client_for: Callable[[User | None], Client], patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    row = make_checkin(patient, days_ago=8, pain=6)
    client = client_for(patient.user)
    for path in ("change", "delete"):
        url = f"/patients/{patient.pk}/checkins/{row.pk}/{path}/"
        shown = client.get(url)
        assert shown.status_code == 200
        assert "can no longer be changed or deleted" in shown.content.decode()
        assert (
            "<form"
            not in shown.content.decode()
            .split('<main id="main" tabindex="-1">')[1]
            .split("</main>")[0]
        )
        refused = client.post(url, {"pain": "1", "dose_status": "missed"})
        assert refused.status_code == 409
        assert "more than 7 days ago" in refused.content.decode()
    stored = Checkin.objects.get(pk=row.pk)
    assert (stored.pain, stored.deleted_at) == (6, None)
    dashboard = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "Kept as recorded" in dashboard


def test_the_patient_deletes_after_confirming_and_the_entry_leaves_their_list(
    client_for: Callable[[User | None], Client],
    patient: Patient,
    clinician: User,
    make_checkin: Callable[..., Any],
) -> None:
    row = make_checkin(patient, pain=7)
    client = client_for(patient.user)
    url = f"/patients/{patient.pk}/checkins/{row.pk}/delete/"
    confirm = client.get(url).content.decode()
    assert "Delete this check-in?" in confirm
    assert Checkin.objects.in_diary().count() == 1  # asking deletes nothing
    done = client.post(url, follow=True).content.decode()
    assert "Check-in deleted." in done
    assert f'id="checkin-{row.pk}"' not in done
    # the care team sees it, marked, and it is not counted
    theirs = client_for(clinician).get(f"/patients/{patient.pk}/").content.decode()
    assert f'id="checkin-{row.pk}" class="deleted"' in theirs
    assert re.search(r"Deleted \d+ \w+, \d\d:\d\d, not counted", theirs)
    assert client.get(url).status_code == 404  # gone for the patient


def test_the_care_team_sees_that_an_entry_changed_and_its_earlier_answers(
    client_for: Callable[[User | None], Client],
    patient: Patient,
    clinician: User,
    make_checkin: Callable[..., Any],
) -> None:
    row = make_checkin(patient, pain=8, note="first")
    _change(patient, row, pain=3, note="second")
    page = client_for(clinician).get(f"/patients/{patient.pk}/").content.decode()
    entry = page.split(f'id="checkin-{row.pk}"')[1].split("</tr>")[0]
    assert "Changed " in entry
    assert "Earlier answers" in entry
    assert "pain 8" in entry
    assert "“first”" in entry
    assert "Change<" not in entry  # clinicians read; only the patient changes


def test_same_day_entries_show_their_time(
    client_for: Callable[[User | None], Client],
    patient: Patient,
    clinician: User,
    make_checkin: Callable[..., Any],
) -> None:
    from zoneinfo import ZoneInfo

    local = timezone.now().astimezone(ZoneInfo(patient.time_zone))
    morning = local.replace(hour=8, minute=15, second=0, microsecond=0)
    evening = local.replace(hour=21, minute=40, second=0, microsecond=0)
    for moment in (morning, evening):
        make_checkin(patient, recorded_at=moment, day=local.date())
    for viewer in (patient.user, clinician):
        page = client_for(viewer).get(f"/patients/{patient.pk}/").content.decode()
        times = re.findall(r'class="entry-time">(\d\d:\d\d)<', page)
        assert times == ["21:40", "08:15"]


def test_another_patients_checkin_is_not_found_under_any_patient_id(
    client_for: Callable[[User | None], Client],
    patient: Patient,
    other_patient: Patient,
    make_checkin: Callable[..., Any],
) -> None:
    theirs = make_checkin(other_patient, pain=4)
    client = client_for(patient.user)
    for pid in (patient.pk, other_patient.pk):
        for path in ("change", "delete"):
            url = f"/patients/{pid}/checkins/{theirs.pk}/{path}/"
            assert client.get(url).status_code == 404
            assert client.post(url, {"pain": "1", "dose_status": "missed"}).status_code == 404
    stored = Checkin.objects.get(pk=theirs.pk)
    assert (stored.pain, stored.deleted_at) == (4, None)


def test_csv_import_still_restores_an_export(
    client_for: Callable[[User | None], Client], patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    make_checkin(patient, days_ago=1, dose_status="none", dose_mg=None)
    client = client_for(patient.user)
    text = client.get(f"/patients/{patient.pk}/checkins.csv").content.decode()
    Checkin.objects.all().delete()
    upload = io.BytesIO(text.encode())
    upload.name = "export.csv"
    client.post(f"/patients/{patient.pk}/checkins/import/", {"file": upload})
    assert Checkin.objects.get(patient=patient).dose_status == "none"
