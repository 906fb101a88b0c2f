"""What a person or a client sees when a request fails outside any view's own handling.

Django calls these for a request it cannot read (400; a body over
``DATA_UPLOAD_MAX_MEMORY_SIZE`` arrives here as :class:`~django.core.exceptions.RequestDataTooBig`
and is answered 413), an address that matches nothing (404) and an unexpected error (500). Under
``/api/`` the answer is JSON like every other API error (``{"detail": ...}``); elsewhere it is a
page that says what to do.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

__all__ = ["bad_request", "not_found", "server_error"]

API_PREFIX = "/api/"


def _answer(
    request: HttpRequest, status: int, title: str, detail: str, template: str = "error.html"
) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": detail}, status=status)
    return render(request, template, {"title": title, "detail": detail}, status=status)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        limit = _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return _answer(
            request,
            413,
            "Too much to send at once",
            f"What you sent is larger than {limit}, the most this server accepts in one go. "
            "Shorten the text (or split the file) and send it again.",
        )
    return _answer(
        request,
        400,
        "The request could not be read",
        "The request could not be read. Go back, reload the page and try again.",
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 404, "Not found", "Not found.", template="404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    detail = (
        "Something went wrong on our side and nothing was saved by this request. "
        "Try again in a minute; if it keeps happening, tell your clinic."
    )
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": detail}, status=500)
    # Rendered without the request: the error may come from a context processor.
    return HttpResponse(render_to_string("500.html", {"detail": detail}), status=500)
