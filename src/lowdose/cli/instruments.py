"""``lowdose criteria acr2016|acr2010|acr2011 --areas A,B,... --fatigue N ... [--json]``."""

from __future__ import annotations

import argparse
from typing import Any

from lowdose.cli.output import console, naming_the_flag, respond, table
from lowdose.instruments.acr import WPI_AREAS, CriteriaResult, evaluate_criteria

__all__ = ["register"]

_YES_NO = ("yes", "no")


def _yes(value: str | None) -> bool | None:
    return None if value is None else value == "yes"


def register(subparsers: Any) -> None:
    """Add the ``criteria`` sub-command with one sub-command per criteria version."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "criteria",
        help="score the ACR 2010/2011/2016 fibromyalgia criteria (WPI, SSS, FS)",
        description="Score WPI, SSS and FS and apply the decision rule of one criteria version. "
        "Area names: " + ", ".join(a.name for a in WPI_AREAS) + ".",
    )
    versions = p.add_subparsers(dest="criteria_version", metavar="VERSION", required=True)
    for version, help_text in (
        ("acr2016", "2016 revision (generalized pain, WPI 4-6 band); --self-report for research"),
        ("acr2010", "ACR 2010 physician criteria (somatic estimate 0-3)"),
        ("acr2011", "2011 self-report modification (research classification)"),
    ):
        v = versions.add_parser(version, help=help_text, description=help_text)
        v.add_argument(
            "--areas",
            required=True,
            help="comma-separated painful areas in the past week ('' for none)",
        )
        v.add_argument("--fatigue", type=int, required=True, help="0-3")
        v.add_argument("--waking-unrefreshed", type=int, required=True, help="0-3")
        v.add_argument("--cognitive", type=int, required=True, help="0-3")
        if version == "acr2010":
            v.add_argument("--somatic", type=int, required=True, help="0-3 (physician's estimate)")
        else:
            for flag in ("--headaches", "--lower-abdominal", "--depression"):
                v.add_argument(flag, choices=_YES_NO, required=True, help="previous 6 months")
        if version != "acr2016":
            v.add_argument(
                "--other-disorder",
                choices=_YES_NO,
                default=None,
                help="another disorder would explain the pain (default: not recorded)",
            )
        else:
            v.add_argument(
                "--self-report",
                action="store_true",
                help="completed by the patient: a research classification, never a diagnosis",
            )
        v.add_argument("--duration-months", type=int, required=True)
        v.add_argument("--json", action="store_true", help="print one JSON object")
        v.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    version = args.criteria_version
    with naming_the_flag():
        result = evaluate_criteria(
            version,
            areas=[a for a in args.areas.split(",") if a.strip()],
            fatigue=args.fatigue,
            waking_unrefreshed=args.waking_unrefreshed,
            cognitive=args.cognitive,
            duration_months=args.duration_months,
            somatic=getattr(args, "somatic", None),
            headaches=_yes(getattr(args, "headaches", None)),
            lower_abdominal=_yes(getattr(args, "lower_abdominal", None)),
            depression=_yes(getattr(args, "depression", None)),
            other_disorder=_yes(getattr(args, "other_disorder", None)),
            self_report=True if getattr(args, "self_report", False) else None,
        )
    return respond(args.json, lambda: _payload(result), lambda: _print_table(result))


def _payload(result: CriteriaResult) -> dict[str, Any]:
    d = result.to_dict()
    keys = (
        "version",
        "wpi",
        "sss",
        "fs",
        "regions_with_pain",
        "generalized_pain",
        "meets_criteria",
        "severity_band",
        "self_report",
        "interpretation",
        "reasons",
        "areas",
        "duration_months",
        "flags",
        "definition_version",
        "source",
    )
    return {k: d[k] for k in keys}


def _print_table(result: CriteriaResult) -> None:
    rows = table(f"Fibromyalgia criteria ({result.criteria_version})")
    rows.add_column("measure")
    rows.add_column("value", justify="right")
    rows.add_row("WPI (0-19)", str(result.wpi))
    rows.add_row("SSS (0-12)", str(result.sss))
    rows.add_row("FS (0-31)", f"{result.fs} ({result.severity_band})")
    rows.add_row("regions with pain", f"{len(result.regions_with_pain)} of 5")
    rows.add_row("generalized pain", "yes" if result.generalized_pain else "no")
    rows.add_row("criteria met", "yes" if result.meets_criteria else "no")
    out = console()
    out.print(rows)
    out.print(result.interpretation, highlight=False)
