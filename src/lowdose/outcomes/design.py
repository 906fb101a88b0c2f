r"""N-of-1 trial design: randomised cycles, a PK-derived run-in, neutral kit codes.

A design has arms (placebo plus one or more LDN doses), ``cycles`` blocks (default 3) each
containing every arm once in random order (drawn from the operating system's CSPRNG, with kit
codes drawn independently; :mod:`lowdose.outcomes.allocation`), and
periods of ``period_days`` days. The first ``run_in_days`` of every period are excluded from
analysis: long enough for the previous arm's receptor occupancy to wash out *and* for the new
arm's effect to appear.

Run-in derivation
-----------------
.. math::

    \text{run-in} = \left\lceil \frac{\max_a W(a)}{24\ \text{h}} + \text{onset} \right\rceil
    \ \text{days},

where :math:`W(a)` is :func:`lowdose.pk.washout_hours` — the hours after the last of many
daily doses of arm :math:`a` until brain μ-receptor occupancy falls below 10 % — and
``onset`` is the onset allowance. The maximum is over every arm that can precede a period
(placebo has :math:`W = 0`), so the run-in is the **same for every period**: a run-in that
depended on the previous arm would let anyone reading the schedule infer the allocation.

The onset allowance defaults to 7 days. This is an **assumption**: how fast LDN's analgesic
effect appears is not established. Jaeschke et al. (*J Rheumatol* 1991;18:447–451) found that
in fibromyalgia N-of-1 trials of amitriptyline any benefit was evident within the first two
weeks; 7 days leaves ≥ 2 weeks of analysed days in a 4-week period. Clinicians can change it.
Three cycles follow the usual N-of-1 practice of three pairs (Zucker et al., *J Rheumatol*
2006;33:2069–2077: three paired 6-week periods in fibromyalgia).
"""

from __future__ import annotations

import math
import random
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from lowdose.errors import DesignError, TooFewDaysWarning
from lowdose.outcomes.allocation import kit_codes, permuted_cycles
from lowdose.serial import Plain

__all__ = [
    "DEFAULT_ONSET_DAYS",
    "Nof1Design",
    "Nof1Plan",
    "Period",
    "RunInDerivation",
    "WashoutFunction",
    "arm_dose",
    "arm_label",
    "derive_run_in",
    "reference_allocation",
]

#: Onset allowance in days (assumption; see module docstring).
DEFAULT_ONSET_DAYS = 7.0
#: Occupancy threshold for "washed out" (the pharmacology engine's default; 10 % μ occupancy).
DEFAULT_THRESHOLD = 0.10
PLACEBO = "placebo"
#: Fewer analysed days per period than this → a TooFewDaysWarning.
MIN_ANALYSIS_DAYS = 7
#: How a plan's allocation and kit codes were drawn (stored with the allocation).
CSPRNG = "os-csprng"
#: Plans stored before the CSPRNG (no ``randomisation`` key): allocation and kit codes came
#: from one 31-bit seed, so the codes let anyone recover the allocation (ADR 0003).
LEGACY_SEEDED = "legacy-seeded-31-bit"
#: A public allocation for the design assistant (:func:`reference_allocation`).
REFERENCE = "public-reference"
#: Seed of the public reference allocation. Public on purpose: it must not depend on the trial.
REFERENCE_SEED = 0


class WashoutFunction(Protocol):
    """``washout(dose_mg, *, receptor, threshold) -> hours``, like ``lowdose.pk.washout_hours``."""

    def __call__(self, dose_mg: Decimal, *, receptor: str, threshold: float) -> float: ...


def arm_label(dose_mg: Decimal) -> str:
    """``placebo`` for 0 mg, else ``"4.5 mg"`` (trailing zeros removed)."""
    if dose_mg == 0:
        return PLACEBO
    text = format(dose_mg.normalize(), "f")
    return f"{text} mg"


def arm_dose(label: str | Decimal | float | int) -> Decimal:
    """Parse an arm: ``placebo``/``0`` → 0 mg; ``4.5``, ``4.5mg``, ``4.5 mg`` → Decimal('4.5')."""
    if isinstance(label, Decimal):
        dose = label
    else:
        text = str(label).strip().lower()
        if text in {PLACEBO, "p"}:
            return Decimal(0)
        text = text.removesuffix("mg").strip()
        try:
            dose = Decimal(text)
        except InvalidOperation:
            raise DesignError(
                f"arm {label!r} is neither 'placebo' nor a dose in mg (e.g. 4.5)", field="arms"
            ) from None
    if not dose.is_finite() or dose < 0 or dose > 50:
        raise DesignError(
            f"arm dose {label!r} must be between 0 and 50 mg (LDN doses are 0.5–6 mg)",
            field="arms",
        )
    return dose


def _default_washout() -> WashoutFunction:
    try:
        from lowdose.pk import washout_hours
    except ImportError:
        raise DesignError(
            "the pharmacology engine (lowdose.pk.washout_hours) is not available to size the "
            "run-in; pass washout=<function> or install lowdose with its pk package",
            field="washout",
        ) from None

    def call(dose_mg: Decimal, *, receptor: str, threshold: float) -> float:
        return float(washout_hours(dose_mg, receptor=receptor, threshold=threshold))

    return call


@dataclass(frozen=True)
class RunInDerivation(Plain):
    """How the run-in was derived, shown to the clinician beside the design."""

    previous_arm: str
    washout_hours: float
    receptor: str
    threshold: float
    onset_days: float
    exact_days: float
    run_in_days: int
    washout_by_arm: Mapping[str, float]
    source: str = "lowdose.pk.washout_hours"

    @property
    def computed_by(self) -> str:
        """Where the washout came from, in words (``source`` keeps the function's name)."""
        if self.source == "lowdose.pk.washout_hours":
            return "lowdose's receptor-occupancy model, fitted to PET studies"
        return "the washout function the caller supplied"

    def explanation(self) -> str:
        """The derivation in one paragraph."""
        return (
            f"Worst case previous arm: {self.previous_arm}. {self.receptor}-receptor occupancy "
            f"falls below {self.threshold:.0%} {self.washout_hours:.1f} h after its last daily "
            f"dose ({self.computed_by}) = {self.washout_hours / 24:.2f} days; plus an onset "
            f"allowance of {self.onset_days:g} days = {self.exact_days:.2f} days, rounded up to "
            f"{self.run_in_days} days. The same run-in starts every period so that the "
            "schedule reveals nothing about the order of the kits."
        )


def derive_run_in(
    doses: Sequence[Decimal],
    *,
    onset_days: float = DEFAULT_ONSET_DAYS,
    washout: WashoutFunction | None = None,
    receptor: str = "mu",
    threshold: float = DEFAULT_THRESHOLD,
    prior_dose_mg: Decimal | None = None,
) -> RunInDerivation:
    """Derive the run-in (days) from the longest washout among ``doses`` plus ``onset_days``."""
    if not (math.isfinite(onset_days) and onset_days >= 0):
        raise DesignError(f"onset_days must be ≥ 0, got {onset_days!r}", field="onset_days")
    candidates = sorted({*doses, *([prior_dose_mg] if prior_dose_mg is not None else [])})
    fn: WashoutFunction | None = washout
    by_arm: dict[str, float] = {}
    for dose in candidates:
        if dose == 0:
            by_arm[arm_label(dose)] = 0.0
            continue
        if fn is None:
            fn = _default_washout()
        hours = float(fn(dose, receptor=receptor, threshold=threshold))
        if not (math.isfinite(hours) and hours >= 0):
            raise DesignError(
                f"washout for {arm_label(dose)} is {hours!r} h; expected a finite number ≥ 0",
                field="washout",
            )
        by_arm[arm_label(dose)] = hours
    worst = max(by_arm, key=lambda k: (by_arm[k], k))
    exact = by_arm[worst] / 24.0 + onset_days
    return RunInDerivation(
        previous_arm=worst,
        washout_hours=by_arm[worst],
        receptor=receptor,
        threshold=threshold,
        onset_days=float(onset_days),
        exact_days=exact,
        run_in_days=math.ceil(exact - 1e-9),  # 1e-9 d ≈ 0.1 ms: absorbs float round-off only
        washout_by_arm=by_arm,
        source="lowdose.pk.washout_hours" if washout is None else "injected washout function",
    )


@dataclass(frozen=True)
class Period(Plain):
    """One treatment period. ``arm`` is secret until unblinding; ``kit`` is what people see."""

    cycle: int
    arm: str
    kit: str
    start: date
    end: date
    analysis_start: date

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Nof1Plan:
    """A randomised N-of-1 plan (the pharmacy's allocation list; blind it before showing it)."""

    arms: tuple[str, ...]
    cycles: int
    run_in_days: int
    periods: tuple[Period, ...]
    run_in_derivation: RunInDerivation | None = None
    #: How the allocation and kit codes were drawn: :data:`CSPRNG` for every new plan.
    randomisation: str = CSPRNG

    @property
    def active_arms(self) -> tuple[str, ...]:
        return tuple(a for a in self.arms if a != PLACEBO)

    @property
    def start(self) -> date:
        return self.periods[0].start

    @property
    def end(self) -> date:
        return self.periods[-1].end

    def to_dict(self) -> dict[str, Any]:
        """The design JSON of ``lowdose nof1 design --json`` (contains the allocation)."""
        out: dict[str, Any] = {
            "arms": list(self.arms),
            "cycles": self.cycles,
            "run_in_days": self.run_in_days,
            "randomisation": self.randomisation,
            "periods": [p.to_dict() for p in self.periods],
        }
        if self.run_in_derivation is not None:
            out["run_in_derivation"] = self.run_in_derivation.to_dict()
        return out

    def blinded_schedule(self) -> list[dict[str, Any]]:
        """The periods without their arms: what the patient and clinician may see."""
        return [{k: v for k, v in p.to_dict().items() if k != "arm"} for p in self.periods]

    def kit_for(self, day: date) -> str | None:
        """The kit to take on ``day`` (``None`` outside the trial)."""
        for p in self.periods:
            if p.contains(day):
                return p.kit
        return None

    def arm_for_kit(self, kit: str) -> str:
        """Emergency unblinding of one kit: its arm only (the caller records who and why)."""
        wanted = kit.strip().upper()
        for p in self.periods:
            if p.kit == wanted:
                return p.arm
        raise DesignError(f"kit {kit!r} is not part of this trial; check the label", field="kit")

    def summary(self) -> str:
        lines = [
            f"N-of-1 design: arms {', '.join(self.arms)}; {self.cycles} cycles; "
            f"{len(self.periods)} periods; run-in {self.run_in_days} days; "
            f"randomisation {self.randomisation}",
        ]
        if self.run_in_derivation is not None:
            lines.append(self.run_in_derivation.explanation())
        return "\n".join(lines)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Nof1Plan:
        """Read a design JSON back (as written by :meth:`to_dict`), validating it."""
        try:
            arms = tuple(arm_label(arm_dose(a)) for a in data["arms"])
            periods = tuple(
                Period(
                    cycle=int(p["cycle"]),
                    arm=arm_label(arm_dose(p["arm"])),
                    kit=str(p["kit"]),
                    start=date.fromisoformat(str(p["start"])),
                    end=date.fromisoformat(str(p["end"])),
                    analysis_start=date.fromisoformat(str(p["analysis_start"])),
                )
                for p in data["periods"]
            )
            derivation = None
            if isinstance(data.get("run_in_derivation"), Mapping):
                d = data["run_in_derivation"]
                derivation = RunInDerivation(
                    previous_arm=str(d["previous_arm"]),
                    washout_hours=float(d["washout_hours"]),
                    receptor=str(d["receptor"]),
                    threshold=float(d["threshold"]),
                    onset_days=float(d["onset_days"]),
                    exact_days=float(d["exact_days"]),
                    run_in_days=int(d["run_in_days"]),
                    washout_by_arm={str(k): float(v) for k, v in d["washout_by_arm"].items()},
                    source=str(d.get("source", "")),
                )
            plan = cls(
                arms=arms,
                cycles=int(data["cycles"]),
                run_in_days=int(data["run_in_days"]),
                periods=periods,
                run_in_derivation=derivation,
                # A legacy record keeps its old "seed" key in storage; nothing reads it.
                randomisation=str(data.get("randomisation", LEGACY_SEEDED)),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            if isinstance(exc, DesignError):
                raise
            raise DesignError(
                f"design JSON is incomplete or malformed ({exc!s}); regenerate it with "
                "'lowdose nof1 design --json'",
                field="design",
            ) from None
        _validate_plan(plan)
        return plan


def _validate_plan(plan: Nof1Plan) -> None:
    if PLACEBO not in plan.arms or len(plan.arms) < 2:
        raise DesignError("a design needs a placebo arm and at least one dose", field="arms")
    for p in plan.periods:
        if p.arm not in plan.arms:
            raise DesignError(f"period arm {p.arm!r} is not one of the arms", field="periods")
        if not p.start <= p.analysis_start <= p.end:
            raise DesignError(
                f"period starting {p.start}: analysis_start must lie within the period",
                field="periods",
            )
    for a, b in zip(plan.periods, plan.periods[1:], strict=False):
        if b.start <= a.end:
            raise DesignError(f"periods overlap at {b.start}", field="periods")
    if len({p.kit for p in plan.periods}) != len(plan.periods):
        raise DesignError("kit codes must be unique", field="periods")


class Nof1Design:
    """Configure an N-of-1 design; :meth:`fit` randomises it into a :class:`Nof1Plan`.

    Parameters
    ----------
    arms
        ``"placebo"`` plus one or more doses (``"4.5"``, ``Decimal("1.5")``...).
    start
        First day of the first period.
    rng
        Source of the allocation's randomness. ``None`` (every real trial) means the operating
        system's CSPRNG (:func:`lowdose.outcomes.allocation.csprng`); pass a seeded
        :class:`random.Random` only in tests, simulations and teaching examples.
    kit_rng
        Source of the kit codes, separate from ``rng`` so the codes never depend on the
        allocation. ``None`` means the CSPRNG, as for ``rng``.
    cycles
        Number of blocks, each containing every arm once (default 3).
    period_days
        Length of each period in days (default 28).
    onset_days
        Onset allowance added to the PK washout (default :data:`DEFAULT_ONSET_DAYS`).
    washout
        Washout function; default :func:`lowdose.pk.washout_hours`, imported when needed.
    prior_dose_mg
        The dose taken before the trial, if higher than every arm (it must wash out too).
    """

    def __init__(
        self,
        arms: Sequence[str | Decimal],
        *,
        start: date,
        rng: random.Random | None = None,
        kit_rng: random.Random | None = None,
        cycles: int = 3,
        period_days: int = 28,
        onset_days: float = DEFAULT_ONSET_DAYS,
        washout: WashoutFunction | Callable[..., float] | None = None,
        receptor: str = "mu",
        threshold: float = DEFAULT_THRESHOLD,
        prior_dose_mg: Decimal | None = None,
    ) -> None:
        doses = [arm_dose(a) for a in arms]
        if len(set(doses)) != len(doses):
            raise DesignError("each arm may appear only once", field="arms")
        if Decimal(0) not in doses:
            raise DesignError(
                "an N-of-1 trial of LDN needs a placebo arm: add 'placebo' to the arms",
                field="arms",
            )
        if len(doses) < 2:
            raise DesignError("add at least one LDN dose besides placebo", field="arms")
        if not 1 <= cycles <= 12:
            raise DesignError(f"cycles must be 1–12, got {cycles}", field="cycles")
        if not 2 <= period_days <= 180:
            raise DesignError(f"period_days must be 2–180, got {period_days}", field="period_days")
        if rng is not None and rng is kit_rng:
            raise DesignError(
                "pass separate generators for the allocation and the kit codes: one stream "
                "for both would tie the codes to the arms",
                field="kit_rng",
            )
        self.doses = doses
        self.start = start
        self.rng = rng
        self.kit_rng = kit_rng
        self.cycles = cycles
        self.period_days = period_days
        self.onset_days = onset_days
        self.washout = washout
        self.receptor = receptor
        self.threshold = threshold
        self.prior_dose_mg = prior_dose_mg

    def fit(self) -> Nof1Plan:
        """Derive the run-in, randomise every cycle and assign kit codes."""
        derivation = derive_run_in(
            self.doses,
            onset_days=self.onset_days,
            washout=self.washout,
            receptor=self.receptor,
            threshold=self.threshold,
            prior_dose_mg=self.prior_dose_mg,
        )
        run_in = derivation.run_in_days
        if run_in >= self.period_days:
            raise DesignError(
                f"the run-in ({run_in} days) leaves no analysed days in a {self.period_days}-"
                "day period; lengthen the periods or shorten the onset allowance",
                field="period_days",
            )
        if self.period_days - run_in < MIN_ANALYSIS_DAYS:
            warnings.warn(
                f"only {self.period_days - run_in} analysed days per period; "
                f"{MIN_ANALYSIS_DAYS}+ are recommended (lengthen the periods)",
                TooFewDaysWarning,
                stacklevel=2,
            )
        labels = [arm_label(d) for d in self.doses]
        # Two independent draws: the codes never see the allocation (allocation module docstring).
        orders = permuted_cycles(labels, self.cycles, self.rng)
        codes = kit_codes(self.cycles * len(labels), self.kit_rng)
        periods = []
        index = 0
        for cycle, order in enumerate(orders, start=1):
            for arm in order:
                begin = self.start + timedelta(days=index * self.period_days)
                periods.append(
                    Period(
                        cycle=cycle,
                        arm=arm,
                        kit=codes[index],
                        start=begin,
                        end=begin + timedelta(days=self.period_days - 1),
                        analysis_start=begin + timedelta(days=run_in),
                    )
                )
                index += 1
        plan = Nof1Plan(
            arms=tuple(labels),
            cycles=self.cycles,
            run_in_days=run_in,
            periods=tuple(periods),
            run_in_derivation=derivation,
        )
        _validate_plan(plan)
        return plan


def reference_allocation(plan: Nof1Plan) -> Nof1Plan:
    """The plan's schedule and codes with a *public* allocation, for numbers shown while blinded.

    The design assistant's operating characteristics are shown to the clinician before
    unblinding. Simulated under the real allocation they would depend on it (with AR(1) noise
    and common random numbers, each order of the arms gives slightly different figures, and the
    simulation seed is public), so anyone could match them against every order. They are
    therefore simulated under this allocation: each cycle re-ordered by
    ``random.Random(REFERENCE_SEED)``, a function of the design (arms, cycles) alone.

    Parameters
    ----------
    plan
        A plan made by :meth:`Nof1Design.fit` (``cycles`` blocks of every arm once).

    Returns
    -------
    Nof1Plan
        Same arms, dates, run-in and kit codes; arms from the public reference stream;
        ``randomisation`` is :data:`REFERENCE`. Never store or show it as an allocation.
    """
    if len(plan.periods) != plan.cycles * len(plan.arms):
        raise DesignError(
            "the reference allocation needs cycles × arms periods, as Nof1Design.fit makes",
            field="periods",
        )
    rng = random.Random(REFERENCE_SEED)  # noqa: S311 - public on purpose, see docstring
    arms = [arm for order in permuted_cycles(plan.arms, plan.cycles, rng) for arm in order]
    periods = tuple(replace(p, arm=arm) for p, arm in zip(plan.periods, arms, strict=True))
    return replace(plan, periods=periods, randomisation=REFERENCE)
