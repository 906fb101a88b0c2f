"""FHIR R4B resources from instrument definitions, and assignment schedules."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lowdose.errors import InputError
from lowdose.instruments import AssignmentSchedule, get, names, score
from lowdose.interop.fhir import (
    observation,
    questionnaire,
    questionnaire_response,
    versioned_canonical,
)

WHEN = datetime(2025, 1, 15, 9, 5, tzinfo=UTC)
PHQ9 = {f"item{i}": v for i, v in enumerate([2, 2, 1, 1, 0, 1, 2, 1, 0], start=1)}


@pytest.mark.parametrize("name", names())
def test_every_instrument_builds_a_valid_questionnaire(name: str) -> None:
    q = questionnaire(get(name))
    assert len(q.item) == len(get(name).items)
    assert q.url == f"http://localhost:8000/fhir/Questionnaire/{name.replace('_', '-')}"
    assert q.version is not None
    assert q.version.isdigit()
    assert q.id == name.replace("_", "-")


def test_versioned_canonical_and_a_custom_base() -> None:
    assert (
        versioned_canonical(get("gad7"), "https://ldn.clinic.example/fhir/")
        == "https://ldn.clinic.example/fhir/Questionnaire/gad7|1"
    )
    qr = questionnaire_response(
        get("phq9"), PHQ9, subject="Patient/1", authored=WHEN, base="https://x.example/fhir"
    )
    assert qr.questionnaire == "https://x.example/fhir/Questionnaire/phq9|1"


def test_published_fiqr_withholds_its_wording_and_phq9_keeps_it() -> None:
    private = questionnaire(get("fiqr"))
    public = questionnaire(get("fiqr"), publish=True)
    assert [i.linkId for i in public.item] == [i.linkId for i in private.item]
    assert all("not published" in (i.text or "") for i in public.item)
    assert "not published" in (public.description or "")
    phq9 = questionnaire(get("phq9"), publish=True)
    assert phq9.item[0].text == get("phq9").items[0].text


def test_phq9_questionnaire_follows_us_core() -> None:
    q = questionnaire(get("phq9"))
    assert q.code[0].code == "44249-1"
    assert "Pfizer" in q.copyright
    item9 = next(i for i in q.item if i.linkId == "item9")
    assert item9.code[0].code == "44260-8"
    weights = [o.extension[0].valueDecimal for o in item9.answerOption]
    assert [int(w) for w in weights] == [0, 1, 2, 3]
    assert item9.answerOption[2].valueCoding.code == "LA6570-1"


def test_questionnaire_response_and_observation_roundtrip() -> None:
    qr = questionnaire_response(
        get("phq9"), PHQ9, subject="Patient/example", authored=WHEN, response_id="phq9-1"
    )
    assert qr.status == "completed"
    assert qr.item[0].answer[0].valueCoding.code == "LA6570-1"
    obs = observation(
        score("phq9", PHQ9),
        subject="Patient/example",
        effective=WHEN,
        derived_from="QuestionnaireResponse/phq9-1",
    )
    assert obs.code.coding[0].code == "44261-6"
    assert obs.valueInteger == 10
    assert obs.category[0].coding[0].code == "survey"
    assert obs.derivedFrom[0].reference == "QuestionnaireResponse/phq9-1"


def test_observation_local_code_and_decimal_and_criteria_components() -> None:
    fiqr = dict.fromkeys(get("fiqr").link_ids, 5)
    obs = observation(score("fiqr", fiqr), subject="Patient/1", effective=WHEN)
    assert obs.code.coding[0].system.startswith("urn:lowdose")
    assert obs.valueQuantity.code == "{score}"
    acr: dict[str, Any] = {
        a: False for a in get("acr2016").link_ids if get("acr2016").item(a).group == "wpi"
    }
    acr.update(
        neck=True,
        fatigue=1,
        waking_unrefreshed=1,
        cognitive=1,
        headaches=False,
        lower_abdominal=False,
        depression=False,
        duration_months=1,
    )
    o2 = observation(score("acr2016", acr), subject="Patient/1", effective=WHEN)
    comps = {c.code.text: c for c in o2.component}
    assert comps["wpi"].valueInteger == 1
    assert comps["meets_criteria"].valueBoolean is False


def test_naive_datetimes_rejected() -> None:
    with pytest.raises(InputError) as exc:
        questionnaire_response(
            get("phq9"), PHQ9, subject="Patient/1", authored=datetime(2025, 1, 1)
        )
    assert exc.value.field == "authored"


def test_schedule_baseline_every_four_weeks() -> None:
    s = AssignmentSchedule("phq9", date(2025, 1, 6), occurrences=4)
    assert [o.due for o in s.due_dates()] == [
        date(2025, 1, 6),
        date(2025, 2, 3),
        date(2025, 3, 3),
        date(2025, 3, 31),
    ]
    assert s.due_dates()[0].is_baseline


def test_schedule_until_is_inclusive() -> None:
    s = AssignmentSchedule("gad7", date(2025, 1, 1), every_weeks=2, until=date(2025, 1, 29))
    assert [o.index for o in s.due_dates()] == [0, 1, 2]


def test_next_due_skips_completed_windows() -> None:
    s = AssignmentSchedule("phq9", date(2025, 1, 6), occurrences=3)
    assert s.next_due(date(2025, 1, 6)).due == date(2025, 1, 6)
    assert s.next_due(date(2025, 2, 10), completed=[date(2025, 1, 7)]).due == date(2025, 2, 3)
    assert s.next_due(
        date(2025, 2, 10), completed=[date(2025, 1, 7), date(2025, 2, 4)]
    ).due == date(2025, 3, 3)
    done = [date(2025, 1, 7), date(2025, 2, 4), date(2025, 3, 3)]
    assert s.next_due(date(2025, 4, 1), completed=done) is None


@settings(derandomize=True)
@given(
    start=st.dates(date(2000, 1, 1), date(2100, 1, 1)),
    weeks=st.integers(1, 26),
    n=st.integers(1, 30),
)
def test_schedule_spacing_is_exact(start: date, weeks: int, n: int) -> None:
    due = [
        o.due
        for o in AssignmentSchedule("daily", start, every_weeks=weeks, occurrences=n).due_dates()
    ]
    assert len(due) == n
    assert all(b - a == timedelta(weeks=weeks) for a, b in itertools.pairwise(due))


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"every_weeks": 0}, "every_weeks"),
        ({"occurrences": 0}, "occurrences"),
        ({"until": date(2024, 12, 31)}, "until"),
    ],
)
def test_schedule_validation(kwargs: dict, field: str) -> None:
    with pytest.raises(InputError) as exc:
        AssignmentSchedule("phq9", date(2025, 1, 1), **kwargs)
    assert exc.value.field == field


def test_open_ended_schedule_needs_a_bound() -> None:
    s = AssignmentSchedule("phq9", date(2025, 1, 1))
    with pytest.raises(InputError):
        s.due_dates()
    assert len(s.due_dates(occurrences=3)) == 3
