"""End to end in Chromium: the installed web app offline. A patient's check-in page opens with no
connection (the service worker's copy), a check-in saved offline waits on the device, and when
the connection returns it is sent and stored exactly once."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from conftest import PASSWORD
from playwright.sync_api import Page, expect

from apps.accounts.models import Patient
from apps.checkins.models import Checkin

from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def expected_console_errors() -> list[str]:
    # Chromium reports each request it could not make while offline.
    return ["ERR_INTERNET_DISCONNECTED"]


def _wait_until_kept_for_offline(page: Page, path: str) -> str:
    """Wait for the service worker and its copy of the check-in page; the copy's client_id."""
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function(
        """(path) => caches.open('lowdose-pages')
            .then((cache) => cache.match(path)).then((hit) => Boolean(hit))""",
        arg=path,
    )
    html = page.evaluate(
        """(path) => caches.open('lowdose-pages')
            .then((cache) => cache.match(path)).then((hit) => hit.text())""",
        path,
    )
    found = re.search(r'name="client_id" value="([0-9a-f-]{36})"', html)
    assert found is not None
    return found.group(1)


def _fill_checkin(page: Page) -> None:
    if page.locator(".daychoice").count():  # the test may run after midnight
        page.locator(".daychoice input").last.check()
    for scale, value in (("pain", "2"), ("fatigue", "3"), ("sleep", "8"), ("mood", "9")):
        page.locator(f"input[name={scale}][value='{value}'] + span").click()
    page.locator("input[name=dose_status][value=taken]").check()
    page.fill("input[name=dose_mg]", "4.5")
    page.locator("input[name=dose_time_choice][value=now]").check()
    page.select_option("select[name=se_vivid_dreams]", "mild")


def test_a_check_in_saved_offline_is_sent_once_when_the_connection_returns(
    page: Page, live_server: Any, patient: Patient
) -> None:
    path = f"/patients/{patient.pk}/checkin/"
    log_in(page, live_server.url, "patient", PASSWORD)
    page.goto(live_server.url + path)
    kept_client_id = _wait_until_kept_for_offline(page, path)

    page.context.set_offline(True)
    page.reload()  # no connection: the service worker's copy
    expect(page.locator("#checkin-form")).to_be_visible()
    assert page.locator("input[name=client_id]").input_value() == kept_client_id

    _fill_checkin(page)
    page.click("text=Save check-in")
    waiting = page.locator("#offline-queue")
    expect(waiting).to_be_visible()
    expect(waiting.locator("h2")).to_have_text("Waiting to send (1)")
    expect(waiting.locator("li")).to_have_count(1)
    expect(page.locator("#offline-status")).to_contain_text("Saved on this device")
    assert Checkin.objects.count() == 0  # nothing reached the server
    page.set_viewport_size({"width": 390, "height": 844})  # the list fits a small phone
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390

    page.reload()  # still offline: the page opens, and the check-in still waits
    expect(page.locator("#offline-queue h2")).to_have_text("Waiting to send (1)")

    page.context.set_offline(False)
    expect(page.locator("#offline-queue")).to_be_hidden()
    stored = Checkin.objects.get(patient=patient)
    assert (stored.pain, stored.fatigue, stored.sleep, stored.mood) == (2, 3, 8, 9)
    assert stored.dose_status == "taken"
    assert str(stored.dose_mg) == "4.50"
    assert stored.dose_time is not None
    assert [e.name for e in stored.side_effects.all()] == ["vivid_dreams"]

    page.reload()  # the next page load sends nothing twice
    expect(page.locator("#checkin-form")).to_be_visible()
    expect(page.locator("#offline-queue")).to_be_hidden()
    assert Checkin.objects.filter(patient=patient).count() == 1


def test_with_the_connection_the_form_posts_as_before(
    page: Page, live_server: Any, patient: Patient
) -> None:
    log_in(page, live_server.url, "patient", PASSWORD)
    page.goto(f"{live_server.url}/patients/{patient.pk}/checkin/")
    _fill_checkin(page)
    page.click("text=Save check-in")
    expect(page.locator(".flash")).to_have_text("Check-in saved.")
    assert Checkin.objects.filter(patient=patient).count() == 1
    expect(page.locator("#offline-queue")).to_be_hidden()


def test_a_push_message_shows_a_notification_that_opens_its_link(
    page: Page, live_server: Any, patient: Patient
) -> None:
    """The service worker's push handler, fed through the DevTools protocol (what a push service
    would deliver, already decrypted by the browser): no push service is involved."""
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    log_in(page, live_server.url, "patient", PASSWORD)
    page.goto(f"{live_server.url}/patients/{patient.pk}/checkin/")
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    cdp = page.context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda e: registrations.extend(e["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    page.wait_for_timeout(200)
    [registration] = [r for r in registrations if not r.get("isDeleted")]
    message = {"title": "Time to check in", "body": "How was today?", "url": "/patients/1/"}
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": live_server.url,
            "registrationId": registration["registrationId"],
            "data": json.dumps(message),
        },
    )
    page.wait_for_function(
        "() => navigator.serviceWorker.ready.then((r) => r.getNotifications())"
        ".then((shown) => shown.length === 1)"
    )
    shown = page.evaluate(
        """() => navigator.serviceWorker.ready.then((r) => r.getNotifications())
            .then((all) => all.map((n) => ({title: n.title, body: n.body, url: n.data.url})))"""
    )
    assert shown == [message]


def test_settings_show_notifications_on_this_device_as_off(
    page: Page, live_server: Any, patient: Patient
) -> None:
    log_in(page, live_server.url, "patient", PASSWORD)
    page.goto(f"{live_server.url}/patients/{patient.pk}/settings/")
    box = page.locator("#device-notifications")
    expect(box.locator(".state")).to_have_text(
        "Off: this device shows no notifications from lowdose."
    )
    expect(box.locator("button")).to_have_text("Turn on on this device")
    expect(box.locator(".needs-script")).to_be_hidden()
