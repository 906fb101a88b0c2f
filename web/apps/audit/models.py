"""The audit log: append-only and hash-chained, for every read and write of patient data.

No role can edit or delete an event: the model refuses updates and deletes, the admin is read-only,
and database triggers (migration 0005) refuse UPDATE and DELETE on SQLite, and UPDATE, DELETE and
TRUNCATE on PostgreSQL. Each row carries ``prev_hash`` and ``row_hash`` (:mod:`apps.audit.chain`),
so a change made around the triggers (by someone who can drop them) is still detected by
``manage.py audit verify``. Actor, patient and clinic are stored as plain ids and names, not
foreign keys, so that removing a user never rewrites history.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone

from config.errors import AuditImmutableError


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditImmutableError("The audit log is append-only.")

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[AuditEvent]:
        # One INSERT for many rows cannot link each row to the one before it: append one by one.
        rows = list(objs)
        for row in rows:
            row.save()
        return rows

    def bulk_update(self, objs: Any, *args: Any, **kwargs: Any) -> int:
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
    # The clinic whose admin may read the event: the patient's clinic, else the actor's; empty for
    # events of nobody's clinic (a failed login with an unknown username, a system sweep).
    clinic_id = models.BigIntegerField(null=True, db_index=True)
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
    # The hash chain (apps.audit.chain). Nullable only so that the columns could be added without
    # rebuilding the table on SQLite; every row has both, filled by migration 0005 for old rows.
    prev_hash = models.CharField(max_length=64, null=True, editable=False)  # noqa: DJ001
    row_hash = models.CharField(max_length=64, null=True, editable=False)  # noqa: DJ001

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Append the event to the hash chain (inserting it); an existing event cannot be saved."""
        from apps.audit.chain import append

        if self.pk is not None:
            raise AuditImmutableError("The audit log is append-only.")
        append(self)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("The audit log is append-only.")


class AuditChainHead(models.Model):
    """The one row that remembers the end of the chain: the last event, its hash, how many.

    Appenders read and move it in the transaction of their event (see :mod:`apps.audit.chain`);
    ``audit verify`` compares it with the table, so rows cut off the end are noticed too.
    """

    ONLY: ClassVar[int] = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(null=True)
    last_hash = models.CharField(max_length=64)
    length = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit chain: {self.length} events, last {self.last_id}"
