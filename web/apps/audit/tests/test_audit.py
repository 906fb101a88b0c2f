"""The audit log is append-only for every role and at the database level."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from apps.accounts.models import Patient, User
from apps.audit.models import AuditEvent
from config.errors import AuditImmutableError


@pytest.fixture
def event(patient: Patient, client_for: Callable[[User | None], Client]) -> AuditEvent:
    client_for(patient.user).get(f"/patients/{patient.pk}/")
    found = AuditEvent.objects.get(action="checkins.view", patient_id=patient.pk)
    return found


def test_a_read_records_who_what_which_patient_when_and_from_where(
    event: AuditEvent, patient: Patient
) -> None:
    assert event.actor_username == "patient"
    assert event.actor_role == "patient"
    assert event.outcome == "ok"
    assert event.ip_address == "127.0.0.1"
    assert event.path == f"/patients/{patient.pk}/"
    assert event.at is not None


def test_the_model_refuses_to_change_or_delete_an_event(event: AuditEvent) -> None:
    event.action = "something else"
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_an_update_that_bypasses_the_model(event: AuditEvent) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'tampered' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "checkins.view"


def test_no_role_can_edit_the_log_in_the_admin(
    event: AuditEvent, admin_user: User, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(admin_user)
    assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200  # view only
    response = client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"action": "x"})
    assert response.status_code == 403
    assert (
        client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AuditEvent.objects.get(pk=event.pk).action == "checkins.view"


def test_patient_data_is_not_exposed_in_the_admin(
    admin_user: User, client_for: Callable[[User | None], Client]
) -> None:
    assert client_for(admin_user).get("/admin/checkins/checkin/").status_code == 404
