"""Which locale a page's dates and times follow.

A patient reads their own pages in the locale they chose under Settings (``Patient.locale``);
everyone else, and anyone not logged in, reads the clinic's (``LANGUAGE_CODE``, set by
``LOWDOSE_LOCALE``). Only date, time and number formats change (``config.formats``); the words
stay English. A printed document for a patient (the wallet card) uses the patient's locale
whoever prints it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import dateformat, formats, translation
from django.utils.translation import get_language

from apps.accounts.models import Patient, User


def reader_locale(user: object) -> str:
    """The locale of the person reading: a patient's own choice, else the clinic's."""
    if isinstance(user, User) and user.is_authenticated and user.is_patient:
        try:
            patient: Patient = user.patient
        except Patient.DoesNotExist:
            return str(settings.LANGUAGE_CODE)
        return patient.locale
    return str(settings.LANGUAGE_CODE)


class ReaderLocaleMiddleware:
    """Activates :func:`reader_locale` for the request (and resets it afterwards)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with translation.override(reader_locale(getattr(request, "user", None))):
            request.LANGUAGE_CODE = translation.get_language()
            return self.get_response(request)


#: The named date formats every page uses (``config.formats``); the clinic's locale decides a
#: name a patient's locale does not define.
WHEN_NAMES = (
    "date",
    "day",
    "weekday",
    "weekday_year",
    "datetime",
    "day_time",
    "weekday_time",
    "long_weekday",
    "long_weekday_time",
    "time",
    "month",
)


def when_format(name: str, lang: str | None = None) -> str:
    """The format string of a named date format in ``lang`` (the active locale by default)."""
    if name not in WHEN_NAMES:
        raise ValueError(f"unknown date format name {name!r}; use one of {', '.join(WHEN_NAMES)}")
    for locale in (lang or get_language(), settings.LANGUAGE_CODE):
        for module in formats.get_format_modules(locale):
            named = getattr(module, "WHEN_FORMATS", None)
            if named and name in named:
                return str(named[name])
    raise ValueError(f"no locale defines the date format {name!r} (config.formats)")


def when(value: dt.date | dt.time | str | None, name: str = "date") -> str:
    """``{{ value|when:"weekday" }}``: a date or time in the reader's locale ("Sat 6 Dec" in the
    UK, "Sat, Dec 6" in the US). Names: :data:`WHEN_NAMES`. Empty for an empty value."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        # "22:00" (a dose time as stored in a check-in's history) or "2026-12-06"
        if "T" in value:
            value = dt.datetime.fromisoformat(value)
        elif ":" in value:
            value = dt.time.fromisoformat(value)
        else:
            value = dt.date.fromisoformat(value)
    fmt = when_format(name)
    if isinstance(value, dt.time):
        return dateformat.time_format(value, fmt)
    return dateformat.format(value, fmt)


#: The moment every locale's example shows: "6 Dec 2026, 22:00" or "Dec 6, 2026, 10:00 PM".
_EXAMPLE = dt.datetime(2026, 12, 6, 22, 0)


def locale_examples() -> list[tuple[str, str]]:
    """``[(code, "English (United States): Sun, Dec 6, 2026, 10:00 PM"), ...]`` for a choice."""
    out = []
    for code, name in settings.LANGUAGES:
        with translation.override(code):
            example = f"{when(_EXAMPLE, 'weekday_year')}, {when(_EXAMPLE, 'time')}"
        out.append((code, f"{name}: {example}"))
    return out


def day_first() -> bool:
    """True when the reader's locale writes the day before the month ("6 Dec", not "Dec 6")."""
    return when_format("day").startswith("j")
