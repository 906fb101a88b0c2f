"""Chart images (PNG, SVG) are rendered by the worker and cached by the data's version: the
request never renders; it serves the cached file, or answers 202 with a page that refreshes;
a new check-in is a new image; the image and its key do not depend on an N-of-1 allocation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import caches
from django.test import Client
from django_q.conf import Conf
from django_q.models import OrmQ

from apps.accounts.models import Patient, User
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from apps.checkins import chart_images
from apps.checkins.queries import patient_today
from apps.nof1.actions import unblind
from apps.nof1.tests.factories import STARTED_DAYS_AGO, advance, make_trial
from lowdose.charts import render as render_chart
from lowdose.outcomes.trial_states import TrialState


@pytest.fixture
def queued_jobs() -> Iterator[None]:
    """Jobs go to the queue (Django-Q2's ORM broker) and wait for a worker, as in production."""
    Conf.SYNC = False
    yield
    Conf.SYNC = True


@pytest.fixture
def renders(db: None, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    caches["charts"].clear()
    done: list[str] = []

    def counted(spec: dict[str, Any], fmt: str) -> bytes:
        done.append(fmt)
        return render_chart(spec, fmt)  # type: ignore[arg-type]

    monkeypatch.setattr("apps.checkins.chart_images.render_chart", counted)
    return done


def test_the_request_never_renders_it_answers_202_until_the_worker_has(
    queued_jobs: None,
    renders: list[str],
    monkeypatch: pytest.MonkeyPatch,
    patient: Patient,
    clinician: User,
    client_for: Callable[[User | None], Client],
    make_checkin: Callable[..., Any],
) -> None:
    make_checkin(patient, days_ago=1, pain=4)
    doctor = client_for(clinician)
    waiting = doctor.get(f"/patients/{patient.pk}/chart.png")
    assert waiting.status_code == 202
    assert waiting["Retry-After"] == "3"
    assert waiting["Content-Type"].startswith("text/html")
    page = waiting.content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "The PNG file of Patient's chart is being drawn" in page
    assert "<script>" not in page
    assert renders == []  # not in the request
    doctor.get(f"/patients/{patient.pk}/chart.png")  # asking again sends nothing more
    queued = OrmQ.objects.get()
    job = queued.task
    assert job["func"] == "apps.checkins.chart_images.render_chart_image"
    assert job["args"] == (patient.pk, "png", True)  # an id and flags, never the diary
    assert renders == []

    assert chart_images.render_chart_image(*job["args"]) == "rendered"  # the worker's turn
    assert renders == ["png"]
    ready = doctor.get(f"/patients/{patient.pk}/chart.png")
    assert ready.status_code == 200
    assert ready["Content-Type"] == "image/png"
    assert ready.content[:8] == b"\x89PNG\r\n\x1a\n"
    # Delivered twice (at-least-once): the second run finds the image and draws nothing.
    assert chart_images.render_chart_image(*job["args"]) == "already cached"
    assert renders == ["png"]

    make_checkin(patient, days_ago=0, pain=8)  # a new check-in: the cached image is not served
    assert doctor.get(f"/patients/{patient.pk}/chart.png").status_code == 202
    assert OrmQ.objects.count() == 2


def test_each_request_is_audited_and_another_patients_chart_is_404(
    renders: list[str],
    patient: Patient,
    other_patient: Patient,
    clinician: User,
    client_for: Callable[[User | None], Client],
    make_checkin: Callable[..., Any],
) -> None:
    make_checkin(patient, days_ago=1)
    make_checkin(other_patient, days_ago=1)
    assert patient.user is not None
    reader = client_for(patient.user)
    reader.get(f"/patients/{patient.pk}/chart.svg")
    before = AuditEvent.objects.count()
    assert reader.get(f"/patients/{patient.pk}/chart.svg").status_code == 200
    assert AuditEvent.objects.count() == before + 1  # served from the cache, still audited
    assert AuditEvent.objects.order_by("pk").last().action == "checkins.view"  # type: ignore[union-attr]
    for who in (patient.user, clinician):
        denied = client_for(who).get(f"/patients/{other_patient.pk}/chart.svg")
        assert denied.status_code == 404
    assert renders == ["svg"]
    bad = client_for(patient.user).get(f"/patients/{patient.pk}/chart.gif")
    assert bad.status_code == 400
    assert "Ask for chart.svg or chart.png." in bad.content.decode()


def test_the_image_and_its_key_do_not_depend_on_the_allocation(
    renders: list[str],
    patient: Patient,
    clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
    make_checkin: Callable[..., Any],
) -> None:
    """A blinded trial's diary holds kit codes, never arms: the chart drawn during the trial is
    the one drawn after unblinding, under the same key, which names no patient, kit or arm."""
    trial = make_trial(
        patient,
        clinician,
        pharmacist.pharmacies.get(),
        days_ago=STARTED_DAYS_AGO[TrialState.UNBLINDED],
    )
    plan = trial.allocation.as_plan()
    for back in range(1, 30):
        day = patient_today(patient) - timedelta(days=back)
        period = next((p for p in plan.periods if p.contains(day)), None)
        if period is not None:
            pain = 3 if period.arm != "placebo" else 6
            make_checkin(patient, days_ago=back, pain=pain, dose_mg=None, kit=period.kit)
    advance(trial, TrialState.FINISHED, clinician=clinician, pharmacist=pharmacist)
    blinded_spec = chart_images.chart_spec(patient, day_first=True)
    key = chart_images.image_key(blinded_spec, "svg")
    assert patient.user is not None
    blinded = client_for(patient.user).get(f"/patients/{patient.pk}/chart.svg").content

    unblind(Actor.of(clinician), trial)
    trial.refresh_from_db()
    assert trial.is_unblinded
    unblinded_spec = chart_images.chart_spec(patient, day_first=True)
    assert chart_images.image_key(unblinded_spec, "svg") == key
    assert client_for(clinician).get(f"/patients/{patient.pk}/chart.svg").content == blinded
    assert renders == ["svg"]
    words = (str(patient.pk), "placebo", "4.5", *(p["kit"] for p in trial.schedule))
    tail = key.rsplit(":", 1)[1]
    assert len(tail) == 64
    assert not any(f":{w}:" in key or key.endswith(f":{w}") for w in words)
    assert not any(p["kit"] in blinded.decode() for p in trial.schedule)
