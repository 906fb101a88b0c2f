"""Refuse a NUL character in a page's form or query string before any view looks anything up.

PostgreSQL cannot store or compare text containing NUL (``\\x00``): a lookup with one is a server
error, not a clear refusal. The REST API refuses NUL in its own parser (``config.api_input``); this
guard covers every page form and query string (uploaded files are left to their own validation)
and answers 400 with a sentence for people. Nothing is read or changed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.multipartparser import MultiPartParserError

__all__ = ["NulGuardMiddleware", "has_nul"]

API_PREFIX = "/api/"  # the API's parser answers NUL with its own JSON error
MESSAGE = (
    "The form contained an invisible control character (NUL) that cannot be stored. "
    "Retype the text without it (it often comes from copying out of another program) and send "
    "the form again."
)


def has_nul(request: HttpRequest) -> bool:
    """True when a query-string or form value (or key) contains NUL."""
    if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get(
        "QUERY_STRING", ""
    ):
        return True
    if request.method != "POST":
        return False
    try:
        form = request.POST
    except MultiPartParserError:
        return False  # the view answers a broken upload itself
    return any("\x00" in key or any("\x00" in v for v in form.getlist(key)) for key in form)


class NulGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX) and has_nul(request):
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
