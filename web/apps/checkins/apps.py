from __future__ import annotations

from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "apps.checkins"
    label = "checkins"
    verbose_name = "Daily check-ins"

    def ready(self) -> None:
        # The alerts app sits below this one: it tells the panel's summary of an alert opened
        # or closed through its watcher list instead of importing upwards.
        from apps.alerts.actions import watch_alert_changes
        from apps.checkins.summaries import refresh_alert_counts

        watch_alert_changes(refresh_alert_counts)
