"""Two app servers and two background workers on one PostgreSQL database (issue 14).

The set-up a clinic grows into (docs/deployment.md, "Several machines"): gunicorn on two
"machines" (two servers on two ports, two workers each) and two Django-Q2 workers
(``manage.py qcluster``), all on one throwaway PostgreSQL database of their own.

1. **A bounded burst of check-ins**: several clients post check-ins to either server at random;
   some entries are re-sent to the other server after their answer (a phone that lost the reply),
   and some are sent to both servers at the same moment. Every acknowledged check-in is stored once,
   nothing is stored that was not sent, each stored check-in has one audit event, and the audit
   chain verifies.
"""

from __future__ import annotations

import os
import random
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .live_processes import (
    POSTGRES,
    Process,
    call,
    manage,
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

SET_UP = textwrap.dedent(
    f"""
    from django.core.management import call_command
    from apps.accounts.models import CareTeam, Clinic, Patient, Role, User
    call_command("migrate", verbosity=0)
    call_command("createcachetable")
    clinic = Clinic.objects.create(name="Two servers clinic")
    team = CareTeam.objects.create(clinic=clinic, name="Team")
    for n in range({PATIENTS}):
        user = User(username=f"patient{{n}}", role=Role.PATIENT, clinic=clinic,
                    email=f"patient{{n}}@example.org")
        user.set_password({PASSWORD!r})
        user.save()
        patient = Patient.objects.create(
            user=user, clinic=clinic, care_team=team, display_name=f"Patient {{n}}"
        )
        print(patient.pk)
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
    deadline = time.monotonic() + timeout
    while _rows(cluster.url, "SELECT count(*) FROM django_q_ormq")[0][0]:
        assert all(w.process.poll() is None for w in cluster.workers), cluster.logs()
        assert time.monotonic() < deadline, f"jobs still queued after {timeout:.0f} s"
        time.sleep(0.2)


def test_a_burst_of_checkins_through_two_servers_is_stored_once(cluster: Cluster) -> None:
    set_up = manage(cluster.env, "shell", "-v0", "-c", SET_UP)
    assert set_up.returncode == 0, set_up.stderr
    patients = [int(line) for line in set_up.stdout.split()]
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
    verified = manage(cluster.env, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "chain intact" in verified.stdout
