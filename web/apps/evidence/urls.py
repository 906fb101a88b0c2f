from __future__ import annotations

from django.urls import path

from apps.evidence import views

app_name = "evidence"
urlpatterns = [
    path("evidence/", views.patient_page, name="patient"),
    path("evidence/clinician/", views.clinician_page, name="clinician"),
    path("evidence/trials/new/", views.trial_form, name="add_trial"),
    path("evidence/review/", views.review_list, name="review"),
    path("evidence/review/<int:pk>/", views.review, name="review_trial"),
]
