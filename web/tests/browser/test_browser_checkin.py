"""End to end in Chromium: a patient checks in and sees it on the chart; a clinician sees the alert
for a patient who stopped checking in."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import PASSWORD
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.accounts.models import Patient, User
from apps.checkins.followup import sweep_silence

from .conftest import log_in, log_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_patient_checks_in_on_a_phone_and_sees_it_on_the_chart(
    page: Page, live_server: Any, patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    for days_ago in range(1, 6):
        make_checkin(patient, days_ago=days_ago, pain=6)
    log_in(page, live_server.url, "patient", PASSWORD)
    expect(page.locator("h1")).to_have_text("My check-ins")
    page.click("text=Check in now")
    expect(page.locator("#checkin-form")).to_be_visible()  # the form page has loaded

    if page.locator(".daychoice").count():  # the test may run after midnight
        page.locator(".daychoice input").last.check()
    for scale, value in (("pain", "2"), ("fatigue", "3"), ("sleep", "8"), ("mood", "9")):
        page.locator(f"input[name={scale}][value='{value}'] + span").click()
    page.locator("input[name=dose_status][value=taken]").check()
    page.fill("input[name=dose_mg]", "4.5")
    page.fill("input[name=dose_time]", "22:00")
    page.select_option("select[name=se_vivid_dreams]", "mild")
    page.click("text=Save check-in")

    expect(page.locator(".flash")).to_have_text("Check-in saved.")
    chart = page.locator("#checkin-chart")
    expect(chart).to_have_attribute("data-rendered", "true")
    assert chart.locator("svg path").count() > 0
    plotted = page.evaluate(
        """() => {
            const view = window.lowdoseViews['checkin-chart'];
            const out = [];
            for (const name of Object.keys(view._runtime.data)) {
                let rows = [];
                try { rows = view.data(name); } catch (error) { continue; }
                for (const d of rows) {
                    if (d && 'scale' in d && 'value' in d) {
                        const day = typeof d.day === 'number'
                            ? new Date(d.day).toISOString().slice(0, 10) : String(d.day);
                        out.push({day: day.slice(0, 10), scale: d.scale, value: d.value});
                    }
                }
            }
            return out;
        }"""
    )
    today = timezone.now().astimezone(ZoneInfo(patient.time_zone)).date().isoformat()
    todays_pain = {r["value"] for r in plotted if r["day"] == today and "Pain" in r["scale"]}
    assert todays_pain == {2}
    expect(page.locator("#recent tbody tr").first).to_contain_text("Vivid dreams (mild)")


def test_a_clinician_sees_the_alert_for_a_patient_who_stopped_checking_in(
    page: Page,
    live_server: Any,
    clinician: User,
    patient: Patient,
    make_checkin: Callable[..., Any],
) -> None:
    for days_ago in range(4, 12):
        make_checkin(patient, days_ago=days_ago)
    assert sweep_silence(timezone.now()) == 1  # the daily sweep stores the alert
    log_in(page, live_server.url, "clinician", PASSWORD)
    expect(page.locator("h1")).to_have_text("My patients")
    row = page.locator(f"tr[data-patient='{patient.pk}']")
    expect(row.locator(".alert")).to_contain_text("No check-in for 4 days")


NO_OVERFLOW = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def _answer_scales(page: Page, values: dict[str, str]) -> None:
    for scale, value in values.items():
        page.locator(f"input[name={scale}][value='{value}'] + span").click()


def test_on_a_390px_phone_a_missed_dose_is_recorded_in_one_go_then_corrected(
    page: Page, live_server: Any, patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    from decimal import Decimal

    from apps.checkins.models import Checkin, CheckinRevision

    make_checkin(patient, days_ago=1, dose_mg=Decimal("4.50"))  # the form pre-fills 4.5 mg
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, "patient", PASSWORD)
    page.click("text=Check in now")
    expect(page.locator("#checkin-form")).to_be_visible()  # the form page has loaded
    assert page.evaluate(NO_OVERFLOW)
    if page.locator(".daychoice").count():  # the test may run after midnight
        page.locator(".daychoice input").last.check()
    _answer_scales(page, {"pain": "5", "fatigue": "6", "sleep": "4", "mood": "5"})
    expect(page.locator("#taken-details")).to_be_hidden()  # no answer yet: nothing to fill in
    page.locator("input[name=dose_status][value=taken]").check()
    expect(page.locator("#taken-details")).to_be_visible()
    expect(page.locator("input[name=dose_mg]")).to_have_value("4.5")
    page.locator("input[name=dose_status][value=missed]").check()
    expect(page.locator("#taken-details")).to_be_hidden()
    expect(page.locator("input[name=dose_mg]")).to_have_value("")
    assert page.evaluate(NO_OVERFLOW)
    page.click("text=Save check-in")

    expect(page.locator(".flash")).to_have_text("Check-in saved.")
    saved = Checkin.objects.filter(patient=patient).order_by("-pk").first()
    assert saved is not None
    assert (saved.dose_status, saved.dose_mg, saved.dose_time) == ("missed", None, None)
    first = page.locator("#recent tbody tr").first
    expect(first).to_contain_text("missed")
    expect(first.locator(".entry-time")).to_have_text(re.compile(r"^\d\d:\d\d$"))
    assert page.evaluate(NO_OVERFLOW)

    first.get_by_role("link", name=re.compile("^Change")).click()
    expect(page.locator("h1")).to_have_text("Change your check-in")
    expect(page.locator("input[name=dose_status][value=missed]")).to_be_checked()
    assert page.evaluate(NO_OVERFLOW)
    _answer_scales(page, {"pain": "3"})
    page.locator("input[name=dose_status][value=taken]").check()
    page.fill("input[name=dose_mg]", "4.5")
    page.fill("input[name=dose_time]", "23:15")
    page.click("text=Save changes")

    expect(page.locator(".flash")).to_contain_text("Check-in changed.")
    first = page.locator("#recent tbody tr").first
    expect(first).to_contain_text("4.5 mg at 23:15")
    expect(first.locator(".mark.changed")).to_contain_text("Changed")
    assert page.evaluate(NO_OVERFLOW)
    saved.refresh_from_db()
    assert (saved.pain, saved.dose_status) == (3, "taken")
    assert CheckinRevision.objects.get(checkin=saved).values["dose_status"] == "missed"


def test_a_refused_check_in_moves_the_focus_to_the_first_answer_to_fix(
    page: Page, live_server: Any, patient: Patient, expected_console_errors: list[str]
) -> None:
    expected_console_errors.append("status of 400 (Bad Request)")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server.url, "patient", PASSWORD)
    page.click("text=Check in now")
    expect(page.locator("#checkin-form")).to_be_visible()  # the form page has loaded
    if page.locator(".daychoice").count():
        page.locator(".daychoice input").last.check()
    _answer_scales(page, {"pain": "5", "sleep": "4"})
    page.click("text=Save check-in")

    expect(page.locator("#form-error")).to_contain_text("Fix these 3 answers")
    focused = page.evaluate(
        "() => [document.activeElement.name, document.activeElement.value,"
        " document.activeElement.getAttribute('aria-describedby')]"
    )
    assert focused == ["fatigue", "0", "error-fatigue"]
    expect(page.locator("#error-dose_status")).to_have_text(
        "Naltrexone today: choose Taken, Missed or No dose due."
    )
    assert page.evaluate(NO_OVERFLOW)


PAGE_HEIGHT = "document.documentElement.scrollHeight"


def test_on_a_390px_phone_the_dashboard_leads_with_today_and_fits_the_screen(
    page: Page, live_server: Any, other_patient: Patient
) -> None:
    from apps.demo.clinic import DEMO_PASSWORD, load_demo

    page.set_viewport_size({"width": 390, "height": 844})
    # A new patient: first steps, not four empty charts.
    log_in(page, live_server.url, "other_patient", PASSWORD)
    expect(page.locator("#first-steps")).to_contain_text("Check in every day")
    expect(page.locator("#checkin-chart")).to_have_count(0)
    expect(page.get_by_role("link", name="Check in now")).to_be_in_viewport()
    assert page.evaluate(NO_OVERFLOW)
    assert page.evaluate(PAGE_HEIGHT) < 1500
    log_out(page)

    # Sam Okafor (the demo's patient2), whose dashboard testers found 4,142 px long and
    # contradicting itself.
    load_demo()
    log_in(page, live_server.url, "patient2", DEMO_PASSWORD)
    expect(page.locator("h1")).to_have_text("My check-ins")
    expect(page.locator("#checkin-chart svg, #checkin-chart canvas").first).to_be_visible()
    expect(page.get_by_role("link", name="Check in now")).to_be_in_viewport()
    expect(page.locator("#week")).to_contain_text("Average of the 3 days")
    pain = page.locator('#changes tr[data-scale="pain"] td.change')
    expect(pain.locator(".number")).to_have_text("-0.8")
    expect(pain).not_to_have_class(re.compile(r"\bworse\b"))
    assert page.evaluate(NO_OVERFLOW)
    height = page.evaluate(PAGE_HEIGHT)
    assert height < 3000, height
    # The explanation is one tap away, and opening it still fits the screen.
    page.get_by_text("What the colours and words mean").click()
    expect(page.locator("#what-changes-mean")).to_contain_text("substantial")
    page.get_by_text("How sure is this?").click()
    page.get_by_text("Recent check-ins").click()
    expect(page.locator("#recent")).to_be_visible()
    assert page.evaluate(NO_OVERFLOW)
