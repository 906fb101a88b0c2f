"""The registry watch list: registered LDN trials that have not reported results yet.

``data/registered.json`` holds, per trial, its registry id, the conditions it studies, its
planned enrolment and status — each fact with the page it was read at and whether it could be
verified there — and the date the records were checked. :func:`awaiting` counts the trials and
the participants still to come for one condition, so every summary can say how much evidence is
outstanding ("awaiting results: 2 trials, 146 participants planned").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from lowdose.errors import EvidenceDataError, EvidenceInputError
from lowdose.evidence.loader import raw
from lowdose.evidence.provenance import primary_url
from lowdose.serial import Plain

__all__ = [
    "Awaiting",
    "Condition",
    "RegisteredFact",
    "RegisteredTrial",
    "awaiting",
    "checked_on",
    "conditions",
    "registered_trials",
]


@dataclass(frozen=True)
class Condition(Plain):
    """A condition LDN is prescribed for; ``with_results`` when completed trials have reported."""

    key: str
    label: str
    with_results: bool


@dataclass(frozen=True)
class RegisteredFact(Plain):
    """One fact of a registry record, the page it was read at and whether it was verified."""

    value: str | int
    source: str
    verified: bool
    note: str = ""


@dataclass(frozen=True)
class RegisteredTrial(Plain):
    """A registered LDN trial without results."""

    registry: str
    conditions: tuple[str, ...]
    title: str
    design: str
    planned_n: RegisteredFact
    status: RegisteredFact
    sponsor: str
    read_at: tuple[str, ...]

    @property
    def registry_url(self) -> str:
        """The trial's record at its registry (primary source)."""
        return primary_url(self.registry)

    @property
    def planned(self) -> int:
        """Planned enrolment (participants)."""
        return int(self.planned_n.value)

    _also = ("registry_url",)


@dataclass(frozen=True)
class Awaiting(Plain):
    """The registered trials of one condition still without results, and their planned size."""

    condition: str
    label: str
    checked: date
    trials: tuple[RegisteredTrial, ...]

    @property
    def n_trials(self) -> int:
        return len(self.trials)

    @property
    def participants_planned(self) -> int:
        return sum(t.planned for t in self.trials)

    @property
    def unverified_sizes(self) -> int:
        """How many of the planned sizes could not be verified at a registry record."""
        return sum(not t.planned_n.verified for t in self.trials)

    @property
    def words(self) -> str:
        """'awaiting results: 2 trials, 146 participants planned'."""
        if not self.trials:
            return "awaiting results: no registered trial found"
        s = "" if self.n_trials == 1 else "s"
        return (
            f"awaiting results: {self.n_trials} trial{s}, "
            f"{self.participants_planned} participants planned"
        )

    _also = ("n_trials", "participants_planned", "unverified_sizes", "words")


def _fact(d: dict[str, object], where: str) -> RegisteredFact:
    try:
        return RegisteredFact(
            value=d["value"],  # type: ignore[arg-type]
            source=str(d["source"]),
            verified=bool(d["verified"]),
            note=str(d.get("note", "")),
        )
    except KeyError as exc:
        raise EvidenceDataError(f"registered.json: {where} lacks {exc.args[0]!r}.") from None


@cache
def conditions() -> dict[str, Condition]:
    """Condition key → :class:`Condition` (fibromyalgia first)."""
    return {
        key: Condition(key, c["label"], bool(c["with_results"]))
        for key, c in raw("registered")["conditions"].items()
    }


def checked_on() -> date:
    """The date the registry records were last checked."""
    return date.fromisoformat(raw("registered")["checked"])


@cache
def registered_trials() -> tuple[RegisteredTrial, ...]:
    """Every registered trial without results, in file order."""
    known = conditions()
    out = []
    for t in raw("registered")["trials"]:
        for c in t["conditions"]:
            if c not in known:
                raise EvidenceDataError(
                    f"registered.json: {t['registry']}: unknown condition {c!r}."
                )
        out.append(
            RegisteredTrial(
                registry=t["registry"],
                conditions=tuple(t["conditions"]),
                title=t["title"],
                design=t["design"],
                planned_n=_fact(t["planned_n"], f"{t['registry']} planned_n"),
                status=_fact(t["status"], f"{t['registry']} status"),
                sponsor=t.get("sponsor", ""),
                read_at=tuple(t.get("read_at", ())),
            )
        )
    return tuple(out)


def awaiting(condition: str = "fibromyalgia") -> Awaiting:
    """The registered trials of ``condition`` without results (see :func:`conditions`)."""
    known = conditions()
    if condition not in known:
        raise EvidenceInputError(
            f"unknown condition {condition!r}; choose one of {', '.join(known)}.",
            field="condition",
        )
    trials = tuple(t for t in registered_trials() if condition in t.conditions)
    return Awaiting(condition, known[condition].label, checked_on(), trials)
