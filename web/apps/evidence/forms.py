"""The add-a-trial page posts plain form fields; they become the same input the API takes."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

__all__ = ["EFFECT_FIELDS", "TRIAL_FIELDS", "raw_from_post"]

TRIAL_FIELDS = ("trial_id", "label", "year", "kind", "n", "dose", "citation", "doi", "url")
EFFECT_FIELDS = (
    "outcome",
    "yi",
    "vi",
    "estimate",
    "ci_low",
    "ci_high",
    "reported_what",
    "reported_value",
    "how",
)


def raw_from_post(post: QueryDict) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, str]]:
    """(trial fields, one effect, the values to re-show). Blank numbers are left out; ``n``
    that is not a whole number is passed through as text for the core to refuse."""
    values = {key: post.get(key, "").strip() for key in (*TRIAL_FIELDS, *EFFECT_FIELDS)}
    values["derived"] = "on" if post.get("derived") else ""
    trial: dict[str, Any] = {key: values[key] for key in TRIAL_FIELDS}
    n = trial.pop("n")
    trial["n"] = int(n) if n.isdigit() else (n or None)
    effect: dict[str, Any] = {key: values[key] for key in EFFECT_FIELDS if values[key] != ""}
    effect["derived"] = bool(values["derived"])
    return trial, [effect], values
