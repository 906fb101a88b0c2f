"""Two app servers and two background workers on one PostgreSQL database (issue 14).

The set-up a clinic grows into (docs/deployment.md, "Several machines"): gunicorn on two
"machines" (two servers on two ports, two workers each) and two Django-Q2 workers
(``manage.py qcluster``), all on one throwaway PostgreSQL database of their own.

1. **A bounded burst of check-ins**: several clients post check-ins to either server at random;
   some entries are re-sent to the other server after their answer (a phone that lost the reply),
   and some are sent to both servers at the same moment. Every acknowledged check-in is stored once,
   nothing is stored that was not sent, each stored check-in has one audit event, and the audit
   chain verifies.
2. **A day of reminders, with a controlled clock**: the reminder job is queued for every five
   minutes of 30 hours around the day Europe/London springs forward (29 March 2026), each slot
   twice (two schedulers racing), while the burst runs. The workers take the jobs in whatever
   order they come. Each patient's check-in reminder is sent once a local day, at the instant
   worked out by hand below from the tz database (tests/reference/reminders_dst_transitions.json),
   none inside quiet hours, with one in-app notification and one e-mail each.
"""

from __future__ import annotations

import os
import random
import sys
import textwrap
import threading
import time as clock
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from apps.jobs.tests.live_processes import (
    POSTGRES,
    Process,
    call,
    manage,
    spawn,
    start_gunicorn,
    start_worker,
    throwaway_postgres_database,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not POSTGRES,
        reason="several servers and workers share one PostgreSQL database (make test-postgres)",
    ),
]

PASSWORD = "two-servers-two-workers"  # the only logins of a throwaway database
PATIENTS = 6
CLIENTS = 12  # concurrent clients: more than the four gunicorn workers, so requests queue
PER_CLIENT = 12  # new check-ins each client sends
RESEND_EVERY = 4  # every fourth entry is sent again to the other server after its answer
BOTH_AT_ONCE_EVERY = 5  # every fifth is sent to both servers at the same moment


@dataclass(frozen=True)
class Person:
    """A patient's reminder settings, and their check-in reminders worked out by hand as (local
    day, instant in UTC): ``expected`` are sent in the window; ``missed`` fell due in the day
    before it, more than an hour before the clock's first slot, so the first run records them as
    dropped, never sent (what a worker that was down finds)."""

    zone: str
    checkin: time
    quiet: tuple[time, time] | None
    expected: tuple[tuple[date, datetime], ...]
    missed: tuple[tuple[date, datetime], ...]


def _utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


D27, D28, D29, D30 = (date(2026, 3, day) for day in (27, 28, 29, 30))
PEOPLE = (
    # 01:30 does not exist in London on the 29th (01:00 GMT → 02:00 BST): the first minute after
    # the gap, 02:00 BST = 01:00 UTC. On the 28th 01:30 GMT is before the window.
    Person("Europe/London", time(1, 30), None, ((D29, _utc(29, 1)),), ((D28, _utc(28, 1, 30)),)),
    # 19:00 falls in quiet hours 18:00–20:00: it comes at 20:00 — GMT on the 28th, BST after.
    Person(
        "Europe/London",
        time(19),
        (time(18), time(20)),
        ((D28, _utc(28, 20)), (D29, _utc(29, 19))),
        ((D27, _utc(27, 20)),),
    ),
    # New York has been on EDT (UTC−4) since 8 March.
    Person(
        "America/New_York",
        time(19),
        None,
        ((D28, _utc(28, 23)), (D29, _utc(29, 23))),
        ((D27, _utc(27, 23)),),
    ),
    # Sydney is on AEDT (UTC+11) until 5 April: 07:00 on the 29th is 20:00 UTC on the 28th.
    Person(
        "Australia/Sydney",
        time(7),
        None,
        ((D29, _utc(28, 20)), (D30, _utc(29, 20))),
        ((D28, _utc(27, 20)),),
    ),
    # Kolkata, UTC+5:30: 21:45 is 16:15 UTC (on the 28th, before the window).
    Person(
        "Asia/Kolkata", time(21, 45), None, ((D29, _utc(29, 16, 15)),), ((D28, _utc(28, 16, 15)),)
    ),
    # 22:30 in quiet hours 22:00–07:00: they end the next day, so it is never sent.
    Person("Europe/London", time(22, 30), (time(22), time(7)), (), ()),
)
PATIENTS = len(PEOPLE)
# The controlled clock: every five minutes from 18:00 UTC on the 28th to 23:55 on the 29th.
WINDOW_START = _utc(28, 18)
TICKS = 30 * 12
RACERS = 2  # each slot is queued twice, as two schedulers racing would
BATCH = 10  # slots queued at once: 45 minutes (a slot found by one 45 min later still sends)

SET_UP = textwrap.dedent(
    f"""
    from datetime import time
    from django.core.management import call_command
    from django_q.models import Schedule
    from apps.accounts.models import CareTeam, Clinic, Patient, Role, User
    from apps.notifications.models import ReminderSettings
    call_command("migrate", verbosity=0)
    call_command("createcachetable")
    Schedule.objects.all().delete()  # the test's clock runs the reminder job, not the real one
    clinic = Clinic.objects.create(name="Two servers clinic")
    team = CareTeam.objects.create(clinic=clinic, name="Team")
    for n, (zone, checkin, quiet) in enumerate({[(p.zone, p.checkin, p.quiet) for p in PEOPLE]!r}):
        user = User(username=f"patient{{n}}", role=Role.PATIENT, clinic=clinic,
                    email=f"patient{{n}}@example.org")
        user.set_password({PASSWORD!r})
        user.save()
        patient = Patient.objects.create(
            user=user, clinic=clinic, care_team=team, display_name=f"Patient {{n}}",
            time_zone=zone,
        )
        ReminderSettings.objects.create(
            user=user, checkin_time=checkin, quiet_start=quiet and quiet[0],
            quiet_end=quiet and quiet[1],
        )
        print(patient.pk)
    """
).replace("datetime.time", "time")

# Queue the reminder job for every slot of the window, RACERS times each, 45 minutes of slots at
# a time: the next batch only once the workers have emptied the queue, so no slot runs before one
# more than 45 minutes older (a real clock never runs a later slot first; the job drops a
# reminder it finds more than an hour late).
QUEUE_DAY = textwrap.dedent(
    f"""
    import time
    from datetime import datetime, timedelta
    from django_q.models import OrmQ
    from django_q.tasks import async_task
    start = datetime.fromisoformat({WINDOW_START.isoformat()!r})
    for first in range(0, {TICKS}, {BATCH}):
        for tick in range(first, min(first + {BATCH}, {TICKS})):
            for _ in range({RACERS}):
                async_task(
                    "apps.notifications.reminders.send_due_reminders",
                    now=start + timedelta(minutes=5 * tick),
                )
        deadline = time.monotonic() + 60
        while OrmQ.objects.exists():
            assert time.monotonic() < deadline, "the workers took no job for a minute"
            time.sleep(0.05)
    """
)


@dataclass
class Cluster:
    env: dict[str, str]
    url: str
    servers: list[Process]
    workers: list[Process]

    def logs(self) -> str:
        return "\n".join(p.log_tail() for p in (*self.servers, *self.workers))


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    with throwaway_postgres_database("lowdose_cluster") as url:
        env = {
            "DATABASE_URL": url,
            "LOWDOSE_SECRET_KEY": f"test-only-{os.urandom(16).hex()}",  # one key for all four
            "LOWDOSE_HTTPS": "0",
            "LOWDOSE_VAR_DIR": str(tmp_path / "var"),
            "LOWDOSE_EMAIL_BACKEND": "file",  # one file per message in var/mail/
            "LOWDOSE_WORKER_PROCESSES": "1",
        }
        processes: list[Process] = []
        try:
            servers = [start_gunicorn(env, tmp_path / f"web{n}.log") for n in (1, 2)]
            processes += servers
            workers = [start_worker(env, tmp_path / f"worker{n}.log") for n in (1, 2)]
            processes += workers
            yield Cluster(env, url, servers, workers)
        finally:
            for process in processes:
                process.stop()


@dataclass
class Burst:
    """What the clients sent and what came back, shared by the client threads."""

    sent: set[uuid.UUID] = field(default_factory=set)
    acknowledged: dict[uuid.UUID, int] = field(default_factory=dict)  # id → patient
    answers: list[int] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _checkin(client_id: uuid.UUID, rng: random.Random) -> dict[str, Any]:
    return {
        "client_id": str(client_id),
        "pain": rng.randint(0, 10),
        "fatigue": rng.randint(0, 10),
        "sleep": rng.randint(0, 10),
        "mood": rng.randint(0, 10),
        "dose_mg": "4.5",
        "dose_time": "22:00",
        "note": f"cluster test {client_id}",
    }


def _client(
    number: int, ports: list[int], tokens: dict[int, str], patients: list[int], burst: Burst
) -> None:
    rng = random.Random(number)
    patient = patients[number % len(patients)]
    token = tokens[patient]
    path = f"/api/v1/patients/{patient}/checkins"

    def post(port: int, body: dict[str, Any], client_id: uuid.UUID) -> None:
        status, answer = call(port, "POST", path, body, token)
        with burst.lock:
            burst.answers.append(status)
            if status in (200, 201) and answer["client_id"] == str(client_id):
                burst.acknowledged[client_id] = patient
            else:
                burst.wrong.append(f"{status} {answer}")

    for n in range(PER_CLIENT):
        client_id = uuid.uuid4()
        body = _checkin(client_id, rng)
        with burst.lock:
            burst.sent.add(client_id)
        first, other = rng.sample(ports, 2)
        if n % BOTH_AT_ONCE_EVERY == 0:
            twins = [threading.Thread(target=post, args=(port, body, client_id)) for port in ports]
            for twin in twins:
                twin.start()
            for twin in twins:
                twin.join()
            continue
        post(first, body, client_id)
        if n % RESEND_EVERY == 0:
            post(other, body, client_id)


def _rows(url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        return list(db.execute(sql, params).fetchall())


def _wait_for_idle_queue(cluster: Cluster, timeout: float = 120) -> None:
    """Until the workers have taken and finished every queued job."""
    deadline = clock.monotonic() + timeout
    while _rows(cluster.url, "SELECT count(*) FROM django_q_ormq")[0][0]:
        assert all(w.process.poll() is None for w in cluster.workers), cluster.logs()
        assert clock.monotonic() < deadline, f"jobs still queued after {timeout:.0f} s"
        clock.sleep(0.2)


def _check_reminders(cluster: Cluster, patients: list[int], mail: Path) -> None:
    sent = _rows(
        cluster.url,
        "SELECT patient_id, kind, local_day, due_at, outcome FROM notifications_remindersent "
        "WHERE patient_id = ANY(%s)",
        patients,
    )
    got = sorted(sent)
    expected = sorted(
        (patient, "checkin", day, due, outcome)
        for patient, person in zip(patients, PEOPLE, strict=True)
        for outcome, reminders in (("sent", person.expected), ("dropped", person.missed))
        for day, due in reminders
    )
    assert got == expected
    for patient, person in zip(patients, PEOPLE, strict=True):
        if person.quiet is None:
            continue
        start, end = person.quiet
        for p, _kind, _day, due, outcome in sent:
            local = due.astimezone(ZoneInfo(person.zone)).time()
            inside = start <= local < end if start < end else (local >= start or local < end)
            assert p != patient or outcome != "sent" or not inside, f"in quiet hours: {person}"
    notified = _rows(
        cluster.url,
        "SELECT u.username, count(*) FROM notifications_notification n "
        "JOIN accounts_user u ON u.id = n.recipient_id WHERE n.kind = 'checkin' GROUP BY 1",
    )
    per_person = {f"patient{n}": len(person.expected) for n, person in enumerate(PEOPLE)}
    assert dict(notified) == {k: v for k, v in per_person.items() if v}
    mailed: dict[str, int] = {}
    for message in mail.iterdir():
        to = next(
            line.split(":", 1)[1].strip()
            for line in message.read_text().splitlines()
            if line.startswith("To:")
        )
        mailed[to] = mailed.get(to, 0) + message.read_text().count("Subject: Time for today")
    assert mailed == {f"{k}@example.org": v for k, v in per_person.items() if v}


def test_two_servers_and_two_workers_store_each_checkin_and_send_each_reminder_once(
    cluster: Cluster,
) -> None:
    set_up = manage(cluster.env, "shell", "-v0", "-c", SET_UP)
    assert set_up.returncode == 0, set_up.stderr
    patients = [int(line) for line in set_up.stdout.split()]
    day = spawn(
        [sys.executable, "manage.py", "shell", "-v0", "-c", QUEUE_DAY],
        cluster.env,
        Path(cluster.env["LOWDOSE_VAR_DIR"]).parent / "clock.log",
    )
    ports = [server.port for server in cluster.servers]
    tokens = {}
    for n, patient in enumerate(patients):
        status, answer = call(
            ports[n % 2],
            "POST",
            "/api/v1/auth/token",
            {"username": f"patient{n}", "password": PASSWORD},
        )
        assert status == 200, answer
        tokens[patient] = str(answer["token"])

    burst = Burst()
    clients = [
        threading.Thread(target=_client, args=(n, ports, tokens, patients, burst))
        for n in range(CLIENTS)
    ]
    for client in clients:
        client.start()
    for client in clients:
        client.join(timeout=120)
    assert not any(c.is_alive() for c in clients), "a client still waits for an answer"
    assert not burst.wrong, f"answers other than 200/201: {burst.wrong[:5]}"
    assert burst.acknowledged.keys() == burst.sent
    assert burst.answers.count(201) == len(burst.sent), "a re-sent entry was stored as new"
    try:
        assert day.process.wait(timeout=600) == 0, day.log_tail()
    finally:
        day.kill()
    _wait_for_idle_queue(cluster)

    stored = _rows(
        cluster.url,
        "SELECT client_id, patient_id FROM checkins_checkin WHERE patient_id = ANY(%s)",
        patients,
    )
    by_id = {uuid.UUID(str(client_id)): patient for client_id, patient in stored}
    assert len(by_id) == len(stored), "a check-in stored twice"
    assert by_id == burst.acknowledged
    events = _rows(
        cluster.url,
        "SELECT object_id FROM audit_auditevent WHERE action = 'checkins.add' AND outcome = 'ok'",
    )
    assert len(events) == len(stored) == len({e for (e,) in events})
    failed = _rows(cluster.url, "SELECT name, result FROM django_q_task WHERE NOT success")
    assert not failed, f"jobs failed: {failed[:3]}"
    _check_reminders(cluster, patients, Path(cluster.env["LOWDOSE_VAR_DIR"]) / "mail")

    verified = manage(cluster.env, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "chain intact" in verified.stdout
