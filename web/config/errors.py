"""The web layer's exceptions, the HTTP status of every domain error, and what a person or a
client sees when a request fails outside any view's own handling.

The web layer's own tree (the core's is :mod:`lowdose.errors`)::

    ApiInputError (Exception)         a request the API will not read; ``status``, ``field``
    ├── UnsupportedMediaTypeError     415: the body is not JSON
    └── NulCharacterError             400: a NUL character in the body or the query string
    lowdose.errors.InputError
    ├── lowdose.errors.CheckinError
    │   └── CheckinConflictError      409: a ``client_id`` reused for another entry, or a change
    │                                 past the change window or to a deleted check-in
    └── AlertClosedError              409: the alert was already resolved
    BackupError (Exception)           a backup or restore refused (management commands)
    ExportRefusedError (Exception)    a FHIR export refused: ``status`` 400, 403 or 404, answered
                                      as an OperationOutcome (:mod:`apps.fhir`)
    ImportRefusedError (Exception)    a FHIR import refused, nothing written: ``status`` 400, 403
                                      or 404 and every problem by path (:mod:`apps.fhir.importing`)
    AuditImmutableError (RuntimeError)  any attempt to change or remove an audit event

:func:`api_status` is the one table from an error to its HTTP status; :mod:`config.api` answers
every domain error through it.

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

from lowdose.errors import CheckinError, InputError, ScreenBlockedError
from lowdose.interop.fhir.reader import Problem

__all__ = [
    "AlertClosedError",
    "ApiInputError",
    "AuditImmutableError",
    "BackupError",
    "CheckinConflictError",
    "ExportRefusedError",
    "ImportRefusedError",
    "NulCharacterError",
    "UnsupportedMediaTypeError",
    "api_status",
    "bad_request",
    "not_found",
    "server_error",
]

API_PREFIX = "/api/"


class ApiInputError(Exception):
    """A request the API refuses to read; ``status`` is the HTTP code, ``field`` the input."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class UnsupportedMediaTypeError(ApiInputError):
    status = 415


class NulCharacterError(ApiInputError):
    status = 400


class CheckinConflictError(CheckinError):
    """The request conflicts with what is stored (HTTP 409): a ``client_id`` already used for a
    different entry or for a deleted one, or a change to a check-in older than the change window.
    """


class AlertClosedError(InputError):
    """The alert was already resolved; ``field`` is ``"alert"``."""


class BackupError(Exception):
    """A backup or restore that lowdose refuses; the message says why and what to do."""


class ExportRefusedError(Exception):
    """A FHIR export that cannot be given: ``status`` (400, 403, 404) and what to do."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ReportUnavailableError(Exception):
    """A file the worker draws (the visit report, and what carries it) cannot be drawn on this
    server now; ``str()`` says why in words and what to do. Answered 503 with ``Retry-After``:
    the condition is the server's, not the request's (a missing system library, a failing job),
    and asking again later may work."""

    #: Seconds the failure is remembered (and answered as such) before a request tries again.
    retry_after = 300


class ImportRefusedError(Exception):
    """A FHIR import that wrote nothing: ``status`` (400, 403, 404) and every problem
    (:class:`lowdose.interop.fhir.reader.Problem`: path, message, issue code)."""

    def __init__(self, status: int, problems: list[Problem]) -> None:
        super().__init__(problems[0].message if problems else "refused")
        self.status = status
        self.problems = problems


class AuditImmutableError(RuntimeError):
    """Raised on any attempt to change or remove an audit event."""


#: HTTP status of each domain error, most specific first: the first class the error is an
#: instance of decides. A hard stop of the safety screen and a clash with what is stored are
#: conflicts (409); any other unusable input is 400.
_API_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (ScreenBlockedError, 409),
    (CheckinConflictError, 409),
    (AlertClosedError, 409),
    (InputError, 400),
    (ReportUnavailableError, 503),
)


def api_status(error: Exception) -> int:
    """The HTTP status the API answers ``error`` with (500 for an error it does not know)."""
    if isinstance(error, ApiInputError):
        return error.status
    for kind, status in _API_STATUS:
        if isinstance(error, kind):
            return status
    return 500


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
