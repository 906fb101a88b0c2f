from __future__ import annotations

from django.urls import path

from apps.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/<int:notification_id>/read", views.read, name="read"),
    path("me/reminders/", views.reminder_settings, name="settings"),
]
