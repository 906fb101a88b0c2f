from __future__ import annotations

from django.urls import path

from apps.checkins import panel, views

app_name = "checkins"
urlpatterns = [
    path("panel/", panel.panel, name="panel"),
    path("patients/<int:patient_id>/", views.dashboard, name="dashboard"),
    path("patients/<int:patient_id>/checkin/", views.checkin_form, name="new"),
    path(
        "patients/<int:patient_id>/checkins/<int:checkin_id>/change/",
        views.change_checkin_page,
        name="change",
    ),
    path(
        "patients/<int:patient_id>/checkins/<int:checkin_id>/delete/",
        views.delete_checkin_page,
        name="delete",
    ),
    path("patients/<int:patient_id>/checkins.csv", views.export_csv, name="export"),
    path("patients/<int:patient_id>/checkins/import/", views.import_csv, name="import"),
    path("patients/<int:patient_id>/chart.<str:fmt>", views.chart_image, name="chart"),
]
