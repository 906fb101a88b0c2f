"""How the REST API reads a request before any view or query sees it.

* A body sent to an endpoint that takes one must be JSON (``Content-Type: application/json`` or
  ``application/<something>+json``): anything else is 415.
* No NUL character (``\\x00``, or ``\\u0000`` inside a JSON string) in the body or in the query
  string: PostgreSQL cannot store or compare it, so a lookup would fail with a 500. It is 400.
* A body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is 413 (Django raises
  :class:`~django.core.exceptions.RequestDataTooBig`; :mod:`config.api` answers it).

Exceptions of this layer (answered by one handler in :mod:`config.api`)::

    ApiInputError                     a request the API will not read; ``status``, ``field``
    ├── UnsupportedMediaTypeError     415: the body is not JSON
    └── NulCharacterError             400: a NUL character in the body or the query string
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja import Schema
from ninja.parser import Parser

__all__ = [
    "BODY_ERRORS",
    "ApiInputError",
    "InputErrorOut",
    "JsonOnlyParser",
    "NulCharacterError",
    "UnsupportedMediaTypeError",
    "find_nul",
]

NUL = "\x00"


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


class InputErrorOut(Schema):
    detail: str
    field: str | None = None


#: The answers any endpoint taking a JSON body may give before its view runs (django-ninja has no
#: API-wide responses): spread first into a route's ``response`` so the route's own 400 wins.
BODY_ERRORS: dict[int, type[Schema]] = {
    400: InputErrorOut,
    413: InputErrorOut,
    415: InputErrorOut,
}


def find_nul(value: object, where: str = "") -> str | None:
    """The path (``note``, ``side_effects.0.detail``) of the first string holding a NUL, or
    ``None``. Keys count too: ``{"a\\x00": 1}`` answers ``"a\\x00"``'s path."""
    if isinstance(value, str):
        return where if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            if NUL in str(key):
                return path
            found = find_nul(item, path)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = find_nul(item, f"{where}.{index}" if where else str(index))
            if found is not None:
                return found
    return None


def _nul_error(field: str) -> NulCharacterError:
    return NulCharacterError(
        f"{field}: remove the NUL character (\\u0000); it cannot be stored.", field=field
    )


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


class JsonOnlyParser(Parser):
    """django-ninja's parser, refusing non-JSON bodies and NUL characters."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        content_type = request.META.get("CONTENT_TYPE", "")
        if not _is_json(content_type):
            raise UnsupportedMediaTypeError(
                f"Send the body as JSON with 'Content-Type: application/json' "
                f"(got {content_type or 'no Content-Type'!r}).",
                field=None,
            )
        data = super().parse_body(request)
        found = find_nul(data)
        if found is not None:
            raise _nul_error(found)
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        for key, values in data.lists():
            if NUL in key:
                raise _nul_error(key)
            for value in values:
                if isinstance(value, str) and NUL in value:
                    raise _nul_error(key)
        return super().parse_querydict(data, list_fields, request)
