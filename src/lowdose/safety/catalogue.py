"""The screened-medicine catalogue (``data/drugs.json``): load, check, index."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

from lowdose.errors import DataError

__all__ = [
    "WASHOUT_DAYS",
    "Catalogue",
    "DrugEntry",
    "Severity",
    "Washout",
    "catalogue",
    "load_catalogue",
]

Severity = Literal["contraindicated", "caution"]
Washout = Literal["standard", "long"]

#: Opioid-free days needed before naltrexone: (minimum, full) — "standard" 7–10 days
#: (naltrexone label via Drugs.com dosage / MPR); "long" 14 days after methadone or buprenorphine
#: (Vivitrol label §2.3 "as long as 2 weeks").
WASHOUT_DAYS: dict[Washout, tuple[int, int]] = {"standard": (7, 10), "long": (14, 14)}

_FORMAT = "lowdose-safety-drugs/1"
_SEVERITIES = ("contraindicated", "caution")


@dataclass(frozen=True, slots=True)
class DrugEntry:
    """One screened ingredient and the names it is recognised by."""

    ingredient: str
    drug_class: str
    severity: Severity
    washout: Washout | None
    names: tuple[str, ...]
    sources: tuple[str, ...]
    code: str = "opioid-current"
    message: str = ""

    @property
    def is_opioid_agonist(self) -> bool:
        """True for entries that need an opioid-free interval after stopping."""
        return self.washout is not None


@dataclass(frozen=True, slots=True)
class Catalogue:
    """All entries, the source texts by id, and non-opioid look-alike names."""

    drugs: tuple[DrugEntry, ...]
    look_alikes: tuple[str, ...]
    sources: dict[str, str] = field(compare=False)

    def source_text(self, ids: tuple[str, ...]) -> str:
        """The cited sources of an entry, joined for a finding's ``source``."""
        return " | ".join(self.sources[i] for i in ids)


def _fail(msg: str) -> DataError:
    return DataError(f"safety drug catalogue: {msg}; fix src/lowdose/safety/data/drugs.json.")


def load_catalogue(data: dict[str, Any]) -> Catalogue:
    """Check and build a :class:`Catalogue` from the parsed JSON.

    Raises
    ------
    DataError
        On a wrong format tag, unknown severity/washout, a source id with no text, an entry
        without names, or a name listed under two ingredients.
    """
    if data.get("format") != _FORMAT:
        raise _fail(f"format must be {_FORMAT!r}")
    sources = data.get("sources")
    if not isinstance(sources, dict) or not sources:
        raise _fail("'sources' must be a non-empty object")
    drugs: list[DrugEntry] = []
    seen: dict[str, str] = {}
    for raw in data.get("drugs", []):
        ingredient = raw.get("ingredient")
        severity = raw.get("severity")
        washout = raw.get("washout")
        if severity not in _SEVERITIES:
            raise _fail(f"{ingredient}: severity {severity!r} is not one of {_SEVERITIES}")
        if washout is not None and washout not in WASHOUT_DAYS:
            raise _fail(f"{ingredient}: washout {washout!r} is not standard, long or null")
        names = tuple(str(n).strip().lower() for n in raw.get("names", []))
        if not names:
            raise _fail(f"{ingredient}: no names")
        for name in names:
            if name in seen:
                raise _fail(f"name {name!r} is listed under {seen[name]} and {ingredient}")
            seen[name] = str(ingredient)
        if severity == "caution" and not raw.get("message"):
            raise _fail(f"{ingredient}: a caution needs a 'message' saying why")
        ids = tuple(raw.get("sources", []))
        missing = [i for i in ids if i not in sources]
        if not ids or missing:
            raise _fail(f"{ingredient}: sources {missing or '[]'} have no text")
        drugs.append(
            DrugEntry(
                ingredient=str(ingredient),
                drug_class=str(raw.get("class", "")),
                severity=severity,
                washout=washout,
                names=names,
                sources=ids,
                code=str(raw.get("code", "opioid-current")),
                message=str(raw.get("message", "")),
            )
        )
    look = tuple(str(n).lower() for n in data.get("look_alikes", {}).get("names", []))
    clash = sorted(set(look) & set(seen))
    if clash:
        raise _fail(f"look-alike names {clash} are also listed drugs")
    return Catalogue(drugs=tuple(drugs), sources=dict(sources), look_alikes=look)


@cache
def catalogue() -> Catalogue:
    """The shipped catalogue (parsed once)."""
    text = resources.files("lowdose.safety").joinpath("data/drugs.json").read_text("utf-8")
    return load_catalogue(json.loads(text))
