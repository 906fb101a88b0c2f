"""Definitions and scoring of the daily 0–10 items, PHQ-9, PHQ-2, GAD-7 and PGIC.

Sources
-------
* PHQ-9: Kroenke K, Spitzer RL, Williams JBW. *J Gen Intern Med* 2001;16:606–613. Bands
  0–4 / 5–9 / 10–14 / 15–19 / 20–27. Item wording and LOINC codes as in the HL7 US Core PHQ-9
  Questionnaire (HL7/US-Core @85bf4af).
* PHQ-2: Kroenke K, Spitzer RL, Williams JB. *Med Care* 2003;41:1284–1292 (≥3 positive,
  sensitivity 83 %, specificity 92 %); Arroll B et al. *Ann Fam Med* 2010;8:348 (≥2 more sensitive).
* GAD-7: Spitzer RL, Kroenke K, Williams JBW, Löwe B. *Arch Intern Med* 2006;166:1092–1097.
  Bands 0–4 / 5–9 / 10–14 / 15–21; ≥10 screening cut-off.
* PGIC: NINDS Common Data Element "Patient Global Impression of Change" (public domain),
  1 = very much improved … 7 = very much worse; Farrar JT et al. *Pain* 2001;94:149–158 treated
  "much improved" and "very much improved" as clinically important.
* 0–10 NRS: Farrar 2001 (11-point NRS); LOINC 72514-3 (HL7 Belgium patient-monitoring IG).
  Sleep quality: adapted from Cappelleri JC et al. *Health Qual Life Outcomes* 2009;7:54, reversed
  (0 = worst possible sleep, 10 = best possible sleep; docs/decisions/0002). The daily items'
  wording, anchors and direction come from :data:`lowdose.daily.DAILY_SCALES`.
"""

from __future__ import annotations

from lowdose.daily import DAILY_SCALES, DailyScale
from lowdose.instruments.model import (
    Band,
    Instrument,
    Item,
    ResponseOption,
    ScoreResult,
    band_for,
)

__all__ = [
    "DAILY",
    "FATIGUE_NRS",
    "GAD7",
    "MOOD_NRS",
    "PAIN_NRS",
    "PFIZER_NOTICE",
    "PGIC",
    "PHQ2",
    "PHQ9",
    "SLEEP_QUALITY_NRS",
]

#: The notice that must accompany PHQ/GAD wording (as printed in HL7 US Core's PHQ-9 Questionnaire).
PFIZER_NOTICE = (
    "Copyright © Pfizer Inc. All rights reserved. Developed by Drs. Robert L. Spitzer, "
    "Janet B.W. Williams, Kurt Kroenke and colleagues, with an educational grant from Pfizer Inc. "
    "No permission required to reproduce, translate, display or distribute "
    "(https://www.phqscreeners.com/)."
)
_PFIZER_LICENCE = (
    "Wording may be reproduced with the Pfizer notice, unaltered (phqscreeners.com; notice as "
    "printed in the HL7 US Core PHQ-9 Questionnaire)."
)

# --- PHQ answer scale (LOINC answer codes verified in the US Core / MII PHQ-9 Questionnaires) ---
_PHQ_OPTIONS = (
    ResponseOption(0, "Not at all", "LA6568-5"),
    ResponseOption(1, "Several days", "LA6569-3"),
    ResponseOption(2, "More than half the days", "LA6570-1"),
    ResponseOption(3, "Nearly every day", "LA6571-9"),
)

_PHQ9_ITEMS = (
    ("44250-9", "Little interest or pleasure in doing things"),
    ("44255-8", "Feeling down, depressed, or hopeless"),
    ("44259-0", "Trouble falling or staying asleep, or sleeping too much"),
    ("44254-1", "Feeling tired or having little energy"),
    ("44251-7", "Poor appetite or overeating"),
    (
        "44258-2",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your "
        "family down",
    ),
    (
        "44252-5",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
    ),
    (
        "44253-3",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual",
    ),
    ("44260-8", "Thoughts that you would be better off dead or of hurting yourself in some way"),
)

_PHQ_STEM = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)

#: PHQ-9 bands, Kroenke 2001 (cut points 5/10/15/20).
PHQ9_BANDS = (
    Band(0, 4, "minimal"),
    Band(5, 9, "mild"),
    Band(10, 14, "moderate"),
    Band(15, 19, "moderately severe"),
    Band(20, 27, "severe"),
)
#: GAD-7 bands, Spitzer 2006.
GAD7_BANDS = (
    Band(0, 4, "minimal"),
    Band(5, 9, "mild"),
    Band(10, 14, "moderate"),
    Band(15, 21, "severe"),
)
#: PHQ-2 positive screen at ≥3 (Kroenke 2003); ≥2 more sensitive (Arroll 2010).
PHQ2_CUTOFF = 3
PHQ2_SENSITIVE_CUTOFF = 2
#: GAD-7 screening cut-off ≥10 (Spitzer 2006).
GAD7_CUTOFF = 10


def _phq_item(number: int, code: str, text: str) -> Item:
    return Item(
        link_id=f"item{number}",
        text=text,
        kind="choice",
        minimum=0,
        maximum=3,
        options=_PHQ_OPTIONS,
        code=code,
    )


def _sum_scored(inst: Instrument, answers: dict[str, int]) -> int:
    return sum(answers[i.link_id] for i in inst.items if i.scored and i.link_id in answers)


def _ordered(inst: Instrument, answers: dict[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple((k, answers[k]) for k in inst.link_ids if k in answers)


def _score_phq9(inst: Instrument, answers: dict[str, int]) -> ScoreResult:
    total = _sum_scored(inst, answers)
    band = band_for(total, PHQ9_BANDS)
    flags: list[str] = []
    text = f"PHQ-9 total {total} of 27: {band} depressive symptoms."
    if answers["item9"] > 0:
        flags.append("phq9_item9_positive")
        text += (
            " Item 9 (thoughts of being better off dead or of self-harm) is positive: clinical "
            "follow-up is needed whatever the total."
        )
    phq2 = answers["item1"] + answers["item2"]
    return ScoreResult(
        instrument=inst.name,
        version=inst.version,
        total=total,
        maximum=27,
        band=band,
        interpretation=text,
        flags=tuple(flags),
        answers=_ordered(inst, answers),
        subscores=(("phq2", phq2),),
        source="Kroenke, Spitzer, Williams, J Gen Intern Med 2001;16:606 (bands 5/10/15/20)",
    )


def _score_phq2(inst: Instrument, answers: dict[str, int]) -> ScoreResult:
    total = _sum_scored(inst, answers)
    positive = total >= PHQ2_CUTOFF
    flags = ["phq2_positive"] if positive else []
    if total >= PHQ2_SENSITIVE_CUTOFF:
        flags.append("phq2_positive_sensitive_cutoff")
    text = f"PHQ-2 total {total} of 6: " + (
        "positive screen (≥3); follow with the PHQ-9." if positive else "negative screen (<3)."
    )
    return ScoreResult(
        instrument=inst.name,
        version=inst.version,
        total=total,
        maximum=6,
        band="positive" if positive else "negative",
        interpretation=text,
        flags=tuple(flags),
        answers=_ordered(inst, answers),
        subscores=(),
        source="Kroenke, Spitzer, Williams, Med Care 2003;41:1284 (≥3); Arroll, Ann Fam Med "
        "2010;8:348 (≥2)",
    )


def _score_gad7(inst: Instrument, answers: dict[str, int]) -> ScoreResult:
    total = _sum_scored(inst, answers)
    band = band_for(total, GAD7_BANDS)
    flags = ("gad7_screen_positive",) if total >= GAD7_CUTOFF else ()
    return ScoreResult(
        instrument=inst.name,
        version=inst.version,
        total=total,
        maximum=21,
        band=band,
        interpretation=f"GAD-7 total {total} of 21: {band} anxiety symptoms.",
        flags=flags,
        answers=_ordered(inst, answers),
        subscores=(),
        source="Spitzer, Kroenke, Williams, Löwe, Arch Intern Med 2006;166:1092",
    )


PHQ9 = Instrument(
    name="phq9",
    title="Patient Health Questionnaire-9 (PHQ-9)",
    version="PHQ-9 (Kroenke 2001); lowdose definition 1",
    items=(
        *(_phq_item(n, code, text) for n, (code, text) in enumerate(_PHQ9_ITEMS, start=1)),
        Item(
            link_id="difficulty",
            text="If you checked off any problems, how difficult have these problems made it for "
            "you to do your work, take care of things at home, or get along with other people?",
            kind="choice",
            minimum=0,
            maximum=3,
            options=(
                # LOINC answer codes for this item are not verified in our sources: left None.
                ResponseOption(0, "Not difficult at all"),
                ResponseOption(1, "Somewhat difficult"),
                ResponseOption(2, "Very difficult"),
                ResponseOption(3, "Extremely difficult"),
            ),
            code="69722-7",
            required=False,
            scored=False,
        ),
    ),
    preamble=_PHQ_STEM,
    recall="past 2 weeks",
    copyright=PFIZER_NOTICE,
    licence=_PFIZER_LICENCE,
    loinc_panel="44249-1",
    loinc_total="44261-6",
    total_display="Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]",
    higher_is_worse=True,
    source="Kroenke K, Spitzer RL, Williams JBW. J Gen Intern Med 2001;16:606-613",
    scorer=_score_phq9,
)

PHQ2 = Instrument(
    name="phq2",
    title="Patient Health Questionnaire-2 (PHQ-2)",
    version="PHQ-2 (Kroenke 2003); lowdose definition 1",
    items=tuple(_phq_item(n, code, text) for n, (code, text) in enumerate(_PHQ9_ITEMS[:2], 1)),
    preamble=_PHQ_STEM,
    recall="past 2 weeks",
    copyright=PFIZER_NOTICE,
    licence=_PFIZER_LICENCE,
    loinc_panel=None,  # no PHQ-2 panel code verified in our sources
    loinc_total="55758-7",
    total_display="Patient Health Questionnaire 2 item (PHQ-2) total score [Reported]",
    higher_is_worse=True,
    source="Kroenke K, Spitzer RL, Williams JB. Med Care 2003;41:1284-1292",
    scorer=_score_phq2,
)

# GAD-7 item LOINC codes and panel 69737-5 as in the HL7 Personal Health Records IG
# (hl7.org/fhir/uv/phr, v1.0.0-ballot2, Questionnaire "gad7"), which uses the same LA answer
# codes as the PHQ. (LOINC displays 69689-8 as "in last 4 weeks"; it is asked over 2 weeks.)
_GAD7_ITEMS = (
    ("69725-0", "Feeling nervous, anxious or on edge"),
    ("68509-9", "Not being able to stop or control worrying"),
    ("69733-4", "Worrying too much about different things"),
    ("69734-2", "Trouble relaxing"),
    ("69735-9", "Being so restless that it is hard to sit still"),
    ("69689-8", "Becoming easily annoyed or irritable"),
    ("69736-7", "Feeling afraid as if something awful might happen"),
)

GAD7 = Instrument(
    name="gad7",
    title="Generalized Anxiety Disorder-7 (GAD-7)",
    version="GAD-7 (Spitzer 2006); lowdose definition 1",
    items=tuple(_phq_item(n, code, text) for n, (code, text) in enumerate(_GAD7_ITEMS, start=1)),
    preamble=_PHQ_STEM,
    recall="past 2 weeks",
    copyright=PFIZER_NOTICE,
    licence=_PFIZER_LICENCE,
    loinc_panel="69737-5",
    loinc_total="70274-6",
    total_display="Generalized anxiety disorder 7 item (GAD-7) total score [Reported.PHQ]",
    higher_is_worse=True,
    source="Spitzer RL, Kroenke K, Williams JBW, Löwe B. Arch Intern Med 2006;166:1092-1097",
    scorer=_score_gad7,
)

# --- PGIC ---------------------------------------------------------------------------------------
_PGIC_LABELS = (
    "Very much improved",
    "Much improved",
    "Minimally improved",
    "No change",
    "Minimally worse",
    "Much worse",
    "Very much worse",
)
#: Farrar 2001: "much improved" (2) or "very much improved" (1) is clinically important.
PGIC_IMPORTANT_MAX = 2


def _score_pgic(inst: Instrument, answers: dict[str, int]) -> ScoreResult:
    value = answers["change"]
    label = _PGIC_LABELS[value - 1]
    important = value <= PGIC_IMPORTANT_MAX
    text = f"PGIC {value}: {label.lower()}." + (
        " Counts as clinically important improvement (Farrar 2001)." if important else ""
    )
    return ScoreResult(
        instrument=inst.name,
        version=inst.version,
        total=value,
        maximum=7,
        band=label.lower(),
        interpretation=text,
        flags=("pgic_clinically_important_improvement",) if important else (),
        answers=(("change", value),),
        subscores=(),
        source="NINDS CDE PGIC (7-point, 1 = very much improved); Farrar, Pain 2001;94:149",
    )


PGIC = Instrument(
    name="pgic",
    title="Patient Global Impression of Change (PGIC)",
    version="PGIC 7-point, 1 = very much improved (NINDS CDE); lowdose definition 1",
    items=(
        Item(
            link_id="change",
            text="Since you started treatment, how would you describe the change (if any) in "
            "your overall status?",
            kind="choice",
            minimum=1,
            maximum=7,
            options=tuple(ResponseOption(i, lab) for i, lab in enumerate(_PGIC_LABELS, start=1)),
        ),
    ),
    preamble="",
    recall="since the start of treatment",
    copyright=None,
    licence="Public domain (NINDS Common Data Elements). The intermediate labels follow the "
    "CGI-Improvement convention (Guy 1976) [secondary source; confirm against the adopted "
    "version].",
    loinc_panel=None,
    loinc_total=None,  # no LOINC code found for PGIC (instruments reference §6.1)
    total_display=None,
    higher_is_worse=True,
    source="NINDS CDE Patient Global Impression of Change; Farrar JT et al. Pain 2001;94:149-158",
    scorer=_score_pgic,
)


# --- Daily 0-10 numeric rating scales ------------------------------------------------------------
# Wording, anchors, direction and codes come from the one definition, lowdose.daily.DAILY_SCALES.
def _nrs_item(scale: DailyScale) -> Item:
    return Item(
        link_id=scale.link_id,
        text=scale.question,
        kind="integer",
        minimum=scale.low,
        maximum=scale.high,
        code=scale.loinc,
        anchors=(f"{scale.low} = {scale.low_anchor}", f"{scale.high} = {scale.high_anchor}"),
    )


_NRS_SOURCE = (
    "11-point NRS: Farrar JT et al. Pain 2001;94:149-158; sleep quality anchors adapted (reversed, "
    "0 = worst, 10 = best) from Cappelleri JC et al. Health Qual Life Outcomes 2009;7:54"
)
_NRS_LICENCE = (
    "Local wording written for lowdose (free to use). The pain anchor follows the HL7 BE text for "
    "LOINC 72514-3; the fatigue and mood items are local items without a validation study."
)


def _single_nrs_scorer(inst: Instrument, answers: dict[str, int]) -> ScoreResult:
    (item,) = inst.items
    value = answers[item.link_id]
    direction = "higher is worse" if inst.higher_is_worse else "higher is better"
    return ScoreResult(
        instrument=inst.name,
        version=inst.version,
        total=value,
        maximum=item.maximum,
        band=None,  # NRS bands depend on the population; none is applied (reference §3.1)
        interpretation=f"{item.text}: {value} of {item.maximum} ({direction}).",
        flags=(),
        answers=((item.link_id, value),),
        subscores=(),
        source=_NRS_SOURCE,
    )


_PAIN_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"


def _single_nrs(scale: DailyScale) -> Instrument:
    return Instrument(
        name=f"{scale.link_id}_nrs",
        title=f"{scale.label} ({scale.low}-{scale.high})",
        version="0-10 NRS, recall 24 h (sleep: last night); lowdose definition 2",
        items=(_nrs_item(scale),),
        preamble="",
        recall=scale.recall,
        copyright=None,
        licence=_NRS_LICENCE,
        loinc_panel=None,
        loinc_total=scale.loinc,
        total_display=_PAIN_DISPLAY if scale.loinc == "72514-3" else None,
        higher_is_worse=not scale.higher_is_better,
        source=_NRS_SOURCE,
        scorer=_single_nrs_scorer,
    )


PAIN_NRS = _single_nrs(DAILY_SCALES["pain"])
FATIGUE_NRS = _single_nrs(DAILY_SCALES["fatigue"])
SLEEP_QUALITY_NRS = _single_nrs(DAILY_SCALES["sleep"])
MOOD_NRS = _single_nrs(DAILY_SCALES["mood"])


_DIRECTIONS = "; ".join(
    f"{', '.join(s.label.lower() for s in DAILY_SCALES if s.higher_is_better is better)}: "
    + ("higher is better" if better else "higher is worse")
    for better in (False, True)
)


def _score_daily(inst: Instrument, answers: dict[str, int]) -> ScoreResult:
    # The four items are separate outcomes: no total is meaningful, so ``total`` is the pain item
    # (the primary outcome of LDN trials, e.g. Younger 2013) and all four are subscores.
    items = _ordered(inst, answers)
    return ScoreResult(
        instrument=inst.name,
        version=inst.version,
        total=answers["pain"],
        maximum=10,
        band=None,
        interpretation="Daily check-in: "
        + ", ".join(f"{k.replace('_', ' ')} {v}/10" for k, v in items)
        + f" ({_DIRECTIONS}).",
        flags=(),
        answers=items,
        subscores=tuple((k, v) for k, v in items),
        source=_NRS_SOURCE,
    )


DAILY = Instrument(
    name="daily",
    title="Daily check-in (pain, fatigue, sleep quality, mood; 0-10)",
    version="daily 0-10 NRS set; lowdose definition 2",
    items=tuple(_nrs_item(scale) for scale in DAILY_SCALES),
    preamble="Rate each from 0 to 10.",
    recall="last 24 hours (sleep: last night)",
    copyright=None,
    licence=_NRS_LICENCE,
    loinc_panel=None,
    loinc_total="72514-3",
    total_display=_PAIN_DISPLAY,
    higher_is_worse=True,
    source=_NRS_SOURCE,
    scorer=_score_daily,
)
