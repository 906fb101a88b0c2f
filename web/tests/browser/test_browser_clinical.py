"""End to end in Chromium on a phone: the clinician assesses (ACR 2016), screens a patient who
takes tramadol, is stopped from signing, records the last dose 10 days ago and signs; the
pharmacist opens the worksheet and records dispensing; the patient finds the calendar download
and the cost."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from conftest import PASSWORD
from playwright.sync_api import Page, expect

from apps.accounts.models import Patient, User
from apps.clinical.models import Medication, Prescription
from apps.clinical.queries import patient_today
from apps.clinical.tests.factories import make_prescription
from apps.pharmacy.models import Dispensing, PriceEntry

from .checks import check_page
from .conftest import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_screen_block_sign_dispense_and_see_the_cost(
    page: Page, live_server: Any, patient: Patient, clinician: User, pharmacist: User
) -> None:
    pharmacy = pharmacist.pharmacies.get()
    # The worksheet makes one capsule per dose, so the cost page needs a price for every
    # strength of the plan: 1.5 … 4 mg at 30.00, 4.5 mg at 35.00 for 30 capsules.
    for strength in ("1.5", "2", "2.5", "3", "3.5", "4", "4.5"):
        PriceEntry.objects.create(
            pharmacy=pharmacy,
            form="capsule",
            strength_mg=Decimal(strength),
            pack_size=Decimal(30),
            price=Decimal("35.00" if strength == "4.5" else "30.00"),
        )
    Medication.objects.create(patient=patient, name="Tramadol 50 mg", added_by=clinician)
    url = live_server.url

    # The clinician assesses: the 2016 criteria, from a form generated from the definition.
    log_in(page, url, "clinician", PASSWORD)
    page.click(f"tr[data-patient='{patient.pk}'] a")
    page.click("text=Screening and prescriptions")
    page.click("text=Assessments")
    page.select_option("select[name=instrument]", "acr2016")
    page.fill("input[name=every_weeks]", "")
    page.click("#assign button")
    page.click("li[data-instrument='acr2016'] >> text=Complete at the visit")
    for area in ("shoulder_girdle_left", "shoulder_girdle_right", "hip_left", "hip_right"):
        page.check(f"input[name={area}]")
    for area in ("neck", "upper_back", "lower_back"):
        page.check(f"input[name={area}]")
    for item, value in (("fatigue", "2"), ("waking_unrefreshed", "2"), ("cognitive", "1")):
        page.check(f"input[name={item}][value='{value}']")
    for item, value in (("headaches", "yes"), ("lower_abdominal", "no"), ("depression", "no")):
        page.check(f"input[name={item}][value='{value}']")
    page.fill("input[name=duration_months]", "6")
    page.click("text=Save")
    result = page.locator("#results tr[data-instrument='acr2016']")
    expect(result).to_contain_text("criteria acr2016")  # the version is stored and shown
    expect(result).to_contain_text("criteria met")

    # The clinician screens: tramadol is a contraindication.
    page.goto(f"{url}/patients/{patient.pk}/screening/")
    expect(page.locator("#screening-result")).to_have_attribute("data-status", "contraindicated")
    expect(page.locator(".finding.contraindicated").first).to_contain_text("tramadol")

    # A draft can be written, but signing is refused while the opioid is listed.
    page.click("text=New prescription")
    page.click("text=Save draft")
    expect(page.locator("#rx-status")).to_have_text("Draft")
    page.check("input[name=consent]")
    page.click("text=Sign prescription")
    expect(page.locator(".flash.error")).to_contain_text("cannot be prescribed")
    expect(page.locator("#rx-status")).to_have_text("Draft")

    # The clinician records the last tramadol dose 10 days ago: the interval is complete.
    page.click("text=Update the medication list")
    last_dose = patient_today(patient) - timedelta(days=10)
    row = page.locator("tr[data-medication='Tramadol 50 mg']")
    row.locator("summary").click()
    row.locator("form.stop input[name=last_dose]").fill(last_dose.isoformat())
    row.locator("text=Record as stopped").click()
    expect(page.locator("#screening-result")).not_to_have_attribute(
        "data-status", "contraindicated"
    )
    page.click("#prescriptions a >> nth=0")
    page.check("input[name=consent]")
    page.select_option("select[name=pharmacy]", str(pharmacy.pk))
    page.click("text=Sign prescription")
    expect(page.locator(".flash.success")).to_contain_text("Signed and sent to Test pharmacy")
    expect(page.locator("#rx-status")).to_contain_text("Signed")
    rx = Prescription.objects.get()
    log_out(page)

    # The pharmacist sees it in the queue, opens the worksheet and records dispensing.
    log_in(page, url, "pharmacist", PASSWORD)
    expect(page.locator(f"#to-make tr[data-rx='{rx.pk}']")).to_be_visible()
    page.click(f"#to-make tr[data-rx='{rx.pk}'] a")
    # One per strength, 1.5 … 4.5 mg: the default supply reaches the target and 4 weeks on it.
    expect(page.locator(".worksheet")).to_have_count(7)
    expect(page.locator(".worksheet").first).to_contain_text("Beyond-use date")
    expect(page.locator("pre.label").first).to_contain_text("naltrexone")
    page.fill("input[name=lot]", "LOT-2026-1")
    page.click("text=Record dispensing")
    expect(page.locator(".flash.success")).to_contain_text("Dispensing recorded")
    expect(page.locator("#rx-status")).to_have_text("Dispensed")
    assert Dispensing.objects.filter(prescription=rx).count() == 7
    log_out(page)

    # The patient sees the plan, the calendar download and the cost.
    log_in(page, url, "patient", PASSWORD)
    page.click("text=My treatment")
    card = page.locator(f".prescription[data-rx='{rx.pk}']")
    link = card.locator(".calendar-link")
    expect(link).to_have_attribute("href", f"/patients/{patient.pk}/prescriptions/{rx.pk}/plan.ics")
    calendar = page.request.get(url + link.get_attribute("href"))
    assert calendar.ok
    assert calendar.text().startswith("BEGIN:VCALENDAR")
    card.locator(".cost-link").click()
    # Maintenance 4.5 mg as 4.5 mg capsules at 35.00 for 30: 35/30 x 30.4375 days = 35.51 a month.
    expect(page.locator("#costs .monthly")).to_have_text("35.51 USD")

    # The wallet card prints on its own: no navigation, just the card.
    page.click("text=Back to the treatment")
    page.click("text=Wallet card")
    expect(page.locator("#wallet-card")).to_contain_text("tell the anaesthetist")
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.locator("#wallet-card")).to_be_visible()


def test_the_cost_page_with_the_price_as_prescribed_reads_well_on_a_phone(
    axe_phone: Page, live_server: Any, patient: Patient, clinician: User, pharmacist: User
) -> None:
    """When the cheapest purchase combines capsules, each pharmacy's row also gives the price of
    the prescription as written: on a 390 px phone it still fits and passes axe."""
    pharmacy = pharmacist.pharmacies.get()
    rx = make_prescription(patient, clinician, pharmacy=pharmacy, days=85)
    for strength in ("0.5", "1.5", "2", "2.5", "3", "3.5", "4", "4.5"):
        PriceEntry.objects.create(
            pharmacy=pharmacy,
            form="capsule",
            strength_mg=Decimal(strength),
            pack_size=Decimal(30),
            price=Decimal("5.00" if strength == "0.5" else "30.00"),
        )
    page = axe_phone
    log_in(page, live_server.url, "patient", PASSWORD)
    page.goto(f"{live_server.url}/patients/{patient.pk}/prescriptions/{rx.pk}/cost/")
    expect(page.locator("#costs .as-prescribed")).to_contain_text("180.00 USD for the trial")
    check_page(page)
