"""Access matrix rows for the FHIR export and the FHIR base."""

from __future__ import annotations

from apps.accounts.tests.matrix import Route, every_role

#: The record: the patient themself and their clinician; a role that exports no records (the
#: pharmacist, the clinic admin) is told so (403); anyone else's patient is "not found".
EXPORT_OWN = every_role(403, anonymous=302, patient=200, clinician=200)
EXPORT_OTHER = every_role(404, anonymous=302, pharmacist=403, admin=403)
PUBLIC = every_role(200)
#: The import: the patient and their clinician (each for the resource kinds their role writes:
#: an empty Bundle here); a role that imports nothing 403; anyone else's patient 404.
EMPTY_BUNDLE = {"resourceType": "Bundle", "type": "collection"}

ROUTES: tuple[Route, ...] = (
    Route(
        "fhir:download",
        "GET",
        "/patients/{pid}/record.fhir.json",
        EXPORT_OWN,
        EXPORT_OTHER,
        audited=True,
    ),
    Route(
        "api:export_fhir",
        "GET",
        "/api/v1/patients/{pid}/fhir",
        {**EXPORT_OWN, "anonymous": 401},
        {**EXPORT_OTHER, "anonymous": 401},
        api=True,
        audited=True,
    ),
    Route(
        "api:import_fhir",
        "POST",
        "/api/v1/patients/{pid}/fhir",
        {**EXPORT_OWN, "anonymous": 401},
        {**EXPORT_OTHER, "anonymous": 401},
        body=EMPTY_BUNDLE,
        api=True,
        audited=True,
    ),
    Route(
        "fhir:whole_record",
        "GET",
        "/patients/{pid}/record.zip",
        every_role(404, anonymous=302, patient=200),
        every_role(404, anonymous=302),
        audited=True,
    ),
    Route(
        "api:whole_record_zip",
        "GET",
        "/api/v1/patients/{pid}/record.zip",
        every_role(404, anonymous=401, patient=200),
        every_role(404, anonymous=401),
        api=True,
        audited=True,
    ),
    Route("fhir:metadata", "GET", "/fhir/metadata", PUBLIC),
    Route("fhir:questionnaire", "GET", "/fhir/Questionnaire/phq9", PUBLIC),
    Route("fhir:questionnaire_version", "GET", "/fhir/Questionnaire/phq9/_history/1", PUBLIC),
    Route("fhir:questionnaire_search", "GET", "/fhir/Questionnaire?url=x", PUBLIC),
    Route("fhir:not_found", "GET", "/fhir/Patient/1", every_role(404)),
)
