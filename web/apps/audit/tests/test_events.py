"""What the audit log records: named for what happened, one event per list view, sign-in,
sign-out and failed sign-in, admin changes with before and after, scoped by clinic."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from conftest import PASSWORD, bearer
from django.db import transaction
from django.test import Client
from django.utils import timezone

from apps.accounts.models import CareTeam, Clinic, Patient, Pharmacy, Role, User
from apps.audit.models import AuditEvent
from apps.clinical.models import Medication, Prescription
from apps.clinical.tests.factories import make_prescription

pytestmark = pytest.mark.django_db


def _actions_after(before: int) -> list[tuple[str, str]]:
    """Events since ``before``, without the sign-in the test client's force_login records."""
    return list(
        AuditEvent.objects.filter(pk__gt=before)
        .exclude(action="auth.login")
        .order_by("id")
        .values_list("action", "outcome")
    )


def _last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


# Named for what happened ---------------------------------------------------------------------


def test_opening_the_new_prescription_page_is_a_view_not_a_signing(
    client_for: Callable[[User | None], Client], clinician: User, patient: Patient
) -> None:
    before = _last_id()
    assert (
        client_for(clinician).get(f"/patients/{patient.pk}/prescriptions/new/").status_code == 200
    )
    assert _actions_after(before) == [("prescriptions.view", "ok")]


def test_another_teams_patient_is_a_denied_view(
    client_for: Callable[[User | None], Client], clinician: User, other_patient: Patient
) -> None:
    before = _last_id()
    response = client_for(clinician).get(f"/patients/{other_patient.pk}/prescriptions/new/")
    assert response.status_code == 404
    assert _actions_after(before) == [("prescriptions.view", "denied")]


def test_a_refused_write_names_the_write(
    client_for: Callable[[User | None], Client], pharmacist: User, patient: Patient
) -> None:
    before = _last_id()
    client_for(pharmacist).post(f"/patients/{patient.pk}/prescriptions/new/", {})
    assert _actions_after(before) == [("prescriptions.sign", "denied")]


def test_viewing_a_worksheet_is_not_a_dispensing(
    client_for: Callable[[User | None], Client],
    pharmacist: User,
    clinician: User,
    patient: Patient,
) -> None:
    rx = make_prescription(patient, clinician, pharmacy=pharmacist.pharmacies.get())
    before = _last_id()
    url = f"/patients/{patient.pk}/prescriptions/{rx.pk}/worksheet/"
    assert client_for(pharmacist).get(url).status_code == 200
    assert _actions_after(before) == [("prescriptions.view", "ok")]


def test_a_refused_signing_reads_view_ok_then_sign_denied(
    client_for: Callable[[User | None], Client], clinician: User, patient: Patient
) -> None:
    draft = make_prescription(patient, clinician, status="draft")
    Medication.objects.create(patient=patient, name="methadone", added_by=clinician)
    pharmacy = Pharmacy.objects.create(name="Elsewhere")
    before = _last_id()
    client_for(clinician).post(
        f"/patients/{patient.pk}/prescriptions/{draft.pk}/sign/",
        {"consent": "yes", "pharmacy": pharmacy.pk},
    )
    actions = _actions_after(before)
    assert ("prescriptions.sign", "ok") not in actions
    assert actions[0] == ("prescriptions.view", "ok")
    assert ("prescriptions.sign", "denied") in actions


def test_a_signing_records_sign_once_in_the_transaction_of_the_change(
    client_for: Callable[[User | None], Client], clinician: User, patient: Patient
) -> None:
    draft = make_prescription(patient, clinician, status="draft")
    pharmacy = Pharmacy.objects.create(name="Compounder")
    before = _last_id()
    client_for(clinician).post(
        f"/patients/{patient.pk}/prescriptions/{draft.pk}/sign/",
        {"consent": "yes", "pharmacy": pharmacy.pk},
    )
    assert _actions_after(before).count(("prescriptions.sign", "ok")) == 1
    assert Prescription.objects.get(pk=draft.pk).status == "signed"


def test_a_check_in_and_its_event_roll_back_together(patient: Patient) -> None:
    from apps.audit.actor import Actor
    from apps.checkins.actions import record_checkin

    assert patient.user is not None
    actor = Actor.of(patient.user)
    raw = {
        "client_id": str(uuid.uuid4()),
        "pain": 4,
        "fatigue": 4,
        "sleep": 4,
        "mood": 4,
        "dose_status": "taken",
        "dose_mg": "4.5",
    }

    def check_in_then_fail() -> None:
        with transaction.atomic():
            record_checkin(actor, patient, raw)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        check_in_then_fail()
    assert not AuditEvent.objects.filter(action="checkins.add").exists()
    assert not patient.checkins.exists()


def test_the_panel_is_one_event_listing_the_patients_shown(
    client_for: Callable[[User | None], Client], clinician: User, patient: Patient, team: CareTeam
) -> None:
    second = Patient.objects.create(clinic=patient.clinic, care_team=team, display_name="Second")
    before = _last_id()
    assert client_for(clinician).get("/panel/").status_code == 200
    events = list(AuditEvent.objects.filter(pk__gt=before, action="checkins.view.panel"))
    assert len(events) == 1
    assert events[0].detail == {"patient_ids": sorted([patient.pk, second.pk])}
    assert events[0].patient_id is None


# Sign-in, sign-out, failed sign-in ----------------------------------------------------------


def test_sign_in_sign_out_and_a_failed_sign_in_are_recorded(
    clinician: User, clinic: Clinic
) -> None:
    client = Client(REMOTE_ADDR="10.1.2.3")
    client.post("/accounts/login/", {"username": "clinician", "password": "wrong-password-1"})
    client.post("/accounts/login/", {"username": "clinician", "password": PASSWORD})
    client.post("/accounts/logout/")
    failed, login, logout = AuditEvent.objects.filter(action__startswith="auth.").order_by("id")
    assert (failed.action, failed.outcome, failed.actor_username) == (
        "auth.login.failed",
        "denied",
        "",
    )
    assert failed.detail == {"username": "clinician"}
    assert failed.ip_address == "10.1.2.3"
    assert failed.clinic_id == clinic.pk
    assert "wrong-password-1" not in str(failed.detail) + failed.path + failed.user_agent
    assert (login.action, login.actor_username, login.clinic_id) == (
        "auth.login",
        "clinician",
        clinic.pk,
    )
    assert (logout.action, logout.actor_username) == ("auth.logout", "clinician")


def test_a_failed_sign_in_with_an_unknown_name_belongs_to_no_clinic(db: None) -> None:
    Client().post("/accounts/login/", {"username": "nobody-here", "password": "x" * 12})
    event = AuditEvent.objects.get(action="auth.login.failed")
    assert event.clinic_id is None
    assert event.detail == {"username": "nobody-here"}


# Admin changes -------------------------------------------------------------------------------


def test_an_admin_role_change_is_recorded_with_before_and_after(
    client_for: Callable[[User | None], Client], admin_user: User, clinician: User, clinic: Clinic
) -> None:
    client = client_for(admin_user)
    url = f"/admin/accounts/user/{clinician.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = {
        "username": "clinician",
        "role": Role.PHARMACIST,
        "clinic": clinic.pk,
        "is_active": "on",
        "date_joined_0": timezone.now().date().isoformat(),
        "date_joined_1": "00:00:00",
        "initial-date_joined_0": timezone.now().date().isoformat(),
        "initial-date_joined_1": "00:00:00",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content[:2000]
    event = AuditEvent.objects.get(action="admin.user.change")
    assert event.actor_username == "admin"
    assert event.clinic_id == clinic.pk
    assert event.detail is not None
    assert event.detail["changes"]["role"] == {"from": "clinician", "to": "pharmacist"}
    assert "password" not in str(event.detail)


def test_adding_a_clinician_to_a_care_team_is_recorded(
    client_for: Callable[[User | None], Client],
    admin_user: User,
    clinician: User,
    other_clinician: User,
    team: CareTeam,
    clinic: Clinic,
) -> None:
    response = client_for(admin_user).post(
        f"/admin/accounts/careteam/{team.pk}/change/",
        {"clinic": clinic.pk, "name": team.name, "clinicians": [clinician.pk, other_clinician.pk]},
    )
    assert response.status_code == 302, response.content[:2000]
    event = AuditEvent.objects.get(action="admin.careteam.change")
    assert event.detail is not None
    assert event.detail["changes"] == {
        "clinicians": {
            "from": [clinician.pk],
            "to": sorted([clinician.pk, other_clinician.pk]),
        }
    }


# Clinic scope --------------------------------------------------------------------------------


@pytest.fixture
def second_admin(db: None) -> User:
    clinic = Clinic.objects.create(name="Second clinic")
    return User.objects.create_user(
        "second_admin", password=PASSWORD, role=Role.ADMIN, clinic=clinic
    )


def test_events_carry_the_patients_clinic(
    client_for: Callable[[User | None], Client], patient: Patient, clinic: Clinic
) -> None:
    client_for(patient.user).get(f"/patients/{patient.pk}/")
    assert set(
        AuditEvent.objects.filter(patient_id=patient.pk).values_list("clinic_id", flat=True)
    ) == {clinic.pk}


def test_a_second_clinics_admin_cannot_read_the_first_clinics_log(
    client_for: Callable[[User | None], Client],
    patient: Patient,
    admin_user: User,
    second_admin: User,
) -> None:
    client_for(patient.user).get(f"/patients/{patient.pk}/")
    own = client_for(admin_user).get("/audit/")
    assert own.status_code == 200
    assert b"Viewed check-ins" in own.content
    other = client_for(second_admin).get("/audit/")
    assert other.status_code == 200
    assert b"Viewed check-ins" not in other.content
    shown = [row["event"] for row in other.context["events"]]
    assert shown  # their own sign-in
    assert {e.clinic_id for e in shown} == {second_admin.clinic_id}
    assert all(e.patient_id is None for e in shown)


# Search: page and API ------------------------------------------------------------------------


_token = bearer


def test_the_api_filters_by_patient_including_list_views(
    client_for: Callable[[User | None], Client],
    clinician: User,
    patient: Patient,
    other_patient: Patient,
    admin_user: User,
) -> None:
    client_for(clinician).get("/panel/")
    client_for(patient.user).get(f"/patients/{patient.pk}/")
    response = Client().get(f"/api/v1/audit?patient_id={patient.pk}", headers=_token(admin_user))
    assert response.status_code == 200
    items = response.json()["items"]
    actions = {i["action"] for i in items}
    assert {"checkins.view", "checkins.view.panel"} <= actions
    assert all(
        i["patient_id"] == patient.pk or patient.pk in (i["patient_ids"] or []) for i in items
    )
    assert all(i["patient_id"] != other_patient.pk for i in items)
    assert "detail" not in items[0]


def test_the_api_filters_by_person_action_outcome_and_date(
    client_for: Callable[[User | None], Client],
    clinician: User,
    patient: Patient,
    other_patient: Patient,
    admin_user: User,
) -> None:
    client_for(clinician).get(f"/patients/{other_patient.pk}/prescriptions/new/")  # denied
    client_for(clinician).get(f"/patients/{patient.pk}/prescriptions/new/")  # ok
    client = Client()
    today = timezone.localdate().isoformat()
    response = client.get(
        "/api/v1/audit",
        {"person": "CLINICIAN", "action": "prescriptions", "outcome": "denied", "since": today},
        headers=_token(admin_user),
    )
    items = response.json()["items"]
    assert [(i["action"], i["outcome"], i["patient_id"]) for i in items] == [
        ("prescriptions.view", "denied", other_patient.pk)
    ]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    later = client.get("/api/v1/audit", {"since": tomorrow}, headers=_token(admin_user))
    assert later.json() == {"items": [], "next": None}
    bad = client.get("/api/v1/audit", {"outcome": "maybe"}, headers=_token(admin_user))
    assert bad.status_code == 400


def test_the_api_is_paginated_newest_first(admin_user: User) -> None:
    from apps.audit.actor import Actor
    from apps.audit.log import record_as

    for n in range(55):
        record_as(Actor.of(admin_user), f"test.n{n:02d}")
    client = Client()
    first = client.get("/api/v1/audit?action=test", headers=_token(admin_user)).json()
    assert len(first["items"]) == 50
    assert first["items"][0]["action"] == "test.n54"
    assert first["next"].startswith("http://testserver/api/v1/audit?action=test&cursor=")
    second = client.get(first["next"], headers=_token(admin_user)).json()
    assert [i["action"] for i in second["items"]] == [f"test.n{n:02d}" for n in range(4, -1, -1)]
    assert second["next"] is None


def test_the_api_is_404_for_every_other_role(clinician: User, patient: Patient) -> None:
    assert Client().get("/api/v1/audit", headers=_token(clinician)).status_code == 404
    assert patient.user is not None
    assert Client().get("/api/v1/audit", headers=_token(patient.user)).status_code == 404


def test_the_page_filters_and_speaks_plainly(
    client_for: Callable[[User | None], Client],
    clinician: User,
    patient: Patient,
    admin_user: User,
) -> None:
    client_for(clinician).get(f"/patients/{patient.pk}/prescriptions/new/")
    page = client_for(admin_user).get("/audit/", {"person": "clinician", "action": "prescriptions"})
    assert page.status_code == 200
    assert b"Viewed prescriptions" in page.content
    assert b"prescriptions.view" not in page.content
    bad = client_for(admin_user).get("/audit/", {"since": "yesterday"})
    assert bad.status_code == 400
    assert b"enter a date as YYYY-MM-DD" in bad.content
