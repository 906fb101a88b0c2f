from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from apps.accounts import views as account_views
from config.api import api

admin.site.site_header = "lowdose administration"

urlpatterns = [
    path("", account_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("health", account_views.health, name="health"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("apps.accounts.urls")),
    path("", include("apps.checkins.urls")),
    path("", include("apps.alerts.urls")),
    path("", include("apps.clinical.urls")),
    path("", include("apps.pharmacy.urls")),
    path("", include("apps.evidence.urls")),
    path("", include("apps.pharmacology.urls")),
    path("", include("apps.nof1.urls")),
]
