from __future__ import annotations

from django.urls import path, re_path

from apps.fhir import views

app_name = "fhir"
urlpatterns = [
    path("fhir/metadata", views.metadata, name="metadata"),
    path("fhir/Questionnaire", views.questionnaire_search, name="questionnaire_search"),
    path("fhir/Questionnaire/<str:qid>", views.questionnaire_read, name="questionnaire"),
    path(
        "fhir/Questionnaire/<str:qid>/_history/<str:vid>",
        views.questionnaire_read,
        name="questionnaire_version",
    ),
    path("patients/<int:patient_id>/record.fhir.json", views.download, name="download"),
    path("patients/<int:patient_id>/record.zip", views.whole_record_download, name="whole_record"),
    re_path(r"^fhir/(?P<rest>.*)$", views.not_found, name="not_found"),
]
