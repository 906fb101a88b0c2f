"""Pages that wait for the background worker, in Chromium on a 390 × 844 phone, with the queue
really queueing (no synchronous mode): the design assistant's card says "Calculating…" and
refreshes itself until the worker stores the figures; a chart download says it is being prepared
and refreshes into the image. No inline script (the CSP would refuse it: a console error)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import PASSWORD
from django.utils.module_loading import import_string
from django_q.conf import Conf
from django_q.models import OrmQ
from playwright.sync_api import Browser, Page, expect

from apps.accounts.models import Patient, User
from apps.nof1.tests.factories import make_trial

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser: Browser, settings: Any) -> Iterator[Page]:
    """A 390 × 844 phone, with console errors (a CSP refusal among them) failing the test.

    A bare image shown as a page has no ``<link rel="icon">``, so Chromium may ask for
    ``/favicon.ico`` (404, reported as "Failed to load resource" without the address): that one
    404 is not a problem; any other is."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    problems: list[str] = []
    not_found: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", lambda r: not_found.append(r.url) if r.status == 404 else None)
    yield page
    context.close()
    only_the_icon = all(url.endswith("/favicon.ico") for url in not_found)
    assert [
        p
        for p in problems
        if "favicon" not in p and not (only_the_icon and p.startswith("Failed to load resource"))
    ] == []
    assert [url for url in not_found if not url.endswith("/favicon.ico")] == []


@pytest.fixture
def queued_jobs() -> Iterator[None]:
    Conf.SYNC = False
    yield
    Conf.SYNC = True


def _worker_runs_the_queue() -> int:
    """Run every queued job here, as the worker would; returns how many ran."""
    ran = 0
    for queued in OrmQ.objects.all():
        task = queued.task
        import_string(task["func"])(*task["args"], **task["kwargs"])
        queued.delete()
        ran += 1
    return ran


def test_the_design_assistant_card_refreshes_itself_until_the_worker_is_done(
    queued_jobs: None,
    phone: Page,
    live_server: Any,
    patient: Patient,
    clinician: User,
    pharmacist: User,
) -> None:
    trial = make_trial(patient, clinician, pharmacist.pharmacies.get(), days_ago=-7)
    log_in(phone, live_server.url, "clinician", PASSWORD)
    phone.goto(f"{live_server.url}/nof1/{trial.pk}/")
    card = phone.locator("#assistant")
    expect(card).to_contain_text("Calculating how often this design reaches a confident answer")
    assert _worker_runs_the_queue() == 1
    expect(card).to_contain_text("in 400 simulated trials of this design", timeout=10_000)
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390


def test_a_chart_download_is_prepared_then_shown(
    queued_jobs: None,
    phone: Page,
    live_server: Any,
    patient: Patient,
    make_checkin: Callable[..., Any],
) -> None:
    make_checkin(patient, days_ago=1, pain=4)
    log_in(phone, live_server.url, "patient", PASSWORD)
    phone.goto(f"{live_server.url}/patients/{patient.pk}/")
    phone.click("text=Download the chart as PNG")
    expect(phone.locator("h1")).to_have_text("Your chart is being prepared")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert _worker_runs_the_queue() == 1
    with phone.expect_response(
        lambda r: r.url.endswith("/chart.png") and r.status == 200, timeout=10_000
    ) as served:
        pass
    assert served.value.headers["content-type"] == "image/png"
