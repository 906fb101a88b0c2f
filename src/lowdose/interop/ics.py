"""The patient's titration calendar as iCalendar (RFC 5545), built with the ``icalendar`` library.

One recurring event per dated step: ``DTSTART`` on the step's first day at the dose's clock time
in the patient's time zone, ``RRULE:FREQ=DAILY;COUNT=n`` for an :math:`n`-day step (no ``COUNT``
for the open-ended last step), a ``VALARM`` display reminder at the dose time, and the step's
note (an applied tolerability rule) in the description. ``VTIMEZONE`` components are added for
the zone used, so calendar apps show the right local time across daylight-saving changes.

The clock times for "bedtime" (22:00) and "morning" (08:00) are reminder defaults, not clinical
numbers; the patient sets their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Alarm, Calendar, Event

from lowdose.errors import InteropError
from lowdose.regimens.steps import DoseTime, TitrationStep, decimal_str, validate_schedule

__all__ = ["DEFAULT_CLOCK", "titration_calendar"]

#: Reminder clock times (configurable defaults).
DEFAULT_CLOCK = {DoseTime.BEDTIME: time(22, 0), DoseTime.MORNING: time(8, 0)}
_EVENT_LENGTH = timedelta(minutes=5)


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InteropError(
            f"unknown time zone {tz!r}; give an IANA name such as 'Europe/London'.", field="tz"
        ) from exc


def titration_calendar(
    steps: Sequence[TitrationStep],
    *,
    tz: str | ZoneInfo = "UTC",
    clock: dict[DoseTime, time] | None = None,
    concentration_mg_per_ml: Decimal | None = None,
    name: str = "LDN titration",
    uid_prefix: str = "ldn-titration",
    now: datetime | None = None,
    reminders: bool = True,
) -> bytes:
    """Serialise a plan to an iCalendar file.

    Parameters
    ----------
    steps : sequence of TitrationStep
        The dated plan.
    tz : str or ZoneInfo
        The patient's IANA time zone.
    clock : dict, optional
        Clock time per :class:`DoseTime`; defaults to :data:`DEFAULT_CLOCK`.
    concentration_mg_per_ml : Decimal, optional
        For a liquid: the summary also says how many mL to measure (exact, or refused).
    uid_prefix : str
        Stable UIDs (``<prefix>-step<k>-<start>@lowdose``) let a re-issued plan replace the old
        events in the patient's calendar.
    now : datetime, optional
        ``DTSTAMP``; must be timezone-aware (default: the current UTC time).
    """
    plan = validate_schedule(steps)
    zone = _zone(tz)
    times = {**DEFAULT_CLOCK, **(clock or {})}
    stamp = datetime.now(UTC) if now is None else now
    if stamp.tzinfo is None:
        raise InteropError(
            "now must be timezone-aware (e.g. datetime.now(timezone.utc)).", field="now"
        )
    cal = Calendar()
    cal.add("prodid", "-//lowdose//LDN titration//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for number, step in enumerate(plan, 1):
        amount = f"{decimal_str(step.dose_mg)} mg"
        if concentration_mg_per_ml is not None:
            amount += f" ({_volume(step.dose_mg, concentration_mg_per_ml)} mL)"
        event = _step_event(
            step,
            heading=f"Step {number} of {len(plan)}",
            amount=amount,
            uid=f"{uid_prefix}-step{number}-{step.start.isoformat()}@lowdose",
            stamp=stamp,
            start=datetime.combine(step.start, times[step.time], tzinfo=zone),
            reminders=reminders,
        )
        cal.add_component(event)
    # VTIMEZONE rules only for the years the plan spans (open-ended plans: two more years).
    last = plan[-1].end or plan[-1].start + timedelta(days=2 * 366)
    cal.add_missing_timezones(
        first_date=plan[0].start.replace(month=1, day=1),
        last_date=last.replace(month=12, day=31) + timedelta(days=1),
    )
    ical: bytes = cal.to_ical()
    return ical


def _step_event(
    step: TitrationStep,
    *,
    heading: str,
    amount: str,
    uid: str,
    stamp: datetime,
    start: datetime,
    reminders: bool,
) -> Event:
    """One step as a daily recurring event (``count`` = its days), with a reminder alarm."""
    when = "at bedtime" if step.time is DoseTime.BEDTIME else "in the morning"
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", start + _EVENT_LENGTH)
    event.add("summary", f"LDN {amount} {when}")
    until = "onwards" if step.end is None else f"to {step.end.isoformat()} ({step.days} days)"
    description = f"{heading}: {amount} {when}, from {step.start.isoformat()} {until}."
    if step.note:
        description += f" Note: {step.note}."
    event.add("description", description)
    rule: dict[str, object] = {"freq": "daily"}
    if step.days is not None:
        rule["count"] = step.days
    event.add("rrule", rule)
    event.add("categories", ["LDN"])
    if reminders:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Take LDN {amount}")
        alarm.add("trigger", timedelta(0))
        event.add_component(alarm)
    return event


def _volume(dose_mg: Decimal, concentration: Decimal) -> str:
    from lowdose.pharmacy.units import Concentration, Quantity, Unit

    try:
        volume = Concentration(concentration).volume_for(Quantity(dose_mg, Unit.MG))
    except Exception as exc:
        raise InteropError(f"cannot state the volume: {exc}", field="concentration") from exc
    return decimal_str(volume.value)
