from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    verbose_name = "Reminders and notifications"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from apps.alerts.models import Alert
        from apps.notifications.dispatch import on_alert_saved

        # A new safety-net alert reaches the patient's clinicians (apps.notifications.dispatch).
        post_save.connect(on_alert_saved, sender=Alert, dispatch_uid="notifications.alert")
