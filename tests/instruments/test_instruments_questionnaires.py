"""PHQ-9, PHQ-2, GAD-7, PGIC and the daily 0-10 items: worked examples, bands, validation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lowdose.instruments import (
    PFIZER_NOTICE,
    AnswerError,
    UnknownInstrumentError,
    get,
    names,
    score,
)

REF = json.loads(
    (Path(__file__).parents[1] / "reference" / "instruments_worked_examples.json").read_text()
)["phq"]


def _items(values: list[int]) -> dict[str, int]:
    return {f"item{i}": v for i, v in enumerate(values, start=1)}


def _spread(total: int, n: int) -> list[int]:
    out = []
    for _ in range(n):
        v = min(3, total)
        out.append(v)
        total -= v
    assert total == 0
    return out


def test_phq9_worked_example() -> None:
    r = score("phq9", _items(REF["phq9_items"]))
    assert (r.total, r.band) == (REF["phq9_total"], REF["phq9_band"])
    assert dict(r.subscores)["phq2"] == REF["phq2_total"]
    assert r.flags == ()


def test_phq2_worked_example() -> None:
    r = score("phq2", _items(REF["phq9_items"][:2]))
    assert (r.total, r.band) == (REF["phq2_total"], REF["phq2_band"])


def test_gad7_worked_example() -> None:
    r = score("gad7", _items(REF["gad7_items"]))
    assert (r.total, r.band) == (REF["gad7_total"], REF["gad7_band"])


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_band_boundaries(total: int, band: str) -> None:
    # item 9 kept at 0 except where the total needs it
    r = score("phq9", _items(_spread(total, 9)))
    assert (r.total, r.band) == (total, band)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_band_boundaries(total: int, band: str) -> None:
    r = score("gad7", _items(_spread(total, 7)))
    assert (r.total, r.band) == (total, band)
    assert ("gad7_screen_positive" in r.flags) is (total >= 10)


@pytest.mark.parametrize(
    ("a", "b", "band"),
    [(1, 1, "negative"), (1, 2, "positive"), (0, 0, "negative"), (3, 3, "positive")],
)
def test_phq2_cutoff(a: int, b: int, band: str) -> None:
    r = score("phq2", {"item1": a, "item2": b})
    assert r.band == band
    assert ("phq2_positive_sensitive_cutoff" in r.flags) is (a + b >= 2)


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq9_item9_flag_whatever_the_total(item9: int) -> None:
    r = score("phq9", _items([0] * 8 + [item9]))
    assert r.band == "minimal"
    assert "phq9_item9_positive" in r.flags
    assert "follow-up" in r.interpretation


def test_phq9_difficulty_item_is_unscored_and_optional() -> None:
    base = _items([1] * 9)
    assert score("phq9", base).total == 9
    assert score("phq9", {**base, "difficulty": 3}).total == 9


def test_phq_gad_carry_pfizer_notice_and_loinc() -> None:
    for name, total_code in (("phq9", "44261-6"), ("phq2", "55758-7"), ("gad7", "70274-6")):
        inst = get(name)
        assert inst.copyright == PFIZER_NOTICE
        assert "No permission required to reproduce" in PFIZER_NOTICE
        assert inst.loinc_total == total_code
    phq9 = get("phq9")
    assert phq9.loinc_panel == "44249-1"
    assert phq9.item("item9").code == "44260-8"
    assert [o.code for o in phq9.item("item1").options] == [
        "LA6568-5",
        "LA6569-3",
        "LA6570-1",
        "LA6571-9",
    ]


@pytest.mark.parametrize(
    ("value", "label", "important"),
    [
        (1, "very much improved", True),
        (2, "much improved", True),
        (3, "minimally improved", False),
        (4, "no change", False),
        (7, "very much worse", False),
    ],
)
def test_pgic(value: int, label: str, important: bool) -> None:
    r = score("pgic", {"change": value})
    assert r.band == label
    assert ("pgic_clinically_important_improvement" in r.flags) is important


def test_daily_items() -> None:
    r = score("daily", {"pain": 6, "fatigue": "7", "sleep_quality": 3, "mood": 0})
    assert r.total == 6
    assert dict(r.subscores) == {"pain": 6, "fatigue": 7, "sleep_quality": 3, "mood": 0}
    sleep = get("sleep_quality_nrs").items[0]
    # ADR 0002: sleep quality and mood run 0 = worst, 10 = best (Cappelleri's item, reversed).
    assert sleep.anchors == ("0 = worst possible sleep", "10 = best possible sleep")
    assert get("mood_nrs").items[0].anchors == (
        "0 = worst possible mood",
        "10 = best possible mood",
    )
    assert [get(n).higher_is_worse for n in ("fatigue_nrs", "sleep_quality_nrs", "mood_nrs")] == [
        True,
        False,
        False,
    ]
    assert get("pain_nrs").loinc_total == "72514-3"


@pytest.mark.parametrize(
    ("name", "answers", "field"),
    [
        ("pain_nrs", {"pain": 11}, "pain"),
        ("pain_nrs", {"pain": -1}, "pain"),
        ("pain_nrs", {"pain": "six"}, "pain"),
        ("pain_nrs", {"pain": True}, "pain"),
        ("pain_nrs", {}, "pain"),
        ("phq9", {**{f"item{i}": 0 for i in range(1, 9)}}, "item9"),
        ("phq9", {**{f"item{i}": 0 for i in range(1, 10)}, "item10": 1}, "item10"),
        ("gad7", {**{f"item{i}": 0 for i in range(1, 7)}, "item7": 4}, "item7"),
        ("pgic", {"change": 0}, "change"),
        ("acr2016", {"neck": "maybe"}, "neck"),
    ],
)
def test_validation_errors_name_the_field(name: str, answers: dict[str, Any], field: str) -> None:
    with pytest.raises(AnswerError) as exc:
        score(name, answers)
    assert exc.value.field == field
    assert str(exc.value)  # says what to fix


def test_unknown_instrument() -> None:
    with pytest.raises(UnknownInstrumentError) as exc:
        get("bpi")
    assert exc.value.field == "instrument"
    assert "phq9" in str(exc.value)


def test_registry_aliases_and_contents() -> None:
    assert get("PHQ-9") is get("phq9")
    for required in (
        "daily",
        "phq9",
        "phq2",
        "gad7",
        "pgic",
        "acr2010",
        "acr2011",
        "acr2016",
        "fiqr",
    ):
        assert required in names()


def test_result_is_frozen_and_serialisable() -> None:
    r = score("phq9", _items(REF["phq9_items"]))
    with pytest.raises(AttributeError):
        r.total = 3  # type: ignore[misc]
    d = r.to_dict()
    json.dumps(d)
    assert d["version"].startswith("PHQ-9")
    assert d["band"] == "moderate"


@pytest.mark.parametrize("name", names())
def test_definition_dict_drives_a_form(name: str) -> None:
    d = get(name).to_dict()
    json.dumps(d)
    assert [i["link_id"] for i in d["items"]] == list(get(name).link_ids)
    assert d["version"] == get(name).version


def test_phq9_definition_dict_details() -> None:
    d = get("phq9").to_dict()
    item9 = d["items"][8]
    assert item9["code"] == "44260-8"
    assert [o["value"] for o in item9["options"]] == [0, 1, 2, 3]
    assert d["copyright"] == PFIZER_NOTICE
    assert d["items"][9]["scored"] is False


def test_gad7_loinc_codes_follow_hl7_phr_questionnaire() -> None:
    gad7 = get("gad7")
    assert gad7.loinc_panel == "69737-5"
    assert [i.code for i in gad7.items] == [
        "69725-0",
        "68509-9",
        "69733-4",
        "69734-2",
        "69735-9",
        "69689-8",
        "69736-7",
    ]
    assert gad7.item("item7").options[3].code == "LA6571-9"


@settings(derandomize=True, max_examples=100)
@given(values=st.lists(st.integers(0, 3), min_size=9, max_size=9))
def test_phq9_total_and_band_property(values: list[int]) -> None:
    r = score("phq9", _items(values))
    total = sum(values)
    assert r.total == total
    cut = [5, 10, 15, 20]  # Kroenke 2001
    labels = ["minimal", "mild", "moderate", "moderately severe", "severe"]
    assert r.band == labels[sum(total >= c for c in cut)]
    assert ("phq9_item9_positive" in r.flags) is (values[8] > 0)
    assert dict(r.subscores)["phq2"] == values[0] + values[1]
