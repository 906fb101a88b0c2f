"""``Cache-Control: no-store`` on every response that can carry patient data.

A browser's disk cache, a shared clinic computer's back button and any proxy between the clinic and
the server must keep no copy of a diary, a plan or an export. So the header goes on:

- every response to a signed-in person (pages, HTMX partials, redirects, errors);
- every response of the REST API and every request that carries an ``Authorization`` header (a
  bearer token authenticates inside the API view, after this middleware has seen the request);
- every download (``Content-Disposition: attachment``: CSV, iCalendar, FHIR), whoever asked.

Static files (WhiteNoise answers them before this middleware) and the public pages an anonymous
visitor sees keep their caching.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

__all__ = ["NoStoreMiddleware", "may_carry_patient_data"]

API_PREFIX = "/api/"  # config.urls mounts the API at /api/v1/


def may_carry_patient_data(request: HttpRequest, response: HttpResponse) -> bool:
    if request.path.startswith(API_PREFIX) or "HTTP_AUTHORIZATION" in request.META:
        return True
    if response.get("Content-Disposition", "").lower().startswith("attachment"):
        return True
    user = getattr(request, "user", None)  # absent when a middleware above answered early
    return bool(user is not None and user.is_authenticated)


def _stores_nothing(response: HttpResponse) -> bool:
    directives = response.get("Cache-Control", "").split(",")
    return any(d.split("=")[0].strip().lower() == "no-store" for d in directives)


class NoStoreMiddleware:
    """Sets ``Cache-Control: no-store``, replacing a weaker policy a view may have set (a
    ``max-age`` beside ``no-store`` would only confuse a cache); a policy that already says
    ``no-store`` (Django's ``never_cache``) is kept. Place it right below WhiteNoise, so it also
    covers the answers of the middleware below it (two-factor redirects, CSRF failures)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if may_carry_patient_data(request, response) and not _stores_nothing(response):
            response["Cache-Control"] = "no-store"
            # Pages differ per person; Expires from an earlier policy must not outlive it.
            if "Expires" in response:
                del response["Expires"]
        return response
