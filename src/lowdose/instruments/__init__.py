"""Assessment instruments as data: definitions, validation, scoring, FHIR, schedules.

One :class:`Instrument` per questionnaire drives the web form (items, response options, value
ranges, anchors), validation, scoring, the FHIR R4B Questionnaire / QuestionnaireResponse /
Observation (:mod:`lowdose.interop.fhir`) and its LOINC codes. Built-in instruments:
``daily`` (pain, fatigue, sleep quality, mood, 0–10) and each item alone (``pain_nrs``…),
``phq9``, ``phq2``, ``gad7`` (Pfizer notice), ``pgic``, ``acr2010``, ``acr2011``, ``acr2016``,
``acr2016_self`` and ``fiqr`` (structure and scoring only; licensed wording loads from a file).

>>> from lowdose import instruments
>>> instruments.score("phq9", {f"item{i}": v for i, v in
...     enumerate([2, 2, 1, 1, 0, 1, 2, 1, 0], 1)}).band
'moderate'

Exceptions::

    lowdose.errors.InputError
    ├── AnswerError                a missing, unknown or out-of-range answer (field = item link_id)
    │   └── WordingFileError       a licensed-wording file is unreadable or incomplete
    └── UnknownInstrumentError     no instrument under that name (field = "instrument")
"""

from __future__ import annotations

from lowdose.errors import AnswerError, UnknownInstrumentError, WordingFileError
from lowdose.instruments.acr import (
    CRITERIA_VERSIONS,
    FS_BANDS,
    REGIONS,
    WPI_AREAS,
    CriteriaResult,
    CriteriaVersion,
    evaluate_criteria,
)
from lowdose.instruments.fiqr import load_licensed_wording
from lowdose.instruments.model import (
    RISK_FLAGS,
    Answers,
    Band,
    Instrument,
    Item,
    ResponseOption,
    ScoreResult,
)
from lowdose.instruments.questionnaires import PFIZER_NOTICE
from lowdose.instruments.registry import get, names, register, reset, score
from lowdose.instruments.schedule import AssignmentSchedule, Occurrence

__all__ = [
    "CRITERIA_VERSIONS",
    "FS_BANDS",
    "PFIZER_NOTICE",
    "REGIONS",
    "RISK_FLAGS",
    "WPI_AREAS",
    "AnswerError",
    "Answers",
    "AssignmentSchedule",
    "Band",
    "CriteriaResult",
    "CriteriaVersion",
    "Instrument",
    "Item",
    "Occurrence",
    "ResponseOption",
    "ScoreResult",
    "UnknownInstrumentError",
    "WordingFileError",
    "evaluate_criteria",
    "get",
    "load_licensed_wording",
    "names",
    "register",
    "reset",
    "score",
]
