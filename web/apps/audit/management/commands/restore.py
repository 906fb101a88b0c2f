"""``manage.py restore PATH``: restore a ``manage.py backup`` archive into an EMPTY database
(refused if any table holds rows: a restore never merges), then walk the audit chain.

Exit 0 when the chain is intact and ends with the manifest's number of events and last hash;
exit 1 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.audit.backups import restore_backup
from config.errors import BackupError


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database, then run the audit verification."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="an archive written by manage.py backup")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restored = restore_backup(options["path"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = restored.manifest
        self.stdout.write(
            f"restored the backup of {manifest['created_at']} (lowdose "
            f"{manifest['lowdose_version']}); run manage.py migrate if this lowdose is newer"
        )
        for note in restored.notes:
            self.stdout.write(note)
        result = restored.verification
        expected = manifest["audit"]["events"]
        if result.first_break is not None:
            self.stderr.write(
                f"audit verify: chain broken at {result.first_break} "
                f"(checked {result.events} events up to there)"
            )
            sys.exit(1)
        if not restored.matches_manifest:
            self.stderr.write(
                f"audit verify: {result.events} events ending in {restored.last_hash[:12]}…, "
                f"chain intact, but the manifest records {expected} ending in "
                f"{manifest['audit']['last_hash'][:12]}…"
            )
            sys.exit(1)
        self.stdout.write(f"audit verify: {result.events} events, chain intact")
