from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class JobsConfig(AppConfig):
    """Background work: the one list of periodic jobs (:mod:`apps.jobs.schedule`), written into
    Django-Q2's schedules after every ``migrate``. The jobs themselves live in the apps that own
    the data; this app imports none of them (the schedule names them by dotted path)."""

    name = "apps.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        post_migrate.connect(_sync_after_migrate, sender=self)


def _sync_after_migrate(using: str = "default", **kwargs: Any) -> None:
    from apps.jobs.schedule import sync_schedules  # the models are ready only now

    sync_schedules(using=using)
