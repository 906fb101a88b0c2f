"""``lowdose compound --form capsule|liquid ... [--json]``: the compounding worksheet.

``lowdose compound --form capsule --strength MG --count N --source api|tablets --json``
``lowdose compound --form liquid --concentration MG_PER_ML --volume ML --source api|tablets
[--preserved] --json``
"""

from __future__ import annotations

import argparse
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from lowdose.cli.output import console, naming_the_flag, respond, table
from lowdose.pharmacy.capsules import CapsuleCompounding
from lowdose.pharmacy.formulation import Syringe
from lowdose.pharmacy.liquid import LiquidCompounding
from lowdose.pharmacy.units import Quantity, Unit
from lowdose.pharmacy.worksheet import Worksheet

__all__ = ["register"]

_FLAGS = {
    "strength": "--strength",
    "count": "--count",
    "source": "--source",
    "filler": "--filler",
    "overage": "--overage",
    "concentration": "--concentration",
    "volume": "--volume",
    "dose": "--dose",
    "storage": "--preserved",
    "fill_weight_mg": "--fill-weight",
    "tablet_weight_mg": "--tablet-weight",
    "max_strength_mg": "--max-strength",
    "min_weighable_mg": "--min-weighable",
    "syringe_capacity": "--syringe-ml",
    "syringe_graduation": "--graduation-ml",
}


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a decimal number") from exc
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from exc


def register(subparsers: Any) -> None:
    """Add the ``compound`` sub-command."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "compound",
        help="compounding worksheet for LDN capsules or oral liquid",
        description="Exact compounding worksheet (naltrexone HCl; Decimal arithmetic): "
        "ingredients, overage, USP <795> beyond-use date, storage and label. Impossible "
        "requests are refused with the reason.",
    )
    p.add_argument("--form", choices=["capsule", "liquid"], required=True)
    p.add_argument(
        "--source",
        choices=["api", "tablets"],
        required=True,
        help="naltrexone HCl powder (api) or crushed 50 mg tablets",
    )
    p.add_argument("--strength", type=_decimal, metavar="MG", help="capsule strength, mg")
    p.add_argument("--count", type=int, metavar="N", help="capsules to dispense")
    p.add_argument("--concentration", type=_decimal, metavar="MG_PER_ML")
    p.add_argument("--volume", type=_decimal, metavar="ML", help="volume to dispense, mL")
    p.add_argument("--preserved", action="store_true", help="add a preservative (35-day BUD)")
    p.add_argument(
        "--dose",
        type=_decimal,
        action="append",
        default=[],
        metavar="MG",
        help="liquid: a dose the patient measures (checked on the syringe)",
    )
    p.add_argument(
        "--filler", default=None, help="capsule filler (default microcrystalline cellulose)"
    )
    p.add_argument(
        "--overage", type=int, default=0, metavar="N", help="extra capsules for filling losses"
    )
    p.add_argument(
        "--fill-weight",
        type=_decimal,
        default=None,
        metavar="MG",
        help="calibrated fill per capsule (default 225 mg, size #3)",
    )
    p.add_argument(
        "--tablet-weight",
        type=_decimal,
        default=None,
        metavar="MG",
        help="measured weight of one 50 mg tablet (exact filler for tablet blends)",
    )
    p.add_argument("--max-strength", type=_decimal, default=None, metavar="MG")
    p.add_argument(
        "--min-weighable",
        type=_decimal,
        default=None,
        metavar="MG",
        help="the balance's minimum weighable quantity (default 120 mg); less is triturated",
    )
    p.add_argument("--syringe-ml", type=_decimal, default=None, metavar="ML")
    p.add_argument("--graduation-ml", type=_decimal, default=None, metavar="ML")
    p.add_argument("--compounded-on", type=_iso_date, default=None, metavar="YYYY-MM-DD")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_run, parser=p)


def _build(args: argparse.Namespace) -> Worksheet:
    parser: argparse.ArgumentParser = args.parser
    if args.form == "capsule":
        for flag, value in (("--strength", args.strength), ("--count", args.count)):
            if value is None:
                parser.error(f"{flag} is required with --form capsule")
        liquid_only = (
            ("--concentration", args.concentration),
            ("--volume", args.volume),
            ("--preserved", args.preserved or None),
            ("--dose", args.dose or None),
            ("--syringe-ml", args.syringe_ml),
            ("--graduation-ml", args.graduation_ml),
        )
        for flag, value in liquid_only:
            if value is not None:
                parser.error(f"{flag} is only used with --form liquid")
        options: dict[str, Any] = {
            "overage_capsules": args.overage,
            "compounded_on": args.compounded_on,
        }
        if args.filler is not None:
            options["filler"] = args.filler
        if args.fill_weight is not None:
            options["fill_weight_mg"] = args.fill_weight
        if args.tablet_weight is not None:
            options["tablet_weight_mg"] = args.tablet_weight
        if args.max_strength is not None:
            options["max_strength_mg"] = args.max_strength
        if args.min_weighable is not None:
            options["min_weighable_mg"] = args.min_weighable
        return CapsuleCompounding(args.strength, args.count, args.source, **options).fit()
    for flag, value in (("--concentration", args.concentration), ("--volume", args.volume)):
        if value is None:
            parser.error(f"{flag} is required with --form liquid")
    capsule_only = (
        ("--strength", args.strength),
        ("--count", args.count),
        ("--filler", args.filler),
        ("--overage", args.overage or None),
        ("--fill-weight", args.fill_weight),
        ("--tablet-weight", args.tablet_weight),
        ("--max-strength", args.max_strength),
    )
    for flag, value in capsule_only:
        if value is not None:
            parser.error(f"{flag} is only used with --form capsule")
    syringe = None
    if args.syringe_ml is not None or args.graduation_ml is not None:
        default = Syringe()
        syringe = Syringe(
            capacity=default.capacity
            if args.syringe_ml is None
            else Quantity(args.syringe_ml, Unit.ML),
            graduation=default.graduation
            if args.graduation_ml is None
            else Quantity(args.graduation_ml, Unit.ML),
        )
    return LiquidCompounding(
        args.concentration,
        args.volume,
        args.source,
        preserved=args.preserved,
        doses_mg=args.dose,
        syringe=syringe,
        compounded_on=args.compounded_on,
        **({} if args.min_weighable is None else {"min_weighable_mg": args.min_weighable}),
    ).fit()


def _run(args: argparse.Namespace) -> int:
    with naming_the_flag(_FLAGS, default="--form"):
        sheet = _build(args)
    return respond(args.json, sheet.to_dict, lambda: _print(sheet))


def _print(sheet: Worksheet) -> None:
    rows = table(f"{sheet.preparation}: dispense {sheet.dispensed}, make {sheet.made}")
    for column in ("ingredient", "quantity", "note"):
        rows.add_column(column)
    for item in sheet.ingredients:
        rows.add_row(item.name, "q.s." if item.quantity is None else str(item.quantity), item.note)
    out = console()
    out.print(rows)
    for name, quantity in sheet.per_unit:
        out.print(f"{name}: {quantity}")
    for o in sheet.overage:
        out.print(f"overage: {o.quantity} ({o.naltrexone} naltrexone HCl): {o.reason}")
    out.print(
        f"BUD: {sheet.beyond_use.days} days, {sheet.beyond_use.storage.value} "
        f"({sheet.beyond_use.source})"
    )
    for step in sheet.method:
        out.print(f"- {step}")
    out.print("\n[bold]Label[/bold]\n" + sheet.label, markup=True)
