"""The plan's calendar through the pages and the API: an adjusted plan corrects the calendar a
patient imported (same UIDs, SEQUENCE up, dropped doses cancelled), drafts are the clinician's
alone and say so, and a bearer token gets the file, not the login page."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from conftest import bearer
from django.apps import apps as django_apps
from django.test import Client
from icalendar import Calendar

from apps.accounts.models import Patient, Pharmacy, User
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from apps.clinical.actions import adjust_prescription
from apps.clinical.models import Prescription
from apps.clinical.tests.factories import make_prescription

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(patient: Patient, clinician: User, pharmacist: User) -> Prescription:
    pharmacy: Pharmacy = pharmacist.pharmacies.get()
    return make_prescription(patient, clinician, pharmacy=pharmacy)


def _events(payload: bytes) -> dict[str, Any]:
    return {str(e["UID"]): e for e in Calendar.from_ical(payload).walk("VEVENT")}


def _path(rx: Prescription) -> str:
    return f"/patients/{rx.patient_id}/prescriptions/{rx.pk}/plan.ics"


def _sign(client: Client, rx: Prescription, pharmacist: User) -> None:
    pharmacy = pharmacist.pharmacies.get()
    path = f"/patients/{rx.patient_id}/prescriptions/{rx.pk}/sign/"
    client.post(path, {"consent": "yes", "pharmacy": str(pharmacy.pk)})
    rx.refresh_from_db()
    assert rx.status == "signed"


def test_an_adjusted_plan_corrects_the_calendar_the_patient_imported(
    client_for: Callable[[User | None], Client],
    clinician: User,
    pharmacist: User,
    signed: Prescription,
) -> None:
    mine = client_for(signed.patient.user)
    imported = _events(mine.get(_path(signed)).content)  # the patient adds the plan
    doctor = client_for(clinician)
    on = signed.plan()[1].start  # the 2 mg step: step back to 1.5 mg for 3 days
    doctor.post(
        _path(signed).replace("plan.ics", "adjust/"),
        {"rule": "step_back", "on": on.isoformat(), "days": "3"},
    )
    new = Prescription.objects.exclude(pk=signed.pk).get()
    assert (new.replaces_id, new.lineage) == (signed.pk, signed.lineage)
    _sign(doctor, new, pharmacist)
    update = _events(mine.get(_path(new)).content)
    # every event the patient has gets the same UID again: replaced, never doubled
    assert set(imported) <= set(update)
    live = [e for e in update.values() if str(e["STATUS"]) == "CONFIRMED"]
    days = [e.decoded("DTSTART").date() for e in live]
    assert len(days) == len(set(days)) == sum(step.days or 0 for step in new.plan())
    first_changed = update[f"lowdose-{signed.lineage}-{on:%Y%m%d}@lowdose"]
    assert str(first_changed["SUMMARY"]) == "LDN 1.5 mg at bedtime"  # was 2 mg
    assert first_changed["SEQUENCE"] == 1
    assert imported[f"lowdose-{signed.lineage}-{on:%Y%m%d}@lowdose"]["SEQUENCE"] == 0
    before = update[f"lowdose-{signed.lineage}-{on - timedelta(days=1):%Y%m%d}@lowdose"]
    assert before["SEQUENCE"] == 0  # a dose that did not change keeps its revision
    # the original's file is unchanged by the adjustment (it is what it was)
    assert set(_events(mine.get(_path(signed)).content)) == set(imported)


def test_a_plan_that_drops_doses_cancels_them(
    client_for: Callable[[User | None], Client],
    clinician: User,
    pharmacist: User,
    signed: Prescription,
) -> None:
    shorter = make_prescription(
        signed.patient, clinician, pharmacy=pharmacist.pharmacies.get(), days=28
    )
    Prescription.objects.filter(pk=shorter.pk).update(replaces=signed, lineage=signed.lineage)
    update = _events(client_for(signed.patient.user).get(_path(shorter)).content)
    cancelled = [e for e in update.values() if str(e["STATUS"]) == "CANCELLED"]
    assert len(cancelled) == 84 - 28
    assert all(e["SEQUENCE"] == 1 and not e.walk("VALARM") for e in cancelled)
    assert min(e.decoded("DTSTART").date() for e in cancelled) == signed.start_date + timedelta(28)


def test_a_draft_is_the_clinicians_alone_and_its_file_says_draft(
    client_for: Callable[[User | None], Client],
    clinician: User,
    patient: Patient,
) -> None:
    draft = make_prescription(patient, clinician, status="draft")
    assert client_for(patient.user).get(_path(draft)).status_code == 404
    api = f"/api/v1/patients/{patient.pk}/prescriptions/{draft.pk}/plan.ics"
    assert patient.user is not None
    assert Client(headers=bearer(patient.user)).get(api).status_code == 404
    denied = AuditEvent.objects.filter(action="prescriptions.view", outcome="denied")
    assert denied.count() == 2  # both refusals recorded
    response = client_for(clinician).get(_path(draft))
    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == f'attachment; filename="ldn-plan-{draft.pk}-DRAFT.ics"'
    )
    cal = Calendar.from_ical(response.content)
    assert str(cal["X-WR-CALNAME"]).startswith("DRAFT")
    events = cal.walk("VEVENT")
    assert events
    assert all(str(e["SUMMARY"]).startswith("DRAFT: ") for e in events)
    assert not any(e.walk("VALARM") for e in events)


def test_a_bearer_token_gets_the_calendar_not_the_login_page(
    signed: Prescription, patient: Patient
) -> None:
    path = f"/api/v1/patients/{patient.pk}/prescriptions/{signed.pk}/plan.ics"
    assert patient.user is not None
    response = Client(headers=bearer(patient.user)).get(path)
    assert response.status_code == 200
    assert "Location" not in response
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="ldn-plan-{signed.pk}.ics"'
    read = AuditEvent.objects.get(action="prescriptions.view", path=path)
    assert (read.outcome, read.patient_id, read.object_id) == ("ok", patient.pk, str(signed.pk))
    assert Client().get(path).status_code == 401  # no token: 401 JSON, no redirect


def test_the_migration_links_adjustments_made_before_lineages(
    clinician: User, signed: Prescription
) -> None:
    new = adjust_prescription(
        Actor.of(clinician), signed, rule="morning", on=signed.plan()[1].start
    )
    Prescription.objects.filter(pk=new.pk).update(replaces=None, lineage=uuid.uuid4())
    migration = importlib.import_module("apps.clinical.migrations.0008_prescription_lineage")
    migration.link_existing_adjustments(django_apps, None)
    new.refresh_from_db()
    signed.refresh_from_db()
    assert new.replaces_id == signed.pk
    assert new.lineage == signed.lineage
    others = Prescription.objects.exclude(pk__in=[new.pk, signed.pk])
    assert not others.exists()
