"""FHIR R4B Questionnaire, QuestionnaireResponse and Observation built from a definition.

Conventions follow the HL7 US Core PHQ-9 Questionnaire (HL7/US-Core @85bf4af):
``Questionnaire.code`` is the LOINC panel, items carry their LOINC code, choice answers are
``valueCoding`` (LOINC ``LA`` codes where verified) with the ``ordinalValue`` extension carrying
the score weight, and the instrument copyright goes in ``Questionnaire.copyright``. Scores are
``Observation`` resources with category ``survey`` and ``derivedFrom`` pointing at the
QuestionnaireResponse. Models come from ``fhir.resources.R4B`` (the package's root models are R5).
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from lowdose.errors import InputError
from lowdose.instruments.model import Answers, Instrument, Item, ScoreResult

__all__ = [
    "DEFAULT_CANONICAL_BASE",
    "LOCAL_ANSWER_SYSTEM",
    "LOCAL_SCORE_SYSTEM",
    "LOINC",
    "NOT_REDISTRIBUTABLE",
    "observation",
    "questionnaire",
    "questionnaire_id",
    "questionnaire_response",
    "questionnaire_url",
    "questionnaire_version",
    "versioned_canonical",
]

LOINC = "http://loinc.org"
#: Local code systems for scores and answers without a verified LOINC code (instruments ref. §6.1).
LOCAL_SCORE_SYSTEM = "urn:lowdose:codesystem:instrument-score"
LOCAL_ANSWER_SYSTEM = "urn:lowdose:codesystem:instrument-answer"
_ORDINAL = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
_MIN = "http://hl7.org/fhir/StructureDefinition/minValue"
_MAX = "http://hl7.org/fhir/StructureDefinition/maxValue"
_SURVEY = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }
    ]
}


#: The FHIR base whose ``Questionnaire/<id>`` URLs are the canonical URLs when the caller gives
#: none: what ``make run`` serves. A server builds them from ``LOWDOSE_FHIR_BASE_URL`` (or its own
#: address), and serves each one there (docs/fhir.md).
DEFAULT_CANONICAL_BASE = "http://localhost:8000/fhir"
_DEFINITION = re.compile(r"lowdose definition (\d+)\s*$")
#: Instruments whose wording a clinic may hold under licence but not redistribute (shared
#: reference instruments.md §8: FIQR "No, without a licence"; the licence file is loaded by
#: ``apps.clinical.licensed``). Their Questionnaire at the FHIR base keeps the structure and
#: scoring and withholds the item text.
NOT_REDISTRIBUTABLE = frozenset({"fiqr"})
_WITHHELD = "[wording under licence; not published — see the Questionnaire's copyright]"


def questionnaire_id(instrument: Instrument) -> str:
    """The Questionnaire's logical id (``phq9``, ``acr2016-self``)."""
    return instrument.name.replace("_", "-")


def questionnaire_version(instrument: Instrument) -> str:
    """The business version of the definition: the number of "lowdose definition N" in the
    instrument's version text (``"PHQ-9 (Kroenke 2001); lowdose definition 1"`` → ``"1"``)."""
    found = _DEFINITION.search(instrument.version)
    if found is None:
        raise InputError(
            f"instrument {instrument.name!r} version {instrument.version!r} does not end in "
            "'lowdose definition N'; give it a definition number.",
            field="version",
        )
    return found.group(1)


def questionnaire_url(instrument: Instrument, base: str = DEFAULT_CANONICAL_BASE) -> str:
    """Canonical URL of the instrument's Questionnaire: ``<FHIR base>/Questionnaire/<id>``."""
    return f"{base.rstrip('/')}/Questionnaire/{questionnaire_id(instrument)}"


def versioned_canonical(instrument: Instrument, base: str = DEFAULT_CANONICAL_BASE) -> str:
    """The canonical with its version, ``<url>|<version>``, as a QuestionnaireResponse cites it."""
    return f"{questionnaire_url(instrument, base)}|{questionnaire_version(instrument)}"


def _answer_coding(instrument: Instrument, item: Item, value: int) -> dict[str, Any]:
    opt = item.option(value)
    label = opt.label if opt else str(value)
    if opt is not None and opt.code:
        return {"system": LOINC, "code": opt.code, "display": label}
    return {
        "system": f"{LOCAL_ANSWER_SYSTEM}:{instrument.name}:{item.link_id}",
        "code": str(value),
        "display": label,
    }


def _q_item(instrument: Instrument, item: Item, *, withhold: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "linkId": item.link_id,
        "text": _WITHHELD if withhold else item.text,
        "required": item.required,
    }
    if item.code:
        out["code"] = [{"system": LOINC, "code": item.code}]
    if item.kind == "choice":
        out["type"] = "choice"
        out["answerOption"] = [
            {
                "valueCoding": _answer_coding(instrument, item, opt.value),
                "extension": [{"url": _ORDINAL, "valueDecimal": opt.value}],
            }
            for opt in item.options
        ]
    elif item.kind == "boolean":
        out["type"] = "boolean"
    else:
        out["type"] = "integer"
        out["extension"] = [
            {"url": _MIN, "valueInteger": item.minimum},
            {"url": _MAX, "valueInteger": item.maximum},
        ]
    return out


def questionnaire(
    instrument: Instrument,
    *,
    status: str = "active",
    base: str = DEFAULT_CANONICAL_BASE,
    publish: bool = False,
) -> Questionnaire:
    """Build the R4B ``Questionnaire`` of an instrument (validated by ``fhir.resources``).

    ``publish=True`` builds the copy served to anyone at the FHIR base: the wording of an
    instrument in :data:`NOT_REDISTRIBUTABLE` (the FIQR) is withheld there.
    """
    withhold = publish and instrument.name in NOT_REDISTRIBUTABLE
    preamble = _WITHHELD if withhold else instrument.preamble
    data: dict[str, Any] = {
        "resourceType": "Questionnaire",
        "id": questionnaire_id(instrument),
        "url": questionnaire_url(instrument, base),
        "version": questionnaire_version(instrument),
        "name": instrument.name.upper().replace("-", "_"),
        "title": instrument.title,
        "status": status,
        "subjectType": ["Patient"],
        "description": f"{preamble} Recall: {instrument.recall}. Source: {instrument.source}. "
        f"Definition: {instrument.version}.".strip(),
        "item": [_q_item(instrument, i, withhold=withhold) for i in instrument.items],
    }
    if instrument.copyright:
        data["copyright"] = instrument.copyright
    if instrument.loinc_panel:
        data["code"] = [{"system": LOINC, "code": instrument.loinc_panel}]
    return Questionnaire.model_validate(data)


def _aware(moment: datetime, field: str) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InputError(
            f"{field} must be timezone-aware (e.g. datetime(..., tzinfo=UTC)).", field=field
        )
    return moment.isoformat()


def questionnaire_response(
    instrument: Instrument,
    answers: Answers,
    *,
    subject: str,
    authored: datetime,
    response_id: str | None = None,
    base: str = DEFAULT_CANONICAL_BASE,
    identifier: Identifier | None = None,
) -> QuestionnaireResponse:
    """Build a completed R4B ``QuestionnaireResponse`` from validated answers.

    ``subject`` is a reference such as ``"Patient/123"`` or ``"urn:uuid:…"``; ``authored`` must be
    timezone-aware. ``questionnaire`` is the versioned canonical (:func:`versioned_canonical`).
    """
    clean = instrument.validate(answers)
    items: list[dict[str, Any]] = []
    for item in instrument.items:
        if item.link_id not in clean:
            continue
        value = clean[item.link_id]
        if item.kind == "choice":
            answer: dict[str, Any] = {"valueCoding": _answer_coding(instrument, item, value)}
        elif item.kind == "boolean":
            answer = {"valueBoolean": bool(value)}
        else:
            answer = {"valueInteger": value}
        items.append({"linkId": item.link_id, "text": item.text, "answer": [answer]})
    data: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": versioned_canonical(instrument, base),
        "status": "completed",
        "subject": {"reference": subject},
        "authored": _aware(authored, "authored"),
        "item": items,
    }
    if response_id:
        data["id"] = response_id
    if identifier is not None:
        data["identifier"] = identifier
    return QuestionnaireResponse.model_validate(data)


def _value(value: int | Decimal | bool) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    return {
        "valueQuantity": {
            "value": value,
            "unit": "{score}",
            "system": "http://unitsofmeasure.org",
            "code": "{score}",
        }
    }


def observation(
    result: ScoreResult,
    *,
    subject: str,
    effective: datetime,
    derived_from: str | None = None,
    observation_id: str | None = None,
    identifier: Identifier | None = None,
) -> Observation:
    """Build the R4B score ``Observation`` (LOINC total code where verified, else a local code).

    Subscores (domains, WPI/SSS, criteria met) become ``component`` entries with local codes; the
    band and the interpretation go in ``note``.
    """
    from lowdose.instruments.registry import get  # local import: registry imports this package

    instrument = get(result.instrument)
    if instrument.loinc_total:
        coding: dict[str, Any] = {"system": LOINC, "code": instrument.loinc_total}
        if instrument.total_display:
            coding["display"] = instrument.total_display
    else:
        coding = {
            "system": LOCAL_SCORE_SYSTEM,
            "code": f"{result.instrument}-total",
            "display": f"{instrument.title} total score",
        }
    data: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [_SURVEY],
        "code": {"coding": [coding], "text": instrument.title},
        "subject": {"reference": subject},
        "effectiveDateTime": _aware(effective, "effective"),
        **_value(result.total),
        "note": [{"text": result.interpretation}],
    }
    if result.subscores:
        data["component"] = [
            {
                "code": {
                    "coding": [
                        {"system": LOCAL_SCORE_SYSTEM, "code": f"{result.instrument}-{name}"}
                    ],
                    "text": name,
                },
                **_value(value),
            }
            for name, value in result.subscores
        ]
    if derived_from:
        data["derivedFrom"] = [{"reference": derived_from}]
    if observation_id:
        data["id"] = observation_id
    if identifier is not None:
        data["identifier"] = [identifier]
    return Observation.model_validate(data)
