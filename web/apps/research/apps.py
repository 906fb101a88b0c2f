from __future__ import annotations

from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "apps.research"
    label = "research"
    verbose_name = "De-identified research export"
