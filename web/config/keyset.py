"""Pages of an API list: ``?limit=`` and a keyset cursor, answered as ``{"items", "next"}``.

Every list the API answers is bounded: ``limit`` items (default :data:`DEFAULT_LIMIT`, at most
:data:`MAX_LIMIT`), and ``next``, the URL of the following page, or ``null`` on the last one.
``next`` carries a *keyset* cursor: the sort values of the last item given, not an offset, so an
item inserted while a client walks the pages moves nothing (no item is given twice or skipped
because of it; a new item lands on the page its place in the order puts it on).

The order is the queryset's own (its ``order_by``, else its model's ``Meta.ordering``), with the
primary key added last when it is not there, so that it is total. A field of the order may not
be null. A bad ``limit`` or a cursor this API did not give is a 400 that says what to send.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from pydantic import create_model

from lowdose.errors import InputError

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "PAGED", "PageIn", "keyset_page", "page_schema"]

#: Items per page when the client does not say.
DEFAULT_LIMIT = 50
#: The most a client may ask for in one page: bounds the work (and the audit detail) of a request.
MAX_LIMIT = 200

M = TypeVar("M", bound=Model)

#: What every paged list's description says (docs/api.md, "Pages").
PAGED = (
    f"Paged: `limit` items (default {DEFAULT_LIMIT}, at most {MAX_LIMIT}) in `items`; `next` is "
    "the URL of the next page (a keyset cursor: items added meanwhile shift nothing), null on the "
    "last page."
)

_LIMIT_HELP = (
    f"limit: send a whole number from 1 to {MAX_LIMIT} (items per page; {DEFAULT_LIMIT} when "
    "left out)."
)
_CURSOR_HELP = (
    "cursor: this is not a cursor this list gave. Follow the `next` URL of the previous page "
    "as it is, or leave cursor out to start from the first page."
)


class PageIn(Schema):
    """The query parameters of every paged list."""

    limit: str | None = Field(
        None, description=f"Items per page, 1 to {MAX_LIMIT}; {DEFAULT_LIMIT} when left out."
    )
    cursor: str | None = Field(
        None, description="Where the page starts: only as the previous page's `next` gave it."
    )


def page_schema(item: type[Schema]) -> type[Schema]:
    """The answer of a paged list of ``item``: ``{"items": [...], "next": url | null}``."""
    return create_model(
        f"{item.__name__}Page",
        __base__=Schema,
        __module__=item.__module__,
        items=(list[item], ...),  # type: ignore[valid-type]
        next=(
            str | None,
            Field(
                description="The URL of the next page (the same filters, a cursor); null on "
                "the last page."
            ),
        ),
    )


def _limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 4 or not 1 <= int(text) <= MAX_LIMIT:
        raise InputError(_LIMIT_HELP, field="limit")
    return int(text)


def _order(rows: QuerySet[Any]) -> list[str]:
    order = [str(o) for o in (rows.query.order_by or rows.model._meta.ordering or [])]
    if any(not isinstance(o, str) or "__" in o or o.lstrip("-") == "?" for o in order):
        raise ValueError(f"keyset pages need plain field names to order by, not {order!r}")
    pk = rows.model._meta.pk
    assert pk is not None
    names = {o.lstrip("-") for o in order}
    if not names & {"pk", pk.attname, pk.name}:
        order.append("-pk" if order and order[-1].startswith("-") else "pk")
    return order


def _encode(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _cursor(values: list[Any]) -> str:
    text = json.dumps(values, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(raw: str, width: int) -> list[Any]:
    try:
        padded = raw + "=" * (-len(raw) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InputError(_CURSOR_HELP, field="cursor") from None
    if not isinstance(values, list) or len(values) != width:
        raise InputError(_CURSOR_HELP, field="cursor")
    if not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values):
        raise InputError(_CURSOR_HELP, field="cursor")
    return values


def _after(order: list[str], values: list[Any]) -> Q:
    """Rows that come after ``values`` in ``order`` (lexicographic: the first field that differs
    decides, in its direction)."""
    after = Q(pk__in=[])
    equal = Q()
    for name, value in zip(order, values, strict=True):
        field = name.lstrip("-")
        op = "lt" if name.startswith("-") else "gt"
        after |= equal & Q(**{f"{field}__{op}": value})
        equal &= Q(**{field: value})
    return after


def _value(row: Model, name: str) -> Any:
    field = name.lstrip("-")
    return _encode(row.pk if field == "pk" else getattr(row, field))


def keyset_page(
    request: HttpRequest, rows: QuerySet[M], page_in: PageIn
) -> tuple[list[M], str | None]:
    """One page of ``rows`` (in their order) and the URL of the next page, or None."""
    size = _limit(page_in.limit)
    order = _order(rows)
    if page_in.cursor:
        try:
            rows = rows.filter(_after(order, _decode(page_in.cursor, len(order))))
        except (ValueError, TypeError, ValidationError):  # a value of the wrong type
            raise InputError(_CURSOR_HELP, field="cursor") from None
    page = list(rows.order_by(*order)[: size + 1])
    if len(page) <= size:
        return page, None
    page = page[:size]
    query = request.GET.copy()
    query["cursor"] = _cursor([_value(page[-1], name) for name in order])
    query["limit"] = str(size)
    link = request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.items()))}")
    return page, link
