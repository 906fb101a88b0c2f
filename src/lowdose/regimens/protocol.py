"""Titration protocols as data: each shipped protocol is a JSON file with its sources.

A protocol is an ordered list of ``(dose_mg, days)`` steps; the last step may have no length
("thereafter"). :meth:`Protocol.schedule` turns it into dated :class:`TitrationStep` objects:
step *k* starts on

.. math::

    \\text{start}_k = \\text{start}_1 + \\sum_{j<k} n_j \\text{ days},
    \\qquad \\text{end}_k = \\text{start}_k + (n_k - 1) \\text{ days}.

Shipped protocols (files in ``lowdose/regimens/protocols/``):

``ldnrt-standard``
    LDN Research Trust UK information pack: 1.5 mg for 2 weeks, +0.5 mg every 2 weeks, maximum
    4.5 mg.
``ldnrt-slow``
    LDN Research Trust "How to titrate LDN": 0.5 mg, +0.5 mg every 7 days (taken here to 4.5 mg).
``trial-6mg``
    FINAL-style (Bruun et al., Lancet Rheumatol 2024; NCT04270877): 6 mg reached within a 4-week
    titration phase, 12 weeks in all. The registry's step details were truncated in every source
    read, so the 1.5 mg-per-week steps are a **reconstruction** (``reconstructed: true``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

from lowdose.errors import ProtocolDataError, RegimenError, UnknownProtocolError
from lowdose.regimens.steps import DoseTime, TitrationStep, decimal_str, extend_through
from lowdose.serial import Plain, normalised

__all__ = [
    "MAX_DAILY_DOSE_MG",
    "Protocol",
    "ProtocolStep",
    "Source",
    "custom_protocol",
    "get_protocol",
    "list_protocols",
    "protocol_names",
]

#: Highest daily dose accepted in a plan unless the caller configures another ceiling. 6 mg is
#: the highest dose given in a controlled LDN trial in fibromyalgia (FINAL, Bruun et al. 2024) and
#: the top arm of the UAB dose-finding study (NCT07285473); the LDN Research Trust pack gives
#: 4.5 mg as its maximum. A clinic may lower it.
MAX_DAILY_DOSE_MG = Decimal("6")


@dataclass(frozen=True, slots=True)
class Source(Plain):
    """A citation that supports part of a protocol.

    ``tag`` follows the reference file's evidence tags: ``P`` primary, ``S`` secondary,
    ``L`` low-quality, ``D`` derived.
    """

    citation: str
    url: str
    tag: str
    supports: str


@dataclass(frozen=True, slots=True)
class ProtocolStep(Plain):
    """One undated protocol step: a daily dose for ``days`` days (``None``: thereafter)."""

    dose_mg: Decimal
    days: int | None

    def __post_init__(self) -> None:
        if not isinstance(self.dose_mg, Decimal) or not self.dose_mg.is_finite():
            raise RegimenError(
                f"step dose must be a finite Decimal in mg, got {self.dose_mg!r}; "
                "write it as Decimal('1.5')."
            )
        if self.dose_mg <= 0:
            raise RegimenError(f"step dose must be positive, got {self.dose_mg} mg.")
        if self.days is not None and (isinstance(self.days, bool) or self.days < 1):
            raise RegimenError(
                f"step length must be at least 1 day, got {self.days}; use None for "
                "an open-ended final step."
            )

    _decimal = normalised


@dataclass(frozen=True, slots=True)
class Protocol:
    """A named titration protocol with its sources.

    Parameters
    ----------
    name : str
        Machine name (``ldnrt-standard``).
    title, summary : str
        Human-readable description.
    steps : tuple of ProtocolStep
        Ordered steps; only the last may be open-ended.
    time : DoseTime
        Default time of day for the dose.
    sources : tuple of Source
        Citations for every number in the steps.
    caveats : tuple of str
        What the sources do not say, and what was decided instead.
    reconstructed : bool
        True when the step details are not given by the sources and were reconstructed.
    max_daily_dose_mg : Decimal
        Ceiling checked for every step.
    """

    name: str
    title: str
    summary: str
    steps: tuple[ProtocolStep, ...]
    time: DoseTime = DoseTime.BEDTIME
    sources: tuple[Source, ...] = ()
    caveats: tuple[str, ...] = ()
    reconstructed: bool = False
    max_daily_dose_mg: Decimal = field(default=MAX_DAILY_DOSE_MG)

    def __post_init__(self) -> None:
        if not self.steps:
            raise RegimenError(f"protocol {self.name!r} has no steps; give at least one dose.")
        for number, step in enumerate(self.steps, 1):
            if step.days is None and number != len(self.steps):
                raise RegimenError(
                    f"step {number} of {self.name!r} is open-ended but not last; give it a "
                    "number of days."
                )
            if step.dose_mg > self.max_daily_dose_mg:
                raise RegimenError(
                    f"step {number} of {self.name!r} is {decimal_str(step.dose_mg)} mg, above the "
                    f"configured maximum of {decimal_str(self.max_daily_dose_mg)} mg; lower the "
                    "dose or raise max_daily_dose_mg deliberately."
                )

    @property
    def target_dose_mg(self) -> Decimal:
        """Dose of the last step."""
        return self.steps[-1].dose_mg

    @property
    def titration_days(self) -> int:
        """Days before the last step starts."""
        return sum(step.days or 0 for step in self.steps[:-1])

    def schedule(
        self, start: date, *, time: DoseTime | None = None, through: date | None = None
    ) -> tuple[TitrationStep, ...]:
        """Dated steps starting on ``start``.

        Parameters
        ----------
        start : date
            First dosing day.
        time : DoseTime, optional
            Overrides the protocol's default time of day.
        through : date, optional
            Cut or extend the plan so that it ends on this day (inclusive).
        """
        if not isinstance(start, date):
            raise RegimenError(f"start must be a date, got {start!r}; give YYYY-MM-DD.")
        when = self.time if time is None else time
        dated: list[TitrationStep] = []
        day = start
        for step in self.steps:
            end = None if step.days is None else day + timedelta(days=step.days - 1)
            dated.append(TitrationStep(start=day, end=end, dose_mg=step.dose_mg, time=when))
            if end is not None:
                day = end + timedelta(days=1)
        plan = tuple(dated)
        return plan if through is None else extend_through(plan, through)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "summary": self.summary,
            "time": self.time.value,
            "steps": [step.to_dict() for step in self.steps],
            "sources": [source.to_dict() for source in self.sources],
            "caveats": list(self.caveats),
            "reconstructed": self.reconstructed,
            "max_daily_dose_mg": decimal_str(self.max_daily_dose_mg),
        }


def custom_protocol(
    steps: Sequence[ProtocolStep | tuple[Decimal, int | None]],
    *,
    name: str = "custom",
    title: str = "Custom titration",
    summary: str = "Steps chosen by the prescriber.",
    time: DoseTime = DoseTime.BEDTIME,
    max_daily_dose_mg: Decimal = MAX_DAILY_DOSE_MG,
) -> Protocol:
    """Build a prescriber-defined protocol from ``(dose_mg, days)`` steps."""
    built = tuple(
        step if isinstance(step, ProtocolStep) else ProtocolStep(dose_mg=step[0], days=step[1])
        for step in steps
    )
    return Protocol(
        name=name,
        title=title,
        summary=summary,
        steps=built,
        time=time,
        caveats=("Custom plan: the prescriber is the source.",),
        max_daily_dose_mg=max_daily_dose_mg,
    )


def _decimal(raw: object, where: str) -> Decimal:
    if not isinstance(raw, str):
        raise ProtocolDataError(f"{where}: doses are stored as strings (exact), got {raw!r}.")
    try:
        return Decimal(raw)
    except InvalidOperation as exc:
        raise ProtocolDataError(f"{where}: {raw!r} is not a decimal.") from exc


def _parse(payload: dict[str, Any], filename: str) -> Protocol:
    try:
        steps = tuple(
            ProtocolStep(dose_mg=_decimal(raw["dose_mg"], f"{filename} step {i}"), days=raw["days"])
            for i, raw in enumerate(payload["steps"], 1)
        )
        sources = tuple(Source(**raw) for raw in payload["sources"])
        if not sources:
            raise ProtocolDataError(f"{filename}: a shipped protocol must cite a source.")
        return Protocol(
            name=payload["name"],
            title=payload["title"],
            summary=payload["summary"],
            steps=steps,
            time=DoseTime(payload["time"]),
            sources=sources,
            caveats=tuple(payload.get("caveats", ())),
            reconstructed=bool(payload.get("reconstructed", False)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProtocolDataError(f"{filename}: malformed protocol file ({exc}).") from exc


@cache
def _load_all() -> dict[str, Protocol]:
    protocols: dict[str, Protocol] = {}
    folder = resources.files("lowdose.regimens") / "protocols"
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if not entry.name.endswith(".json"):
            continue
        protocol = _parse(json.loads(entry.read_text(encoding="utf-8")), entry.name)
        if f"{protocol.name}.json" != entry.name:
            raise ProtocolDataError(f"{entry.name}: the file name must be '<name>.json'.")
        protocols[protocol.name] = protocol
    return protocols


def protocol_names() -> tuple[str, ...]:
    """Names of the shipped protocols, sorted."""
    return tuple(sorted(_load_all()))


def list_protocols() -> tuple[Protocol, ...]:
    """All shipped protocols, sorted by name."""
    loaded = _load_all()
    return tuple(loaded[name] for name in sorted(loaded))


def get_protocol(name: str) -> Protocol:
    """Look up a shipped protocol by name (case-insensitive; underscores accepted for hyphens)."""
    key = name.strip().lower().replace("_", "-")
    loaded = _load_all()
    if key not in loaded:
        raise UnknownProtocolError(
            f"unknown protocol {name!r}; choose one of {', '.join(sorted(loaded))}, or build a "
            "custom plan from steps.",
            field="protocol",
        )
    return loaded[key]
