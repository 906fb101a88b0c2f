"""The data model every instrument is written in: items, response options, bands, results.

One :class:`Instrument` is enough to draw a web form (item text, anchors, allowed values),
validate a submission (:meth:`Instrument.validate`), score it (:meth:`Instrument.score`), and
build its FHIR R4B ``Questionnaire`` (:mod:`lowdose.interop.fhir`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Literal

from lowdose.errors import AnswerError, InputError

__all__ = [
    "AnswerError",
    "Answers",
    "Band",
    "Instrument",
    "Item",
    "ItemKind",
    "ResponseOption",
    "ScoreResult",
    "band_for",
]

#: What a form field may hold: an integer, a boolean (yes/no items), or ``None`` (left blank).
Answers = Mapping[str, int | bool | str | None]

ItemKind = Literal["choice", "integer", "boolean"]

_INT_RE = re.compile(r"^[+-]?\d+$")
_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})


@dataclass(frozen=True, slots=True)
class ResponseOption:
    """One allowed answer of a choice item.

    Parameters
    ----------
    value : int
        The ordinal weight that enters the score.
    label : str
        The text shown to the respondent.
    code : str or None
        The LOINC answer code (``LA…``) where one is verified, else ``None``.
    """

    value: int
    label: str
    code: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One question.

    ``minimum``/``maximum`` bound integer and choice items (booleans are 0/1). ``anchors`` are the
    end labels of a numeric rating scale, e.g. ``("no pain", "worst pain imaginable")``.
    ``scored=False`` marks items that are asked but not summed (PHQ-9 difficulty item).
    """

    link_id: str
    text: str
    kind: ItemKind
    minimum: int = 0
    maximum: int = 1
    options: tuple[ResponseOption, ...] = ()
    code: str | None = None
    required: bool = True
    scored: bool = True
    anchors: tuple[str, str] | None = None
    group: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description of the item (for form rendering and the REST API)."""
        return {
            "link_id": self.link_id,
            "text": self.text,
            "kind": self.kind,
            "minimum": self.minimum,
            "maximum": self.maximum,
            "options": [{"value": o.value, "label": o.label, "code": o.code} for o in self.options],
            "code": self.code,
            "required": self.required,
            "scored": self.scored,
            "anchors": list(self.anchors) if self.anchors else None,
            "group": self.group,
        }

    def option(self, value: int) -> ResponseOption | None:
        """Return the response option with this ``value`` (``None`` for non-choice items)."""
        for opt in self.options:
            if opt.value == value:
                return opt
        return None

    def coerce(self, raw: int | bool | str) -> int:
        """Turn a submitted value into the integer that is scored, or raise :class:`AnswerError`."""
        if self.kind == "boolean":
            if isinstance(raw, bool):
                return int(raw)
            text = str(raw).strip().lower()
            if text in _YES:
                return 1
            if text in _NO:
                return 0
            raise AnswerError(
                f"{self.link_id}: {raw!r} is not yes or no; answer yes or no.", field=self.link_id
            )
        if isinstance(raw, bool):
            raise AnswerError(
                f"{self.link_id}: got {raw!r} but this item takes a number from "
                f"{self.minimum} to {self.maximum}; give that number.",
                field=self.link_id,
            )
        if isinstance(raw, int):
            value = raw
        elif isinstance(raw, str) and _INT_RE.match(raw.strip()):
            value = int(raw.strip())
        else:
            raise AnswerError(
                f"{self.link_id}: {raw!r} is not a whole number; give a whole number from "
                f"{self.minimum} to {self.maximum}.",
                field=self.link_id,
            )
        if not self.minimum <= value <= self.maximum:
            raise AnswerError(
                f"{self.link_id}: {value} is outside {self.minimum}–{self.maximum}; give a value "
                f"from {self.minimum} to {self.maximum}.",
                field=self.link_id,
            )
        return value


@dataclass(frozen=True, slots=True)
class Band:
    """A closed score interval ``[low, high]`` with a label and the source that defines it."""

    low: int
    high: int
    label: str


def band_for(value: int, bands: tuple[Band, ...]) -> str:
    """Return the label of the band containing ``value``.

    Raises
    ------
    InputError
        If no band contains the value (the bands are then incomplete, or the value out of range).
    """
    for band in bands:
        if band.low <= value <= band.high:
            return band.label
    raise InputError(f"score {value} lies in no band; check the score range.", field="total")


Number = int | Decimal


def _jsonable(value: object) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


@dataclass(frozen=True, kw_only=True)
class ScoreResult:
    """The frozen result of scoring one completed instrument.

    Attributes
    ----------
    instrument, version : str
        Registry name and the version of the definition that scored it (stored with every result).
    total : int or Decimal
        The total score (Decimal where the algorithm divides, e.g. FIQR).
    maximum : int
        The largest possible total.
    band : str or None
        Severity band label where the instrument has published bands.
    interpretation : str
        One sentence for people; never a diagnosis.
    flags : tuple of str
        Machine-readable alerts (e.g. ``"phq9_item9_positive"``).
    answers : tuple of (link_id, value)
        The validated answers that were scored, in item order.
    subscores : tuple of (name, value)
        Domain or component scores.
    source : str
        Citation of the scoring rule and bands.
    """

    instrument: str
    version: str
    total: Number
    maximum: int
    band: str | None
    interpretation: str
    flags: tuple[str, ...]
    answers: tuple[tuple[str, int], ...]
    subscores: tuple[tuple[str, Number | bool], ...]
    source: str

    @property
    def risk_flags(self) -> tuple[str, ...]:
        """The flags that signal a risk to the patient's safety (:data:`RISK_FLAGS`): the care
        team must be told at once and the patient shown crisis resources."""
        return tuple(f for f in self.flags if f in RISK_FLAGS)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (Decimals become floats; the exact values stay on the object)."""
        return {
            "instrument": self.instrument,
            "version": self.version,
            "total": _jsonable(self.total),
            "maximum": self.maximum,
            "band": self.band,
            "interpretation": self.interpretation,
            "flags": list(self.flags),
            "answers": dict(self.answers),
            "subscores": {k: _jsonable(v) for k, v in self.subscores},
            "source": self.source,
        }

    def summary(self) -> str:
        """One line for people, e.g. ``"PHQ-9 10/27 (moderate)"``."""
        band = f" ({self.band})" if self.band else ""
        return f"{self.instrument} {self.total}/{self.maximum}{band}: {self.interpretation}"


Scorer = Callable[["Instrument", dict[str, int]], ScoreResult]

#: Flags that mean a risk to the patient's own safety. PHQ-9 item 9 ("thoughts that you would be
#: better off dead, or of hurting yourself") above 0 needs same-day clinical follow-up whatever
#: the total (Kroenke, Spitzer & Williams, J Gen Intern Med 2001;16:606; the PHQ-9 instructions
#: for use). Other instruments' flags (e.g. ``phq2_positive``) are screening results, not risks.
#: Each flag maps to the plain words shown to the care team.
RISK_FLAGS: Mapping[str, str] = MappingProxyType(
    {"phq9_item9_positive": "thoughts of being better off dead or of self-harm (PHQ-9 item 9)"}
)


@dataclass(frozen=True, kw_only=True)
class Instrument:
    """One instrument definition: everything a form, the scorer and FHIR need.

    Attributes
    ----------
    name : str
        Registry key (``"phq9"``, ``"acr2016"``…).
    title, version : str
        Human title and the version of this definition (stored with each result).
    items : tuple of Item
        The questions, in order.
    preamble : str
        The stem shown above the items (e.g. "Over the last 2 weeks…").
    recall : str
        The recall period.
    copyright : str or None
        The notice that must accompany the wording (``Questionnaire.copyright``).
    licence : str
        What may be shipped and why (cited).
    loinc_panel, loinc_total : str or None
        Verified LOINC codes of the panel and the total score, ``None`` where none is verified.
    total_display : str or None
        LOINC display of ``loinc_total``.
    higher_is_worse : bool
        Direction of the total; needed to compute improvement correctly.
    wording_licensed : bool
        ``False`` when the item text is a placeholder (FIQR without a licence file).
    source : str
        Citation of the instrument and its scoring.
    completed_by : "patient" or "clinician"
        Who answers it: a questionnaire the patient fills in, or a form the clinician completes
        at a visit (e.g. the physician versions of the ACR criteria, whose symptom-severity
        estimate is the physician's). A clinician-completed form is never offered to a patient.
    """

    name: str
    title: str
    version: str
    items: tuple[Item, ...]
    preamble: str
    recall: str
    copyright: str | None
    licence: str
    loinc_panel: str | None
    loinc_total: str | None
    total_display: str | None
    higher_is_worse: bool
    source: str
    scorer: Scorer = field(repr=False, compare=False)
    wording_licensed: bool = True
    completed_by: Literal["patient", "clinician"] = "patient"

    def item(self, link_id: str) -> Item:
        """Return the item with this ``link_id`` or raise :class:`AnswerError`."""
        for it in self.items:
            if it.link_id == link_id:
                return it
        raise AnswerError(
            f"{self.name} has no item {link_id!r}; valid items are "
            f"{', '.join(i.link_id for i in self.items)}.",
            field=link_id,
        )

    @property
    def link_ids(self) -> tuple[str, ...]:
        """Item identifiers in order (form field names)."""
        return tuple(i.link_id for i in self.items)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready definition (everything but the scorer) for forms and the REST API."""
        return {
            "name": self.name,
            "title": self.title,
            "version": self.version,
            "preamble": self.preamble,
            "recall": self.recall,
            "copyright": self.copyright,
            "licence": self.licence,
            "loinc_panel": self.loinc_panel,
            "loinc_total": self.loinc_total,
            "higher_is_worse": self.higher_is_worse,
            "wording_licensed": self.wording_licensed,
            "completed_by": self.completed_by,
            "source": self.source,
            "items": [i.to_dict() for i in self.items],
        }

    def validate(self, answers: Answers) -> dict[str, int]:
        """Check a submission and return ``{link_id: int}`` for the answered items.

        Unknown keys, missing required items and out-of-range values raise :class:`AnswerError`
        whose ``field`` names the item and whose message says what to enter.
        """
        known = set(self.link_ids)
        for key in answers:
            if key not in known:
                raise AnswerError(
                    f"{self.name}: unknown item {key!r}; valid items are "
                    f"{', '.join(self.link_ids)}.",
                    field=key,
                )
        clean: dict[str, int] = {}
        for it in self.items:
            raw = answers.get(it.link_id)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                if it.required:
                    raise AnswerError(
                        f"{self.name}: item {it.link_id} ({it.text}) is unanswered; "
                        "answer it to score the questionnaire.",
                        field=it.link_id,
                    )
                continue
            clean[it.link_id] = it.coerce(raw)
        return clean

    def score(self, answers: Answers) -> ScoreResult:
        """Validate ``answers`` and score them."""
        return self.scorer(self, self.validate(answers))
