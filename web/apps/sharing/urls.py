from __future__ import annotations

from django.urls import path

from apps.sharing import views

app_name = "sharing"
urlpatterns = [
    path("patients/<int:patient_id>/share-links/", views.share_links, name="links"),
    path("patients/<int:patient_id>/share-links/preview.pdf", views.preview, name="preview"),
    path(
        "patients/<int:patient_id>/share-links/<int:link_id>/revoke/",
        views.revoke,
        name="revoke",
    ),
    path("shared", views.viewer, name="viewer"),
    path("shl/<str:manifest_id>", views.manifest, name="manifest"),
]
