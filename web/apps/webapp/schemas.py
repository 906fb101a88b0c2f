"""The Web Push subscription as the API takes it (the shape of the browser's
``PushSubscription.toJSON()``) and gives it back (never the endpoint or the keys)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from apps.webapp.actions import MAX_ENDPOINT
from apps.webapp.models import PushSubscription
from config.api_input import BodyIn

__all__ = ["PushKeysIn", "PushSubscriptionIn", "PushSubscriptionOut", "PushUnsubscribeIn"]


class PushKeysIn(BodyIn):
    p256dh: str = Field(max_length=100, description="The browser's P-256 key, base64url")
    auth: str = Field(max_length=40, description="The browser's 16-byte auth secret, base64url")


class PushSubscriptionIn(BodyIn):
    endpoint: str = Field(max_length=MAX_ENDPOINT, description="The push service's https address")
    expirationTime: float | None = Field(  # noqa: N815 - the browser's own name
        None, description="Sent by browsers; not used"
    )
    keys: PushKeysIn


class PushUnsubscribeIn(BodyIn):
    endpoint: str = Field(max_length=MAX_ENDPOINT)


class PushSubscriptionOut(Schema):
    id: int
    created_at: datetime
    last_success_at: datetime | None
    failures: int

    @staticmethod
    def from_row(row: PushSubscription) -> dict[str, object]:
        return {
            "id": row.pk,
            "created_at": row.created_at,
            "last_success_at": row.last_success_at,
            "failures": row.failures,
        }
