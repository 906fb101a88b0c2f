from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo clinic (``make run``'s ``load_demo``): built through every other app's actions,
    so it sits above them all and nothing imports it."""

    name = "apps.demo"
    label = "demo"
    verbose_name = "Demo clinic"
