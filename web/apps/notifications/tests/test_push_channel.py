"""The Web Push channel: a message stored in the in-app list also reaches the person's browsers
once the transaction commits, and a message about a patient shows only its e-mail words on a
lock screen."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import http_ece
import pytest
from django.db import transaction

from apps.accounts.models import Patient, User
from apps.notifications.channels import Message, deliver
from apps.webapp.models import PushSubscription
from apps.webapp.tests.pushes import FakeBrowser, LocalPushService, local_push_service

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def push_service(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalPushService]:
    settings.PUSH_ALLOW_LOOPBACK_HTTP = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with local_push_service() as service:
        yield service


def _browser_of(user: User, service: LocalPushService, name: str) -> FakeBrowser:
    browser = FakeBrowser(f"{service.url}/{name}")
    keys = browser.subscription()["keys"]
    PushSubscription.objects.create(
        user=user, endpoint=browser.endpoint, p256dh=keys["p256dh"], auth=keys["auth"]
    )
    return browser


def _shown(browser: FakeBrowser, body: bytes) -> dict[str, str]:
    plain = http_ece.decrypt(
        body, private_key=browser.private_key, auth_secret=browser.auth, version="aes128gcm"
    )
    return dict(json.loads(plain))


def test_a_reminder_reaches_the_browser_after_the_commit(
    patient: Patient, push_service: LocalPushService
) -> None:
    assert patient.user is not None
    browser = _browser_of(patient.user, push_service, "phone")
    message = Message("dose", "Bedtime dose", "Time for tonight's dose: 4.5 mg.", "/dose/")

    with transaction.atomic():
        deliver(patient.user, message, None)
        assert push_service.received == []  # nothing leaves before the commit

    [received] = push_service.received
    assert _shown(browser, received.body) == {
        "title": "Bedtime dose",
        "body": "Time for tonight's dose: 4.5 mg.",
        "url": "/dose/",
    }


def test_a_rolled_back_message_never_reaches_the_browser(
    patient: Patient, push_service: LocalPushService
) -> None:
    assert patient.user is not None
    _browser_of(patient.user, push_service, "phone")
    user = patient.user

    def lose_a_race() -> None:
        with transaction.atomic():
            deliver(user, Message("dose", "Bedtime dose", "x"), None)
            raise RuntimeError("a race lost")

    with pytest.raises(RuntimeError):
        lose_a_race()
    assert push_service.received == []


def test_a_message_about_a_patient_shows_only_its_email_words(
    clinician: User, push_service: LocalPushService
) -> None:
    browser = _browser_of(clinician, push_service, "clinic-phone")
    message = Message(
        "alert",
        "Urgent alert: Alex Example",
        "Pain rose by 4 points over 3 days",
        "/alerts/",
        email_subject="Urgent alert waiting in lowdose",
        email_body="An urgent alert about one of your patients is waiting in lowdose.",
    )

    with transaction.atomic():
        deliver(clinician, message, None)

    [received] = push_service.received
    shown = _shown(browser, received.body)
    assert shown["title"] == "Urgent alert waiting in lowdose"
    assert "Alex" not in json.dumps(shown)
    assert "Pain" not in json.dumps(shown)
