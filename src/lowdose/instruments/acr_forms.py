"""The ACR fibromyalgia criteria as instruments: the forms that collect the answers.

One :class:`~lowdose.instruments.model.Instrument` per version and respondent (``acr2010``,
``acr2011``, ``acr2016``, ``acr2016_self``); each scores through
:func:`lowdose.instruments.acr.evaluate_criteria`, where the criteria and their sources are.
"""

from __future__ import annotations

from typing import Any

from lowdose.instruments.acr import (
    CRITERIA,
    FS_SOURCE,
    WPI_AREAS,
    CriteriaVersion,
    evaluate_criteria,
)
from lowdose.instruments.model import Instrument, Item, ResponseOption, ScoreResult

__all__ = ["ACR2010", "ACR2011", "ACR2016", "ACR2016_SELF"]

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
        source=f"{CRITERIA[version].source}; {FS_SOURCE}",
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
