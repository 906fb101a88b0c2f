"""The diary CSV reader: averaging, missing cells, and errors that name the row and column."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest

from lowdose.daily import DAILY_SCALES as OUTCOMES
from lowdose.daily import Diary
from lowdose.errors import InputError
from lowdose.interop.diary_csv import parse_diary, read_diary
from lowdose.outcomes import DiaryError

HEADER = "date,pain,fatigue,sleep,mood,dose_mg\n"


def test_several_rows_for_one_date_are_averaged_and_dates_sorted() -> None:
    diary = parse_diary(
        HEADER + "2026-03-02,6,5,4,5,4.5\n" + "2026-03-01,7,6,3,4,\n" + "2026-03-02,4,3,6,7,4.5\n"
    )
    assert diary.dates == (date(2026, 3, 1), date(2026, 3, 2))
    assert diary.values["pain"] == (7.0, 5.0)
    assert diary.values["sleep"] == (3.0, 5.0)
    assert diary.doses == (None, Decimal("4.5"))


def test_empty_cells_are_ignored_in_the_average_and_all_empty_is_missing() -> None:
    diary = parse_diary(HEADER + "2026-03-01,8,,3,4,\n2026-03-01,6,,,,\n2026-03-03,5,5,5,5,\n")
    assert diary.values["pain"][0] == 7.0
    assert math.isnan(diary.values["fatigue"][0])
    days, values = diary.series("fatigue")
    assert days.tolist() == [date(2026, 3, 3).toordinal()]
    assert values.tolist() == [5.0]
    assert diary.series("pain")[0].tolist() == [
        date(2026, 3, 1).toordinal(),
        date(2026, 3, 3).toordinal(),
    ]


def test_dose_column_is_optional() -> None:
    diary = parse_diary("date,pain,fatigue,sleep,mood\n2026-03-01,5,5,5,5\n")
    assert diary.doses == (None,)
    assert diary.dose_on(date(2026, 3, 1)) is None


@pytest.mark.parametrize(
    ("row", "fragment", "field"),
    [
        ("2026-13-01,5,5,5,5,", "line 3, column date", "date"),
        ("2026-03-02,11,5,5,5,", "line 3, column pain", "pain"),
        ("2026-03-02,5,-1,5,5,", "line 3, column fatigue", "fatigue"),
        ("2026-03-02,5,5,abc,5,", "line 3, column sleep", "sleep"),
        ("2026-03-02,5,5,5,nan,", "line 3, column mood", "mood"),
        ("2026-03-02,5,5,5,5,-3", "line 3, column dose_mg", "dose_mg"),
        ("2026-03-01,5,5,5,5,3", "line 3, column dose_mg", "dose_mg"),
        ("2026-03-02,5,5,5,5,4.5,9", "line 3: more cells", "date"),
    ],
)
def test_bad_cells_name_line_and_column(row: str, fragment: str, field: str) -> None:
    with pytest.raises(DiaryError) as info:
        parse_diary(HEADER + "2026-03-01,5,5,5,5,4.5\n" + row + "\n")
    assert fragment in str(info.value)
    assert info.value.field == field
    assert isinstance(info.value, InputError)


def test_missing_and_unknown_columns_are_named() -> None:
    with pytest.raises(DiaryError, match="missing column\\(s\\) mood") as info:
        parse_diary("date,pain,fatigue,sleep\n2026-03-01,5,5,5\n")
    assert info.value.field == "mood"
    with pytest.raises(DiaryError, match="unknown column\\(s\\) stress"):
        parse_diary("date,pain,fatigue,sleep,mood,stress\n2026-03-01,5,5,5,5,1\n")


def test_empty_diary_and_unknown_outcome_are_errors() -> None:
    with pytest.raises(DiaryError, match="no rows"):
        parse_diary(HEADER)
    diary = parse_diary(HEADER + "2026-03-01,5,5,5,5,\n")
    with pytest.raises(DiaryError, match="unknown outcome 'itch'"):
        diary.series("itch")


def test_from_rows_accepts_numbers_and_names_rows(tmp_path: object) -> None:
    diary = Diary.from_rows(
        [
            {"date": "2026-03-01", "pain": 3, "fatigue": 4, "sleep": 6, "mood": 7},
            {"date": "2026-03-01", "pain": 5.0, "fatigue": 4, "sleep": 6, "mood": 7},
        ]
    )
    assert diary.values["pain"] == (4.0,)
    with pytest.raises(DiaryError, match="row 2, column pain"):
        Diary.from_rows(
            [
                {"date": "2026-03-01", "pain": 3, "fatigue": 4, "sleep": 6, "mood": 7},
                {"date": "2026-03-02", "pain": 30, "fatigue": 4, "sleep": 6, "mood": 7},
            ]
        )


def test_read_diary_reports_missing_file(tmp_path: pytest.TempPathFactory) -> None:
    with pytest.raises(DiaryError, match="cannot read diary file"):
        read_diary("/nonexistent/diary.csv")


def test_direction_of_each_item_matches_the_checkin() -> None:
    # pain and fatigue are symptom scales; sleep quality and mood run 0 = worst, 10 = best
    assert [OUTCOMES[k].lower_is_better for k in ("pain", "fatigue", "sleep", "mood")] == [
        True,
        True,
        False,
        False,
    ]
