"""``lowdose nof1 design|analyze|simulate|pool`` and ``lowdose response``.

Thin: parse, call :mod:`lowdose.outcomes`, print (rich tables for people, ``--json`` for
programs). Statistical caveats (warnings) are printed to standard error as ``warning: …``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from lowdose.cli.output import caveats_on_stderr, console, respond, table
from lowdose.daily import DAILY_SCALES
from lowdose.errors import DesignError, OutcomesError, OutcomesWarning
from lowdose.evidence.placebo import placebo_reference
from lowdose.interop.diary_csv import read_diary
from lowdose.outcomes.design import Nof1Design, Nof1Plan
from lowdose.outcomes.nof1 import Nof1Analysis
from lowdose.outcomes.pooling import PooledNof1, TrialEffect
from lowdose.outcomes.response import RECOMMENDED_WINDOW_DAYS, ResponseAnalysis
from lowdose.outcomes.simulate import simulate_design

__all__ = ["register"]


def _pct(p: float) -> str:
    """A probability for a table: one decimal, never a false "100.0%" or "0.0%"."""
    if p > 0.999:
        return "> 99.9%"
    if p < 0.001:
        return "< 0.1%"
    return f"{p:.1%}"


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date (YYYY-MM-DD)") from None


def _arms(text: str) -> list[str]:
    arms = [a.strip() for a in text.split(",") if a.strip()]
    if len(arms) < 2:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give placebo and at least one dose, comma-separated (e.g. placebo,4.5)"
        )
    return arms


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number ≥ 0")
    return value


def _read_plan(path: Path) -> Nof1Plan:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DesignError(
            f"cannot read design file {path}: {exc.strerror}", field="design"
        ) from exc
    except json.JSONDecodeError as exc:
        raise DesignError(
            f"design file {path} is not JSON ({exc.msg}, line {exc.lineno}); write it with "
            "'lowdose nof1 design --json > FILE'",
            field="design",
        ) from None
    if not isinstance(data, dict):
        raise DesignError(f"design file {path} must hold one JSON object", field="design")
    return Nof1Plan.from_dict(data)


def register(subparsers: Any) -> None:
    """Add ``nof1`` (design, analyze, simulate, pool) and ``response``."""
    nof1: argparse.ArgumentParser = subparsers.add_parser(
        "nof1",
        help="blinded single-patient (N-of-1) trials: design, analyse, simulate, pool",
        description="Design, simulate and analyse blinded N-of-1 trials of LDN against placebo.",
    )
    sub = nof1.add_subparsers(dest="nof1_command", metavar="ACTION", required=True)

    d = sub.add_parser(
        "design",
        help="randomise a design: cycles, run-in, kit codes (from the OS CSPRNG; no seed)",
    )
    d.add_argument("--arms", type=_arms, required=True, help="e.g. placebo,4.5 or placebo,1.5,4.5")
    d.add_argument("--cycles", type=_positive_int, default=3, help="cycles (default 3)")
    d.add_argument("--period-days", type=_positive_int, default=28, help="days per period")
    d.add_argument("--start", type=_iso_date, required=True, help="first day (YYYY-MM-DD)")
    d.add_argument(
        "--onset-days",
        type=float,
        default=None,
        help="onset allowance added to the PK washout (default 7; an assumption)",
    )
    d.add_argument("--json", action="store_true", help="print the design JSON")
    d.set_defaults(handler=_design)

    a = sub.add_parser("analyze", help="Bayesian analysis of a diary against a design")
    a.add_argument("diary", type=Path, help="diary CSV: date,pain,fatigue,sleep,mood[,dose_mg]")
    a.add_argument("--design", type=Path, required=True, help="design JSON from 'nof1 design'")
    a.add_argument("--outcome", choices=DAILY_SCALES.names, default="pain")
    a.add_argument("--mcid", type=float, default=1.0, help="clinically important difference")
    a.add_argument("--trend", action="store_true", help="add a linear time trend")
    a.add_argument(
        "--plot", type=Path, default=None, metavar="FILE.svg|png", help="chart of the periods"
    )
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=_analyze)

    s = sub.add_parser("simulate", help="operating characteristics of a design")
    s.add_argument("--design", type=Path, required=True)
    s.add_argument("--effect", type=float, required=True, help="true effect, active − placebo")
    s.add_argument("--sd", type=float, required=True, help="day-to-day SD (points)")
    s.add_argument("--ar1", type=float, required=True, help="lag-1 autocorrelation")
    s.add_argument("--reps", type=_positive_int, default=1000)
    s.add_argument("--seed", type=_non_negative_int, default=0)
    s.add_argument("--mcid", type=float, default=1.0)
    s.add_argument("--outcome", choices=DAILY_SCALES.names, default="pain")
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=_simulate)

    p = sub.add_parser("pool", help="pool completed trials (CSV: patient,estimate,se)")
    p.add_argument("trials", type=Path)
    p.add_argument("--outcome", choices=DAILY_SCALES.names, default="pain")
    p.add_argument("--mcid", type=float, default=1.0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_pool)

    r = subparsers.add_parser(
        "response",
        help="open-label response: baseline vs the recent stable-dose window",
        description=(
            "Compare a baseline window with the most recent window at a stable dose, with an "
            "interval that allows for day-to-day autocorrelation, beside placebo's response."
        ),
    )
    r.add_argument("diary", type=Path)
    r.add_argument("--baseline-start", type=_iso_date, required=True)
    r.add_argument("--baseline-end", type=_iso_date, required=True)
    r.add_argument("--outcome", choices=DAILY_SCALES.names, default="pain")
    r.add_argument("--recent-days", type=_positive_int, default=RECOMMENDED_WINDOW_DAYS)
    r.add_argument("--json", action="store_true")
    r.set_defaults(handler=_response)


def _design(args: argparse.Namespace) -> int:
    kwargs: dict[str, Any] = {}
    if args.onset_days is not None:
        kwargs["onset_days"] = args.onset_days
    with caveats_on_stderr(OutcomesWarning):
        plan = Nof1Design(
            args.arms,
            start=args.start,
            cycles=args.cycles,
            period_days=args.period_days,
            **kwargs,
        ).fit()

    def human() -> None:
        rows = table("N-of-1 allocation list (pharmacy only: keep it concealed)")
        for col in ("cycle", "kit", "arm", "start", "analysis from", "end"):
            rows.add_column(col)
        for period in plan.periods:
            rows.add_row(
                str(period.cycle),
                period.kit,
                period.arm,
                period.start.isoformat(),
                period.analysis_start.isoformat(),
                period.end.isoformat(),
            )
        out = console()
        out.print(rows)
        out.print(plan.summary())

    return respond(args.json, plan.to_dict, human)


def _analyze(args: argparse.Namespace) -> int:
    plan = _read_plan(args.design)
    diary = read_diary(args.diary)
    with caveats_on_stderr(OutcomesWarning):
        result = Nof1Analysis(
            diary, plan, outcome=args.outcome, mcid=args.mcid, trend=args.trend
        ).fit()
    if args.plot is not None:
        from lowdose.charts import render
        from lowdose.outcomes.charts import nof1_chart_spec

        spec = nof1_chart_spec(result, diary)
        png = args.plot.suffix.lower() == ".png"
        args.plot.write_bytes(render(spec, "png") if png else render(spec, "svg"))

    def human() -> None:
        rows = table(f"{result.outcome}: effect of each dose against placebo")
        for col in ("arm", "mean", "95% CrI", "P(any benefit)", f"P(≥{result.mcid:g})"):
            rows.add_column(col)
        for e in result.effects:
            rows.add_row(
                e.arm,
                f"{e.mean:+.2f}",
                f"{e.ci_low:+.2f} to {e.ci_high:+.2f}",
                _pct(e.p_better),
                _pct(e.p_mcid),
            )
        out = console()
        out.print(rows)
        out.print(result.summary())

    return respond(args.json, result.to_dict, human)


def _simulate(args: argparse.Namespace) -> int:
    plan = _read_plan(args.design)
    result = simulate_design(
        plan,
        effect=args.effect,
        sd=args.sd,
        ar1=args.ar1,
        reps=args.reps,
        seed=args.seed,
        mcid=args.mcid,
        outcome=args.outcome,
    )

    def human() -> None:
        print(result.summary())

    return respond(args.json, result.to_dict, human)


def _pool(args: argparse.Namespace) -> int:
    try:
        text = args.trials.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise OutcomesError(f"cannot read {args.trials}: {exc.strerror}", field="trials") from exc
    trials = []
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        try:
            trials.append(
                TrialEffect(
                    str(row["patient"]), float(row["estimate"]), float(row["se"]), "", args.outcome
                )
            )
        except (KeyError, TypeError, ValueError):
            raise OutcomesError(
                f"{args.trials} line {line}: need columns patient,estimate,se with numbers",
                field="trials",
            ) from None
    result = PooledNof1(
        trials, mcid=args.mcid, lower_is_better=DAILY_SCALES.scale(args.outcome).lower_is_better
    ).fit()
    return respond(args.json, result.to_dict, lambda: print(result.summary()))


def _response(args: argparse.Namespace) -> int:
    diary = read_diary(args.diary)
    with caveats_on_stderr(OutcomesWarning):
        result = ResponseAnalysis(
            diary,
            baseline_start=args.baseline_start,
            baseline_end=args.baseline_end,
            outcome=args.outcome,
            recent_days=args.recent_days,
            placebo=placebo_reference(args.outcome),
        ).fit()
    return respond(args.json, result.to_dict, lambda: print(result.summary()))
