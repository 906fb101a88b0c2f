"""End to end on a phone: the patient answers PHQ-9 item 9 with 2 and sees crisis resources at
once; the clinician sees the urgent alert at the top of the panel and acknowledges it; the
clinician adds OxyContin for the patient, whose LDN was dispensed, and the pharmacist's queue
shows the block (the worksheet offers no dispensing)."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import PASSWORD
from playwright.sync_api import Page, expect

from apps.accounts.models import Patient, User
from apps.alerts.models import Alert
from apps.audit.models import AuditEvent
from apps.clinical.models import Assignment
from apps.clinical.queries import patient_today
from apps.clinical.tests.factories import make_prescription

from .conftest import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_self_harm_answer_and_a_new_opioid_reach_the_people_who_act(
    page: Page, live_server: Any, patient: Patient, clinician: User, pharmacist: User
) -> None:
    pharmacy = pharmacist.pharmacies.get()
    rx = make_prescription(patient, clinician, pharmacy=pharmacy, status="dispensed")
    Assignment.objects.create(
        patient=patient, instrument="phq9", start=patient_today(patient), assigned_by=clinician
    )
    url = live_server.url

    # The patient answers the PHQ-9 with item 9 = 2: crisis resources on the same response.
    log_in(page, url, "patient", PASSWORD)
    page.goto(f"{url}/patients/{patient.pk}/assessments/")
    page.click("li[data-instrument='phq9'] >> text=Fill in")
    for item in range(1, 9):
        page.check(f"input[name=item{item}][value='1']")
    page.check("input[name=item9][value='2']")
    page.check("input[name=difficulty][value='1']")
    page.click("text=Save")
    crisis = page.locator("#crisis")
    expect(crisis).to_contain_text("Help is available now")
    expect(crisis).to_contain_text("emergency")
    expect(crisis.locator("a[href^='tel:']").last).to_contain_text("112")
    log_out(page)

    # The clinician sees it at the top of the panel and acknowledges it in the inbox.
    log_in(page, url, "clinician", PASSWORD)
    page.goto(f"{url}/panel/")
    urgent = page.locator(".urgent-alerts")
    expect(urgent).to_contain_text("Patient")
    expect(urgent).to_contain_text("self-harm")
    urgent.locator("text=Acknowledge in the inbox").first.click()
    alert = Alert.objects.get(patient=patient, kind="self_harm_risk")
    card = page.locator(f"#alert-{alert.pk}")
    card.locator("textarea[name=note]").first.fill("Phoned the patient: safe, plan agreed.")
    card.locator("button:has-text('Acknowledge')").click()
    expect(page.locator(f"#alert-{alert.pk} .acknowledged-by")).to_contain_text(
        "Phoned the patient: safe, plan agreed."
    )
    assert AuditEvent.objects.filter(
        action="alerts.acknowledge", actor_username="clinician", patient_id=patient.pk
    ).exists()

    # The clinician adds OxyContin: the screen is contraindicated and an urgent alert is raised.
    page.goto(f"{url}/patients/{patient.pk}/screening/")
    page.fill("#medications input[name=name] >> nth=-1", "OxyContin")
    page.click("text=Add medicine")
    expect(page.locator("#screening-result")).to_have_attribute("data-status", "contraindicated")
    log_out(page)

    # The pharmacist's queue shows the block; the worksheet offers no dispensing.
    log_in(page, url, "pharmacist", PASSWORD)
    page.goto(f"{url}/pharmacy/")
    blocks = page.locator("#queue-blocks")
    expect(blocks).to_contain_text("Blocked: do not dispense")
    expect(blocks).to_contain_text("Patient")
    page.goto(f"{url}/patients/{patient.pk}/prescriptions/{rx.pk}/worksheet/")
    expect(page.locator("#screen-block")).to_contain_text("Do not dispense")
    expect(page.locator("#dispense")).to_have_count(0)
