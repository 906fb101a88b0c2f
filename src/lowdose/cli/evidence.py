"""``lowdose evidence [--outcome pain] [--json]``: the living summary of the LDN trials."""

from __future__ import annotations

import argparse
from typing import Any

from lowdose.cli.output import console, respond
from lowdose.evidence.loader import outcomes
from lowdose.evidence.summary import summarize

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``evidence`` sub-command."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "evidence",
        help="living summary of the LDN trials in fibromyalgia",
        description=(
            "Re-pool the LDN trials for one outcome and print the random-effects estimate, "
            "prediction interval, cumulative meta-analysis by year, adverse-event risk "
            "ratios, placebo response and the rule-generated verdict."
        ),
    )
    p.add_argument("--outcome", default="pain", choices=tuple(outcomes()))
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    result = summarize(args.outcome)
    return respond(
        args.json,
        result.to_dict,
        lambda: console().print(result.summary(), highlight=False, soft_wrap=True),
    )
