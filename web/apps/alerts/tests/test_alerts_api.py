"""GET /api/v1/alerts and POST /api/v1/alerts/{id}/acknowledge: the inbox's rules over JSON."""

from __future__ import annotations

from datetime import datetime, timedelta

from conftest import bearer
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Patient, User
from apps.alerts.actions import raise_alert
from apps.alerts.models import Alert
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from apps.clinical.tests.factories import make_prescription


def api(user: User | None) -> Client:
    return Client() if user is None else Client(headers=bearer(user))


def alert(patient: Patient, kind: str, severity: str = "warning", **kw: object) -> Alert:
    row, _ = raise_alert(
        Actor.system(),
        patient,
        kind=kind,
        severity=severity,
        message=f"{kind} message",
        facts={"side_effect": "nausea"},
        **kw,  # type: ignore[arg-type]
    )
    return row


def test_the_list_has_the_documented_fields_in_inbox_order(
    patient: Patient, clinician: User
) -> None:
    warning = alert(patient, "pain_up")
    urgent = alert(patient, "self_harm_risk", "urgent")
    response = api(clinician).get("/api/v1/alerts")
    assert response.status_code == 200
    page = response.json()
    assert page["next"] is None
    body = page["items"]
    assert [a["id"] for a in body] == [urgent.pk, warning.pk]
    first = body[0]
    assert set(first) >= {
        "id",
        "patient_id",
        "kind",
        "severity",
        "message",
        "created_at",
        "acknowledged_at",
        "acknowledged_by",
        "facts",
    }
    assert (first["patient_id"], first["kind"], first["severity"]) == (
        patient.pk,
        "self_harm_risk",
        "urgent",
    )
    # ISO 8601, to the millisecond
    assert abs(datetime.fromisoformat(first["created_at"]) - urgent.raised_at) < timedelta(
        milliseconds=1
    )
    assert (first["acknowledged_at"], first["acknowledged_by"]) == (None, None)
    assert first["facts"] == {"side_effect": "nausea"}
    [event] = AuditEvent.objects.filter(action="alerts.view")
    assert event.detail == {"patient_ids": [patient.pk]}


def test_filters_and_a_bad_severity_is_422_with_a_clear_message(
    patient: Patient, other_patient: Patient, clinician: User
) -> None:
    second = Patient.objects.create(
        clinic=patient.clinic, care_team=patient.care_team, display_name="Robin"
    )
    urgent = alert(patient, "self_harm_risk", "urgent")
    alert(patient, "pain_up")
    theirs = alert(second, "pain_up")
    client = api(clinician)
    urgent_only = client.get("/api/v1/alerts?severity=urgent").json()["items"]
    assert [a["id"] for a in urgent_only] == [urgent.pk]
    listed = client.get(f"/api/v1/alerts?patient_id={second.pk}").json()["items"]
    assert [a["id"] for a in listed] == [theirs.pk]
    none = client.get(f"/api/v1/alerts?patient_id={other_patient.pk}").json()
    assert none == {"items": [], "next": None}
    bad = client.get("/api/v1/alerts?severity=critical")
    assert bad.status_code == 422
    assert bad.json() == {
        "detail": "severity: choose urgent, warning or info; got 'critical'.",
        "field": "severity",
    }


def test_resolved_alerts_are_not_listed(patient: Patient, clinician: User) -> None:
    row = alert(patient, "pain_up")
    Alert.objects.filter(pk=row.pk).update(resolved_at=timezone.now())
    assert api(clinician).get("/api/v1/alerts").json() == {"items": [], "next": None}


def test_each_role_sees_only_what_the_access_rules_allow(
    patient: Patient,
    other_patient: Patient,
    clinician: User,
    other_clinician: User,
    pharmacist: User,
    admin_user: User,
) -> None:
    make_prescription(patient, clinician, pharmacy=pharmacist.pharmacies.get())
    block = alert(patient, "screen_blocked", "urgent", blocks_dispensing=True)
    alert(patient, "self_harm_risk", "urgent")
    alert(other_patient, "pain_up")

    def ids(user: User | None) -> list[int]:
        return [a["id"] for a in api(user).get("/api/v1/alerts").json()["items"]]

    assert ids(patient.user) == []
    assert ids(admin_user) == []
    assert ids(pharmacist) == [block.pk]
    assert len(ids(clinician)) == 2
    assert len(ids(other_clinician)) == 1  # only their own patient's
    assert api(None).get("/api/v1/alerts").status_code == 401


def test_acknowledging_returns_the_alert_with_who_and_when(
    patient: Patient, clinician: User
) -> None:
    row = alert(patient, "self_harm_risk", "urgent")
    client = api(clinician)
    response = client.post(
        f"/api/v1/alerts/{row.pk}/acknowledge",
        {"note": "Phoned; safe."},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["acknowledged_by"] == "clinician"
    assert body["acknowledged_at"] is not None
    assert body["acknowledged_note"] == "Phoned; safe."
    event = AuditEvent.objects.get(action="alerts.acknowledge", detail__isnull=False)
    assert event.detail == {"kind": "self_harm_risk", "note": "Phoned; safe."}
    again = client.post(
        f"/api/v1/alerts/{row.pk}/acknowledge", {"note": "again"}, content_type="application/json"
    )
    assert again.status_code == 409
    assert again.json()["detail"].startswith("This alert was already acknowledged by clinician")


def test_an_empty_note_is_400_naming_the_field_and_changes_nothing(
    patient: Patient, clinician: User
) -> None:
    row = alert(patient, "pain_up")
    response = api(clinician).post(
        f"/api/v1/alerts/{row.pk}/acknowledge", {"note": "  "}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Write a short note: what you did or decided.",
        "field": "note",
    }
    row.refresh_from_db()
    assert row.acknowledged_at is None


def test_someone_elses_alert_is_404_for_every_other_role(
    patient: Patient,
    other_clinician: User,
    pharmacist: User,
    admin_user: User,
    clinician: User,
) -> None:
    make_prescription(patient, clinician, pharmacy=pharmacist.pharmacies.get())
    row = alert(patient, "screen_blocked", "urgent", blocks_dispensing=True)
    for user in (other_clinician, pharmacist, admin_user, patient.user):
        response = api(user).post(
            f"/api/v1/alerts/{row.pk}/acknowledge", {"note": "x"}, content_type="application/json"
        )
        assert response.status_code == 404
    row.refresh_from_db()
    assert row.acknowledged_at is None
    assert AuditEvent.objects.filter(action="alerts.acknowledge", outcome="denied").count() == 4
