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

Each version is a class registered in :data:`CRITERIA` (:func:`register`);
:func:`evaluate_criteria` looks the version up there. The forms that collect the answers are in
:mod:`lowdose.instruments.acr_forms`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, TypeVar

from lowdose.errors import InputError
from lowdose.instruments.model import Band, ScoreResult, band_for

__all__ = [
    "CRITERIA",
    "CRITERIA_VERSIONS",
    "FS_BANDS",
    "FS_SOURCE",
    "REGIONS",
    "WPI_AREAS",
    "ACR2010Criteria",
    "ACR2011Criteria",
    "ACR2016Criteria",
    "CriteriaResult",
    "CriteriaVersion",
    "FibromyalgiaCriteria",
    "SymptomAnswers",
    "evaluate_criteria",
    "register",
]

CriteriaVersion = Literal["acr2010", "acr2011", "acr2016"]


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

# Decision thresholds (Wolfe 2010 / 2011 / 2016; reference table §1.3). The lower WPI bound of
# rule 1 (3 in 2010/2011, 4 in 2016) is each version's ``wpi_mid_low``.
_WPI_HIGH = 7
_SSS_WITH_HIGH_WPI = 5
_WPI_MID_TOP = 6
_SSS_WITH_MID_WPI = 9
_GENERALIZED_MIN_REGIONS = 4  # 2016: pain in ≥4 of 5 regions
_MIN_DURATION_MONTHS = 3  # "at least 3 months" (all versions)
_SYMPTOM_MAX = 3  # each of fatigue, waking unrefreshed, cognitive: 0–3
FS_SOURCE = "FS bands: Wolfe, Walitt, Rasker, Katz, Häuser, J Rheumatol 2015;42:1494"


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


def _check_areas(areas: Iterable[str]) -> tuple[str, ...]:
    """The painful WPI areas, normalised and in :data:`WPI_AREAS` order; unknown or repeated
    names are an :class:`InputError`."""
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
    return tuple(a.name for a in WPI_AREAS if a.name in set(area_list))


def _check_duration(duration_months: int) -> None:
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


def _regions_with_pain(ordered: tuple[str, ...]) -> tuple[str, ...]:
    """The 2016 regions with pain in an area that counts for generalized pain."""
    return tuple(
        r
        for r in REGIONS
        if any(
            _AREA_BY_NAME[a].region == r and _AREA_BY_NAME[a].counts_for_generalized_pain
            for a in ordered
        )
    )


@dataclass(frozen=True, slots=True)
class SymptomAnswers:
    """What the respondent answered besides the painful areas (see :func:`evaluate_criteria`)."""

    fatigue: int
    waking_unrefreshed: int
    cognitive: int
    duration_months: int
    somatic: int | None = None
    headaches: bool | None = None
    lower_abdominal: bool | None = None
    depression: bool | None = None
    other_disorder: bool | None = None
    self_report: bool | None = None


class FibromyalgiaCriteria:
    """One version of the fibromyalgia criteria, registered by its key in :data:`CRITERIA`.

    The base class owns what every version shares: checking the answers, WPI, SSS, FS, decision
    rule 1, duration, the reasons and the result. A version declares its year, source, the lower
    WPI bound of rule 1, whether it needs generalized pain and excludes other disorders, and
    implements :meth:`fourth_component` (the fourth SSS part) and :meth:`respondent` (who may
    complete it).
    """

    version: ClassVar[CriteriaVersion]
    year: ClassVar[str]
    source: ClassVar[str]
    wpi_mid_low: ClassVar[int]
    requires_generalized_pain: ClassVar[bool] = False
    excludes_other_disorder: ClassVar[bool] = True

    def fourth_component(self, answers: SymptomAnswers) -> tuple[int, list[tuple[str, int]]]:
        """The fourth SSS component and its answers, after checking they were given."""
        raise NotImplementedError

    def respondent(self, self_report: bool | None) -> bool:
        """Whether this assessment is a self-report, after checking the version allows it."""
        raise NotImplementedError

    def instrument_name(self, is_self: bool) -> str:
        """The name the result is stored under."""
        return self.version

    def evaluate(self, areas: Iterable[str], answers: SymptomAnswers) -> CriteriaResult:
        """Score WPI, SSS, FS and apply this version's decision rule."""
        ordered = _check_areas(areas)
        for name in ("fatigue", "waking_unrefreshed", "cognitive"):
            _check_symptom(name, getattr(answers, name))
        _check_duration(answers.duration_months)
        fourth, fourth_answers = self.fourth_component(answers)
        is_self = self.respondent(answers.self_report)
        if not self.excludes_other_disorder and answers.other_disorder is not None:
            raise InputError(
                f"the {self.year} criteria are valid irrespective of other diagnoses; do not give "
                "other_disorder.",
                field="other_disorder",
            )
        wpi = len(ordered)
        sss = answers.fatigue + answers.waking_unrefreshed + answers.cognitive + fourth
        regions = _regions_with_pain(ordered)
        reasons = self._reasons(wpi, sss, regions, answers)
        meets = not reasons
        text, flags = self._interpretation(meets, is_self, reasons, answers.other_disorder)
        fs = wpi + sss
        severity = band_for(fs, FS_BANDS)
        recorded: list[tuple[str, int]] = [(a.name, int(a.name in ordered)) for a in WPI_AREAS]
        recorded += [
            ("fatigue", answers.fatigue),
            ("waking_unrefreshed", answers.waking_unrefreshed),
            ("cognitive", answers.cognitive),
            *fourth_answers,
            ("duration_months", answers.duration_months),
        ]
        if answers.other_disorder is not None:
            recorded.append(("other_disorder", int(answers.other_disorder)))
        return CriteriaResult(
            instrument=self.instrument_name(is_self),
            version=f"{self.version} criteria; lowdose definition 1",
            total=fs,
            maximum=31,
            band=severity,
            interpretation=text,
            flags=tuple(flags),
            answers=tuple(recorded),
            subscores=(("wpi", wpi), ("sss", sss), ("meets_criteria", meets)),
            source=f"{self.source}; {FS_SOURCE}",
            criteria_version=self.version,
            self_report=is_self,
            areas=ordered,
            wpi=wpi,
            sss=sss,
            fs=fs,
            regions_with_pain=regions,
            generalized_pain=len(regions) >= _GENERALIZED_MIN_REGIONS,
            meets_criteria=meets,
            severity_band=severity,
            duration_months=answers.duration_months,
            reasons=tuple(reasons),
        )

    def _reasons(
        self, wpi: int, sss: int, regions: tuple[str, ...], answers: SymptomAnswers
    ) -> list[str]:
        """Why the criteria are not met (empty when they are), in the order of the paper."""
        mid_low = self.wpi_mid_low
        rule1 = (wpi >= _WPI_HIGH and sss >= _SSS_WITH_HIGH_WPI) or (
            mid_low <= wpi <= _WPI_MID_TOP and sss >= _SSS_WITH_MID_WPI
        )
        reasons: list[str] = []
        if not rule1:
            reasons.append(
                f"WPI {wpi} and SSS {sss} meet neither (WPI ≥7 and SSS ≥5) nor "
                f"(WPI {mid_low}–6 and SSS ≥9)"
            )
        if self.requires_generalized_pain and len(regions) < _GENERALIZED_MIN_REGIONS:
            reasons.append(
                f"generalized pain absent: pain in {len(regions)} of 5 regions (≥4 needed; jaw, "
                "chest and abdomen do not count)"
            )
        if answers.duration_months < _MIN_DURATION_MONTHS:
            reasons.append(f"symptoms for {answers.duration_months} months (≥3 needed)")
        if self.excludes_other_disorder and answers.other_disorder:
            reasons.append("another disorder would explain the pain")
        return reasons

    def _interpretation(
        self, meets: bool, is_self: bool, reasons: list[str], other_disorder: bool | None
    ) -> tuple[str, list[str]]:
        """The sentence for the record and its flags (self-report, exclusion not recorded)."""
        flags: list[str] = []
        verdict = "met" if meets else "not met"
        if is_self:
            text = f"{self.year} criteria {verdict} on self-report (research classification)"
            flags.append("self_report_research_classification")
        else:
            text = (
                f"{self.year} fibromyalgia criteria {verdict} (clinician-completed "
                "classification; the diagnosis remains the clinician's judgement)"
            )
        if reasons:
            text += ": " + "; ".join(reasons)
        text += "."
        if self.excludes_other_disorder and other_disorder is None and meets:
            flags.append("exclusion_not_recorded")
            text += (
                f" The {self.year} criteria also require that no other disorder explains the "
                "pain; this was not recorded."
            )
        return text, flags


#: The criteria versions by key; :func:`evaluate_criteria` looks a version up here.
CRITERIA: dict[CriteriaVersion, type[FibromyalgiaCriteria]] = {}

_Criteria = TypeVar("_Criteria", bound=type[FibromyalgiaCriteria])


def register(cls: _Criteria) -> _Criteria:
    """Class decorator: add a criteria version to :data:`CRITERIA` under its ``version``."""
    CRITERIA[cls.version] = cls
    return cls


class _SixMonthSymptoms(FibromyalgiaCriteria):
    """2011 and 2016: headaches, lower-abdominal pain and depression (previous 6 months)."""

    def fourth_component(self, answers: SymptomAnswers) -> tuple[int, list[tuple[str, int]]]:
        if answers.somatic is not None:
            raise InputError(
                f"{self.version} counts headaches, lower-abdominal pain and depression instead "
                "of the somatic estimate; remove somatic or use acr2010.",
                field="somatic",
            )
        given = (
            ("headaches", answers.headaches),
            ("lower_abdominal", answers.lower_abdominal),
            ("depression", answers.depression),
        )
        missing = [n for n, v in given if v is None]
        if missing:
            raise InputError(
                f"{self.version} needs yes/no for {', '.join(missing)} (previous 6 months).",
                field=missing[0],
            )
        recorded = [(n, int(bool(v))) for n, v in given]
        return sum(v for _, v in recorded), recorded


@register
class ACR2010Criteria(FibromyalgiaCriteria):
    """ACR 2010 preliminary criteria: physician-completed, with the somatic-symptom estimate."""

    version = "acr2010"
    year = "2010"
    source = "Wolfe F et al. Arthritis Care Res 2010;62:600-610 (ACR 2010 preliminary criteria)"
    wpi_mid_low = 3

    def fourth_component(self, answers: SymptomAnswers) -> tuple[int, list[tuple[str, int]]]:
        if answers.somatic is None:
            raise InputError(
                "ACR 2010 needs the physician's somatic-symptom estimate (0–3); give somatic.",
                field="somatic",
            )
        _check_symptom("somatic", answers.somatic)
        if any(
            v is not None for v in (answers.headaches, answers.lower_abdominal, answers.depression)
        ):
            raise InputError(
                "ACR 2010 uses the somatic estimate, not headaches/lower-abdominal/depression; "
                "use acr2011 or acr2016 for those.",
                field="headaches",
            )
        return answers.somatic, [("somatic", answers.somatic)]

    def respondent(self, self_report: bool | None) -> bool:
        if self_report:
            raise InputError(
                "ACR 2010 is completed by a physician; for self-report use acr2011.",
                field="self_report",
            )
        return False


@register
class ACR2011Criteria(_SixMonthSymptoms):
    """The 2011 self-report modification of the 2010 criteria (research classification)."""

    version = "acr2011"
    year = "2011"
    source = "Wolfe F et al. J Rheumatol 2011;38:1113-1122 (2011 self-report modification)"
    wpi_mid_low = 3

    def respondent(self, self_report: bool | None) -> bool:
        if self_report is False:
            raise InputError(
                "acr2011 is the self-report modification; for a physician assessment use "
                "acr2010 or acr2016.",
                field="self_report",
            )
        return True


@register
class ACR2016Criteria(_SixMonthSymptoms):
    """The 2016 revision: generalized pain required, other diagnoses do not exclude."""

    version = "acr2016"
    year = "2016"
    source = "Wolfe F et al. Semin Arthritis Rheum 2016;46:319-329 (2016 revisions)"
    wpi_mid_low = 4
    requires_generalized_pain = True
    excludes_other_disorder = False

    def respondent(self, self_report: bool | None) -> bool:
        return bool(self_report)

    def instrument_name(self, is_self: bool) -> str:
        return "acr2016_self" if is_self else self.version


CRITERIA_VERSIONS: tuple[CriteriaVersion, ...] = tuple(CRITERIA)


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
    """Score WPI, SSS, FS and apply the decision rule of ``version`` (from :data:`CRITERIA`).

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
    criteria = CRITERIA.get(version)
    if criteria is None:
        raise InputError(
            f"unknown criteria version {version!r}; use one of {', '.join(CRITERIA_VERSIONS)}.",
            field="version",
        )
    answers = SymptomAnswers(
        fatigue=fatigue,
        waking_unrefreshed=waking_unrefreshed,
        cognitive=cognitive,
        duration_months=duration_months,
        somatic=somatic,
        headaches=headaches,
        lower_abdominal=lower_abdominal,
        depression=depression,
        other_disorder=other_disorder,
        self_report=self_report,
    )
    return criteria().evaluate(areas, answers)
