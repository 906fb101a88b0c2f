"""Chain the events already stored, fill their clinic, and let the database refuse tampering.

1. Drop the triggers of migration 0002 for the length of this migration (it must write the new
   columns of existing rows, which those triggers refuse).
2. ``clinic_id`` of old rows: the patient's clinic, else the actor's.
3. ``prev_hash``/``row_hash`` of old rows in ``id`` order (:mod:`apps.audit.chain`), and the
   chain head.
4. New triggers. SQLite: BEFORE UPDATE and BEFORE DELETE raise. PostgreSQL: BEFORE UPDATE OR
   DELETE (each row) and BEFORE TRUNCATE (the statement) raise, so ``manage.py flush`` fails on
   the audit table. The test suite resets its database with a flush that steps around them; see
   ``web/conftest.py`` and ``docs/access-and-audit.md``.

A later migration that rebuilds ``audit_auditevent`` on SQLite (Django copies the table to change
most columns) drops these triggers with the old table: it must create them again.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

SQLITE_OLD = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_update;",
    "DROP TRIGGER IF EXISTS audit_event_no_delete;",
]
SQLITE_NEW = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE refused'); END;""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE refused'); END;""",
]
POSTGRES_OLD = [
    """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_change ON audit_auditevent;",
    "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;",
    "DROP FUNCTION IF EXISTS audit_event_append_only();",
]
POSTGRES_NEW = [
    """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP; END;
       $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();""",
]
FILL_CLINIC = [
    """UPDATE audit_auditevent SET clinic_id = (
           SELECT p.clinic_id FROM accounts_patient p WHERE p.id = audit_auditevent.patient_id)
       WHERE patient_id IS NOT NULL""",
    """UPDATE audit_auditevent SET clinic_id = (
           SELECT u.clinic_id FROM accounts_user u WHERE u.id = audit_auditevent.actor_id)
       WHERE clinic_id IS NULL AND actor_id IS NOT NULL""",
]


def _execute(schema_editor: Any, statements: list[str]) -> None:
    for statement in statements:
        schema_editor.execute(statement, params=None)


def forwards(apps: Any, schema_editor: Any) -> None:
    from apps.audit.chain import FIELDS, GENESIS, row_hash

    vendor = schema_editor.connection.vendor
    _execute(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, []))
    _execute(schema_editor, FILL_CLINIC)
    event = apps.get_model("audit", "AuditEvent")
    head = apps.get_model("audit", "AuditChainHead")
    prev, last_id, count = GENESIS, None, 0
    for row in event.objects.order_by("id").values("id", *FIELDS).iterator(chunk_size=2000):
        digest = row_hash(row, prev)
        event.objects.filter(pk=row["id"]).update(prev_hash=prev, row_hash=digest)
        prev, last_id, count = digest, row["id"], count + 1
    head.objects.update_or_create(pk=1, defaults={"last_id": last_id, "last_hash": prev, "length": count})
    _execute(schema_editor, {"sqlite": SQLITE_NEW, "postgresql": POSTGRES_NEW}.get(vendor, []))


def backwards(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    _execute(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, []))
    _execute(schema_editor, {"sqlite": SQLITE_OLD, "postgresql": POSTGRES_OLD}.get(vendor, []))


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_chain_and_clinic"),
        ("accounts", "0002_clinic_crisis_resources"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
