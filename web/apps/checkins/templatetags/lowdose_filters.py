from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import template

from apps.accounts import locale
from lowdose.daily import DAILY_SCALES, DailyScales

register = template.Library()


@register.filter
def language_tag(code: str) -> str:
    """``en-gb`` → ``en-GB``: a locale as HTML's ``lang`` attribute writes it (BCP 47)."""
    language, _, region = code.partition("-")
    return f"{language}-{region.upper()}" if region else language


@register.filter(expects_localtime=True, is_safe=False)
def when(value: dt.date | dt.time | str | None, name: str = "date") -> str:
    """``{{ value|when:"weekday" }}``: a date or time in the reader's locale ("Sat 6 Dec" in the
    UK, "Sat, Dec 6" in the US); see :func:`apps.accounts.locale.when`."""
    return locale.when(value, name)


@register.filter
def get_item(mapping: Mapping[str, Any] | None, key: str) -> Any:
    """``{{ row|get_item:name }}``: a mapping's value by a variable key (None when absent)."""
    if mapping is None or not hasattr(mapping, "get"):
        return None
    return mapping.get(key)


@register.simple_tag
def daily_scales() -> DailyScales:
    """``{% daily_scales as scales %}``: the daily scales, in the form's order."""
    return DAILY_SCALES


@register.filter
def score(entry: Any, name: str) -> Any:
    """``{{ checkin|score:scale.name }}``: a check-in's score on a scale (a stored check-in, or an
    earlier version's answers)."""
    return entry.get(name) if isinstance(entry, Mapping) else getattr(entry, name, None)


@register.filter
def side_effect_label(name: str) -> str:
    """``vivid_dreams`` → ``Vivid dreams``: the side effect as the form names it."""
    from lowdose.diary.checkin import SIDE_EFFECT_LABELS

    return SIDE_EFFECT_LABELS.get(name, name.replace("_", " ").capitalize())


@register.filter
def dose_answer(entry: Any) -> str:
    """A check-in's dose answer in words: "4.5 mg at 22:00", "trial capsule", "missed",
    "no dose due". ``entry`` is a stored check-in or an earlier version's answers (a mapping)."""
    values = entry if isinstance(entry, Mapping) else entry.snapshot()
    status = values.get("dose_status")
    if status == "missed":
        return "missed"
    if status != "taken":
        return "no dose due"
    dose = values.get("dose_mg")
    what = f"{Decimal(dose).normalize():f} mg" if dose else "trial capsule"
    at = values.get("dose_time")
    return f"{what} at {when(at, 'time')}" if at else what


#: How the evidence records mark what could not be read in any source they reached.
_GAP = "NOT FOUND"


@register.filter
def plain_gaps(text: str | None) -> str:
    """Evidence text as people read it: the records' "NOT FOUND" marker (kept in the data, where
    it is searchable) becomes "not found in the sources read"."""
    if not text:
        return ""
    return str(text).replace(_GAP, "not found in the sources read")
