"""A share link end to end on phones: the patient makes one on their page (390 px), and another
doctor opens the viewer with the link in its fragment, types their name and the passcode, and
downloads the PDF that their browser decrypted (WebCrypto)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PASSWORD
from playwright.sync_api import Browser, Page, expect

from apps.accounts.models import Patient
from apps.reports.tests.helpers import pdf_text
from apps.sharing.models import Opening

from .checks import check_page, phone_context_options
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DOCTOR = "Dr Ada Example, Riverside Pain Clinic"


@pytest.fixture
def phones(browser: Browser, settings: Any) -> Iterator[tuple[Page, Page]]:
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    options = phone_context_options(accept_downloads=True)
    patient_context = browser.new_context(**options)
    doctor_context = browser.new_context(**options)
    yield patient_context.new_page(), doctor_context.new_page()
    patient_context.close()
    doctor_context.close()


def test_a_doctor_opens_the_shared_report_with_the_passcode(
    phones: tuple[Page, Page],
    live_server: Any,
    patient: Patient,
    make_checkin: Callable[..., Any],
    tmp_path: Path,
) -> None:
    mine, theirs = phones
    make_checkin(patient, days_ago=1, pain=4)
    log_in(mine, live_server.url, "patient", PASSWORD)
    mine.goto(f"{live_server.url}/patients/{patient.pk}/")
    mine.click("text=Share with another doctor")
    expect(mine.locator("h1")).to_have_text("Share with another doctor")
    check_page(mine)
    mine.fill("#share-label", "Pain clinic referral")
    mine.fill("#share-passcode", "river-stone-42")
    mine.click("text=Make the link")
    expect(mine.locator("h1")).to_have_text("Your share link is ready")
    check_page(mine)
    viewer_url = mine.input_value("#share-url")
    assert "/shared#shlink:/" in viewer_url

    theirs.goto(viewer_url)
    expect(theirs.locator("#shl-label")).to_have_text("Pain clinic referral")
    check_page(theirs)
    theirs.fill("#shl-recipient", DOCTOR)
    theirs.fill("#shl-passcode", "river-stone-41")
    theirs.click("text=Open the report")
    expect(theirs.locator("#shl-error")).to_contain_text("Wrong passcode: 4 attempts left")
    theirs.fill("#shl-passcode", "river-stone-42")
    theirs.click("text=Open the report")
    expect(theirs.locator("#shl-result")).to_be_visible()
    check_page(theirs)
    with theirs.expect_download() as download:
        theirs.click("#shl-download")
    saved = tmp_path / "shared.pdf"
    download.value.save_as(saved)
    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert patient.display_name in pdf_text(pdf)
    assert list(Opening.objects.values_list("recipient", "outcome")) == [
        (DOCTOR, "opened"),
        (DOCTOR, "wrong_passcode"),
    ]

    mine.click("text=See all your links")
    expect(mine.locator("table")).to_contain_text(DOCTOR)
    check_page(mine)
