"""The interactive API documentation at /api/v1/docs, served entirely from our own origin.

django-ninja's default Swagger page loads Swagger UI from a CDN when ``ninja`` is not an installed
app (it is not here), which the Content-Security-Policy blocks and an offline clinic cannot reach.
This page uses the vendored ``swagger-ui-dist`` (``web/static/vendor/README.md``) and starts it
from a static script, since the policy forbids inline scripts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI

__all__ = ["SWAGGER_UI_VERSION", "LocalSwagger"]

SWAGGER_UI_VERSION = "5.36.0"  # the vendored swagger-ui-dist; its files carry this in their names


class LocalSwagger(Swagger):
    template = "api/docs.html"

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        swagger_settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(
            request,
            self.template,
            {
                "api": api,
                "swagger_settings": swagger_settings,
                "swagger_ui_version": SWAGGER_UI_VERSION,
            },
        )
