"""The clinical API enforces the same hard stop as the page: 409 with the screen, nothing signed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import ApiToken, Patient, Pharmacy, User
from apps.audit.models import AuditEvent
from apps.clinical.models import Condition, Medication, Prescription
from apps.clinical.tests.factories import make_prescription

pytestmark = pytest.mark.django_db


def _api(user: User) -> tuple[Client, dict[str, str]]:
    raw, digest = ApiToken.new_token()
    ApiToken.objects.create(
        user=user, key_hash=digest, expires_at=timezone.now() + timedelta(days=1)
    )
    return Client(), {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def pharmacy(pharmacist: User) -> Pharmacy:
    return pharmacist.pharmacies.get()


def _sign(user: User, rx: Prescription, body: dict[str, Any]) -> Any:
    client, headers = _api(user)
    return client.post(
        f"/api/v1/patients/{rx.patient_id}/prescriptions/{rx.pk}/sign",
        body,
        content_type="application/json",
        headers=headers,
    )


def test_the_api_refuses_to_sign_over_a_contraindication(
    clinician: User, patient: Patient, pharmacy: Pharmacy
) -> None:
    Medication.objects.create(patient=patient, name="Suboxone 8/2", added_by=clinician)
    rx = make_prescription(patient, clinician, status="draft")
    response = _sign(
        clinician, rx, {"pharmacy_id": pharmacy.pk, "consent": True, "caution_reason": "override"}
    )
    assert response.status_code == 409
    body = response.json()
    assert body["screening"]["status"] == "contraindicated"
    assert body["screening"]["can_sign"] is False
    assert any(f["code"] == "opioid-current" for f in body["screening"]["findings"])
    rx.refresh_from_db()
    assert rx.status == "draft"
    assert AuditEvent.objects.filter(action="prescriptions.sign", outcome="denied").exists()


def test_the_api_needs_a_caution_reason_and_audits_it(
    clinician: User, patient: Patient, pharmacy: Pharmacy
) -> None:
    Condition.objects.create(patient=patient, name="cirrhosis", added_by=clinician)
    rx = make_prescription(patient, clinician, status="draft")
    missing = _sign(clinician, rx, {"pharmacy_id": pharmacy.pk, "consent": True})
    assert missing.status_code == 400
    assert missing.json()["field"] == "caution_reason"
    reason = "Compensated cirrhosis; hepatology agrees; start at 1.5 mg."
    ok = _sign(
        clinician, rx, {"pharmacy_id": pharmacy.pk, "consent": True, "caution_reason": reason}
    )
    assert ok.status_code == 200
    assert ok.json()["status"] == "signed"
    assert ok.json()["pharmacy"] == pharmacy.name
    event = AuditEvent.objects.get(action="prescriptions.sign", detail__isnull=False)
    assert (event.detail or {})["caution_reason"] == reason


def test_a_pharmacist_lists_only_prescriptions_routed_to_them(
    clinician: User, patient: Patient, pharmacist: User, pharmacy: Pharmacy
) -> None:
    mine = make_prescription(patient, clinician, pharmacy=pharmacy)
    make_prescription(patient, clinician, pharmacy=Pharmacy.objects.create(name="Elsewhere"))
    make_prescription(patient, clinician, status="draft")
    client, headers = _api(pharmacist)
    response = client.get(f"/api/v1/patients/{patient.pk}/prescriptions", headers=headers)
    assert [rx["id"] for rx in response.json()["items"]] == [mine.pk]
    assert response.json()["items"][0]["steps"][0]["dose_mg"] == "1.5"
