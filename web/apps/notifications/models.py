"""Reminders and notifications: each person's settings, the in-app list, and the rows that make
sending happen at most once.

- :class:`ReminderSettings`: one per user. A patient's reminder times, quiet hours, the kinds
  they turned off and whether they want e-mail; a clinician's alert delivery (urgent alerts at
  once, the rest in a daily digest at a chosen time).
- :class:`Notification`: what a person sees in their in-app list (and what an e-mail said).
- :class:`ReminderSent`: one row per (patient, kind, local day), created in the transaction that
  sends the reminder; the unique constraint makes two workers racing send at most one. A
  reminder found more than an hour late is stored as ``dropped`` instead, never sent.
- :class:`AlertNotice`: one row per (alert, clinician): the alert reached them (at once or in a
  digest). :class:`DigestSent`: one row per (clinician, local day) for the daily digest.
"""

from __future__ import annotations

from datetime import time
from typing import ClassVar

from django.db import models
from django.utils import timezone

from apps.accounts.models import Patient, User
from apps.alerts.models import Alert
from lowdose.reminders import ReminderKind

__all__ = ["AlertNotice", "DigestSent", "Notification", "ReminderSent", "ReminderSettings"]

KIND_CHOICES = [(k.value, k.label) for k in ReminderKind]


class ReminderSettings(models.Model):
    """A person's reminder and alert-delivery settings (defaults until they change them)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="reminder_settings")
    checkin_time = models.TimeField(default=time(19, 0))
    dose_time = models.TimeField(default=time(21, 30))
    quiet_start = models.TimeField(null=True, blank=True)
    quiet_end = models.TimeField(null=True, blank=True)
    opt_out = models.JSONField(
        default=list, blank=True, help_text="Kinds of reminder turned off (ReminderKind values)"
    )
    email = models.BooleanField(default=True, help_text="Also send by e-mail (if an address)")
    # Clinicians: how safety-net alerts reach them.
    urgent_at_once = models.BooleanField(
        default=True, help_text="Urgent alerts reach the clinician at once; else in the digest"
    )
    digest_time = models.TimeField(default=time(8, 0))
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        help_text="A clinician's zone for the digest (blank: the clinic default)",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "reminder settings"

    def __str__(self) -> str:
        return f"Reminder settings of {self.user}"


class Notification(models.Model):
    """One message in a person's in-app list, newest first."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notification_list"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (to {self.recipient_id})"


class ReminderSent(models.Model):
    """A reminder of ``kind`` for ``patient`` on ``local_day``: sent, or dropped (too late)."""

    class Outcome(models.TextChoices):
        SENT = "sent", "Sent"
        DROPPED = "dropped", "Dropped: found more than an hour late"

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="reminders_sent")
    kind = models.CharField(max_length=20, choices=KIND_CHOICES)
    local_day = models.DateField()
    due_at = models.DateTimeField()
    handled_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.SENT)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["patient", "kind", "local_day"], name="reminder_once_per_kind_and_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for patient {self.patient_id} on {self.local_day} ({self.outcome})"


class AlertNotice(models.Model):
    """``alert`` reached ``clinician``, at once or in a daily digest."""

    class Mode(models.TextChoices):
        AT_ONCE = "at_once", "At once"
        DIGEST = "digest", "Daily digest"

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notices")
    clinician = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    mode = models.CharField(max_length=8, choices=Mode.choices)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["alert", "clinician"], name="alert_notice_once")
        ]

    def __str__(self) -> str:
        return f"Alert {self.alert_id} to {self.clinician_id} ({self.mode})"


class DigestSent(models.Model):
    """The daily alert digest of ``clinician`` for ``local_day`` (at most one)."""

    clinician = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    local_day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)
    alerts = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["clinician", "local_day"], name="digest_once_per_day")
        ]

    def __str__(self) -> str:
        return f"Digest of {self.clinician_id} on {self.local_day} ({self.alerts} alerts)"
