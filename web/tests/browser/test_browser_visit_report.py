"""The visit report on a 390 × 844 phone, with the queue really queueing: the patient opens it
from their page, asks for it, waits on a page that refreshes itself, and gets the PDF once the
worker has drawn it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import PASSWORD
from django.utils.module_loading import import_string
from django_q.conf import Conf
from django_q.models import OrmQ
from playwright.sync_api import Browser, Page, expect

from apps.accounts.models import Patient

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser: Browser, settings: Any) -> Iterator[Page]:
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def queued_jobs() -> Iterator[None]:
    Conf.SYNC = False
    yield
    Conf.SYNC = True


def _worker_runs_the_queue() -> int:
    ran = 0
    for queued in OrmQ.objects.all():
        task = queued.task
        import_string(task["func"])(*task["args"], **task["kwargs"])
        queued.delete()
        ran += 1
    return ran


def test_the_patient_asks_for_the_report_waits_and_downloads_it(
    queued_jobs: None,
    phone: Page,
    live_server: Any,
    patient: Patient,
    make_checkin: Callable[..., Any],
) -> None:
    make_checkin(patient, days_ago=1, pain=4)
    log_in(phone, live_server.url, "patient", PASSWORD)
    phone.goto(f"{live_server.url}/patients/{patient.pk}/")
    phone.click("text=Visit report (PDF)")
    expect(phone.locator("h1")).to_have_text("Visit report")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    phone.click("text=Download the report (PDF)")
    expect(phone.locator("h1")).to_have_text("The visit report is being prepared")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390
    assert _worker_runs_the_queue() == 1
    with phone.expect_download(timeout=15_000) as download:
        pass  # the page refreshes itself after Retry-After seconds
    assert download.value.suggested_filename.startswith(
        f"lowdose-visit-report-{patient.pk}-patient"
    )
