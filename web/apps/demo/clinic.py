"""The demo clinic: five logins, one care team, one pharmacy, two patients with 90-day diaries.

Built through the actions real use goes through (set-up: :mod:`apps.accounts.actions`; check-ins,
prescriptions, trials: their apps' actions), so it is screened and audited like real use.
Idempotent: every object is looked up before it is created, passwords are set only on creation, and
a patient's diary is generated only while they have no check-ins.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from apps.accounts.actions import (
    NewAccount,
    add_patient,
    create_account,
    create_care_team,
    open_clinic,
    register_pharmacy,
)
from apps.accounts.models import CareTeam, Clinic, Patient, Pharmacy, Role, User
from apps.audit.actor import Actor
from apps.checkins.actions import store_checkin
from apps.checkins.models import Checkin
from apps.checkins.summaries import after_diary_change
from apps.demo.clinical import load_clinical_demo
from apps.demo.nof1 import load_nof1_demo
from apps.research.actions import set_research_use
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
CLINIC = "Riverside Pain Clinic (demo)"
TEAM = "Fibromyalgia service"
PHARMACY = "Northgate Compounding Pharmacy (demo)"


def _user(actor: Actor, username: str, role: str, clinic: Clinic, **extra: Any) -> User:
    """The demo login ``username``, created with the demo password and the two-factor exemption
    (:func:`apps.accounts.actions.create_account`).

    An account that already exists is left exactly as it is: the exemption is set only on
    accounts this loader creates (``User.mfa_exempt``), never on one someone else made.
    """
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    return create_account(
        actor, clinic, NewAccount(username, role, DEMO_PASSWORD, mfa_exempt=True, **extra)
    )


def _set_up(actor: Actor) -> tuple[Clinic, User, User, CareTeam, Pharmacy]:
    """The clinic, its clinician and pharmacist (and admin), the care team and the pharmacy:
    each looked up first, else made by the set-up actions (:mod:`apps.accounts.actions`)."""
    clinic = Clinic.objects.filter(name=CLINIC).first() or open_clinic(actor, CLINIC)
    actor = replace(actor, clinic_id=clinic.pk)
    clinician = _user(
        actor, "clinician", Role.CLINICIAN, clinic, first_name="Dana", last_name="Reyes"
    )
    _user(actor, "admin", Role.ADMIN, clinic, admin_site=True)
    pharmacist = _user(actor, "pharmacist", Role.PHARMACIST, clinic)
    team = CareTeam.objects.filter(clinic=clinic, name=TEAM).first() or create_care_team(
        actor, clinic, TEAM, [clinician]
    )
    pharmacy = Pharmacy.objects.filter(name=PHARMACY).first() or register_pharmacy(
        actor, name=PHARMACY, phone="+44 20 7946 0000", pharmacists=[pharmacist]
    )
    return clinic, clinician, pharmacist, team, pharmacy


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create the demo clinic; returns how many check-ins were added per patient username.

    Every record is made by an action: as lowdose itself (``Actor.system``) for the set-up, as
    the demo's people for the rest, so loading the demo is audited like real use."""
    clinic, clinician, pharmacist, team, pharmacy = _set_up(Actor.system())
    lowdose = Actor.system(clinic.pk)
    added: dict[str, int] = {}
    patients: dict[str, Patient] = {}
    for username, profile in DEMO_PROFILES.items():
        user = _user(lowdose, username, Role.PATIENT, clinic)
        patient = Patient.objects.filter(user=user).first() or add_patient(
            lowdose, team, display_name=PATIENT_NAMES[username], user=user
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
        after_diary_change(patient)  # and the panel's summary
        # Each demo patient said yes to research use, as on their research page, so the
        # admin's research export has rows to look at.
        set_research_use(Actor.of(user), patient, agreed=True)
    load_clinical_demo(
        clinician=clinician, pharmacist=pharmacist, pharmacy=pharmacy, patients=patients
    )
    load_nof1_demo(clinician=clinician, pharmacy=pharmacy, patient=patients["patient"])
    return added
