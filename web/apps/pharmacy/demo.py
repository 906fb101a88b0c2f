"""Demo data for the clinical workflow, called by the demo loader
(:func:`apps.accounts.management.demo.load_demo`). Idempotent: each object is looked up first.

* Two demo pharmacies publish price lists in USD. The prices are invented for the demo but sit in
  the range the sources give: capsules $0.50–1.50 per dose and liquid about $0.50 per dose (LDN
  Research Trust), "$30+/month" for trial capsules in 2013 (The Pain Source, after J. Younger);
  overall $30–100 a month out of pocket (the seed article). The cost page shows what they come to.
* Alex Morgan (``patient``) has a medication list with an opioid stopped long ago and one
  treatment story: the titration the diary records (1.5 mg rising 0.5 mg a week from 76 days ago,
  4.5 mg for the last five weeks), dispensed; and a signed capsule prescription that continues
  at 4.5 mg from today to the day before the N-of-1 trial's run-in starts (next week), routed to
  the pharmacist's pharmacy: the pharmacist has one to make and the patient a calendar and costs
  to see.
* Alex Morgan also has the PHQ-9 assigned every 4 weeks from today, so "Questionnaires" shows one
  due.
* Sam Okafor (``patient2``) still takes tramadol: the clinician's screen shows the hard stop; once
  the visitor records the last dose 10 or more days ago, a prescription can be signed.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from apps.accounts.models import Patient, Pharmacy, User
from apps.clinical.actions import OFF_LABEL_STATEMENT
from apps.clinical.models import Assignment, Medication, Prescription
from apps.clinical.queries import patient_today
from apps.clinical.screening import screen_patient
from apps.pharmacy.models import PriceEntry
from lowdose.diary.demo import DEMO_PROFILES
from lowdose.regimens import continue_from, custom_protocol, decimal_str, get_protocol

__all__ = ["OTHER_PHARMACY", "PRICES", "load_clinical_demo"]

OTHER_PHARMACY = "Riverside Compounding (demo)"

# (form, strength or concentration, pack size, price USD, in-use days for liquids)
#: The worksheet compounds one capsule per dose, so a pharmacy prices every strength a plan uses
#: (0.5–4.5 mg in 0.5 mg steps covers the shipped LDN Research Trust plans).
_STRENGTHS = tuple(str(Decimal("0.5") * k) for k in range(1, 10))
PRICES: dict[str, tuple[tuple[str, str, str, str, int | None], ...]] = {
    "home": (
        *(("capsule", s, "30", "30.00", None) for s in _STRENGTHS[:-1]),  # $1.00 per dose
        ("capsule", "4.5", "30", "35.00", None),  # $1.17 per dose
        ("liquid", "1", "100", "25.00", 14),  # unpreserved aqueous: 14-day BUD (USP <795>)
    ),
    "other": (
        # $1.50 per dose, the top of the quoted range; no 0.5 mg capsules
        *(("capsule", s, "30", "45.00", None) for s in _STRENGTHS[1:]),
        ("liquid", "1", "100", "30.00", 35),  # preserved: 35-day BUD
    ),
}


def _prices(pharmacy: Pharmacy, rows: tuple[tuple[str, str, str, str, int | None], ...]) -> None:
    if pharmacy.prices.exists():
        return
    for form, per_unit, pack, price, in_use in rows:
        PriceEntry.objects.create(
            pharmacy=pharmacy,
            form=form,
            strength_mg=Decimal(per_unit) if form == "capsule" else None,
            concentration_mg_per_ml=Decimal(per_unit) if form == "liquid" else None,
            pack_size=Decimal(pack),
            price=Decimal(price),
            currency="USD",
            in_use_days=in_use,
        )


def _medications(patient: Patient, by: User, rows: tuple[tuple[str, int | None], ...]) -> None:
    if patient.medications.exists():
        return
    today = patient_today(patient)
    for name, stopped_days_ago in rows:
        Medication.objects.create(
            patient=patient,
            name=name,
            status="current" if stopped_days_ago is None else "stopped",
            last_dose=None
            if stopped_days_ago is None
            else today - timedelta(days=stopped_days_ago),
            added_by=by,
        )


def load_clinical_demo(
    *, clinician: User, pharmacy: Pharmacy, patients: dict[str, Patient]
) -> None:
    _prices(pharmacy, PRICES["home"])
    other, _ = Pharmacy.objects.get_or_create(name=OTHER_PHARMACY)
    _prices(other, PRICES["other"])
    alex, sam = patients["patient"], patients["patient2"]
    _medications(alex, clinician, (("pregabalin 75 mg", None), ("Percocet 5/325", 60)))
    _medications(sam, clinician, (("Tramadol 50 mg", None), ("amitriptyline 10 mg", None)))
    if not alex.assignments.exists():
        Assignment.objects.create(
            patient=alex,
            instrument="phq9",
            start=patient_today(alex),
            every_weeks=4,
            assigned_by=clinician,
        )
    if not alex.prescriptions.exists():
        _alex_prescriptions(alex, clinician, pharmacy)


#: Days from today to the demo N-of-1 trial's start (``apps.nof1.demo``): the open-label plan
#: ends the day before.
TRIAL_IN_DAYS = 7


def _alex_prescriptions(alex: Patient, clinician: User, pharmacy: Pharmacy) -> None:
    """The titration the demo diary records, dispensed, then 4.5 mg to the day before the trial."""
    today = patient_today(alex)
    profile = DEMO_PROFILES["patient"]
    # The diary ends yesterday and covers total_days; doses start after its baseline days.
    first = today - timedelta(days=profile.total_days - profile.baseline_days)
    weekly = [(decimal_str(Decimal("1.5") + Decimal("0.5") * k), 7) for k in range(6)]
    custom: list[tuple[str, int | None]] = [*weekly, ("4.5", None)]
    titration = custom_protocol([(Decimal(d), n) for d, n in custom])
    maintenance = continue_from(get_protocol("ldnrt-standard"), Decimal("4.5"))
    plans = (
        (titration, custom, first, (today - first).days, Prescription.Status.DISPENSED),
        (maintenance, [("4.5", None)], today, TRIAL_IN_DAYS, Prescription.Status.SIGNED),
    )
    for protocol, steps, start, days, status in plans:
        dated = protocol.schedule(start, through=start + timedelta(days=days - 1))
        Prescription.objects.create(
            patient=alex,
            clinician=clinician,
            protocol=protocol.name,
            start_date=start,
            dose_time="bedtime",
            supply_days=days,
            steps=[s.to_dict() for s in dated],
            custom_steps=[[d, n] for d, n in steps],
            form="capsule",
            pharmacy=pharmacy,
            status=status,
            off_label_statement=OFF_LABEL_STATEMENT,
            consent_recorded=True,
            screening=screen_patient(alex).to_dict(),
            signed_at=timezone.now(),
            created_at=timezone.now() - timedelta(days=(today - start).days),
        )
