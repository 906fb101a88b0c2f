"""Alerts in plain words: a title for each kind and the facts as label/value pairs.

Any app may raise an alert with any facts; the inbox, the panel and the API show them without
knowing the app, so unknown kinds and fact names get a readable fallback instead of a code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from lowdose.diary.checkin import SIDE_EFFECT_LABELS

__all__ = ["kind_title", "plain_facts", "plain_value"]

KIND_TITLES: dict[str, str] = {
    "no_checkin": "No recent check-in",
    "new_side_effect": "New side effect",
    "severe_side_effect": "Severe side effect",
    "pain_up": "Pain rising",
    "screen_blocked": "Safety screen blocks treatment",
    "self_harm_risk": "Possible self-harm risk",
}

FACT_LABELS: dict[str, str] = {
    "days_silent": "Days without a check-in",
    "last_checkin_day": "Last check-in",
    "joined_on": "Joined",
    "side_effect": "Side effect",
    "first_reported": "First reported",
    "severity": "Severity reported",
    "day": "Day",
    "pain_7_day_average": "Pain, last 7 days (0–10)",
    "pain_previous_7_day_average": "Pain, the 7 days before (0–10)",
    "rise_points": "Rise (points)",
    "window_start": "Since",
}

_CODE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)+$")


def kind_title(kind: str) -> str:
    """``"pain_up"`` → "Pain rising"; an unknown kind → its words, capitalised."""
    return KIND_TITLES.get(kind) or _words(kind).capitalize()


def _words(code: str) -> str:
    return code.replace("_", " ").strip()


def _label(name: str) -> str:
    return FACT_LABELS.get(name) or _words(name).capitalize()


def plain_value(value: Any) -> str:
    """A JSON fact value as a person reads it: dates as "3 Mar 2026", yes/no, lists joined."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:g}"
    if isinstance(value, str):
        text = value.strip()
        if text in SIDE_EFFECT_LABELS:
            return SIDE_EFFECT_LABELS[text].lower()
        try:
            if len(text) == 10:
                return f"{date.fromisoformat(text):%-d %b %Y}"
            if len(text) > 10 and text[4] == "-" and "T" in text:
                return f"{datetime.fromisoformat(text):%-d %b %Y %H:%M}"
        except ValueError:
            pass
        return _words(text) if _CODE.match(text) else text
    if isinstance(value, list | tuple):
        return ", ".join(plain_value(v) for v in value) or "—"
    if isinstance(value, Mapping):
        return "; ".join(f"{_label(str(k)).lower()}: {plain_value(v)}" for k, v in value.items())
    return str(value)


def plain_facts(facts: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """The facts of an alert as ``(label, value)`` pairs in the order they were stored."""
    return [(_label(str(name)), plain_value(value)) for name, value in (facts or {}).items()]
