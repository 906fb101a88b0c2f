"""The hash chain: verify finds an edited, removed or inserted row; the database refuses
UPDATE, DELETE (both databases) and TRUNCATE (PostgreSQL)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from apps.audit.actor import Actor
from apps.audit.chain import GENESIS, verify
from apps.audit.log import record_as
from apps.audit.models import AuditChainHead, AuditEvent
from apps.audit.triggers import SQLITE_NO_DELETE, SQLITE_NO_UPDATE

pytestmark = pytest.mark.django_db


@pytest.fixture
def three() -> list[AuditEvent]:
    return [
        record_as(Actor.system(), "test.one"),
        record_as(Actor.system(), "test.two", detail={"b": [1, 2.5], "a": "é"}),
        record_as(Actor.system(), "test.three"),
    ]


def _verify_command() -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), err.getvalue()
    return 0, out.getvalue()


class _TriggersOff:
    """Step around the append-only triggers, as someone with the database owner's rights could."""

    def __enter__(self) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            else:
                cursor.execute("DROP TRIGGER audit_event_no_update")
                cursor.execute("DROP TRIGGER audit_event_no_delete")

    def __exit__(self, *exc: object) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
            else:
                cursor.execute(SQLITE_NO_UPDATE)
                cursor.execute(SQLITE_NO_DELETE)


@pytest.fixture
def triggers_off() -> _TriggersOff:
    return _TriggersOff()


def test_each_event_links_to_the_one_before(three: list[AuditEvent]) -> None:
    rows = list(AuditEvent.objects.order_by("id"))
    assert rows[0].prev_hash == GENESIS
    assert [r.prev_hash for r in rows[1:]] == [r.row_hash for r in rows[:-1]]
    head = AuditChainHead.objects.get()
    assert (head.last_id, head.last_hash, head.length) == (rows[-1].pk, rows[-1].row_hash, 3)


def test_verify_reports_an_intact_chain(three: list[AuditEvent]) -> None:
    assert _verify_command() == (0, "3 events, chain intact\n")


def test_verify_names_an_edited_row(three: list[AuditEvent], triggers_off: _TriggersOff) -> None:
    with triggers_off, connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditevent SET actor_username = 'mallory' WHERE id = %s", [three[1].pk]
        )
    code, message = _verify_command()
    assert code == 1
    assert f"event {three[1].pk}:" in message
    assert "edited" in message


def test_verify_names_the_row_after_a_deleted_one(
    three: list[AuditEvent], triggers_off: _TriggersOff
) -> None:
    with triggers_off, connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [three[1].pk])
    result = verify()
    assert result.first_break is not None
    assert result.first_break.event_id == three[2].pk
    assert "removed or inserted" in result.first_break.problem


def test_verify_notices_rows_cut_off_the_end(
    three: list[AuditEvent], triggers_off: _TriggersOff
) -> None:
    with triggers_off, connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [three[2].pk])
    result = verify()
    assert result.first_break is not None
    assert result.first_break.event_id is None
    assert "records 3 events" in result.first_break.problem


def test_verify_names_a_row_inserted_around_the_application(three: list[AuditEvent]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (at, actor_username, actor_role, action, outcome, "
            "object_type, object_id, user_agent, method, path, prev_hash, row_hash) "
            "VALUES (%s, 'x', '', 'forged', 'ok', '', '', '', '', '', %s, %s)",
            [three[2].at, three[2].row_hash, "f" * 64],
        )
    result = verify()
    assert result.first_break is not None
    assert result.first_break.event_id is not None
    assert result.first_break.event_id > three[2].pk


def test_the_database_refuses_update_and_delete(three: list[AuditEvent]) -> None:
    for statement in (
        "UPDATE audit_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [three[0].pk])
    assert AuditEvent.objects.filter(pk=three[0].pk, action="test.one").exists()
    assert verify().intact


def test_postgresql_refuses_truncate_so_flush_fails(three: list[AuditEvent]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is a PostgreSQL statement")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == 3


def _run_in_one_transaction(statements: list[str]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _record_then_fail() -> None:
    with transaction.atomic():
        record_as(Actor.system(), "test.rolled_back")
        raise RuntimeError


def test_the_flush_of_manage_py_fails_on_the_audit_table(three: list[AuditEvent]) -> None:
    from django.core.management.color import no_style

    from apps.audit.triggers import AUDIT_TABLE

    # The test suite's own flush steps around the triggers (web/conftest.py); run the statements
    # `manage.py flush` runs in a clinic (DELETE on SQLite, TRUNCATE on PostgreSQL).
    production = type(connection.ops).sql_flush.__wrapped__  # type: ignore[attr-defined]
    statements = production(connection.ops, no_style(), [AUDIT_TABLE])
    with pytest.raises(DatabaseError):
        _run_in_one_transaction(statements)
    assert AuditEvent.objects.count() == 3


def test_a_rolled_back_change_leaves_neither_its_event_nor_a_moved_head(
    three: list[AuditEvent],
) -> None:
    with pytest.raises(RuntimeError):
        _record_then_fail()
    assert not AuditEvent.objects.filter(action="test.rolled_back").exists()
    assert AuditChainHead.objects.get().length == 3
    record_as(Actor.system(), "test.after")
    assert verify().intact


@pytest.mark.django_db(transaction=True)
def test_two_workers_appending_at_once_do_not_fork_the_chain() -> None:
    """PostgreSQL: the chain head read FOR UPDATE serialises appenders, and the advisory lock the
    first ones to find no head row (after the flush); SQLite has one writer by design (its
    in-memory test database is shared-cache, which locks differently from a file)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections to one PostgreSQL database")
    from apps.jobs.tests.racing import race

    def append(n: int) -> None:
        for i in range(15):
            with transaction.atomic():
                record_as(Actor.system(), f"test.worker{n}.{i}")

    race(append, runners=4)
    result = verify()
    assert result.intact, result.first_break
    assert result.events == 60
