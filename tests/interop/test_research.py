"""The research export's pure parts: pseudonyms, date shifts, CSV and the archive."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lowdose.interop.research import (
    MAX_SHIFT_WEEKS,
    TABLES,
    Pseudonym,
    archive,
    csv_bytes,
    dictionary_rows,
    pseudonyms,
)


class _Seeded(random.Random):
    """A seeded stand-in for ``secrets.SystemRandom`` (same methods)."""


def test_every_patient_gets_a_unique_study_id_and_a_whole_number_of_weeks_never_zero() -> None:
    made = pseudonyms(range(2000), _Seeded(7))  # type: ignore[arg-type]
    ids = [p.study_id for p in made.values()]
    assert len(set(ids)) == 2000
    assert all(i.startswith("S") and len(i) == 11 for i in ids)
    shifts = [p.shift_days for p in made.values()]
    assert all(s % 7 == 0 and s != 0 and abs(s) <= 7 * MAX_SHIFT_WEEKS for s in shifts)
    # the shifts spread over the whole range, both ways (not one fixed offset)
    assert min(shifts) == -7 * MAX_SHIFT_WEEKS
    assert max(shifts) == 7 * MAX_SHIFT_WEEKS


def test_two_exports_of_the_same_patients_share_no_study_id() -> None:
    made = pseudonyms([1, 2, 3])
    # drawn afresh each time: two exports cannot be joined on the study id
    again = pseudonyms([1, 2, 3])
    assert {p.study_id for p in made.values()}.isdisjoint({p.study_id for p in again.values()})


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)), st.integers(-26, 26))
def test_a_shift_keeps_the_weekday_and_the_intervals(day: date, weeks: int) -> None:
    p = Pseudonym("S0000000001", 7 * weeks)
    moved = p.shift(day)
    assert moved is not None
    assert moved.weekday() == day.weekday()
    assert (moved - day).days == 7 * weeks
    assert p.shift(None) is None


def test_csv_is_rfc_4180_with_crlf_and_quotes_and_exact_decimals() -> None:
    data = csv_bytes(
        ("a", "b", "c", "d"),
        [
            ("x;y", 'say "hi"', Decimal("4.50"), True),
            ("line\nbreak", None, 0.12345, date(2026, 1, 2)),
        ],
    )
    text = data.decode("utf-8")
    assert text.startswith("a,b,c,d\r\n")
    assert '"say ""hi"""' in text
    assert "4.50" in text  # exact, as stored
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["a", "b", "c", "d"],
        ["x;y", 'say "hi"', "4.50", "true"],
        ["line\nbreak", "", "0.1235", "2026-01-02"],
    ]


def test_a_row_of_the_wrong_width_is_refused() -> None:
    with pytest.raises(ValueError, match="2 cells under 3 columns"):
        csv_bytes(("a", "b", "c"), [(1, 2)])


def test_the_archive_holds_every_table_its_dictionary_and_the_readme() -> None:
    data = archive(
        {"patients": [("S1", date(2026, 1, 1), "", 0)]}, "hello\n", created=date(2026, 12, 6)
    )
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        assert names == ["README.txt", "data_dictionary.csv", *(t.file for t in TABLES)]
        assert z.read("README.txt") == b"hello\r\n"
        dictionary = list(csv.reader(io.StringIO(z.read("data_dictionary.csv").decode())))
        assert dictionary[1:] == [list(r) for r in dictionary_rows()]
        # every table's header matches its dictionary entries
        for table in TABLES:
            header = next(csv.reader(io.StringIO(z.read(table.file).decode())))
            assert header == [c.name for c in table.columns]
            assert [r[1] for r in dictionary if r[0] == table.file] == header


def test_an_unknown_table_is_refused() -> None:
    with pytest.raises(ValueError, match="no such table: notes"):
        archive({"notes": []}, "", created=date(2026, 1, 1))


def test_every_column_is_described_with_a_known_type() -> None:
    kinds = {"text", "integer", "decimal", "date", "time", "boolean"}
    for _file, name, kind, _unit, meaning in dictionary_rows():
        assert kind in kinds, name
        assert meaning, name
