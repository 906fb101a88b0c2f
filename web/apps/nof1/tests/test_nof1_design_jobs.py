"""The design assistant's simulation runs on the worker, never in a request: the design form
stores a row keyed by the design and sends a job once the design commits; the trial page says
"Calculating…" until the figures are stored; the same design is simulated once; a failure says
what to do and can be tried again; the job is idempotent."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ

from apps.accounts.models import Patient, User
from apps.audit.models import AuditEvent
from apps.nof1 import assistant
from apps.nof1.models import DesignSimulation, Nof1Trial
from apps.nof1.tests.factories import create_trial, make_trial, trial_spec
from lowdose.outcomes import simulate_design

FIGURES = "in 400 simulated trials of this design"
CALCULATING = "Calculating how often this design reaches a confident answer"
CommitCallbacks = Callable[..., Any]


@pytest.fixture
def simulations(db: None, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count the design assistant's simulations, by the thread that ran each."""
    calls: list[str] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(threading.current_thread().name)
        return simulate_design(*args, **kwargs)

    monkeypatch.setattr("apps.nof1.assistant.simulate_design", counted)
    return calls


@pytest.fixture
def queued_jobs() -> Iterator[None]:
    """Jobs go to the queue (Django-Q2's ORM broker) and wait for a worker, as in production."""
    Conf.SYNC = False
    yield
    Conf.SYNC = True


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
    assert '<section class="card" id="assistant"' in page
    return page.split('<section class="card" id="assistant"', 1)[1].split("</section>", 1)[0]


def test_the_design_form_sends_the_simulation_to_the_worker_and_never_runs_it(
    queued_jobs: None,
    monkeypatch: pytest.MonkeyPatch,
    patient: Patient,
    clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
    django_capture_on_commit_callbacks: CommitCallbacks,
) -> None:
    def not_in_a_request(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the request ran the simulation")

    monkeypatch.setattr("apps.nof1.assistant.simulate_design", not_in_a_request)
    doctor = client_for(clinician)
    with django_capture_on_commit_callbacks(execute=True) as sent:
        response = doctor.post(
            f"/patients/{patient.pk}/nof1/new/", _design_form(pharmacist.pharmacies.get().pk)
        )
    assert response.status_code == 302
    assert len(sent) == 1  # the job is sent once the design has committed
    trial = Nof1Trial.objects.get(patient=patient)
    row = DesignSimulation.objects.get()
    assert row.figures is None
    job = OrmQ.objects.get().task
    assert job["func"] == "apps.nof1.assistant.simulate_figures"
    assert job["args"] == (row.key, trial.pk)  # plain values: no diary, no allocation

    page = doctor.get(response["Location"]).content.decode()
    card = _assistant(page)
    assert CALCULATING in card
    assert f'hx-get="/nof1/{trial.pk}/assistant/" hx-trigger="every 3s"' in card
    assert "vendor/htmx" in page
    fragment = doctor.get(f"/nof1/{trial.pk}/assistant/", headers={"HX-Request": "true"})
    assert CALCULATING in fragment.content.decode()
    alone = doctor.get(f"/nof1/{trial.pk}/assistant/").content.decode()
    assert '<meta http-equiv="refresh" content="3">' in alone  # works without JavaScript
    assert "<script>" not in alone  # nothing inline: the CSP allows only our own files

    # The worker runs the job it was sent: now the page shows the figures and stops asking.
    monkeypatch.setattr("apps.nof1.assistant.simulate_design", simulate_design)
    assert assistant.simulate_figures(*job["args"]) == "stored"
    page = doctor.get(f"/nof1/{trial.pk}/").content.decode()
    assert FIGURES in _assistant(page)
    assert "hx-trigger" not in page
    assert "vendor/htmx" not in page
    alone = doctor.get(f"/nof1/{trial.pk}/assistant/").content.decode()
    assert "http-equiv" not in alone
    assert FIGURES in alone


def test_the_same_design_is_simulated_once_and_a_changed_one_afresh(
    simulations: list[str],
    patient: Patient,
    other_patient: Patient,
    clinician: User,
    other_clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
    django_capture_on_commit_callbacks: CommitCallbacks,
) -> None:
    pharmacy = pharmacist.pharmacies.get()
    doctor = client_for(clinician)
    with django_capture_on_commit_callbacks(execute=True):
        response = doctor.post(f"/patients/{patient.pk}/nof1/new/", _design_form(pharmacy.pk))
    assert simulations == ["MainThread"]  # the job, run at once by the tests' synchronous mode
    first = _assistant(doctor.get(response["Location"]).content.decode())
    assert FIGURES in first
    assert "hx-trigger" not in first

    colleague = client_for(other_clinician)
    form = _design_form(pharmacy.pk, start=(timezone.now().date() + timedelta(days=30)).isoformat())
    with django_capture_on_commit_callbacks(execute=True) as sent:
        same = colleague.post(f"/patients/{other_patient.pk}/nof1/new/", form)
    assert sent == []  # the same design (another patient, another start): nothing to send
    assert simulations == ["MainThread"]
    assert _assistant(colleague.get(same["Location"]).content.decode()) == first
    assert DesignSimulation.objects.count() == 1

    Nof1Trial.objects.filter(patient=other_patient).update(stopped_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        changed = colleague.post(
            f"/patients/{other_patient.pk}/nof1/new/", _design_form(pharmacy.pk, cycles="3")
        )
    assert changed.status_code == 302
    assert len(simulations) == 2
    assert DesignSimulation.objects.count() == 2
    stored = Nof1Trial.objects.filter(patient=other_patient).order_by("-pk").first()
    assert stored is not None
    assert stored.cycles == 3


def test_bad_input_changes_nothing_and_sends_nothing(
    simulations: list[str],
    patient: Patient,
    clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
    django_capture_on_commit_callbacks: CommitCallbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as sent:
        response = client_for(clinician).post(
            f"/patients/{patient.pk}/nof1/new/",
            _design_form(pharmacist.pharmacies.get().pk, cycles="two"),
        )
    assert response.status_code == 400
    assert "Enter whole numbers for cycles" in response.content.decode()
    assert sent == []
    assert not Nof1Trial.objects.exists()
    assert not DesignSimulation.objects.exists()
    assert simulations == []


def test_a_failed_simulation_says_what_to_do_and_can_be_tried_again(
    monkeypatch: pytest.MonkeyPatch,
    patient: Patient,
    clinician: User,
    admin_user: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
    django_capture_on_commit_callbacks: CommitCallbacks,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("numerical trouble in _secret_internal_name")

    monkeypatch.setattr("apps.nof1.assistant.simulate_design", broken)
    doctor = client_for(clinician)
    with django_capture_on_commit_callbacks(execute=True):
        response = doctor.post(
            f"/patients/{patient.pk}/nof1/new/", _design_form(pharmacist.pharmacies.get().pk)
        )
    trial = Nof1Trial.objects.get(patient=patient)
    row = DesignSimulation.objects.get()
    assert row.failed
    assert "numerical trouble" in row.error
    card = _assistant(doctor.get(response["Location"]).content.decode())
    assert "The calculation of how often this design reaches a confident answer failed." in card
    assert "Try again; if it fails again, ask your lowdose administrator" in card
    assert "numerical trouble" not in card
    assert "RuntimeError" not in card
    assert "hx-trigger" not in card  # no polling of a failure
    # The administrator the page sends the clinician to finds the error in the admin.
    in_admin = client_for(admin_user).get(f"/admin/nof1/designsimulation/{row.pk}/change/")
    assert "numerical trouble in _secret_internal_name" in in_admin.content.decode()

    monkeypatch.setattr("apps.nof1.assistant.simulate_design", simulate_design)
    with django_capture_on_commit_callbacks(execute=True) as sent:
        again = doctor.post(f"/nof1/{trial.pk}/assistant/")
    assert len(sent) == 1
    assert again["Location"] == f"/nof1/{trial.pk}/assistant/"
    shown = doctor.get(again["Location"]).content.decode()
    assert "The design assistant is calculating again." in shown
    assert FIGURES in shown
    row.refresh_from_db()
    assert row.figures is not None
    assert not row.failed
    assert row.error == ""
    assert (
        AuditEvent.objects.filter(action="nof1.assistant.retry", object_id=str(trial.pk)).count()
        == 1
    )

    # With the figures stored, trying again is refused and changes nothing.
    refused = doctor.post(f"/nof1/{trial.pk}/assistant/", follow=True).content.decode()
    assert "nothing to try again" in refused
    assert AuditEvent.objects.filter(action="nof1.assistant.retry").count() == 1


def test_a_calculation_lost_for_fifteen_minutes_can_be_tried_again(
    queued_jobs: None,
    patient: Patient,
    clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
) -> None:
    trial = make_trial(patient, clinician, pharmacist.pharmacies.get())
    doctor = client_for(clinician)
    assert CALCULATING in _assistant(doctor.get(f"/nof1/{trial.pk}/").content.decode())
    DesignSimulation.objects.update(requested_at=timezone.now() - timedelta(minutes=16))
    card = _assistant(doctor.get(f"/nof1/{trial.pk}/").content.decode())
    assert "has not finished after 15 minutes: the background worker may not be running" in card
    assert "Try again" in card


def test_the_job_is_idempotent(
    simulations: list[str], patient: Patient, clinician: User, pharmacist: User
) -> None:
    trial = create_trial(
        patient, trial_spec(patient, pharmacist.pharmacies.get()), created_by=clinician
    )[0]
    assistant.request_figures(trial)
    key = DesignSimulation.objects.get().key
    assert assistant.simulate_figures(key, trial.pk) == "stored"
    first = DesignSimulation.objects.get().figures
    # Delivered again after it finished: nothing runs.
    assert assistant.simulate_figures(key, trial.pk) == "already stored"
    assert len(simulations) == 1
    # Two runs at once (the second started before the first stored): the same figures again.
    DesignSimulation.objects.update(figures=None)
    assert assistant.simulate_figures(key, trial.pk) == "stored"
    assert DesignSimulation.objects.get().figures == first
    assert len(simulations) == 2


def test_the_figures_do_not_depend_on_the_dates_the_key_leaves_out(
    patient: Patient, other_patient: Patient, clinician: User, pharmacist: User
) -> None:
    """The key omits the dates because the model sees only differences between days:
    simulated afresh, two designs a month apart give identical figures."""
    pharmacy = pharmacist.pharmacies.get()
    first = create_trial(patient, trial_spec(patient, pharmacy), created_by=clinician)[0]
    later = create_trial(
        other_patient, trial_spec(other_patient, pharmacy, days_ago=-30), created_by=clinician
    )[0]
    figures = []
    for trial in (first, later):
        DesignSimulation.objects.all().delete()
        figures.append(assistant.compute_figures(trial))
    assert first.start != later.start
    assert figures[0] == figures[1]
    assert figures[0]["arms"][0]["arm"] == "4.5 mg"
