"""A new plan starts from the patient's current dose (what was dispensed and what the diary
says) unless the clinician restarts the titration; the page says why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from apps.accounts.models import Patient, User
from apps.audit.models import AuditEvent
from apps.checkins.models import Checkin
from apps.clinical.models import Prescription
from apps.clinical.queries import current_dose_for, patient_today
from apps.clinical.tests.factories import make_prescription

pytestmark = pytest.mark.django_db


def _diary(patient: Patient, dose: str, days: int) -> None:
    """``days`` check-ins up to yesterday, each recording ``dose`` mg taken at bedtime."""
    today = patient_today(patient)
    assert patient.user is not None
    for back in range(1, days + 1):
        day = today - timedelta(days=back)
        Checkin.objects.create(
            patient=patient,
            day=day,
            recorded_at=datetime.combine(day, time(21), tzinfo=ZoneInfo(patient.time_zone)),
            pain=5,
            fatigue=5,
            sleep=5,
            mood=5,
            dose_status="taken",
            dose_mg=Decimal(dose),
            dose_time=time(22),
            created_by=patient.user,
        )


@pytest.fixture
def on_4_5_mg(patient: Patient, clinician: User, pharmacist: User) -> Patient:
    """Dispensed 12 weeks ago (4.5 mg from day 85, i.e. today), and 4.5 mg in the diary."""
    make_prescription(
        patient,
        clinician,
        status="dispensed",
        pharmacy=pharmacist.pharmacies.get(),
        start=patient_today(patient) - timedelta(days=84),
        days=112,
    )
    _diary(patient, "4.5", 10)
    return patient


def _new(client: Client, patient: Patient, **values: str) -> object:
    body = {
        "protocol": "ldnrt-standard",
        "start": patient_today(patient).isoformat(),
        "dose_time": "bedtime",
        "form": "capsule",
        "supply_days": "",
    }
    return client.post(f"/patients/{patient.pk}/prescriptions/new/", body | values)


def test_the_current_dose_comes_from_the_dispensed_plan_and_the_diary(on_4_5_mg: Patient) -> None:
    current = current_dose_for(on_4_5_mg)

    assert current is not None
    assert current.dose_mg == Decimal("4.5")
    assert current.prescribed_mg == Decimal("4.5")
    assert current.diary_days == 10


def test_the_form_preselects_continuing_at_the_current_dose_and_says_why(
    client_for: Callable[[User | None], Client], clinician: User, on_4_5_mg: Patient
) -> None:
    page = client_for(clinician).get(f"/patients/{on_4_5_mg.pk}/prescriptions/new/")

    assert page.context["values"]["start_from"] == "current"
    text = page.content.decode()
    assert 'value="current" checked' in text
    assert "From the current dose, 4.5 mg" in text
    assert "The diary records 4.5 mg on 10 of the last 14 days" in text
    assert "restart the titration" in text


def test_continuing_makes_a_maintenance_plan_at_the_current_dose(
    client_for: Callable[[User | None], Client], clinician: User, on_4_5_mg: Patient
) -> None:
    response = _new(client_for(clinician), on_4_5_mg, start_from="current")

    assert response.status_code == 302  # type: ignore[attr-defined]
    rx = Prescription.objects.filter(status="draft").get()
    assert [(str(s.dose_mg), s.days) for s in rx.plan()] == [("4.5", 28)]
    assert rx.plan_title == "Continue at 4.5 mg"
    assert rx.ongoing_plan()[-1].end is None
    event = AuditEvent.objects.filter(action="prescriptions.create").get()
    assert (event.detail or {})["start_from"] == "current"
    assert (event.detail or {})["current_dose"]["dose_mg"] == "4.5"
    page = client_for(clinician).get(f"/patients/{on_4_5_mg.pk}/prescriptions/{rx.pk}/")
    assert b"Continue at 4.5 mg" in page.content
    assert b"ldnrt-standard" not in page.content


def test_the_clinician_can_restart_the_titration(
    client_for: Callable[[User | None], Client], clinician: User, on_4_5_mg: Patient
) -> None:
    response = _new(client_for(clinician), on_4_5_mg, start_from="beginning")

    assert response.status_code == 302  # type: ignore[attr-defined]
    rx = Prescription.objects.filter(status="draft").get()
    assert rx.plan()[0].dose_mg == Decimal("1.5")
    assert rx.custom_steps == []


def test_mid_titration_the_plan_continues_from_the_dose_reached(
    client_for: Callable[[User | None], Client], clinician: User, patient: Patient
) -> None:
    _diary(patient, "3", 5)

    assert _new(client_for(clinician), patient, start_from="current").status_code == 302  # type: ignore[attr-defined]

    rx = Prescription.objects.get()
    assert [str(s.dose_mg) for s in rx.plan()] == ["3", "3.5", "4", "4.5"]
    assert rx.supply_days == 42 + 28


def test_a_patient_not_on_ldn_starts_at_the_first_step_and_the_page_says_so(
    client_for: Callable[[User | None], Client], clinician: User, patient: Patient
) -> None:
    client = client_for(clinician)
    page = client.get(f"/patients/{patient.pk}/prescriptions/new/")
    assert b"the plan starts at the protocol's first step" in page.content

    refused = _new(client, patient, start_from="current")

    assert refused.status_code == 400  # type: ignore[attr-defined]
    assert b"there is no current dose to continue" in refused.content  # type: ignore[attr-defined]
    assert not Prescription.objects.exists()


def test_every_missing_answer_of_the_new_plan_is_named_at_once_and_nothing_is_saved(
    patient: Patient, clinician: User, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(clinician)
    before = AuditEvent.objects.filter(action="prescriptions.create").count()
    response = client.post(
        f"/patients/{patient.pk}/prescriptions/new/",
        {
            "start_from": "beginning",
            "protocol": "custom",
            "custom_steps": "",
            "start": "",
            "dose_time": "bedtime",
            "supply_days": "twelve",
            "form": "liquid",
            "concentration": "",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Fix these 4 answers" in page
    for message in (
        "Custom steps: write them as MG:DAYS",
        "First dose: enter the day of the first dose.",
        "Supply (days): a whole number of days",
        "Liquid concentration (mg/mL): enter it",
    ):
        assert message in page
    for field in ("custom_steps", "start", "supply_days", "concentration"):
        tag = page.split(f'id="field-{field}"')[1].split(">")[0]
        assert 'aria-invalid="true"' in tag, field
    assert not Prescription.objects.filter(patient=patient).exists()
    assert AuditEvent.objects.filter(action="prescriptions.create").count() == before


def test_a_plan_error_points_at_the_answer_it_is_about(
    patient: Patient, clinician: User, client_for: Callable[[User | None], Client]
) -> None:
    far = patient_today(patient) + timedelta(days=3000)  # a first dose in 2035 is refused
    response = client_for(clinician).post(
        f"/patients/{patient.pk}/prescriptions/new/",
        {
            "start_from": "beginning",
            "protocol": "ldnrt-standard",
            "start": far.isoformat(),
            "dose_time": "bedtime",
            "supply_days": "",
            "form": "capsule",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Fix this answer" in page
    assert '<a href="#field-start">' in page
    tag = page.split('id="field-start"')[1].split(">")[0]
    assert 'aria-invalid="true"' in tag
    assert not Prescription.objects.filter(patient=patient).exists()
