"""The patient's titration calendar as iCalendar (RFC 5545), built with the ``icalendar`` library.

**One event per dose.** Each night (or morning) of a dated step is its own ``VEVENT`` at the dose's
clock time in the patient's time zone, with a ``VALARM`` display reminder at that time; an
open-ended last step is one daily recurring event (``RRULE:FREQ=DAILY``) from its first day.

**Stable identity (RFC 5545 §3.8.4.7 ``UID``).** A plan belongs to a *lineage*: the original
prescription and every plan that adjusts or replaces it. A dose's ``UID`` is the lineage key and
the day (``<lineage>-20260329@lowdose``; an open-ended step ``<lineage>-20260329-onwards@lowdose``),
never a database row, so the adjusted plan's 29 March is the same event as the original's.

**Revisions (§3.8.7.4 ``SEQUENCE``).** The caller passes the versions of the lineage issued
before this one (``earlier``, oldest first). A dose's ``SEQUENCE`` is the number of times its event
changed (appeared, moved, changed dose or time, or disappeared) from one version to the next, so
it only ever grows, and an unchanged night keeps its number. A calendar that imported an older
version replaces the events whose ``SEQUENCE`` went up and leaves the rest.

**Cancellations (§3.8.1.11 ``STATUS``).** A dose that an earlier version had and this one drops is
written again with the same ``UID``, the next ``SEQUENCE``, ``STATUS:CANCELLED``, a summary that
starts "Cancelled:" and no alarm. The file stays ``METHOD:PUBLISH``: RFC 5546 §3.2.1 allows
``STATUS:CANCELLED`` in a published event, while ``METHOD:CANCEL`` (§3.2.5) is a scheduling
message that needs an ``ORGANIZER`` and ``ATTENDEE``\\s, which a medication plan has not.
``docs/calendar.md`` explains what Google, Apple and Outlook do with such a file.

**Drafts.** A draft's calendar is a preview for the clinician: its name and every summary say
"DRAFT", it has no alarms, and its ``UID``\\s carry ``-draft-`` so that it can never overwrite or
cancel the events of a plan a patient has imported.

**Time zone.** The ``VTIMEZONE`` comes from :func:`lowdose.interop.vtimezone.vtimezone` (both clock
changes at the right hour, for the years the plan spans).

The clock times for "bedtime" (22:00) and "morning" (08:00) are reminder defaults, not clinical
numbers; the patient sets their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Alarm, Calendar, Event

from lowdose.errors import InteropError
from lowdose.interop.vtimezone import vtimezone
from lowdose.regimens.steps import DoseTime, TitrationStep, decimal_str, validate_schedule

__all__ = ["DEFAULT_CLOCK", "IssuedPlan", "titration_calendar"]

#: Reminder clock times (configurable defaults).
DEFAULT_CLOCK = {DoseTime.BEDTIME: time(22, 0), DoseTime.MORNING: time(8, 0)}
_EVENT_LENGTH = timedelta(minutes=5)
#: VTIMEZONE rules for an open-ended plan: two more years (a reminder a calendar still shows then
#: uses the zone's current rules, which is what a patient's device does anyway).
_OPEN_ENDED_YEARS = 2


@dataclass(frozen=True)
class IssuedPlan:
    """A version of the plan issued before the one being written (a patient may have imported it).

    ``concentration_mg_per_ml`` is the liquid's strength (its mL are in the summaries), or ``None``.
    """

    steps: Sequence[TitrationStep]
    concentration_mg_per_ml: Decimal | None = None


@dataclass(frozen=True)
class _Dose:
    """What one event says: compared across versions to tell whether it changed."""

    start: datetime
    summary: str
    description: str
    recurring: bool
    alarm: str


def _zone(tz: str | ZoneInfo) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InteropError(
            f"unknown time zone {tz!r}; give an IANA name such as 'Europe/London'.", field="tz"
        ) from exc


def _doses(
    steps: Sequence[TitrationStep],
    zone: ZoneInfo,
    times: dict[DoseTime, time],
    concentration: Decimal | None,
) -> dict[str, _Dose]:
    """The events of one version of the plan, by their day key (``YYYYMMDD[-onwards]``)."""
    doses: dict[str, _Dose] = {}
    for step in validate_schedule(steps):
        amount = f"{decimal_str(step.dose_mg)} mg"
        if concentration is not None:
            amount += f" ({_volume(step.dose_mg, concentration)} mL)"
        when = "at bedtime" if step.time is DoseTime.BEDTIME else "in the morning"
        text = f"Take {amount} of low-dose naltrexone (LDN) {when}."
        if step.note:
            text += f" Note: {step.note}."
        days = (
            [step.start]
            if step.end is None
            else [step.start + timedelta(days=i) for i in range(step.days or 0)]
        )
        for day in days:
            key = f"{day:%Y%m%d}" + ("-onwards" if step.end is None else "")
            if step.end is None:
                description = f"{text} Every day from {day.isoformat()} onwards."
            else:
                description = text
            doses[key] = _Dose(
                start=datetime.combine(day, times[step.time], tzinfo=zone),
                summary=f"LDN {amount} {when}",
                description=description,
                recurring=step.end is None,
                alarm=f"Take LDN {amount}",
            )
    return doses


def _revisions(
    versions: Sequence[dict[str, _Dose]],
) -> dict[str, tuple[int, _Dose, bool]]:
    """Per day key: its ``SEQUENCE`` (changes from version to version), the event as last
    written, and whether the newest version still has it."""
    out: dict[str, tuple[int, _Dose, bool]] = {}
    keys = sorted({key for version in versions for key in version})
    for key in keys:
        sequence = 0
        before = versions[0].get(key)
        last = before
        for version in versions[1:]:
            now = version.get(key)
            if now != before:
                sequence += 1
            before = now
            last = now if now is not None else last
        if last is not None:
            out[key] = (sequence, last, versions[-1].get(key) is not None)
    return out


def titration_calendar(
    steps: Sequence[TitrationStep],
    *,
    tz: str | ZoneInfo = "UTC",
    clock: dict[DoseTime, time] | None = None,
    concentration_mg_per_ml: Decimal | None = None,
    name: str = "LDN titration",
    lineage: str = "ldn-titration",
    earlier: Sequence[IssuedPlan] = (),
    draft: bool = False,
    now: datetime | None = None,
    reminders: bool = True,
) -> bytes:
    """Serialise a plan to an iCalendar file (module docstring: UIDs, SEQUENCE, cancellations).

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
    lineage : str
        The key shared by every version of this plan (no spaces or ``@``): the UIDs' prefix.
    earlier : sequence of IssuedPlan
        The versions of the lineage issued before this one, oldest first (ignored for a draft).
    draft : bool
        A preview of a plan not yet signed: "DRAFT" in the name and summaries, no alarms, UIDs
        of its own, no cancellations.
    now : datetime, optional
        ``DTSTAMP``; must be timezone-aware (default: the current UTC time).
    """
    zone = _zone(tz)
    times = {**DEFAULT_CLOCK, **(clock or {})}
    stamp = datetime.now(UTC) if now is None else now
    if stamp.tzinfo is None:
        raise InteropError(
            "now must be timezone-aware (e.g. datetime.now(timezone.utc)).", field="now"
        )
    if not lineage or any(c.isspace() or c == "@" for c in lineage):
        raise InteropError(
            f"lineage {lineage!r} must be a non-empty key without spaces or '@'.", field="lineage"
        )
    plans = [] if draft else list(earlier)
    versions = [_doses(p.steps, zone, times, p.concentration_mg_per_ml) for p in plans] + [
        _doses(steps, zone, times, concentration_mg_per_ml)
    ]
    cal = Calendar()
    cal.add("prodid", "-//lowdose//LDN titration//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    title = f"DRAFT, not for use: {name}" if draft else name
    cal.add("name", title)
    cal.add("x-wr-calname", title)
    prefix = f"{lineage}-draft" if draft else lineage
    revisions = _revisions(versions)
    for key, (sequence, dose, current) in revisions.items():
        event = _event(
            dose,
            uid=f"{prefix}-{key}@lowdose",
            sequence=sequence,
            stamp=stamp,
            cancelled=not current,
            draft=draft,
            reminders=reminders and not draft,
        )
        cal.add_component(event)
    first = min(dose.start.date() for _s, dose, _c in revisions.values())
    last = max(_last_day(dose) for _s, dose, _c in revisions.values())
    cal.add_component(vtimezone(zone, first.replace(month=1, day=1), date(last.year + 1, 1, 1)))
    # VTIMEZONE first (as RFC 5545's examples): readers that resolve TZID in one pass need it.
    cal.subcomponents.insert(0, cal.subcomponents.pop())
    ical: bytes = cal.to_ical()
    return ical


def _last_day(dose: _Dose) -> date:
    day = dose.start.date()
    return day.replace(year=day.year + _OPEN_ENDED_YEARS) if dose.recurring else day


def _event(
    dose: _Dose,
    *,
    uid: str,
    sequence: int,
    stamp: datetime,
    cancelled: bool,
    draft: bool,
    reminders: bool,
) -> Event:
    """One dose (or an open-ended step) as an event, live or cancelled."""
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("sequence", sequence)
    event.add("dtstart", dose.start)
    event.add("dtend", dose.start + _EVENT_LENGTH)
    summary = dose.summary
    description = dose.description
    if draft:
        summary = f"DRAFT: {summary}"
        description = f"Draft plan, not signed: do not follow it. {description}"
    if cancelled:
        summary = f"Cancelled: {summary}"
        description = f"No longer in your plan: do not take this dose. Was: {description}"
    event.add("summary", summary)
    event.add("description", description)
    event.add("status", "CANCELLED" if cancelled else ("TENTATIVE" if draft else "CONFIRMED"))
    event.add("transp", "TRANSPARENT")  # a reminder, not a busy slot (§3.8.2.7)
    if dose.recurring:
        event.add("rrule", {"freq": "daily"})
    event.add("categories", ["LDN"])
    if reminders and not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", dose.alarm)
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
