"""The reminders due to one patient on one local day: what, when (wall time and exact instant)
and in which words.

Configure → result: :class:`ReminderPreferences` (the patient's time zone, times, quiet hours and
opt-outs) and :class:`DayFacts` (what that day holds: a titration step, a kit switch, a
questionnaire, days since the last check-in) go into :func:`plan_day`, which returns a frozen
:class:`DayPlan` of the :class:`Reminder` objects to send and the :class:`Skipped` ones with why.

Rules (``docs/reminders.md``):

- at most one reminder of each kind a day;
- ``checkin`` at the check-in time, unless the patient has checked in that day or a ``nudge`` is
  sent instead (two days or more since the last check-in);
- ``titration_step`` ("From tonight: 3 mg") and ``nof1_switch`` ("Start kit B tonight": the kit
  code only, never what it holds) at the bedtime dose time; the plain ``dose`` reminder is left
  out when one of them is sent (it says the same and more);
- ``questionnaire`` at the check-in time, naming the questionnaires due;
- each wall time is made an instant by :func:`~lowdose.reminders.walltime.local_instant` (DST),
  then moved out of quiet hours (:class:`~lowdose.reminders.walltime.QuietHours`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from lowdose.errors import ReminderError
from lowdose.regimens.steps import decimal_str
from lowdose.reminders.walltime import QuietHours, local_instant, time_zone

__all__ = [
    "NUDGE_AFTER_DAYS",
    "DayFacts",
    "DayPlan",
    "Reminder",
    "ReminderKind",
    "ReminderPreferences",
    "Skipped",
    "plan_day",
]

#: Days without a check-in after which a gentle nudge replaces the daily reminder. Two: one
#: missed day is ordinary life; a second one is worth a word (issue 14, item 2).
NUDGE_AFTER_DAYS = 2


class ReminderKind(enum.StrEnum):
    """What a reminder is about."""

    CHECKIN = "checkin"
    DOSE = "dose"
    TITRATION_STEP = "titration_step"
    NOF1_SWITCH = "nof1_switch"
    QUESTIONNAIRE = "questionnaire"
    NUDGE = "nudge"

    @property
    def label(self) -> str:
        """The kind in words, as the settings page names it."""
        return _LABELS[self]


_LABELS = {
    ReminderKind.CHECKIN: "Daily check-in",
    ReminderKind.DOSE: "Bedtime dose",
    ReminderKind.TITRATION_STEP: "A new dose in your plan",
    ReminderKind.NOF1_SWITCH: "A new trial kit",
    ReminderKind.QUESTIONNAIRE: "A questionnaire is due",
    ReminderKind.NUDGE: "A gentle nudge after days without a check-in",
}


def _kind(value: object) -> ReminderKind:
    try:
        return ReminderKind(str(value))
    except ValueError:
        kinds = ", ".join(k.value for k in ReminderKind)
        raise ReminderError(
            f"{value!r} is not a kind of reminder; use one of {kinds}.", field="opt_out"
        ) from None


@dataclass(frozen=True, slots=True)
class ReminderPreferences:
    """A patient's reminder settings.

    ``time_zone`` is an IANA name; ``checkin_time`` and ``dose_time`` are wall-clock times there;
    ``quiet`` is optional; ``opt_out`` holds the kinds the patient does not want.
    """

    time_zone: str
    checkin_time: time = time(19, 0)
    dose_time: time = time(21, 30)
    quiet: QuietHours | None = None
    opt_out: frozenset[ReminderKind] = frozenset()

    def __post_init__(self) -> None:
        time_zone(self.time_zone)
        for name in ("checkin_time", "dose_time"):
            value = getattr(self, name)
            if not isinstance(value, time) or value.tzinfo is not None:
                raise ReminderError(f"{name} must be a time of day such as 21:30.", field=name)
        object.__setattr__(self, "opt_out", frozenset(_kind(k) for k in self.opt_out))

    def wants(self, kind: ReminderKind) -> bool:
        return kind not in self.opt_out


@dataclass(frozen=True, slots=True)
class DayFacts:
    """What one local day holds for the patient (all optional).

    ``titration_dose_mg``: a titration step starts that day with this nightly dose;
    ``kit_code``: an N-of-1 period starts that day with this kit (its code only);
    ``questionnaires``: the names (in words) of the questionnaires falling due that day;
    ``on_treatment``: the patient takes a bedtime dose (LDN or a blinded kit);
    ``dose_tonight_mg``: tonight's dose, when known (for the dose reminder's words);
    ``dose_in_morning``: the prescription says the dose is taken in the morning (the words say
    "today", not "tonight"; blinded trial kits are taken at bedtime);
    ``last_checkin``: the last day the patient checked in, if ever.
    """

    day: date
    titration_dose_mg: Decimal | None = None
    kit_code: str | None = None
    questionnaires: tuple[str, ...] = ()
    on_treatment: bool = False
    dose_tonight_mg: Decimal | None = None
    dose_in_morning: bool = False
    last_checkin: date | None = None

    @property
    def days_since_checkin(self) -> int | None:
        """Whole days from the last check-in to this day (``None``: never checked in)."""
        return None if self.last_checkin is None else (self.day - self.last_checkin).days


@dataclass(frozen=True, slots=True)
class Reminder:
    """One reminder to send: ``at`` is the instant in UTC, ``local`` the same instant in the
    patient's zone; ``planned`` is the wall time it was set for (``local`` differs after a DST
    gap or quiet hours; ``moved`` says why)."""

    kind: ReminderKind
    day: date
    planned: time
    local: datetime
    at: datetime
    title: str
    body: str
    moved: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "day": self.day.isoformat(),
            "planned": self.planned.isoformat(timespec="minutes"),
            "local": self.local.isoformat(),
            "at": self.at.isoformat(),
            "title": self.title,
            "body": self.body,
            "moved": self.moved,
        }


@dataclass(frozen=True, slots=True)
class Skipped:
    """A reminder that would have been due but is not sent that day, and why (in words)."""

    kind: ReminderKind
    planned: time
    reason: str


@dataclass(frozen=True, slots=True)
class DayPlan:
    """The reminders of one patient's local day, earliest first, and those not sent."""

    day: date
    time_zone: str
    due: tuple[Reminder, ...]
    skipped: tuple[Skipped, ...] = field(default=())

    def summary(self) -> str:
        lines = [f"{self.day} ({self.time_zone}): {len(self.due)} reminder(s)"]
        lines += [f"  {r.local:%H:%M} {r.kind.value}: {r.title}" for r in self.due]
        lines += [
            f"  not sent: {s.kind.value} at {s.planned:%H:%M}: {s.reason}" for s in self.skipped
        ]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "time_zone": self.time_zone,
            "due": [r.to_dict() for r in self.due],
            "skipped": [
                {
                    "kind": s.kind.value,
                    "planned": s.planned.isoformat(timespec="minutes"),
                    "reason": s.reason,
                }
                for s in self.skipped
            ],
        }


def _mg(value: Decimal) -> str:
    return f"{decimal_str(value)} mg"


def _wanted(facts: DayFacts) -> list[tuple[ReminderKind, str, str]]:
    """(kind, title, body) of each reminder the day's facts call for, before preferences."""
    wanted: list[tuple[ReminderKind, str, str]] = []
    since = facts.days_since_checkin
    if since is not None and since >= NUDGE_AFTER_DAYS:
        wanted.append(
            (
                ReminderKind.NUDGE,
                "We have not heard from you for a few days",
                f"Your last check-in was {since} days ago. A short check-in today helps your "
                "clinic see how you are doing; it takes about a minute.",
            )
        )
    if since != 0:
        wanted.append(
            (
                ReminderKind.CHECKIN,
                "Time for today's check-in",
                "How was your day? Your check-in takes about a minute.",
            )
        )
    if facts.questionnaires:
        names = ", ".join(facts.questionnaires)
        wanted.append(
            (
                ReminderKind.QUESTIONNAIRE,
                "A questionnaire is due today",
                f"Your clinic asked you to fill in: {names}. Open lowdose to answer.",
            )
        )
    when, moment = (
        ("today", "in the morning") if facts.dose_in_morning else ("tonight", "at bedtime")
    )
    if facts.titration_dose_mg is not None:
        dose = _mg(facts.titration_dose_mg)
        wanted.append(
            (
                ReminderKind.TITRATION_STEP,
                f"From {when}: {dose}",
                f"Your plan moves to {dose} {when}. Take it {moment} as usual; check the amount "
                "on your label.",
            )
        )
    if facts.kit_code:
        wanted.append(
            (
                ReminderKind.NOF1_SWITCH,
                f"Start kit {facts.kit_code} tonight",
                f"Your trial moves to kit {facts.kit_code} tonight: one capsule at bedtime, as "
                "before. Keep the other kits closed.",
            )
        )
    if facts.on_treatment:
        title = "Morning dose" if facts.dose_in_morning else "Bedtime dose"
        body = (
            f"Time for {when}'s dose: {_mg(facts.dose_tonight_mg)}."
            if facts.dose_tonight_mg is not None
            else f"Time for {when}'s dose."
        )
        wanted.append((ReminderKind.DOSE, title, body))
    return wanted


_AT_CHECKIN = {ReminderKind.CHECKIN, ReminderKind.NUDGE, ReminderKind.QUESTIONNAIRE}
#: The one reminder sent in place of another at the same time (the first says it all).
_REPLACES = {
    ReminderKind.NUDGE: {ReminderKind.CHECKIN},
    ReminderKind.TITRATION_STEP: {ReminderKind.DOSE},
    ReminderKind.NOF1_SWITCH: {ReminderKind.DOSE},
}


def _place(
    preferences: ReminderPreferences, day: date, planned: time
) -> tuple[datetime | None, str]:
    """The instant (in the patient's zone) of a reminder planned at ``planned`` on ``day``, and
    why it moved; ``None`` and the reason when it is not sent that day."""
    zone = time_zone(preferences.time_zone)
    local = local_instant(day, planned, zone)
    moved = (
        ""
        if local.time() == planned.replace(second=0, microsecond=0)
        else (
            f"{planned:%H:%M} does not exist on this day (the clocks go forward); sent at "
            f"{local:%H:%M}."
        )
    )
    quiet = preferences.quiet
    if quiet is not None and quiet.contains(local.time()):
        end = quiet.end_on_same_day(local.time())
        if end is None:
            return None, (
                f"{local:%H:%M} is in your quiet hours, which end the next day: not sent today."
            )
        local = local_instant(day, end, zone)
        moved = f"{planned:%H:%M} is in your quiet hours; sent when they end, at {local:%H:%M}."
    if local.date() != day:
        return None, f"{planned:%H:%M} does not happen on this day: not sent."
    return local, moved


def plan_day(preferences: ReminderPreferences, facts: DayFacts) -> DayPlan:
    """The reminders due on ``facts.day`` for a patient with ``preferences``, earliest first."""
    due: list[Reminder] = []
    skipped: list[Skipped] = []
    sent: set[ReminderKind] = set()
    for kind, title, body in _wanted(facts):
        planned = preferences.checkin_time if kind in _AT_CHECKIN else preferences.dose_time
        if not preferences.wants(kind):
            skipped.append(Skipped(kind, planned, "You turned this reminder off."))
            continue
        if any(kind in _REPLACES.get(other, ()) for other in sent):
            continue  # said already by the reminder sent in its place
        local, why = _place(preferences, facts.day, planned)
        if local is None:
            skipped.append(Skipped(kind, planned, why))
            continue
        sent.add(kind)
        due.append(
            Reminder(kind, facts.day, planned, local, local.astimezone(UTC), title, body, why)
        )
    due.sort(key=lambda r: (r.at, list(ReminderKind).index(r.kind)))
    return DayPlan(facts.day, preferences.time_zone, tuple(due), tuple(skipped))


def plan_days(preferences: ReminderPreferences, days: Iterable[DayFacts]) -> Sequence[DayPlan]:
    """:func:`plan_day` for several days, in the order given."""
    return [plan_day(preferences, facts) for facts in days]
