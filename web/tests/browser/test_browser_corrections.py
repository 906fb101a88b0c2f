"""Corrections on a phone (390 px): the clinician removes a condition entered in error, moves a
surgery date, and corrects a questionnaire they took down at the visit; each form refuses a
missing reason next to the field, and each history is on the page. Every page state is checked
for overflow and by axe-core."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from conftest import PASSWORD
from playwright.sync_api import Page, expect

from apps.accounts.models import Patient, User
from apps.audit.actor import Actor
from apps.clinical.actions import add_condition, complete_assessment, set_surgery
from apps.clinical.queries import patient_today

from .checks import check_page
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_corrections_on_a_phone(
    axe_phone: Page, live_server: Any, patient: Patient, clinician: User
) -> None:
    phone = axe_phone
    actor = Actor.of(clinician)
    add_condition(actor, patient, "liver-failure")
    set_surgery(actor, patient, patient_today(patient) + timedelta(days=10), "Knee")
    row, _ = complete_assessment(actor, patient, "phq2", {"item1": 1, "item2": 0})
    url = live_server.url
    log_in(phone, url, "clinician", PASSWORD)

    phone.goto(f"{url}/patients/{patient.pk}/screening/")
    check_page(phone)
    phone.click("#conditions summary:has-text('Remove')")
    phone.fill("#conditions input[name=reason]", "Entered for another patient")
    phone.click("text=Remove condition")
    expect(phone.locator("#condition-history")).to_contain_text("Entered for another patient")

    later = patient_today(patient) + timedelta(days=40)
    phone.fill("#surgery-on", later.isoformat())
    phone.evaluate("document.querySelector('#surgery-reason').removeAttribute('required')")
    phone.click("text=Change the date")
    expect(phone.locator("#surgery-reason")).to_have_attribute("aria-invalid", "true")
    check_page(phone)
    phone.fill("#surgery-reason", "Hospital moved the operation")
    phone.click("text=Change the date")
    expect(phone.locator("#surgery-history")).to_contain_text("Hospital moved the operation")
    check_page(phone)

    phone.goto(f"{url}/patients/{patient.pk}/assessment-results/{row.pk}/")
    check_page(phone)
    phone.check("input[name=item1][value='3']")
    phone.click("text=Save correction")  # no reason: the form names it
    expect(phone.locator("#reason")).to_have_attribute("aria-invalid", "true")
    expect(phone.locator("#form-error")).to_contain_text("Why is this being corrected?")
    check_page(phone)
    phone.fill("#reason", "First answer taken down wrongly")
    phone.click("text=Save correction")
    expect(phone.locator("#history")).to_contain_text("First answer taken down wrongly")
    expect(phone.locator("#result")).to_contain_text("Corrected 1 time")
    phone.click("#history summary")
    check_page(phone)
