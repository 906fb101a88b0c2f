"""End to end in Chromium: a patient checks in and sees it on the chart; a clinician sees the alert
for a patient who stopped checking in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import PASSWORD
from django.utils import timezone
from playwright.sync_api import Page, expect

from apps.accounts.models import Patient, User
from apps.alerts.rules import sweep_silence

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_patient_checks_in_on_a_phone_and_sees_it_on_the_chart(
    page: Page, live_server: Any, patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    for days_ago in range(1, 6):
        make_checkin(patient, days_ago=days_ago, pain=6)
    log_in(page, live_server.url, "patient", PASSWORD)
    expect(page.locator("h1")).to_have_text("My check-ins")
    page.click("text=Check in now")

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
