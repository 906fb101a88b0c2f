from __future__ import annotations

from django.urls import path

from apps.research import views

app_name = "research"

urlpatterns = [
    path("research/export/", views.export, name="export"),
    path("patients/<int:patient_id>/research/", views.consent, name="consent"),
]
