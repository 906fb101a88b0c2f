"""A seeded generator of realistic demo diaries (never a fixture of hand-typed rows).

Each demo patient has a baseline without LDN, then a titration from 1.5 mg rising 0.5 mg a week to
4.5 mg, then 4.5 mg daily at bedtime. Daily pain is a noisy, autocorrelated series: an AR(1)
process with coefficient :data:`AR1` around the patient's level — fibromyalgia pain diaries are
strongly autocorrelated from day to day (lag-1 correlations of about 0.4–0.7 in daily-diary
studies; see ``docs/checkin.md``). Other scales move with pain plus their own noise. About one
dose in twenty is missed; vivid dreams appear on a few days after a dose increase, the side effect
reported with LDN (Younger & Mackey, Pain Med 2009;10:663–672).

The numbers are illustrative, not a claim about LDN's effect: one demo patient improves by about
1.5 points, the other does not change at all, and both pictures are plausible given the trials
(``docs/evidence.md``).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from lowdose.diary.checkin import Checkin, DoseStatus, SideEffect

__all__ = ["AR1", "DEMO_PROFILES", "DemoProfile", "demo_dose_for_day", "generate_diary"]

#: Lag-1 autocorrelation of the simulated daily pain (an assumption within the published range).
AR1 = 0.6
#: Day-to-day SD of the simulated pain innovations, in NRS points (an assumption).
NOISE_SD = 0.9
MISSED_DOSE_RATE = 0.05
_NAMESPACE = uuid.UUID("6f1d0c1e-4b7a-4c55-9a43-1d6a5e8c2b90")


@dataclass(frozen=True, slots=True)
class DemoProfile:
    """How one demo patient's diary behaves."""

    key: str
    seed: int
    baseline_pain: float
    effect_at_full_dose: float  # points of pain change once on 4.5 mg (negative = less pain)
    baseline_days: int = 14
    total_days: int = 90
    stopped_days_ago: int = 0  # the last N days have no check-in
    bedtime: time = time(22, 0)


DEMO_PROFILES: dict[str, DemoProfile] = {
    "patient": DemoProfile("patient", seed=20260301, baseline_pain=6.4, effect_at_full_dose=-1.6),
    "patient2": DemoProfile(
        "patient2", seed=20260302, baseline_pain=5.8, effect_at_full_dose=0.0, stopped_days_ago=3
    ),
}


def demo_dose_for_day(day_index: int, baseline_days: int) -> Decimal | None:
    """The scheduled dose on study day ``day_index`` (0-based): none during baseline, then 1.5 mg
    rising 0.5 mg each week to 4.5 mg (weekly rather than fortnightly steps, so that the 90-day
    demo reaches the usual 4.5 mg target)."""
    if day_index < baseline_days:
        return None
    week = (day_index - baseline_days) // 7
    return min(Decimal("1.5") + Decimal("0.5") * week, Decimal("4.5"))


def _clip(value: float) -> int:
    return max(0, min(10, round(value)))


def generate_diary(profile: DemoProfile, *, end: date, tz: ZoneInfo) -> list[Checkin]:
    """Generate the profile's diary for the ``total_days`` ending on ``end`` (seeded, reproducible).

    The same profile, end date and time zone always give the same check-ins, with the same
    ``client_id`` values, so loading the demo twice adds nothing.
    """
    rng = random.Random(profile.seed)  # noqa: S311 - simulation, not security
    start = end - timedelta(days=profile.total_days - 1)
    last_day = end - timedelta(days=profile.stopped_days_ago)
    noise = 0.0
    previous_dose: Decimal | None = None
    dreams_left = 0
    checkins: list[Checkin] = []
    for index in range(profile.total_days):
        day = start + timedelta(days=index)
        noise = AR1 * noise + rng.gauss(0.0, NOISE_SD)
        dose = demo_dose_for_day(index, profile.baseline_days)
        missed = dose is not None and rng.random() < MISSED_DOSE_RATE
        if dose is not None and previous_dose is not None and dose > previous_dose:
            dreams_left = 2 if rng.random() < 0.5 else 0
        ramp = 0.0 if dose is None else float(dose) / 4.5
        pain = profile.baseline_pain + profile.effect_at_full_dose * ramp + noise
        side_effects: tuple[SideEffect, ...] = ()
        if dreams_left and not missed:
            side_effects = (SideEffect("vivid_dreams", "mild" if dreams_left == 1 else "moderate"),)
            dreams_left -= 1
        if day > last_day:
            previous_dose = dose if not missed else previous_dose
            continue
        entries = 2 if rng.random() < 0.08 else 1
        for entry in range(entries):
            morning = entry == 0 and entries == 2  # a morning entry, before the bedtime dose
            at = datetime.combine(day, time(8, 30) if morning else time(21, 15))
            wobble = rng.gauss(0.0, 0.5)
            status: DoseStatus = (
                "none" if dose is None or morning else ("missed" if missed else "taken")
            )
            checkins.append(
                Checkin(
                    client_id=uuid.uuid5(_NAMESPACE, f"{profile.key}:{day.isoformat()}:{entry}"),
                    day=day,
                    recorded_at=at.replace(tzinfo=tz) + timedelta(minutes=rng.randint(0, 40)),
                    pain=_clip(pain + wobble),
                    fatigue=_clip(0.8 * pain + 1.2 + rng.gauss(0.0, 0.8)),
                    sleep=_clip(9.5 - 0.7 * pain + rng.gauss(0.0, 0.9)),
                    mood=_clip(9.0 - 0.6 * pain + rng.gauss(0.0, 0.8)),
                    dose_status=status,
                    dose_mg=dose.quantize(Decimal("0.01")) if dose and status == "taken" else None,
                    dose_time=profile.bedtime if status == "taken" else None,
                    side_effects=() if morning else side_effects,
                    note="",
                )
            )
        previous_dose = dose if not missed else previous_dose
    return checkins
