"""ACR 2010, 2011 (self-report) and 2016 fibromyalgia criteria, WPI, SSS and the FS (PSD) scale.

Widespread Pain Index (WPI, 0–19), Symptom Severity Scale (SSS, 0–12) and the fibromyalgia
severity scale

.. math::

    \\mathrm{FS} = \\mathrm{WPI} + \\mathrm{SSS} \\in [0, 31]

(Wolfe 2011). Decision rule 1, with :math:`w_0 = 3` in 2010/2011 and :math:`w_0 = 4` in 2016:

.. math::

    (\\mathrm{WPI} \\ge 7 \\wedge \\mathrm{SSS} \\ge 5) \\vee
    (w_0 \\le \\mathrm{WPI} \\le 6 \\wedge \\mathrm{SSS} \\ge 9)

2016 adds *generalized pain*: pain in ≥4 of the 5 regions, where jaw, chest and abdomen do not
count. 2010/2011 add "no other disorder that would otherwise explain the pain"; 2016 drops it.
All versions require symptoms for ≥3 months.

Sources
-------
* Wolfe F et al. *Arthritis Care Res* 2010;62:600–610, doi:10.1002/acr.20140 (2010).
* Wolfe F et al. *J Rheumatol* 2011;38:1113–1122 (2011 self-report modification, FS).
* Wolfe F et al. *Semin Arthritis Rheum* 2016;46:319–329 (2016 revision), area/region table as
  reproduced in J Rheum Dis Table 4 and J Rheumatol 2016;43:1743.
* Wolfe F, Walitt BT, Rasker JJ, Katz RS, Häuser W. *J Rheumatol* 2015;42:1494–1501 (FS bands
  none 0–3, mild 4–7, moderate 8–11, severe 12–19, very severe 20–31).

A self-report result is a research classification, never a diagnosis (Wolfe 2011, 2016).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from lowdose.errors import InputError
from lowdose.instruments.model import Band, Instrument, Item, ResponseOption, ScoreResult, band_for

__all__ = [
    "ACR2010",
    "ACR2011",
    "ACR2016",
    "ACR2016_SELF",
    "CRITERIA_VERSIONS",
    "FS_BANDS",
    "REGIONS",
    "WPI_AREAS",
    "CriteriaResult",
    "CriteriaVersion",
    "evaluate_criteria",
]

CriteriaVersion = Literal["acr2010", "acr2011", "acr2016"]
CRITERIA_VERSIONS: tuple[CriteriaVersion, ...] = ("acr2010", "acr2011", "acr2016")


@dataclass(frozen=True, slots=True)
class WPIArea:
    """One of the 19 WPI areas, its 2016 region, and whether it counts for generalized pain."""

    name: str
    label: str
    region: str
    counts_for_generalized_pain: bool


#: The 19 WPI areas (Wolfe 2010/2011/2016; JRD Table 4). Jaw, chest and abdomen are excluded from
#: the 2016 generalized-pain rule ("Jaw, chest, and abdominal pain are excluded").
WPI_AREAS: tuple[WPIArea, ...] = (
    WPIArea("jaw_left", "Jaw, left", "left_upper", False),
    WPIArea("shoulder_girdle_left", "Shoulder girdle, left", "left_upper", True),
    WPIArea("upper_arm_left", "Upper arm, left", "left_upper", True),
    WPIArea("lower_arm_left", "Lower arm, left", "left_upper", True),
    WPIArea("jaw_right", "Jaw, right", "right_upper", False),
    WPIArea("shoulder_girdle_right", "Shoulder girdle, right", "right_upper", True),
    WPIArea("upper_arm_right", "Upper arm, right", "right_upper", True),
    WPIArea("lower_arm_right", "Lower arm, right", "right_upper", True),
    WPIArea("hip_left", "Hip (buttock, trochanter), left", "left_lower", True),
    WPIArea("upper_leg_left", "Upper leg, left", "left_lower", True),
    WPIArea("lower_leg_left", "Lower leg, left", "left_lower", True),
    WPIArea("hip_right", "Hip (buttock, trochanter), right", "right_lower", True),
    WPIArea("upper_leg_right", "Upper leg, right", "right_lower", True),
    WPIArea("lower_leg_right", "Lower leg, right", "right_lower", True),
    WPIArea("neck", "Neck", "axial", True),
    WPIArea("upper_back", "Upper back", "axial", True),
    WPIArea("lower_back", "Lower back", "axial", True),
    WPIArea("chest", "Chest", "axial", False),
    WPIArea("abdomen", "Abdomen", "axial", False),
)
_AREA_BY_NAME = {a.name: a for a in WPI_AREAS}

#: The five 2016 regions, in the order of Wolfe 2016.
REGIONS: tuple[str, ...] = ("left_upper", "right_upper", "left_lower", "right_lower", "axial")

#: FS / PSD bands, Wolfe 2015 J Rheumatol 42:1494.
FS_BANDS = (
    Band(0, 3, "none"),
    Band(4, 7, "mild"),
    Band(8, 11, "moderate"),
    Band(12, 19, "severe"),
    Band(20, 31, "very severe"),
)

# Decision thresholds (Wolfe 2010 / 2011 / 2016; reference table §1.3).
_WPI_HIGH = 7
_SSS_WITH_HIGH_WPI = 5
_WPI_MID_TOP = 6
_SSS_WITH_MID_WPI = 9
_WPI_MID_LOW = {"acr2010": 3, "acr2011": 3, "acr2016": 4}
_GENERALIZED_MIN_REGIONS = 4  # 2016: pain in ≥4 of 5 regions
_MIN_DURATION_MONTHS = 3  # "at least 3 months" (all versions)
_SYMPTOM_MAX = 3  # each of fatigue, waking unrefreshed, cognitive: 0–3
_YEAR = {"acr2010": "2010", "acr2011": "2011", "acr2016": "2016"}
_SOURCE = {
    "acr2010": "Wolfe F et al. Arthritis Care Res 2010;62:600-610 (ACR 2010 preliminary criteria)",
    "acr2011": "Wolfe F et al. J Rheumatol 2011;38:1113-1122 (2011 self-report modification)",
    "acr2016": "Wolfe F et al. Semin Arthritis Rheum 2016;46:319-329 (2016 revisions)",
}
_FS_SOURCE = "FS bands: Wolfe, Walitt, Rasker, Katz, Häuser, J Rheumatol 2015;42:1494"


@dataclass(frozen=True, kw_only=True)
class CriteriaResult(ScoreResult):
    """A scored fibromyalgia-criteria assessment.

    ``total`` is FS (0–31) and ``band`` its Wolfe 2015 band.

    The criteria ``version`` (``criteria_version``) and the respondent are stored with the result.
    """

    criteria_version: CriteriaVersion
    self_report: bool
    areas: tuple[str, ...]
    wpi: int
    sss: int
    fs: int
    regions_with_pain: tuple[str, ...]
    generalized_pain: bool
    meets_criteria: bool
    severity_band: str
    duration_months: int
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the CLI keys ``version, wpi, sss, fs, regions_with_pain, …``."""
        out = super().to_dict()
        out.update(
            {
                "version": self.criteria_version,
                "definition_version": self.version,
                "self_report": self.self_report,
                "areas": list(self.areas),
                "wpi": self.wpi,
                "sss": self.sss,
                "fs": self.fs,
                "regions_with_pain": list(self.regions_with_pain),
                "generalized_pain": self.generalized_pain,
                "meets_criteria": self.meets_criteria,
                "severity_band": self.severity_band,
                "duration_months": self.duration_months,
                "reasons": list(self.reasons),
            }
        )
        return out


def _check_symptom(name: str, value: int, top: int = _SYMPTOM_MAX) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
        raise InputError(
            f"{name} must be a whole number from 0 to {top} (0 no problem … {top} severe); "
            f"got {value!r}.",
            field=name,
        )


def evaluate_criteria(
    version: CriteriaVersion,
    *,
    areas: Iterable[str],
    fatigue: int,
    waking_unrefreshed: int,
    cognitive: int,
    duration_months: int,
    somatic: int | None = None,
    headaches: bool | None = None,
    lower_abdominal: bool | None = None,
    depression: bool | None = None,
    other_disorder: bool | None = None,
    self_report: bool | None = None,
) -> CriteriaResult:
    """Score WPI, SSS, FS and apply the decision rule of ``version``.

    Parameters
    ----------
    version : {"acr2010", "acr2011", "acr2016"}
    areas : iterable of str
        Painful WPI areas in the past week (names of :data:`WPI_AREAS`; duplicates rejected).
    fatigue, waking_unrefreshed, cognitive : int
        0–3 each (past week).
    duration_months : int
        How long symptoms have been present at a similar level.
    somatic : int, optional
        2010 only: physician's estimate of somatic symptoms in general, 0–3.
    headaches, lower_abdominal, depression : bool, optional
        2011/2016 only: bothered by these in the previous 6 months (each adds 1 to SSS).
    other_disorder : bool, optional
        2010/2011: another disorder would explain the pain (``None`` = not recorded).
    self_report : bool, optional
        Completed by the patient. Forced ``True`` for 2011 and ``False`` for 2010; default
        ``False`` for 2016.

    Raises
    ------
    InputError
        With ``field`` naming the bad argument.
    """
    if version not in CRITERIA_VERSIONS:
        raise InputError(
            f"unknown criteria version {version!r}; use one of {', '.join(CRITERIA_VERSIONS)}.",
            field="version",
        )
    area_list = [a.strip().lower().replace("-", "_").replace(" ", "_") for a in areas]
    area_list = [a for a in area_list if a]
    for a in area_list:
        if a not in _AREA_BY_NAME:
            raise InputError(
                f"unknown WPI area {a!r}; valid areas are {', '.join(_AREA_BY_NAME)}.",
                field="areas",
            )
    if len(set(area_list)) != len(area_list):
        raise InputError("an area is listed twice; list each painful area once.", field="areas")
    for name, value in (
        ("fatigue", fatigue),
        ("waking_unrefreshed", waking_unrefreshed),
        ("cognitive", cognitive),
    ):
        _check_symptom(name, value)
    if isinstance(duration_months, bool) or not isinstance(duration_months, int):
        raise InputError(
            "duration_months must be a whole number of months.", field="duration_months"
        )
    if duration_months < 0:
        raise InputError(
            f"duration_months cannot be negative (got {duration_months}); give the months "
            "symptoms have been present.",
            field="duration_months",
        )

    if version == "acr2010":
        if somatic is None:
            raise InputError(
                "ACR 2010 needs the physician's somatic-symptom estimate (0–3); give somatic.",
                field="somatic",
            )
        _check_symptom("somatic", somatic)
        if any(v is not None for v in (headaches, lower_abdominal, depression)):
            raise InputError(
                "ACR 2010 uses the somatic estimate, not headaches/lower-abdominal/depression; "
                "use acr2011 or acr2016 for those.",
                field="headaches",
            )
        fourth = somatic
        is_self = False
        if self_report:
            raise InputError(
                "ACR 2010 is completed by a physician; for self-report use acr2011.",
                field="self_report",
            )
    else:
        if somatic is not None:
            raise InputError(
                f"{version} counts headaches, lower-abdominal pain and depression instead of the "
                "somatic estimate; remove somatic or use acr2010.",
                field="somatic",
            )
        missing = [
            n
            for n, v in (
                ("headaches", headaches),
                ("lower_abdominal", lower_abdominal),
                ("depression", depression),
            )
            if v is None
        ]
        if missing:
            raise InputError(
                f"{version} needs yes/no for {', '.join(missing)} (previous 6 months).",
                field=missing[0],
            )
        fourth = int(bool(headaches)) + int(bool(lower_abdominal)) + int(bool(depression))
        if version == "acr2011":
            if self_report is False:
                raise InputError(
                    "acr2011 is the self-report modification; for a physician assessment use "
                    "acr2010 or acr2016.",
                    field="self_report",
                )
            is_self = True
        else:
            is_self = bool(self_report)
    if version == "acr2016" and other_disorder is not None:
        raise InputError(
            "the 2016 criteria are valid irrespective of other diagnoses; do not give "
            "other_disorder.",
            field="other_disorder",
        )

    ordered = tuple(a.name for a in WPI_AREAS if a.name in set(area_list))
    wpi = len(ordered)
    sss = fatigue + waking_unrefreshed + cognitive + fourth
    fs = wpi + sss
    regions = tuple(
        r
        for r in REGIONS
        if any(
            _AREA_BY_NAME[a].region == r and _AREA_BY_NAME[a].counts_for_generalized_pain
            for a in ordered
        )
    )
    generalized = len(regions) >= _GENERALIZED_MIN_REGIONS
    mid_low = _WPI_MID_LOW[version]
    rule1 = (wpi >= _WPI_HIGH and sss >= _SSS_WITH_HIGH_WPI) or (
        mid_low <= wpi <= _WPI_MID_TOP and sss >= _SSS_WITH_MID_WPI
    )
    duration_ok = duration_months >= _MIN_DURATION_MONTHS

    reasons: list[str] = []
    if not rule1:
        reasons.append(
            f"WPI {wpi} and SSS {sss} meet neither (WPI ≥7 and SSS ≥5) nor "
            f"(WPI {mid_low}–6 and SSS ≥9)"
        )
    if version == "acr2016" and not generalized:
        reasons.append(
            f"generalized pain absent: pain in {len(regions)} of 5 regions (≥4 needed; jaw, chest "
            "and abdomen do not count)"
        )
    if not duration_ok:
        reasons.append(f"symptoms for {duration_months} months (≥3 needed)")
    if version != "acr2016" and other_disorder:
        reasons.append("another disorder would explain the pain")
    meets = not reasons

    flags: list[str] = []
    year = _YEAR[version]
    verdict = "met" if meets else "not met"
    if is_self:
        text = f"{year} criteria {verdict} on self-report (research classification)"
        flags.append("self_report_research_classification")
    else:
        text = (
            f"{year} fibromyalgia criteria {verdict} (clinician-completed classification; the "
            "diagnosis remains the clinician's judgement)"
        )
    if reasons:
        text += ": " + "; ".join(reasons)
    text += "."
    if version != "acr2016" and other_disorder is None and meets:
        flags.append("exclusion_not_recorded")
        text += (
            f" The {year} criteria also require that no other disorder explains the pain; this "
            "was not recorded."
        )
    severity = band_for(fs, FS_BANDS)
    answers: list[tuple[str, int]] = [(a.name, int(a.name in ordered)) for a in WPI_AREAS]
    answers += [
        ("fatigue", fatigue),
        ("waking_unrefreshed", waking_unrefreshed),
        ("cognitive", cognitive),
    ]
    if version == "acr2010":
        answers.append(("somatic", fourth))
    else:
        answers += [
            ("headaches", int(bool(headaches))),
            ("lower_abdominal", int(bool(lower_abdominal))),
            ("depression", int(bool(depression))),
        ]
    answers.append(("duration_months", duration_months))
    if other_disorder is not None:
        answers.append(("other_disorder", int(other_disorder)))
    name = "acr2016_self" if (version == "acr2016" and is_self) else version
    return CriteriaResult(
        instrument=name,
        version=f"{version} criteria; lowdose definition 1",
        total=fs,
        maximum=31,
        band=severity,
        interpretation=text,
        flags=tuple(flags),
        answers=tuple(answers),
        subscores=(("wpi", wpi), ("sss", sss), ("meets_criteria", meets)),
        source=f"{_SOURCE[version]}; {_FS_SOURCE}",
        criteria_version=version,
        self_report=is_self,
        areas=ordered,
        wpi=wpi,
        sss=sss,
        fs=fs,
        regions_with_pain=regions,
        generalized_pain=generalized,
        meets_criteria=meets,
        severity_band=severity,
        duration_months=duration_months,
        reasons=tuple(reasons),
    )


# --- Instrument definitions (drive the forms) --------------------------------------------------
_SEVERITY_OPTIONS = (
    ResponseOption(0, "No problem"),
    ResponseOption(1, "Slight or mild problem"),
    ResponseOption(2, "Moderate problem"),
    ResponseOption(3, "Severe problem"),
)
_MAX_DURATION_MONTHS = 1200  # form bound only (100 years); not a clinical number


def _area_items() -> tuple[Item, ...]:
    # An unticked checkbox is absent from a form submission: absent means "no pain there".
    return tuple(
        Item(link_id=a.name, text=a.label, kind="boolean", group="wpi", required=False)
        for a in WPI_AREAS
    )


def _symptom_items() -> tuple[Item, ...]:
    return tuple(
        Item(
            link_id=link_id,
            text=text,
            kind="choice",
            minimum=0,
            maximum=3,
            options=_SEVERITY_OPTIONS,
            group="sss",
        )
        for link_id, text in (
            ("fatigue", "Fatigue (past week)"),
            ("waking_unrefreshed", "Waking unrefreshed (past week)"),
            ("cognitive", "Cognitive symptoms: trouble thinking or remembering (past week)"),
        )
    )


_DURATION = Item(
    link_id="duration_months",
    text="For how many months have these symptoms been present at a similar level?",
    kind="integer",
    minimum=0,
    maximum=_MAX_DURATION_MONTHS,
    group="duration",
)
_OTHER = Item(
    link_id="other_disorder",
    text="Is there another disorder that would otherwise explain the pain?",
    kind="boolean",
    required=False,
    group="exclusion",
)
_SIX_MONTH = tuple(
    Item(link_id=k, text=t, kind="boolean", group="sss")
    for k, t in (
        ("headaches", "Headaches (previous 6 months)"),
        ("lower_abdominal", "Pain or cramps in the lower abdomen (previous 6 months)"),
        ("depression", "Depression (previous 6 months)"),
    )
)
_SOMATIC = Item(
    link_id="somatic",
    text="Physician's estimate of the extent of somatic symptoms in general (0-3; anchors in "
    "Wolfe 2010)",
    kind="choice",
    minimum=0,
    maximum=3,
    options=tuple(ResponseOption(i, str(i)) for i in range(4)),
    group="sss",
)


def _opt_bool(answers: dict[str, int], key: str) -> bool | None:
    return bool(answers[key]) if key in answers else None


def _make_scorer(version: CriteriaVersion, self_report: bool) -> Any:
    def scorer(inst: Instrument, answers: dict[str, int]) -> ScoreResult:
        return evaluate_criteria(
            version,
            areas=[a.name for a in WPI_AREAS if answers.get(a.name)],
            fatigue=answers["fatigue"],
            waking_unrefreshed=answers["waking_unrefreshed"],
            cognitive=answers["cognitive"],
            duration_months=answers["duration_months"],
            somatic=answers.get("somatic"),
            headaches=_opt_bool(answers, "headaches"),
            lower_abdominal=_opt_bool(answers, "lower_abdominal"),
            depression=_opt_bool(answers, "depression"),
            other_disorder=_opt_bool(answers, "other_disorder"),
            self_report=self_report,
        )

    return scorer


_ACR_LICENCE = (
    "Scoring logic and area names may be shipped; patient-facing anchor text of the papers is "
    "copyright ACR/Wiley (2010), J Rheumatol (2011), Elsevier (2016): the short labels here are "
    "lowdose's own."
)


def _acr(
    name: str, version: CriteriaVersion, title: str, extra: tuple[Item, ...], self_report: bool
) -> Instrument:
    return Instrument(
        name=name,
        title=title,
        version=f"{version} criteria; lowdose definition 1",
        items=(*_area_items(), *_symptom_items(), *extra, _DURATION),
        preamble="Mark each area where there was pain in the past week.",
        recall="past week (areas, symptoms); previous 6 months (headaches, abdomen, depression)",
        copyright=None,
        licence=_ACR_LICENCE,
        loinc_panel=None,
        loinc_total=None,  # no LOINC for WPI/SSS/FS found (instruments reference §6.1)
        total_display=None,
        higher_is_worse=True,
        source=f"{_SOURCE[version]}; {_FS_SOURCE}",
        scorer=_make_scorer(version, self_report),
        completed_by="patient" if self_report else "clinician",
    )


ACR2010 = _acr(
    "acr2010", "acr2010", "ACR 2010 fibromyalgia criteria (physician)", (_SOMATIC, _OTHER), False
)
ACR2011 = _acr(
    "acr2011",
    "acr2011",
    "ACR 2010/2011 modified fibromyalgia criteria (self-report, research)",
    (*_SIX_MONTH, _OTHER),
    True,
)
ACR2016 = _acr(
    "acr2016", "acr2016", "2016 revised fibromyalgia criteria (physician)", _SIX_MONTH, False
)
ACR2016_SELF = _acr(
    "acr2016_self",
    "acr2016",
    "2016 revised fibromyalgia criteria (self-report, research)",
    _SIX_MONTH,
    True,
)
