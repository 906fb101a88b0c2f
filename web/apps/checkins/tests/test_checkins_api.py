"""The check-in API: idempotent on client_id, validation that changes nothing, the spec's shapes."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from conftest import PASSWORD, bearer
from django.test import Client

from apps.accounts.models import Patient, User
from apps.checkins.models import Checkin, CheckinRevision, SideEffectReport


def token_for(username: str) -> str:
    response = Client().post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


@pytest.fixture
def api(patient: Patient) -> Client:
    return Client(headers={"Authorization": f"Bearer {token_for('patient')}"})


def body(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "client_id": str(uuid.uuid4()),
        "pain": 4,
        "fatigue": 5,
        "sleep": 6,
        "mood": 7,
        "dose_mg": "4.5",
        "dose_time": "22:00",
        "dose_missed": False,
        "side_effects": [{"name": "vivid_dreams", "severity": "mild"}],
        "note": "fine",
    }
    values.update(overrides)
    return values


def test_me_names_the_role_and_the_patient_id(api: Client, patient: Patient) -> None:
    me = api.get("/api/v1/me").json()
    assert me["role"] == "patient"
    assert me["patient_id"] == patient.pk


def test_a_checkin_is_stored_and_listed_with_its_client_id(api: Client, patient: Patient) -> None:
    sent = body()
    created = api.post(
        f"/api/v1/patients/{patient.pk}/checkins", sent, content_type="application/json"
    )
    assert created.status_code == 201
    listed = api.get(f"/api/v1/patients/{patient.pk}/checkins").json()["items"]
    assert [c["client_id"] for c in listed] == [sent["client_id"]]
    assert listed[0]["dose_mg"] == "4.50"
    assert listed[0]["dose_time"] == "22:00"
    assert listed[0]["side_effects"] == [{"name": "vivid_dreams", "severity": "mild", "detail": ""}]


def test_resending_the_same_checkin_never_creates_a_duplicate(
    api: Client, patient: Patient
) -> None:
    sent = body()
    url = f"/api/v1/patients/{patient.pk}/checkins"
    first = api.post(url, sent, content_type="application/json")
    second = api.post(url, sent, content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert Checkin.objects.filter(patient=patient).count() == 1
    assert SideEffectReport.objects.count() == 1


def test_reusing_a_client_id_for_different_content_is_a_conflict(
    api: Client, patient: Patient
) -> None:
    sent = body()
    url = f"/api/v1/patients/{patient.pk}/checkins"
    api.post(url, sent, content_type="application/json")
    clash = api.post(url, {**sent, "pain": 9}, content_type="application/json")
    assert clash.status_code == 409
    assert "generate a new id" in clash.json()["detail"]
    assert Checkin.objects.get(patient=patient).pain == 4


@pytest.mark.parametrize(
    ("overrides", "status", "fragment"),
    [
        ({"pain": 11}, 422, "pain"),
        ({"pain": "lots"}, 422, "pain"),
        ({"dose_mg": 4.5}, 422, "dose_mg"),
        ({"dose_mg": "4.555"}, 400, "at most two decimals"),
        ({"dose_mg": None, "dose_time": None}, 400, "dose_status: answer taken, missed"),
        ({"dose_status": "maybe"}, 422, "dose_status"),
        ({"dose_status": "none", "dose_missed": True}, 400, "disagree"),
        ({"dose_time": "7pm"}, 400, "HH:MM"),
        ({"side_effects": [{"name": "rash", "severity": "mild"}]}, 422, "side_effects"),
        ({"client_id": "not-a-uuid"}, 422, "client_id"),
        ({"recorded_at": "2026-01-01T10:00:00"}, 400, "time-zone offset"),
    ],
)
def test_malformed_input_is_rejected_with_a_message_and_changes_nothing(
    api: Client, patient: Patient, overrides: dict[str, Any], status: int, fragment: str
) -> None:
    response = api.post(
        f"/api/v1/patients/{patient.pk}/checkins",
        body(**overrides),
        content_type="application/json",
    )
    assert response.status_code == status
    assert fragment in response.json()["detail"]
    assert Checkin.objects.count() == 0
    assert SideEffectReport.objects.count() == 0


def test_a_missed_dose_is_recorded_as_missed(api: Client, patient: Patient) -> None:
    response = api.post(
        f"/api/v1/patients/{patient.pk}/checkins",
        body(dose_mg=None, dose_time=None, dose_missed=True),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["dose_missed"] is True
    assert response.json()["dose_status"] == "missed"


@pytest.mark.parametrize(
    ("answer", "status", "missed"),
    [
        ({"dose_missed": True}, "missed", True),  # the answer before dose_status existed
        ({"dose_status": "missed"}, "missed", True),
        ({"dose_status": "none"}, "none", False),
    ],
)
def test_a_dose_and_time_sent_with_missed_or_no_dose_due_are_ignored(
    api: Client, patient: Patient, answer: dict[str, Any], status: str, missed: bool
) -> None:
    response = api.post(
        f"/api/v1/patients/{patient.pk}/checkins",
        body(dose_mg="4.5", dose_time="22:00", **answer),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    out = response.json()
    assert (out["dose_status"], out["dose_missed"], out["dose_mg"], out["dose_time"]) == (
        status,
        missed,
        None,
        None,
    )
    stored = Checkin.objects.get(patient=patient)
    assert (stored.dose_status, stored.dose_mg, stored.dose_time) == (status, None, None)


def test_the_output_names_the_id_and_whether_it_was_changed(api: Client, patient: Patient) -> None:
    created = api.post(
        f"/api/v1/patients/{patient.pk}/checkins", body(), content_type="application/json"
    ).json()
    assert created["id"] == Checkin.objects.get().pk
    assert created["changed_at"] is None


# Correcting and deleting --------------------------------------------------------------------


def _stored(api: Client, patient: Patient, **overrides: Any) -> dict[str, Any]:
    response = api.post(
        f"/api/v1/patients/{patient.pk}/checkins",
        body(**overrides),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


@pytest.mark.parametrize("ref", ["client_id", "id"])
def test_a_patient_corrects_a_checkin_by_client_id_or_id_and_the_earlier_version_is_kept(
    api: Client, patient: Patient, ref: str
) -> None:
    sent = _stored(api, patient, pain=7)
    response = api.patch(
        f"/api/v1/patients/{patient.pk}/checkins/{sent[ref]}",
        {"pain": 2, "note": "typo"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    out = response.json()
    assert (out["pain"], out["note"], out["fatigue"], out["dose_mg"]) == (2, "typo", 5, "4.50")
    assert out["changed_at"] is not None
    row = Checkin.objects.get(patient=patient)
    assert CheckinRevision.objects.get(checkin=row).values["pain"] == 7
    listed = api.get(f"/api/v1/patients/{patient.pk}/checkins").json()["items"]
    assert [c["pain"] for c in listed] == [2]


def test_a_correction_to_missed_ignores_the_dose_sent_along(api: Client, patient: Patient) -> None:
    sent = _stored(api, patient)
    out = api.patch(
        f"/api/v1/patients/{patient.pk}/checkins/{sent['client_id']}",
        {"dose_missed": True, "dose_mg": "4.5"},
        content_type="application/json",
    ).json()
    assert (out["dose_status"], out["dose_mg"], out["dose_time"]) == ("missed", None, None)


def test_a_bad_correction_is_a_400_and_changes_nothing(api: Client, patient: Patient) -> None:
    sent = _stored(api, patient, pain=7)
    response = api.patch(
        f"/api/v1/patients/{patient.pk}/checkins/{sent['client_id']}",
        {"pain": 2, "dose_mg": "4.555"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "dose_mg"
    assert Checkin.objects.get().pain == 7
    assert not CheckinRevision.objects.exists()


def test_a_checkin_made_more_than_7_days_ago_is_a_409_with_the_reason(
    api: Client, patient: Patient, make_checkin: Any
) -> None:
    row = make_checkin(patient, days_ago=8, pain=6)
    url = f"/api/v1/patients/{patient.pk}/checkins/{row.client_id}"
    changed = api.patch(url, {"pain": 1}, content_type="application/json")
    deleted = api.delete(url)
    for response in (changed, deleted):
        assert response.status_code == 409
        assert "more than 7 days ago" in response.json()["detail"]
    stored = Checkin.objects.get(pk=row.pk)
    assert (stored.pain, stored.deleted_at) == (6, None)


def test_a_patient_deletes_a_checkin_and_it_is_gone_from_the_list(
    api: Client, patient: Patient
) -> None:
    kept = _stored(api, patient, pain=3)
    gone = _stored(api, patient, pain=9)
    url = f"/api/v1/patients/{patient.pk}/checkins/{gone['id']}"
    response = api.delete(url)
    assert response.status_code == 204
    assert response.content == b""
    listed = api.get(f"/api/v1/patients/{patient.pk}/checkins").json()["items"]
    assert [c["client_id"] for c in listed] == [kept["client_id"]]
    assert Checkin.objects.get(pk=gone["id"]).deleted_at is not None  # kept in the record
    assert api.delete(url).status_code == 404
    assert api.patch(url, {"pain": 1}, content_type="application/json").status_code == 404
    resent = api.post(
        f"/api/v1/patients/{patient.pk}/checkins",
        body(client_id=gone["client_id"], pain=9),
        content_type="application/json",
    )
    assert resent.status_code == 409
    assert "was deleted" in resent.json()["detail"]


@pytest.mark.parametrize("ref", ["12345678901234567890123", "not-an-id", "0"])
def test_an_unknown_checkin_reference_is_a_404(api: Client, patient: Patient, ref: str) -> None:
    response = api.patch(
        f"/api/v1/patients/{patient.pk}/checkins/{ref}",
        {"pain": 1},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert api.delete(f"/api/v1/patients/{patient.pk}/checkins/{ref}").status_code == 404


def test_another_patients_checkin_is_a_404_under_either_patient_id(
    api: Client, patient: Patient, other_patient: Patient, make_checkin: Any
) -> None:
    theirs = make_checkin(other_patient, pain=4)
    for pid in (patient.pk, other_patient.pk):
        for ref in (theirs.pk, theirs.client_id):
            url = f"/api/v1/patients/{pid}/checkins/{ref}"
            patched = api.patch(url, {"pain": 1}, content_type="application/json")
            assert patched.status_code == 404
            assert api.delete(url).status_code == 404
    stored = Checkin.objects.get(pk=theirs.pk)
    assert (stored.pain, stored.deleted_at) == (4, None)


def test_the_care_team_reads_but_never_changes_a_checkin(
    patient: Patient, clinician: User, make_checkin: Any
) -> None:
    row = make_checkin(patient, pain=4)
    theirs = Client(headers=bearer(clinician))
    url = f"/api/v1/patients/{patient.pk}/checkins/{row.client_id}"
    assert theirs.patch(url, {"pain": 1}, content_type="application/json").status_code == 404
    assert theirs.delete(url).status_code == 404
    assert theirs.get(f"/api/v1/patients/{patient.pk}/checkins").status_code == 200
    assert Checkin.objects.get(pk=row.pk).pain == 4


def test_a_wrong_password_gets_no_token_and_an_unknown_token_gets_401(patient: Patient) -> None:
    wrong = Client().post(
        "/api/v1/auth/token",
        {"username": "patient", "password": "nope"},
        content_type="application/json",
    )
    assert wrong.status_code == 401
    stranger = Client(headers={"Authorization": "Bearer forged"})
    assert stranger.get("/api/v1/me").status_code == 401


def test_the_openapi_schema_documents_the_checkin_routes() -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert {"/api/v1/auth/token", "/api/v1/me", "/api/v1/patients/{patient_id}/checkins"} <= set(
        paths
    )
    assert set(paths["/api/v1/patients/{patient_id}/checkins"]) == {"get", "post"}
    one = paths["/api/v1/patients/{patient_id}/checkins/{checkin_ref}"]
    assert set(one) == {"patch", "delete"}
    assert set(one["patch"]["responses"]) >= {"200", "400", "404", "409"}
    assert set(one["delete"]["responses"]) == {"204", "401", "404", "409", "422"}
    created = schema["components"]["schemas"]["CheckinIn"]["properties"]
    assert "dose_status" in created
