"""The check-in form: its POST data as the raw mapping the core validates, and the core's errors
in the words of the form.

The core names fields as the API does (``dose_mg``); a page names them as the form labels them
("Dose (mg)") and never shows a field name or a code (:func:`form_problems`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.http import QueryDict

from lowdose.daily import DAILY_SCALES
from lowdose.diary import (
    SEVERITIES,
    SIDE_EFFECTS,
    CheckinError,
    MissingAnswerError,
)

__all__ = ["FIELDS", "LABELS", "FormProblem", "form_problems", "raw_from_post"]

FIELDS = (
    "client_id",
    "day",
    *DAILY_SCALES.names,
    "dose_status",
    "dose_mg",
    "dose_time",
    "note",
    "kit",
)

#: Each field as the form labels it.
LABELS: dict[str, str] = {
    "day": "Which day",
    **{scale.name: scale.label for scale in DAILY_SCALES},
    "dose_status": "Naltrexone today",
    "dose_mg": "Dose (mg)",
    "dose_time": "Time taken",
    "side_effects": "Side effects",
    "note": "Note",
}
_KIT_DOSE_LABEL = "Your trial capsule tonight"

#: What to do about a missing answer, in the form's words.
_ASK: dict[str, str] = {
    "day": "choose the day this check-in is for.",
    **{
        scale.name: f"choose a number from {scale.low} ({scale.low_anchor}) to {scale.high} "
        f"({scale.high_anchor})."
        for scale in DAILY_SCALES
    },
    "dose_status": "choose Taken, Missed or No dose due.",
    "dose_mg": "enter the dose you took in milligrams, e.g. 4.5 (or choose Missed).",
    "dose_time": "choose Just now, or enter the time you took it.",
}
_OUT_OF_DATE = "this page is out of date: reload it and answer again."
# A word such as dose_mg or side_effects[0]: a field name must never reach a page.
_CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\[\d+\]")


@dataclass(frozen=True)
class FormProblem:
    """One answer to fix: the field it belongs to and a sentence naming it as the form does."""

    field: str
    message: str


def raw_from_post(post: QueryDict, *, local_now: datetime | None = None) -> dict[str, object]:
    """The form's answers as the core reads them. A time chosen as "Just now" is ``local_now``
    (the patient's clock) as HH:MM."""
    raw: dict[str, object] = {name: post.get(name) for name in FIELDS}
    if post.get("dose_time_choice") == "now" and local_now is not None:
        raw["dose_time"] = local_now.strftime("%H:%M")
    effects = []
    for name in SIDE_EFFECTS:
        severity = post.get(f"se_{name}", "")
        if severity in SEVERITIES:
            effect = {"name": name, "severity": severity}
            if name == "other":
                effect["detail"] = post.get("se_other_detail", "")
            effects.append(effect)
        elif severity not in ("", "none"):
            effects.append({"name": name, "severity": severity})  # let the core explain
    raw["side_effects"] = effects
    return raw


def form_problems(error: CheckinError, *, kit: bool = False) -> list[FormProblem]:
    """Every problem of ``error``, one per field in the order of the form, each a sentence that
    names the field as the form labels it and says what to do."""
    problems: list[FormProblem] = []
    seen: set[str] = set()
    for each in error.errors:
        field = _form_field(each.field)
        if field in seen:
            continue
        seen.add(field)
        problems.append(FormProblem(field, _sentence(each, field, kit=kit)))
    return problems


def _form_field(field: str | None) -> str:
    if field and field.startswith("side_effects"):
        return "side_effects"
    if field == "dose_missed":
        return "dose_status"
    return field if field in LABELS else "form"


def _sentence(error: CheckinError, field: str, *, kit: bool) -> str:
    if field == "form":
        return _OUT_OF_DATE[0].upper() + _OUT_OF_DATE[1:]
    label = _KIT_DOSE_LABEL if kit and field == "dose_status" else LABELS[field]
    if field == "side_effects":
        return f"{label}: choose none, mild, moderate or severe for each."
    if isinstance(error, MissingAnswerError) and field in _ASK:
        return f"{label}: {_ASK[field]}"
    text = str(error)
    if text.startswith(f"{error.field}: "):
        text = text[len(f"{error.field}: ") :]
    if _CODE.search(text):
        text = _ASK.get(field, _OUT_OF_DATE)
    return f"{label}: {text}"
