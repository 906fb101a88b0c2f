"""``manage.py backup PATH``: one ``.tar.gz`` (mode 600) with the database, the secret key file,
the licensed wording and a manifest (:mod:`apps.audit.backups`): a SQLite copy made with the online
backup API, or ``pg_dump -Fc`` on PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.audit.backups import write_backup
from config.errors import BackupError


class Command(BaseCommand):
    help = "Write a backup archive (.tar.gz, mode 600) of the database, secret key and wording."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the archive to create (must not exist)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            manifest = write_backup(path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        audit = manifest["audit"]
        self.stdout.write(
            f"backup written to {path}: {manifest['database_vendor']} database, "
            f"{audit['events']} audit events ending in {audit['last_hash'][:12]}…, "
            f"secret key {manifest['secret_key']}, "
            f"{len(manifest['licensed_wording'])} licensed wording file(s)"
        )
