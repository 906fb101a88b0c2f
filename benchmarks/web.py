"""Benchmark: the clinician's panel at 100, 1,000 and 5,000 patients, the cost of a check-in, and
check-in throughput against ``/health`` under 50 concurrent clients, on PostgreSQL.

Needs PostgreSQL: ``DATABASE_URL`` names a server on which the benchmark may create a database.
It creates its own (Django's test database, ``test_<name>``: migrated, then dropped at the end)
and never writes to the database ``DATABASE_URL`` names. Without ``DATABASE_URL`` it starts a
throwaway server itself through ``scripts/with-postgres.sh`` when the PostgreSQL binaries are
installed (``make system-deps``), else says so and exits with status 2.

What it builds (bulk inserts, not the audited actions: those are what is measured, not the set-up):

* one clinic, one care team and its clinician; patients in bulk up to 100, then 1,000, then
  5,000, each with an account;
* for a sample of 60 patients, 90 days of check-ins each (5,400 rows), and an open alert for one
  patient in twenty (a tenth of them urgent);
* the stored summaries of every patient, by ``rebuild_patient_summaries`` (the daily job): the
  panel reads those, not the check-ins, so the patients without check-ins cost it the same.

What it measures:

* ``panel_ms``: server time of ``/panel/`` (page 1 of 50, sorted by name, and by pain vs baseline)
  through Django's test ``Client`` (the whole middleware stack, templates, database), median of
  9 requests after 2 warm-ups, at each size;
* ``queries_per_checkin``: SQL statements that read or write data in one API check-in (``POST
  /api/v1/patients/<id>/checkins``, no side effect) of a patient with 90 days of check-ins, the
  count the issue's "12 queries" was; ``queries_per_checkin_with_transaction_control`` as Django
  counts them, with BEGIN, COMMIT, the insert's savepoint and its release;
* ``checkin_to_health_throughput_ratio``: a real gunicorn (3 sync workers) on a free loopback
  port; 50 client threads, each with its own patient and API token, post check-ins for
  ``--seconds`` seconds; then the same 50 threads request ``/health`` (one ``SELECT 1``) as fast
  as they can for as long; requests per second of the first over the second;
* ``checkin_cost`` and ``reminder_cost``: what one check-in and one reminder add to the database
  (bytes, rows written) and how long they take (a check-in through the API, one client; every
  patient's check-in reminder sent by one run of the reminder job, against writing the same rows
  with ``bulk_create``), the inputs of the capacity projection in ``docs/deployment.md``.

Run::

    python benchmarks/web.py --json
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from _machine import cpu

REPO = Path(__file__).resolve().parent.parent
SIZES = (100, 1_000, 5_000)
SAMPLE = 60  # patients with 90 days of check-ins
CLIENTS = 50
WORKERS = 3


def _django(var_dir: Path) -> None:
    os.environ["LOWDOSE_VAR_DIR"] = str(var_dir)  # collected static files
    os.environ["LOWDOSE_HTTPS"] = "0"
    os.environ["LOWDOSE_ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ.setdefault("LOWDOSE_CACHE", "database")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(REPO / "web"))
    import django

    django.setup()


def _test_database() -> str:
    """Create and migrate the benchmark's own database; returns its name."""
    from django.core.management import call_command
    from django.db import connection

    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)  # as `make run`: hashed names
    return str(name)


def _clinic() -> tuple[Any, Any, Any]:
    from apps.accounts.models import CareTeam, Clinic, Role, User

    clinic = Clinic.objects.create(name="Benchmark clinic")
    team = CareTeam.objects.create(clinic=clinic, name="Team")
    clinician = User.objects.create(username="bench.clinician", role=Role.CLINICIAN, clinic=clinic)
    team.clinicians.add(clinician)
    return clinic, team, clinician


def _grow(clinic: Any, team: Any, upto: int) -> None:
    """Add patients (each with an account) in bulk until there are ``upto``."""
    from apps.accounts.models import Patient, Role, User

    have = Patient.objects.count()
    if have >= upto:
        return
    users = User.objects.bulk_create(
        User(username=f"bench.p{n:05d}", role=Role.PATIENT, clinic=clinic, password="!")  # noqa: S106 - unusable
        for n in range(have, upto)
    )
    Patient.objects.bulk_create(
        Patient(user=u, clinic=clinic, care_team=team, display_name=f"Patient {n:05d}")
        for n, u in zip(range(have, upto), users, strict=True)
    )


def _diaries_and_alerts() -> list[Any]:
    """90 days of check-ins for the first :data:`SAMPLE` patients (pain falls after day 30, when
    the dose starts), an open alert for one patient in twenty; returns the sample."""
    from django.utils import timezone

    from apps.accounts.models import Patient
    from apps.alerts.models import Alert
    from apps.checkins.models import Checkin

    sample = list(Patient.objects.select_related("user").order_by("pk")[:SAMPLE])
    now = timezone.now()
    rows = []
    for i, patient in enumerate(sample):
        for d in range(90, 0, -1):
            on = d <= 60
            at = now - timedelta(days=d)
            rows.append(
                Checkin(
                    patient=patient,
                    client_id=uuid.uuid4(),
                    day=at.date(),
                    recorded_at=at,
                    pain=(4 if on else 6) + (i + d) % 3,
                    fatigue=5,
                    sleep=5,
                    mood=5,
                    dose_status="taken" if on else "none",
                    dose_mg=Decimal("4.50") if on else None,
                    created_by=patient.user,
                )
            )
    Checkin.objects.bulk_create(rows, batch_size=2000)
    every = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
    Alert.objects.bulk_create(
        Alert(
            patient_id=pk,
            kind="bench",
            key="",
            severity="urgent" if n % 200 == 0 else "warning",
            message="Benchmark alert: call the patient.",
        )
        for n, pk in enumerate(every)
        if n % 20 == 0
    )
    return sample


def _panel_client(clinician: Any) -> Any:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(clinician)
    device = TOTPDevice.objects.create(user=clinician, name="bench", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _median_ms(client: Any, path: str, repeat: int = 9) -> float:
    for _ in range(2):
        assert client.get(path).status_code == 200
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
    return round(statistics.median(times), 1)


def _token(user: Any) -> str:
    from apps.accounts.models import ApiToken

    raw, digest = ApiToken.new_token()
    ApiToken.objects.create(
        user=user, key_hash=digest, expires_at=datetime.now(UTC) + timedelta(days=1)
    )
    return raw


def _checkin_body() -> str:
    return json.dumps(
        {
            "client_id": str(uuid.uuid4()),
            "pain": 3,
            "fatigue": 4,
            "sleep": 6,
            "mood": 7,
            "dose_mg": "4.5",
            "dose_time": "22:00",
            "side_effects": [],
        }
    )


def _queries_per_checkin(patient: Any) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(headers={"Authorization": f"Bearer {_token(patient.user)}"})
    url = f"/api/v1/patients/{patient.pk}/checkins"
    client.post(url, _checkin_body(), content_type="application/json")  # token's last use
    with CaptureQueriesContext(connection) as ctx:
        answer = client.post(url, _checkin_body(), content_type="application/json")
    assert answer.status_code == 201, answer.content
    sql = [q["sql"] for q in ctx.captured_queries]
    control = ("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT")
    data = [s for s in sql if not s.startswith(control)]
    # what each statement touches, for the docs' breakdown
    shapes = [" ".join(s.split()[:4])[:70] for s in sql]
    return {"all": len(sql), "data": len(data), "statements": shapes}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _gunicorn(db_name: str) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = dict(os.environ)
    url = env["DATABASE_URL"]
    env["DATABASE_URL"] = url.rsplit("/", 1)[0] + "/" + db_name
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(  # noqa: S603 - the venv's gunicorn, fixed arguments
        [
            str(gunicorn),
            "--chdir",
            str(REPO / "web"),
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "config.wsgi:application",
        ],
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("gunicorn did not answer /health within 30 s")


def _hammer(port: int, jobs: list[tuple[str, str, dict[str, str], bool]], seconds: float) -> float:
    """Each job (method, path, headers, a fresh check-in body?) runs in its own thread, one
    request after another on a kept-alive connection, for ``seconds``; returns requests per
    second over all threads (only 2xx answers count; any other fails the run)."""
    done = [0] * len(jobs)
    errors: list[str] = []
    start = threading.Barrier(len(jobs) + 1)
    stop = threading.Event()

    def run(i: int, method: str, path: str, headers: dict[str, str], body: bool) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start.wait()
        while not stop.is_set():
            conn.request(method, path, body=_checkin_body() if body else None, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status >= 300:
                errors.append(f"{method} {path}: {response.status}")
                return
            done[i] += 1

    threads = [threading.Thread(target=run, args=(i, *job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    if errors:
        raise SystemExit(f"requests failed: {errors[:3]}")
    return sum(done) / elapsed


def _throughput(db_name: str, sample: list[Any], seconds: float) -> dict[str, float]:
    proc, port = _gunicorn(db_name)
    try:
        checkins = [
            (
                "POST",
                f"/api/v1/patients/{p.pk}/checkins",
                {
                    "Authorization": f"Bearer {_token(p.user)}",
                    "Content-Type": "application/json",
                },
                True,
            )
            for p in sample[:CLIENTS]
        ]
        health: list[tuple[str, str, dict[str, str], bool]] = [
            ("GET", "/health", {}, False)
        ] * CLIENTS
        _hammer(port, health[:5], 1.0)  # warm the workers
        checkin_rps = _hammer(port, checkins, seconds)
        health_rps = _hammer(port, health, seconds)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {
        "checkin_per_s": round(checkin_rps, 1),
        "health_per_s": round(health_rps, 1),
        "ratio": round(checkin_rps / health_rps, 3),
    }


def _footprint() -> tuple[int, int]:
    """Bytes of every table of the database (with indexes and TOAST) and rows written so far
    (inserted plus updated), as PostgreSQL counts them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")  # this session's counts, now
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT sum(pg_total_relation_size(relid)), sum(n_tup_ins + n_tup_upd) "
            "FROM pg_stat_user_tables"
        )
        size, rows = cursor.fetchone()
    return int(size), int(rows)


def _checkin_cost(sample: list[Any], count: int = 600) -> dict[str, float]:
    """What one check-in costs the database, from ``count`` API check-ins of the sample patients
    (90 days of diary each), one after another through Django's test client: bytes added (all
    tables, indexes and audit included; pages of 8 kB, so an average), rows written, and the
    server time of one; then what ``count`` audited reads (a page of 10 check-ins) add."""
    from django.test import Client

    clients = [
        (Client(headers={"Authorization": f"Bearer {_token(p.user)}"}), p.pk) for p in sample
    ]
    size0, rows0 = _footprint()
    t0 = time.perf_counter()
    for n in range(count):
        client, pk = clients[n % len(clients)]
        answer = client.post(
            f"/api/v1/patients/{pk}/checkins", _checkin_body(), content_type="application/json"
        )
        assert answer.status_code == 201, answer.content
    elapsed = time.perf_counter() - t0
    size1, rows1 = _footprint()
    t1 = time.perf_counter()
    for n in range(count):  # an audited read: the patient's last 10 check-ins
        client, pk = clients[n % len(clients)]
        answer = client.get(f"/api/v1/patients/{pk}/checkins?limit=10")
        assert answer.status_code == 200, answer.content
    reading = time.perf_counter() - t1
    size2, rows2 = _footprint()
    return {
        "ms_per_audited_read_one_client": round(1000 * reading / count, 2),
        "bytes_per_audited_read": round((size2 - size1) / count),
        "rows_written_per_audited_read": round((rows2 - rows1) / count, 2),
        "checkins": count,
        "bytes_per_checkin": round((size1 - size0) / count),
        "rows_written_per_checkin": round((rows1 - rows0) / count, 2),
        "ms_per_checkin_one_client": round(1000 * elapsed / count, 2),
    }


def _reminder_cost() -> dict[str, float]:
    """What one reminder costs: every patient's daily check-in reminder (default 19:00, the
    clinic's zone) falls due at once and one run of the reminder job sends them all (in-app
    only: the bulk accounts have no e-mail address and no browser subscribed), against the floor
    — the same rows (sent mark and notification) written by two ``bulk_create`` calls."""
    from zoneinfo import ZoneInfo

    from django.conf import settings as django_settings
    from django.db import transaction

    from apps.accounts.models import Patient
    from apps.notifications.models import Notification, ReminderSent
    from apps.notifications.reminders import send_due_reminders

    zone = ZoneInfo(django_settings.DEFAULT_PATIENT_TIME_ZONE)
    now = datetime.now(zone).replace(hour=19, minute=1, second=0, microsecond=0)
    size0, rows0 = _footprint()
    t0 = time.perf_counter()
    counts = send_due_reminders(now=now)
    elapsed = time.perf_counter() - t0
    size1, rows1 = _footprint()
    sent = counts["sent"]
    assert sent >= Patient.objects.count() - SAMPLE, counts
    patients = list(Patient.objects.values_list("pk", "user_id")[:sent])
    with transaction.atomic():
        t1 = time.perf_counter()
        ReminderSent.objects.bulk_create(
            ReminderSent(patient_id=pk, kind="dose", local_day=now.date(), due_at=now)
            for pk, _ in patients
        )
        Notification.objects.bulk_create(
            Notification(recipient_id=user, kind="dose", title="Bedtime dose")
            for _, user in patients
        )
        floor = time.perf_counter() - t1
        transaction.set_rollback(True)
    return {
        "reminders_sent_in_one_run": sent,
        "seconds_for_the_run": round(elapsed, 2),
        "reminders_per_second_one_worker": round(sent / elapsed),
        "bytes_per_reminder": round((size1 - size0) / sent),
        "rows_written_per_reminder": round((rows1 - rows0) / sent, 2),
        "run_to_bulk_insert_time_ratio": round(elapsed / floor, 1),
    }


def run(seconds: float, var_dir: Path) -> dict[str, Any]:
    _django(var_dir)
    from django.db import connection

    from apps.checkins.summaries import rebuild_patient_summaries

    if connection.vendor != "postgresql":
        raise SystemExit("DATABASE_URL must name a PostgreSQL server (see the module docstring).")
    started = time.perf_counter()
    db_name = _test_database()
    try:
        clinic, team, clinician = _clinic()
        _grow(clinic, team, SIZES[0])
        sample = _diaries_and_alerts()
        client = _panel_client(clinician)
        panel: dict[str, float] = {}
        panel_change: dict[str, float] = {}
        build: dict[str, float] = {}
        for size in SIZES:
            t0 = time.perf_counter()
            _grow(clinic, team, size)
            rebuild_patient_summaries()
            build[str(size)] = round(time.perf_counter() - t0, 1)
            panel[str(size)] = _median_ms(client, "/panel/")
            panel_change[str(size)] = _median_ms(client, "/panel/?sort=change")
        queries = _queries_per_checkin(sample[0])
        throughput = _throughput(db_name, sample, seconds)
        checkin_cost = _checkin_cost(sample)
        reminder_cost = _reminder_cost()
    finally:
        connection.creation.destroy_test_db(db_name, verbosity=0)
    return {
        "benchmark": "web",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu": cpu(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "postgresql": connection.pg_version if hasattr(connection, "pg_version") else None,
        },
        "built": {
            "patients": list(SIZES),
            "patients_with_90_days_of_checkins": SAMPLE,
            "alerts": "one patient in twenty (a tenth of them urgent)",
            "seconds_to_add_and_summarise": build,
        },
        "panel_ms": panel,
        "panel_sorted_by_change_ms": panel_change,
        "queries_per_checkin": queries["data"],
        "queries_per_checkin_with_transaction_control": queries["all"],
        "checkin_statements": queries["statements"],
        "throughput": throughput,
        "checkin_to_health_throughput_ratio": throughput["ratio"],
        "checkin_cost": checkin_cost,
        "reminder_cost": reminder_cost,
        "clients": CLIENTS,
        "gunicorn_workers": WORKERS,
        "seconds_per_load": seconds,
        "total_seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each load")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL"):
        wrapper = REPO / "scripts" / "with-postgres.sh"
        if shutil.which("bash") and list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
            inner = subprocess.run(  # noqa: S603 - the repository's script, this file
                [str(wrapper), sys.executable, __file__, *(argv or sys.argv[1:])],
                stdout=subprocess.PIPE,
                text=True,
                check=False,
            )
            for line in inner.stdout.splitlines(keepends=True):
                # the wrapper's "PostgreSQL … (throwaway)" line is not part of the JSON
                out = sys.stderr if line.endswith("(throwaway)\n") else sys.stdout
                out.write(line)
            return inner.returncode
        print(
            "benchmarks/web.py needs PostgreSQL: set DATABASE_URL to a server it may create a "
            "database on, or install the server binaries (make system-deps) so that it starts "
            "a throwaway one.",
            file=sys.stderr,
        )
        return 2
    with tempfile.TemporaryDirectory(prefix="lowdose-bench-") as var_dir:
        result = run(args.seconds, Path(var_dir))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key in ("panel_ms", "panel_sorted_by_change_ms", "throughput"):
            print(f"{key}: {result[key]}")
        print(f"queries per check-in: {result['queries_per_checkin']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
