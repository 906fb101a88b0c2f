"""A browser's Web Push subscription: where the push service takes messages for one person on one
device, and the keys that encrypt them for that browser alone."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PushSubscription(models.Model):
    """One browser's subscription (``PushManager.subscribe``). The endpoint is a capability URL of
    the push service: whoever holds it (with the keys) can send to that browser, so it never
    leaves the server. A browser has one endpoint, so it belongs to one person at a time: the
    last to turn notifications on there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=2000, unique=True)
    #: The browser's P-256 public key (65 bytes, uncompressed) and auth secret (16 bytes), both
    #: base64url without padding, as the browser gives them.
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    #: Failed deliveries since the last one that worked (a 404 or 410 deletes the row instead).
    failures = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return f"Web Push subscription {self.pk} of user {self.user_id}"
