"""Raise the "no check-in" alerts of every silent patient (run daily; see docs/alerts.md).

Until background work arrives (issue 14) run it from cron or a systemd timer; ``make run`` runs it
once after loading the demo.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from apps.checkins.followup import sweep_silence


class Command(BaseCommand):
    help = "Raise a no-check-in alert for every patient silent for 3 days or more."

    def handle(self, *args: Any, **options: Any) -> None:
        raised = sweep_silence(timezone.now())
        self.stdout.write(f"Raised {raised} no-check-in alert{'s' if raised != 1 else ''}.")
