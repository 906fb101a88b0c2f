"""``lowdose meta FILE.csv --measure … [--method …] [--test z|knha] [--json] [--forest PNG]``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from lowdose.cli.output import console, respond, table
from lowdose.meta.effects import MEASURES, ZeroCellCorrection
from lowdose.meta.estimators import ESTIMATORS
from lowdose.meta.io import read_effects_csv
from lowdose.meta.model import TESTS, MetaAnalysis, MetaResult

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``meta`` sub-command."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "meta",
        help="meta-analysis of a CSV of studies (metafor methods)",
        description=(
            "Pool studies from a CSV with metafor column names: m1i,sd1i,n1i,m2i,sd2i,n2i "
            "(MD, SMD, ROM); ai,bi,ci,di or ai,n1i,ci,n2i (RR, OR, RD); yi,vi or yi,sei (GEN). "
            "Optional columns: study, year. Ratio measures are reported on the log scale."
        ),
    )
    p.add_argument("file", type=Path, help="CSV file, one study per row")
    p.add_argument("--measure", required=True, choices=MEASURES, type=str.upper)
    p.add_argument("--method", default="REML", choices=tuple(ESTIMATORS), type=str.upper)
    p.add_argument("--test", default="z", choices=TESTS)
    p.add_argument("--level", type=float, default=0.95, help="confidence level (default 0.95)")
    p.add_argument(
        "--add",
        type=float,
        default=None,
        help="continuity correction for zero cells (e.g. 0.5); without it a zero cell is an error",
    )
    p.add_argument("--to", choices=("only0", "all", "if0all"), default="only0")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--forest", type=Path, default=None, metavar="FILE.png")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    correction = ZeroCellCorrection(args.add, args.to) if args.add is not None else None
    effects = read_effects_csv(args.file, args.measure, correction)
    res = MetaAnalysis(effects, method=args.method, test=args.test, level=args.level).fit()
    if args.forest is not None:
        from lowdose.meta.plots import forest_spec, to_png

        args.forest.write_bytes(to_png(forest_spec(res, title=f"{args.file.name}")))
    return respond(args.json, res.summary_dict, lambda: _print_table(res, args.file.name))


def _print_table(res: MetaResult, name: str) -> None:
    rows = table(f"{name}: {res.measure}")
    for col in ("study", "year", "yi", "vi", "weight %"):
        rows.add_column(col, justify="left" if col == "study" else "right")
    for i in range(res.k):
        rows.add_row(
            res.study[i],
            str(res.year[i] or ""),
            f"{res.yi[i]:.4f}",
            f"{res.vi[i]:.4f}",
            f"{res.weights[i]:.1f}",
        )
    out = console()
    out.print(rows)
    out.print(res.summary(), highlight=False)
