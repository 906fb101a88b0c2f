"""A designed (not yet started) N-of-1 trial for the demo clinic, so visitors can see the blinded
schedule, the run-in derivation, the design assistant and the pharmacy's kit list, and take it
through its states: the pharmacist records the kits prepared, then the clinician locks the plan.
The design assistant's figures are computed here, in advance, so the trial page never waits."""

from __future__ import annotations

from datetime import timedelta

from apps.accounts.models import Patient, Pharmacy, User
from apps.audit.actor import Actor
from apps.checkins.queries import patient_today
from apps.demo.clinical import TRIAL_IN_DAYS
from apps.nof1.actions import DesignRequest, design_trial
from apps.nof1.assistant import compute_figures
from apps.nof1.models import Nof1Trial


def load_nof1_demo(*, clinician: User, pharmacy: Pharmacy, patient: Patient) -> None:
    """Alex Morgan improved on open-label 4.5 mg: a blinded trial starting next week asks whether
    it was LDN or placebo response. Designed by the demo clinician through the action pages use
    (screened and audited). Idempotent: nothing happens if the patient has a trial."""
    if Nof1Trial.objects.filter(patient=patient).exists():
        return
    trial, _ = design_trial(
        Actor.of(clinician),
        patient,
        DesignRequest(
            arms=("placebo", "4.5"),
            cycles=3,
            period_days=28,
            start=patient_today(patient) + timedelta(days=TRIAL_IN_DAYS),
            onset_days=7,
            pharmacy=pharmacy,
            outcome="pain",
            mcid=1.0,
        ),
    )
    compute_figures(trial)
