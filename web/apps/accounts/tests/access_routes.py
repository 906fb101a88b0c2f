"""Access matrix rows for the site-wide, account and API-auth routes."""

from __future__ import annotations

from apps.accounts.tests.matrix import Route, every_role

ROUTES: tuple[Route, ...] = (
    Route(
        "accounts:settings",
        "GET",
        "/patients/{pid}/settings/",
        every_role(404, anonymous=302, patient=200, clinician=200),
        every_role(404, anonymous=302),
        audited=True,
    ),
    Route(
        "accounts:settings",
        "POST",
        "/patients/{pid}/settings/",
        every_role(404, anonymous=302, patient=302, clinician=302),
        every_role(404, anonymous=302),
        body={"time_zone": "America/New_York"},
        audited=True,
    ),
    Route("home", "GET", "/", every_role(302)),
    Route("login", "GET", "/accounts/login/", every_role(302, anonymous=200)),
    Route("logout", "POST", "/accounts/logout/", every_role(302)),
    Route("health", "GET", "/health", every_role(200)),
    Route("accounts:invite", "GET", "/invite/new/", every_role(404, anonymous=302, clinician=200)),
    Route("accounts:accept", "GET", "/invite/{token}/", every_role(200)),
    Route("accounts:pharmacy", "GET", "/pharmacy/", every_role(404, anonymous=302, pharmacist=200)),
    Route("accounts:audit", "GET", "/audit/", every_role(404, anonymous=302, admin=200)),
    Route("admin:index", "GET", "/admin/", every_role(302, admin=200)),
    Route("api:openapi-json", "GET", "/api/v1/openapi.json", every_role(200), api=True),
    Route("api:openapi-view", "GET", "/api/v1/docs", every_role(200), api=True),
    Route("api:api-root", "GET", "/api/v1/", every_role(404), api=True),
    Route(
        "api:issue_token",
        "POST",
        "/api/v1/auth/token",
        every_role(401),
        body={"username": "nobody", "password": "wrong"},
        api=True,
    ),
    Route("api:me", "GET", "/api/v1/me", every_role(200, anonymous=401), api=True),
    Route(
        "api:list_tokens", "GET", "/api/v1/auth/tokens", every_role(200, anonymous=401), api=True
    ),
    Route(
        "api:revoke_token",
        "DELETE",
        "/api/v1/auth/tokens/999999",
        every_role(404, anonymous=401),
        api=True,
    ),
    Route(
        "api:revoke_current_token",
        "DELETE",
        "/api/v1/auth/token",
        every_role(204, anonymous=401),
        api=True,
    ),
    # Two-factor pages (personas have passed two-factor; staff already have a device).
    Route("accounts:two_factor", "GET", "/accounts/two-factor/", every_role(200, anonymous=302)),
    Route(
        "accounts:two_factor_setup",
        "GET",
        "/accounts/two-factor/setup/",
        every_role(302, patient=200),
    ),
    Route("accounts:two_factor_verify", "GET", "/accounts/two-factor/verify/", every_role(302)),
    # Password reset by e-mail is open to everyone; changing it needs a login.
    Route("password_reset", "GET", "/accounts/password/reset/", every_role(200)),
    Route("password_reset_done", "GET", "/accounts/password/reset/sent/", every_role(200)),
    Route(
        "password_reset_confirm",
        "GET",
        "/accounts/password/reset/MQ/not-a-token/",
        every_role(200),
    ),
    Route("password_reset_complete", "GET", "/accounts/password/reset/done/", every_role(200)),
    Route("password_change", "GET", "/accounts/password/change/", every_role(200, anonymous=302)),
    Route(
        "password_change_done",
        "GET",
        "/accounts/password/change/done/",
        every_role(200, anonymous=302),
    ),
    Route(
        "api:list_audit_events",
        "GET",
        "/api/v1/audit",
        every_role(404, anonymous=401, admin=200),
        api=True,
    ),
)
