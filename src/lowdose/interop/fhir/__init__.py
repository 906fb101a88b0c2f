"""FHIR R4B resources built with ``fhir.resources`` models (never hand-built JSON).

Modules::

    lowdose.interop.fhir.medication    MedicationRequest with a titration (a dosageInstruction
                                       per step), and the steps read back from one
    lowdose.interop.fhir.assessments   Questionnaire, QuestionnaireResponse and score Observation
                                       of an assessment instrument

Every FHIR resource lowdose writes is built here, so that codes, systems and conventions are
decided in one place.
"""

from __future__ import annotations

from lowdose.interop.fhir.assessments import (
    LOCAL_ANSWER_SYSTEM,
    LOCAL_SCORE_SYSTEM,
    LOINC,
    observation,
    questionnaire,
    questionnaire_response,
    questionnaire_url,
)
from lowdose.interop.fhir.medication import (
    ICD10CM_SYSTEM,
    RXNORM_NALTREXONE_IN,
    RXNORM_SYSTEM,
    UCUM_SYSTEM,
    medication_request,
    steps_from_medication_request,
)

__all__ = [
    "ICD10CM_SYSTEM",
    "LOCAL_ANSWER_SYSTEM",
    "LOCAL_SCORE_SYSTEM",
    "LOINC",
    "RXNORM_NALTREXONE_IN",
    "RXNORM_SYSTEM",
    "UCUM_SYSTEM",
    "medication_request",
    "observation",
    "questionnaire",
    "questionnaire_response",
    "questionnaire_url",
    "steps_from_medication_request",
]
