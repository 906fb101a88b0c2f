"""Demo data for the clinical workflow, called by the demo loader
(:func:`apps.demo.clinic.load_demo`). Idempotent: each object is looked up first.

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

Every clinical record is made by the action a page uses (:mod:`apps.clinical.screening`,
:mod:`apps.clinical.actions`, :mod:`apps.pharmacy.actions`) with the demo clinician or pharmacist
as the actor, so the demo is screened and audited like real use. The one thing no action does is
back-date: the dispensed titration is written, signed and dispensed today, then moved to the day
the diary's doses start by :func:`_demo_backdate` (demo only; see
``docs/decisions/0006-demo-through-actions.md``). The price lists are published through
:func:`apps.pharmacy.actions.publish_price` and the second pharmacy registered through
:func:`apps.accounts.actions.register_pharmacy`, like everything else.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from apps.accounts.actions import register_pharmacy
from apps.accounts.models import Patient, Pharmacy, User
from apps.audit.actor import Actor
from apps.clinical.actions import (
    MedicationEntry,
    PrescriptionDraft,
    add_medication,
    assign_instrument,
    create_prescription,
    sign_prescription,
)
from apps.clinical.models import Prescription
from apps.clinical.queries import patient_today
from apps.pharmacy.actions import PriceDraft, publish_price, record_dispensing
from lowdose.diary.demo import DEMO_PROFILES
from lowdose.regimens import DoseTime, decimal_str

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


def _prices(
    actor: Actor, pharmacy: Pharmacy, rows: tuple[tuple[str, str, str, str, int | None], ...]
) -> None:
    """The pharmacy's price list, published pack by pack as a pharmacist does
    (:func:`apps.pharmacy.actions.publish_price`)."""
    if pharmacy.prices.exists():
        return
    for form, per_unit, pack, price, in_use in rows:
        draft = PriceDraft(form, Decimal(per_unit), Decimal(pack), Decimal(price), "USD", in_use)
        publish_price(actor, pharmacy, draft)


def _medications(patient: Patient, by: Actor, rows: tuple[tuple[str, int | None], ...]) -> None:
    """The medication list, entered as the clinician enters it (each entry re-screens)."""
    if patient.medications.exists():
        return
    today = patient_today(patient)
    for name, stopped_days_ago in rows:
        entry = MedicationEntry(
            name,
            "current" if stopped_days_ago is None else "stopped",
            None if stopped_days_ago is None else today - timedelta(days=stopped_days_ago),
            today,
        )
        add_medication(by, patient, entry)


def load_clinical_demo(
    *, clinician: User, pharmacist: User, pharmacy: Pharmacy, patients: dict[str, Patient]
) -> None:
    _prices(Actor.of(pharmacist), pharmacy, PRICES["home"])
    lowdose = Actor.system(clinician.clinic_id)
    other = Pharmacy.objects.filter(name=OTHER_PHARMACY).first() or register_pharmacy(
        lowdose, name=OTHER_PHARMACY
    )
    _prices(lowdose, other, PRICES["other"])  # it has no pharmacist in the demo
    doctor = Actor.of(clinician)
    alex, sam = patients["patient"], patients["patient2"]
    _medications(alex, doctor, (("pregabalin 75 mg", None), ("Percocet 5/325", 60)))
    _medications(sam, doctor, (("Tramadol 50 mg", None), ("amitriptyline 10 mg", None)))
    if not alex.assignments.exists():
        assign_instrument(doctor, alex, instrument="phq9", start=patient_today(alex), every_weeks=4)
    if not alex.prescriptions.exists():
        _alex_prescriptions(alex, doctor, Actor.of(pharmacist), pharmacy)


#: Days from today to the demo N-of-1 trial's start (``apps.demo.nof1``): the open-label plan
#: ends the day before.
TRIAL_IN_DAYS = 7


def _alex_prescriptions(alex: Patient, doctor: Actor, dispenser: Actor, pharmacy: Pharmacy) -> None:
    """The titration the demo diary records, dispensed, then 4.5 mg to the day before the trial.

    Both are written, signed (screened) and the first dispensed through the actions, today; the
    titration is then back-dated to the day the diary's doses start (:func:`_demo_backdate`).
    """
    today = patient_today(alex)
    profile = DEMO_PROFILES["patient"]
    # The diary ends yesterday and covers total_days; doses start after its baseline days.
    first = today - timedelta(days=profile.total_days - profile.baseline_days)
    weekly = [(decimal_str(Decimal("1.5") + Decimal("0.5") * k), 7) for k in range(6)]
    titration = create_prescription(
        doctor,
        alex,
        PrescriptionDraft(
            protocol="custom",
            start=today,
            dose_time=DoseTime.BEDTIME,
            form=Prescription.Form.CAPSULE,
            supply_days=(today - first).days,
            custom_steps=(*weekly, ("4.5", None)),
        ),
    )
    sign_prescription(doctor, titration, pharmacy_id=pharmacy.pk, consent=True)
    record_dispensing(dispenser, titration, source="api", preserved=False, lot="DEMO-0001")
    _demo_backdate(titration, to=first)
    # From the dose the patient is on now (4.5 mg, dispensed and in the diary) to the day
    # before the N-of-1 trial's run-in (apps.demo.nof1).
    maintenance = create_prescription(
        doctor,
        alex,
        PrescriptionDraft(
            protocol="ldnrt-standard",
            start=today,
            dose_time=DoseTime.BEDTIME,
            form=Prescription.Form.CAPSULE,
            supply_days=TRIAL_IN_DAYS,
            start_from="current",
        ),
    )
    sign_prescription(doctor, maintenance, pharmacy_id=pharmacy.pk, consent=True)


def _demo_backdate(rx: Prescription, *, to: date) -> None:
    """Demo only: move a prescription made, signed and dispensed today (through the actions,
    screened and audited) so that it started on ``to``, as if it had been written then.

    The dated plan, the moments of writing and signing, and each dispensing's compounding day,
    beyond-use date (also on its label) and moment all move back by the same number of days;
    nothing else changes. The audit events keep their real time: the log says truthfully that
    the demo loader did this today. No action back-dates: a first dose in the past is refused
    (:func:`lowdose.regimens.check_start`).
    """
    shift = timedelta(days=(rx.start_date - to).days)

    def moved(iso: str | None) -> str | None:
        return None if iso is None else (date.fromisoformat(iso) - shift).isoformat()

    with transaction.atomic():
        rx.start_date -= shift
        rx.steps = [{**s, "start": moved(s["start"]), "end": moved(s.get("end"))} for s in rx.steps]
        rx.created_at -= shift
        if rx.signed_at is not None:
            rx.signed_at -= shift
        rx.save(update_fields=["start_date", "steps", "created_at", "signed_at"])
        for row in rx.dispensings.all():
            old_bud = row.beyond_use_date
            row.compounded_on -= shift
            row.beyond_use_date -= shift
            row.dispensed_at -= shift
            row.label = row.label.replace(old_bud.isoformat(), row.beyond_use_date.isoformat())
            row.save(update_fields=["compounded_on", "beyond_use_date", "dispensed_at", "label"])
