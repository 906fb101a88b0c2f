from __future__ import annotations

from django.urls import path

from apps.nof1 import views

app_name = "nof1"
urlpatterns = [
    path("patients/<int:patient_id>/nof1/", views.trial_list, name="list"),
    path("patients/<int:patient_id>/nof1/new/", views.trial_new, name="new"),
    path("nof1/<int:trial_id>/", views.trial_detail, name="detail"),
    path("nof1/<int:trial_id>/assistant/", views.trial_assistant, name="assistant"),
    path("nof1/<int:trial_id>/lock/", views.trial_lock, name="lock"),
    path("nof1/<int:trial_id>/stop/", views.trial_stop, name="stop"),
    path("nof1/<int:trial_id>/unblind/", views.trial_unblind, name="unblind"),
    path("nof1/<int:trial_id>/emergency/", views.trial_emergency, name="emergency"),
    path("nof1/<int:trial_id>/kits/", views.kit_list, name="kits"),
    path("nof1/<int:trial_id>/kits/prepared/", views.kits_prepared, name="kits_prepared"),
    path("pharmacy/nof1/", views.pharmacy_trials, name="pharmacy"),
    path("research/nof1/", views.research, name="research"),
]
