"""Access matrix rows for the installed web app: the manifest and the service worker are public;
a browser's push subscription is its signed-in person's, and nobody removes another's."""

from __future__ import annotations

from typing import Any

from apps.accounts.models import Patient
from apps.accounts.tests.matrix import Route, every_role
from apps.webapp.models import PushSubscription

from .pushes import FakeBrowser

BROWSER = FakeBrowser("https://push.example.net/send/matrix")


def patients_subscription(*, target: Patient, whose: str, people: dict[str, Any]) -> dict[str, str]:
    """The patient persona's browser is subscribed; only the patient may remove it."""
    keys = BROWSER.subscription()["keys"]
    PushSubscription.objects.create(
        user=people["patient"], endpoint=BROWSER.endpoint, p256dh=keys["p256dh"], auth=keys["auth"]
    )
    return {}


ROUTES: tuple[Route, ...] = (
    Route("webapp:manifest", "GET", "/manifest.webmanifest", every_role(200)),
    Route("webapp:service_worker", "GET", "/sw.js", every_role(200)),
    Route(
        "api:add_subscription",
        "POST",
        "/api/v1/me/push-subscriptions",
        every_role(201, anonymous=401),
        body=BROWSER.subscription(),
        api=True,
    ),
    Route(
        "api:remove_subscription",
        "DELETE",
        "/api/v1/me/push-subscriptions",
        every_role(404, anonymous=401, patient=204),
        body={"endpoint": BROWSER.endpoint},
        api=True,
        extra={"setup": patients_subscription},
    ),
)
