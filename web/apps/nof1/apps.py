from __future__ import annotations

from django.apps import AppConfig


class Nof1Config(AppConfig):
    name = "apps.nof1"
    label = "nof1"
    verbose_name = "Blinded N-of-1 trials"
