"""CSV round trip and the seeded demo generator."""

from __future__ import annotations

import csv
import io
import random
import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lowdose.diary import Checkin, CheckinError, SideEffect, parse_checkin, summarize
from lowdose.diary.demo import DEMO_PROFILES, demo_dose_for_day, generate_diary
from lowdose.interop.diary_csv import (
    CSV_COLUMNS,
    FORMULA_TRIGGERS,
    escape_text_cell,
    read_checkins_csv,
    unescape_text_cell,
    write_checkins_csv,
)

TZ = ZoneInfo("Europe/London")
END = date(2026, 5, 31)
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def diary() -> list:  # type: ignore[type-arg]
    return generate_diary(DEMO_PROFILES["patient"], end=END, tz=TZ)


def test_csv_round_trip_loses_nothing(diary: list) -> None:  # type: ignore[type-arg]
    buffer = io.StringIO()
    write_checkins_csv(diary, buffer)
    back = read_checkins_csv(buffer.getvalue(), now=NOW, tz=TZ)
    assert sorted(back, key=lambda c: c.client_id) == sorted(diary, key=lambda c: c.client_id)


def test_a_bad_row_names_its_row_and_column_and_nothing_is_returned(diary: list) -> None:  # type: ignore[type-arg]
    buffer = io.StringIO()
    write_checkins_csv(diary[:3], buffer)
    lines = buffer.getvalue().splitlines()
    cells = lines[2].split(",")
    cells[3] = "12"  # pain
    lines[2] = ",".join(cells)
    with pytest.raises(CheckinError, match=r"^row 3: pain: enter a whole number"):
        read_checkins_csv("\n".join(lines), now=NOW, tz=TZ)


def test_a_file_without_the_header_says_which_columns_are_missing() -> None:
    with pytest.raises(CheckinError, match="lacks column"):
        read_checkins_csv("date,pain\n2026-01-01,5\n", now=NOW, tz=TZ)


def test_duplicate_ids_in_one_file_are_refused(diary: list) -> None:  # type: ignore[type-arg]
    buffer = io.StringIO()
    write_checkins_csv([diary[0], diary[0]], buffer)
    with pytest.raises(CheckinError, match="appears twice"):
        read_checkins_csv(buffer.getvalue(), now=NOW, tz=TZ)


def test_the_demo_is_reproducible_and_ends_on_the_given_day(diary: list) -> None:  # type: ignore[type-arg]
    again = generate_diary(DEMO_PROFILES["patient"], end=END, tz=TZ)
    assert again == diary
    assert max(c.day for c in diary) == END
    assert min(c.day for c in diary) == END - timedelta(days=89)


def test_the_demo_titrates_from_1_5_to_4_5_mg_after_a_two_week_baseline(diary: list) -> None:  # type: ignore[type-arg]
    summary = summarize(diary, today=END)
    assert [str(s.dose_mg) for s in summary.dose_steps] == [
        "1.50",
        "2.00",
        "2.50",
        "3.00",
        "3.50",
        "4.00",
        "4.50",
    ]
    assert summary.baseline_days == 14
    assert 1 <= len(summary.missed_days) <= 12  # "an occasional missed dose"
    dream_days = {c.day for c in diary if any(e.name == "vivid_dreams" for e in c.side_effects)}
    assert 1 <= len(dream_days) <= 14  # "a few vivid-dream days"
    assert demo_dose_for_day(13, 14) is None


def test_the_second_demo_patient_stopped_checking_in_and_raises_the_alert() -> None:
    profile = DEMO_PROFILES["patient2"]
    diary = generate_diary(profile, end=END, tz=TZ)
    assert max(c.day for c in diary) == END - timedelta(days=profile.stopped_days_ago)
    summary = summarize(diary, today=END + timedelta(days=1))
    assert "no_checkin" in [a.code for a in summary.alerts]


def test_the_responder_improves_and_the_non_responder_does_not() -> None:
    changes = {}
    for key, profile in DEMO_PROFILES.items():
        summary = summarize(generate_diary(profile, end=END, tz=TZ), today=END)
        assert summary.change_from_baseline is not None
        changes[key] = summary.change_from_baseline["pain"]
    assert changes["patient"] < -0.5
    assert abs(changes["patient2"]) < 1.5


def test_kit_codes_survive_the_round_trip_and_older_files_without_the_column_still_load(
    diary: list,  # type: ignore[type-arg]
) -> None:
    from dataclasses import replace

    from lowdose.outcomes.allocation import kit_codes

    kit = kit_codes(1, random.Random(3))[0]
    blinded = [replace(diary[-1], dose_status="taken", dose_mg=None, kit=kit)]
    buffer = io.StringIO()
    write_checkins_csv(blinded, buffer)
    assert read_checkins_csv(buffer.getvalue(), now=NOW, tz=TZ) == blinded
    old = io.StringIO()
    write_checkins_csv(diary[:2], old)
    without_kit = "\n".join(line.rsplit(",", 1)[0] for line in old.getvalue().splitlines())
    assert read_checkins_csv(without_kit, now=NOW, tz=TZ) == diary[:2]


# Any text; parse_checkin stores it stripped, with \n line breaks, at most 2000 characters, no NUL.
notes = st.text(
    alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
    max_size=60,
)
note_starts = st.sampled_from(["", "'", "''", *FORMULA_TRIGGERS, "=HYPERLINK(", "-5", "@SUM("])


ONE = Checkin(
    client_id=uuid.UUID("2f1c6a53-9c7e-4d1e-8a55-0b6f4e1d2c3a"),
    day=date(2026, 5, 30),
    recorded_at=datetime(2026, 5, 30, 21, 0, tzinfo=TZ),
    pain=4,
    fatigue=5,
    sleep=6,
    mood=7,
    dose_status="taken",
    dose_mg=Decimal("4.50"),
    side_effects=(SideEffect("other", "mild", "=itch"),),
)


SCORES = {
    "client_id": str(ONE.client_id),
    "pain": 4,
    "fatigue": 5,
    "sleep": 6,
    "mood": 7,
    "dose_status": "none",
}


@given(start=note_starts, rest=notes)
def test_any_note_round_trips_and_no_exported_text_cell_starts_a_formula(
    start: str, rest: str
) -> None:
    stored = parse_checkin({"note": start + rest, **SCORES}, now=NOW, tz=TZ).note
    original = replace(ONE, note=stored)
    buffer = io.StringIO()
    write_checkins_csv([original], buffer)
    buffer.seek(0)
    row = next(csv.DictReader(buffer))
    for column in ("side_effects", "note", "kit"):
        assert not row[column].startswith(FORMULA_TRIGGERS), (column, row[column])
    assert read_checkins_csv(buffer.getvalue(), now=NOW, tz=TZ) == [original]


@pytest.mark.parametrize(
    ("note", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2 points", "'-2 points"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("'tis better", "''tis better"),
        ("slept 7 h", "slept 7 h"),
    ],
)
def test_a_text_cell_a_spreadsheet_would_evaluate_gets_one_quote(note: str, cell: str) -> None:
    assert escape_text_cell(note) == cell
    assert unescape_text_cell(cell) == note


def test_numeric_columns_are_not_escaped(diary: list) -> None:  # type: ignore[type-arg]
    buffer = io.StringIO()
    write_checkins_csv([replace(diary[0], note="=cmd")], buffer)
    header, line = list(csv.reader(io.StringIO(buffer.getvalue())))[:2]
    row = dict(zip(header, line, strict=True))
    assert row["pain"] == str(diary[0].pain)
    assert row["recorded_at"] == diary[0].recorded_at.isoformat()
    assert row["note"] == "'=cmd"


def test_a_bare_carriage_return_in_a_cell_is_a_checkin_error_not_a_crash() -> None:
    header = ",".join(CSV_COLUMNS)
    row = "2f1c6a53-9c7e-4d1e-8a55-0b6f4e1d2c3a,2026-05-30,,4,5,6,7,none,,,,a\rb,"
    with pytest.raises(CheckinError, match="not valid CSV"):
        read_checkins_csv(f"{header}\n{row}\n", now=NOW, tz=TZ)


def test_windows_and_old_mac_line_breaks_in_a_note_are_stored_as_newlines() -> None:
    stored = parse_checkin({"note": "a\r\nb\rc", **SCORES}, now=NOW, tz=TZ).note
    assert stored == "a\nb\nc"
