# mypy: disable-error-code="union-attr,index,operator,import-untyped,unused-ignore"
"""An adjusted or replaced plan's calendar corrects the one a patient imported: same UIDs,
SEQUENCE raised only where a dose changed, dropped doses cancelled; drafts never collide."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

from icalendar import Calendar

from lowdose.interop.ics import IssuedPlan, titration_calendar
from lowdose.regimens import get_protocol, hold_dose, move_to_morning

START = date(2026, 3, 24)
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
ORIGINAL = get_protocol("trial-6mg").schedule(START, through=date(2026, 4, 20))  # 28 nights


def _by_uid(payload: bytes) -> dict[str, object]:
    return {str(e["UID"]): e for e in Calendar.from_ical(payload).walk("VEVENT")}


def _ics(steps: object, earlier: tuple[IssuedPlan, ...] = (), **kwargs: object) -> bytes:
    return titration_calendar(  # type: ignore[arg-type]
        steps, tz="Europe/London", lineage="L", earlier=earlier, now=NOW, **kwargs
    )


def test_an_adjusted_plan_keeps_every_uid_and_raises_sequence_only_where_a_dose_changed() -> None:
    held = hold_dose(ORIGINAL, date(2026, 3, 31), 3)  # 3 mg for 3 more days, the rest later
    old = _by_uid(_ics(ORIGINAL))
    new = _by_uid(_ics(held, (IssuedPlan(ORIGINAL),)))
    assert set(old) <= set(new)  # nothing of the old calendar is left behind as a duplicate
    for uid in old:
        assert str(old[uid]["STATUS"]) == "CONFIRMED"
        assert old[uid]["SEQUENCE"] == 0
    unchanged = [f"L-202603{d}@lowdose" for d in range(24, 31)]  # the 1.5 mg nights
    assert [new[uid]["SEQUENCE"] for uid in unchanged] == [0] * 7
    # the 3 mg nights keep their dose but now carry the rule's note: a change, told once
    noted = new["L-20260331@lowdose"]
    assert noted["SEQUENCE"] == 1
    assert "held 3 more days at 3 mg" in str(noted["DESCRIPTION"])
    # 7-9 April were 4.5 mg and are now 3 mg: same event, next revision, no alarm left at 4.5 mg
    for day in (7, 8, 9):
        event = new[f"L-2026040{day}@lowdose"]
        assert event["SEQUENCE"] == 1
        assert str(event["SUMMARY"]) == "LDN 3 mg at bedtime"
        assert str(event["STATUS"]) == "CONFIRMED"
    # three nights added at the end: new events, first revision after "absent"
    assert [new[f"L-202604{d}@lowdose"]["SEQUENCE"] for d in (21, 22, 23)] == [1, 1, 1]
    assert sum(str(e["STATUS"]) == "CANCELLED" for e in new.values()) == 0


def test_dropped_doses_are_cancelled_with_the_same_uid_a_higher_sequence_and_no_alarm() -> None:
    shortened = ORIGINAL[:2]  # the plan stops after the 3 mg step
    events = _by_uid(_ics(shortened, (IssuedPlan(ORIGINAL),)))
    cancelled = {uid: e for uid, e in events.items() if str(e["STATUS"]) == "CANCELLED"}
    assert sorted(cancelled) == [f"L-2026{d}@lowdose" for d in _days("0407", "0420")]
    for event in cancelled.values():
        assert event["SEQUENCE"] == 1
        assert str(event["SUMMARY"]).startswith("Cancelled: LDN ")
        assert not event.walk("VALARM")
    # the cancelled event still names the time it had (clients match it on UID and RECURRENCE)
    assert cancelled["L-20260414@lowdose"].decoded("DTSTART").time() == time(22, 0)
    assert str(cancelled["L-20260414@lowdose"]["SUMMARY"]) == "Cancelled: LDN 6 mg at bedtime"
    assert sum(str(e["STATUS"]) == "CONFIRMED" for e in events.values()) == 14


def test_sequence_counts_every_change_across_versions_and_never_goes_down() -> None:
    morning = move_to_morning(ORIGINAL, date(2026, 4, 1))
    back = ORIGINAL  # the clinician puts the evening doses back
    versions = (IssuedPlan(ORIGINAL), IssuedPlan(morning))
    second = _by_uid(_ics(morning, versions[:1]))
    third = _by_uid(_ics(back, versions))
    assert second["L-20260401@lowdose"]["SEQUENCE"] == 1
    assert second["L-20260401@lowdose"].decoded("DTSTART").time() == time(8, 0)
    assert third["L-20260401@lowdose"]["SEQUENCE"] == 2
    assert third["L-20260401@lowdose"].decoded("DTSTART").time() == time(22, 0)
    assert third["L-20260331@lowdose"]["SEQUENCE"] == 0  # never changed
    for uid, event in second.items():
        assert third[uid]["SEQUENCE"] >= event["SEQUENCE"]


def test_a_liquid_strength_change_is_a_change_of_every_dose() -> None:
    earlier = (IssuedPlan(ORIGINAL, Decimal(1)),)
    events = _by_uid(_ics(ORIGINAL, earlier, concentration_mg_per_ml=Decimal("0.5")))
    assert {e["SEQUENCE"] for e in events.values()} == {1}
    assert str(events["L-20260324@lowdose"]["SUMMARY"]) == "LDN 1.5 mg (3 mL) at bedtime"


def test_a_draft_says_so_has_no_alarm_and_cannot_touch_the_patients_events() -> None:
    payload = _ics(ORIGINAL[:1], (IssuedPlan(ORIGINAL),), draft=True, name="LDN plan")
    cal = Calendar.from_ical(payload)
    assert str(cal["X-WR-CALNAME"]) == "DRAFT, not for use: LDN plan"
    assert str(cal["NAME"]) == "DRAFT, not for use: LDN plan"
    events = cal.walk("VEVENT")
    assert len(events) == 7  # no cancellations of the signed plan's doses
    for event in events:
        assert str(event["SUMMARY"]).startswith("DRAFT: LDN ")
        assert str(event["UID"]).startswith("L-draft-")
        assert str(event["STATUS"]) == "TENTATIVE"
        assert not event.walk("VALARM")


def test_the_file_is_a_publication_with_the_time_zone_first() -> None:
    cal = Calendar.from_ical(_ics(ORIGINAL))
    assert str(cal["METHOD"]) == "PUBLISH"
    assert cal.subcomponents[0].name == "VTIMEZONE"
    assert str(cal.subcomponents[0]["TZID"]) == "Europe/London"


def _days(first: str, last: str) -> list[str]:
    a = date(2026, int(first[:2]), int(first[2:]))
    b = date(2026, int(last[:2]), int(last[2:]))
    return [f"{date.fromordinal(n):%m%d}" for n in range(a.toordinal(), b.toordinal() + 1)]
