"""The demo clinic: five logins, one care team, one pharmacy, two patients with 90-day diaries.

Idempotent: every object is looked up before it is created, passwords are set only on creation, and
a patient's diary is generated only while they have no check-ins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import CareTeam, Clinic, Patient, Pharmacy, Role, User
from apps.alerts.rules import followup_after_checkin
from apps.audit.actor import Actor
from apps.checkins.actions import store_checkin
from apps.checkins.models import Checkin
from apps.nof1.demo import load_nof1_demo
from apps.pharmacy.demo import load_clinical_demo
from lowdose.diary.demo import DEMO_PROFILES, generate_diary

DEMO_PASSWORD = "lowdose-demo"  # noqa: S105 - documented demo-only password


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    what_to_click: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(
        "patient", Role.PATIENT, "Check in now, then My treatment: calendar, cost, wallet card"
    ),
    DemoLogin("patient2", Role.PATIENT, "a patient who stopped checking in 4 days ago"),
    DemoLogin(
        "clinician",
        Role.CLINICIAN,
        "the panel; Sam Okafor → Screening and prescriptions (tramadol: hard stop)",
    ),
    DemoLogin(
        "pharmacist", Role.PHARMACIST, "the pharmacy queue: Alex Morgan's worksheet, then dispense"
    ),
    DemoLogin("admin", Role.ADMIN, "the audit log and account administration"),
)
PATIENT_NAMES = {"patient": "Alex Morgan", "patient2": "Sam Okafor"}


def _user(username: str, role: str, clinic: Clinic, **extra: Any) -> User:
    """The demo login ``username``, created with the demo password and the two-factor exemption.

    An account that already exists is left exactly as it is: the exemption is set only on
    accounts this loader creates (``User.mfa_exempt``), never on one someone else made.
    """
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    user = User(username=username, role=role, clinic=clinic, mfa_exempt=True, **extra)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create the demo clinic; returns how many check-ins were added per patient username."""
    clinic, _ = Clinic.objects.get_or_create(name="Riverside Pain Clinic (demo)")
    clinician = _user("clinician", Role.CLINICIAN, clinic, first_name="Dana", last_name="Reyes")
    _user("admin", Role.ADMIN, clinic, is_staff=True, is_superuser=True)
    pharmacist = _user("pharmacist", Role.PHARMACIST, clinic)
    team, _ = CareTeam.objects.get_or_create(clinic=clinic, name="Fibromyalgia service")
    team.clinicians.add(clinician)
    pharmacy, _ = Pharmacy.objects.get_or_create(
        name="Northgate Compounding Pharmacy (demo)", defaults={"phone": "+44 20 7946 0000"}
    )
    pharmacy.pharmacists.add(pharmacist)
    added: dict[str, int] = {}
    patients: dict[str, Patient] = {}
    for username, profile in DEMO_PROFILES.items():
        user = _user(username, Role.PATIENT, clinic)
        patient, _ = Patient.objects.get_or_create(
            user=user,
            defaults={"clinic": clinic, "care_team": team, "display_name": PATIENT_NAMES[username]},
        )
        added[username] = 0
        patients[username] = patient
        if Checkin.objects.filter(patient=patient).exists():
            continue
        tz = ZoneInfo(patient.time_zone)
        # The diary ends yesterday evening, so today's check-in is the visitor's to make.
        yesterday = timezone.now().astimezone(tz).date() - timedelta(days=1)
        for checkin in generate_diary(profile, end=yesterday, tz=tz):
            _, created = store_checkin(Actor.of(user), patient, checkin, followup=False)
            added[username] += created
        # The follow-up rules see the whole diary once, as after the latest check-in.
        followup_after_checkin(Actor.system(clinic.pk), patient)
    load_clinical_demo(
        clinician=clinician, pharmacist=pharmacist, pharmacy=pharmacy, patients=patients
    )
    load_nof1_demo(clinician=clinician, pharmacy=pharmacy, patient=patients["patient"])
    return added
