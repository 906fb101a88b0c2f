"""Recompute the panel's summary of every patient from scratch (see docs/checkin.md).

The worker runs the same job every day (``apps.jobs.schedule.PERIODIC_JOBS``); run this after an
upgrade that adds the summaries, after restoring a backup, or whenever the panel looks wrong.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.checkins.summaries import rebuild_patient_summaries


class Command(BaseCommand):
    help = "Recompute the clinician's panel summary of every patient (safe to run at any time)."

    def handle(self, *args: Any, **options: Any) -> None:
        rebuilt = rebuild_patient_summaries()
        self.stdout.write(
            f"Rebuilt the summaries of {rebuilt} patient{'s' if rebuilt != 1 else ''}."
        )
