"""Writes of the research app: a patient's answer to research use of their data."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Patient
from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.research.models import ResearchConsent

__all__ = ["set_research_use"]


def set_research_use(actor: Actor, patient: Patient, *, agreed: bool) -> ResearchConsent:
    """Record the patient's yes or no; the answer and its audit event commit together."""
    with transaction.atomic():
        consent, _ = ResearchConsent.objects.select_for_update().get_or_create(patient=patient)
        before = consent.agreed
        consent.agreed = agreed
        consent.changed_at = timezone.now()
        consent.save()
        record_as(
            actor,
            "research.consent",
            patient_id=patient.pk,
            clinic_id=patient.clinic_id,
            obj=consent,
            detail={"agreed": {"from": before, "to": agreed}},
        )
    return consent
