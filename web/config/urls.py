from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from apps.accounts import auth_views as auth_pages
from apps.accounts import views as account_views
from apps.accounts.urls import urlpatterns as account_patterns
from apps.pharmacy import views as pharmacy_views
from config.api import api

admin.site.site_header = "lowdose administration"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/login/", auth_pages.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Password reset by e-mail and change: Django's own views, our templates.
    path("accounts/password/reset/", auth_pages.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(template_name="accounts/password_change.html"),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("health", account_views.health, name="health"),
    path("", include("apps.webapp.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    # The pharmacy queue keeps its name "accounts:pharmacy"; its view is the pharmacy app's.
    path(
        "",
        include(
            (
                [*account_patterns, path("pharmacy/", pharmacy_views.queue, name="pharmacy")],
                "accounts",
            )
        ),
    ),
    path("", include("apps.checkins.urls")),
    path("", include("apps.alerts.urls")),
    path("", include("apps.notifications.urls")),
    path("", include("apps.clinical.urls")),
    path("", include("apps.pharmacy.urls")),
    path("", include("apps.evidence.urls")),
    path("", include("apps.pharmacology.urls")),
    path("", include("apps.nof1.urls")),
    path("", include("apps.research.urls")),
    path("", include("apps.reports.urls")),
    path("", include("apps.fhir.urls")),
    path("", include("apps.sharing.urls")),
]

handler400 = "config.errors.bad_request"
handler404 = "config.errors.not_found"
handler500 = "config.errors.server_error"
