"""Daily check-ins: the record, its validation, summaries and alerts, CSV, and the demo generator.

The daily scales and the daily series they feed are defined once, below this package, in
:mod:`lowdose.daily`; ``daily_scores`` builds that series from check-ins.

Exception tree::

    lowdose.errors.InputError
    └── CheckinError            a check-in value is missing, malformed or out of range (``field``)
        ├── MissingAnswerError  a required answer was not given
        └── CheckinFieldsError  several fields at once (``errors``: one error per field)

The web form, the REST API and CSV import all validate through :func:`parse_checkin`, so the rules
and the messages are the same everywhere.
"""

from __future__ import annotations

from lowdose.diary.checkin import (
    DOSE_STATUSES,
    SEVERITIES,
    SIDE_EFFECTS,
    Checkin,
    SideEffect,
    parse_checkin,
)
from lowdose.diary.summary import (
    MIN_BASELINE_DAYS,
    RECENT_WINDOW_DAYS,
    Alert,
    PatientSummary,
    alerts_for,
    daily_scores,
    no_checkin_alert,
    summarize,
)
from lowdose.diary.timing import (
    CHANGE_WINDOW,
    changeable_until,
    day_choices,
    may_change,
    needs_day_choice,
)
from lowdose.errors import CheckinError, CheckinFieldsError, MissingAnswerError

__all__ = [
    "CHANGE_WINDOW",
    "DOSE_STATUSES",
    "MIN_BASELINE_DAYS",
    "RECENT_WINDOW_DAYS",
    "SEVERITIES",
    "SIDE_EFFECTS",
    "Alert",
    "Checkin",
    "CheckinError",
    "CheckinFieldsError",
    "MissingAnswerError",
    "PatientSummary",
    "SideEffect",
    "alerts_for",
    "changeable_until",
    "daily_scores",
    "day_choices",
    "may_change",
    "needs_day_choice",
    "no_checkin_alert",
    "parse_checkin",
    "summarize",
]
