"""A prescription as the core's FHIR record, and its MedicationRequest on its own (the
``medication-request.json`` download). The whole record's export is :mod:`apps.fhir`."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.http import HttpRequest
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.reference import Reference

from apps.clinical.models import Prescription
from lowdose.interop.fhir import IdentifierSystems, PrescriptionRecord, entry_uuid
from lowdose.interop.fhir.resources import prescription as build_prescription

__all__ = ["fhir_base", "identifier_systems", "medication_request_for", "prescription_record"]


def identifier_systems() -> IdentifierSystems:
    """The installation's identifier systems (settings ``LOWDOSE_FHIR_IDENTIFIER_BASE`` and
    ``LOWDOSE_MRN_SYSTEM``). Without an MRN system the MRN the clinician recorded still travels,
    under ``<base>:mrn`` (numbers assigned by this clinic's lowdose), so that a record moved to
    another installation can be matched to the patient there (docs/fhir.md, "Identifiers")."""
    own = IdentifierSystems(base=settings.FHIR_IDENTIFIER_BASE)
    return IdentifierSystems(base=own.base, mrn=settings.MRN_SYSTEM or own.system("mrn"))


def fhir_base(request: HttpRequest) -> str:
    """The FHIR base URL, whose ``Questionnaire/<id>`` are the canonical URLs:
    ``LOWDOSE_FHIR_BASE_URL``, else this server's own ``/fhir``."""
    return str(settings.FHIR_BASE_URL or request.build_absolute_uri("/fhir")).rstrip("/")


def prescription_record(rx: Prescription) -> PrescriptionRecord:
    return PrescriptionRecord(
        lowdose_id=rx.pk,
        status=rx.status,
        steps=rx.plan(),
        form=rx.form,
        created_at=rx.created_at,
        prescriber_id=rx.clinician_id,
        concentration_mg_per_ml=(
            None if rx.concentration_mg_per_ml is None else Decimal(rx.concentration_mg_per_ml)
        ),
        supply_days=rx.supply_days,
        signed_at=rx.signed_at,
        pharmacy_name=rx.pharmacy.name if rx.pharmacy else "",
        off_label_statement=rx.off_label_statement,
    )


def medication_request_for(rx: Prescription) -> MedicationRequest:
    """The MedicationRequest as the patient's export Bundle carries it (same id, identifier,
    status, contained Medication); the patient and the prescriber are named by their lowdose
    identifiers, with the ``urn:uuid:`` the export gives them."""
    systems = identifier_systems()
    patient_url = f"urn:uuid:{entry_uuid(systems, 'patient', rx.patient_id)}"
    prescriber_url = f"urn:uuid:{entry_uuid(systems, 'practitioner', rx.clinician_id)}"
    resource = build_prescription(
        prescription_record(rx),
        systems,
        resource_id=entry_uuid(systems, "prescription", rx.pk),
        subject=patient_url,
        requester=prescriber_url,
        reason=None,
    )
    resource.subject = Reference(
        reference=patient_url,
        identifier=Identifier(system=systems.system("patient"), value=str(rx.patient_id)),
    )
    resource.requester = Reference(
        reference=prescriber_url,
        identifier=Identifier(system=systems.system("practitioner"), value=str(rx.clinician_id)),
    )
    return resource
