"""Alerts: safety and follow-up signals stored as records until a person has acted on them.

An alert is raised when the data that justifies it changes (a new opioid on the list of a patient
on treatment, a PHQ-9 item 9 answer above 0, a run of silent days), never recomputed on a page
view. It stays *open* until it is resolved: by a person with a note, or by lowdose when the
condition that raised it is gone (the screen passes again, the patient checked in). Acknowledging
("I have seen this and I am acting") is recorded separately and does not close it.

At most one open alert exists per (patient, kind, key): a partial unique index makes two workers
racing to raise the same alert store one row.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from apps.accounts.models import Patient, User

__all__ = ["Alert", "Severity"]


class Severity(models.TextChoices):
    URGENT = "urgent", "Urgent"
    WARNING = "warning", "Warning"
    INFO = "info", "Information"


#: Inbox order: urgent first.
SEVERITY_RANK = {Severity.URGENT: 0, Severity.WARNING: 1, Severity.INFO: 2}


class Alert(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=40)
    key = models.CharField(
        max_length=200, blank=True, help_text="What makes two alerts of a kind the same one"
    )
    severity = models.CharField(max_length=8, choices=Severity.choices)
    message = models.TextField(help_text="Plain words: what happened and what to do")
    facts = models.JSONField(default=dict, blank=True, help_text="The data that raised it")
    blocks_dispensing = models.BooleanField(
        default=False, help_text="Shown to the pharmacy: dispensing and kit release are refused"
    )
    raised_at = models.DateTimeField(default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_note = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_note = models.TextField(blank=True)

    class Meta:
        ordering: ClassVar = ["-raised_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["patient", "kind", "key"],
                condition=models.Q(resolved_at__isnull=True),
                name="alert_one_open_per_patient_kind_key",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["resolved_at", "severity"], name="alert_open_severity"),
        ]

    def __str__(self) -> str:
        return f"{self.get_severity_display()} alert for patient {self.patient_id}: {self.kind}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None
