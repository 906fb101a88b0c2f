"""Input and output schemas of the check-in API: only these fields cross the boundary.

The daily scores are not listed here. :func:`checkin_in_schema`, :func:`checkin_patch_schema` and
:func:`checkin_out_schema` build each schema from a set of daily scales (one whole-number field
per :class:`~lowdose.daily.DailyScale`, bounded by its range and described by its anchors), and
``CheckinIn``, ``CheckinPatch`` and ``CheckinOut`` are those schemas for
:data:`~lowdose.daily.DAILY_SCALES`. A new daily item reaches the API and its OpenAPI document
without an edit here.

The scores sit where a reader expects them, after the entry's time and before the dose: each
schema is its fields before the scores (``_…Start``), the scores, then the rest of its fields and
its methods (``…Base``, the type of every schema built from it). pydantic orders inherited fields
from the last base to the first, so the field order, the required lists and the order of the
validation messages are those of the hand-written schemas they replace.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar, cast
from uuid import UUID

from ninja import Field, Schema
from pydantic import create_model

from apps.checkins.models import Checkin
from config.api_input import BodyIn, IsoDate, IsoDateTime, IsoUUID
from lowdose.daily import DAILY_SCALES, DailyScale, DailyScales

__all__ = [
    "CheckinIn",
    "CheckinInBase",
    "CheckinOut",
    "CheckinOutBase",
    "CheckinPatch",
    "CheckinPatchBase",
    "SideEffectIn",
    "SideEffectOut",
    "checkin_in_schema",
    "checkin_out_schema",
    "checkin_patch_schema",
    "score_description",
]

SchemaT = TypeVar("SchemaT", bound=Schema)


def score_description(scale: DailyScale) -> str:
    """What a score means, from the scale's anchors: ``"0 = no pain, 10 = worst pain imaginable"``.

    When the label says more than the field's name, it leads: ``"Sleep quality: 0 = worst
    possible sleep, 10 = best possible sleep"`` for the field ``sleep``.
    """
    anchors = f"{scale.low} = {scale.low_anchor}, {scale.high} = {scale.high_anchor}"
    if scale.label.lower() == scale.name.replace("_", " "):
        return anchors
    return f"{scale.label}: {anchors}"


def _required_score(scale: DailyScale) -> Any:
    return (
        int,
        Field(ge=scale.low, le=scale.high, strict=True, description=score_description(scale)),
    )


def _optional_score(scale: DailyScale) -> Any:
    return (int | None, Field(None, ge=scale.low, le=scale.high, strict=True))


def _score_out(scale: DailyScale) -> Any:
    return int


def _with_scores(
    name: str,
    start: type[Schema],
    base: type[SchemaT],
    scales: DailyScales,
    score_field: Callable[[DailyScale], Any],
    doc: str | None = None,
) -> type[SchemaT]:
    """The schema ``name``: the fields of ``start``, one ``score_field(scale)`` per scale in the
    set's order, then the fields and methods of ``base``."""
    scored = create_model(
        f"{name}Scores",
        __base__=start,
        __module__=__name__,
        **{scale.name: score_field(scale) for scale in scales},
    )
    schema = create_model(
        name,
        __base__=(base, scored),
        __module__=__name__,
        __doc__=doc,
        daily_scales=(ClassVar[DailyScales], scales),
    )
    return cast("type[SchemaT]", schema)


class SideEffectIn(BodyIn):
    name: Literal["vivid_dreams", "insomnia", "headache", "nausea", "other"]
    severity: Literal["mild", "moderate", "severe"]
    detail: str = Field("", max_length=200)


class _CheckinInStart(BodyIn):
    client_id: IsoUUID = Field(
        description="Generated on the device; re-sending it never duplicates."
    )
    recorded_at: IsoDateTime | None = Field(None, description="ISO 8601 with offset; default now.")
    day: IsoDate | None = Field(
        None, description="The day the entry belongs to; only needed between midnight and 05:00."
    )


class CheckinInBase(BodyIn):
    """A new check-in's fields after its scores, and what the view asks of it."""

    #: The scales whose scores the schema carries (each built schema names its own set).
    daily_scales: ClassVar[DailyScales] = DAILY_SCALES

    dose_mg: str | None = Field(None, description='Decimal string, e.g. "4.5"; null when missed')
    dose_time: str | None = Field(None, description="HH:MM (24-hour)")
    dose_missed: bool = False
    dose_status: Literal["taken", "missed", "none"] | None = Field(
        None,
        description="The dose answer: taken, missed, or none (no dose due). Without it, "
        "dose_missed true means missed and a dose_mg (or kit) means taken; with missed or "
        "none, dose_mg and dose_time are ignored. An entry with no dose answer is a 400.",
    )
    side_effects: list[SideEffectIn] = Field(default_factory=list)
    note: str = Field("", max_length=2000)
    kit: str | None = Field(
        None, description="During a blinded N-of-1 trial: the code of the kit taken (no dose_mg)."
    )

    def raw(self) -> dict[str, object]:
        data = self.dict()
        data["client_id"] = str(data["client_id"])
        data["recorded_at"] = data["recorded_at"].isoformat() if data["recorded_at"] else None
        data["day"] = data["day"].isoformat() if data["day"] else None
        return data


def checkin_in_schema(scales: DailyScales = DAILY_SCALES) -> type[CheckinInBase]:
    """The body of a new check-in: every score of ``scales`` is required."""
    return _with_scores("CheckinIn", _CheckinInStart, CheckinInBase, scales, _required_score)


class _CheckinPatchStart(BodyIn):
    day: IsoDate | None = None


class CheckinPatchBase(BodyIn):
    """A correction's fields after its scores, and what the view asks of it."""

    #: The scales whose scores the schema carries (each built schema names its own set).
    daily_scales: ClassVar[DailyScales] = DAILY_SCALES

    dose_status: Literal["taken", "missed", "none"] | None = None
    dose_missed: bool | None = None
    dose_mg: str | None = Field(None, description='Decimal string, e.g. "4.5"')
    dose_time: str | None = Field(None, description="HH:MM (24-hour)")
    side_effects: list[SideEffectIn] | None = None
    note: str | None = Field(None, max_length=2000)

    def changes(self) -> dict[str, object]:
        data = self.model_dump(exclude_unset=True)
        if data.get("day") is not None:
            data["day"] = data["day"].isoformat()
        return data


def checkin_patch_schema(scales: DailyScales = DAILY_SCALES) -> type[CheckinPatchBase]:
    """The body of a correction: every score of ``scales`` may be sent."""
    return _with_scores(
        "CheckinPatch",
        _CheckinPatchStart,
        CheckinPatchBase,
        scales,
        _optional_score,
        doc="A correction: only the fields sent change (the rules of a new entry apply to the "
        "result).",
    )


class SideEffectOut(Schema):
    name: str
    severity: str
    detail: str


class _CheckinOutStart(Schema):
    id: int
    client_id: UUID
    day: date
    recorded_at: datetime


class CheckinOutBase(Schema):
    """A check-in's fields after its scores, as the API answers it, and how a row becomes one."""

    #: The scales whose scores the schema carries (each built schema names its own set).
    daily_scales: ClassVar[DailyScales] = DAILY_SCALES

    dose_status: str
    dose_mg: str | None
    dose_time: str | None
    dose_missed: bool
    side_effects: list[SideEffectOut]
    note: str
    kit: str
    changed_at: datetime | None = Field(
        description="When the patient last changed it (earlier versions are kept); null if never"
    )

    @classmethod
    def from_row(cls, row: Checkin) -> dict[str, object]:
        return {
            "id": row.pk,
            "client_id": row.client_id,
            "day": row.day,
            "recorded_at": row.recorded_at,
            **{scale.name: getattr(row, scale.name) for scale in cls.daily_scales},
            "dose_status": row.dose_status,
            "dose_mg": None if row.dose_mg is None else f"{row.dose_mg:f}",
            "dose_time": row.dose_time.strftime("%H:%M") if row.dose_time else None,
            "dose_missed": row.dose_status == "missed",
            "side_effects": [
                {"name": e.name, "severity": e.severity, "detail": e.detail}
                for e in row.side_effects.all()
            ],
            "note": row.note,
            "kit": row.kit,
            "changed_at": row.changed_at,
        }


def checkin_out_schema(scales: DailyScales = DAILY_SCALES) -> type[CheckinOutBase]:
    """A check-in as the API answers it: every score of ``scales``."""
    return _with_scores("CheckinOut", _CheckinOutStart, CheckinOutBase, scales, _score_out)


if (
    TYPE_CHECKING
):  # the type checker cannot see fields made from a scale set: the bases are the types
    CheckinIn = CheckinInBase
    CheckinPatch = CheckinPatchBase
    CheckinOut = CheckinOutBase
else:
    CheckinIn = checkin_in_schema(DAILY_SCALES)
    CheckinPatch = checkin_patch_schema(DAILY_SCALES)
    CheckinOut = checkin_out_schema(DAILY_SCALES)
