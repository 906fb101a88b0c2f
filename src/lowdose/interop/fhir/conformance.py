"""What the FHIR base says about itself: the CapabilityStatement, and OperationOutcome errors.

The server is not a general FHIR server. It publishes the Questionnaires lowdose uses (read and
vread at ``<base>/Questionnaire/<id>`` and ``…/_history/<version>``, search by ``url``) and
exports a patient's record as a ``collection`` Bundle at ``GET /api/v1/patients/{id}/fhir``
(a bearer token; the same access rules as the patient's other data). Every error is an
``OperationOutcome``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from fhir.resources.R4B.capabilitystatement import (
    CapabilityStatement,
    CapabilityStatementImplementation,
    CapabilityStatementRest,
    CapabilityStatementRestResource,
    CapabilityStatementRestResourceInteraction,
    CapabilityStatementRestResourceSearchParam,
    CapabilityStatementRestSecurity,
    CapabilityStatementSoftware,
)
from fhir.resources.R4B.operationoutcome import OperationOutcome, OperationOutcomeIssue

__all__ = ["EXPORTED_TYPES", "STATEMENT_DATE", "capability_statement", "operation_outcome"]

#: The resource types a patient's export Bundle may hold (lowdose.interop.fhir.bundle).
EXPORTED_TYPES = (
    "Patient",
    "Practitioner",
    "Condition",
    "MedicationRequest",
    "MedicationDispense",
    "Observation",
    "QuestionnaireResponse",
    "AdverseEvent",
    "DocumentReference",
)


#: When this statement last changed (CapabilityStatement.date): bump it with the statement.
STATEMENT_DATE = date(2026, 12, 6)


def capability_statement(
    base: str, *, version: str, changed: date = STATEMENT_DATE
) -> CapabilityStatement:
    """The CapabilityStatement of the FHIR base at ``base`` (lowdose ``version``)."""
    questionnaire = CapabilityStatementRestResource(
        type="Questionnaire",
        interaction=[
            CapabilityStatementRestResourceInteraction(code="read"),
            CapabilityStatementRestResourceInteraction(code="vread"),
            CapabilityStatementRestResourceInteraction(code="search-type"),
        ],
        versioning="versioned",
        readHistory=False,
        searchParam=[
            CapabilityStatementRestResourceSearchParam(
                name="url",
                type="uri",
                documentation="The canonical URL, optionally with |version.",
            )
        ],
        documentation="Every questionnaire lowdose uses, at its versioned canonical URL. "
        "Licensed wording (the FIQR) is not published.",
    )
    exported = [
        CapabilityStatementRestResource(
            type=name,
            documentation="Carried in a patient's export Bundle (GET /api/v1/patients/{id}/fhir"
            "?since=YYYY-MM-DD); no RESTful interaction of its own.",
        )
        for name in EXPORTED_TYPES
    ]
    return CapabilityStatement(
        status="active",
        date=cast(datetime, changed),  # a FHIR dateTime at day precision
        publisher="lowdose",
        kind="instance",
        software=CapabilityStatementSoftware(name="lowdose", version=version),
        implementation=CapabilityStatementImplementation(
            description="lowdose FHIR base: published Questionnaires and patient record export",
            url=base,
        ),
        fhirVersion="4.3.0",
        format=["application/fhir+json"],
        rest=[
            CapabilityStatementRest(
                mode="server",
                documentation="A patient's whole record is exported as a collection Bundle at "
                "GET /api/v1/patients/{id}/fhir, and a Bundle (or Observations from another "
                "system) is imported by POST to the same path (see docs/fhir.md).",
                security=CapabilityStatementRestSecurity(
                    description="Questionnaires and this statement are public. The patient export "
                    "needs 'Authorization: Bearer <token>' (POST /api/v1/auth/token) or a "
                    "signed-in session, and follows the patient's access rules.",
                ),
                resource=[questionnaire, *exported],
            )
        ],
    )


def operation_outcome(code: str, message: str, *, severity: str = "error") -> OperationOutcome:
    """An OperationOutcome with one issue (``code`` from the R4 issue-type value set:
    ``not-found``, ``forbidden``, ``invalid``, ``login``, ``not-supported``, ``processing``)."""
    return OperationOutcome(
        issue=[OperationOutcomeIssue(severity=severity, code=code, diagnostics=message)]
    )
