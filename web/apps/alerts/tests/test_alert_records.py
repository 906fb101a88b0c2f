"""Alerts are records: raised once while open, acknowledged and resolved with a note, audited in
the same transaction, and visible only to the care team (and, for blocks, the pharmacy)."""

from __future__ import annotations

import pytest
from django.http import Http404

from apps.accounts.models import Patient, User
from apps.alerts.access import get_alert_for_user, visible_alerts
from apps.alerts.actions import acknowledge_alert, raise_alert, resolve_alert
from apps.alerts.models import Alert
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from config.errors import AlertClosedError
from lowdose.errors import InputError


def _raise(patient: Patient, **kw: object) -> tuple[Alert, bool]:
    values: dict[str, object] = {
        "kind": "phq9_item9",
        "severity": "urgent",
        "message": "Self-harm answer on the PHQ-9: contact the patient today.",
        "facts": {"item9": 2},
    }
    values.update(kw)
    return raise_alert(Actor.system(), patient, **values)  # type: ignore[arg-type]


def test_the_same_alert_is_raised_once_while_it_is_open(patient: Patient) -> None:
    first, created = _raise(patient)
    again, created_again = _raise(patient)
    assert created
    assert not created_again
    assert again.pk == first.pk
    assert AuditEvent.objects.filter(action="alerts.raise", patient_id=patient.pk).count() == 1


def test_a_resolved_alert_can_be_raised_again_as_a_new_record(
    patient: Patient, clinician: User
) -> None:
    first, _ = _raise(patient)
    resolve_alert(Actor.of(clinician), first, "Called the patient; safe, GP informed.")
    second, created = _raise(patient)
    assert created
    assert second.pk != first.pk


def test_acknowledging_needs_a_note_and_records_who_when_and_what(
    patient: Patient, clinician: User
) -> None:
    alert, _ = _raise(patient)
    with pytest.raises(InputError) as exc:
        acknowledge_alert(Actor.of(clinician), alert, "   ")
    assert exc.value.field == "note"
    done = acknowledge_alert(Actor.of(clinician), alert, "Phoned, crisis plan agreed.")
    assert done.acknowledged_by == clinician
    assert done.acknowledged_note == "Phoned, crisis plan agreed."
    assert done.is_open  # acknowledged is not resolved
    event = AuditEvent.objects.get(action="alerts.acknowledge")
    assert event.actor_username == "clinician"
    assert event.detail == {"kind": "phq9_item9", "note": "Phoned, crisis plan agreed."}
    with pytest.raises(AlertClosedError):
        acknowledge_alert(Actor.of(clinician), alert, "again")


def test_only_the_care_team_sees_an_alert_and_a_pharmacist_only_blocking_ones(
    patient: Patient, clinician: User, other_clinician: User, pharmacist: User
) -> None:
    alert, _ = _raise(patient)
    assert list(visible_alerts(clinician)) == [alert]
    assert list(visible_alerts(other_clinician)) == []
    assert list(visible_alerts(pharmacist)) == []
    with pytest.raises(Http404):
        get_alert_for_user(Actor.of(other_clinician), alert.pk, "alerts.view")
    denied = AuditEvent.objects.get(action="alerts.view", outcome="denied")
    assert denied.patient_id == patient.pk
    with pytest.raises(Http404):
        get_alert_for_user(Actor.of(pharmacist), alert.pk, "alerts.acknowledge")
    assert get_alert_for_user(Actor.of(clinician), alert.pk, "alerts.acknowledge") == alert


def test_two_workers_racing_to_raise_the_same_alert_store_one_row(
    patient: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The other worker committed its row after this one looked for an open alert: the partial
    # unique index refuses the second insert and the caller gets the stored alert.
    theirs, _ = _raise(patient)
    real_filter = Alert.objects.filter
    looked: list[bool] = []

    class _NotYetVisible:
        def first(self) -> None:
            return None

    def filter_missing_once(*args: object, **kwargs: object) -> object:
        if not looked:
            looked.append(True)
            return _NotYetVisible()
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(Alert.objects, "filter", filter_missing_once)
    ours, created = _raise(patient)
    assert not created
    assert ours.pk == theirs.pk
    assert Alert.objects.count() == 1
    assert AuditEvent.objects.filter(action="alerts.raise").count() == 1
