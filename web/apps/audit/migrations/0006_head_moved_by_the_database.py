"""The database moves the chain head when an event is inserted (an AFTER INSERT trigger), so an
append is two statements in its transaction — read the head locked, insert the event — where it
was three (the head's UPDATE was the application's). Issue 14: a check-in in six statements.

The head still says where the chain ends and how long it is; ``audit verify`` still compares it
with the table. A row inserted around the application now moves the head too, as it moves the
table: it is found by its hashes (``prev_hash``/``row_hash``), as before, not by the head.

``pg_restore`` creates triggers after it has loaded the rows (they are in the dump's post-data
section), so a restore does not count the restored events twice. A later migration that rebuilds
``audit_auditevent`` on SQLite drops this trigger with the old table: it must create it again
(:mod:`apps.audit.triggers` keeps the statements).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER audit_event_moves_head AFTER INSERT ON audit_auditevent
       BEGIN
         UPDATE audit_auditchainhead
            SET last_id = NEW.id, last_hash = NEW.row_hash, length = length + 1
          WHERE id = 1;
       END;""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_event_moves_head;"]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_event_move_head() RETURNS trigger AS $$
       BEGIN
         UPDATE audit_auditchainhead
            SET last_id = NEW.id, last_hash = NEW.row_hash, length = length + 1
          WHERE id = 1;
         RETURN NULL;
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_event_moves_head AFTER INSERT ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_event_move_head();""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_moves_head ON audit_auditevent;",
    "DROP FUNCTION IF EXISTS audit_event_move_head();",
]


def _run(schema_editor: Any, statements: dict[str, list[str]]) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def forwards(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"sqlite": SQLITE, "postgresql": POSTGRES})


def backwards(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP})


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_chain_existing_events_and_refuse_tampering")]
    operations = [migrations.RunPython(forwards, backwards)]
