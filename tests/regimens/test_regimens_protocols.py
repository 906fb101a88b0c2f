"""Shipped protocols: dates pinned against hand-counted calendars, sources present, custom plans."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lowdose.errors import InputError
from lowdose.regimens import (
    DoseTime,
    ProtocolStep,
    RegimenError,
    UnknownProtocolError,
    custom_protocol,
    daily_doses,
    extend_through,
    get_protocol,
    list_protocols,
    protocol_names,
    schedule_days,
    total_dose_mg,
)

REFERENCE = json.loads(
    (Path(__file__).parents[1] / "reference" / "regimens_protocol_dates.json").read_text("utf-8")
)


def test_the_three_issue_protocols_ship() -> None:
    assert protocol_names() == ("ldnrt-slow", "ldnrt-standard", "trial-6mg")


@pytest.mark.parametrize("case", REFERENCE["cases"], ids=lambda c: f"{c['protocol']}@{c['start']}")
def test_protocol_dates_match_the_hand_counted_calendar(case: dict[str, object]) -> None:
    plan = get_protocol(str(case["protocol"])).schedule(date.fromisoformat(str(case["start"])))
    got = [
        [s.start.isoformat(), None if s.end is None else s.end.isoformat(), str(s.dose_mg)]
        for s in plan
    ]
    expected = [[a, b, str(Decimal(c))] for a, b, c in case["steps"]]  # type: ignore[attr-defined]
    assert got == expected


@pytest.mark.parametrize("name", ["ldnrt-standard", "ldnrt-slow", "trial-6mg"])
def test_twelve_week_totals_match_hand_sums(name: str) -> None:
    start = date(2025, 1, 6)
    plan = get_protocol(name).schedule(start, through=start + timedelta(days=83))
    assert schedule_days(plan) == 84
    assert total_dose_mg(plan) == Decimal(REFERENCE["totals"][name]["value"])


def test_every_shipped_protocol_cites_sources_and_bedtime_default() -> None:
    for protocol in list_protocols():
        assert protocol.sources, protocol.name
        assert all(s.url.startswith("https://") for s in protocol.sources)
        assert protocol.time is DoseTime.BEDTIME


def test_trial_protocol_is_flagged_as_reconstructed_and_reaches_6mg_inside_four_weeks() -> None:
    trial = get_protocol("trial-6mg")
    assert trial.reconstructed is True
    assert any("RECONSTRUCTED" in c for c in trial.caveats)
    assert trial.target_dose_mg == Decimal("6")
    assert trial.titration_days < 28  # 6 mg starts within the 4-week titration phase (FINAL)
    assert sum(step.days or 0 for step in trial.steps) == 84  # 12 weeks in all


def test_ldnrt_standard_stops_at_the_pack_maximum() -> None:
    standard = get_protocol("ldnrt-standard")
    assert standard.target_dose_mg == Decimal("4.5")
    assert [s.dose_mg for s in standard.steps][:2] == [Decimal("1.5"), Decimal("2")]
    assert all(s.days == 14 for s in standard.steps[:-1])
    assert standard.steps[-1].days is None


def test_lookup_is_tolerant_of_case_and_underscores() -> None:
    assert get_protocol("LDNRT_Standard").name == "ldnrt-standard"


def test_unknown_protocol_names_the_choices() -> None:
    with pytest.raises(UnknownProtocolError, match="ldnrt-standard") as info:
        get_protocol("ldn-fast")
    assert isinstance(info.value, InputError)
    assert info.value.field == "protocol"


def test_custom_protocol_from_steps() -> None:
    plan = custom_protocol([(Decimal("1"), 10), (Decimal("2.25"), None)]).schedule(
        date(2025, 12, 25), time=DoseTime.MORNING
    )
    assert [(s.start, s.end, s.dose_mg, s.time) for s in plan] == [
        (date(2025, 12, 25), date(2026, 1, 3), Decimal("1"), DoseTime.MORNING),
        (date(2026, 1, 4), None, Decimal("2.25"), DoseTime.MORNING),
    ]


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([], "no steps"),
        ([(Decimal("1"), None), (Decimal("2"), 7)], "open-ended but not last"),
        ([(Decimal("7"), None)], "above the configured maximum of 6 mg"),
        ([(Decimal("0"), 7)], "must be positive"),
        ([(Decimal("1"), 0)], "at least 1 day"),
        ([(Decimal("NaN"), 7)], "finite Decimal"),
    ],
)
def test_custom_protocol_refuses_impossible_steps(
    steps: list[tuple[Decimal, int | None]], message: str
) -> None:
    with pytest.raises(RegimenError, match=message):
        custom_protocol(steps)


def test_float_doses_are_refused() -> None:
    with pytest.raises(RegimenError, match="finite Decimal"):
        ProtocolStep(dose_mg=1.5, days=7)  # type: ignore[arg-type]


def test_open_plan_has_no_total_until_cut() -> None:
    plan = get_protocol("ldnrt-standard").schedule(date(2025, 1, 6))
    with pytest.raises(RegimenError, match="extend_through"):
        total_dose_mg(plan)


def test_extend_through_continues_a_finished_trial_at_its_last_dose() -> None:
    plan = get_protocol("trial-6mg").schedule(date(2025, 1, 6))
    longer = extend_through(plan, date(2025, 4, 6))
    assert longer[-1].end == date(2025, 4, 6)
    assert total_dose_mg(longer) == Decimal(441) + 7 * Decimal(6)


@settings(max_examples=60, deadline=None)
@given(
    doses=st.lists(
        st.decimals(min_value=Decimal("0.25"), max_value=Decimal("6"), places=2),
        min_size=1,
        max_size=8,
    ),
    lengths=st.lists(st.integers(min_value=1, max_value=40), min_size=8, max_size=8),
    start=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)),
)
def test_total_is_exactly_the_sum_of_daily_doses(
    doses: list[Decimal], lengths: list[int], start: date
) -> None:
    plan = custom_protocol(list(zip(doses, lengths, strict=False))).schedule(start)
    days = list(daily_doses(plan))
    assert total_dose_mg(plan) == sum((dose for _, dose in days), Decimal(0))
    assert len(days) == schedule_days(plan) == sum(lengths[: len(doses)])
    assert [d for d, _ in days] == [start + timedelta(days=i) for i in range(len(days))]
    assert all(isinstance(dose, Decimal) for _, dose in days)
