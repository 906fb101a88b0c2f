"""``manage.py audit verify``: walk the hash chain of the audit log.

Exit 0 and "N events, chain intact", or exit 1 naming the first event that was edited, removed
or inserted (and what differs). Read-only: safe to run on a live clinic database at any time.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from apps.audit.chain import verify


class Command(BaseCommand):
    help = "Check the audit log: 'verify' walks the hash chain and names the first broken link."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="command", required=True)
        sub.add_parser("verify", help="walk the chain; exit 1 at the first broken or missing link")

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify()
        if result.first_break is None:
            noun = "event" if result.events == 1 else "events"
            self.stdout.write(f"{result.events} {noun}, chain intact")
            return
        self.stderr.write(
            f"audit chain broken at {result.first_break} "
            f"(checked {result.events} events up to there)"
        )
        sys.exit(1)
