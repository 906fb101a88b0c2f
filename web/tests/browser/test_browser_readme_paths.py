"""Each role's path from the README's "Demo logins" table, on the demo clinic, on a 390 × 844 phone
(issue 12).

The tests click what a person clicks: links and buttons by their visible names, fields by their
labels. Every page they show is checked (``checks.check_page``): no horizontal overflow and no
axe-core WCAG 2.2 A/AA violation, at 390 × 844 and again at 1280 × 800; a page shown and not
checked fails the test (``checks.Walk``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from apps.accounts.models import Patient
from apps.checkins.followup import sweep_silence
from apps.checkins.queries import patient_today
from apps.demo.clinic import DEMO_PASSWORD, PATIENT_NAMES, load_demo
from apps.nof1.models import Nof1Trial
from apps.nof1.tests.factories import shift_into_past

from .checks import Walk, phone_context_options

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
# transaction=True: the live server's thread reads what load_demo wrote.

ALEX, SAM = PATIENT_NAMES["patient"], PATIENT_NAMES["patient2"]


@dataclass
class Person:
    """One person's phone: a browser page, the pages it showed and the checks it passed."""

    page: Page
    base: str
    walk: Walk
    expected_console_errors: list[str] = field(default_factory=list)

    def check(self) -> None:
        self.walk.check()

    def log_in(self, username: str) -> None:
        """The demo logins skip two-factor authentication (the login page says so)."""
        page = self.page
        page.goto(f"{self.base}/accounts/login/")
        self.check()
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url
        self.check()

    def log_out(self) -> None:
        self.page.get_by_role("button", name=re.compile(r"^Log out")).click()
        expect(self.page.get_by_role("button", name="Log in")).to_be_visible()
        self.check()

    def follow(self, name: str | re.Pattern[str], *, first: bool = False) -> None:
        """Click the link ``name`` (the only one, or the ``first``) and check the page."""
        link = self.page.get_by_role("link", name=name, exact=isinstance(name, str))
        (link.first if first else link).click()
        self.page.wait_for_load_state()
        self.check()

    def press(self, name: str | re.Pattern[str]) -> None:
        """Click the button ``name`` and check the page it leads to."""
        self.page.get_by_role("button", name=name, exact=isinstance(name, str)).click()
        self.page.wait_for_load_state()
        self.check()


@pytest.fixture
def phones(browser: Browser, live_server: Any, settings: Any) -> Iterator[Callable[[], Person]]:
    """The demo clinic, and a new phone for each person of a test: every page each phone showed
    was checked, and no console error went unexpected."""
    settings.SESSION_COOKIE_SECURE = False  # the live server speaks plain HTTP
    settings.CSRF_COOKIE_SECURE = False
    load_demo()
    sweep_silence(timezone.now())  # the daily sweep, as `make run` runs it after loading the demo
    opened: list[tuple[Any, Person, list[str]]] = []

    def open_phone() -> Person:
        context = browser.new_context(**phone_context_options())
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        person = Person(page, live_server.url, Walk(page))
        opened.append((context, person, errors))
        return person

    yield open_phone
    for context, person, errors in opened:
        context.close()
        person.walk.assert_all_checked()
        expected = person.expected_console_errors
        assert [e for e in errors if not any(x in e for x in expected)] == []


def _answer_scales(page: Page, values: dict[str, str]) -> None:
    for scale, value in values.items():
        group = page.get_by_role("group", name=re.compile(rf"^{scale}"))
        group.get_by_text(value, exact=True).click()


def _show_recent_checkins(page: Page) -> None:
    """Open "Recent check-ins" unless it is open (it is, after a check-in was saved)."""
    if not page.locator("#entries details").evaluate("details => details.open"):
        page.get_by_text("Recent check-ins").click()


def test_patient_checks_in_a_missed_dose_changes_it_and_reads_their_pages(
    phones: Callable[[], Person],
) -> None:
    alex = phones()
    page = alex.page
    alex.log_in("patient")
    expect(page.get_by_role("heading", level=1)).to_have_text("My check-ins")

    # Check in now: four answers and a missed dose, in one go.
    alex.follow("Check in now")
    if page.locator(".daychoice").count():  # the test may run after midnight
        page.locator(".daychoice input").last.check()
    _answer_scales(page, {"Pain": "6", "Fatigue": "5", "Sleep": "4", "Mood": "5"})
    page.get_by_role("radio", name="Missed").check()
    expect(page.get_by_label("Dose (mg)")).to_be_hidden()  # nothing more to answer
    expect(page.get_by_role("radio", name="Just now")).to_be_hidden()
    alex.check()
    alex.press("Save check-in")
    expect(page.locator(".flash")).to_have_text("Check-in saved.")
    expect(page.locator("#checkin-chart")).to_have_attribute(
        "data-rendered", "true"
    )  # today's point

    # Recent check-ins → Change: taken after all.
    _show_recent_checkins(page)
    first = page.locator("#recent tbody tr").first
    expect(first).to_contain_text("missed")
    alex.check()
    first.get_by_role("link", name=re.compile(r"^Change")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your check-in")
    expect(page.get_by_role("radio", name="Missed")).to_be_checked()
    alex.check()
    page.get_by_role("radio", name="Taken").check()
    page.get_by_label("Dose (mg)").fill("4.5")
    page.get_by_label("Time taken").fill("21:30")  # a change gives the time it was taken
    alex.check()
    alex.press("Save changes")
    expect(page.locator(".flash")).to_contain_text("Check-in changed.")
    _show_recent_checkins(page)
    first = page.locator("#recent tbody tr").first
    expect(first).to_contain_text("4.5 mg at 21:30")
    expect(first.locator(".mark.changed")).to_contain_text("Changed")
    alex.check()

    # My treatment: the cost, the wallet card, the questionnaires.
    alex.follow("My treatment")
    alex.follow("What it costs", first=True)
    expect(page.locator("#costs")).to_contain_text("USD")
    alex.follow("My treatment")
    alex.follow("Wallet card")
    expect(page.locator("#wallet-card")).to_contain_text("tell the anaesthetist")
    page.go_back()
    alex.check()
    alex.follow("Questionnaires")
    expect(page.get_by_role("link", name="Fill in").first).to_be_visible()  # a PHQ-9 is due

    # My trial: the kit codes and dates, never which kit is placebo.
    alex.follow("My trial")
    alex.follow(re.compile(r"^Trial \d+"))
    expect(page.locator("#schedule tbody tr")).to_have_count(6)
    assert "placebo" not in page.locator("#schedule").inner_text()
    alex.log_out()


def test_clinician_finds_sam_and_signs_once_the_tramadol_date_is_corrected(
    phones: Callable[[], Person],
) -> None:
    dana = phones()
    page = dana.page
    dana.expected_console_errors.append("status of 400 (Bad Request)")  # the refused signature
    dana.log_in("clinician")
    expect(page.get_by_role("heading", level=1)).to_have_text("My patients")
    rows = page.locator("tbody tr[data-patient]")
    expect(rows).to_have_count(2)

    # The panel: search by name, sort by last check-in.
    page.get_by_label("Search by name").fill("Sam")
    page.get_by_label("Sort by").select_option(label="Last check-in (longest ago first)")
    dana.press("Show")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("No check-in for 4 days")
    page.get_by_label("Search by name").fill("")
    page.get_by_label("Sort by").select_option(label="Open alerts (most first)")
    dana.press("Show")
    expect(rows).to_have_count(2)

    # Sam Okafor → Screening and prescriptions: tramadol is a hard stop.
    dana.follow(SAM)
    dana.follow("Screening and prescriptions")
    expect(page.locator("#screening-result")).to_have_attribute("data-status", "contraindicated")
    expect(page.locator(".finding.contraindicated").first).to_contain_text("tramadol")

    # A draft can be written; signing it is refused.
    dana.follow("New prescription")
    dana.press("Save draft")
    expect(page.locator("#rx-status")).to_have_text("Draft")
    page.get_by_label(re.compile("consents to off-label")).check()
    dana.press("Sign prescription")
    expect(page.get_by_role("alert")).to_contain_text("Not signed. Naltrexone cannot be prescribed")
    expect(page.locator("#rx-status")).to_have_text("Draft")

    # The last tramadol dose, corrected to 10 days ago: the correction needs a reason.
    dana.follow("Update the medication list", first=True)
    sam = Patient.objects.get(display_name=SAM)
    last_dose = patient_today(sam) - timedelta(days=10)
    row = page.get_by_role("row", name=re.compile("Tramadol"))
    row.get_by_text("Stop, correct or remove").click()
    dana.check()
    correction = row.locator("form", has=page.get_by_role("button", name="Save correction"))
    correction.get_by_label("Status").select_option(label="stopped")
    correction.get_by_label("Last dose", exact=True).fill(last_dose.isoformat())
    reason = correction.get_by_label(re.compile(r"^Why"))
    correction.get_by_role("button", name="Save correction").click()
    assert reason.evaluate("field => field.validity.valueMissing")  # not sent without a reason
    reason.fill("Last dose date mistyped: Sam stopped tramadol 10 days ago")
    dana.press("Save correction")
    expect(page.locator("#screening-result")).not_to_have_attribute(
        "data-status", "contraindicated"
    )
    row = page.get_by_role("row", name=re.compile("Tramadol"))
    expect(row).to_contain_text("stopped, last dose")

    # Sign the draft and send it to the pharmacy.
    page.locator("#prescriptions li", has_text="Draft").get_by_role("link").click()
    dana.check()
    page.get_by_label(re.compile("consents to off-label")).check()
    page.get_by_label("Pharmacy").select_option(label="Northgate Compounding Pharmacy (demo)")
    dana.press("Sign prescription")
    expect(page.locator(".flash")).to_contain_text(
        "Signed and sent to Northgate Compounding Pharmacy (demo)"
    )
    expect(page.locator("#rx-status")).to_contain_text("Signed")
    dana.log_out()


def _open_trial_as_clinician(dana: Person) -> None:
    dana.log_in("clinician")
    dana.follow(ALEX)
    dana.follow("N-of-1 trials")


def test_pharmacist_records_the_kits_and_sees_the_trial_after_the_lock(
    phones: Callable[[], Person],
) -> None:
    pharmacist, dana = phones(), phones()
    page = pharmacist.page
    trial = Nof1Trial.objects.get(patient__display_name=ALEX)

    # N-of-1 kits: the confidential allocation list, then the kits prepared and dispensed.
    pharmacist.log_in("pharmacist")
    pharmacist.follow("N-of-1 kits")
    expect(page.locator("ul.trials")).to_contain_text("Designed: kits being prepared")
    pharmacist.follow(f"Trial {trial.pk} · {ALEX}")
    expect(page.locator("#kits")).to_contain_text("placebo (filler only)")
    pharmacist.press("Record kits prepared and dispensed")
    expect(page.locator(".flash")).to_contain_text("Next: the clinician locks the analysis plan.")
    expect(page.locator("#trial-status")).to_have_text("Kits prepared: plan not locked yet")
    expect(page.get_by_role("button", name="Record kits prepared and dispensed")).to_have_count(0)

    # The clinician locks the plan on their own phone.
    _open_trial_as_clinician(dana)
    dana.follow(re.compile(rf"^Trial {trial.pk}:"))
    expect(dana.page.locator("#trial-status")).to_have_text("Kits prepared: plan not locked yet")
    dana.press("Lock the plan")
    expect(dana.page.locator("#trial-status")).to_have_text("Plan locked: not started yet")

    # The pharmacist's page after the lock: nothing to press, and what happens next.
    page.reload()
    pharmacist.check()
    expect(page.locator("#trial-status")).to_have_text("Plan locked: not started yet")
    expect(page.locator("#next-step")).to_contain_text("Nothing more for the pharmacy to do.")
    expect(page.locator("main").get_by_role("button")).to_have_count(0)
    pharmacist.follow("All N-of-1 kit lists")
    expect(page.locator("ul.trials")).to_contain_text("Plan locked: not started yet")
    pharmacist.log_out()


def test_an_n_of_1_trial_from_design_to_unblinding(
    phones: Callable[[], Person], make_checkin: Callable[..., Any]
) -> None:
    dana = phones()
    page = dana.page
    patient = Patient.objects.get(display_name=ALEX)
    demo_trial = Nof1Trial.objects.get(patient=patient)
    start = patient_today(patient) + timedelta(days=7)

    # The demo's trial is stopped before it starts, and a shorter one designed in its place.
    _open_trial_as_clinician(dana)
    dana.follow(re.compile(rf"^Trial {demo_trial.pk}:"))
    page.get_by_text("Stop this trial early").click()
    dana.check()
    page.get_by_label(re.compile(r"^Reason")).fill("Redesigned with 10-day periods")
    dana.press("Stop the trial")
    expect(page.locator("#trial-status")).to_contain_text("Stopped")
    dana.follow(f"All trials of {ALEX}")
    dana.follow("Set up a trial")
    page.get_by_label("Cycles").fill("2")
    page.get_by_label("Period length (days)").fill("10")
    page.get_by_label("Onset allowance (days)").fill("0")
    page.get_by_label("Start").fill(start.isoformat())
    dana.press("Randomise and send to the pharmacy")
    expect(page.locator("#trial-status")).to_have_text("Designed: kits being prepared")
    expect(page.locator("#assistant")).to_contain_text("in 400 simulated trials of this design")
    dana.check()
    trial_id = int(re.search(r"/nof1/(\d+)/", page.url).group(1))  # type: ignore[union-attr]

    # The pharmacist records the kits.
    pharmacist = phones()
    pharmacist.log_in("pharmacist")
    pharmacist.follow("N-of-1 kits")
    pharmacist.follow(f"Trial {trial_id} · {ALEX}")
    pharmacist.press("Record kits prepared and dispensed")
    expect(pharmacist.page.locator("#trial-status")).to_have_text(
        "Kits prepared: plan not locked yet"
    )

    # The clinician locks the plan.
    page.reload()
    dana.press("Lock the plan")
    expect(page.locator("#trial-status")).to_have_text("Plan locked: not started yet")

    # Time passes: the whole trial lies in the past, with a check-in on each day, by kit.
    shift_into_past(trial_id, 7 + 40 + 1)
    trial = Nof1Trial.objects.get(pk=trial_id)
    plan = trial.allocation.as_plan()
    today = patient_today(patient)
    day = plan.start
    while day <= plan.end:
        period = next(p for p in plan.periods if p.contains(day))
        make_checkin(
            patient,
            days_ago=(today - day).days,
            pain=(4 if period.arm != "placebo" else 7) + (day.toordinal() % 3 - 1),
            dose_status="taken",
            dose_mg=None,
            kit=period.kit,
        )
        day += timedelta(days=1)

    # Finished: the clinician unblinds and analyses, and reads the result.
    page.reload()
    dana.check()
    expect(page.locator("#trial-status")).to_have_text("Finished: ready to unblind")
    dana.press("Unblind and analyse")
    expect(page.locator("#trial-status")).to_have_text("Unblinded")
    expect(page.locator("#nof1-result")).to_contain_text("chance LDN 4.5 mg lowers your daily pain")
    expect(page.locator("#nof1-chart")).to_have_attribute("data-rendered", "true")
    expect(page.locator("#allocation tbody tr")).to_have_count(4)
    dana.check()
    dana.follow(f"All trials of {ALEX}")
    expect(page.locator("ul.trials")).to_contain_text("Unblinded")


def test_admin_searches_the_audit_log_and_opens_the_accounts(
    phones: Callable[[], Person],
) -> None:
    admin = phones()
    page = admin.page
    # Someone opened Sam Okafor's charts: the audit log has it.
    dana = phones()
    dana.log_in("clinician")
    dana.follow(SAM)
    sam = Patient.objects.get(display_name=SAM)

    admin.log_in("admin")
    admin.follow("Audit log")
    page.get_by_label("Patient number").fill(str(sam.pk))
    page.get_by_label("Person (username)").fill("clinician")
    admin.press("Search")
    rows = page.get_by_role("region", name="Audit entries").locator("tbody tr")
    expect(rows.first).to_contain_text("clinician")
    cells = rows.evaluate_all("rows => rows.map(r => [...r.cells].map(c => c.innerText))")
    assert {who.split()[0] for _, who, *_ in cells} == {"clinician"}, cells
    assert all(str(sam.pk) in patients.split(", ") for *_, patients, _ in cells), cells
    assert "Viewed check-ins" in [what for _, _, what, *_ in cells]  # Sam's charts, opened above
    page.get_by_label("Person (username)").fill("pharmacist")
    admin.press("Search")
    expect(rows).to_have_text(["Nothing matches."])
    admin.follow("Accounts")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
