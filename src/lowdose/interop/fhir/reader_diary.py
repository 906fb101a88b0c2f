"""Check-ins read back from FHIR: daily-score and dose Observations, and AdverseEvents.

lowdose's own Observations carry the check-in's ``client_id`` in their identifier
(``<client_id>/<scale>``, the dose Observation ``<client_id>``), so they are grouped by it and the
check-in keeps its id: importing twice changes nothing. Another system's Observations are
grouped by the day of ``effectiveDateTime`` (a score by its code: pain is LOINC 72514-3, the
other items lowdose's local codes) and get a deterministic id from the patient and the day.

A check-in needs every daily score and the dose answer (:func:`lowdose.diary.parse_checkin`):
a day that lacks one is reported as not importable, never completed with invented values.
Values are read from the JSON as sent (after ``fhir.resources`` validated it), so a day stays a
day and a time a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from lowdose.daily import DAILY_SCALES, DailyScale
from lowdose.diary import SEVERITIES, SIDE_EFFECTS, Checkin, parse_checkin
from lowdose.errors import CheckinError
from lowdose.interop.fhir.assessments import LOCAL_SCORE_SYSTEM, LOINC
from lowdose.interop.fhir.records import IdentifierSystems
from lowdose.interop.fhir.resources import CHECKIN_SYSTEM, NOF1_SYSTEM, SIDE_EFFECT_SYSTEM

__all__ = ["DiaryReader", "ImportedCheckin"]

Found = list[tuple[str, str]]  # (path, message)


@dataclass(frozen=True, slots=True)
class ImportedCheckin:
    """A validated check-in and the paths of the resources it was read from."""

    checkin: Checkin
    paths: tuple[str, ...]
    foreign: bool


@dataclass
class _Group:
    """The resources of one check-in as they are read."""

    client_id: UUID
    foreign: bool
    day: date | None = None
    recorded_at: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)  # check-in field -> resource path
    effects: list[dict[str, str]] = field(default_factory=list)


def _codes(concept: object) -> list[tuple[str, str]]:
    if not isinstance(concept, dict):
        return []
    return [
        (str(c.get("system")), str(c.get("code")))
        for c in concept.get("coding") or []
        if isinstance(c, dict)
    ]


def _identifier(resource: dict[str, Any], system: str) -> str | None:
    found = resource.get("identifier")
    for item in found if isinstance(found, list) else [found]:
        if isinstance(item, dict) and item.get("system") == system:
            return str(item.get("value"))
    return None


def _scale_of(codes: list[tuple[str, str]]) -> DailyScale | None:
    for scale in DAILY_SCALES:
        if scale.code in codes:
            return scale
    return None


def _day(text: object) -> date | None:
    if not isinstance(text, str) or len(text) < 10:
        return None
    return date.fromisoformat(text[:10])


class DiaryReader:
    """Collects check-in resources; :meth:`checkins` validates them once all are read."""

    def __init__(
        self,
        systems: IdentifierSystems,
        *,
        now: datetime,
        tz: ZoneInfo,
        joined: datetime | None,
        foreign_id: Callable[[date], UUID],
    ) -> None:
        self.systems, self.now, self.tz, self.joined = systems, now, tz, joined
        self.foreign_id = foreign_id
        self.groups: dict[str, _Group] = {}
        self.pending: list[tuple[str, dict[str, Any]]] = []  # AdverseEvents, attached last

    # -- Observations ------------------------------------------------------------------------

    def observation(self, where: str, resource: dict[str, Any]) -> str | None:
        """Take a check-in Observation (``None``), or say ``"history"`` (an N-of-1 result),
        ``"kept"`` (a questionnaire score, re-computed in lowdose) or why it is not importable
        (a message)."""
        codes = _codes(resource.get("code"))
        item = _identifier(resource, self.systems.system("checkin-item"))
        dose = _identifier(resource, self.systems.system("checkin"))
        scale = _scale_of(codes)
        if item is not None or scale is not None:
            return self._score(where, resource, item, scale)
        if dose is not None or (CHECKIN_SYSTEM, "dose") in codes:
            return self._dose(where, resource, dose)
        if any(system == NOF1_SYSTEM for system, _ in codes):
            return "history"  # an N-of-1 result: kept as history (lowdose.interop.fhir.history)
        if any(system in (LOCAL_SCORE_SYSTEM, LOINC) for system, _ in codes):
            return "kept"  # questionnaire scores (re-scored from their response, not imported)
        return (
            "lowdose imports the daily scores (pain LOINC 72514-3; fatigue, sleep, mood in "
            "urn:lowdose:daily-item) and the dose Observation; this Observation's code is none "
            "of them. Remove it and send the rest again."
        )

    def _group(self, where: str, resource: dict[str, Any], client_id: str | None) -> _Group | str:
        day = _day(resource.get("effectiveDateTime"))
        if day is None:
            return "Give the day it is about as effectiveDateTime (YYYY-MM-DD or a date-time)."
        if client_id is None:
            key = f"day:{day.isoformat()}"
            group = self.groups.setdefault(key, _Group(self.foreign_id(day), foreign=True))
        else:
            try:
                uid = UUID(client_id.split("/", 1)[0])
            except ValueError:
                return f"The identifier {client_id!r} does not start with a check-in's UUID."
            group = self.groups.setdefault(str(uid), _Group(uid, foreign=False))
        if group.day is not None and group.day != day:
            return f"This check-in's Observations disagree on the day ({group.day} and {day})."
        group.day = day
        # lowdose's own: when it was recorded (``issued``). Another app's: when it is about (an
        # upload days later would put the entry on the upload's day).
        effective = resource.get("effectiveDateTime")
        moment = effective if group.foreign else resource.get("issued") or effective
        if isinstance(moment, str) and "T" in moment and group.recorded_at is None:
            group.recorded_at = moment
        group.paths.setdefault("day", where + ".effectiveDateTime")
        group.paths.setdefault("recorded_at", where + ".issued")
        return group

    def _score(
        self, where: str, resource: dict[str, Any], item: str | None, scale: DailyScale | None
    ) -> str | None:
        if item is not None:
            name = item.rpartition("/")[2]
            if scale is None or scale.name != name:
                return f"The identifier names the daily item {name!r} but the code does not."
        assert scale is not None  # one of the two is set (observation())
        group = self._group(where, resource, item)
        if isinstance(group, str):
            return group
        if "valueInteger" in resource:
            value: object = resource["valueInteger"]
            path = where + ".valueInteger"
        elif isinstance(resource.get("valueQuantity"), dict):
            number = Decimal(str(resource["valueQuantity"].get("value")))
            value = int(number) if number == number.to_integral_value() else str(number)
            path = where + ".valueQuantity"
        else:
            return f"Give the {scale.noun} score as valueInteger or valueQuantity (0–10)."
        if scale.name in group.raw:
            return f"{scale.label} is given twice for {group.day}; keep one Observation."
        group.raw[scale.name] = value
        group.paths[scale.name] = path
        return None

    def _dose(self, where: str, resource: dict[str, Any], client_id: str | None) -> str | None:
        group = self._group(where, resource, client_id)
        if isinstance(group, str):
            return group
        status = next(
            (
                code.removeprefix("dose-")
                for system, code in _codes(resource.get("valueCodeableConcept"))
                if system == CHECKIN_SYSTEM
            ),
            None,
        )
        group.raw["dose_status"] = status
        group.paths |= {
            "dose_status": where + ".valueCodeableConcept",
            "dose_mg": where + ".component",
            "dose_time": where + ".component",
            "kit": where + ".component",
            "note": where + ".note",
        }
        for part in resource.get("component") or []:
            code = next((c for s, c in _codes(part.get("code")) if s == CHECKIN_SYSTEM), "")
            if code == "dose-mg":
                group.raw["dose_mg"] = str((part.get("valueQuantity") or {}).get("value"))
            elif code == "dose-time":
                group.raw["dose_time"] = str(part.get("valueTime", ""))[:5]
            elif code == "kit":
                group.raw["kit"] = part.get("valueString")
        notes = [n.get("text", "") for n in resource.get("note") or [] if isinstance(n, dict)]
        if notes:
            group.raw["note"] = "\n".join(notes)
        return None

    # -- AdverseEvents -----------------------------------------------------------------------

    def adverse_event(self, where: str, resource: dict[str, Any]) -> Found:
        self.pending.append((where, resource))
        return []

    def _attach(self, where: str, resource: dict[str, Any]) -> str | None:
        ours = _identifier(resource, self.systems.system("side-effect"))
        day = _day(resource.get("date"))
        if ours is not None:
            group = self.groups.get(ours.split("/", 1)[0])
        else:
            same_day = [g for g in self.groups.values() if g.day is not None and g.day == day]
            group = same_day[0] if len(same_day) == 1 else None
        if group is None:
            return (
                "A side effect is stored with its day's check-in, and this Bundle has no check-in "
                f"for {day or 'its date'}; send the day's scores and dose with it."
            )
        codes = _codes(resource.get("event"))
        name = next((c for s, c in codes if s == SIDE_EFFECT_SYSTEM and c in SIDE_EFFECTS), None)
        event = resource.get("event") or {}
        label = (name or "other").replace("_", " ").capitalize()
        text = str(event.get("text") or "")
        severity = next((c for _, c in _codes(resource.get("severity")) if c in SEVERITIES), None)
        if severity is None:
            return "Give the severity as mild, moderate or severe (adverse-event-severity)."
        index = len(group.effects)
        group.effects.append(
            {
                "name": name or "other",
                "severity": severity,
                "detail": "" if text == label else text,
            }
        )
        group.paths[f"side_effects[{index}]"] = where + ".event"
        return None

    # -- validation --------------------------------------------------------------------------

    def checkins(self) -> tuple[list[ImportedCheckin], Found]:
        """Every check-in, validated; and every problem by path (nothing is partly read)."""
        found: Found = []
        for where, resource in self.pending:
            why = self._attach(where, resource)
            if why:
                found.append((where, why))
        out = []
        for group in self.groups.values():
            paths = tuple(dict.fromkeys(group.paths.values()))
            missing = [s.label for s in DAILY_SCALES if s.name not in group.raw]
            if "dose_status" not in group.raw:
                missing.append("the dose answer")
            if missing:
                found += [
                    (
                        path,
                        f"Not importable: a check-in for {group.day} needs every daily score and "
                        f"the dose answer, and {', '.join(missing)} "
                        f"{'is' if len(missing) == 1 else 'are'} missing. lowdose does not "
                        "invent answers: send them together, or enter the day's check-in.",
                    )
                    for path in paths
                    if path.endswith(("valueInteger", "valueQuantity", "valueCodeableConcept"))
                ]
                continue
            raw = {**group.raw, "client_id": str(group.client_id), "day": str(group.day)}
            raw["side_effects"] = group.effects
            raw["recorded_at"] = group.recorded_at or self._noon(group.day)
            try:
                checkin = parse_checkin(raw, now=self.now, tz=self.tz, joined=self.joined)
            except CheckinError as bad:
                for error in bad.errors:
                    where = group.paths.get(str(error.field), paths[0])
                    found.append((where, str(error)))
                continue
            out.append(ImportedCheckin(checkin, paths, group.foreign))
        return out, found

    def _noon(self, day: date | None) -> str:
        """When another system sends only a day: midday of that day in the patient's zone."""
        assert day is not None  # every group has its day (_group)
        return datetime.combine(day, time(12), tzinfo=self.tz).isoformat()
