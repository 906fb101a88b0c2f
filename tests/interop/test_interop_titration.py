# mypy: disable-error-code="union-attr,index,operator,import-untyped,unused-ignore"
"""iCalendar and FHIR R4B exports of a titration plan: parse back, validate, round-trip."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from fhir.resources.R4B.medicationrequest import MedicationRequest
from icalendar import Calendar

from lowdose.interop import InteropError
from lowdose.interop.fhir import medication_request, steps_from_medication_request
from lowdose.interop.ics import titration_calendar
from lowdose.regimens import DoseTime, get_protocol, move_to_morning, step_back

START = date(2025, 3, 24)  # the plan crosses the UK switch to summer time on 2025-03-30
NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)
TRIAL = get_protocol("trial-6mg").schedule(START)


def _events(payload: bytes) -> list[object]:
    cal = Calendar.from_ical(payload)
    return list(cal.walk("VEVENT"))


def test_calendar_has_one_event_per_dose_at_the_local_clock_time() -> None:
    events = _events(titration_calendar(TRIAL, tz="Europe/London", now=NOW))
    assert len(events) == 84
    summaries = [str(e["SUMMARY"]) for e in events]  # type: ignore[index]
    assert summaries[0] == summaries[6] == "LDN 1.5 mg at bedtime"
    assert summaries[7] == "LDN 3 mg at bedtime"
    assert summaries[83] == "LDN 6 mg at bedtime"
    starts = [e.decoded("DTSTART") for e in events]  # type: ignore[attr-defined]
    assert all(s.timetz().replace(tzinfo=None) == time(22, 0) for s in starts)
    # 22:00 local is 22:00 UTC before the clocks change (30 March 2025) and 21:00 UTC after
    assert [s.astimezone(UTC).hour for s in starts[5:8]] == [22, 21, 21]
    assert all("RRULE" not in e for e in events)  # type: ignore[operator]


def test_calendar_occurrences_are_exactly_the_dosing_days() -> None:
    payload = titration_calendar(TRIAL, tz="Europe/London", now=NOW)
    days = [e.decoded("DTSTART").date() for e in _events(payload)]  # type: ignore[attr-defined]
    assert days == [START + timedelta(days=i) for i in range(84)]


def test_open_ended_step_repeats_daily_and_uids_are_the_lineage_and_the_day() -> None:
    plan = get_protocol("ldnrt-standard").schedule(date(2025, 1, 6))
    events = _events(titration_calendar(plan, now=NOW, lineage="demo"))
    assert "COUNT" not in events[-1]["RRULE"]  # type: ignore[index]
    assert events[-1]["RRULE"]["FREQ"] == ["DAILY"]  # type: ignore[index]
    assert str(events[-1]["UID"]) == f"demo-{plan[-1].start:%Y%m%d}-onwards@lowdose"  # type: ignore[index]
    assert [str(e["UID"]) for e in events][:2] == [  # type: ignore[index]
        "demo-20250106@lowdose",
        "demo-20250107@lowdose",
    ]
    assert titration_calendar(plan, now=NOW) == titration_calendar(plan, now=NOW)


def test_calendar_shows_morning_moves_notes_and_liquid_volumes() -> None:
    plan = move_to_morning(TRIAL, on=date(2025, 3, 31))
    events = _events(
        titration_calendar(
            plan, tz=ZoneInfo("America/New_York"), now=NOW, concentration_mg_per_ml=Decimal(1)
        )
    )
    assert str(events[7]["SUMMARY"]) == "LDN 3 mg (3 mL) in the morning"  # type: ignore[index]
    assert events[7].decoded("DTSTART").time() == time(8, 0)  # type: ignore[attr-defined]
    assert "sleep disturbance" in str(events[7]["DESCRIPTION"])  # type: ignore[index]
    assert events[7].walk("VALARM")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tz": "Mars/Olympus"}, "unknown time zone"),
        ({"now": datetime(2025, 1, 1)}, "timezone-aware"),
        ({"concentration_mg_per_ml": Decimal(7)}, "cannot state the volume"),
        ({"lineage": "has space"}, "without spaces"),
        ({"lineage": "a@b"}, "without spaces"),
    ],
)
def test_calendar_refuses_bad_input(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InteropError, match=message):
        titration_calendar(TRIAL, **kwargs)  # type: ignore[arg-type]


# -- FHIR ----------------------------------------------------------------------------------------


def test_medication_request_has_one_sequential_dosage_per_step() -> None:
    resource = medication_request(
        TRIAL, "Patient/example", request_id="ldn-titration-example", authored_on=date(2025, 3, 20)
    )
    assert isinstance(resource, MedicationRequest)
    dosages = resource.dosageInstruction
    assert [d.sequence for d in dosages] == [1, 2, 3, 4]
    assert [d.doseAndRate[0].doseQuantity.value for d in dosages] == [
        Decimal("1.5"),
        Decimal(3),
        Decimal("4.5"),
        Decimal(6),
    ]
    first = dosages[0]
    assert first.doseAndRate[0].doseQuantity.system == "http://unitsofmeasure.org"
    assert first.doseAndRate[0].doseQuantity.code == "mg"
    assert first.timing.repeat.when == ["HS"]
    assert (
        first.timing.repeat.frequency,
        first.timing.repeat.period,
        first.timing.repeat.periodUnit,
    ) == (1, 1, "d")
    assert first.timing.repeat.boundsPeriod.start == date(2025, 3, 24)
    assert first.timing.repeat.boundsPeriod.end == date(2025, 3, 30)
    assert first.text == "Step 1: 1.5 mg by mouth at bedtime from 2025-03-24 to 2025-03-30 (7 days)"
    coding = resource.medicationCodeableConcept.coding[0]
    assert (coding.system, coding.code) == ("http://www.nlm.nih.gov/research/umls/rxnorm", "7243")
    assert "Off-label" in resource.note[0].text


def test_medication_request_round_trips_through_json() -> None:
    plan = step_back(move_to_morning(TRIAL, on=date(2025, 3, 26)), on=date(2025, 4, 2), days=3)
    resource = medication_request(plan, "Patient/1")
    text = resource.model_dump_json(exclude_none=True)
    again = MedicationRequest.model_validate_json(text)
    assert again.model_dump_json(exclude_none=True) == text
    assert (
        json.loads(text)["dosageInstruction"][0]["doseAndRate"][0]["doseQuantity"]["value"] == 1.5
    )
    back = steps_from_medication_request(text)
    assert [(s.start, s.end, s.dose_mg, s.time) for s in back] == [
        (s.start, s.end, s.dose_mg, s.time) for s in plan
    ]
    assert back[-1].time is DoseTime.MORNING


def test_open_ended_last_step_has_no_end_and_reads_back_open() -> None:
    plan = get_protocol("ldnrt-slow").schedule(date(2025, 1, 6))
    resource = medication_request(plan, "Patient/1", rxnorm_code=None)
    last = resource.dosageInstruction[-1]
    assert last.timing.repeat.boundsPeriod.end is None
    assert "onwards" in last.text
    assert resource.medicationCodeableConcept.coding is None
    assert steps_from_medication_request(resource.model_dump())[-1].end is None


def test_fhir_refusals() -> None:
    with pytest.raises(InteropError, match="patient_ref is empty"):
        medication_request(TRIAL, " ")
    with pytest.raises(InteropError, match="not a valid R4B"):
        steps_from_medication_request({"resourceType": "MedicationRequest", "status": "bogus"})
    with pytest.raises(InteropError, match="not an R4 MedicationRequest status"):
        medication_request(TRIAL, "Patient/1", status="signed")
    with pytest.raises(InteropError, match="not validate"):
        medication_request(TRIAL, "Patient/1", request_id="not a valid id!")
