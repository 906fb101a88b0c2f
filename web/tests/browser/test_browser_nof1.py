"""A short blinded N-of-1 trial end to end in Chromium: design, kits at the pharmacy, check-ins by
kit code, lock, unblind, result."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from conftest import PASSWORD
from playwright.sync_api import Page, expect

from apps.accounts.models import Patient, User
from apps.checkins.queries import patient_today
from apps.nof1.models import Nof1Trial

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_out(page: Page) -> None:
    page.click("button:has-text('Log out')")


def test_a_short_blinded_trial_from_design_to_result(
    page: Page,
    live_server: Any,
    patient: Patient,
    clinician: User,
    pharmacist: User,
    make_checkin: Callable[..., Any],
) -> None:
    base = live_server.url
    start = patient_today(patient) - timedelta(days=22)

    # The clinician designs the trial from the patient's page.
    log_in(page, base, "clinician", PASSWORD)
    page.goto(f"{base}/patients/{patient.pk}/")
    page.click("text=N-of-1 trials")
    page.click("text=Set up a trial")
    page.fill("input[name=cycles]", "2")
    page.fill("input[name=period_days]", "10")
    page.fill("input[name=onset_days]", "0")
    page.fill("input[name=start]", start.isoformat())
    page.click("text=Randomise and send to the pharmacy")
    expect(page.locator("#trial-status")).to_have_text("Designed: kits being prepared")
    trial_id = int(re.search(r"/nof1/(\d+)/", page.url).group(1))  # type: ignore[union-attr]
    expect(page.locator("#schedule tbody tr")).to_have_count(4)
    assert "placebo" not in page.locator("#schedule").inner_text()
    log_out(page)

    # The pharmacist sees what each kit holds and records them prepared.
    log_in(page, base, "pharmacist", PASSWORD)
    page.click("text=N-of-1 kits")
    page.click(f"text=Trial {trial_id}")
    expect(page.locator("#kits")).to_contain_text("placebo (filler only)")
    expect(page.locator("#kits")).to_contain_text("naltrexone 4.5 mg")
    page.click("text=Record kits prepared and dispensed")
    expect(page.locator(".flash")).to_contain_text("Kits recorded as prepared")
    log_out(page)

    # Three weeks of diary so far (entered day by day in real life): less pain on LDN kits.
    trial = Nof1Trial.objects.get(pk=trial_id)
    plan = trial.allocation.as_plan()
    today = patient_today(patient)
    day = plan.start
    while day < today:
        period = next(p for p in plan.periods if p.contains(day))
        pain = 4 if period.arm != "placebo" else 7
        make_checkin(
            patient,
            days_ago=(today - day).days,
            pain=pain + (day.toordinal() % 3 - 1),
            dose_status="taken",
            dose_mg=None,
            kit=period.kit,
        )
        day += timedelta(days=1)

    # Today the patient's check-in names the kit, never the dose.
    log_in(page, base, "patient", PASSWORD)
    page.click("text=Check in now")
    kit_box = page.locator("#kit-today")
    expect(kit_box).to_contain_text(trial.kit_for(today)["kit"])  # type: ignore[index]
    for scale in ("pain", "fatigue", "sleep", "mood"):
        page.locator(f"input[name={scale}][value='5'] + span").click()
    kit_box.locator("input[value=taken]").check()
    kit_box.locator("input[name=dose_time_choice][value=now]").check()  # the time is an answer
    page.click("text=Save check-in")
    expect(page.locator(".flash")).to_have_text("Check-in saved.")
    log_out(page)

    # The clinician locks the plan, unblinds, and reads the result.
    log_in(page, base, "clinician", PASSWORD)
    page.goto(f"{base}/nof1/{trial_id}/")
    page.click("text=Lock the plan")
    expect(page.locator("#trial-status")).to_have_text("Analysis plan locked")
    page.click("text=Unblind and analyse")
    expect(page.locator("#trial-status")).to_have_text("Unblinded")
    result = page.locator("#nof1-result")
    expect(result).to_contain_text("chance LDN 4.5 mg lowers your daily pain by at least 1 point")
    expect(page.locator("#nof1-chart")).to_have_attribute("data-rendered", "true")
