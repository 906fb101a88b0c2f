"""Property: a check-in CSV export read back by the import gives every field exactly, whatever the
text holds (non-ASCII, quotes, ``;``, ``,``, line breaks, a leading ``=`` or ``'``), with or without
a byte-order mark; and the file is RFC 4180 (CRLF, quoted cells)."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from lowdose.daily import DAILY_SCALES
from lowdose.diary import Checkin, parse_checkin
from lowdose.diary.checkin import DETAIL_MAX_CHARS, SEVERITIES, SIDE_EFFECTS
from lowdose.interop.diary_csv import BOM, read_checkins_csv, write_checkins_csv

TZ = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=TZ)

#: Any character a person can type (no lone surrogates, no NUL: the check-in refuses NUL).
_char = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
_tricky = st.sampled_from(
    [";", ",", '"', "'", "\n", "\r\n", ":", "\\", "\\;", "=", "é", "試", "🙂"]
)
_text = st.lists(st.one_of(_char, _tricky), max_size=40).map("".join)


@st.composite
def _checkin(draw: st.DrawFn) -> Checkin:
    minutes = draw(st.integers(min_value=0, max_value=200 * 24 * 60))
    offset = draw(st.sampled_from([0, 60, 120, -300, 330, 600]))
    recorded = (NOW - timedelta(minutes=minutes)).astimezone(timezone(timedelta(minutes=offset)))
    names = draw(st.lists(st.sampled_from(list(SIDE_EFFECTS)), unique=True, max_size=3))
    effects = [
        {
            "name": name,
            "severity": draw(st.sampled_from(SEVERITIES)),
            "detail": draw(_text)[:DETAIL_MAX_CHARS],
        }
        for name in names
    ]
    status = draw(st.sampled_from(["taken", "missed", "none"]))
    raw: dict[str, object] = {
        "client_id": str(uuid.UUID(int=draw(st.integers(min_value=1, max_value=2**128 - 1)))),
        "recorded_at": recorded.isoformat(),
        **{name: str(draw(st.integers(min_value=0, max_value=10))) for name in DAILY_SCALES.names},
        "dose_status": status,
        "side_effects": effects,
        "note": draw(_text),
    }
    if status == "taken":
        raw["dose_mg"] = str(Decimal(draw(st.integers(min_value=1, max_value=5000))) / 100)
        raw["dose_time"] = draw(st.sampled_from(["", "21:30", "08:05"]))
    return parse_checkin(raw, now=NOW, tz=TZ)  # as stored: validated and normalised


def _export(checkins: list[Checkin], *, bom: bool = False) -> str:
    stream = io.StringIO()
    write_checkins_csv(checkins, stream, bom=bom)
    return stream.getvalue()


@settings(max_examples=300, deadline=None)
@given(st.lists(_checkin(), max_size=6, unique_by=lambda c: c.client_id), st.booleans())
def test_export_then_import_gives_every_field_back(checkins: list[Checkin], bom: bool) -> None:
    text = _export(checkins, bom=bom)
    assert text.startswith(BOM) is bom
    back = read_checkins_csv(text, now=NOW, tz=TZ)
    key = lambda c: (c.recorded_at, str(c.client_id))  # noqa: E731  # the export's order
    assert back == sorted(checkins, key=key)
    for mine, theirs in zip(back, sorted(checkins, key=key), strict=True):
        assert mine.recorded_at.isoformat() == theirs.recorded_at.isoformat()
        assert mine.side_effects == theirs.side_effects  # details with ';' included
        assert mine.note == theirs.note
    assert _export(back, bom=bom) == text  # and the re-export is the same file


@settings(max_examples=100, deadline=None)
@given(st.lists(_checkin(), min_size=1, max_size=4, unique_by=lambda c: c.client_id))
def test_the_file_is_rfc_4180(checkins: list[Checkin]) -> None:
    text = _export(checkins)
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == len(checkins) + 1
    # every record ends with CRLF; a line break inside a quoted cell is the cell's own "\n"
    assert text.endswith("\r\n")
    assert text.count("\r\n") == len(rows)
    assert all(cell.startswith('"') for cell in text.split("\r\n")[0].split(","))


def test_a_semicolon_in_a_side_effect_detail_survives() -> None:
    raw = {
        "client_id": "2f1c6a53-9c7e-4d1e-8a55-0b6f4e1d2c3a",
        "recorded_at": "2026-05-30T21:00:00+02:00",
        **dict.fromkeys(DAILY_SCALES.names, "5"),
        "dose_status": "none",
        "side_effects": [{"name": "other", "severity": "mild", "detail": 'itch; "rash", C:\\x\\'}],
    }
    checkin = parse_checkin(raw, now=NOW, tz=TZ)
    text = _export([checkin])
    assert r'other:mild:itch\; ""rash"", C:\\x\\' in text  # escaped, then CSV-quoted
    (back,) = read_checkins_csv(text, now=NOW, tz=TZ)
    assert back.side_effects[0].detail == 'itch; "rash", C:\\x\\'
