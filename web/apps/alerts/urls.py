from __future__ import annotations

from django.urls import path

from apps.alerts import views

app_name = "alerts"
urlpatterns = [
    path("alerts/", views.inbox, name="inbox"),
    path("alerts/<int:alert_id>/acknowledge", views.acknowledge, name="acknowledge"),
    path("alerts/<int:alert_id>/resolve", views.resolve, name="resolve"),
]
