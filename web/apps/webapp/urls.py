from __future__ import annotations

from django.urls import path

from apps.webapp import views

app_name = "webapp"
urlpatterns = [
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
]
