"""The diary's CSV, read and written here only, in two formats that share their columns and cells.

**Check-ins** (:func:`write_checkins_csv`, :func:`read_checkins_csv`): export and re-import of a
patient's check-ins, losing nothing on the round trip. Columns (one row per check-in)::

    client_id, day, recorded_at, <one per daily scale: pain, fatigue, sleep, mood>, dose_status,
    dose_mg, dose_time, side_effects, note, kit

**Daily series** (:func:`write_diary`, :func:`parse_diary`, :func:`read_diary`): the
``lowdose nof1 analyze`` / ``lowdose response`` input, one row per dated entry::

    date, <one per daily scale>[, dose_mg]

with ISO dates; several rows for one date are averaged, empty cells ignored
(:class:`lowdose.daily.Diary`). The score columns of both come from the
:class:`~lowdose.daily.DailyScales` set (by default :data:`~lowdose.daily.DAILY_SCALES`).

``side_effects`` is ``name:severity`` pairs separated by ``;`` (an effect may carry a detail:
``other:mild:detail text``). In a detail, ``;`` is written ``\\;`` and ``\\`` is written ``\\\\``,
so every detail comes back exactly (a backslash before any other character is itself). Every row
is validated by :func:`lowdose.diary.parse_checkin`; the first bad row stops the import with its
row number, and nothing is imported.

**The file** is RFC 4180 CSV: UTF-8, CRLF line ends, every cell in double quotes (a ``"`` in a
cell doubled), so a ``,``, a ``;`` (the delimiter of spreadsheets in many European locales), a
quote or a line break inside a cell never splits it. ``bom=True`` writes a UTF-8 byte-order mark
first, which Excel on Windows needs to read the file as UTF-8; the readers accept a file with or
without one.

Spreadsheets evaluate a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (OWASP, "CSV Injection"), so a note such as ``=HYPERLINK(...)`` could run in
the clinician's spreadsheet. Free-text cells (``side_effects``, ``note``, ``kit``) that start with
one of those characters, or with ``'``, are written with a leading ``'`` (spreadsheets show the
rest as text); the reader removes exactly that one ``'``, so an export re-imports unchanged.
Numeric and date cells are never escaped. (A file exported before this escaping whose note starts
with ``'`` loses that first ``'`` on import.)
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from lowdose.daily import DAILY_SCALES, DailyScales, Diary, diary_from_numbered_rows
from lowdose.diary.checkin import Checkin, parse_checkin
from lowdose.errors import CheckinError, DiaryError

__all__ = [
    "BOM",
    "CSV_COLUMNS",
    "FORMULA_TRIGGERS",
    "checkin_columns",
    "diary_columns",
    "escape_text_cell",
    "parse_diary",
    "read_checkins_csv",
    "read_diary",
    "unescape_text_cell",
    "write_checkins_csv",
    "write_diary",
]


def checkin_columns(scales: DailyScales = DAILY_SCALES) -> tuple[str, ...]:
    """The check-in CSV's header: the entry, one column per scale, the dose and the free text."""
    return (
        "client_id",
        "day",
        "recorded_at",
        *scales.names,
        "dose_status",
        "dose_mg",
        "dose_time",
        "side_effects",
        "note",
        "kit",
    )


def diary_columns(scales: DailyScales = DAILY_SCALES) -> tuple[str, ...]:
    """The daily series CSV's header (``dose_mg`` last, optional on reading)."""
    return ("date", *scales.names, "dose_mg")


CSV_COLUMNS: tuple[str, ...] = checkin_columns()
#: Columns an older export may lack (added after the first release of the format).
OPTIONAL_COLUMNS = frozenset({"kit"})
#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV Injection).
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_ESCAPE = "'"
#: Free-text columns: escaped on export, unescaped on import.
TEXT_COLUMNS = frozenset({"side_effects", "note", "kit"})
MAX_ROWS = 20_000  # about 50 years of daily entries: anything larger is not a diary export


def escape_text_cell(text: str) -> str:
    """``text`` made safe for a spreadsheet: a leading ``'`` when it starts with a formula trigger
    (or with ``'`` itself, so that :func:`unescape_text_cell` knows which ``'`` it added)."""
    if text.startswith((*FORMULA_TRIGGERS, _ESCAPE)):
        return _ESCAPE + text
    return text


def unescape_text_cell(text: str) -> str:
    """The inverse of :func:`escape_text_cell`: removes one leading ``'``."""
    return text[1:] if text.startswith(_ESCAPE) else text


#: A UTF-8 byte-order mark: Excel on Windows reads a CSV as UTF-8 only when it starts with one.
BOM = "\ufeff"


def _escape_detail(detail: str) -> str:
    return detail.replace("\\", "\\\\").replace(";", "\\;")


def _split_effects(text: str) -> list[str]:
    """``text`` cut at each ``;`` not escaped, with ``\\;`` and ``\\\\`` read back."""
    parts, current, chars = [], [], iter(text)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            current.append(following if following in ("\\", ";") else char + following)
        elif char == ";":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _encode_side_effects(checkin: Checkin) -> str:
    parts = []
    for effect in checkin.side_effects:
        part = f"{effect.name}:{effect.severity}"
        if effect.detail:
            part += ":" + _escape_detail(effect.detail)
        parts.append(part)
    return ";".join(parts)


def _decode_side_effects(text: str, row: int) -> list[dict[str, str]]:
    effects = []
    for part in filter(None, (p.strip() for p in _split_effects(text))):
        pieces = part.split(":", 2)
        if len(pieces) < 2:
            raise CheckinError(
                f"row {row}, column side_effects: write each effect as name:severity "
                f"(e.g. vivid_dreams:mild); got {part!r}.",
                field="side_effects",
            )
        effect = {"name": pieces[0].strip(), "severity": pieces[1].strip()}
        if len(pieces) == 3:
            effect["detail"] = pieces[2].strip()
        effects.append(effect)
    return effects


def _dose_cell(dose_mg: Decimal | None) -> str:
    return "" if dose_mg is None else str(dose_mg)


def _writer(stream: TextIO, bom: bool, *, quote_all: bool = True) -> Any:
    """An RFC 4180 writer (CRLF; every cell quoted unless the file holds no text), after the
    byte-order mark if asked."""
    if bom:
        stream.write(BOM)
    if quote_all:
        return csv.writer(stream, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    return csv.writer(stream, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)


def write_checkins_csv(
    checkins: Iterable[Checkin],
    stream: TextIO,
    *,
    scales: DailyScales = DAILY_SCALES,
    bom: bool = False,
) -> None:
    """Write check-ins as CSV (header first, ordered by recorded time; module docstring)."""
    writer = _writer(stream, bom)
    writer.writerow(checkin_columns(scales))
    for c in sorted(checkins, key=lambda c: (c.recorded_at, str(c.client_id))):
        writer.writerow(
            [
                str(c.client_id),
                c.day.isoformat(),
                c.recorded_at.isoformat(),
                *(c.score(name) for name in scales.names),
                c.dose_status,
                _dose_cell(c.dose_mg),
                "" if c.dose_time is None else c.dose_time.strftime("%H:%M"),
                escape_text_cell(_encode_side_effects(c)),
                escape_text_cell(c.note),
                escape_text_cell(c.kit),
            ]
        )


def read_checkins_csv(
    stream: TextIO | str,
    *,
    now: datetime,
    tz: ZoneInfo,
    joined: datetime | None = None,
    scales: DailyScales = DAILY_SCALES,
) -> list[Checkin]:
    """Read and validate every row; raise :class:`CheckinError` naming the first bad row/column.

    ``now``, ``tz``, ``joined`` and ``scales`` are passed to :func:`lowdose.diary.parse_checkin`.
    """
    text = stream if isinstance(stream, str) else stream.read()
    reader = csv.DictReader(io.StringIO(text.removeprefix(BOM)))
    missing = [
        c
        for c in checkin_columns(scales)
        if c not in (reader.fieldnames or []) and c not in OPTIONAL_COLUMNS
    ]
    if missing:
        raise CheckinError(
            f"The CSV header lacks column(s) {', '.join(missing)}; export a file from lowdose "
            "and keep its header row.",
            field=missing[0],
        )
    try:
        return _read_rows(reader, now=now, tz=tz, joined=joined, scales=scales)
    except csv.Error as exc:  # e.g. a bare carriage return in an unquoted cell
        raise CheckinError(
            f"row {reader.line_num}: the file is not valid CSV ({exc}); export it again from "
            "lowdose or your spreadsheet.",
            field=None,
        ) from None


def _read_rows(
    reader: csv.DictReader[str],
    *,
    now: datetime,
    tz: ZoneInfo,
    joined: datetime | None,
    scales: DailyScales,
) -> list[Checkin]:
    checkins: list[Checkin] = []
    seen: set[str] = set()
    for number, row in enumerate(reader, start=2):  # row 1 is the header
        if number - 1 > MAX_ROWS:
            raise CheckinError(f"The file has more than {MAX_ROWS} rows; split it.", field=None)
        raw: dict[str, object] = {
            name: unescape_text_cell(value)
            if name in TEXT_COLUMNS and isinstance(value, str)
            else value
            for name, value in row.items()
        }
        raw["side_effects"] = _decode_side_effects(str(raw.get("side_effects") or ""), number)
        try:
            checkin = parse_checkin(raw, now=now, tz=tz, joined=joined, scales=scales)
        except CheckinError as exc:
            raise CheckinError(f"row {number}: {exc}", field=exc.field) from None
        if str(checkin.client_id) in seen:
            raise CheckinError(
                f"row {number}, column client_id: {checkin.client_id} appears twice in the file; "
                "each check-in needs its own id.",
                field="client_id",
            )
        seen.add(str(checkin.client_id))
        checkins.append(checkin)
    return checkins


def _score_cell(value: float) -> str:
    return "" if math.isnan(value) else str(value)


def write_diary(diary: Diary, stream: TextIO, *, bom: bool = False) -> None:
    """Write the daily series as the diary CSV (one row per day, the diary's scales as columns;
    an empty cell for a day not rated; CRLF line ends, no quotes: it holds only dates and
    numbers). :func:`parse_diary` reads it back unchanged."""
    writer = _writer(stream, bom, quote_all=False)
    writer.writerow(diary_columns(diary.scales))
    for row in diary:
        writer.writerow(
            [
                row.day.isoformat(),
                *(_score_cell(row.score(name)) for name in diary.scales.names),
                _dose_cell(row.dose_mg),
            ]
        )


def parse_diary(text: str, *, scales: DailyScales = DAILY_SCALES) -> Diary:
    """Parse diary CSV text. Errors name the line number (header = line 1) and the column."""
    reader = csv.DictReader(io.StringIO(text.removeprefix(BOM)))
    header = [h.strip() for h in (reader.fieldnames or [])]
    *required, optional = diary_columns(scales)
    missing = [c for c in required if c not in header]
    if missing:
        raise DiaryError(
            f"diary CSV is missing column(s) {', '.join(missing)}; the header must be "
            f"'{','.join(required)}' (optionally ',{optional}')",
            field=missing[0],
        )
    unknown = [c for c in header if c not in required and c != optional]
    if unknown:
        raise DiaryError(
            f"diary CSV has unknown column(s) {', '.join(unknown)}; allowed are "
            f"{', '.join(diary_columns(scales))}",
            field=unknown[0],
        )
    reader.fieldnames = header
    numbered = ((i + 2, row) for i, row in enumerate(reader))
    return diary_from_numbered_rows(numbered, where="line", scales=scales)


def read_diary(path: str | Path, *, scales: DailyScales = DAILY_SCALES) -> Diary:
    """Read a diary CSV file (UTF-8, optional BOM)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DiaryError(f"cannot read diary file {path}: {exc.strerror}", field="path") from exc
    return parse_diary(text, scales=scales)
