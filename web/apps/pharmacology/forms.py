"""The "How LDN works" controls: dose, time of day and the 50 mg comparison (GET parameters).

The page works without JavaScript: the form submits ``?dose=4.5&time=bedtime&compare=50``.
A visit without any of these parameters shows the defaults (4.5 mg at bedtime beside 50 mg);
once the form has been submitted, an absent ``compare`` means the box was unticked.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

from django import forms
from django.http import QueryDict

from lowdose.pk.regimen import BEDTIME, MORNING

#: The slider's range: 0.5 mg (the lowest LDN starting dose in use) to the 50 mg tablet
#: (LDN dosing practice in the pharmacology reference: start 0.5-1.5 mg, usual 4.5 mg).
MIN_DOSE = Decimal("0.5")
MAX_DOSE = Decimal(50)
DEFAULT_DOSE = Decimal("4.5")
COMPARE_MG = Decimal(50)
TIMES: dict[str, time] = {"bedtime": BEDTIME, "morning": MORNING}
FIELDS = ("dose", "time", "compare")

DOSE_HELP = (
    f"Enter the daily dose in milligrams as a number from {MIN_DOSE} to {MAX_DOSE}, "
    "with at most two decimals, for example 4.5."
)


class DoseForm(forms.Form):
    dose = forms.DecimalField(
        label="Daily dose (mg)",
        min_value=MIN_DOSE,
        max_value=MAX_DOSE,
        max_digits=4,
        decimal_places=2,
        error_messages={
            "required": DOSE_HELP,
            "invalid": DOSE_HELP,
            "min_value": DOSE_HELP,
            "max_value": DOSE_HELP,
            "max_digits": DOSE_HELP,
            "max_decimal_places": DOSE_HELP,
            "max_whole_digits": DOSE_HELP,
        },
    )
    time = forms.ChoiceField(
        label="Taken",
        choices=[("bedtime", "at bedtime (22:00)"), ("morning", "in the morning (08:00)")],
        error_messages={"invalid_choice": "Choose bedtime or morning for the time of the dose."},
    )
    compare = forms.ChoiceField(
        label="Compare with 50 mg daily",
        required=False,
        choices=[("", "no"), ("50", "yes")],
        error_messages={
            "invalid_choice": "To compare with 50 mg daily, tick the box (compare=50)."
        },
    )

    def clean_dose(self) -> Decimal:
        value: Decimal = self.cleaned_data["dose"]
        # why: "4.50" and "4.5", or "1E+1" and "10", are one dose (one label, one cache entry)
        return Decimal(f"{value.normalize():f}")


def form_from_query(query: QueryDict) -> DoseForm:
    """A bound form; a visit without any of the page's parameters gets the defaults."""
    if not any(name in query for name in FIELDS):
        data: dict[str, Any] = {"dose": str(DEFAULT_DOSE), "time": "bedtime", "compare": "50"}
    else:
        data = {
            "dose": query.get("dose", str(DEFAULT_DOSE)),
            "time": query.get("time", "bedtime"),
            "compare": query.get("compare", ""),
        }
    return DoseForm(data)
