"""Adding a daily item is one entry, in the REST API too (the web side of
tests/daily/test_daily_extra_item.py).

The check-in API's schemas are built from a set of daily scales. Built from a set with a fifth
item, "stiffness" (0 = no stiffness, 10 = worst stiffness imaginable), a new check-in must carry it
within its range, a correction may change it alone, and an answer reports it, all in the place
the four stand, before the dose. Nothing here touches the database: the schemas are functions of
the scale set, and the stored model keeps the four columns of DAILY_SCALES.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from apps.checkins.models import Checkin
from apps.checkins.schemas import (
    CheckinIn,
    CheckinOut,
    checkin_in_schema,
    checkin_out_schema,
    checkin_patch_schema,
)
from lowdose.daily import DAILY_SCALES, DailyScale, DailyScales
from lowdose.diary import parse_checkin

TZ = ZoneInfo("Europe/London")
DAY = date(2026, 3, 2)
STIFFNESS = DailyScale(
    "stiffness",
    "Morning stiffness",
    "morning stiffness",
    "no stiffness",
    "worst stiffness imaginable",
    higher_is_better=False,
    question="Your stiffness on waking today",
    source="test item: a clinic's own daily question",
)
SCALES: DailyScales = DAILY_SCALES.with_scale(STIFFNESS)


def _body(**scores: object) -> dict[str, object]:
    return {
        "client_id": str(uuid.uuid5(uuid.NAMESPACE_URL, "entry:stiffness")),
        "recorded_at": datetime.combine(DAY, time(21, 0), tzinfo=TZ).isoformat(),
        "pain": 5,
        "fatigue": 5,
        "sleep": 5,
        "mood": 5,
        **scores,
        "dose_status": "taken",
        "dose_mg": "4.5",
    }


def _problems(error: pytest.ExceptionInfo[ValidationError]) -> list[tuple[Any, ...]]:
    return [(*e["loc"], e["type"]) for e in error.value.errors()]


def test_a_new_check_in_requires_the_extra_item_within_its_range() -> None:
    checkin_in = checkin_in_schema(SCALES)
    with pytest.raises(ValidationError) as missing:
        checkin_in.model_validate(_body())
    assert _problems(missing) == [("stiffness", "missing")]
    with pytest.raises(ValidationError) as too_high:
        checkin_in.model_validate(_body(stiffness=11))
    assert _problems(too_high) == [("stiffness", "less_than_equal")]
    with pytest.raises(ValidationError) as as_text:
        checkin_in.model_validate(_body(stiffness="4"))  # strict: a JSON number, not a string
    assert _problems(as_text) == [("stiffness", "int_type")]

    raw = checkin_in.model_validate(_body(stiffness=6)).raw()
    assert list(raw)[3:8] == ["pain", "fatigue", "sleep", "mood", "stiffness"]
    checkin = parse_checkin(
        raw, now=datetime.combine(DAY, time(21, 30), tzinfo=TZ), tz=TZ, scales=SCALES
    )
    assert checkin.scores == {"pain": 5, "fatigue": 5, "sleep": 5, "mood": 5, "stiffness": 6}


def test_the_input_schema_documents_the_extra_item_like_the_four() -> None:
    schema = checkin_in_schema(SCALES).model_json_schema()
    assert schema["title"] == "CheckinIn"
    assert schema["required"] == ["client_id", "pain", "fatigue", "sleep", "mood", "stiffness"]
    assert schema["properties"]["stiffness"] == {
        "description": "Morning stiffness: 0 = no stiffness, 10 = worst stiffness imaginable",
        "maximum": 10,
        "minimum": 0,
        "title": "Stiffness",
        "type": "integer",
    }
    assert schema["properties"]["pain"]["description"] == "0 = no pain, 10 = worst pain imaginable"


def test_a_correction_may_change_the_extra_item_alone() -> None:
    checkin_patch = checkin_patch_schema(SCALES)
    assert checkin_patch.model_validate({"stiffness": 2}).changes() == {"stiffness": 2}
    assert checkin_patch.model_validate({"pain": 3}).changes() == {"pain": 3}
    with pytest.raises(ValidationError) as negative:
        checkin_patch.model_validate({"stiffness": -1})
    assert _problems(negative) == [("stiffness", "greater_than_equal")]


class _SideEffects:
    def all(self) -> list[object]:
        return []


class _Row:
    """What :meth:`CheckinOutBase.from_row` reads of a stored check-in, with a fifth score."""

    def __init__(self) -> None:
        self.pk = 7
        self.client_id = uuid.uuid5(uuid.NAMESPACE_URL, "entry:stiffness")
        self.day = DAY
        self.recorded_at = datetime.combine(DAY, time(21, 0), tzinfo=TZ)
        self.pain, self.fatigue, self.sleep, self.mood, self.stiffness = 5, 4, 6, 7, 8
        self.dose_status = "none"
        self.dose_mg = None
        self.dose_time = None
        self.side_effects = _SideEffects()
        self.note = ""
        self.kit = ""
        self.changed_at = None


def test_an_answer_carries_the_extra_item() -> None:
    checkin_out = checkin_out_schema(SCALES)
    required = checkin_out.model_json_schema()["required"]
    assert required[:10] == [
        "id",
        "client_id",
        "day",
        "recorded_at",
        "pain",
        "fatigue",
        "sleep",
        "mood",
        "stiffness",
        "dose_status",
    ]
    answer = checkin_out.model_validate(checkin_out.from_row(cast(Checkin, _Row())))
    assert answer.model_dump()["stiffness"] == 8
    assert answer.model_dump()["mood"] == 7


def test_the_published_schemas_keep_the_four() -> None:
    assert "stiffness" not in CheckinIn.model_fields
    assert "stiffness" not in CheckinOut.model_fields
    assert [name for name in CheckinIn.model_fields if name in DAILY_SCALES] == list(
        DAILY_SCALES.names
    )
    assert CheckinIn.daily_scales is DAILY_SCALES
