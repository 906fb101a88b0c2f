from __future__ import annotations

from django.urls import path

from apps.accounts import views
from apps.audit import views as audit_views
from apps.pharmacy import views as pharmacy_views

app_name = "accounts"
urlpatterns = [
    path("invite/new/", views.invite, name="invite"),
    path("invite/<str:token>/", views.accept, name="accept"),
    path("pharmacy/", pharmacy_views.queue, name="pharmacy"),
    path("audit/", audit_views.audit_log, name="audit"),
    path("patients/<int:patient_id>/settings/", views.patient_settings, name="settings"),
]
