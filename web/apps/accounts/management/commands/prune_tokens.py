from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.accounts.actions import prune_expired_tokens


class Command(BaseCommand):
    help = "Delete expired API tokens (issuing a token also prunes them; run this daily from cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = prune_expired_tokens()
        self.stdout.write(f"Deleted {deleted} expired API token{'s' * (deleted != 1)}.")
