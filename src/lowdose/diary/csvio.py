"""CSV export and re-import of a patient's check-ins, losing nothing on the round trip.

Columns (one row per check-in)::

    client_id, day, recorded_at, pain, fatigue, sleep, mood, dose_status, dose_mg, dose_time,
    side_effects, note

``side_effects`` is ``name:severity`` pairs separated by ``;`` (an ``other`` effect may carry
``other:mild:detail text``). Every row is validated by :func:`lowdose.diary.parse_checkin`; the
first bad row stops the import with its row number, and nothing is imported.

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
from collections.abc import Iterable
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from lowdose.diary.checkin import Checkin, parse_checkin
from lowdose.errors import CheckinError

__all__ = [
    "CSV_COLUMNS",
    "FORMULA_TRIGGERS",
    "escape_text_cell",
    "read_checkins_csv",
    "unescape_text_cell",
    "write_checkins_csv",
]

CSV_COLUMNS: tuple[str, ...] = (
    "client_id",
    "day",
    "recorded_at",
    "pain",
    "fatigue",
    "sleep",
    "mood",
    "dose_status",
    "dose_mg",
    "dose_time",
    "side_effects",
    "note",
    "kit",
)
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


def _encode_side_effects(checkin: Checkin) -> str:
    parts = []
    for effect in checkin.side_effects:
        part = f"{effect.name}:{effect.severity}"
        if effect.detail:
            part += ":" + effect.detail.replace(";", ",")
        parts.append(part)
    return ";".join(parts)


def _decode_side_effects(text: str, row: int) -> list[dict[str, str]]:
    effects = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
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


def write_checkins_csv(checkins: Iterable[Checkin], stream: TextIO) -> None:
    """Write check-ins as CSV (UTF-8 text, header first, ordered by recorded time)."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for c in sorted(checkins, key=lambda c: (c.recorded_at, str(c.client_id))):
        writer.writerow(
            [
                str(c.client_id),
                c.day.isoformat(),
                c.recorded_at.isoformat(),
                c.pain,
                c.fatigue,
                c.sleep,
                c.mood,
                c.dose_status,
                "" if c.dose_mg is None else str(c.dose_mg),
                "" if c.dose_time is None else c.dose_time.strftime("%H:%M"),
                escape_text_cell(_encode_side_effects(c)),
                escape_text_cell(c.note),
                escape_text_cell(c.kit),
            ]
        )


def read_checkins_csv(
    stream: TextIO | str, *, now: datetime, tz: ZoneInfo, joined: datetime | None = None
) -> list[Checkin]:
    """Read and validate every row; raise :class:`CheckinError` naming the first bad row/column.

    ``now``, ``tz`` and ``joined`` are passed to :func:`lowdose.diary.parse_checkin`.
    """
    reader = csv.DictReader(io.StringIO(stream) if isinstance(stream, str) else stream)
    missing = [
        c for c in CSV_COLUMNS if c not in (reader.fieldnames or []) and c not in OPTIONAL_COLUMNS
    ]
    if missing:
        raise CheckinError(
            f"The CSV header lacks column(s) {', '.join(missing)}; export a file from lowdose "
            "and keep its header row.",
            field=missing[0],
        )
    try:
        return _read_rows(reader, now=now, tz=tz, joined=joined)
    except csv.Error as exc:  # e.g. a bare carriage return in an unquoted cell
        raise CheckinError(
            f"row {reader.line_num}: the file is not valid CSV ({exc}); export it again from "
            "lowdose or your spreadsheet.",
            field=None,
        ) from None


def _read_rows(
    reader: csv.DictReader[str], *, now: datetime, tz: ZoneInfo, joined: datetime | None
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
            checkin = parse_checkin(raw, now=now, tz=tz, joined=joined)
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
