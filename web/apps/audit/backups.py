"""Backup and restore of a lowdose install: one ``.tar.gz``, restored into an empty database.

The archive (mode 600) holds, as flat members:

``manifest.json``
    lowdose version, UTC date, database vendor, the audit log's event count and last chain hash,
    where the secret key comes from, and the SHA-256 of every other member.
``database.sqlite3``
    a consistent copy of the SQLite database, taken with SQLite's online backup API (the app may
    keep running; the copy is one snapshot).
``database.pgdump``
    or, on PostgreSQL, ``pg_dump -Fc`` (connection parameters from the settings) of the snapshot in
    which the manifest's audit count and hash are read.
``secret_key``
    ``var/secret_key`` when the install uses it; a key given by ``LOWDOSE_SECRET_KEY`` or
    ``LOWDOSE_SECRET_KEY_FILE`` is not copied (the manifest says so): back it up where it lives.
``wording/<n>-<name>``
    each licensed-wording file of ``settings.LICENSED_WORDING_FILES``.

Why not ``dumpdata``/``loaddata``: the fixture format drops microseconds from timestamps, so every
restored audit event would hash differently and ``audit verify`` would fail; and ``loaddata``
merges into whatever the database already holds. A restore here copies the SQLite file page by
page (or runs ``pg_restore``), refuses a database that holds any rows, and ends with
:func:`apps.audit.chain.verify`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

import lowdose
from apps.audit.chain import GENESIS, Verification, verify
from config.errors import BackupError

__all__ = [
    "BOOKKEEPING_TABLES",
    "Restored",
    "restore_backup",
    "tables_with_rows",
    "write_backup",
]

MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRESQL_MEMBER = "database.pgdump"
KEY_MEMBER = "secret_key"
WORDING_DIR = "wording/"
FORMAT = 1

#: Tables that ``manage.py migrate`` fills in a new database. Their rows say nothing about patients
#: or the audit log, and the restore replaces them with the backup's, so they do not make a
#: database "not empty". The chain head counts when it records at least one event; the background
#: jobs' schedules are written by every ``migrate`` (``apps.jobs``).
BOOKKEEPING_TABLES = frozenset(
    {
        "django_migrations",
        "django_q_schedule",
        "django_content_type",
        "auth_permission",
        "audit_auditchainhead",
        "sqlite_sequence",
    }
)


def _private_file(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _key_from_environment() -> bool:
    return bool(os.environ.get("LOWDOSE_SECRET_KEY") or os.environ.get("LOWDOSE_SECRET_KEY_FILE"))


def _audit_summary(copy: sqlite3.Connection) -> dict[str, Any]:
    """The audit log of the copy (not of the live database, which may have moved on)."""
    (events,) = copy.execute("SELECT count(*) FROM audit_auditevent").fetchone()
    head = copy.execute("SELECT last_hash FROM audit_auditchainhead WHERE id = 1").fetchone()
    return {"events": events, "last_hash": head[0] if head is not None else GENESIS}


def _sqlite_copy() -> tuple[bytes, dict[str, Any]]:
    """One consistent snapshot of the live SQLite database (online backup API), and its audit
    log's event count and last hash."""
    connection.ensure_connection()
    source = connection.connection
    with tempfile.TemporaryDirectory() as scratch:  # mode 700
        target_path = Path(scratch) / SQLITE_MEMBER
        target = sqlite3.connect(target_path)
        try:
            source.backup(target)
            # One self-contained file: no -wal beside it when it is read back.
            target.execute("PRAGMA journal_mode=DELETE")
            audit = _audit_summary(target)
        finally:
            target.close()
        return target_path.read_bytes(), audit


def _pg_environment() -> dict[str, str]:
    """libpq's variables for ``pg_dump``/``pg_restore``, from the settings' connection (the
    password travels in the environment, never on a command line)."""
    db = settings.DATABASES["default"]
    named = {
        "PGDATABASE": db.get("NAME"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
    }
    return {**os.environ, **{k: str(v) for k, v in named.items() if v}}


def _pg_tool(name: str, *args: str) -> None:
    try:
        subprocess.run(  # noqa: S603 - fixed program, arguments from settings and temp paths
            [name, *args], env=_pg_environment(), check=True, capture_output=True, text=True
        )
    except FileNotFoundError:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools.") from None
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{name} failed: {error.stderr.strip()}") from None


def _postgresql_dump() -> tuple[bytes, dict[str, Any]]:
    """``pg_dump -Fc`` of the snapshot in which the audit count and chain head are read, so the
    manifest describes exactly the dumped rows."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        (snapshot,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM audit_auditevent")
        (events,) = cursor.fetchone()
        cursor.execute("SELECT last_hash FROM audit_auditchainhead WHERE id = 1")
        head = cursor.fetchone()
        with tempfile.TemporaryDirectory() as scratch:  # mode 700
            dump = Path(scratch) / POSTGRESQL_MEMBER
            _pg_tool(
                "pg_dump",
                "-Fc",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                "-f",
                str(dump),
            )
            data = dump.read_bytes()
    return data, {"events": events, "last_hash": head[0] if head is not None else GENESIS}


def write_backup(path: Path) -> dict[str, Any]:
    """Write the archive to ``path`` (which must not exist) with mode 600; return its manifest."""
    if connection.vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"manage.py backup: {connection.vendor} is not supported.")
    if path.exists():
        raise BackupError(f"{path} exists: give a new file name (a backup never overwrites).")
    if connection.vendor == "sqlite":
        database, audit = _sqlite_copy()
        members: dict[str, bytes] = {SQLITE_MEMBER: database}
    else:
        database, audit = _postgresql_dump()
        members = {POSTGRESQL_MEMBER: database}
    if _key_from_environment():
        key_source = "environment (LOWDOSE_SECRET_KEY or _FILE): not in the archive"
    else:
        key_file = Path(settings.VAR_DIR) / "secret_key"
        members[KEY_MEMBER] = key_file.read_bytes()
        key_source = "var/secret_key: in the archive"
    wording = []
    for number, name in enumerate(settings.LICENSED_WORDING_FILES, start=1):
        source = Path(name)
        member = f"{WORDING_DIR}{number}-{source.name}"
        members[member] = source.read_bytes()
        wording.append({"member": member, "path": str(source.resolve())})
    manifest = {
        "format": FORMAT,
        "lowdose_version": lowdose.__version__,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database_vendor": connection.vendor,
        "audit": audit,
        "secret_key": key_source,
        "licensed_wording": wording,
        "sha256": {name: _sha256(data) for name, data in members.items()},
    }
    members[MANIFEST] = json.dumps(manifest, indent=2, sort_keys=True).encode() + b"\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            for name in [MANIFEST, *sorted(set(members) - {MANIFEST})]:
                info = tarfile.TarInfo(name)
                info.size = len(members[name])
                info.mode = 0o600
                info.mtime = int(datetime.now(UTC).timestamp())
                archive.addfile(info, io.BytesIO(members[name]))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return manifest


def _read_archive(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The manifest and the members, each checked against the manifest's SHA-256. Members are
    read into memory by name; nothing is extracted to a path the archive chooses."""
    try:
        with tarfile.open(path, mode="r:gz") as archive:
            members: dict[str, bytes] = {}
            for info in archive.getmembers():
                handle = archive.extractfile(info) if info.isfile() else None
                if handle is None:
                    raise BackupError(f"{path}: {info.name!r} is not a regular file.")
                members[info.name] = handle.read()
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{path}: not a lowdose backup archive ({error}).") from None
    if MANIFEST not in members:
        raise BackupError(f"{path}: no {MANIFEST}; not a lowdose backup archive.")
    manifest = json.loads(members.pop(MANIFEST))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: archive format {manifest.get('format')!r}, expected {FORMAT}.")
    expected = manifest.get("sha256", {})
    if set(expected) != set(members):
        raise BackupError(f"{path}: members {sorted(members)} differ from the manifest's.")
    for name, data in members.items():
        if _sha256(data) != expected[name]:
            raise BackupError(f"{path}: {name} is damaged (SHA-256 differs from the manifest).")
    return manifest, members


def tables_with_rows() -> list[str]:
    """The tables of the current database that hold rows (see :data:`BOOKKEEPING_TABLES`)."""
    found = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            if table == "audit_auditchainhead":  # filled by its migration: counts from 1 event
                cursor.execute(f"SELECT 1 FROM {quoted} WHERE length > 0")  # noqa: S608
            elif table in BOOKKEEPING_TABLES:
                continue
            else:
                cursor.execute(f"SELECT 1 FROM {quoted} LIMIT 1")  # noqa: S608
            if cursor.fetchone() is not None:
                found.append(table)
    return found


@dataclass(frozen=True)
class Restored:
    """What :func:`restore_backup` did, and what ``audit verify`` says afterwards."""

    manifest: dict[str, Any]
    verification: Verification
    last_hash: str
    notes: list[str] = field(default_factory=list)

    @property
    def matches_manifest(self) -> bool:
        """The chain is intact and ends where the backup's did: same length, same last hash."""
        audit = self.manifest["audit"]
        return (
            self.verification.intact
            and self.verification.events == int(audit["events"])
            and self.last_hash == audit["last_hash"]
        )


def restore_backup(path: Path) -> Restored:
    """Restore ``path`` into the configured database, which must be empty; then verify the chain."""
    manifest, members = _read_archive(path)
    vendor = manifest.get("database_vendor")
    if connection.vendor != vendor or vendor not in {"sqlite", "postgresql"}:
        raise BackupError(
            f"the archive holds a {vendor} database and this one is {connection.vendor}: "
            "restore into the same kind of database (docs/deployment.md, Backups)."
        )
    busy = tables_with_rows()
    if busy:
        raise BackupError(
            "the database is not empty (rows in "
            + ", ".join(busy)
            + "): restore never merges. "
            + (
                "Restore into a new, empty database (a new LOWDOSE_VAR_DIR, or move "
                f"{settings.DATABASES['default']['NAME']} aside) and run restore again."
                if connection.vendor == "sqlite"
                else "Make a new database (createdb), point DATABASE_URL at it and run restore "
                "again."
            )
        )
    if vendor == "postgresql":
        _postgresql_restore(members[POSTGRESQL_MEMBER])
    else:
        _sqlite_restore(members[SQLITE_MEMBER])
    notes = [_restore_key(members), *_restore_wording(manifest, members)]
    connection.close()  # the next query opens the restored database
    from apps.audit.models import AuditChainHead

    head = AuditChainHead.objects.filter(pk=AuditChainHead.ONLY).first()
    last_hash = head.last_hash if head is not None else GENESIS
    return Restored(manifest, verify(), last_hash, [note for note in notes if note])


def _postgresql_restore(data: bytes) -> None:
    """``pg_restore`` in one transaction; tables ``migrate`` made (all without rows, checked
    before) are dropped first and made again from the dump."""
    with connection.cursor() as cursor:
        has_tables = bool(connection.introspection.table_names(cursor))
    connection.close()
    with tempfile.TemporaryDirectory() as scratch:  # mode 700
        dump = Path(scratch) / POSTGRESQL_MEMBER
        _private_file(dump, data)
        clean = ["--clean", "--if-exists"] if has_tables else []
        _pg_tool(
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *clean,
            "-d",
            _pg_environment()["PGDATABASE"],
            str(dump),
        )


def _sqlite_restore(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as scratch:  # mode 700
        source_path = Path(scratch) / SQLITE_MEMBER
        _private_file(source_path, data)
        connection.close()
        source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
        target = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=5)
        try:
            source.backup(target)  # replaces every page of the target: schema and rows
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
            source.close()


def _restore_key(members: dict[str, bytes]) -> str:
    if KEY_MEMBER not in members:
        return (
            "secret key: not in the archive (it came from the environment); set the same "
            "LOWDOSE_SECRET_KEY or LOWDOSE_SECRET_KEY_FILE here."
        )
    if _key_from_environment():
        return (
            "secret key: this install takes its key from the environment; the archive's key "
            "(member secret_key) was not written. Sessions and reset links signed by the old "
            "install will not be accepted."
        )
    key_file = Path(settings.VAR_DIR) / "secret_key"
    if key_file.exists() and key_file.read_bytes() == members[KEY_MEMBER]:
        return "secret key: var/secret_key already holds the archive's key."
    replacement = key_file.with_name(".secret_key.restoring")
    replacement.unlink(missing_ok=True)
    _private_file(replacement, members[KEY_MEMBER])
    replacement.replace(key_file)
    return "secret key: var/secret_key restored (restart the app servers to use it)."


def _restore_wording(manifest: dict[str, Any], members: dict[str, bytes]) -> list[str]:
    notes = []
    for entry in manifest.get("licensed_wording", []):
        data = members[entry["member"]]
        target = Path(entry["path"])
        if target.exists():
            same = target.read_bytes() == data
            notes.append(
                f"licensed wording {target}: "
                + ("already in place." if same else "differs from the archive's; kept as it is.")
            )
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        _private_file(target, data)
        notes.append(f"licensed wording {target}: restored.")
    return notes
