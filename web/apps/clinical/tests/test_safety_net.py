"""The safety net end to end: a change to the medication list (or a risk answer) re-runs the
screen; for a patient on treatment a blocking result raises an urgent alert that reaches the care
team and the pharmacy (no one else), blocks dispensing and kit release with a 409 and the screen,
tells the patient to contact the clinic, and is acknowledged with an audit trail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from conftest import bearer
from django.test import Client

from apps.accounts.models import Clinic, Patient, Pharmacy, User
from apps.alerts.access import visible_alerts
from apps.alerts.actions import acknowledge_alert
from apps.alerts.models import Alert
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from apps.clinical.models import Assignment, Medication, MedicationResolution, Prescription
from apps.clinical.queries import patient_today
from apps.clinical.screening import screen_patient
from apps.clinical.tests.factories import make_prescription
from apps.nof1.tests.factories import make_trial

pytestmark = pytest.mark.django_db


def _call(user: User, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    return getattr(Client(), method)(
        url, body or {}, content_type="application/json", headers=bearer(user)
    )


@pytest.fixture
def pharmacy(pharmacist: User) -> Pharmacy:
    return pharmacist.pharmacies.get()


@pytest.fixture
def dispensed(patient: Patient, clinician: User, pharmacy: Pharmacy) -> Prescription:
    return make_prescription(patient, clinician, pharmacy=pharmacy, status="dispensed")


@pytest.fixture
def signed(patient: Patient, clinician: User, pharmacy: Pharmacy) -> Prescription:
    return make_prescription(patient, clinician, pharmacy=pharmacy, status="signed")


def _add(user: User, patient: Patient, name: str, **extra: Any) -> Any:
    return _call(
        user, "post", f"/api/v1/patients/{patient.pk}/medications", {"name": name, **extra}
    )


# --- item 5: the screen never goes stale ---------------------------------------------------------


def test_a_new_opioid_during_treatment_raises_an_urgent_alert_that_blocks_dispensing(
    clinician: User,
    other_clinician: User,
    pharmacist: User,
    patient: Patient,
    signed: Prescription,
) -> None:
    response = _add(clinician, patient, "OxyContin 10 mg bd")
    assert response.status_code == 201
    body = response.json()
    assert body["medication"]["name"] == "OxyContin 10 mg bd"
    assert body["screening"]["status"] == "contraindicated"

    alert = Alert.objects.get(patient=patient, kind="screen_blocked")
    assert alert.severity == "urgent"
    assert alert.blocks_dispensing
    assert "oxycodone" in alert.message.lower()
    assert "Contact the patient before their next dose" in alert.message
    # who sees it: the care team and the pharmacy holding the prescription; no one else
    assert list(visible_alerts(clinician)) == [alert]
    assert list(visible_alerts(pharmacist)) == [alert]
    assert list(visible_alerts(other_clinician)) == []
    assert list(visible_alerts(patient.user)) == []  # type: ignore[arg-type]

    refused = _call(
        pharmacist, "post", f"/api/v1/prescriptions/{signed.pk}/dispense", {"lot": "L1"}
    )
    assert refused.status_code == 409
    assert refused.json()["screening"]["status"] == "contraindicated"
    signed.refresh_from_db()
    assert signed.status == "signed"
    assert not signed.dispensings.exists()
    assert AuditEvent.objects.filter(action="prescriptions.dispense", outcome="denied").exists()


def test_the_pharmacy_queue_worksheet_and_the_patients_pages_show_the_block(
    client_for: Any,
    clinician: User,
    pharmacist: User,
    patient: Patient,
    dispensed: Prescription,
) -> None:
    _add(clinician, patient, "OxyContin")
    queue = client_for(pharmacist).get("/pharmacy/").content.decode()
    assert 'id="queue-blocks"' in queue
    assert "Patient" in queue
    sheet = client_for(pharmacist).get(
        f"/patients/{patient.pk}/prescriptions/{dispensed.pk}/worksheet/"
    )
    assert 'id="screen-block"' in sheet.content.decode()
    assert 'id="dispense"' not in sheet.content.decode()  # no dispensing form while blocked
    treatment = client_for(patient.user).get(f"/patients/{patient.pk}/treatment/").content
    assert b"Contact your clinic before your next dose" in treatment
    card = client_for(patient.user).get(f"/patients/{patient.pk}/wallet-card/").content
    assert b"Contact your clinic before your next dose" in card
    for page in (f"/patients/{patient.pk}/", f"/patients/{patient.pk}/checkin/"):
        assert (
            b"Contact your clinic before your next dose"
            in client_for(patient.user).get(page).content
        )


def test_kit_release_of_an_n_of_1_trial_is_refused_with_the_screen(
    client_for: Any, clinician: User, pharmacist: User, patient: Patient, pharmacy: Pharmacy
) -> None:
    trial = make_trial(patient, clinician, pharmacy, days_ago=0)
    _add(clinician, patient, "fentanyl 25mcg/hr patch")
    assert Alert.objects.filter(patient=patient, kind="screen_blocked").count() == 1  # trial
    response = client_for(pharmacist).post(f"/nof1/{trial.pk}/kits/prepared/")
    assert response.status_code == 409
    assert b"Do not release these kits" in response.content
    trial.refresh_from_db()
    assert trial.kits_prepared_at is None
    page = client_for(patient.user).get(f"/nof1/{trial.pk}/").content
    assert b"Contact your clinic before your next dose" in page


def test_no_alert_for_a_patient_who_is_not_on_treatment(clinician: User, patient: Patient) -> None:
    _add(clinician, patient, "morphine 10 mg")
    assert screen_patient(patient).status == "contraindicated"
    assert not Alert.objects.filter(patient=patient).exists()  # signing is blocked instead


def test_acknowledging_is_audited_and_a_passing_screen_resolves_the_alert(
    clinician: User, pharmacist: User, patient: Patient, signed: Prescription
) -> None:
    med_id = _add(clinician, patient, "OxyContin").json()["medication"]["id"]
    alert = Alert.objects.get(patient=patient, kind="screen_blocked")
    acknowledge_alert(Actor.of(clinician), alert, "Phoned: surgery last week, stops today.")
    event = AuditEvent.objects.get(action="alerts.acknowledge", patient_id=patient.pk)
    assert event.actor_username == "clinician"

    last = (patient_today(patient) - timedelta(days=10)).isoformat()
    fixed = _call(
        clinician,
        "patch",
        f"/api/v1/patients/{patient.pk}/medications/{med_id}",
        {"status": "stopped", "last_dose": last},
    )
    assert fixed.status_code == 200
    assert fixed.json()["screening"]["status"] == "ok"
    assert fixed.json()["medication"]["history"][0]["status"] == "current"
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert alert.resolved_by == clinician
    ok = _call(pharmacist, "post", f"/api/v1/prescriptions/{signed.pk}/dispense", {"lot": "L2"})
    assert ok.status_code == 200
    assert ok.json()["status"] == "dispensed"


def test_a_condition_change_reruns_the_screen(
    client_for: Any, clinician: User, patient: Patient, signed: Prescription
) -> None:
    client_for(clinician).post(
        f"/patients/{patient.pk}/screening/",
        {"op": "add_condition", "condition": "acute-opioid-withdrawal"},
    )
    assert Alert.objects.filter(patient=patient, kind="screen_blocked", severity="urgent").exists()


# --- review: what the screen cannot identify blocks until a person settles it --------------------


def test_an_unidentified_medicine_blocks_until_a_person_settles_it_for_the_clinic(
    client_for: Any,
    clinic: Clinic,
    clinician: User,
    pharmacist: User,
    patient: Patient,
    signed: Prescription,
) -> None:
    body = _add(clinician, patient, "Zqxlor 20 mg").json()
    assert body["screening"]["status"] == "review"
    assert Alert.objects.get(patient=patient, kind="screen_blocked").blocks_dispensing
    refused = _call(pharmacist, "post", f"/api/v1/prescriptions/{signed.pk}/dispense", {"lot": "A"})
    assert refused.status_code == 409
    assert refused.json()["screening"]["status"] == "review"

    # the pharmacist settles it from the worksheet: no opioid, with a reason
    response = client_for(pharmacist).post(
        f"/patients/{patient.pk}/screening/resolve/",
        {"text": "zqxlor 20 MG", "kind": "not_opioid", "reason": "Vet-checked: antihistamine"},
    )
    assert response.status_code == 302
    row = MedicationResolution.objects.get()
    assert row.clinic == clinic
    assert row.patient is None
    assert row.resolved_by == pharmacist
    assert screen_patient(patient).status == "ok"
    assert Alert.objects.get(patient=patient, kind="screen_blocked").resolved_at is not None
    event = AuditEvent.objects.get(action="safety.review.resolve")
    assert event.detail is not None
    assert event.detail["reason"] == "Vet-checked: antihistamine"
    assert event.actor_username == "pharmacist"


def test_a_resolution_is_reused_for_the_same_text_in_the_clinic(
    client_for: Any,
    clinician: User,
    other_clinician: User,
    patient: Patient,
    other_patient: Patient,
) -> None:
    _add(clinician, patient, "Zqxlor 20 mg")
    client_for(clinician).post(
        f"/patients/{patient.pk}/screening/resolve/",
        {"text": "Zqxlor 20 mg", "kind": "ingredients", "ingredients": "codeine, paracetamol"},
    )
    assert screen_patient(patient).status == "contraindicated"  # named: screened normally
    _add(other_clinician, other_patient, "zqxlor  20mg")
    assert screen_patient(other_patient).status == "contraindicated"


def test_a_confident_match_cannot_be_overridden_and_a_reason_is_required(
    client_for: Any, clinician: User, patient: Patient
) -> None:
    _add(clinician, patient, "OxyContin")
    client_for(clinician).post(
        f"/patients/{patient.pk}/screening/resolve/",
        {"text": "OxyContin", "kind": "not_opioid", "reason": "I say so"},
    )
    assert not MedicationResolution.objects.exists()
    _add(clinician, patient, "Zqxlor")
    client_for(clinician).post(
        f"/patients/{patient.pk}/screening/resolve/",
        {"text": "Zqxlor", "kind": "not_opioid", "reason": "  "},
    )
    assert not MedicationResolution.objects.exists()


# --- the medication API: roles, other patients, bad input ---------------------------------------


def test_medication_api_roles_and_other_patients(
    clinician: User,
    other_clinician: User,
    pharmacist: User,
    admin_user: User,
    patient: Patient,
    other_patient: Patient,
) -> None:
    url = f"/api/v1/patients/{patient.pk}/medications"
    assert _call(clinician, "get", url).status_code == 200
    for outsider in (other_clinician, pharmacist, admin_user, patient.user):
        assert _call(outsider, "get", url).status_code == 404  # type: ignore[arg-type]
        assert _call(outsider, "post", url, {"name": "codeine"}).status_code == 404  # type: ignore[arg-type]
    assert not Medication.objects.exists()
    other = f"/api/v1/patients/{other_patient.pk}/medications"
    assert _call(clinician, "post", other, {"name": "codeine"}).status_code == 404


def test_bad_medication_input_is_a_clear_4xx_and_changes_nothing(
    clinician: User, patient: Patient
) -> None:
    url = f"/api/v1/patients/{patient.pk}/medications"
    stopped = _call(clinician, "post", url, {"name": "tramadol", "status": "stopped"})
    assert stopped.status_code == 400
    assert stopped.json()["field"] == "last_dose"
    future = (patient_today(patient) + timedelta(days=2)).isoformat()
    assert (
        _call(
            clinician, "post", url, {"name": "tramadol", "status": "stopped", "last_dose": future}
        ).status_code
        == 400
    )
    assert _call(clinician, "post", url, {"name": "   "}).status_code == 400
    assert _call(clinician, "post", url, {"name": "x", "status": "maybe"}).status_code == 422
    assert not Medication.objects.exists()
    assert not AuditEvent.objects.filter(action="clinical.medication.add").exists()


def test_delete_keeps_the_entry_for_the_record_and_rescreens(
    clinician: User, patient: Patient
) -> None:
    med_id = _add(clinician, patient, "codeine 30mg").json()["medication"]["id"]
    gone = _call(clinician, "delete", f"/api/v1/patients/{patient.pk}/medications/{med_id}")
    assert gone.status_code == 200
    assert gone.json()["status"] == "ok"
    assert Medication.objects.get(pk=med_id).removed_at is not None
    listed = _call(clinician, "get", f"/api/v1/patients/{patient.pk}/medications").json()
    assert listed == {"items": [], "next": None}
    again = _call(clinician, "delete", f"/api/v1/patients/{patient.pk}/medications/{med_id}")
    assert again.status_code == 404


# --- item 6: self-harm risk ---------------------------------------------------------------------


def _phq9(item9: int) -> dict[str, int]:
    return {**{f"item{i}": 1 for i in range(1, 9)}, "item9": item9}


def test_phq9_item9_shows_crisis_resources_on_the_same_response_and_alerts_the_team(
    client_for: Any, clinician: User, other_clinician: User, patient: Patient
) -> None:
    row = Assignment.objects.create(
        patient=patient, instrument="phq9", start=patient_today(patient), assigned_by=clinician
    )
    response = client_for(patient.user).post(
        f"/patients/{patient.pk}/assessments/{row.pk}/", {**_phq9(2), "difficulty": "1"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Help is available now" in page
    assert "tel:112" in page
    alert = Alert.objects.get(patient=patient, kind="self_harm_risk")
    assert alert.severity == "urgent"
    assert list(visible_alerts(clinician)) == [alert]
    assert list(visible_alerts(other_clinician)) == []
    assert AuditEvent.objects.filter(action="alerts.raise", patient_id=patient.pk).exists()


def test_the_clinics_own_crisis_text_and_numbers_come_first(
    clinic: Clinic, patient: Patient
) -> None:
    clinic.crisis_message = "Call the clinic duty line, or 999 if in danger."
    clinic.crisis_contacts = [{"label": "Duty line", "phone": "0161 555 0100"}]
    clinic.save()
    body = _call(
        patient.user,  # type: ignore[arg-type]
        "post",
        f"/api/v1/patients/{patient.pk}/assessments",
        {"instrument": "phq9", "answers": _phq9(1)},
    )
    assert body.status_code == 201
    crisis = body.json()["crisis"]
    assert crisis["message"] == "Call the clinic duty line, or 999 if in danger."
    assert crisis["contacts"][0] == {"label": "Duty line", "phone": "0161 555 0100"}
    assert crisis["contacts"][-1]["label"] == "Emergency services"
    assert "phq9_item9_positive" in body.json()["flags"]


def test_no_crisis_and_no_alert_when_item9_is_zero(
    patient: Patient, other_patient: Patient
) -> None:
    body = _call(
        patient.user,  # type: ignore[arg-type]
        "post",
        f"/api/v1/patients/{patient.pk}/assessments",
        {"instrument": "phq9", "answers": _phq9(0)},
    ).json()
    assert body["crisis"] is None
    assert body["total"] == 8
    assert not Alert.objects.exists()
    other = _call(
        patient.user,  # type: ignore[arg-type]
        "post",
        f"/api/v1/patients/{other_patient.pk}/assessments",
        {"instrument": "phq9", "answers": _phq9(3)},
    )
    assert other.status_code == 404
    assert not Alert.objects.exists()


def test_a_mistyped_crisis_contact_is_refused_when_the_clinic_is_saved(clinic: Clinic) -> None:
    from django.core.exceptions import ValidationError

    clinic.crisis_contacts = [{"label": "Duty line", "phone": "call reception"}]
    with pytest.raises(ValidationError) as exc:
        clinic.full_clean()
    assert "needs a phone number" in str(exc.value)
    clinic.crisis_contacts = [{"label": "Duty line", "phone": "+44 (0)161 555 0100"}]
    clinic.full_clean()


def test_the_api_settles_a_review_and_refuses_a_confident_match(
    clinician: User, patient: Patient
) -> None:
    _add(clinician, patient, "Zqxlor 20 mg")
    _add(clinician, patient, "OxyContin")
    url = f"/api/v1/patients/{patient.pk}/screening/resolutions"
    refused = _call(
        clinician, "post", url, {"text": "OxyContin", "kind": "not_opioid", "reason": "x"}
    )
    assert refused.status_code == 400
    assert refused.json()["field"] == "text"
    no_reason = _call(clinician, "post", url, {"text": "Zqxlor 20 mg", "kind": "not_opioid"})
    assert no_reason.status_code == 400
    assert no_reason.json()["field"] == "reason"
    body = {"text": "Zqxlor 20 mg", "kind": "ingredients", "ingredients": ["zzfoo"]}
    unknown = _call(clinician, "post", url, body)
    assert unknown.status_code == 400
    assert unknown.json()["field"] == "ingredients"
    assert not MedicationResolution.objects.exists()
    named = _call(
        clinician,
        "post",
        url,
        {"text": "ZQXLOR 20mg", "kind": "ingredients", "ingredients": ["cetirizine"]},
    )
    assert named.status_code == 200
    entries = {f["entry"] for f in named.json()["findings"] if f["severity"] == "review"}
    assert entries == set()
    assert named.json()["status"] == "contraindicated"  # the OxyContin still stands
    unknown = _call(
        clinician,
        "post",
        url,
        {"text": "Zqxlor 20 mg", "kind": "ingredients", "ingredients": ["zz"]},
    )
    assert unknown.status_code == 400  # nothing left to settle, or an unknown ingredient


def test_a_mistyped_last_dose_is_corrected_with_a_reason_kept_in_the_history(
    client_for: Callable[..., Client], clinician: User, patient: Patient
) -> None:
    # The tester's trap: tramadol's last dose entered as 3 days ago blocked signing for good.
    three = (patient_today(patient) - timedelta(days=3)).isoformat()
    med_id = _call(
        clinician,
        "post",
        f"/api/v1/patients/{patient.pk}/medications",
        {"name": "tramadol 50 mg", "status": "stopped", "last_dose": three},
    ).json()["medication"]["id"]
    assert screen_patient(patient).status == "contraindicated"
    url = f"/api/v1/patients/{patient.pk}/medications/{med_id}"
    thirty = (patient_today(patient) - timedelta(days=30)).isoformat()
    refused = _call(clinician, "patch", url, {"last_dose": thirty})
    assert refused.status_code == 400
    assert refused.json()["field"] == "reason"
    assert Medication.objects.get(pk=med_id).last_dose.isoformat() == three  # type: ignore[union-attr]
    fixed = _call(clinician, "patch", url, {"last_dose": thirty, "reason": "year mistyped"})
    assert fixed.status_code == 200
    assert fixed.json()["screening"]["status"] != "contraindicated"
    earlier = fixed.json()["medication"]["history"][0]
    assert earlier["last_dose"] == three
    assert earlier["reason"] == "year mistyped"
    event = AuditEvent.objects.filter(action="clinical.medication.correct").latest("pk")
    assert event.detail is not None
    assert event.detail["reason"] == "year mistyped"
    # on the page, the earlier value and the reason are shown
    page = client_for(clinician).get(f"/patients/{patient.pk}/screening/").content.decode()
    assert "year mistyped" in page


def test_recording_a_stop_needs_no_reason(clinician: User, patient: Patient) -> None:
    med_id = _add(clinician, patient, "pregabalin 75 mg").json()["medication"]["id"]
    last = (patient_today(patient) - timedelta(days=2)).isoformat()
    stopped = _call(
        clinician,
        "patch",
        f"/api/v1/patients/{patient.pk}/medications/{med_id}",
        {"status": "stopped", "last_dose": last},
    )
    assert stopped.status_code == 200
    assert stopped.json()["medication"]["history"][0]["reason"] == "recorded as stopped"
