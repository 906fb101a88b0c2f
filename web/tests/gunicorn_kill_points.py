"""gunicorn settings of the kill -9 test (``test_kill9_durability``), never of a real server.

When the test names a kill point in the file ``KILL9_ARM_FILE``, a worker that executes the SQL
statement of that point runs it, appends one JSON line to ``KILL9_PAUSED_FILE`` (the inserted
columns and the ``client_id`` of the check-in its transaction is writing) and then waits, inside
its open transaction, until the test kills the whole process group. So the kill lands exactly
there, whatever the timing of the machine:

``checkin-inserted``
    right after ``INSERT INTO checkins_checkin``: the check-in row is written, its audit event
    not yet.
``event-inserted``
    right after ``INSERT INTO audit_auditevent`` of a ``checkins.add`` event: both are written,
    nothing committed yet.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

__all__ = ["post_worker_init"]

ARM_FILE = os.environ["KILL9_ARM_FILE"]
PAUSED_FILE = os.environ["KILL9_PAUSED_FILE"]


def _columns(sql: str) -> list[str]:
    """The column names of Django's ``INSERT INTO "table" ("a", "b", ...) VALUES ...``."""
    listed = sql.split("(", 1)[1].split(")", 1)[0]
    return [name.strip().strip('"') for name in listed.split(",")]


def _client_id_of(connection: Any, values: dict[str, str], point: str) -> str:
    if point == "checkin-inserted":
        return values["client_id"]
    with connection.cursor() as cursor:  # same connection: sees its own uncommitted check-in
        cursor.execute(
            "SELECT client_id FROM checkins_checkin WHERE id = %s", [int(values["object_id"])]
        )
        row = cursor.fetchone()
    return str(row[0]) if row else ""


def _at_point(point: str, sql: str, values: dict[str, str]) -> bool:
    if point == "checkin-inserted":
        return sql.startswith('INSERT INTO "checkins_checkin"')
    if point == "event-inserted":
        return (
            sql.startswith('INSERT INTO "audit_auditevent"')
            and values.get("action") == "checkins.add"
        )
    return False


def _pause_at_kill_point(
    execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    result = execute(sql, params, many, context)
    if many or not sql.startswith("INSERT INTO") or not os.path.exists(ARM_FILE):
        return result
    with open(ARM_FILE, encoding="utf-8") as armed:
        point = armed.read().strip()
    values = dict(zip(_columns(sql), (str(p) for p in params or ()), strict=False))
    if not _at_point(point, sql, values):
        return result
    paused = {
        "point": point,
        "pid": os.getpid(),
        "client_id": _client_id_of(context["connection"], values, point),
        "values": values,
    }
    with open(PAUSED_FILE, "a", encoding="utf-8") as log:
        log.write(json.dumps(paused) + "\n")
    time.sleep(600)  # in the open transaction, until SIGKILL
    return result


def post_worker_init(worker: Any) -> None:
    """Wrap every database connection this worker opens (gunicorn server hook)."""
    from django.db.backends.signals import connection_created

    def install(sender: Any, connection: Any, **kwargs: Any) -> None:
        connection.execute_wrappers.append(_pause_at_kill_point)

    connection_created.connect(install, weak=False)
