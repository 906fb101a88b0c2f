"""The database triggers that refuse changes to the audit table, as installed by migration 0005.

The migration keeps its own copy (migrations are frozen); this module is for code that must name
them now: the test suite's flush (``web/conftest.py``) and the tamper tests.
"""

from __future__ import annotations

__all__ = ["AUDIT_TABLE", "SQLITE_NO_DELETE", "SQLITE_NO_UPDATE"]

AUDIT_TABLE = "audit_auditevent"

SQLITE_NO_UPDATE = """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE refused'); END;"""
SQLITE_NO_DELETE = """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE refused'); END;"""
