"""Tolerability rules from the prescription page make a new draft; the signed plan is kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client

from apps.accounts.models import Patient, Pharmacy, User
from apps.audit.models import AuditEvent
from apps.clinical.models import Prescription
from apps.clinical.tests.factories import make_prescription

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(patient: Patient, clinician: User, pharmacist: User) -> Prescription:
    pharmacy: Pharmacy = pharmacist.pharmacies.get()
    return make_prescription(patient, clinician, pharmacy=pharmacy)


def _adjust(client: Client, rx: Prescription, **body: str) -> Prescription:
    client.post(f"/patients/{rx.patient_id}/prescriptions/{rx.pk}/adjust/", body)
    return Prescription.objects.exclude(pk=rx.pk).get()


def test_hold_moves_every_later_step_and_keeps_the_signed_plan(
    client_for: Callable[[User | None], Client], clinician: User, signed: Prescription
) -> None:
    before = signed.plan()
    on = before[1].start + timedelta(days=3)  # 4th day of the 2 mg step
    new = _adjust(client_for(clinician), signed, rule="hold", on=on.isoformat(), days="7")
    plan = new.plan()
    assert new.status == "draft"
    assert plan[1].days == 14 + 7
    assert [s.start for s in plan[2:]] == [s.start + timedelta(days=7) for s in before[2:]]
    assert new.supply_days == 84 + 7
    assert plan[1].note.startswith("held 7 more days at 2 mg")
    signed.refresh_from_db()
    assert signed.plan() == before
    assert signed.status == "signed"
    event = AuditEvent.objects.get(action="prescriptions.adjust", detail__isnull=False)
    assert (event.detail or {})["from"] == signed.pk


def test_move_to_morning_changes_only_the_time(
    client_for: Callable[[User | None], Client], clinician: User, signed: Prescription
) -> None:
    on = signed.plan()[2].start
    new = _adjust(client_for(clinician), signed, rule="morning", on=on.isoformat())
    plan = new.plan()
    assert [s.time.value for s in plan[:2]] == ["bedtime", "bedtime"]
    assert {s.time.value for s in plan[2:]} == {"morning"}
    assert [s.dose_mg for s in plan] == [s.dose_mg for s in signed.plan()]


def test_step_back_from_the_first_step_is_refused_with_the_reason(
    client_for: Callable[[User | None], Client], clinician: User, signed: Prescription
) -> None:
    client = client_for(clinician)
    url = f"/patients/{signed.patient_id}/prescriptions/{signed.pk}/adjust/"
    response = client.post(
        url, {"rule": "step_back", "on": signed.start_date.isoformat(), "days": "7"}, follow=True
    )
    assert b"Plan not changed." in response.content
    assert Prescription.objects.count() == 1
