from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.demo.clinic import load_demo


class Command(BaseCommand):
    help = "Create the demo clinic (idempotent: running it twice changes nothing)."

    def handle(self, *args: Any, **options: Any) -> None:
        added = load_demo()
        summary = ", ".join(f"{name}: {count} new check-ins" for name, count in added.items())
        self.stdout.write(f"Demo clinic ready ({summary}).")
