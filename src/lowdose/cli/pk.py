"""``lowdose pk ...``: simulate a once-daily regimen from the command line.

``lowdose pk simulate --dose MG [--at HH:MM] [--days N] [--observe-h H] [--subjects N --seed S]
[--compare MG] [--json] [--plot FILE.png]``
"""

from __future__ import annotations

import argparse
from datetime import time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np

from lowdose.cli.output import LazyProgress, console, respond, table
from lowdose.errors import PkInputError
from lowdose.pk.assumptions import ASSUMPTIONS, OCCUPANCY_LABEL
from lowdose.pk.occupancy import RECEPTORS
from lowdose.pk.regimen import Regimen, regimen_metrics
from lowdose.pk.simulate import check_dose_mg, simulate_doses

__all__ = ["register", "simulate_command"]

_METRIC_KEYS = ("cmax_ng_ml", "tmax_h", "half_life_h", "auc_tau_ng_h_ml")
_OCC_KEYS = ("peak", "trough", "hours_above_50")


def _dose(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of milligrams") from None
    try:
        return check_dose_mg(value)
    except PkInputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _clock(text: str) -> time:
    try:
        hh, mm = text.split(":")
        return time(int(hh), int(mm))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a clock time HH:MM (e.g. 22:00)"
        ) from None


def _bounded_int(lo: int, hi: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{value} is outside {lo}-{hi}")
        return value

    return parse


def _hours(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of hours") from None
    if not 0 <= value <= 24 * 30:
        raise argparse.ArgumentTypeError(f"{value} h is outside 0-720 h")
    return value


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pk = subparsers.add_parser(
        "pk", help="naltrexone kinetics and brain receptor occupancy (model estimates)"
    )
    pk_sub = pk.add_subparsers(dest="pk_command", metavar="PK_COMMAND")
    sim = pk_sub.add_parser(
        "simulate",
        help="simulate a once-daily dose; metrics describe the last dosing interval",
        description=(
            "Simulate a once-daily naltrexone dose. Occupancy is a "
            + OCCUPANCY_LABEL
            + "; see docs/pharmacology.md."
        ),
    )
    sim.add_argument("--dose", type=_dose, required=True, metavar="MG", help="daily dose in mg")
    sim.add_argument(
        "--at",
        type=_clock,
        default=time(22, 0),
        metavar="HH:MM",
        help="clock time of the dose (default 22:00, bedtime)",
    )
    sim.add_argument(
        "--days",
        type=_bounded_int(1, 365),
        default=14,
        metavar="N",
        help="days of dosing (default 14)",
    )
    sim.add_argument(
        "--observe-h",
        type=_hours,
        default=24.0,
        metavar="H",
        help="hours of time course after the last dose (default 24)",
    )
    sim.add_argument(
        "--subjects",
        type=_bounded_int(1, 1_000_000),
        default=None,
        metavar="N",
        help="simulate N people with between-subject variability; adds percentiles",
    )
    sim.add_argument(
        "--seed",
        type=_bounded_int(0, 2**32 - 1),
        default=1,
        metavar="S",
        help="random seed for --subjects (default 1)",
    )
    sim.add_argument(
        "--compare",
        type=_dose,
        default=None,
        metavar="MG",
        help="also simulate this daily dose at the same time (e.g. 50)",
    )
    sim.add_argument("--json", action="store_true", help="print one JSON object")
    sim.add_argument(
        "--plot", type=Path, default=None, metavar="FILE.png", help="write an occupancy chart (PNG)"
    )
    sim.set_defaults(handler=simulate_command)


def _timecourse(reg: Regimen, observe_h: float) -> list[dict[str, float]]:
    doses = reg.dose_times_h()
    last = float(doses[-1])
    t = last + np.arange(0.0, observe_h + 1e-9, 1.0)
    sim = simulate_doses([(float(d), reg.dose_mg) for d in doses], t)
    return [
        {
            "t_h": float(t[i] - last),
            "naltrexone_ng_ml": float(sim.naltrexone_ng_ml[i]),
            "naltrexol_ng_ml": float(sim.naltrexol_ng_ml[i]),
            **{r: float(sim.occupancy[r][i]) for r in RECEPTORS},
        }
        for i in range(t.size)
    ]


def _percentile_block(pct: dict[str, dict[str, float]]) -> dict[str, Any]:
    out: dict[str, Any] = {
        name: {k: pct[f"{name}.{k}"] for k in _METRIC_KEYS} for name in ("naltrexone", "naltrexol")
    }
    out["occupancy"] = {r: {k: pct[f"occupancy.{r}.{k}"] for k in _OCC_KEYS} for r in RECEPTORS}
    return out


def _regimen_block(reg: Regimen, args: argparse.Namespace) -> dict[str, Any]:
    metrics = regimen_metrics(reg)
    full = metrics.block()
    block: dict[str, Any] = {
        "naltrexone": full["naltrexone"],
        "naltrexol": full["naltrexol"],
        "occupancy": {r: {k: full["occupancy"][r][k] for k in _OCC_KEYS} for r in RECEPTORS},
        "hours_above": {
            r: {
                k: full["occupancy"][r][k]
                for k in ("hours_above_25", "hours_above_50", "hours_above_90")
            }
            for r in RECEPTORS
        },
        "unblocked": full["unblocked"],
        "time_to_steady_state_h": full["time_to_steady_state_h"],
        "regimen": {
            "dose_mg": str(reg.dose_mg),
            "at": f"{reg.clock_time:%H:%M}",
            "days": reg.days,
            "interval_h": reg.interval_h,
            "observe_h": args.observe_h,
        },
        "timecourse": _timecourse(reg, args.observe_h),
    }
    if args.subjects is not None:
        from lowdose.pk.population import PopulationSimulation

        progress = LazyProgress(f"{args.subjects} subjects, {reg.dose_mg} mg")
        try:
            pop = PopulationSimulation(reg, args.subjects, args.seed, progress=progress).fit()
        finally:
            progress.close()
        block["percentiles"] = _percentile_block(pop.percentiles)
        block["percentiles"]["subjects"] = args.subjects
        block["percentiles"]["seed"] = args.seed
    return block


def simulate_command(args: argparse.Namespace) -> int:
    """Handler of ``lowdose pk simulate``."""
    if args.plot is not None and args.plot.suffix.lower() != ".png":
        raise PkInputError(f"--plot {args.plot}: the file name must end in .png", field="--plot")
    reg = Regimen(args.dose, args.at, days=args.days)
    payload = _regimen_block(reg, args)
    if args.compare is not None:
        payload["compare"] = _regimen_block(Regimen(args.compare, args.at, days=args.days), args)
    payload["occupancy_label"] = OCCUPANCY_LABEL
    payload["assumptions"] = list(ASSUMPTIONS)
    if args.plot is not None:
        _plot(payload, args.plot)
    return respond(args.json, lambda: payload, lambda: _print_tables(payload))


def _plot(payload: dict[str, Any], path: Path) -> None:
    from lowdose.charts import render
    from lowdose.pk.charts import timecourse_chart

    rows = [{"regimen": f"{payload['regimen']['dose_mg']} mg", **r} for r in payload["timecourse"]]
    if "compare" in payload:
        cmp = payload["compare"]
        rows += [{"regimen": f"{cmp['regimen']['dose_mg']} mg", **r} for r in cmp["timecourse"]]
    spec = timecourse_chart(rows, title="Receptor occupancy after the last daily dose")
    try:
        path.write_bytes(render(spec, "png"))
    except OSError as exc:
        raise PkInputError(
            f"--plot {path}: cannot write the file ({exc.strerror})", field="--plot"
        ) from None


def _print_tables(payload: dict[str, Any]) -> None:
    blocks = [payload] + ([payload["compare"]] if "compare" in payload else [])
    rows = table("Last dosing interval (" + OCCUPANCY_LABEL + ")")
    rows.add_column("metric")
    for b in blocks:
        rows.add_column(f"{b['regimen']['dose_mg']} mg at {b['regimen']['at']}", justify="right")
    for name, label in (("naltrexone", "naltrexone"), ("naltrexol", "6β-naltrexol")):
        rows.add_row(f"{label} Cmax (ng/mL)", *[f"{b[name]['cmax_ng_ml']:.3g}" for b in blocks])
        rows.add_row(
            f"{label} AUCτ (ng·h/mL)", *[f"{b[name]['auc_tau_ng_h_ml']:.3g}" for b in blocks]
        )
    for r, sym in (("mu", "μ"), ("kappa", "κ"), ("delta", "δ")):
        rows.add_row(
            f"{sym} occupancy peak / trough",
            *[
                f"{b['occupancy'][r]['peak']:.0%} / {b['occupancy'][r]['trough']:.0%}"
                for b in blocks
            ],
        )
        rows.add_row(
            f"{sym} hours above 50%",
            *[f"{b['occupancy'][r]['hours_above_50']:.1f}" for b in blocks],
        )
    rows.add_row("hours with μ < 25%", *[f"{b['unblocked']['hours']:.1f}" for b in blocks])
    out = console()
    out.print(rows)
    for a in payload["assumptions"]:
        out.print(f"• {a}", style="dim")
