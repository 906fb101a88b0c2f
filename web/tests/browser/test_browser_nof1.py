"""A blinded N-of-1 trial end to end in Chromium on a 390 × 844 phone: design, kits at the
pharmacy, plan locked, running (check-ins by kit code), finished, unblinded and analysed; and an
emergency unblinding. No page scrolls sideways, and each shows where the trial stands."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from conftest import PASSWORD
from playwright.sync_api import Browser, Page, expect

from apps.accounts.models import Patient, User
from apps.checkins.queries import patient_today
from apps.nof1.models import Nof1Trial
from apps.nof1.tests.factories import shift_into_past, trial_in
from lowdose.outcomes.trial_states import TrialState

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser: Browser, settings: Any) -> Iterator[Page]:
    """A 390 × 844 phone (an iPhone 12–15), with console errors failing the test."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield page
    context.close()
    assert [p for p in problems if "favicon" not in p] == []


def fits(page: Page) -> None:
    """The page does not scroll sideways on the phone."""
    page.wait_for_load_state()
    sizes = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert sizes[0] <= sizes[1], f"{page.url} is {sizes[0]} px wide on a {sizes[1]} px screen"


def log_out(page: Page) -> None:
    page.click("button:has-text('Log out')")
    fits(page)


def test_a_trial_from_design_to_unblinding_on_a_phone(
    phone: Page,
    live_server: Any,
    patient: Patient,
    clinician: User,
    pharmacist: User,
    make_checkin: Callable[..., Any],
) -> None:
    page, base = phone, live_server.url
    start = patient_today(patient) + timedelta(days=7)
    on = f"{start.day} {start:%B %Y}"

    # The clinician designs the trial from the patient's page.
    log_in(page, base, "clinician", PASSWORD)
    fits(page)
    page.goto(f"{base}/patients/{patient.pk}/")
    fits(page)
    page.click("text=N-of-1 trials")
    fits(page)
    page.click("text=Set up a trial")
    fits(page)
    page.fill("input[name=cycles]", "2")
    page.fill("input[name=period_days]", "10")
    page.fill("input[name=onset_days]", "0")
    page.fill("input[name=start]", start.isoformat())
    page.click("text=Randomise and send to the pharmacy")
    expect(page.locator("#trial-status")).to_have_text("Designed: kits being prepared")
    expect(page.locator("#next-step")).to_have_text(
        f"Waiting for the pharmacy to prepare the kits. Then you lock the analysis plan; the "
        f"trial starts on {on}."
    )
    expect(page.locator("#lock-form")).to_have_count(0)  # the kits come first
    expect(page.locator("#unblind-form")).to_have_count(0)
    fits(page)
    trial_id = int(re.search(r"/nof1/(\d+)/", page.url).group(1))  # type: ignore[union-attr]
    expect(page.locator("#schedule tbody tr")).to_have_count(4)
    assert "placebo" not in page.locator("#schedule").inner_text()
    # The design assistant's figures: the job ran when the design committed (synchronous
    # mode in the tests; test_browser_nof1_polling checks the card that waits for a worker).
    expect(page.locator("#assistant")).to_contain_text("in 400 simulated trials of this design")
    fits(page)
    log_out(page)

    # The pharmacist sees what each kit holds and records them prepared.
    log_in(page, base, "pharmacist", PASSWORD)
    page.click("text=N-of-1 kits")
    fits(page)
    expect(page.locator("ul.trials")).to_contain_text("Designed: kits being prepared")
    page.click(f"text=Trial {trial_id}")
    fits(page)
    expect(page.locator("#kits")).to_contain_text("placebo (filler only)")
    expect(page.locator("#kits")).to_contain_text("naltrexone 4.5 mg")
    page.click("text=Record kits prepared and dispensed")
    expect(page.locator(".flash")).to_contain_text(
        "Kits recorded as prepared and dispensed. Next: the clinician locks the analysis plan."
    )
    expect(page.locator("#trial-status")).to_have_text("Kits prepared: plan not locked yet")
    expect(page.locator("#kits-prepared")).to_have_count(0)
    fits(page)
    log_out(page)

    # The patient is told to wait for the clinician.
    log_in(page, base, "patient", PASSWORD)
    page.click("text=My trial")
    fits(page)
    page.click(f"text=Trial {trial_id}")
    expect(page.locator("#next-step")).to_have_text(
        f"Your kits are ready. Your clinician confirms the plan next; you start on {on}."
    )
    fits(page)
    log_out(page)

    # The clinician locks the plan: the trial waits for its start date.
    log_in(page, base, "clinician", PASSWORD)
    page.goto(f"{base}/nof1/{trial_id}/")
    expect(page.locator("#assistant")).to_contain_text("in 400 simulated trials")  # cached
    page.click("text=Lock the plan")
    expect(page.locator("#trial-status")).to_have_text("Plan locked: not started yet")
    expect(page.locator(".flash")).to_contain_text(f"Starts on {on}")
    expect(page.locator("#unblind-form")).to_have_count(0)
    fits(page)
    log_out(page)

    # The pharmacist's page after the lock: nothing left to record.
    log_in(page, base, "pharmacist", PASSWORD)
    page.goto(f"{base}/nof1/{trial_id}/kits/")
    expect(page.locator("#next-step")).to_have_text(
        f"Plan locked; the trial starts on {on}. Nothing more for the pharmacy to do."
    )
    expect(page.locator("#kits-prepared")).to_have_count(0)
    fits(page)
    log_out(page)

    # Three weeks later (day 15 of 40): the trial is running; the diary so far, by kit.
    shift_into_past(trial_id, 7 + 14)
    trial = Nof1Trial.objects.get(pk=trial_id)
    plan = trial.allocation.as_plan()
    today = patient_today(patient)

    def diary(until: date) -> None:
        day = plan.start
        while day < until:
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

    diary(today)
    log_in(page, base, "patient", PASSWORD)
    page.click("text=Check in now")
    fits(page)
    kit_box = page.locator("#kit-today")
    expect(kit_box).to_contain_text(trial.kit_for(today)["kit"])  # type: ignore[index]
    for scale in ("pain", "fatigue", "sleep", "mood"):
        page.locator(f"input[name={scale}][value='5'] + span").click()
    kit_box.locator("input[value=taken]").check()
    kit_box.locator("input[name=dose_time_choice][value=now]").check()  # the time is an answer
    page.click("text=Save check-in")
    expect(page.locator(".flash")).to_have_text("Check-in saved.")
    fits(page)
    page.click("text=My trial")
    page.click(f"text=Trial {trial_id}")
    expect(page.locator("#trial-status")).to_have_text("Running")
    expect(page.locator("#next-step")).to_contain_text("Day 15 of 40.")
    expect(page.locator("#today-kit")).to_contain_text(trial.kit_for(today)["kit"])  # type: ignore[index]
    fits(page)
    log_out(page)

    log_in(page, base, "clinician", PASSWORD)
    page.goto(f"{base}/nof1/{trial_id}/")
    expect(page.locator("#next-step")).to_contain_text("Day 15 of 40.")
    expect(page.locator("#unblind-form")).to_have_count(0)  # not before the end
    fits(page)

    # After the last period: finished, and now the clinician may unblind.
    shift_into_past(trial_id, 30)
    trial.refresh_from_db()
    plan = trial.allocation.as_plan()
    diary(plan.end + timedelta(days=1))
    page.goto(f"{base}/nof1/{trial_id}/")
    expect(page.locator("#trial-status")).to_have_text("Finished: ready to unblind")
    fits(page)
    page.click("#unblind-form button")
    expect(page.locator("#trial-status")).to_have_text("Unblinded")
    result = page.locator("#nof1-result")
    expect(result).to_contain_text("chance LDN 4.5 mg lowers your daily pain by at least 1 point")
    expect(page.locator("#nof1-chart")).to_have_attribute("data-rendered", "true")
    expect(page.locator("#allocation tbody tr")).to_have_count(4)
    fits(page)
    page.goto(f"{base}/patients/{patient.pk}/nof1/")
    expect(page.locator("ul.trials")).to_contain_text("Unblinded")
    fits(page)
    log_out(page)

    # The patient reads the result on the phone.
    log_in(page, base, "patient", PASSWORD)
    page.goto(f"{base}/nof1/{trial_id}/")
    expect(page.locator("#nof1-result")).to_contain_text("chance LDN 4.5 mg lowers your daily")
    expect(page.locator("#nof1-chart")).to_have_attribute("data-rendered", "true")
    fits(page)


def test_an_emergency_unblinding_on_a_phone_ends_the_trial_and_is_recorded(
    phone: Page, live_server: Any, patient: Patient, clinician: User, pharmacist: User
) -> None:
    page, base = phone, live_server.url
    trial = trial_in(TrialState.RUNNING, patient, clinician, pharmacist)
    kit = trial.schedule[1]["kit"]
    arm = trial.allocation.as_plan().arm_for_kit(kit)
    content = "placebo" if arm == "placebo" else f"naltrexone {arm}"
    log_in(page, base, "clinician", PASSWORD)
    page.goto(f"{base}/nof1/{trial.pk}/")
    fits(page)
    page.click("text=Emergency unblinding of one kit")
    page.select_option("#emergency select[name=kit]", kit)
    page.fill("#emergency input[name=reason]", "emergency surgery: the anaesthetist must know")
    fits(page)
    page.click("text=Reveal this kit")
    expect(page.locator(".flash")).to_contain_text(
        f"Emergency unblinding recorded: kit {kit} is {content}. The trial has ended"
    )
    expect(page.locator("#trial-status")).to_have_text("Ended by an emergency unblinding")
    expect(page.locator("#emergencies")).to_contain_text(f"kit {kit} by clinician")
    expect(page.locator("#stop")).to_have_count(0)
    expect(page.locator("#unblind-form")).to_be_visible()  # the blinded days can be analysed
    fits(page)
    log_out(page)
    log_in(page, base, "patient", PASSWORD)
    page.goto(f"{base}/nof1/{trial.pk}/")
    expect(page.locator("#next-step")).to_contain_text("Do not take any more trial capsules")
    expect(page.locator("#today-kit")).to_have_count(0)
    fits(page)
