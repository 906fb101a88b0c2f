"""Read study data for a meta-analysis from CSV, naming the row and column of every problem."""

from __future__ import annotations

import csv
import math
from pathlib import Path

from lowdose.errors import MetaInputError
from lowdose.meta.effects import MEASURES, EffectSizes, ZeroCellCorrection, escalc

__all__ = ["REQUIRED_COLUMNS", "read_effects_csv"]

#: Column sets accepted per measure (metafor names); the first complete set found is used.
REQUIRED_COLUMNS: dict[str, tuple[tuple[str, ...], ...]] = {
    "MD": (("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),),
    "SMD": (("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),),
    "ROM": (("m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"),),
    "RR": (("ai", "bi", "ci", "di"), ("ai", "n1i", "ci", "n2i")),
    "OR": (("ai", "bi", "ci", "di"), ("ai", "n1i", "ci", "n2i")),
    "RD": (("ai", "bi", "ci", "di"), ("ai", "n1i", "ci", "n2i")),
    "GEN": (("yi", "vi"), ("yi", "sei")),
}


def _number(text: str, line: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise MetaInputError(
            f"row {line}, column '{column}': {text!r} is not a number; fix the cell.",
            field=column,
        ) from None
    if not math.isfinite(value):
        raise MetaInputError(
            f"row {line}, column '{column}': {text!r} is not a finite number.", field=column
        )
    return value


def read_effects_csv(
    path: str | Path, measure: str, correction: ZeroCellCorrection | None = None
) -> EffectSizes:
    """Read a CSV with metafor column names (plus optional ``study`` and ``year``).

    Rows are numbered as lines of the file (the header is line 1), so an error message such
    as ``row 4, column 'vi'`` points at the line to edit.
    """
    measure = measure.upper()
    if measure not in MEASURES:
        raise MetaInputError(f"unknown measure {measure!r}.", field="measure")
    file = Path(path)
    if not file.is_file():
        raise MetaInputError(f"{file}: no such file; check the path.", field="file")
    with file.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in (reader.fieldnames or [])]
        rows = [{(k or "").strip(): (v or "").strip() for k, v in r.items()} for r in reader]
    if not header:
        raise MetaInputError(f"{file}: the file is empty; add a header row.", field="file")
    choice = next((cols for cols in REQUIRED_COLUMNS[measure] if set(cols) <= set(header)), None)
    if choice is None:
        wanted = " or ".join(", ".join(c) for c in REQUIRED_COLUMNS[measure])
        first = REQUIRED_COLUMNS[measure][0]
        missing = [c for c in first if c not in header]
        raise MetaInputError(
            f"{file}: missing column '{missing[0]}' for --measure {measure}; need {wanted} "
            f"(found: {', '.join(header)}).",
            field=missing[0],
        )
    if not rows:
        raise MetaInputError(f"{file}: no data rows under the header.", field="file")
    values: dict[str, list[float]] = {c: [] for c in choice}
    studies: list[str] = []
    years: list[int | None] = []
    labels: list[str] = []
    for n, row in enumerate(rows):
        line = n + 2
        labels.append(f"row {line}")
        for col in choice:
            text = row.get(col, "")
            if text == "":
                raise MetaInputError(f"row {line}, column '{col}': empty cell.", field=col)
            values[col].append(_number(text, line, col))
        studies.append(row.get("study") or f"row {line}")
        year_text = row.get("year", "")
        if year_text:
            year = _number(year_text, line, "year")
            if year != int(year):
                raise MetaInputError(f"row {line}, column 'year': not a whole year.", field="year")
            years.append(int(year))
        else:
            years.append(None)
    return escalc(
        measure,
        **values,
        correction=correction,
        study=studies,
        year=years,
        row_labels=labels,
    )
