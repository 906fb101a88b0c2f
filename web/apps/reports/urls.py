from __future__ import annotations

from django.urls import path

from apps.reports import views

app_name = "reports"
urlpatterns = [
    path("patients/<int:patient_id>/visit-report/", views.report_page, name="page"),
    path("patients/<int:patient_id>/visit-report.pdf", views.report_pdf, name="pdf"),
]
