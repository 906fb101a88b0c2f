from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.accounts.housekeeping import prune_expired_api_tokens


class Command(BaseCommand):
    help = (
        "Delete expired API tokens now (the worker does it daily, and issuing a token does it "
        "too); audited with the count."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = prune_expired_api_tokens()
        self.stdout.write(f"Deleted {deleted} expired API token{'s' * (deleted != 1)}.")
