"""The audit log: append-only, for every read and write of patient data.

No role can edit or delete an event: the model refuses updates and deletes, the admin is read-only,
and a database trigger (migration 0002) rejects UPDATE on both SQLite and PostgreSQL, and DELETE on
PostgreSQL. Actor and patient are stored as plain ids and names, not foreign keys, so that removing
a user never rewrites history.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone


class AuditImmutableError(RuntimeError):
    """Raised on any attempt to change or remove an audit event."""


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditImmutableError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("The audit log is append-only.")


class AuditEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=16, blank=True)
    action = models.CharField(max_length=64)
    outcome = models.CharField(max_length=8, default="ok")  # "ok" or "denied"
    patient_id = models.BigIntegerField(null=True, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=300, blank=True)
    method = models.CharField(max_length=8, blank=True)
    path = models.CharField(max_length=500, blank=True)
    # What was decided and why, when an action needs it (e.g. the reason a clinician gave for
    # prescribing despite a screening caution). Nullable so that adding it kept the table (and its
    # append-only trigger) in place on SQLite. May hold clinical text: not shown to clinic admins.
    detail = models.JSONField(null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditImmutableError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("The audit log is append-only.")
