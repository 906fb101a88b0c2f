"""What the reminders need to know about a day, as the apps that own it tell it.

The titration plan and the questionnaires a clinician assigned live in ``clinical``; the blinded
N-of-1 kit periods in ``nof1``. Both build on this app, so neither can be imported here (an
import cycle between apps): each registers a provider when Django starts (its
``AppConfig.ready``), as :mod:`apps.accounts.treatment` does for the safety screen.

Every question is asked for many patients at once (one or two queries for any number), so the
reminder job's queries do not grow with the number of patients.

**Fail closed.** Asking without a registered provider raises
:class:`~django.core.exceptions.ImproperlyConfigured`: a missing provider is an error a person
sees, never a silent day without reminders.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Protocol, TypeVar

from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "PlanFacts",
    "TrialSwitchFacts",
    "kit_switches",
    "morning_dosers",
    "provide_plan_facts",
    "provide_trial_switch_facts",
    "questionnaires_due",
    "titration_steps",
    "tonights_doses",
]


class PlanFacts(Protocol):
    """What the clinical app knows (:mod:`apps.clinical.reminders`)."""

    def titration_steps(self, patient_ids: list[int], day: date) -> dict[int, Decimal]:
        """Patient id → the nightly dose of a titration step that starts on ``day``."""
        ...

    def tonights_doses(self, patient_ids: list[int], day: date) -> dict[int, Decimal]:
        """Patient id → the dose the current plan gives for ``day`` (on treatment)."""
        ...

    def questionnaires_due(self, patient_ids: list[int], day: date) -> dict[int, list[str]]:
        """Patient id → the questionnaires (their names in words) falling due on ``day``."""
        ...

    def morning_dosers(self, patient_ids: list[int]) -> set[int]:
        """Of these patients, those whose current prescription says the dose is taken in the
        morning (the reminder's words say "today")."""
        ...


class TrialSwitchFacts(Protocol):
    """What the N-of-1 app knows (:mod:`apps.nof1.reminders`)."""

    def kit_switches(self, patient_ids: list[int], day: date) -> dict[int, str]:
        """Patient id → the code of the kit whose period starts on ``day`` (a running trial);
        never what the kit holds."""
        ...


_T = TypeVar("_T")
_plans: list[PlanFacts] = []
_switches: list[TrialSwitchFacts] = []


def provide_plan_facts(provider: PlanFacts) -> None:
    """Register the clinical app's provider (a second registration replaces the first)."""
    _plans[:] = [provider]


def provide_trial_switch_facts(provider: TrialSwitchFacts) -> None:
    """Register the N-of-1 app's provider (a second registration replaces the first)."""
    _switches[:] = [provider]


def _one(registered: list[_T], what: str) -> _T:
    if not registered:
        raise ImproperlyConfigured(
            f"No provider of {what} is registered: the app that owns them must be in "
            "INSTALLED_APPS (its AppConfig.ready registers it). No reminder can be planned "
            "without them."
        )
    return registered[0]


def titration_steps(patient_ids: Iterable[int], day: date) -> dict[int, Decimal]:
    return _one(_plans, "titration plans").titration_steps(list(patient_ids), day)


def tonights_doses(patient_ids: Iterable[int], day: date) -> dict[int, Decimal]:
    return _one(_plans, "titration plans").tonights_doses(list(patient_ids), day)


def questionnaires_due(patient_ids: Iterable[int], day: date) -> dict[int, list[str]]:
    return _one(_plans, "questionnaire schedules").questionnaires_due(list(patient_ids), day)


def morning_dosers(patient_ids: Iterable[int]) -> set[int]:
    return _one(_plans, "titration plans").morning_dosers(list(patient_ids))


def kit_switches(patient_ids: Iterable[int], day: date) -> dict[int, str]:
    return _one(_switches, "N-of-1 kit periods").kit_switches(list(patient_ids), day)
