"""A hard kill of the app server during writes: no acknowledged check-in is lost, every stored
check-in has its audit event (and its side-effect row), no event names a check-in that was not
stored, and ``manage.py audit verify`` passes (issue 11).

gunicorn (two workers) serves a database of its own: a SQLite file in ``tmp_path``, or, when
``DATABASE_URL`` names a PostgreSQL server (``make test-postgres``), a database created in that
server for this test and dropped after it. Several threads post check-ins, each with a new
``client_id``, until the server is gone; once enough were acknowledged, the test sends SIGKILL to
gunicorn's whole process group (master and workers). It does so three times on the same database,
starting gunicorn again on what the last kill left behind, so the audit chain must also continue
correctly after a crash:

1. with a worker held just after it inserted a check-in row, before its audit event;
2. with a worker held just after it inserted the check-in's audit event, before the commit
   (``gunicorn_kill_points``: a worker waits there, inside its transaction, to be killed);
3. at whatever moment the test sees a write transaction open in the database.

After each kill the test opens the database directly, on a connection of its own, and checks.

The kill is of the application. On SQLite that is also the database engine (it runs in the
worker); on PostgreSQL the database server survives and rolls the cut transactions back. Neither
is a power cut, which depends on the disk's flush guarantees (the throwaway PostgreSQL cluster of
the test suite runs with ``fsync=off``).
"""

from __future__ import annotations

import http.client
import json
import os
import sqlite3
import textwrap
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from apps.jobs.tests.live_processes import (
    POSTGRES,
    Process,
    call,
    manage,
    start_gunicorn,
    throwaway_postgres_database,
)

KILL_POINTS = Path(__file__).with_name("gunicorn_kill_points.py")
PASSWORD = "kill-nine-durability"  # the only login of a throwaway database
# Where each round's kill lands: a point of gunicorn_kill_points, or wherever a write is open.
ROUNDS = ("checkin-inserted", "event-inserted", "anywhere")
WRITERS = 6  # concurrent clients: more than the two workers, so requests queue and overlap
ACKNOWLEDGED_BEFORE_KILL = 8  # per round: check-ins were going through when the kill came
WAIT = 20.0  # seconds for a round's kill point to be reached before the test gives up


# What `make migrate` does, and one patient with a login (one subprocess: each costs seconds).
SET_UP = textwrap.dedent(
    f"""
    from django.core.management import call_command
    from apps.accounts.models import CareTeam, Clinic, Patient, Role, User
    call_command("migrate", verbosity=0)
    call_command("createcachetable")
    clinic = Clinic.objects.create(name="Kill -9 clinic")
    team = CareTeam.objects.create(clinic=clinic, name="Team")
    user = User(username="patient", role=Role.PATIENT, clinic=clinic)
    user.set_password({PASSWORD!r})
    user.save()
    patient = Patient.objects.create(
        user=user, clinic=clinic, care_team=team, display_name="Kill Nine"
    )
    print(patient.pk)
    """
)


# -- the database the server uses -------------------------------------------------------------


@dataclass
class Database:
    """Where the subprocesses' database is (``env``), and how the test reads it directly."""

    env: dict[str, str]
    connect: Callable[[], Any]  # a fresh DB-API connection in autocommit
    write_in_progress: Callable[[Any], bool]  # asked on a connection from ``connect``
    settle: Callable[[Any], None]  # wait until the killed server's sessions are over
    placeholder: str  # the driver's parameter marker


def _sqlite_write_in_progress(probe: sqlite3.Connection) -> bool:
    """Does another connection hold SQLite's write lock (a write transaction is open)?"""
    try:
        probe.execute("BEGIN IMMEDIATE")  # timeout=0: fails at once if another writer holds it
    except sqlite3.OperationalError as error:
        if "locked" in str(error):
            return True
        raise
    probe.execute("ROLLBACK")
    return False


def _sqlite_settle(db: sqlite3.Connection) -> None:
    """Nothing to wait for: SQLite ran inside the killed processes."""


def _postgres_write_in_progress(probe: Any) -> bool:
    """Has another session of this database an open transaction that has written (an xid)?"""
    row = probe.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
    ).fetchone()
    return bool(row[0])


def _postgres_settle(db: Any) -> None:
    """Wait until PostgreSQL has ended the killed workers' sessions (rolling back what they left
    open), so that nothing of theirs can still commit after the test has looked."""
    deadline = time.monotonic() + 10
    while True:
        (others,) = db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).fetchone()
        if not others:
            return
        assert time.monotonic() < deadline, f"{others} sessions of the killed server remain"
        time.sleep(0.02)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    var = tmp_path / "var"
    base_env = {"LOWDOSE_VAR_DIR": str(var), "LOWDOSE_HTTPS": "0"}
    if not POSTGRES:

        def connect_sqlite() -> sqlite3.Connection:
            return sqlite3.connect(var / "lowdose.sqlite3", timeout=0, isolation_level=None)

        yield Database(
            base_env, connect_sqlite, _sqlite_write_in_progress, _sqlite_settle, placeholder="?"
        )
        return

    import psycopg

    with throwaway_postgres_database("lowdose_kill9") as own_url:
        env = {
            **base_env,
            "DATABASE_URL": own_url,
            "LOWDOSE_SECRET_KEY": f"test-only-{os.urandom(16).hex()}",
        }

        def connect_postgres() -> Any:
            return psycopg.connect(own_url, autocommit=True)

        yield Database(
            env, connect_postgres, _postgres_write_in_progress, _postgres_settle, placeholder="%s"
        )


# -- the server ---------------------------------------------------------------------------------


@dataclass
class Server(Process):
    """The app server under test, with its kill points' two files."""

    paused: Path = Path()  # where workers report reaching the armed kill point
    arm: Path = Path()  # naming a kill point here arms it


def _start_server(database: Database, work: Path) -> Server:
    paused, arm, log = work / "paused.jsonl", work / "arm", work / "gunicorn.log"
    arm.unlink(missing_ok=True)
    paused.write_text("")
    hooks = {"KILL9_ARM_FILE": str(arm), "KILL9_PAUSED_FILE": str(paused)}
    started = start_gunicorn(
        {**database.env, **hooks}, log, workers=2, extra=("--config", str(KILL_POINTS))
    )
    return Server(started.process, started.log, started.port, paused=paused, arm=arm)


# -- the writers --------------------------------------------------------------------------------


@dataclass
class Writes:
    """What the clients sent and what came back, shared by the writer threads."""

    sent: set[uuid.UUID] = field(default_factory=set)
    acknowledged: set[uuid.UUID] = field(default_factory=set)  # answered 201
    cut: set[uuid.UUID] = field(default_factory=set)  # sent, no answer: the kill came first
    refused: list[str] = field(default_factory=list)  # answers other than 201
    lock: threading.Lock = field(default_factory=threading.Lock)


def _checkin(client_id: uuid.UUID) -> dict[str, Any]:
    return {
        "client_id": str(client_id),
        "pain": 4,
        "fatigue": 5,
        "sleep": 6,
        "mood": 7,
        "dose_mg": "4.5",
        "dose_time": "22:00",
        "side_effects": [{"name": "vivid_dreams", "severity": "mild"}],
        "note": f"kill -9 test {client_id}",
    }


def _write_until_gone(port: int, token: str, patient_id: int, writes: Writes) -> None:
    """Post new check-ins until the server refuses connections (it has been killed)."""
    path = f"/api/v1/patients/{patient_id}/checkins"
    while True:
        client_id = uuid.uuid4()
        with writes.lock:
            writes.sent.add(client_id)
        try:
            status, answer = call(port, "POST", path, _checkin(client_id), token)
        except ConnectionRefusedError:  # nothing listens any more: this one was not sent
            with writes.lock:
                writes.sent.discard(client_id)
            return
        except (OSError, http.client.HTTPException):  # the connection died with the server
            with writes.lock:
                writes.cut.add(client_id)
            continue
        with writes.lock:
            if status == 201 and answer["client_id"] == str(client_id):
                writes.acknowledged.add(client_id)
            else:
                writes.refused.append(f"{status} {answer}")
                return


def _wait_for(what: str, ready: Callable[[], bool], server: Server, writes: Writes) -> None:
    deadline = time.monotonic() + WAIT
    while not ready():
        assert server.process.poll() is None, f"gunicorn exited:\n{server.log_tail()}"
        with writes.lock:
            assert not writes.refused, f"answers other than 201: {writes.refused[:3]}"
        assert time.monotonic() < deadline, f"{what}: not within {WAIT:.0f} s"
        time.sleep(0.003)


def _kill_at(point: str, server: Server, database: Database, writes: Writes) -> list[str]:
    """Kill the server at ``point`` once the round's check-ins are going through; return the
    client_ids of the check-ins whose transactions the workers were holding open there."""
    with writes.lock:
        enough = len(writes.acknowledged) + ACKNOWLEDGED_BEFORE_KILL

    def going() -> bool:
        with writes.lock:
            return len(writes.acknowledged) >= enough

    _wait_for(f"{ACKNOWLEDGED_BEFORE_KILL} acknowledged check-ins", going, server, writes)
    if point == "anywhere":
        probe = database.connect()
        try:
            _wait_for(
                "an open write transaction",
                lambda: database.write_in_progress(probe),
                server,
                writes,
            )
            server.kill()
        finally:
            probe.close()
        return []
    armed = server.arm.with_suffix(".new")
    armed.write_text(point)
    armed.replace(server.arm)  # the workers never read half a name
    _wait_for(f"a worker at {point}", lambda: server.paused.stat().st_size > 0, server, writes)
    server.kill()
    lines = server.paused.read_text().splitlines()
    return [json.loads(line)["client_id"] for line in lines if line.endswith("}")]


# -- the checks ---------------------------------------------------------------------------------


def _check(database: Database, patient_id: int, writes: Writes, held: list[str]) -> str:
    """Open the database afresh and check every promise; return a summary of the round."""
    p = database.placeholder
    db = database.connect()
    try:
        database.settle(db)
        checkins = {
            int(pk): uuid.UUID(str(client_id))
            for pk, client_id in db.execute(
                f"SELECT id, client_id FROM checkins_checkin WHERE patient_id = {p}",  # noqa: S608
                [patient_id],
            ).fetchall()
        }
        of_checkins = f"WHERE patient_id = {p} AND action LIKE {p}"
        events = db.execute(
            f"SELECT action, object_type, object_id, outcome FROM audit_auditevent {of_checkins}",  # noqa: S608
            [patient_id, "checkins.add%"],
        ).fetchall()
        with_side_effect = {
            int(pk)
            for (pk,) in db.execute(
                "SELECT checkin_id FROM checkins_sideeffectreport WHERE name = 'vivid_dreams'"
            ).fetchall()
        }
    finally:
        db.close()
    stored = set(checkins.values())
    with writes.lock:
        sent, acknowledged, cut = set(writes.sent), set(writes.acknowledged), set(writes.cut)
    summary = (
        f"{len(sent)} sent, {len(acknowledged)} acknowledged, {len(cut)} cut by the kills, "
        f"{len(stored)} stored ({len(stored & cut)} of them cut)"
    )

    # No acknowledged check-in is lost, and nothing is stored that was not sent.
    lost = acknowledged - stored
    assert not lost, f"acknowledged but not stored: {sorted(map(str, lost))[:5]}; {summary}"
    assert stored <= sent, summary
    # A check-in is stored whole: with the side effect sent with it.
    assert set(checkins) <= with_side_effect, (
        f"stored without their side-effect rows: {sorted(set(checkins) - with_side_effect)[:5]}"
    )
    # One "checkins.add" event for every stored check-in, and a check-in for every such event.
    added = [
        int(object_id)
        for action, object_type, object_id, outcome in events
        if (action, object_type, outcome) == ("checkins.add", "Checkin", "ok")
    ]
    assert len(added) == len(events), f"unexpected check-in events: {events[:5]}; {summary}"
    assert len(added) == len(set(added)), f"a check-in recorded twice; {summary}"
    assert set(added) == set(checkins), (
        f"stored without an event: {sorted(set(checkins) - set(added))[:5]}; "
        f"an event without its check-in: {sorted(set(added) - set(checkins))[:5]}; {summary}"
    )
    # A check-in whose transaction was held open at the kill left nothing either.
    for client_id in held:
        assert client_id, "a worker held a transaction whose check-in it could not see"
        assert uuid.UUID(client_id) in cut, f"{client_id} held at the kill but answered"
        assert uuid.UUID(client_id) not in stored, f"{client_id}: cut before its commit, stored"
    return summary


@pytest.mark.slow
def test_a_kill_9_during_checkins_loses_no_acknowledged_write_nor_its_audit_event(
    database: Database, tmp_path: Path
) -> None:
    set_up = manage(database.env, "shell", "-v0", "-c", SET_UP)
    assert set_up.returncode == 0, set_up.stderr
    patient_id = int(set_up.stdout.strip())

    writes = Writes()
    token = ""
    for point in ROUNDS:
        server = _start_server(database, tmp_path)
        writers: list[threading.Thread] = []
        try:
            if not token:
                status, answer = call(
                    server.port,
                    "POST",
                    "/api/v1/auth/token",
                    {"username": "patient", "password": PASSWORD},
                )
                assert status == 200, answer
                token = str(answer["token"])
            with writes.lock:
                cut_before = len(writes.cut)
            writers = [
                threading.Thread(
                    target=_write_until_gone, args=(server.port, token, patient_id, writes)
                )
                for _ in range(WRITERS)
            ]
            for writer in writers:
                writer.start()
            held = _kill_at(point, server, database, writes)
        finally:
            server.kill()
            for writer in writers:
                writer.join(timeout=40)
        assert not any(w.is_alive() for w in writers), "a writer still waits for an answer"
        with writes.lock:
            assert not writes.refused, f"answers other than 201: {writes.refused[:5]}"
            assert len(writes.cut) > cut_before, f"{point}: the kill cut no request"
        summary = _check(database, patient_id, writes, held)

    verified = manage(database.env, "audit", "verify")
    assert verified.returncode == 0, f"{verified.stderr}; {summary}"
    assert "chain intact" in verified.stdout
