"""N-of-1 design: CSPRNG allocation, balanced cycles, PK-derived run-in, independent kit codes."""

from __future__ import annotations

import json
import random
import secrets
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest

from lowdose.errors import DesignError, TooFewDaysWarning
from lowdose.outcomes.allocation import kit_code_is_valid, kit_codes, permuted_cycles
from lowdose.outcomes.design import (
    CSPRNG,
    DEFAULT_ONSET_DAYS,
    LEGACY_SEEDED,
    REFERENCE,
    Nof1Design,
    Nof1Plan,
    arm_dose,
    arm_label,
    derive_run_in,
    reference_allocation,
)

START = date(2026, 3, 2)


def stub_washout(dose_mg: Decimal, *, receptor: str, threshold: float) -> float:
    """Stand-in for lowdose.pk.washout_hours: 10 h per mg (4.5 mg → 45 h), stated, not real."""
    assert receptor == "mu"
    assert threshold == 0.10
    return float(dose_mg) * 10.0


def _design(**kw: object) -> Nof1Design:
    options: dict[str, object] = {
        "start": START,
        "rng": random.Random(20260302),
        "kit_rng": random.Random(20260303),
        "washout": stub_washout,
    }
    options.update(kw)
    arms = options.pop("arms", ["placebo", "4.5"])
    return Nof1Design(arms, **options)  # type: ignore[arg-type]


def test_run_in_is_worst_case_washout_plus_onset_rounded_up() -> None:
    # 4.5 mg → 45 h = 1.875 d; + 7 d onset = 8.875 d → 9 days
    d = derive_run_in([Decimal(0), Decimal("4.5"), Decimal("1.5")], washout=stub_washout)
    assert d.previous_arm == "4.5 mg"
    assert d.washout_hours == 45.0
    assert d.exact_days == pytest.approx(45 / 24 + DEFAULT_ONSET_DAYS)
    assert d.run_in_days == 9
    assert d.washout_by_arm == {"placebo": 0.0, "1.5 mg": 15.0, "4.5 mg": 45.0}
    assert "rounded up to 9 days" in d.explanation()
    # exactly 2 days of washout + 5 onset = 7, not 8 (no spurious rounding up)
    d2 = derive_run_in([Decimal(0), Decimal("4.8")], washout=stub_washout, onset_days=5.0)
    assert d2.run_in_days == 7


def test_a_higher_pre_trial_dose_lengthens_the_run_in() -> None:
    d = derive_run_in(
        [Decimal(0), Decimal("1.5")], washout=stub_washout, prior_dose_mg=Decimal("6")
    )
    assert d.previous_arm == "6 mg"
    assert d.run_in_days == 10  # 60 h = 2.5 d + 7 → 9.5 → 10


def test_every_cycle_contains_every_arm_once_and_dates_tile() -> None:
    plan = _design(arms=["placebo", "1.5", "4.5"], cycles=4, period_days=21).fit()
    assert len(plan.periods) == 12
    for cycle in range(1, 5):
        arms = [p.arm for p in plan.periods if p.cycle == cycle]
        assert sorted(arms) == sorted(plan.arms)
    for a, b in zip(plan.periods, plan.periods[1:], strict=False):
        assert b.start == a.end + timedelta(days=1)
    assert all((p.end - p.start).days == 20 for p in plan.periods)
    assert all((p.analysis_start - p.start).days == plan.run_in_days for p in plan.periods)


def test_an_injected_generator_reproduces_the_plan_for_tests() -> None:
    a, b = _design().fit(), _design().fit()
    assert a == b
    orders = {
        tuple(p.arm for p in _design(rng=random.Random(s), cycles=4).fit().periods)
        for s in range(40)
    }
    assert len(orders) > 8  # 16 possible sequences of 4 cycles with 2 arms


def test_randomisation_is_balanced() -> None:
    # Each of 3 arms should be first in a cycle 1/3 of the time: 3000 cycles, SD ≈ 26;
    # tolerance 4 SD so the test fails only on a real bias.
    firsts = Counter(order[0] for order in permuted_cycles(["a", "b", "c"], 3000, random.Random(1)))
    assert set(firsts) == {"a", "b", "c"}
    for count in firsts.values():
        assert abs(count - 1000) < 4 * (3000 * (1 / 3) * (2 / 3)) ** 0.5


def test_kit_codes_do_not_depend_on_the_allocation() -> None:
    # The codes come from their own generator: the same kit stream gives the same codes
    # whatever the allocation stream draws and whatever order the arms are listed in.
    plans = [
        _design(rng=random.Random(s), kit_rng=random.Random(7), arms=arms).fit()
        for s in range(12)
        for arms in (["placebo", "4.5"], ["4.5", "placebo"])
    ]
    assert len({tuple(p.arm for p in plan.periods) for plan in plans}) >= 6  # allocations vary
    assert len({tuple(p.kit for p in plan.periods) for plan in plans}) == 1  # codes do not
    two = plans[0]
    assert all(kit_code_is_valid(p.kit) for p in two.periods)
    assert len({p.kit for p in two.periods}) == 6
    assert "arm" not in two.blinded_schedule()[0]


def test_two_designs_with_the_same_allocation_get_different_kit_codes() -> None:
    # Same allocation stream (so the same arms in the same order), kit codes from the CSPRNG:
    # the codes differ between designs, so they cannot encode the allocation.
    first = _design(rng=random.Random(5), kit_rng=None).fit()
    second = _design(rng=random.Random(5), kit_rng=None).fit()
    assert [p.arm for p in first.periods] == [p.arm for p in second.periods]
    assert {p.kit for p in first.periods}.isdisjoint({p.kit for p in second.periods})


class _ObservedCSPRNG(secrets.SystemRandom):
    """``secrets.SystemRandom`` stand-in that counts instances and draws (still os.urandom)."""

    instances = 0
    draws = 0

    def __init__(self) -> None:
        type(self).instances += 1
        super().__init__()

    def getrandbits(self, k: int) -> int:
        type(self).draws += 1
        return super().getrandbits(k)


def test_the_product_path_draws_allocation_and_codes_from_the_csprng(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No rng passed (as the web app and the CLI do): both draws must come from
    # secrets.SystemRandom (os.urandom; no seed at all), one generator for each.
    monkeypatch.setattr(_ObservedCSPRNG, "instances", 0)
    monkeypatch.setattr(_ObservedCSPRNG, "draws", 0)
    monkeypatch.setattr(secrets, "SystemRandom", _ObservedCSPRNG)
    plan = Nof1Design(["placebo", "1.5", "4.5"], start=START, cycles=3, washout=stub_washout).fit()
    assert plan.randomisation == CSPRNG == "os-csprng"
    assert _ObservedCSPRNG.instances == 2  # allocation, then kit codes: separate generators
    # 3 shuffles of 3 arms need ≥ 2 draws each; 9 codes × 6 characters ≥ 54 draws.
    assert _ObservedCSPRNG.draws >= 3 * 2 + 9 * 6


def test_all_of_the_product_paths_randomness_comes_from_the_csprng(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Replace the CSPRNG by a fixed stream: if any other source (a seed, the clock, the
    # global random module) fed the allocation or the codes, two designs would differ.
    def fixed() -> random.Random:
        return random.Random(11)

    monkeypatch.setattr(secrets, "SystemRandom", fixed)
    first = Nof1Design(["placebo", "4.5"], start=START, washout=stub_washout).fit()
    random.seed(99)  # disturb the global generator between the two designs
    second = Nof1Design(["placebo", "4.5"], start=START, washout=stub_washout).fit()
    assert first == second


def test_one_generator_for_both_allocation_and_codes_is_refused() -> None:
    shared = random.Random(3)
    with pytest.raises(DesignError, match="separate generators") as info:
        _design(rng=shared, kit_rng=shared)
    assert info.value.field == "kit_rng"


def test_the_reference_allocation_depends_on_the_design_only() -> None:
    plans = [_design(rng=random.Random(s)).fit() for s in range(8)]
    assert len({tuple(p.arm for p in plan.periods) for plan in plans}) > 1
    references = {tuple(p.arm for p in reference_allocation(plan).periods) for plan in plans}
    assert len(references) == 1  # the same public allocation whatever the real one
    ref = reference_allocation(plans[0])
    assert ref.randomisation == REFERENCE
    assert [p.kit for p in ref.periods] == [p.kit for p in plans[0].periods]
    for cycle in range(1, 4):
        assert sorted(p.arm for p in ref.periods if p.cycle == cycle) == ["4.5 mg", "placebo"]


def test_kit_check_character_catches_typos() -> None:
    code = kit_codes(1, random.Random(7))[0]
    assert kit_code_is_valid(code)
    assert kit_code_is_valid(code.lower())
    body = code[4:10]
    for i in range(6):
        for replacement in "0123456789ABCDEFGHJKMNPQRSTVWXYZ":
            if replacement == body[i]:
                continue
            typo = code[: 4 + i] + replacement + code[5 + i :]
            assert not kit_code_is_valid(typo)
    assert not kit_code_is_valid("KIT-ILOU00-0")


def test_design_json_round_trips_and_is_validated() -> None:
    plan = _design().fit()
    back = Nof1Plan.from_dict(json.loads(json.dumps(plan.to_dict())))
    assert back == plan  # periods, arms, randomisation and the run-in derivation
    assert back.arms == ("placebo", "4.5 mg")
    broken = plan.to_dict()
    del broken["periods"][0]["kit"]
    with pytest.raises(DesignError, match="incomplete or malformed"):
        Nof1Plan.from_dict(broken)
    broken = plan.to_dict()
    broken["periods"][1]["kit"] = broken["periods"][0]["kit"]
    with pytest.raises(DesignError, match="unique"):
        Nof1Plan.from_dict(broken)


def test_kit_for_day() -> None:
    plan = _design().fit()
    assert plan.kit_for(START) == plan.periods[0].kit
    assert plan.kit_for(START + timedelta(days=28)) == plan.periods[1].kit
    assert plan.kit_for(START - timedelta(days=1)) is None


@pytest.mark.parametrize(
    ("kw", "match", "field"),
    [
        ({"arms": ["1.5", "4.5"]}, "needs a placebo arm", "arms"),
        ({"arms": ["placebo"]}, "at least one LDN dose", "arms"),
        ({"arms": ["placebo", "4.5", "4.50"]}, "only once", "arms"),
        ({"arms": ["placebo", "lots"]}, "neither 'placebo' nor a dose", "arms"),
        ({"cycles": 0}, "cycles must be", "cycles"),
        ({"period_days": 9}, "leaves no analysed days", "period_days"),
        ({"onset_days": -1.0}, "onset_days must be", "onset_days"),
    ],
)
def test_bad_options_are_named(kw: dict[str, object], match: str, field: str) -> None:
    with pytest.raises(DesignError, match=match) as info:
        _design(**kw).fit()
    assert info.value.field == field


def test_short_periods_warn() -> None:
    with pytest.warns(TooFewDaysWarning, match="only 5 analysed days"):
        _design(period_days=14).fit()


def test_arm_labels_round_trip() -> None:
    assert arm_label(Decimal("4.50")) == "4.5 mg"
    assert arm_label(Decimal("0")) == "placebo"
    assert arm_dose("4.5 mg") == Decimal("4.5")
    assert arm_dose("Placebo") == 0


def test_default_run_in_uses_the_pharmacology_engine() -> None:
    from lowdose.pk import washout_hours

    plan = Nof1Design(["placebo", "1.5", "4.5"], start=START).fit()
    d = plan.run_in_derivation
    assert d is not None
    assert d.source == "lowdose.pk.washout_hours"
    assert d.previous_arm == "4.5 mg"  # a larger dose takes longer to wash out
    hours = washout_hours(Decimal("4.5"), receptor="mu", threshold=0.10)
    assert d.washout_hours == pytest.approx(hours)
    assert d.washout_by_arm["1.5 mg"] < d.washout_hours
    assert plan.run_in_days == int(np.ceil(hours / 24 + DEFAULT_ONSET_DAYS))
    # plausibility: naltrexone/6β-naltrexol occupancy washes out within days, not weeks
    assert 1 < plan.run_in_days - DEFAULT_ONSET_DAYS <= 10


def test_emergency_unblinding_reveals_one_kit_only() -> None:
    plan = _design().fit()
    kit = plan.periods[2].kit
    assert plan.arm_for_kit(kit.lower()) == plan.periods[2].arm
    with pytest.raises(DesignError, match="not part of this trial") as info:
        plan.arm_for_kit("KIT-000000-0")
    assert info.value.field == "kit"


def test_a_legacy_record_reads_back_unchanged_and_is_marked() -> None:
    # Stored before the CSPRNG: it has a "seed" and no "randomisation". The allocation is the
    # record: it is read as stored, never re-derived from the seed, and marked as legacy.
    stored = _design().fit().to_dict()
    del stored["randomisation"]
    stored["seed"] = 1234567
    plan = Nof1Plan.from_dict(stored)
    assert plan.randomisation == LEGACY_SEEDED
    assert [p.to_dict() for p in plan.periods] == stored["periods"]
    assert "seed" not in plan.to_dict()
