from __future__ import annotations

from django.apps import AppConfig


class WebappConfig(AppConfig):
    """The installed web app: its manifest and service worker (the app shell and the check-in page
    offline), and Web Push to the browsers people turned notifications on in
    (:mod:`apps.webapp.push`)."""

    name = "apps.webapp"
    label = "webapp"
    verbose_name = "Installed web app and Web Push"
