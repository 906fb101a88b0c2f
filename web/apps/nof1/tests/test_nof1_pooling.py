"""The clinic admin's pooled, de-identified view of completed N-of-1 trials."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Patient, Pharmacy, Role, User
from apps.nof1.models import Nof1Trial
from apps.nof1.tests.factories import make_trial
from lowdose.outcomes import PooledNof1, TrialEffect

EFFECTS = [(-2.0, 0.5), (-0.5, 0.4), (0.2, 0.6)]  # (posterior mean, SD) of 4.5 mg − placebo


@pytest.fixture
def completed(
    patient: Patient, clinician: User, pharmacist: User, team: object, clinic: object
) -> list[Nof1Trial]:
    pharmacy = Pharmacy.objects.get(pharmacists=pharmacist)
    people = [patient]
    for i in range(len(EFFECTS) - 1):
        user = User.objects.create(username=f"pooled{i}", role=Role.PATIENT, clinic=clinic)  # type: ignore[misc]
        people.append(
            Patient.objects.create(
                user=user,
                clinic=clinic,
                care_team=team,
                display_name=f"Hidden Name {i}",  # type: ignore[misc]
            )
        )
    trials = []
    for person, (mean, sd) in zip(people, EFFECTS, strict=True):
        trial = make_trial(person, clinician, pharmacy)
        trial.unblinded_at = timezone.now()
        trial.result = {"effects": [{"arm": "4.5 mg", "mean": mean, "sd": sd}]}
        trial.save()
        trials.append(trial)
    return trials


def test_the_pooled_page_matches_the_model_and_names_nobody(
    completed: list[Nof1Trial], admin_user: User, client_for: Callable[[User | None], Client]
) -> None:
    expected = PooledNof1(
        [
            TrialEffect(f"Patient {c}", m, s, "4.5 mg")
            for c, (m, s) in zip("ABC", EFFECTS, strict=True)
        ]
    ).fit()
    page = client_for(admin_user).get("/research/nof1/").content.decode()
    assert "3 patients." in page
    assert f"Population effect {expected.mean:.2f} points" in page
    assert f"{expected.ci_low:.2f} to {expected.ci_high:.2f}" in page
    for name in ("Patient", "Hidden Name 0", "Hidden Name 1"):
        assert name not in page.replace("Patient A", "").replace("Patient B", "").replace(
            "Patient C", ""
        ).replace("<th>Patient</th>", "").replace('data-label="Patient"', "")


def test_with_one_completed_trial_the_page_says_pooling_needs_two(
    completed: list[Nof1Trial], admin_user: User, client_for: Callable[[User | None], Client]
) -> None:
    Nof1Trial.objects.exclude(pk=completed[0].pk).update(unblinded_at=None)
    page = client_for(admin_user).get("/research/nof1/").content.decode()
    assert "1 completed trial so far; pooling needs at least 2." in page


def test_the_pooled_series_joins_the_living_evidence_summary_as_its_own_source(
    completed: list[Nof1Trial],
) -> None:
    from apps.evidence.queries import summary_for

    summary = summary_for(None, "pain_nrs")
    text = str(summary.to_dict())
    assert "lowdose-nof1-series" in text
    assert "Clinic N-of-1 series (3 patients)" in text
