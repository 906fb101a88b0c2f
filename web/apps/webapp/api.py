"""Notifications on this device: a browser's Web Push subscription, added and removed by the
person signed in (token, or the page's script with the session and its CSRF token)."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router, Status

from apps.accounts.auth import BearerToken, SignedInSession
from apps.audit.actor import Actor
from apps.webapp.actions import subscribe, unsubscribe
from apps.webapp.schemas import PushSubscriptionIn, PushSubscriptionOut, PushUnsubscribeIn
from config.api_input import ErrorOut

router = Router(tags=["notifications"], auth=[BearerToken(), SignedInSession()])


@router.post(
    "/me/push-subscriptions",
    response={200: PushSubscriptionOut, 201: PushSubscriptionOut, 400: ErrorOut},
    summary="Turn on notifications in this browser: send its PushManager subscription (201; "
    "the same subscription again answers 200 and changes nothing)",
    description="The endpoint must be the https address of a push service; the keys are the "
    "browser's, base64url. A browser reaches one person: an endpoint another person had moves "
    "to you.",
)
def add_subscription(
    request: HttpRequest, payload: PushSubscriptionIn
) -> Status[dict[str, object]]:
    row, created = subscribe(
        Actor.from_request(request),
        endpoint=payload.endpoint,
        p256dh=payload.keys.p256dh,
        auth=payload.keys.auth,
    )
    return Status(201 if created else 200, PushSubscriptionOut.from_row(row))


@router.delete(
    "/me/push-subscriptions",
    response={204: None, 404: ErrorOut},
    summary="Turn off notifications in this browser: send its subscription's endpoint (204; 404 "
    "when none of yours has it)",
)
def remove_subscription(request: HttpRequest, payload: PushUnsubscribeIn) -> Status[None]:
    if not unsubscribe(Actor.from_request(request), endpoint=payload.endpoint):
        raise Http404("No subscription of yours has this endpoint.")
    return Status(204, None)
