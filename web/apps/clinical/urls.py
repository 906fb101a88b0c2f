from __future__ import annotations

from django.urls import path

from apps.clinical import assessment_views, views

app_name = "clinical"
_RX = "patients/<int:patient_id>/prescriptions/<int:prescription_id>/"
urlpatterns = [
    path("patients/<int:patient_id>/screening/", views.screening, name="screening"),
    path("patients/<int:patient_id>/screening/resolve/", views.resolve, name="resolve"),
    path("patients/<int:patient_id>/prescriptions/new/", views.prescription_new, name="new"),
    path(_RX, views.prescription, name="prescription"),
    path(_RX + "sign/", views.sign, name="sign"),
    path(_RX + "adjust/", views.adjust, name="adjust"),
    path(_RX + "plan.ics", views.calendar, name="calendar"),
    path(_RX + "medication-request.json", views.fhir, name="fhir"),
    path("patients/<int:patient_id>/treatment/", views.treatment, name="treatment"),
    path("patients/<int:patient_id>/wallet-card/", views.card, name="card"),
    path(
        "patients/<int:patient_id>/assessments/",
        assessment_views.assessments,
        name="assessments",
    ),
    path(
        "patients/<int:patient_id>/assessments/<int:assignment_id>/",
        assessment_views.complete,
        name="assessment",
    ),
    path(
        "patients/<int:patient_id>/assessment-results/<int:result_id>/",
        assessment_views.result,
        name="assessment_result",
    ),
    path(
        "patients/<int:patient_id>/assessment-results/<int:result_id>/fhir.json",
        assessment_views.result_fhir,
        name="assessment_fhir",
    ),
]
