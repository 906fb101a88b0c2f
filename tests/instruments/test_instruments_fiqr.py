"""FIQR scoring (worked example, missing-data rule) and the licensed-wording loader."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lowdose.instruments import (
    AnswerError,
    WordingFileError,
    get,
    load_licensed_wording,
    register,
    reset,
    score,
)

REF = json.loads(
    (Path(__file__).parents[1] / "reference" / "instruments_worked_examples.json").read_text()
)["fiqr"]


def _answers() -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for domain in ("function", "impact", "symptom"):
        for n, v in enumerate(REF[domain], start=1):
            out[f"{domain}_{n}"] = v
    return out


def test_worked_example() -> None:
    r = score("fiqr", _answers())
    assert abs(r.total - Decimal(REF["total"])) <= Decimal(str(REF["tolerance"]))
    assert r.total == Decimal(REF["total"])
    assert dict(r.subscores) == {
        "function": Decimal("14.33"),
        "impact": Decimal("11.00"),
        "symptom": Decimal("30.00"),
    }


def test_one_missing_function_item_is_prorated() -> None:
    a = _answers()
    a["function_4"] = None
    r = score("fiqr", a)
    assert r.total == Decimal(REF["total_with_function_item_4_missing"])
    assert "fiqr_function_item_prorated" in r.flags


def test_two_missing_function_items_invalid() -> None:
    a = _answers()
    del a["function_4"]
    del a["function_5"]
    with pytest.raises(AnswerError) as exc:
        score("fiqr", a)
    assert exc.value.field == "function_4"


@pytest.mark.parametrize("key", ["impact_1", "symptom_10"])
def test_any_missing_impact_or_symptom_item_invalid(key: str) -> None:
    a = _answers()
    del a[key]
    with pytest.raises(AnswerError) as exc:
        score("fiqr", a)
    assert exc.value.field == key


def test_extremes() -> None:
    a = dict.fromkeys(get("fiqr").link_ids, 10)
    assert score("fiqr", a).total == Decimal("100.00")
    assert score("fiqr", dict.fromkeys(a, 0)).total == Decimal("0.00")


def test_shipped_definition_has_no_licensed_wording() -> None:
    fiqr = get("fiqr")
    assert not fiqr.wording_licensed
    assert len(fiqr.items) == 21
    assert all("licensed wording not installed" in i.text for i in fiqr.items)


def _placeholder_file(tmp_path: Path, **overrides: Any) -> Path:
    data: dict[str, Any] = {
        "format": "lowdose-instrument-wording/1",
        "instrument": "fiqr",
        "language": "en",
        "copyright": "PLACEHOLDER notice for tests - not the real FIQR notice",
        "licence": {"holder": "Test Clinic", "reference": "TEST-0001"},
        "preamble": "Placeholder instructions.",
        "items": {k: f"Placeholder wording {k}" for k in get("fiqr").link_ids},
        "anchors": {"function_1": ["placeholder low", "placeholder high"]},
    }
    data.update(overrides)
    path = tmp_path / "fiqr-wording.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_loader_installs_wording_and_keeps_scoring(tmp_path: Path) -> None:
    licensed = load_licensed_wording(_placeholder_file(tmp_path))
    assert licensed.wording_licensed
    assert licensed.item("symptom_3").text == "Placeholder wording symptom_3"
    assert licensed.item("function_1").anchors == ("placeholder low", "placeholder high")
    assert licensed.copyright.startswith("PLACEHOLDER")
    assert "TEST-0001" in licensed.version
    try:
        register(licensed, replace=True)
        assert get("fiqr").wording_licensed
        assert score("fiqr", _answers()).total == Decimal(REF["total"])
    finally:
        reset()
    assert not get("fiqr").wording_licensed


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"format": "other/1"}, "format"),
        ({"instrument": "phq9"}, "instrument"),
        ({"copyright": ""}, "copyright"),
        ({"licence": {"holder": "x"}}, "reference"),
        ({"items": {"function_1": "only one"}}, "items.function_2"),
        ({"anchors": {"function_1": ["one"]}}, "anchors.function_1"),
    ],
)
def test_loader_rejects_bad_files(tmp_path: Path, override: dict[str, Any], field: str) -> None:
    with pytest.raises(WordingFileError) as exc:
        load_licensed_wording(_placeholder_file(tmp_path, **override))
    assert exc.value.field == field


def test_loader_rejects_unknown_item_and_bad_json(tmp_path: Path) -> None:
    items = dict.fromkeys(get("fiqr").link_ids, "x") | {"function_10": "extra"}
    with pytest.raises(WordingFileError) as exc:
        load_licensed_wording(_placeholder_file(tmp_path, items=items))
    assert exc.value.field == "items.function_10"
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(WordingFileError, match="not valid JSON"):
        load_licensed_wording(bad)
    with pytest.raises(WordingFileError, match="cannot read"):
        load_licensed_wording(tmp_path / "missing.json")


@settings(derandomize=True, max_examples=200)
@given(
    values=st.lists(st.integers(0, 10), min_size=21, max_size=21),
    missing=st.one_of(st.none(), st.integers(1, 9)),
)
def test_fiqr_total_is_exact_formula(values: list[int], missing: int | None) -> None:
    f, o, s = values[:9], values[9:11], values[11:]
    answers: dict[str, int | None] = {f"function_{i}": v for i, v in enumerate(f, 1)}
    answers |= {f"impact_{i}": v for i, v in enumerate(o, 1)}
    answers |= {f"symptom_{i}": v for i, v in enumerate(s, 1)}
    answered = list(f)
    if missing is not None:
        answers[f"function_{missing}"] = None
        answered.pop(missing - 1)
    exact = Fraction(sum(answered) * 9, len(answered) * 3) + sum(o) + Fraction(sum(s), 2)
    r = score("fiqr", answers)
    expected = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    assert r.total == expected
    assert Decimal(0) <= r.total <= Decimal(100)
