"""Slow work never holds up a page: the design assistant's simulation is cached per design and
runs in its own request, the unblinded trial's chart is cached; and the migration that replaced
the stored status puts every existing trial in the right state."""

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
from apps.nof1 import assistant
from apps.nof1.models import Nof1Trial
from apps.nof1.states import state_of
from apps.nof1.tests.factories import advance, create_trial, make_trial, trial_in, trial_spec
from lowdose.outcomes import simulate_design
from lowdose.outcomes.charts import nof1_chart_spec
from lowdose.outcomes.trial_states import TrialState


@pytest.fixture
def simulations(db: None, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the design assistant's simulations (each call appends one)."""
    calls: list[int] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return simulate_design(*args, **kwargs)

    monkeypatch.setattr("apps.nof1.assistant.simulate_design", counted)
    cache.clear()
    return calls


def test_designing_and_opening_a_trial_never_waits_for_the_simulation(
    simulations: list[int],
    patient: Patient,
    other_patient: Patient,
    clinician: User,
    other_clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
) -> None:
    trial = make_trial(patient, clinician, pharmacist.pharmacies.get())
    doctor = client_for(clinician)
    page = doctor.get(f"/nof1/{trial.pk}/").content.decode()
    assert simulations == []  # neither the design nor the page simulated
    link = f'href="/nof1/{trial.pk}/assistant/" hx-get="/nof1/{trial.pk}/assistant/"'
    assert link in page
    assert "vendor/htmx" in page

    fragment = doctor.get(f"/nof1/{trial.pk}/assistant/", headers={"HX-Request": "true"})
    assert simulations == [1]
    text = fragment.content.decode()
    assert text.startswith('<section class="card" id="assistant">')
    assert "in 400 simulated trials of this design" in text
    assert "<html" not in text
    full = doctor.get(f"/nof1/{trial.pk}/assistant/").content.decode()
    assert "<html" in full  # without JavaScript the link opens a page
    assert "Back to the trial" in full

    again = doctor.get(f"/nof1/{trial.pk}/").content.decode()
    assert "in 400 simulated trials of this design" in again
    assert link not in again
    assert "vendor/htmx" not in again

    # Another patient's trial of the same design, starting another day: the same figures.
    other = create_trial(
        other_patient,
        trial_spec(other_patient, pharmacist.pharmacies.get(), days_ago=-30),
        created_by=other_clinician,
    )[0]
    other_page = client_for(other_clinician).get(f"/nof1/{other.pk}/").content.decode()
    assert "in 400 simulated trials of this design" in other_page
    assert simulations == [1]


def _design_form(pharmacy_id: int, **changes: str) -> dict[str, str]:
    return {
        "arms": "4.5",
        "cycles": "2",
        "period_days": "10",
        "onset_days": "0",
        "start": (timezone.now().date() + timedelta(days=7)).isoformat(),
        "pharmacy": str(pharmacy_id),
        "outcome": "pain",
        "mcid": "1",
        **changes,
    }


def _assistant(page: str) -> str:
    """The design assistant's card on the trial page."""
    assert '<section class="card" id="assistant">' in page
    return page.split('<section class="card" id="assistant">', 1)[1].split("</section>", 1)[0]


def test_the_design_form_computes_the_figures_so_the_trial_page_has_them_at_once(
    simulations: list[int],
    patient: Patient,
    other_patient: Patient,
    clinician: User,
    other_clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
) -> None:
    doctor = client_for(clinician)
    pharmacy = pharmacist.pharmacies.get()
    response = doctor.post(f"/patients/{patient.pk}/nof1/new/", _design_form(pharmacy.pk))
    assert response.status_code == 302
    assert simulations == [1]  # in the design's request, before the redirect
    trial = Nof1Trial.objects.get(patient=patient)
    page = doctor.get(response["Location"]).content.decode()
    assert "in 400 simulated trials of this design" in page
    assert f'hx-get="/nof1/{trial.pk}/assistant/"' not in page  # nothing left to fetch
    assert simulations == [1]
    first = _assistant(page)

    # A changed design (three cycles, a larger MCID) is simulated afresh: other figures.
    colleague = client_for(other_clinician)
    other = colleague.post(
        f"/patients/{other_patient.pk}/nof1/new/",
        _design_form(pharmacy.pk, cycles="3", mcid="2"),
    )
    assert other.status_code == 302
    assert simulations == [1, 1]
    changed = _assistant(colleague.get(other["Location"]).content.decode())
    assert changed != first
    stored = Nof1Trial.objects.get(patient=other_patient)
    assert stored.design_assumptions is not None
    assert assistant.compute_figures(stored)["mcid"] == 2.0
    assert simulations == [1, 1]  # from the cache


def test_the_figures_do_not_depend_on_the_dates_the_cache_key_leaves_out(
    patient: Patient, other_patient: Patient, clinician: User, pharmacist: User
) -> None:
    """The cache key omits the dates because the model sees only differences between days:
    simulated afresh, two designs a month apart give identical figures."""
    pharmacy = pharmacist.pharmacies.get()
    first = create_trial(patient, trial_spec(patient, pharmacy), created_by=clinician)[0]
    later = create_trial(
        other_patient, trial_spec(other_patient, pharmacy, days_ago=-30), created_by=clinician
    )[0]
    figures = []
    for trial in (first, later):
        cache.clear()
        computed = assistant.compute_figures(trial)
        computed.pop("seconds")
        figures.append(computed)
    assert first.start != later.start
    assert figures[0] == figures[1]
    assert figures[0]["arms"][0]["arm"] == "4.5 mg"


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
