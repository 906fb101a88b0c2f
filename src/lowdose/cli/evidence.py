"""``lowdose evidence [--outcome pain] [--json]``: the living summary of the LDN trials."""

from __future__ import annotations

import argparse
from typing import Any

from lowdose.cli.output import console, respond
from lowdose.evidence.conditions import condition_summary
from lowdose.evidence.loader import outcomes
from lowdose.evidence.summary import summarize
from lowdose.evidence.watchlist import conditions

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``evidence`` sub-command."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "evidence",
        help="living summary of the LDN trials in fibromyalgia",
        description=(
            "Re-pool the LDN trials in fibromyalgia for one outcome and print the "
            "random-effects estimate, prediction interval, cumulative meta-analysis by year, "
            "adverse-event risk ratios, placebo response, the rule-generated verdict, each "
            "trial's DOI/PubMed/registry link and the registered trials still awaiting results. "
            "Other conditions (--condition) list their registered trials awaiting results."
        ),
    )
    p.add_argument("--outcome", default="pain", choices=tuple(outcomes()))
    p.add_argument(
        "--condition",
        default="fibromyalgia",
        choices=tuple(conditions()),
        help="condition (default fibromyalgia); others list the trials awaiting results",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    if args.condition != "fibromyalgia":
        other = condition_summary(args.condition, args.outcome)
        return respond(
            args.json,
            other.to_dict,
            lambda: console().print(other.text(), highlight=False, soft_wrap=True),
        )
    result = summarize(args.outcome)
    return respond(
        args.json,
        result.to_dict,
        lambda: console().print(result.summary(), highlight=False, soft_wrap=True),
    )
