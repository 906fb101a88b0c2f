"""``lowdose screen --med NAME ... [--stopped NAME:DAYS_AGO ...] [--condition NAME ...]
[--surgery-in-days N] [--json]``."""

from __future__ import annotations

import argparse
from typing import Any

from lowdose.cli.output import console, naming_the_flag, respond, table
from lowdose.safety.screening import CONDITIONS, ScreeningResult, screen

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``screen`` sub-command."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "screen",
        help="screen medicines and conditions before prescribing naltrexone",
        description="Opioid and contraindication screening before naltrexone (LDN), failing "
        "closed. Status: contraindicated (hard stop), review (an entry a person must identify or "
        "confirm first), caution (needs a recorded reason) or ok (every entry identified, "
        "nothing found). Conditions: "
        + ", ".join(CONDITIONS)
        + " (underscores and spaces accepted).",
    )
    p.add_argument("--med", action="append", default=[], metavar="NAME", help="current medicine")
    p.add_argument(
        "--stopped",
        action="append",
        default=[],
        metavar="NAME:DAYS_AGO",
        help="medicine stopped DAYS_AGO days ago (0 = today)",
    )
    p.add_argument("--condition", action="append", default=[], metavar="NAME")
    p.add_argument("--surgery-in-days", type=int, default=None, metavar="N")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_run)


_FLAGS = {
    "stopped": "--stopped",
    "condition": "--condition",
    "surgery_in_days": "--surgery-in-days",
}


def _run(args: argparse.Namespace) -> int:
    with naming_the_flag(_FLAGS, default="--med"):
        result = screen(args.med, args.stopped, args.condition, args.surgery_in_days)
    return respond(args.json, result.to_dict, lambda: _print_table(result))


def _print_table(result: ScreeningResult) -> None:
    rows = table(f"Naltrexone screening: {result.status.upper()}")
    for col in ("severity", "code", "matched", "message"):
        rows.add_column(col, overflow="fold")
    for f in result.findings:
        rows.add_row(f.severity, f.code, f.matched, f.message)
    out = console()
    out.print(rows)
    out.print(result.summary(), highlight=False)
    for entry in result.review_entries:
        out.print(
            f"To review: {entry!r} — name its ingredient(s), or record that it contains no "
            "opioid with a reason (or, for a stopped depot, confirm the washout); until then "
            "it blocks signing, dispensing and kit release.",
            highlight=False,
        )
