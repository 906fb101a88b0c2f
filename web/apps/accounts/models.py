"""People, clinics, care teams, pharmacies, invitations and API tokens.

Who may see what is decided in one place, :mod:`apps.accounts.access`; these models only hold the
relationships it reads.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.utils import timezone

from lowdose.regimens.steps import decimal_str


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    CLINICIAN = "clinician", "Clinician"
    PHARMACIST = "pharmacist", "Pharmacist"
    ADMIN = "admin", "Clinic admin"


class Clinic(models.Model):
    name = models.CharField(max_length=200, unique=True)
    crisis_message = models.TextField(
        blank=True,
        help_text="Shown to a patient at once when an answer signals a risk of self-harm. "
        "Empty: lowdose's default, which points to local emergency services.",
    )
    crisis_contacts = models.JSONField(
        default=list,
        blank=True,
        help_text='Phone numbers shown with it: [{"label": "Clinic duty doctor", "phone": "..."}]',
    )

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Crisis contacts must be a list of ``{"label": ..., "phone": ...}`` with a dialable
        number: they are shown to a patient at risk, so a typo must be caught when typed."""
        contacts = self.crisis_contacts
        problem = None
        if not isinstance(contacts, list):
            problem = 'Write the contacts as a list: [{"label": "Duty doctor", "phone": "..."}].'
        else:
            for n, c in enumerate(contacts, 1):
                if not isinstance(c, dict) or not str(c.get("label", "")).strip():
                    problem = f'Contact {n} needs a label (who answers), e.g. "Duty doctor".'
                    break
                phone = str(c.get("phone", "")).strip()
                if not phone or not all(ch.isdigit() or ch in " +-()" for ch in phone):
                    problem = (
                        f"Contact {n} ({c.get('label')}) needs a phone number of digits, spaces, "
                        "+, - or brackets."
                    )
                    break
        if problem:
            raise ValidationError({"crisis_contacts": problem})


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices)
    clinic = models.ForeignKey(Clinic, null=True, blank=True, on_delete=models.PROTECT)
    # Demo accounts only: set by the demo loader on the accounts it creates, nowhere else (not
    # editable in the admin, not in the API). Cleared for good when the password changes, so a
    # demo account turned into a real one cannot keep skipping two-factor authentication.
    mfa_exempt = models.BooleanField(
        "demo account (skips two-factor)",
        default=False,
        editable=False,
        help_text="Set only by the demo loader; cleared when the password changes.",
    )

    REQUIRED_FIELDS: ClassVar[list[str]] = ["email", "role"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saving a new password (reset, change, admin, ``changepassword``) revokes every API
        token of the account and ends a demo account's two-factor exemption."""
        password_changed = getattr(self, "_password", None) is not None and not self._state.adding
        if password_changed:
            self.mfa_exempt = False
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "mfa_exempt"}
        with transaction.atomic():
            super().save(*args, **kwargs)
            if password_changed:
                ApiToken.objects.filter(user=self).delete()

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT

    @property
    def is_clinician(self) -> bool:
        return self.role == Role.CLINICIAN

    @property
    def is_pharmacist(self) -> bool:
        return self.role == Role.PHARMACIST

    @property
    def is_clinic_admin(self) -> bool:
        return self.role == Role.ADMIN


class CareTeam(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="care_teams")
    name = models.CharField(max_length=200)
    clinicians = models.ManyToManyField(
        User, related_name="care_teams", limit_choices_to={"role": Role.CLINICIAN}, blank=True
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["clinic", "name"], name="care_team_name_per_clinic")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.clinic})"


class Pharmacy(models.Model):
    """A compounding pharmacy; its pharmacists see only what is sent to it."""

    name = models.CharField(max_length=200, unique=True)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    pharmacists = models.ManyToManyField(
        User, related_name="pharmacies", limit_choices_to={"role": Role.PHARMACIST}, blank=True
    )
    min_weighable_mg = models.DecimalField(
        "minimum weighable quantity (mg)",
        max_digits=7,
        decimal_places=3,
        default=Decimal(120),
        validators=[MinValueValidator(Decimal("0.001"))],
        help_text="The smallest weight the pharmacy's balance weighs accurately; less is "
        "triturated or measured as a solution on the worksheet (lowdose.pharmacy.weighing: "
        "120 mg for a Class III prescription balance, USP <1176>).",
    )

    class Meta:
        verbose_name_plural = "pharmacies"
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(min_weighable_mg__gt=0), name="pharmacy_min_weighable_positive"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def min_weighable_text(self) -> str:
        """The minimum weighable quantity as people read it ("120", "8.2")."""
        return decimal_str(Decimal(self.min_weighable_mg))


class Patient(models.Model):
    """A person under care. ``user`` is empty until they accept their invitation."""

    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="patient"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    care_team = models.ForeignKey(CareTeam, on_delete=models.PROTECT, related_name="patients")
    display_name = models.CharField(max_length=200)
    mrn = models.CharField(
        "medical record number",
        max_length=64,
        blank=True,
        help_text="The clinic's record number (its system: LOWDOSE_MRN_SYSTEM); in FHIR exports.",
    )
    time_zone = models.CharField(max_length=64, default=settings.DEFAULT_PATIENT_TIME_ZONE)
    locale = models.CharField(
        "how dates and times read",
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text="The patient's pages show dates and times this way (config.formats).",
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.display_name

    def today(self) -> date:
        """Today's date where the patient lives: which day a check-in, a dose or a screen counts."""
        return timezone.now().astimezone(ZoneInfo(self.time_zone)).date()


class HashedToken:
    """A secret shown once (a link or a bearer token) of which only the SHA-256 is stored."""

    @staticmethod
    def new_token() -> tuple[str, str]:
        """A fresh token and its hash: give the first to the person, store the second."""
        raw = secrets.token_urlsafe(32)
        return raw, HashedToken.hash(raw)

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class Invitation(HashedToken, models.Model):
    """A one-time link that lets a patient create their login. Only the hash is stored."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Invitation for {self.patient} (expires {self.expires_at:%Y-%m-%d})"

    def is_usable(self, now: datetime | None = None) -> bool:
        return self.used_at is None and (now or timezone.now()) < self.expires_at


class ApiToken(HashedToken, models.Model):
    """A bearer token for the REST API. Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True, help_text="What it is for, e.g. 'phone'")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"API token of {self.user} (expires {self.expires_at:%Y-%m-%d})"
