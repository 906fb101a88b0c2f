"""End to end in Chromium on a phone: "How LDN works" draws its charts and re-reads a new dose."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import PASSWORD
from playwright.sync_api import Browser, Page, expect

from apps.accounts.models import Patient

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ("chart-occ24", "chart-occ7", "chart-clock", "chart-conc", "chart-rebound")


def _charts_drawn(page: Page) -> None:
    for chart in CHARTS:
        expect(page.locator(f"#{chart}")).to_have_attribute("data-rendered", "true", timeout=20000)
        expect(page.locator(f"#{chart} svg").first).to_be_visible()


def test_a_patient_changes_the_dose_and_the_charts_and_reading_follow(
    page: Page, live_server: Any, patient: Patient
) -> None:
    log_in(page, live_server.url, "patient", PASSWORD)
    page.click("text=How LDN works")
    expect(page.locator("h1")).to_have_text("How LDN works")
    _charts_drawn(page)
    reading = page.locator('#pk-reading p[data-kind="model"]').first
    expect(reading).to_contain_text("about 64% of your brain's μ-opioid receptors")

    slider = page.locator("#dose-slider")
    expect(slider).to_be_visible()  # shown by the script; the number box works without it
    page.fill("#dose-number", "1")

    expect(reading).to_contain_text("At 1 mg taken at bedtime", timeout=20000)
    expect(reading).to_contain_text("about 29%")
    expect(page.locator('#pk-reading p[data-kind="model"]').nth(1)).to_contain_text(
        "light blockade"
    )
    expect(slider).to_have_value("1")
    expect(page.locator("#pk-status")).to_contain_text("At 1 mg taken at bedtime")  # announced
    _charts_drawn(page)
    assert "dose=1" in page.url

    page.locator("input[name=time][value=morning]").check()
    expect(reading).to_contain_text("taken in the morning (08:00)", timeout=20000)
    _charts_drawn(page)

    page.fill("#dose-number", "80")
    expect(page.locator("#pk-errors")).to_contain_text("from 0.5 to 50", timeout=20000)
    expect(page.locator("#pk-results")).to_have_count(0)


def test_a_visitor_without_javascript_uses_the_plain_form(
    browser: Browser, live_server: Any
) -> None:
    context = browser.new_context(viewport={"width": 412, "height": 915}, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/how-ldn-works/")
        expect(page.locator("#dose-slider")).to_be_hidden()  # the slider needs the script
        page.fill("#dose-number", "1.5")
        page.locator("input[name=time][value=morning]").check()
        page.locator("input[name=compare]").uncheck()
        page.click("#pk-submit")
        reading = page.locator('#pk-reading p[data-kind="model"]').first
        expect(reading).to_contain_text("At 1.5 mg taken in the morning (08:00)")
        expect(reading).to_contain_text("about 37%")
        assert "compare" not in page.url
        expect(page.locator("#pk-metrics thead th")).to_have_count(2)  # no 50 mg column

        page.fill("#dose-number", "0.1")
        page.click("#pk-submit")
        expect(page.locator("#pk-errors")).to_contain_text("from 0.5 to 50")
    finally:
        context.close()
