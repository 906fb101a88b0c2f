"""The daily diary's definition, below every package that uses it.

``scales``  the daily 0–10 items, defined once (:data:`DAILY_SCALES`, :class:`DailyScale`)
``series``  the one daily series (:class:`Diary` of :class:`DailyScores` rows)

Both the science (:mod:`lowdose.outcomes`) and the clinic (:mod:`lowdose.diary`) read these, so
this package imports nothing of lowdose but :mod:`lowdose.errors`. Errors are
:class:`lowdose.errors.DiaryError`.
"""

from __future__ import annotations

from lowdose.daily.scales import (
    DAILY_SCALES,
    LOCAL_CODE_SYSTEM,
    LOINC_SYSTEM,
    DailyScale,
    DailyScales,
    daily_scale,
)
from lowdose.daily.series import (
    DailyScores,
    Diary,
    ScoresByName,
    cell_text,
    diary_from_numbered_rows,
)

__all__ = [
    "DAILY_SCALES",
    "LOCAL_CODE_SYSTEM",
    "LOINC_SYSTEM",
    "DailyScale",
    "DailyScales",
    "DailyScores",
    "Diary",
    "ScoresByName",
    "cell_text",
    "daily_scale",
    "diary_from_numbered_rows",
]
