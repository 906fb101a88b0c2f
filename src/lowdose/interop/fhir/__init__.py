"""FHIR R4B resources built with ``fhir.resources`` models (never hand-built JSON).

Modules::

    lowdose.interop.fhir.medication    MedicationRequest with a titration (a dosageInstruction
                                       per step), and the steps read back from one
    lowdose.interop.fhir.assessments   Questionnaire, QuestionnaireResponse and score Observation
                                       of an assessment instrument; versioned canonical URLs
    lowdose.interop.fhir.records       the plain records a patient's export is built from
    lowdose.interop.fhir.resources     one builder per resource of the export
    lowdose.interop.fhir.bundle        the patient's record as a collection Bundle
    lowdose.interop.fhir.history       orders, dispensings, diagnoses and N-of-1 results kept
                                       read-only from another record
    lowdose.interop.fhir.reader        an imported Bundle read back, every problem by its path
    lowdose.interop.fhir.conformance   CapabilityStatement and OperationOutcome

Every FHIR resource lowdose writes is built here, so that codes, systems and conventions are
decided in one place.
"""

from __future__ import annotations

from lowdose.interop.fhir.assessments import (
    DEFAULT_CANONICAL_BASE,
    LOCAL_ANSWER_SYSTEM,
    LOCAL_SCORE_SYSTEM,
    LOINC,
    observation,
    questionnaire,
    questionnaire_id,
    questionnaire_response,
    questionnaire_url,
    questionnaire_version,
    versioned_canonical,
)
from lowdose.interop.fhir.bundle import entry_uuid, patient_bundle
from lowdose.interop.fhir.conformance import capability_statement, operation_outcome
from lowdose.interop.fhir.history import HistoryResource
from lowdose.interop.fhir.medication import (
    ICD10CM_SYSTEM,
    RXNORM_NALTREXONE_IN,
    RXNORM_SYSTEM,
    UCUM_SYSTEM,
    medication_request,
    steps_from_medication_request,
)
from lowdose.interop.fhir.records import (
    AssessmentRecord,
    CheckinRecord,
    DispensingRecord,
    IdentifierSystems,
    Nof1EffectRecord,
    Nof1Record,
    PatientIdentity,
    PatientRecord,
    PractitionerRecord,
    PrescriptionRecord,
    ReportDocument,
    SideEffectRecord,
)

__all__ = [
    "DEFAULT_CANONICAL_BASE",
    "ICD10CM_SYSTEM",
    "LOCAL_ANSWER_SYSTEM",
    "LOCAL_SCORE_SYSTEM",
    "LOINC",
    "RXNORM_NALTREXONE_IN",
    "RXNORM_SYSTEM",
    "UCUM_SYSTEM",
    "AssessmentRecord",
    "CheckinRecord",
    "DispensingRecord",
    "HistoryResource",
    "IdentifierSystems",
    "Nof1EffectRecord",
    "Nof1Record",
    "PatientIdentity",
    "PatientRecord",
    "PractitionerRecord",
    "PrescriptionRecord",
    "ReportDocument",
    "SideEffectRecord",
    "capability_statement",
    "entry_uuid",
    "medication_request",
    "observation",
    "operation_outcome",
    "patient_bundle",
    "questionnaire",
    "questionnaire_id",
    "questionnaire_response",
    "questionnaire_url",
    "questionnaire_version",
    "steps_from_medication_request",
    "versioned_canonical",
]
