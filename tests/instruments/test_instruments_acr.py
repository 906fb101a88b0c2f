"""ACR 2010/2011/2016 criteria: worked examples, every threshold, every region boundary."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lowdose.errors import InputError
from lowdose.instruments import FS_BANDS, WPI_AREAS, evaluate_criteria, get, score

REF = json.loads(
    (Path(__file__).parents[1] / "reference" / "instruments_worked_examples.json").read_text()
)["acr"]
ALL_AREAS = [a.name for a in WPI_AREAS]


def _six(case: dict[str, Any]) -> dict[str, Any]:
    return {k: case[k] for k in ("headaches", "lower_abdominal", "depression")}


def _sss(case: dict[str, Any]) -> dict[str, Any]:
    return {k: case[k] for k in ("fatigue", "waking_unrefreshed", "cognitive")}


@pytest.mark.parametrize("case", REF["cases"], ids=lambda c: c["case"])
@pytest.mark.parametrize("version", ["acr2011", "acr2016"])
def test_worked_examples(case: dict[str, Any], version: str) -> None:
    res = evaluate_criteria(
        version,  # type: ignore[arg-type]
        areas=case["areas"],
        duration_months=6,
        other_disorder=False if version == "acr2011" else None,
        **_sss(case),
        **_six(case),
    )
    assert (res.wpi, res.sss, res.fs) == (case["wpi"], case["sss"], case["fs"])
    assert len(res.regions_with_pain) == case["regions"]
    assert res.severity_band == case["band"]
    expected = case["meets_2016"] if version == "acr2016" else case["meets_2010_2011"]
    assert res.meets_criteria is expected
    assert res.criteria_version == version


@pytest.mark.parametrize("case", REF["cases"], ids=lambda c: c["case"])
def test_worked_examples_acr2010_with_equivalent_somatic(case: dict[str, Any]) -> None:
    # 2010 uses the physician's somatic estimate (0-3); give it the same count as the 2011 symptoms
    somatic = sum(int(v) for v in _six(case).values())
    res = evaluate_criteria(
        "acr2010",
        areas=case["areas"],
        duration_months=3,
        somatic=somatic,
        other_disorder=False,
        **_sss(case),
    )
    assert (res.wpi, res.sss, res.fs) == (case["wpi"], case["sss"], case["fs"])
    assert res.meets_criteria is case["meets_2010_2011"]


def test_case_b_excludes_jaw_chest_abdomen_from_regions() -> None:
    case = REF["cases"][1]
    res = evaluate_criteria(
        "acr2016", areas=case["areas"], duration_months=12, **_sss(case), **_six(case)
    )
    assert res.regions_with_pain == ("left_upper", "axial")
    assert res.generalized_pain is False
    assert any("generalized pain absent" in r for r in res.reasons)


# --- every WPI / SSS threshold -------------------------------------------------------------------
# Areas chosen so that any WPI >= 4 reaches all needed regions: one per region first.
_SPREAD = [
    "shoulder_girdle_left",
    "shoulder_girdle_right",
    "hip_left",
    "hip_right",
    "neck",
    "upper_arm_left",
    "upper_arm_right",
    "upper_leg_left",
    "upper_leg_right",
    "lower_back",
    "upper_back",
    "lower_arm_left",
    "lower_arm_right",
    "lower_leg_left",
    "lower_leg_right",
    "jaw_left",
    "jaw_right",
    "chest",
    "abdomen",
]


def _rule(version: str, wpi: int, sss: int) -> bool:
    """Independent statement of rule 1 (Wolfe 2010/2011: 3-6; 2016: 4-6)."""
    low = 4 if version == "acr2016" else 3
    return (wpi >= 7 and sss >= 5) or (low <= wpi <= 6 and sss >= 9)


def _symptoms(sss: int) -> dict[str, Any]:
    parts = [min(3, max(0, sss - 3 * i)) for i in range(4)]
    return {
        "fatigue": parts[0],
        "waking_unrefreshed": parts[1],
        "cognitive": parts[2],
        "headaches": parts[3] >= 1,
        "lower_abdominal": parts[3] >= 2,
        "depression": parts[3] >= 3,
    }


@pytest.mark.parametrize(
    ("wpi", "sss", "meets_2011", "meets_2016"),
    [
        (2, 12, False, False),
        (3, 8, False, False),
        (3, 9, True, False),
        (4, 8, False, False),
        (4, 9, True, True),
        (6, 8, False, False),
        (6, 9, True, True),
        (7, 4, False, False),
        (7, 5, True, True),
        (19, 4, False, False),
        (19, 5, True, True),
    ],
)
def test_wpi_sss_thresholds(wpi: int, sss: int, meets_2011: bool, meets_2016: bool) -> None:
    areas = _SPREAD[:wpi]
    r11 = evaluate_criteria("acr2011", areas=areas, duration_months=3, **_symptoms(sss))
    r16 = evaluate_criteria("acr2016", areas=areas, duration_months=3, **_symptoms(sss))
    assert (r11.wpi, r11.sss) == (wpi, sss)
    assert r16.generalized_pain is (wpi >= 4)
    assert r11.meets_criteria is meets_2011
    assert r16.meets_criteria is meets_2016


@settings(derandomize=True)
@given(wpi=st.integers(0, 19), sss=st.integers(0, 12))
def test_rule_matches_independent_statement(wpi: int, sss: int) -> None:
    for version in ("acr2011", "acr2016"):
        res = evaluate_criteria(
            version,  # type: ignore[arg-type]
            areas=_SPREAD[:wpi],
            duration_months=3,
            **_symptoms(sss),
        )
        generalized = wpi >= 4
        expected = _rule(version, wpi, sss) and (generalized or version != "acr2016")
        assert res.meets_criteria is expected
        assert res.fs == wpi + sss


def test_duration_boundary() -> None:
    kw = {"areas": _SPREAD[:8], **_symptoms(8)}
    assert evaluate_criteria("acr2016", duration_months=3, **kw).meets_criteria
    short = evaluate_criteria("acr2016", duration_months=2, **kw)
    assert not short.meets_criteria
    assert "symptoms for 2 months (≥3 needed)" in short.reasons


def test_other_disorder_excludes_in_2010_2011_only() -> None:
    kw: dict[str, Any] = {"areas": _SPREAD[:8], "duration_months": 6}
    r = evaluate_criteria("acr2011", other_disorder=True, **kw, **_symptoms(8))
    assert not r.meets_criteria
    with pytest.raises(InputError) as exc:
        evaluate_criteria("acr2016", other_disorder=True, **kw, **_symptoms(8))
    assert exc.value.field == "other_disorder"


def test_unrecorded_exclusion_is_flagged() -> None:
    r = evaluate_criteria("acr2011", areas=_SPREAD[:8], duration_months=6, **_symptoms(8))
    assert r.meets_criteria
    assert "exclusion_not_recorded" in r.flags


# --- regions -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("area", "region", "counts"),
    [
        ("jaw_left", "left_upper", False),
        ("shoulder_girdle_left", "left_upper", True),
        ("upper_arm_left", "left_upper", True),
        ("lower_arm_left", "left_upper", True),
        ("jaw_right", "right_upper", False),
        ("shoulder_girdle_right", "right_upper", True),
        ("upper_arm_right", "right_upper", True),
        ("lower_arm_right", "right_upper", True),
        ("hip_left", "left_lower", True),
        ("upper_leg_left", "left_lower", True),
        ("lower_leg_left", "left_lower", True),
        ("hip_right", "right_lower", True),
        ("upper_leg_right", "right_lower", True),
        ("lower_leg_right", "right_lower", True),
        ("neck", "axial", True),
        ("upper_back", "axial", True),
        ("lower_back", "axial", True),
        ("chest", "axial", False),
        ("abdomen", "axial", False),
    ],
)
def test_each_area_region(area: str, region: str, counts: bool) -> None:
    r = evaluate_criteria("acr2016", areas=[area], duration_months=3, **_symptoms(0))
    assert r.wpi == 1
    assert r.regions_with_pain == ((region,) if counts else ())


def test_exactly_19_areas_with_issue_names() -> None:
    issue = [
        "jaw_left",
        "jaw_right",
        "shoulder_girdle_left",
        "shoulder_girdle_right",
        "upper_arm_left",
        "upper_arm_right",
        "lower_arm_left",
        "lower_arm_right",
        "hip_left",
        "hip_right",
        "upper_leg_left",
        "upper_leg_right",
        "lower_leg_left",
        "lower_leg_right",
        "neck",
        "upper_back",
        "lower_back",
        "chest",
        "abdomen",
    ]
    assert sorted(ALL_AREAS) == sorted(issue)
    assert len(ALL_AREAS) == 19


def test_three_vs_four_regions_boundary() -> None:
    three = ["shoulder_girdle_left", "shoulder_girdle_right", "hip_left", "jaw_left", "chest"]
    r3 = evaluate_criteria("acr2016", areas=three, duration_months=6, **_symptoms(12))
    assert len(r3.regions_with_pain) == 3
    assert not r3.generalized_pain
    assert not r3.meets_criteria  # WPI 5 & SSS 12 passes rule 1, fails generalized pain
    r4 = evaluate_criteria(
        "acr2016", areas=[*three, "hip_right"], duration_months=6, **_symptoms(12)
    )
    assert len(r4.regions_with_pain) == 4
    assert r4.generalized_pain
    assert r4.meets_criteria


def test_all_areas_max() -> None:
    r = evaluate_criteria("acr2016", areas=ALL_AREAS, duration_months=6, **_symptoms(12))
    assert (r.wpi, r.sss, r.fs, r.severity_band) == (19, 12, 31, "very severe")


@pytest.mark.parametrize(
    ("fs", "band"),
    [
        (0, "none"),
        (3, "none"),
        (4, "mild"),
        (7, "mild"),
        (8, "moderate"),
        (11, "moderate"),
        (12, "severe"),
        (19, "severe"),
        (20, "very severe"),
        (31, "very severe"),
    ],
)
def test_fs_band_boundaries(fs: int, band: str) -> None:
    wpi = min(fs, 19)
    r = evaluate_criteria("acr2011", areas=_SPREAD[:wpi], duration_months=6, **_symptoms(fs - wpi))
    assert r.fs == fs
    assert r.severity_band == band
    assert [b.label for b in FS_BANDS if b.low <= fs <= b.high] == [band]


# --- wording -------------------------------------------------------------------------
def test_self_report_reads_research_classification_never_diagnosis() -> None:
    r = evaluate_criteria("acr2011", areas=_SPREAD[:8], duration_months=6, **_symptoms(8))
    assert r.interpretation.startswith("2011 criteria met on self-report (research classification)")
    assert "diagnos" not in r.interpretation.lower()
    r16 = evaluate_criteria(
        "acr2016", areas=_SPREAD[:8], duration_months=6, self_report=True, **_symptoms(8)
    )
    assert r16.interpretation.startswith(
        "2016 criteria met on self-report (research classification)"
    )
    assert r16.instrument == "acr2016_self"


def test_version_is_stored_in_result_dict() -> None:
    d = evaluate_criteria("acr2016", areas=_SPREAD[:8], duration_months=6, **_symptoms(8)).to_dict()
    for key in (
        "version",
        "wpi",
        "sss",
        "fs",
        "regions_with_pain",
        "generalized_pain",
        "meets_criteria",
        "severity_band",
    ):
        assert key in d
    assert d["version"] == "acr2016"


# --- validation -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"areas": ["knee_left"]}, "areas"),
        ({"areas": ["neck", "neck"]}, "areas"),
        ({"fatigue": 4}, "fatigue"),
        ({"cognitive": -1}, "cognitive"),
        ({"duration_months": -1}, "duration_months"),
        ({"headaches": None}, "headaches"),
        ({"somatic": 2}, "somatic"),
    ],
)
def test_bad_input_names_field(kwargs: dict[str, Any], field: str) -> None:
    base: dict[str, Any] = {"areas": ["neck"], "duration_months": 3, **_symptoms(5)}
    base.update(kwargs)
    with pytest.raises(InputError) as exc:
        evaluate_criteria("acr2016", **base)
    assert exc.value.field == field


def test_acr2010_requires_somatic() -> None:
    with pytest.raises(InputError) as exc:
        evaluate_criteria(
            "acr2010",
            areas=["neck"],
            duration_months=3,
            fatigue=1,
            waking_unrefreshed=1,
            cognitive=1,
        )
    assert exc.value.field == "somatic"


def test_form_definition_scores_like_function() -> None:
    answers: dict[str, Any] = {a: (a in _SPREAD[:6]) for a in ALL_AREAS}
    answers.update(
        fatigue=3,
        waking_unrefreshed=3,
        cognitive=2,
        headaches="yes",
        lower_abdominal="no",
        depression=False,
        duration_months="4",
    )
    r = score("acr2016", answers)
    assert (r.total, r.band) == (15, "severe")
    assert get("acr2016").item("jaw_left").kind == "boolean"
    assert len([i for i in get("acr2016").items if i.group == "wpi"]) == 19
