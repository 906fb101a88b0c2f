"""``lowdose titrate --protocol NAME --start YYYY-MM-DD [--json] [--ics FILE]`` and ``--list``."""

from __future__ import annotations

import argparse
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lowdose.cli.output import console, naming_the_flag, respond, table
from lowdose.regimens.protocol import Protocol, custom_protocol, get_protocol, list_protocols
from lowdose.regimens.steps import DoseTime, TitrationStep, decimal_str

__all__ = ["register"]


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from exc


def _custom_step(text: str) -> tuple[Decimal, int | None]:
    dose, _, days = text.partition(":")
    try:
        value = Decimal(dose)
        length = None if days.strip().lower() in {"", "open", "thereafter"} else int(days)
    except (InvalidOperation, ValueError) as exc:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not MG:DAYS (e.g. 1.5:14, or 4.5:open for the last step)"
        ) from exc
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"{text!r}: the dose must be a finite number of mg")
    return value, length


def register(subparsers: Any) -> None:
    """Add the ``titrate`` sub-command."""
    names = [p.name for p in list_protocols()]
    p: argparse.ArgumentParser = subparsers.add_parser(
        "titrate",
        help="dated LDN titration plan from a protocol (JSON, table or iCalendar)",
        description="Turn a titration protocol into dated steps. Protocols: "
        + ", ".join(names)
        + "; 'custom' takes --step MG:DAYS (repeatable). --list shows them with their sources.",
    )
    p.add_argument("--list", action="store_true", help="list the protocols with their sources")
    p.add_argument("--protocol", choices=[*names, "custom"], metavar="NAME")
    p.add_argument("--start", type=_iso_date, metavar="YYYY-MM-DD", help="first dosing day")
    p.add_argument(
        "--step",
        type=_custom_step,
        action="append",
        default=[],
        metavar="MG:DAYS",
        help="custom protocol step (last may be MG:open)",
    )
    p.add_argument(
        "--time",
        choices=[t.value for t in DoseTime],
        default=None,
        help="time of day (default: the protocol's, bedtime)",
    )
    p.add_argument(
        "--through",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="cut or extend the plan to end on this day",
    )
    p.add_argument("--ics", type=Path, metavar="FILE", help="also write an iCalendar file")
    p.add_argument("--tz", default="UTC", help="IANA time zone for --ics (default UTC)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_run, parser=p)


def _protocol_dict(protocol: Protocol) -> dict[str, Any]:
    return protocol.to_dict()


def _run(args: argparse.Namespace) -> int:
    parser: argparse.ArgumentParser = args.parser
    if args.list:
        protocols = list_protocols()
        return respond(
            args.json,
            lambda: {"protocols": [_protocol_dict(p) for p in protocols]},
            lambda: _print_list(protocols),
        )
    if args.protocol is None:
        parser.error("--protocol is required (or use --list)")
    if args.start is None:
        parser.error("--start YYYY-MM-DD is required")
    if args.protocol == "custom" and not args.step:
        parser.error("--protocol custom needs at least one --step MG:DAYS")
    if args.protocol != "custom" and args.step:
        parser.error("--step is only used with --protocol custom")
    with naming_the_flag("--step"):
        protocol = (
            custom_protocol(args.step) if args.protocol == "custom" else get_protocol(args.protocol)
        )
    with naming_the_flag("--through"):
        steps = protocol.schedule(
            args.start,
            time=None if args.time is None else DoseTime(args.time),
            through=args.through,
        )
    if args.ics is not None:
        from lowdose.interop.ics import titration_calendar

        with naming_the_flag("--tz"):
            payload = titration_calendar(steps, tz=args.tz, lineage=f"ldn-{protocol.name}")
        args.ics.write_bytes(payload)
    return respond(
        args.json,
        lambda: {
            "protocol": protocol.name,
            "title": protocol.title,
            "reconstructed": protocol.reconstructed,
            "caveats": list(protocol.caveats),
            "sources": [s.to_dict() for s in protocol.sources],
            "steps": [step.to_dict() for step in steps],
            **({"ics": str(args.ics)} if args.ics is not None else {}),
        },
        lambda: _print_plan(protocol, steps),
    )


def _print_list(protocols: tuple[Protocol, ...]) -> None:
    rows = table("Titration protocols")
    for column in ("name", "steps", "sources"):
        rows.add_column(column)
    for p in protocols:
        steps = ", ".join(
            f"{decimal_str(s.dose_mg)} mg" + (f"×{s.days} d" if s.days else " thereafter")
            for s in p.steps
        )
        sources = "\n".join(f"[{s.tag}] {s.citation}" for s in p.sources)
        name = p.name + (" (reconstructed)" if p.reconstructed else "")
        rows.add_row(name, steps, sources)
    console().print(rows)


def _print_plan(protocol: Protocol, steps: tuple[TitrationStep, ...]) -> None:
    rows = table(f"{protocol.title} ({protocol.name})")
    for column in ("start", "end", "dose (mg)", "time", "note"):
        rows.add_column(column)
    for s in steps:
        rows.add_row(
            s.start.isoformat(),
            s.end.isoformat() if s.end else "thereafter",
            decimal_str(s.dose_mg),
            s.time.value,
            s.note,
        )
    out = console()
    out.print(rows)
    for caveat in protocol.caveats:
        out.print(f"• {caveat}")
