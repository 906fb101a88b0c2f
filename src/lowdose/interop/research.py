"""A de-identified research export: a clinic's check-ins, questionnaires, regimens and N-of-1
results as CSV tables with a data dictionary, every direct identifier removed and every date
shifted per patient.

What is removed, and why (HIPAA Safe Harbor's list of 18 identifiers, 45 CFR 164.514(b)(2), as
the checklist; the export keeps shifted dates, so it is *not* Safe Harbor: it is pseudonymised
data for a research agreement, see ``docs/research-export.md``):

* names, user names, e-mail addresses, record numbers and every database id: each patient is a
  random study id (``S`` and 10 hexadecimal digits) drawn afresh for every export, so two exports
  cannot be joined on it;
* free text (check-in notes, side-effect details, clinical notes, reasons): it may hold names,
  places or dates and cannot be checked by a program;
* the patient's time zone (a place) and the clinic;
* every date is moved by the patient's own shift, a whole number of weeks between −26 and +26
  (never 0), drawn afresh for every export: intervals within a patient and the weekday are kept
  (the diary's weekly rhythm survives), calendar dates and the order of patients are not.

Blinding: an N-of-1 trial's arms per period are exported only once the trial is unblinded; kit
codes never are.

The module is pure: the web layer gathers the rows and hands them in as plain values.
"""

from __future__ import annotations

import csv
import io
import secrets
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from lowdose.daily import DAILY_SCALES

__all__ = [
    "MAX_SHIFT_WEEKS",
    "TABLES",
    "Column",
    "Pseudonym",
    "Table",
    "archive",
    "csv_bytes",
    "dictionary_rows",
    "pseudonyms",
]

#: The largest shift, in weeks, either way (half a year).
MAX_SHIFT_WEEKS = 26


@dataclass(frozen=True, slots=True)
class Pseudonym:
    """One patient in one export: a random study id and a date shift in days (whole weeks)."""

    study_id: str
    shift_days: int

    def shift(self, day: date | None) -> date | None:
        """``day`` moved by this patient's shift (None stays None)."""
        return None if day is None else day + timedelta(days=self.shift_days)


def pseudonyms(
    keys: Iterable[int], rng: secrets.SystemRandom | None = None
) -> dict[int, Pseudonym]:
    """A fresh, unique study id and shift for each key (a patient's database id, which does not
    leave this function). ``rng`` is for tests; the default is the operating system's CSPRNG."""
    rng = rng or secrets.SystemRandom()
    weeks = [w for w in range(-MAX_SHIFT_WEEKS, MAX_SHIFT_WEEKS + 1) if w != 0]
    taken: set[str] = set()
    result: dict[int, Pseudonym] = {}
    for key in keys:
        study_id = ""
        while not study_id or study_id in taken:
            study_id = f"S{rng.getrandbits(40):010x}"
        taken.add(study_id)
        result[key] = Pseudonym(study_id, 7 * rng.choice(weeks))
    return result


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an exported table, as the data dictionary describes it."""

    name: str
    kind: str  # "text", "integer", "decimal", "date", "time", "boolean"
    unit: str
    meaning: str


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    meaning: str
    columns: tuple[Column, ...]

    @property
    def file(self) -> str:
        return f"{self.name}.csv"


_STUDY_ID = Column("study_id", "text", "", "The patient in this export (random; new each export)")


def _scores() -> tuple[Column, ...]:
    return tuple(
        Column(
            scale.name,
            "integer",
            f"{scale.low}-{scale.high}",
            f"{scale.label} for the day ({scale.low} {scale.low_anchor}, "
            f"{scale.high} {scale.high_anchor}; {scale.source})",
        )
        for scale in DAILY_SCALES
    )


#: Every table of the export, in the order of the archive, with its data dictionary.
TABLES: tuple[Table, ...] = (
    Table(
        "patients",
        "One row per patient in the export",
        (
            _STUDY_ID,
            Column("enrolled_on", "date", "", "Day the record was created (shifted)"),
            Column(
                "conditions",
                "text",
                "",
                "Recorded conditions relevant to screening, separated by ';' (current ones only)",
            ),
            Column("checkins", "integer", "days", "Number of check-ins exported"),
        ),
    ),
    Table(
        "checkins",
        "One row per daily check-in (deleted ones are left out; a corrected one as corrected)",
        (
            _STUDY_ID,
            Column("day", "date", "", "The day the check-in is about (shifted)"),
            *_scores(),
            Column("dose_status", "text", "", "taken, missed or none (not on LDN that day)"),
            Column("dose_mg", "decimal", "mg", "Naltrexone dose taken, when taken"),
            Column("dose_time", "time", "local clock", "Time the dose was taken, when given"),
            Column("in_trial", "boolean", "", "The day falls in a blinded N-of-1 trial"),
        ),
    ),
    Table(
        "side_effects",
        "One row per side effect reported in a check-in (free-text detail left out)",
        (
            _STUDY_ID,
            Column("day", "date", "", "Day of the check-in that reported it (shifted)"),
            Column("name", "text", "", "Side effect, from lowdose's fixed list"),
            Column("severity", "text", "", "mild, moderate or severe"),
        ),
    ),
    Table(
        "questionnaires",
        "One row per completed questionnaire or criteria assessment",
        (
            _STUDY_ID,
            Column("completed_on", "date", "", "Day completed (shifted)"),
            Column("instrument", "text", "", "Instrument code (docs/instruments.md)"),
            Column("version", "text", "", "Instrument version scored"),
            Column("total", "text", "points", "Total score as stored (criteria: met / not met)"),
            Column("band", "text", "", "Severity band of the total, where the instrument has one"),
        ),
    ),
    Table(
        "regimen_steps",
        "One row per titration step of each signed or dispensed prescription",
        (
            _STUDY_ID,
            Column("prescription", "integer", "", "Prescription number within the patient (1, 2…)"),
            Column("protocol", "text", "", "Titration protocol (docs/titration.md)"),
            Column("form", "text", "", "Dose form (capsule or oral liquid)"),
            Column("concentration_mg_per_ml", "decimal", "mg/mL", "Liquid's strength"),
            Column("step_start", "date", "", "First day of the step (shifted)"),
            Column("step_end", "date", "", "Last day of the step (shifted; empty: open-ended)"),
            Column("dose_mg", "decimal", "mg", "Nightly dose in the step"),
            Column("dose_time", "text", "", "Time of day the dose is taken"),
        ),
    ),
    Table(
        "nof1_trials",
        "One row per active arm of each unblinded N-of-1 trial (blinded trials: no row)",
        (
            _STUDY_ID,
            Column("trial", "integer", "", "Trial number within the patient (1, 2…)"),
            Column("start", "date", "", "First day of the trial (shifted)"),
            Column("end", "date", "", "Last day of the trial (shifted)"),
            Column("cycles", "integer", "", "Number of cycles (pairs of periods)"),
            Column("period_days", "integer", "days", "Length of one period"),
            Column("outcome", "text", "", "Daily score analysed"),
            Column("arm", "text", "", "Active arm compared with placebo"),
            Column("effect_mean", "decimal", "points", "Posterior mean of active − placebo"),
            Column("effect_ci_low", "decimal", "points", "Lower end of its 95% credible interval"),
            Column("effect_ci_high", "decimal", "points", "Upper end of its 95% credible interval"),
            Column("p_better", "decimal", "", "Posterior probability the arm is better"),
            Column("mcid", "decimal", "points", "Smallest difference that matters, as planned"),
        ),
    ),
)


def dictionary_rows() -> list[tuple[str, str, str, str, str]]:
    """The data dictionary: one row per column of every table."""
    return [
        (table.file, c.name, c.kind, c.unit, c.meaning) for table in TABLES for c in table.columns
    ]


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")  # as stored: exact, never in exponent notation
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """RFC 4180 CSV (CRLF line ends, fields quoted where needed), UTF-8 without BOM."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"a row of {len(row)} cells under {len(header)} columns")
        writer.writerow([_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def archive(rows: Mapping[str, Iterable[Sequence[object]]], readme: str, *, created: date) -> bytes:
    """The export as one ZIP: ``README.txt``, ``data_dictionary.csv`` and one CSV per table of
    :data:`TABLES` (``rows`` keyed by table name; a table without rows has its header only)."""
    unknown = set(rows) - {t.name for t in TABLES}
    if unknown:
        raise ValueError(f"no such table: {', '.join(sorted(unknown))}")
    buffer = io.BytesIO()
    stamp = (created.year, created.month, created.day, 0, 0, 0)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zipped:

        def put(name: str, data: bytes) -> None:
            zipped.writestr(zipfile.ZipInfo(name, date_time=stamp), data, zipfile.ZIP_DEFLATED)

        put("README.txt", readme.replace("\n", "\r\n").encode("utf-8"))
        put(
            "data_dictionary.csv",
            csv_bytes(("file", "column", "type", "unit", "meaning"), dictionary_rows()),
        )
        for table in TABLES:
            put(table.file, csv_bytes([c.name for c in table.columns], rows.get(table.name, ())))
    return buffer.getvalue()
