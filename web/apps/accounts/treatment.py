"""A patient's treatment, as the apps that own it tell it: who holds naltrexone, whether a
patient on treatment must hold the next dose, and the blinded trial days.

The facts live in two apps that build on the others: prescriptions and the safety screen in
``clinical``, blinded N-of-1 trials in ``nof1``. The apps below them still need the facts — the
check-in pages show the safety hold and the kit to take, the clinician's panel shows who is on
LDN or in a trial, and the safety screen counts a trial's kits as naltrexone. Rather than import
upwards (an import cycle between apps), each owner registers its provider here when Django starts
(its ``AppConfig.ready``), and the apps below ask through the functions of this module.

**Fail closed.** Asking for a fact whose owner has not registered raises
:class:`~django.core.exceptions.ImproperlyConfigured`: a missing provider is an error a person
sees, never an answer of "nobody holds naltrexone".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from django.core.exceptions import ImproperlyConfigured

from lowdose.regimens import TrialWindow

if TYPE_CHECKING:
    from apps.accounts.models import Patient

__all__ = [
    "PrescriptionFacts",
    "TrialFacts",
    "blinded_kit",
    "naltrexone_holders",
    "open_trial_windows",
    "provide_prescription_facts",
    "provide_trial_facts",
    "safety_hold",
]


class PrescriptionFacts(Protocol):
    """What the clinical app knows (:mod:`apps.clinical.treatment`)."""

    def prescribed(self, patient_ids: list[int]) -> set[int]:
        """Of these patients, those with a signed or dispensed prescription (one query)."""
        ...

    def safety_hold(self, patient: Patient) -> bool:
        """True when the patient, on treatment, must not take the next dose before talking to
        the clinic (the screen of what is stored now blocks)."""
        ...


class TrialFacts(Protocol):
    """What the N-of-1 app knows (:mod:`apps.nof1.treatment`)."""

    def in_blinded_trial(self, patient_ids: list[int]) -> set[int]:
        """Of these patients, those in a trial not yet unblinded: its kits hold naltrexone."""
        ...

    def open_windows(self, patient: Patient, day: date) -> list[TrialWindow]:
        """The days held by the patient's trials that have not ended on ``day``."""
        ...

    def blinded_kit(self, patient: Patient, day: date) -> dict[str, Any] | None:
        """The blinded period (kit code, dates) the patient takes on ``day``, while a trial runs."""
        ...


_T = TypeVar("_T")
_prescriptions: list[PrescriptionFacts] = []
_trials: list[TrialFacts] = []


def provide_prescription_facts(provider: PrescriptionFacts) -> None:
    """Register the clinical app's provider (once; a second registration replaces the first)."""
    _prescriptions[:] = [provider]


def provide_trial_facts(provider: TrialFacts) -> None:
    """Register the N-of-1 app's provider (once; a second registration replaces the first)."""
    _trials[:] = [provider]


def _one(registered: list[_T], what: str) -> _T:
    if not registered:
        raise ImproperlyConfigured(
            f"No provider of {what} is registered: the app that owns them must be in "
            "INSTALLED_APPS (its AppConfig.ready registers it). Nothing can be screened without "
            "them."
        )
    return registered[0]


def naltrexone_holders(patient_ids: Iterable[int]) -> tuple[set[int], set[int]]:
    """Of these patients, those with a signed or dispensed prescription, and those in an N-of-1
    trial not yet unblinded (its kits contain naltrexone): two queries for any number."""
    ids = list(patient_ids)
    prescribed = _one(_prescriptions, "prescription facts").prescribed(ids)
    return prescribed, _one(_trials, "trial facts").in_blinded_trial(ids)


def safety_hold(patient: Patient) -> bool:
    """True when a patient on treatment must not take the next dose before talking to the
    clinic: the screen of what is stored now is contraindicated or needs review."""
    return _one(_prescriptions, "prescription facts").safety_hold(patient)


def open_trial_windows(patient: Patient, day: date) -> list[TrialWindow]:
    """The days held by the patient's N-of-1 trials that have not ended (designed, kits
    prepared, plan locked or running), from the first period's run-in to the last blinded day."""
    return _one(_trials, "trial facts").open_windows(patient, day)


def blinded_kit(patient: Patient, day: date) -> dict[str, Any] | None:
    """The blinded period (kit code, dates) to take on ``day``: only while the patient's trial
    is running (kits prepared, plan locked, within the schedule, not ended early)."""
    return _one(_trials, "trial facts").blinded_kit(patient, day)
