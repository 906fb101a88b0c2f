"""How the REST API reads a request before any view or query sees it.

* A body sent to an endpoint that takes one must be JSON (``Content-Type: application/json`` or
  ``application/<something>+json``): anything else is 415.
* No NUL character (``\\x00``, or ``\\u0000`` inside a JSON string) in the body or in the query
  string: PostgreSQL cannot store or compare it, so a lookup would fail with a 500. It is 400.
* A body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is 413 (Django raises
  :class:`~django.core.exceptions.RequestDataTooBig`; :mod:`config.api` answers it).
* Every body is read strictly (:class:`BodyIn`): a JSON number where the schema says number, a
  JSON boolean where it says boolean — ``"pain": "4"``, ``"consent": "yes"`` or ``"pain": 4.0``
  are 422, not quietly converted — and a field the schema does not know is 422 too, so a
  misspelt ``"dose"`` is refused instead of dropped. Dates, times and ids are ISO 8601 / UUID
  *strings* (:data:`IsoDate`, :data:`IsoDateTime`, :data:`IsoUUID`); a number there is refused
  rather than read as a Unix timestamp.

Exceptions of this layer (answered by one handler in :mod:`config.api`)::

    ApiInputError                     a request the API will not read; ``status``, ``field``
    ├── UnsupportedMediaTypeError     415: the body is not JSON
    └── NulCharacterError             400: a NUL character in the body or the query string
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja import Field, Schema
from ninja.parser import Parser
from pydantic import BeforeValidator, ConfigDict, Strict

from config.errors import NulCharacterError, UnsupportedMediaTypeError

__all__ = [
    "MAX_ID",
    "BodyIn",
    "ErrorOut",
    "IsoDate",
    "IsoDateTime",
    "IsoUUID",
    "JsonOnlyParser",
    "ObjectId",
    "find_nul",
    "row_id",
]

NUL = "\x00"


def _text_only(value: object) -> object:
    """Dates, times and ids arrive as JSON strings; anything else (a number, which pydantic would
    read as a Unix timestamp) is refused."""
    if isinstance(value, (str, date, datetime, UUID)):
        return value
    raise ValueError("give it as a string (ISO 8601 for dates and times)")


#: The largest id the database stores: ids are 64-bit signed integers (BigAutoField) on SQLite and
#: PostgreSQL.
MAX_ID = 2**63 - 1
#: An object's id in an address or a query string: 1 to :data:`MAX_ID`, so a larger number is a 422
#: and never reaches a lookup (SQLite cannot even bind it: ``OverflowError``, a 500).
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]


def row_id(text: object) -> int | None:
    """An object's id as a form or query string sends it ("42"), or ``None`` when it is not one:
    ASCII digits only (``"²"`` passes ``str.isdigit`` and breaks ``int``), 1 to :data:`MAX_ID`
    (a larger number would overflow the database's integer: a 500, not a "not found")."""
    value = str(text or "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > len(str(MAX_ID)):
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


#: A date in a request body: an ISO 8601 string (``"2026-12-06"``).
IsoDate = Annotated[date, Strict(False), BeforeValidator(_text_only)]
#: A date and time in a request body: an ISO 8601 string with its offset.
IsoDateTime = Annotated[datetime, Strict(False), BeforeValidator(_text_only)]
#: An id in a request body: a UUID string.
IsoUUID = Annotated[UUID, Strict(False), BeforeValidator(_text_only)]


class BodyIn(Schema):
    """The base of every request body: strict types and no unknown fields (see the module)."""

    model_config = ConfigDict(strict=True, extra="forbid")


class ErrorOut(Schema):
    detail: str
    field: str | None = None


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
