"""A patient's answer to research use of their de-identified data (opt-in: no answer is no)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from apps.accounts.models import Patient


class ResearchConsent(models.Model):
    """Whether the patient lets their clinic include them in its de-identified research export.

    No row means no: a patient is exported only after saying yes on their research page, and
    leaves every later export as soon as they say no. Every change is in the audit log
    (``research.consent``) with who made it and when."""

    patient = models.OneToOneField(
        Patient, primary_key=True, on_delete=models.CASCADE, related_name="research_consent"
    )
    agreed = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Research use for patient {self.patient_id}: {'yes' if self.agreed else 'no'}"
