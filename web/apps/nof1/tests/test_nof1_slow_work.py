"""Slow work never holds up a page: the unblinded trial's chart is cached (the design assistant's
simulation runs on the worker: test_nof1_design_jobs.py); and the migration that replaced the
stored status puts every existing trial in the right state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Patient, User
from apps.checkins.queries import patient_today
from apps.nof1.models import Nof1Trial
from apps.nof1.states import state_of
from apps.nof1.tests.factories import advance, make_trial, trial_in
from lowdose.outcomes.charts import nof1_chart_spec
from lowdose.outcomes.trial_states import TrialState


def test_the_unblinded_chart_is_built_once(
    monkeypatch: pytest.MonkeyPatch,
    patient: Patient,
    clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
    make_checkin: Callable[..., Any],
) -> None:
    trial = make_trial(patient, clinician, pharmacist.pharmacies.get(), days_ago=45)
    plan = trial.allocation.as_plan()
    for back in range(1, 46):
        day = patient_today(patient) - timedelta(days=back)
        period = next((p for p in plan.periods if p.contains(day)), None)
        if period is not None:
            pain = 3 if period.arm != "placebo" else 6
            make_checkin(patient, days_ago=back, pain=pain + back % 2, dose_mg=None, kit=period.kit)
    advance(trial, TrialState.UNBLINDED, clinician=clinician, pharmacist=pharmacist)
    assert "effects" in (trial.result or {})
    built: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(1)
        return nof1_chart_spec(*args, **kwargs)

    monkeypatch.setattr("apps.nof1.views.nof1_chart_spec", counted)
    cache.clear()
    for user in (clinician, patient.user, clinician):
        page = client_for(user).get(f"/nof1/{trial.pk}/").content.decode()
        assert 'id="nof1-spec"' in page
        assert '"width": "container"' in page  # fits a phone
    assert built == [1]


@pytest.mark.django_db(transaction=True)
def test_the_migration_puts_every_stored_trial_in_the_state_its_status_meant(
    patient: Patient, clinician: User, pharmacist: User
) -> None:
    """Old ``status`` values and what they become (migrations 0003–0005)."""
    made = {
        name: trial_in(TrialState.DESIGNED, p, clinician, pharmacist)
        for name, p in _patients(patient, 6).items()
    }
    executor = MigrationExecutor(connection)
    executor.migrate([("nof1", "0003_trial_state_moments")])
    old = executor.loader.project_state([("nof1", "0003_trial_state_moments")]).apps
    trials = old.get_model("nof1", "Nof1Trial")
    emergencies = old.get_model("nof1", "EmergencyUnblinding")
    now = timezone.now()
    trials.objects.filter(pk=made["designed"].pk).update(status="designed")
    trials.objects.filter(pk=made["running"].pk).update(status="running", kits_prepared_at=now)
    trials.objects.filter(pk=made["locked"].pk).update(
        status="locked", kits_prepared_at=now, locked_at=now
    )
    trials.objects.filter(pk=made["locked_first"].pk).update(status="locked", locked_at=now)
    trials.objects.filter(pk=made["unblinded"].pk).update(
        status="unblinded", kits_prepared_at=now, locked_at=now
    )
    trials.objects.filter(pk=made["emergency"].pk).update(status="running", kits_prepared_at=now)
    emergencies.objects.create(
        trial_id=made["emergency"].pk,
        kit="KIT-X",
        arm="placebo",
        reason="surgery",
        by_id=clinician.pk,
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    states = {name: state_of(Nof1Trial.objects.get(pk=t.pk)) for name, t in made.items()}
    assert states == {
        "designed": TrialState.DESIGNED,
        "running": TrialState.KITS_PREPARED,  # the clinician locks the plan next
        "locked": TrialState.LOCKED,  # these trials start in a week
        "locked_first": TrialState.DESIGNED,  # waits for the kits, then goes on from locked
        "unblinded": TrialState.UNBLINDED,
        "emergency": TrialState.EMERGENCY_UNBLINDED,
    }


def _patients(patient: Patient, n: int) -> dict[str, Patient]:
    names = ["designed", "running", "locked", "locked_first", "unblinded", "emergency"][:n]
    out = {names[0]: patient}
    for i, name in enumerate(names[1:], start=1):
        user = User.objects.create(username=f"migrated{i}", role="patient", clinic=patient.clinic)
        out[name] = Patient.objects.create(
            user=user, clinic=patient.clinic, care_team=patient.care_team, display_name=name
        )
    return out


@pytest.mark.django_db(transaction=True)
def test_stored_run_in_explanations_lose_the_python_name(
    patient: Patient, clinician: User, pharmacist: User
) -> None:
    """Migration 0006: the washout function's Python name becomes words in stored plans."""
    trial = trial_in(TrialState.DESIGNED, patient, clinician, pharmacist)
    executor = MigrationExecutor(connection)
    executor.migrate([("nof1", "0005_remove_nof1trial_status")])
    old = executor.loader.project_state([("nof1", "0005_remove_nof1trial_status")]).apps
    stored = old.get_model("nof1", "Nof1Trial").objects.get(pk=trial.pk)
    stored.run_in_derivation = {
        **stored.run_in_derivation,
        "explanation": "falls below 10% 96.3 h after its last daily dose "
        "(lowdose.pk.washout_hours) = 4.01 days",
    }
    stored.save()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    text = Nof1Trial.objects.get(pk=trial.pk).run_in_derivation["explanation"]
    assert text == (
        "falls below 10% 96.3 h after its last daily dose "
        "(lowdose's receptor-occupancy model, fitted to PET studies) = 4.01 days"
    )
