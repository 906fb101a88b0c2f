"""The PostgreSQL pass of `make test` really runs on PostgreSQL, and the audit triggers exist."""

from __future__ import annotations

import os

import pytest
from django.db import DatabaseError, connection, transaction

from apps.audit.models import AuditEvent


def test_the_database_is_the_one_database_url_names() -> None:
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected


@pytest.mark.django_db(transaction=True)
def test_raw_sql_cannot_delete_audit_events_on_postgresql_nor_update_them_anywhere() -> None:
    event = AuditEvent.objects.create(action="test.event")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [event.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
        assert AuditEvent.objects.filter(pk=event.pk).exists()
