"""``manage.py backup`` and ``restore`` on SQLite, in subprocesses with their own var directories:
the restored database holds the same rows (audit timestamps to the microsecond, hashes), ``audit
verify`` passes, and a restore into a database that holds rows is refused and changes nothing."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tarfile
import textwrap
from pathlib import Path
from typing import Any

import pytest

from lowdose import instruments

WEB_DIR = Path(__file__).resolve().parents[3]


def _manage(var_dir: Path, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    """``manage.py`` with SQLite in ``var_dir`` and no other lowdose setting from the test run."""
    test_only = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith("LOWDOSE_") and k not in test_only
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=WEB_DIR,
        env={**clean, "LOWDOSE_VAR_DIR": str(var_dir), "LOWDOSE_HTTPS": "0", **extra},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def _tables(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in rowid order."""
    with sqlite3.connect(database) as db:
        names = [
            row[0]
            for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if row[0] != "sqlite_sequence"
        ]
        query = 'SELECT * FROM "{}" ORDER BY rowid'
        return {name: db.execute(query.format(name)).fetchall() for name in names}


WORDING = json.dumps(
    {
        "format": "lowdose-instrument-wording/1",
        "instrument": "fiqr",
        "language": "en",
        "copyright": "PLACEHOLDER notice for tests - not the real FIQR notice",
        "licence": {"holder": "Test Clinic", "reference": "TEST-0001"},
        "items": {k: f"Placeholder wording {k}" for k in instruments.get("fiqr").link_ids},
    }
)

MAKE_DATA = textwrap.dedent(
    """
    from apps.accounts.models import Clinic
    from apps.audit.actor import Actor
    from apps.audit.log import record_as
    from django.db import transaction
    for number in range(3):
        with transaction.atomic():
            clinic = Clinic.objects.create(name=f"Clinic {number}")
            record_as(Actor.system(clinic.pk), "clinic.create", obj=clinic,
                      detail={"name": clinic.name, "note": "ß ✓"})
    """
)


@pytest.mark.slow
def test_backup_then_restore_into_an_empty_database_gives_the_same_rows(tmp_path: Path) -> None:
    source, target, archive = tmp_path / "source", tmp_path / "target", tmp_path / "backup.tar.gz"
    wording = tmp_path / "licensed" / "fiqr.json"
    wording.parent.mkdir()
    wording.write_text(WORDING, encoding="utf-8")

    migrated = _manage(source, "migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    target.mkdir(mode=0o700)
    shutil.copyfile(source / "lowdose.sqlite3", target / "lowdose.sqlite3")  # migrated, no rows
    made = _manage(source, "shell", "-c", MAKE_DATA)
    assert made.returncode == 0, made.stderr

    backup = _manage(source, "backup", str(archive), LOWDOSE_LICENSED_WORDING=str(wording))
    assert backup.returncode == 0, backup.stderr
    assert "3 audit events" in backup.stdout
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as members:
        names = members.getnames()
        assert {"manifest.json", "database.sqlite3", "secret_key"} <= set(names)
        assert any(name.startswith("wording/") for name in names)
        assert all(info.mode == 0o600 for info in members.getmembers())
    assert _manage(source, "backup", str(archive)).returncode != 0  # never overwrites

    wording.unlink()  # restored to where it was
    restore = _manage(target, "restore", str(archive))
    assert restore.returncode == 0, restore.stderr
    assert "audit verify: 3 events, chain intact" in restore.stdout
    assert wording.read_text(encoding="utf-8") == WORDING
    assert (target / "secret_key").read_bytes() == (source / "secret_key").read_bytes()
    assert stat.S_IMODE((target / "secret_key").stat().st_mode) == 0o600

    before, after = _tables(source / "lowdose.sqlite3"), _tables(target / "lowdose.sqlite3")
    assert after == before
    events = after["audit_auditevent"]
    assert len(events) == 3
    with sqlite3.connect(target / "lowdose.sqlite3") as db:
        stamps = [row[0] for row in db.execute("SELECT at FROM audit_auditevent ORDER BY id")]
    assert any(not stamp.endswith(".000000") and "." in stamp for stamp in stamps)  # microseconds
    verified = _manage(target, "audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "3 events, chain intact" in verified.stdout

    damaged = tmp_path / "damaged.tar.gz"
    _damage(archive, damaged)
    rejected = _manage(tmp_path / "empty", "restore", str(damaged))
    assert rejected.returncode != 0
    assert "damaged" in rejected.stderr

    # A database that holds rows is refused, and nothing in it changes.
    refused = _manage(target, "restore", str(archive))
    assert refused.returncode != 0
    assert "not empty" in refused.stderr
    assert _tables(target / "lowdose.sqlite3") == after


def _damage(archive: Path, damaged: Path) -> None:
    """A copy of ``archive`` with one bit of its database flipped."""
    with tarfile.open(archive) as good, tarfile.open(damaged, "w:gz") as bad:
        for info in good.getmembers():
            handle = good.extractfile(info)
            assert handle is not None
            data = handle.read()
            if info.name == "database.sqlite3":
                data = data[:-1] + bytes([data[-1] ^ 1])
            bad.addfile(info, io.BytesIO(data))


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="needs a PostgreSQL cluster (make test-postgres)",
)
def test_backup_then_restore_on_postgresql(tmp_path: Path) -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    base = url.rsplit("/", 1)[0]
    suffix = os.urandom(4).hex()
    source, target = f"backup_source_{suffix}", f"backup_target_{suffix}"
    archive = tmp_path / "backup.tar.gz"
    key = {"LOWDOSE_SECRET_KEY": "test-only-" + suffix}
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {source}")
        admin.execute(f"CREATE DATABASE {target}")
    try:
        on_source = {"DATABASE_URL": f"{base}/{source}", **key}
        on_target = {"DATABASE_URL": f"{base}/{target}", **key}
        for database in (on_source, on_target):  # the target: migrated, no rows
            migrated = _manage(tmp_path, "migrate", "-v0", **database)
            assert migrated.returncode == 0, migrated.stderr
        assert _manage(tmp_path, "shell", "-c", MAKE_DATA, **on_source).returncode == 0
        backup = _manage(tmp_path, "backup", str(archive), **on_source)
        assert backup.returncode == 0, backup.stderr
        restore = _manage(tmp_path, "restore", str(archive), **on_target)
        assert restore.returncode == 0, restore.stderr
        assert "audit verify: 3 events, chain intact" in restore.stdout

        def events(name: str) -> list[tuple[Any, ...]]:
            with psycopg.connect(f"{base}/{name}") as db:
                return db.execute("SELECT * FROM audit_auditevent ORDER BY id").fetchall()

        restored = events(target)
        assert restored == events(source)
        assert len(restored) == 3
        refused = _manage(tmp_path, "restore", str(archive), **on_target)
        assert refused.returncode != 0
        assert "not empty" in refused.stderr
        assert events(target) == restored
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {source} WITH (FORCE)")
            admin.execute(f"DROP DATABASE IF EXISTS {target} WITH (FORCE)")
