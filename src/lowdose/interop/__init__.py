"""Interoperability: FHIR R4B resources, iCalendar files and CSV.

Modules (import them directly; this package imports nothing eagerly so each stays independent)::

    lowdose.interop.fhir   FHIR R4B: MedicationRequest with a titration; assessments as
                           Questionnaire, QuestionnaireResponse and Observation
    lowdose.interop.ics    the patient's titration calendar (iCalendar, RFC 5545)
    lowdose.interop.vtimezone  VTIMEZONE components from zoneinfo transitions (RFC 5545 §3.6.5)
    lowdose.interop.diary_csv  the diary as CSV: check-in export and import, the daily series

Exceptions::

    LowdoseError
    └── InputError
        └── InteropError    a resource or file cannot be built from, or read back into, a plan
"""

from __future__ import annotations

from lowdose.errors import InteropError

__all__ = ["InteropError"]
