"""Turn the check-in form's POST data into the raw mapping the core validates."""

from __future__ import annotations

from django.http import QueryDict

from lowdose.diary import SEVERITIES, SIDE_EFFECTS

FIELDS = (
    "client_id",
    "day",
    "pain",
    "fatigue",
    "sleep",
    "mood",
    "dose_status",
    "dose_mg",
    "dose_time",
    "note",
    "kit",
)


def raw_from_post(post: QueryDict) -> dict[str, object]:
    raw: dict[str, object] = {name: post.get(name) for name in FIELDS}
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
