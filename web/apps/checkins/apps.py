from __future__ import annotations

from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "apps.checkins"
    label = "checkins"
    verbose_name = "Daily check-ins"
