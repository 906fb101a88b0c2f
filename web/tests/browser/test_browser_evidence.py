"""End to end in Chromium on a phone: a visitor opens the evidence page, the forest plot (with its
prediction interval) renders and the generated verdict is shown."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import PASSWORD
from playwright.sync_api import Page, expect

from apps.accounts.models import User
from apps.audit.actor import Actor
from apps.evidence.actions import add_trial
from apps.evidence.records import validate_trial
from apps.evidence.tests.access_routes import TRIAL_BODY
from apps.evidence.tests.reviewing import stored_trial
from lowdose.evidence import summarize

from .checks import check_page
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_sees_the_forest_plot_and_the_verdict_on_a_phone(
    page: Page, live_server: Any
) -> None:
    core = summarize("pain")
    page.goto(f"{live_server.url}/evidence/")
    expect(page.locator("#verdict")).to_have_text(core.verdict.text)
    chart = page.locator("#forest-chart")
    expect(chart).to_have_attribute("data-rendered", "true")
    assert chart.locator("svg path").count() > 0
    labels = page.evaluate(
        """() => {
            const view = window.lowdoseViews['forest-chart'];
            const out = [];
            for (const name of Object.keys(view._runtime.data)) {
                let rows = [];
                try { rows = view.data(name); } catch (error) { continue; }
                for (const d of rows) { if (d && 'label' in d && 'kind' in d) out.push(d); }
            }
            return out;
        }"""
    )
    kinds = {row["kind"] for row in labels}
    assert {"study", "summary", "prediction"} <= kinds
    pi = next(row for row in labels if row["kind"] == "prediction")
    assert core.randomised is not None
    assert pi["low"] == pytest.approx(core.randomised.pi_low)
    assert pi["high"] == pytest.approx(core.randomised.pi_high)
    # phone layout: the page does not scroll sideways
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 412


def test_a_clinician_sees_the_cumulative_chart_and_each_number_at_its_primary_source(
    page: Page, live_server: Any, clinician: User
) -> None:
    log_in(page, live_server.url, "clinician", PASSWORD)
    page.goto(f"{live_server.url}/evidence/clinician/")
    for chart in ("#forest-pain", "#cumulative-pain", "#cumulative-pain_nrs"):
        expect(page.locator(chart)).to_have_attribute("data-rendered", "true")
    # the number opens the article itself (not followed here: tests stay off the network) ...
    expect(page.locator("#rec-pain-final2024 td a").first).to_have_attribute(
        "href", "https://doi.org/10.1016/S2665-9913(23)00278-3"
    )
    # ... and the citation, with where the number was read, is one click away on the page
    page.locator("#rec-pain-final2024 td a", has_text="[citation]").first.click()
    expect(page).to_have_url(f"{live_server.url}/evidence/clinician/#src-final2024")
    expect(page.locator("#src-final2024")).to_contain_text("Lancet Rheumatol 2024")


def test_the_admin_reviews_a_clinicians_trial_on_a_phone_and_the_public_page_says_what_changed(
    axe_phone: Page, live_server: Any, clinician: User, admin_user: User
) -> None:
    page = axe_phone

    body = {k: v for k, v in TRIAL_BODY.items() if k != "effects"}
    add_trial(Actor.of(clinician), validate_trial(body, TRIAL_BODY["effects"]))  # type: ignore[arg-type]
    log_in(page, live_server.url, "admin", PASSWORD)
    page.goto(f"{live_server.url}/evidence/review/")
    form = page.locator(".review-trial").first
    expect(form).to_contain_text("Matrix 2027")
    check_page(page)
    form.locator("button[value=approve]").click()  # no note: the browser asks for one first
    expect(page.locator(".flash")).to_have_count(0)
    form.locator("textarea[name=note]").fill("Checked the SMD against the abstract.")
    form.locator("button[value=approve]").click()
    expect(page.locator(".flash")).to_contain_text("Matrix 2027 approved")
    page.goto(f"{live_server.url}/evidence/")
    expect(page.locator("#change-matrix2027")).to_contain_text(
        "Why: “Checked the SMD against the abstract.”"
    )
    check_page(page)


def test_a_draft_without_a_primary_source_reads_well_on_a_phone(
    axe_phone: Page, live_server: Any, admin_user: User
) -> None:
    """A trial stored before identifiers were required: the review page says why it cannot be
    approved and offers only Reject, on a 390 px phone (overflow, axe)."""
    stored_trial(url="https://example.org/old2020")
    page = axe_phone
    log_in(page, live_server.url, "admin", PASSWORD)
    page.goto(f"{live_server.url}/evidence/review/")
    draft = page.locator(".review-trial").first
    expect(draft).to_contain_text("It cannot be approved yet")
    expect(draft.locator("button[value=approve]")).to_have_count(0)
    expect(draft.locator("button[value=reject]")).to_be_visible()
    check_page(page)
