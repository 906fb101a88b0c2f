from __future__ import annotations

from django.urls import path

from apps.accounts import audit_views, auth_views, views

app_name = "accounts"
#: Also in this namespace: ``accounts:pharmacy``, the pharmacy queue (``config.urls`` adds it: its
#: view is the pharmacy app's, which builds on accounts).
urlpatterns = [
    path("accounts/two-factor/", auth_views.two_factor_manage, name="two_factor"),
    path("accounts/two-factor/setup/", auth_views.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-factor/verify/", auth_views.two_factor_verify, name="two_factor_verify"),
    path("invite/new/", views.invite, name="invite"),
    path("invite/<str:token>/", views.accept, name="accept"),
    path("audit/", audit_views.audit_log, name="audit"),
    path("patients/<int:patient_id>/settings/", views.patient_settings, name="settings"),
]
