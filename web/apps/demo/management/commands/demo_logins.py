from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from apps.accounts.models import User
from apps.demo.clinic import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo logins (demo data only: never use these on a real clinic's server)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}; demo data only):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.username:<11} {login.role:<11} {login.what_to_click}")
        exempt = list(
            User.objects.filter(mfa_exempt=True)
            .order_by("username")
            .values_list("username", flat=True)
        )
        if exempt:
            self.stdout.write(
                f"Demo accounts skip two-factor authentication: {', '.join(exempt)} "
                "(real accounts never do)."
            )
        self.stdout.write("")
