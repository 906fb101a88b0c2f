"""End to end in Chromium on a phone: a visitor opens the evidence page, the forest plot (with its
prediction interval) renders and the generated verdict is shown."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import PASSWORD
from playwright.sync_api import Page, expect

from apps.accounts.models import User
from lowdose.evidence import summarize

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
