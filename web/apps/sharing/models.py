"""A patient's share links and every attempt to open one (docs/sharing.md).

The server keeps the packet only encrypted (a compact JWE) and never the key that opens it: the
key travels in the link's ``#shlink:/`` fragment, which browsers do not send. It keeps the
manifest id only as a SHA-256 digest and the passcode only as a slow hash (Django's password
hasher, Argon2), so its database alone opens nothing.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.accounts.models import Patient

__all__ = ["MAX_PASSCODE_FAILURES", "Opening", "ShareLink"]

#: Wrong passcodes before a link locks for good (the SMART Health Links spec answers each wrong
#: one with ``remainingAttempts``). Five keeps a typo or two harmless while a generated passcode
#: (about 40 bits) cannot be guessed in five tries.
MAX_PASSCODE_FAILURES = 5


class ShareLink(models.Model):
    """One link the patient made: what it opens (encrypted), until when, and its state."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="share_links")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    label = models.CharField(max_length=80)
    #: Which version of the visit report the link opens (docs/sharing.md: the clinician's).
    audience = models.CharField(max_length=16, default="clinician")
    #: SHA-256 (hex) of the random manifest id in the link's URL; the id itself is not kept.
    manifest_digest = models.CharField(max_length=64, unique=True)
    #: The passcode's slow hash (``django.contrib.auth.hashers``), never the passcode.
    passcode_hash = models.CharField(max_length=256)
    #: The packet as a compact JWE (``dir``, ``A256GCM``); emptied when the link is revoked,
    #: locks or is found expired, so nothing is left to open.
    packet = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"Share link {self.pk} of patient {self.patient_id}"

    def state(self, now: datetime | None = None) -> str:
        """``revoked``, ``locked``, ``expired`` or ``active``, in that order of precedence."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return "revoked"
        if self.locked_at is not None:
            return "locked"
        if self.expires_at <= now:
            return "expired"
        return "active"

    @property
    def remaining_attempts(self) -> int:
        return max(0, MAX_PASSCODE_FAILURES - self.failed_attempts)


class Opening(models.Model):
    """One attempt to open a link, successful or not, with the recipient the opener typed."""

    OUTCOMES = (
        ("opened", "Opened"),
        ("wrong_passcode", "Wrong passcode"),
        ("locked", "Refused: locked after too many wrong passcodes"),
        ("expired", "Refused: expired"),
        ("revoked", "Refused: withdrawn"),
    )

    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="openings")
    at = models.DateTimeField(default=timezone.now)
    recipient = models.CharField(max_length=200)
    outcome = models.CharField(max_length=16, choices=OUTCOMES)

    class Meta:
        ordering = ("-at", "-id")

    def __str__(self) -> str:
        return f"{self.outcome} by {self.recipient!r} at {self.at:%Y-%m-%d %H:%M}"
