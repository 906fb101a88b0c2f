"""The daily check-in record and the one validator every entry point uses.

A check-in holds a score on each daily scale (:data:`lowdose.daily.DAILY_SCALES`: pain, fatigue,
sleep quality and mood, 0–10), the day's naltrexone dose (taken, missed, or none
due yet), side effects with a severity, and a note. It is designed to be completed on a phone in
under 30 seconds, so every field has a sensible default except the scores and the dose answer.

Every answer is explicit: nothing that is missing is read as "taken". A dose and a time sent with
"missed" or "no dose due" are ignored, not stored and not refused (a form keeps what was typed
before the answer changed, and a phone's time picker is hard to clear). :func:`parse_checkin`
reports every problem of an entry at once (:class:`CheckinFieldsError`), so a person fixes them
in one go.

The scales, their wording and which direction is better are defined once, in
:mod:`lowdose.daily.scales` (docs/decisions/0002).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from lowdose.daily import DAILY_SCALES, DailyScale, DailyScales, ScoresByName
from lowdose.diary.timing import (
    FUTURE_TOLERANCE,
    HISTORY_BEFORE_JOINING,
    day_choices,
)
from lowdose.errors import CheckinError, CheckinFieldsError, MissingAnswerError

__all__ = [
    "DOSE_MAX_MG",
    "DOSE_STATUSES",
    "NOTE_MAX_CHARS",
    "SEVERITIES",
    "SIDE_EFFECTS",
    "Checkin",
    "CheckinError",
    "CheckinFieldsError",
    "DoseStatus",
    "MissingAnswerError",
    "SideEffect",
    "parse_checkin",
]


#: Side effects asked about every day. Vivid dreams and insomnia are the effects reported with LDN
#: (Younger & Mackey, Pain Med 2009;10:663–672); headache and nausea are the most frequent adverse
#: events on the naltrexone label (ReVia prescribing information, §6).
SIDE_EFFECTS: tuple[str, ...] = ("vivid_dreams", "insomnia", "headache", "nausea", "other")
SIDE_EFFECT_LABELS: dict[str, str] = {
    "vivid_dreams": "Vivid dreams",
    "insomnia": "Insomnia",
    "headache": "Headache",
    "nausea": "Nausea",
    "other": "Other",
}
#: Mild / moderate / severe, the grades 1–3 wording of CTCAE v5.0 (NCI 2017) in plain language.
SEVERITIES: tuple[str, ...] = ("mild", "moderate", "severe")

#: The largest single dose a check-in accepts: the 50 mg commercial tablet (ReVia label). LDN doses
#: are 0.5–6 mg; anything above 50 mg is a typing error, not a regimen.
DOSE_MAX_MG = Decimal("50")
#: Smallest dose step a person can record: 0.05 mg (two decimals), finer than any published LDN
#: titration step (0.25–0.5 mg; LDN Research Trust prescribing guide).
DOSE_QUANTUM = Decimal("0.01")
NOTE_MAX_CHARS = 2000
DETAIL_MAX_CHARS = 200

DoseStatus = Literal["taken", "missed", "none"]
DOSE_STATUSES: tuple[DoseStatus, ...] = ("taken", "missed", "none")


@dataclass(frozen=True, slots=True)
class SideEffect:
    name: str
    severity: str
    detail: str = ""


@dataclass(frozen=True, slots=True, init=False)
class Checkin(ScoresByName[int]):
    """One validated check-in. ``scores`` holds a whole number for each daily scale (each also
    reads as an attribute: ``checkin.pain``); ``dose_mg`` is exact milligrams.

    ``dose_status`` is ``"taken"`` (``dose_mg`` set), ``"missed"`` (a scheduled dose not taken), or
    ``"none"`` (no dose due: before starting LDN, or a planned pause). During a blinded N-of-1 trial
    the dose taken comes from a pharmacy kit whose content nobody may know yet: ``kit`` holds its
    code and ``dose_mg`` stays empty.
    """

    client_id: uuid.UUID
    day: date
    recorded_at: datetime
    dose_status: DoseStatus
    scores: Mapping[str, int] = field(hash=False)
    dose_mg: Decimal | None = None
    dose_time: time | None = None
    side_effects: tuple[SideEffect, ...] = ()
    note: str = ""
    kit: str = ""

    def __init__(
        self,
        client_id: uuid.UUID,
        day: date,
        recorded_at: datetime,
        *,
        dose_status: DoseStatus,
        scores: Mapping[str, int] | None = None,
        dose_mg: Decimal | None = None,
        dose_time: time | None = None,
        side_effects: tuple[SideEffect, ...] = (),
        note: str = "",
        kit: str = "",
        **named_scores: int,
    ) -> None:
        """Scores come as ``scores={"pain": 4, ...}`` or one keyword per scale (``pain=4``)."""
        values: dict[str, object] = {"client_id": client_id, "day": day}
        values |= {"recorded_at": recorded_at, "dose_status": dose_status, "dose_mg": dose_mg}
        values |= {"dose_time": dose_time, "side_effects": side_effects, "note": note, "kit": kit}
        values["scores"] = {**(scores or {}), **named_scores}
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @property
    def dose_missed(self) -> bool:
        return self.dose_status == "missed"


_UUID_RE = re.compile(r"^[0-9a-fA-F-]{32,36}$")
_TIME_RE = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(?::00)?")
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


_T = TypeVar("_T")


class _Problems:
    """Collects the errors of one entry so that all of them are reported together."""

    def __init__(self) -> None:
        self.errors: list[CheckinError] = []

    def check(self, parse: Callable[[], _T], fallback: _T) -> _T:
        """``parse()``, or ``fallback`` after noting its error (never returned to a caller:
        :meth:`raise_any` raises first)."""
        try:
            return parse()
        except CheckinError as exc:
            self.errors.extend(exc.errors)
            return fallback

    def raise_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise CheckinFieldsError(self.errors)


def parse_checkin(
    raw: Mapping[str, object],
    *,
    now: datetime,
    tz: ZoneInfo,
    joined: datetime | None = None,
    explicit: bool = False,
    scales: DailyScales = DAILY_SCALES,
) -> Checkin:
    """Validate a check-in from a form, a JSON body or a CSV row.

    Parameters
    ----------
    raw
        Field values as received (strings from forms and CSV, typed values from JSON).
    now
        The current time, timezone-aware (the server's clock).
    tz
        The patient's time zone: it decides which calendar day an entry belongs to.
    joined
        When the patient joined the clinic, timezone-aware. ``recorded_at`` may be at most
        :data:`HISTORY_BEFORE_JOINING` earlier; ``None`` checks only that the date-time exists in
        every time zone. ``recorded_at`` may never be later than ``now`` plus
        :data:`FUTURE_TOLERANCE`.
    explicit
        ``True`` for a person filling in the form: the dose answer must be ``dose_status`` itself
        (a dose the form pre-filled is not an answer) and a dose taken needs its ``dose_time``.
        Programs (the API, CSV import) may answer with ``dose_missed`` or with a dose instead,
        and may leave the time out. Either way an entry with no dose answer at all is refused.
    scales
        The daily scales to ask for (one score each).

    With ``dose_status`` ``"missed"`` or ``"none"``, ``dose_mg`` and ``dose_time`` are ignored.

    Raises
    ------
    CheckinError
        Naming the field and saying what to enter instead; :class:`MissingAnswerError` for a
        required answer not given, :class:`CheckinFieldsError` (with ``errors``) when several fields
        are wrong. Nothing is returned partly validated.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    problems = _Problems()
    client_id = problems.check(lambda: _parse_client_id(raw.get("client_id")), uuid.UUID(int=0))
    recorded_at = problems.check(
        lambda: _parse_recorded_at(raw.get("recorded_at"), now=now, joined=joined), None
    )
    day = now.date()
    if recorded_at is not None:
        local = problems.check(lambda: _local(recorded_at, tz), None)
        if local is not None:
            day = problems.check(lambda: _parse_day(raw.get("day"), local), day)
    scores = {
        scale.name: problems.check(partial(_parse_score, scale, raw.get(scale.name)), 0)
        for scale in scales
    }
    kit = problems.check(lambda: _parse_kit(raw.get("kit")), None)
    dose: tuple[DoseStatus, Decimal | None, time | None] = ("none", None, None)
    if kit is not None:  # an unreadable kit code leaves the dose answer undecidable
        dose = problems.check(lambda: _parse_dose(raw, kit=kit, explicit=explicit), dose)
    no_effects: tuple[SideEffect, ...] = ()
    side_effects = problems.check(partial(_parse_side_effects, raw.get("side_effects")), no_effects)
    note = problems.check(lambda: _parse_text(raw.get("note"), "note", NOTE_MAX_CHARS), "")
    problems.raise_any()
    status, dose_mg, dose_time = dose
    return Checkin(
        client_id=client_id,
        day=day,
        recorded_at=recorded_at or now,
        scores=scores,
        dose_status=status,
        dose_mg=dose_mg,
        dose_time=dose_time,
        side_effects=side_effects,
        note=note,
        kit=kit or "",
    )


def _local(recorded_at: datetime, tz: ZoneInfo) -> datetime:
    try:
        return recorded_at.astimezone(tz)
    except OverflowError:  # e.g. 0001-01-01T00:00:00Z seen from west of Greenwich
        raise CheckinError(
            f"recorded_at: {recorded_at.isoformat()} is not a date this diary can hold; "
            "send the time the entry was made.",
            field="recorded_at",
        ) from None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _parse_client_id(value: object) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    if not isinstance(value, str) or not _UUID_RE.match(value.strip()):
        raise CheckinError(
            "client_id: send a UUID generated on the device for this entry "
            "(e.g. 2f1c6a53-9c7e-4d1e-8a55-0b6f4e1d2c3a); reuse it when re-sending the same entry.",
            field="client_id",
        )
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise CheckinError(
            f"client_id: {value!r} is not a valid UUID; generate one with crypto.randomUUID().",
            field="client_id",
        ) from None


def _parse_recorded_at(value: object, *, now: datetime, joined: datetime | None) -> datetime:
    if _blank(value):
        return now
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise CheckinError(
                f"recorded_at: {value!r} is not an ISO 8601 date-time; "
                "use e.g. 2026-03-01T21:30:00+01:00.",
                field="recorded_at",
            ) from None
    else:
        raise CheckinError(
            "recorded_at: send an ISO 8601 date-time string such as 2026-03-01T21:30:00+01:00.",
            field="recorded_at",
        )
    if moment.tzinfo is None:
        raise CheckinError(
            "recorded_at: include the time-zone offset (e.g. +01:00 or Z) so the entry lands on "
            "the right day.",
            field="recorded_at",
        )
    if moment > now + FUTURE_TOLERANCE:
        raise CheckinError(
            "recorded_at is in the future; check the device's clock and send the time the "
            "entry was made.",
            field="recorded_at",
        )
    if joined is not None and moment < joined - HISTORY_BEFORE_JOINING:
        earliest = (joined - HISTORY_BEFORE_JOINING).date().isoformat()
        raise CheckinError(
            f"recorded_at is before {earliest}, a year before joining the clinic; check the "
            "device's clock and send the time the entry was made.",
            field="recorded_at",
        )
    return moment


def _parse_day(value: object, local: datetime) -> date:
    allowed = day_choices(local)
    if _blank(value):
        return allowed[0] if len(allowed) == 1 else allowed[-1]
    if isinstance(value, date) and not isinstance(value, datetime):
        day = value
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise CheckinError(
                f"day: {value!r} is not a date; use YYYY-MM-DD.", field="day"
            ) from None
    else:
        raise CheckinError("day: use a YYYY-MM-DD date.", field="day")
    if day not in allowed:
        options = " or ".join(d.isoformat() for d in allowed)
        raise CheckinError(
            f"day: an entry made at {local:%Y-%m-%d %H:%M} can belong to {options}, "
            f"not {day.isoformat()}.",
            field="day",
        )
    return day


def _parse_score(scale: DailyScale, value: object) -> int:
    hint = (
        f"{scale.name}: enter a whole number from {scale.low} ({scale.low_anchor}) "
        f"to {scale.high} ({scale.high_anchor})"
    )
    if _blank(value):
        raise MissingAnswerError(f"{hint}; it is missing.", field=scale.name)
    if isinstance(value, bool):
        raise CheckinError(f"{hint}; got {value!r}.", field=scale.name)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        number = int(value)
    else:
        raise CheckinError(f"{hint}; got {value!r}.", field=scale.name)
    if not scale.low <= number <= scale.high:
        raise CheckinError(f"{hint}; got {number}.", field=scale.name)
    return number


def _parse_bool(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise CheckinError(f"{name}: answer true or false; got {value!r}.", field=name)


def _parse_kit(value: object) -> str:
    if _blank(value):
        return ""
    # Imported here: the diary does not otherwise depend on the N-of-1 engine.
    from lowdose.outcomes.allocation import kit_code_is_valid

    if not isinstance(value, str) or not kit_code_is_valid(value):
        raise CheckinError(
            f"kit: {value!r} is not a valid kit code; copy it from the kit's label "
            "(e.g. KIT-7F3Q9X-K).",
            field="kit",
        )
    return value.strip().upper()


def _parse_dose(
    raw: Mapping[str, object], *, kit: str = "", explicit: bool = False
) -> tuple[DoseStatus, Decimal | None, time | None]:
    status = _parse_dose_answer(raw, kit=kit, explicit=explicit)
    if status != "taken":
        # Ignored, not refused: see the module docstring.
        return status, None, None
    dose_raw, time_raw = raw.get("dose_mg"), raw.get("dose_time")
    problems = _Problems()
    dose_mg: Decimal | None = None
    if kit:
        if not _blank(dose_raw):
            problems.errors.append(
                CheckinError(
                    "dose_mg: during a blinded trial the dose is in the kit; leave the dose empty.",
                    field="dose_mg",
                )
            )
    else:
        dose_mg = problems.check(lambda: _parse_dose_mg(dose_raw), None)
    if explicit and _blank(time_raw):
        problems.errors.append(
            MissingAnswerError(
                "dose_time: enter the time you took it as HH:MM (24-hour), e.g. 22:00; "
                "it is missing.",
                field="dose_time",
            )
        )
        dose_time = None
    else:
        dose_time = problems.check(lambda: _parse_dose_time(time_raw), None)
    problems.raise_any()
    return status, dose_mg, dose_time


def _parse_dose_answer(raw: Mapping[str, object], *, kit: str, explicit: bool) -> DoseStatus:
    """The dose answer: ``dose_status``; from a program also ``dose_missed: true`` (missed) or a
    dose or kit without a status (taken). No answer at all is refused, never read as one."""
    status_raw = raw.get("dose_status")
    missed = False if explicit else _parse_bool(raw.get("dose_missed"), "dose_missed")
    if not _blank(status_raw):
        if status_raw not in DOSE_STATUSES:
            raise CheckinError(
                "dose_status: answer taken, missed, or none (no dose due yet).",
                field="dose_status",
            )
        if missed and status_raw != "missed":
            raise CheckinError(
                "dose_status and dose_missed disagree; send one answer.", field="dose_missed"
            )
        return status_raw  # type: ignore[return-value]
    if not explicit:
        if missed:
            return "missed"
        if not _blank(raw.get("dose_mg")) or kit:
            return "taken"
    raise MissingAnswerError(
        "dose_status: answer taken, missed, or none (no dose due yet); it is missing.",
        field="dose_status",
    )


def _parse_dose_mg(value: object) -> Decimal:
    hint = "dose_mg: enter the dose in milligrams, e.g. 4.5"
    if _blank(value):
        raise MissingAnswerError(
            f"{hint}; it is missing (or answer that you missed it).", field="dose_mg"
        )
    if isinstance(value, bool | float):
        # Floats cannot hold 0.1 exactly; doses travel as decimal strings.
        raise CheckinError(f'{hint}, sent as a string ("4.5"), not a number.', field="dose_mg")
    try:
        dose = Decimal(str(value).strip())
    except InvalidOperation:
        raise CheckinError(f"{hint}; got {value!r}.", field="dose_mg") from None
    if not dose.is_finite() or dose <= 0 or dose > DOSE_MAX_MG:
        raise CheckinError(
            f"{hint}; it must be more than 0 and at most {DOSE_MAX_MG} mg, got {value}.",
            field="dose_mg",
        )
    if dose != dose.quantize(DOSE_QUANTUM):
        raise CheckinError(f"{hint}; use at most two decimals, got {value}.", field="dose_mg")
    return dose.quantize(DOSE_QUANTUM)


def _parse_dose_time(value: object) -> time | None:
    if _blank(value):
        return None
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    if isinstance(value, str):
        match = _TIME_RE.fullmatch(value.strip())
        if match:
            return time(int(match.group(1)), int(match.group(2)))
    raise CheckinError(
        f"dose_time: enter the time you took it as HH:MM (24-hour), e.g. 22:00; got {value!r}.",
        field="dose_time",
    )


def _parse_side_effects(value: object) -> tuple[SideEffect, ...]:
    if _blank(value):
        return ()
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        raise CheckinError(
            "side_effects: send a list of {name, severity} objects (or an empty list).",
            field="side_effects",
        )
    effects: list[SideEffect] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        where = f"side_effects[{index}]"
        if not isinstance(item, Mapping):
            raise CheckinError(f"{where}: send an object with name and severity.", field=where)
        name, severity = item.get("name"), item.get("severity")
        if name not in SIDE_EFFECTS:
            raise CheckinError(
                f"{where}.name: choose one of {', '.join(SIDE_EFFECTS)}; got {name!r}.",
                field=where,
            )
        if severity not in SEVERITIES:
            raise CheckinError(
                f"{where}.severity: choose mild, moderate or severe for {name}; got {severity!r}.",
                field=where,
            )
        if name in seen:
            raise CheckinError(
                f"{where}: {name} is listed twice; keep one entry with its severity.",
                field=where,
            )
        seen.add(str(name))
        detail = _parse_text(item.get("detail"), f"{where}.detail", DETAIL_MAX_CHARS)
        effects.append(SideEffect(str(name), str(severity), detail))
    return tuple(sorted(effects, key=lambda effect: SIDE_EFFECTS.index(effect.name)))


def _parse_text(value: object, name: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise CheckinError(f"{name}: send text.", field=name)
    # One kind of line break: browsers send CRLF from a textarea, and a lone CR in a CSV cell
    # breaks the file for spreadsheets and for the importer.
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > limit:
        raise CheckinError(
            f"{name}: keep it under {limit} characters (it has {len(text)}).", field=name
        )
    if "\x00" in text:
        raise CheckinError(f"{name}: remove the NUL character.", field=name)
    return text
