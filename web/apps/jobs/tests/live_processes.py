"""Real processes for the tests that need them: a database of their own, ``manage.py`` commands,
gunicorn app servers and Django-Q2 workers, each started as a subprocess with the environment a
server would have (none of the test run's settings leak in).

Used by ``test_kill9_durability`` (one server killed at chosen points) and
``test_two_servers_two_workers`` (two servers and two workers on one PostgreSQL database).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WEB_DIR = Path(__file__).resolve().parents[3]
POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@contextlib.contextmanager
def throwaway_postgres_database(prefix: str) -> Iterator[str]:
    """A new, empty database in the test run's PostgreSQL server (``DATABASE_URL``), dropped
    afterwards whatever happens; yields its URL."""
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = f"{prefix}_{os.urandom(4).hex()}"
    own_url = f"{url.rsplit('/', 1)[0]}/{name}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield own_url
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def subprocess_env(extra: Mapping[str, str]) -> dict[str, str]:
    """The environment without the test run's lowdose settings, plus ``extra``."""
    test_only = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith("LOWDOSE_") and k not in test_only
    }
    return {**clean, **extra}


def manage(
    env: Mapping[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``manage.py ARGS`` in a subprocess with ``env`` (see :func:`subprocess_env`)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=WEB_DIR,
        env=subprocess_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def alive_in_group(group: int) -> list[int]:
    """Processes of process group ``group`` that have not exited (zombies count as exited)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # exited meanwhile
            continue
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == group and state != "Z":
            alive.append(int(entry.name))
    return alive


def call(
    port: int, method: str, path: str, body: dict[str, Any] | None = None, token: str = ""
) -> tuple[int, Any]:
    """One request on a new connection: the status and the decoded JSON body (or ``None``)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            method, path, body=None if body is None else json.dumps(body), headers=headers
        )
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, None


@dataclass
class Process:
    """A started server or worker, in a process group of its own, writing to ``log``."""

    process: subprocess.Popen[bytes]
    log: Path
    port: int = 0  # an app server's port; 0 for a worker

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]

    def kill(self) -> None:
        """SIGKILL to the whole group at once; return when none of it runs."""
        with contextlib.suppress(ProcessLookupError):  # every process had exited
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while alive := alive_in_group(self.process.pid):
            assert time.monotonic() < deadline, f"still running after SIGKILL: {alive}"
            time.sleep(0.01)

    def stop(self, timeout: float = 20) -> None:
        """SIGTERM to the main process only, as a service manager should stop it (systemd
        ``KillMode=mixed``: a Django-Q2 worker whose every process gets SIGTERM at once never
        exits, docs/deployment.md); SIGKILL to the whole group if it has not exited in time."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=timeout)
        self.kill()


def spawn(argv: list[str], env: Mapping[str, str], log: Path, port: int = 0) -> Process:
    """Start ``argv`` in ``web/`` with ``env`` (see :func:`subprocess_env`), output to ``log``."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            argv,
            cwd=WEB_DIR,
            env=subprocess_env(env),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: master and workers die together
        )
    return Process(process, log, port)


def start_gunicorn(
    env: Mapping[str, str], log: Path, *, workers: int = 2, extra: tuple[str, ...] = ()
) -> Process:
    """A gunicorn app server on a free loopback port; returns once ``GET /health`` answers 200."""
    port = free_port()
    server = spawn(
        [
            *(sys.executable, "-m", "gunicorn", "--chdir", str(WEB_DIR), *extra),
            *("--workers", str(workers), "--bind", f"127.0.0.1:{port}", "config.wsgi"),
        ],
        env,
        log,
        port,
    )
    deadline = time.monotonic() + 30
    while True:
        assert server.process.poll() is None, f"gunicorn exited:\n{server.log_tail()}"
        try:
            if call(port, "GET", "/health")[0] == 200:
                return server
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.kill()
            raise AssertionError(f"gunicorn did not answer /health:\n{server.log_tail()}")
        time.sleep(0.1)


def start_worker(env: Mapping[str, str], log: Path) -> Process:
    """A Django-Q2 worker (``manage.py qcluster``), as ``make run`` and a clinic start it."""
    return spawn([sys.executable, "manage.py", "qcluster"], env, log)
