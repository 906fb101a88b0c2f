"""The add-a-trial page posts plain form fields; they become the same input the API takes."""

from __future__ import annotations

import re
from typing import Any

from django.http import QueryDict

__all__ = [
    "EFFECT_FIELDS",
    "FORM_LABELS",
    "REQUIRED",
    "TRIAL_FIELDS",
    "in_form_words",
    "missing_answers",
    "raw_from_post",
]

TRIAL_FIELDS = (
    *("trial_id", "label", "year", "kind", "n", "dose", "citation"),
    *("doi", "pmid", "registry_id", "url"),
)
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
    trial["n"] = int(n) if n.isdecimal() else (n or None)
    effect: dict[str, Any] = {key: values[key] for key in EFFECT_FIELDS if values[key] != ""}
    effect["derived"] = bool(values["derived"])
    return trial, [effect], values


#: The answers the page cannot save without, as the form labels them.
REQUIRED = {
    "trial_id": "Id",
    "label": "Label in plots",
    "year": "Year",
    "citation": "Citation",
    "reported_what": "What was read",
    "reported_value": "The number exactly as published",
}


def missing_answers(values: dict[str, str]) -> list[tuple[str, str]]:
    """Every answer missing from the add-a-trial form at once (``[(field, message)]``), before the
    record checks run: the required fields, a primary identifier (DOI, PubMed id or
    trial-registry id), the outcome's number (an estimate with its 95% CI, or
    yi and vi), and how computed numbers were obtained."""
    problems = [
        (field, f"{label}: this is needed.")
        for field, label in REQUIRED.items()
        if not values[field]
    ]
    published = [values[k] for k in ("estimate", "ci_low", "ci_high")]
    pooled = [values[k] for k in ("yi", "vi")]
    if not all(published) and not all(pooled):
        started = (
            ("yi", "vi")
            if any(pooled) and not any(published)
            else ("estimate", "ci_low", "ci_high")
        )
        first = next(key for key in started if not values[key])
        problems.append(
            (first, "The outcome: give the estimate with its CI low and CI high, or yi and vi.")
        )
    if not (values["doi"] or values["pmid"] or values["registry_id"]):
        problems.append(
            (
                "doi",
                "Where to check it: give the trial's DOI, PubMed id or trial-registry id "
                "(e.g. NCT04270877). The page where the numbers were read is kept too, but it is "
                "not enough on its own.",
            )
        )
    if values["derived"] and not values["how"]:
        problems.append(("how", "How they were obtained: say how the computed yi and vi were got."))
    return problems


#: The form's labels for the fields the record checks name (the API's messages keep the names).
FORM_LABELS: dict[str, str] = {
    "trial_id": "Id",
    "label": "Label in plots",
    "year": "Year",
    "kind": "Design",
    "n": "Participants analysed (n)",
    "dose": "Dose",
    "citation": "Citation",
    "doi": "DOI",
    "pmid": "PubMed id",
    "registry_id": "Trial-registry id",
    "url": "URL where the numbers were read",
    "effects": "an outcome",
    "outcome": "Outcome",
    "measure": "Measure",
    "reported_what": "What was read",
    "reported_value": "The number exactly as published",
    "estimate": "Estimate",
    "ci_low": "CI low",
    "ci_high": "CI high",
    "yi": "yi",
    "vi": "vi",
    "how": "How they were obtained",
}


def in_form_words(message: str) -> str:
    """A record check's message as the form says it: ``'trial_id' is required.`` → ``“Id” is
    required.``; ``effects[0]: …`` → ``The outcome: …`` (the form adds one outcome)."""
    message = re.sub(r"^effects\[0\]: ", "The outcome: ", message)
    return re.sub(
        r"'([a-z_]+)'",
        lambda m: f"“{FORM_LABELS[m.group(1)]}”" if m.group(1) in FORM_LABELS else m.group(0),
        message,
    )
