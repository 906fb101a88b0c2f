"""What a check-in costs the database, and what a read writes (issue 14, item 5).

Counted: the SQL statements that read or write data. ``SAVEPOINT``/``RELEASE`` are left out: the
test runs inside a transaction, so the action's outer block becomes a savepoint here, where in
production it is the connection's own BEGIN/COMMIT, which Django does not count.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from conftest import bearer
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import Patient, User
from apps.alerts.models import Alert
from apps.audit.models import AuditEvent
from apps.checkins.followup import CHECKED_IN_AGAIN, sweep_silence
from apps.checkins.models import PatientSummary

#: A check-in without side effects (the benchmark's): the token with its person, the patient's
#: own record and their panel summary (one joined read), the check-in, the diary (one joined
#: read, for the follow-up rules and the summary), the summary's upsert, and the one audit event
#: (the chain head read and locked, the event's insert, which moves the head by trigger).
PLAIN_STATEMENTS = 6
#: With a side effect: its insert, and the stored follow-up alerts, which a side effect (a
#: finding of the rules) is checked against.
API_STATEMENTS = PLAIN_STATEMENTS + 2
#: From the form: the session and its person (two reads) instead of the token, the patient's own
#: record as the reader's locale read it, and the stored alerts (the page reads no summary, so the
#: rules look for an open "no check-in" alert themselves); no side effect.
FORM_STATEMENTS = PLAIN_STATEMENTS + 3


def _statements(ctx: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def _body() -> dict[str, Any]:
    return {
        "client_id": str(uuid.uuid4()),
        "pain": 4,
        "fatigue": 5,
        "sleep": 6,
        "mood": 7,
        "dose_mg": "4.5",
        "dose_time": "22:00",
        "side_effects": [{"name": "vivid_dreams", "severity": "mild"}],
    }


@pytest.mark.django_db
def test_an_api_checkin_costs_the_same_few_statements_and_one_audit_event(
    patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    for days_ago in range(30, 0, -1):
        make_checkin(patient, days_ago=days_ago)
    assert patient.user is not None
    api = Client(headers=bearer(patient.user))
    url = f"/api/v1/patients/{patient.pk}/checkins"
    api.post(url, _body(), content_type="application/json")  # the token's hourly last use
    before = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        answer = api.post(url, _body(), content_type="application/json")
    assert answer.status_code == 201, answer.content
    # the side effect sent comes back without reading the row again
    assert answer.json()["side_effects"] == [
        {"name": "vivid_dreams", "severity": "mild", "detail": ""}
    ]
    assert len(_statements(ctx)) == API_STATEMENTS
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.patient_id, e.clinic_id) for e in events] == [
        ("checkins.add", patient.pk, patient.clinic_id)
    ]


@pytest.mark.django_db
def test_a_plain_api_checkin_costs_six_statements(
    patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    for days_ago in range(30, 0, -1):
        make_checkin(patient, days_ago=days_ago)
    assert patient.user is not None
    api = Client(headers=bearer(patient.user))
    url = f"/api/v1/patients/{patient.pk}/checkins"
    plain = {**_body(), "side_effects": []}
    api.post(url, plain, content_type="application/json")  # the token's hourly last use
    with CaptureQueriesContext(connection) as ctx:
        answer = api.post(
            url, {**plain, "client_id": str(uuid.uuid4())}, content_type="application/json"
        )
    assert answer.status_code == 201, answer.content
    statements = _statements(ctx)
    assert len(statements) == PLAIN_STATEMENTS, "\n".join(s[:60] for s in statements)
    assert not [s for s in statements if "alerts_alert" in s]  # nothing to raise or close


@pytest.mark.django_db
@pytest.mark.parametrize("by", ["api", "form"])
def test_a_checkin_closes_the_open_silence_alert_that_the_summary_names(
    patient: Patient,
    make_checkin: Callable[..., Any],
    client_for: Callable[[User | None], Client],
    by: str,
) -> None:
    make_checkin(patient, days_ago=5)
    assert sweep_silence(timezone.now()) == 1  # silent for 3 days: the alert is open
    summary = PatientSummary.objects.get(patient=patient)
    assert summary.silence_alert_open
    assert patient.user is not None
    if by == "api":
        answer = Client(headers=bearer(patient.user)).post(
            f"/api/v1/patients/{patient.pk}/checkins",
            {**_body(), "side_effects": []},
            content_type="application/json",
        )
        assert answer.status_code == 201, answer.content
    else:
        form = {"pain": 4, "fatigue": 5, "sleep": 6, "mood": 7, "dose_status": "missed"}
        answer = client_for(patient.user).post(
            f"/patients/{patient.pk}/checkin/", {**form, "client_id": str(uuid.uuid4())}
        )
        assert answer.status_code == 302
    silence = Alert.objects.get(patient=patient, kind="no_checkin")
    assert silence.resolved_at is not None
    assert silence.resolved_note == CHECKED_IN_AGAIN
    summary.refresh_from_db()
    assert not summary.silence_alert_open


@pytest.mark.django_db
def test_a_refused_api_checkin_still_records_the_access(patient: Patient) -> None:
    assert patient.user is not None
    api = Client(headers=bearer(patient.user))
    before = AuditEvent.objects.count()
    bad_dose = api.post(
        f"/api/v1/patients/{patient.pk}/checkins",
        {**_body(), "dose_mg": "900"},
        content_type="application/json",
    )
    assert bad_dose.status_code == 400, bad_dose.content
    actions = [e.action for e in AuditEvent.objects.order_by("pk")[before:]]
    # nothing written; the access is recorded as the read it was
    assert actions == ["checkins.view"]


@pytest.mark.django_db
def test_another_patients_checkin_is_refused_and_recorded(
    patient: Patient, other_patient: Patient
) -> None:
    assert patient.user is not None
    api = Client(headers=bearer(patient.user))
    before = AuditEvent.objects.count()
    answer = api.post(
        f"/api/v1/patients/{other_patient.pk}/checkins", _body(), content_type="application/json"
    )
    assert answer.status_code == 404
    event = AuditEvent.objects.order_by("pk")[before:].get()
    assert (event.action, event.outcome, event.patient_id) == (
        "checkins.add",
        "denied",
        other_patient.pk,
    )


@pytest.mark.django_db
def test_a_checkin_from_the_form_costs_the_same_few_statements(
    patient: Patient, client_for: Callable[[User | None], Client]
) -> None:
    web = client_for(patient.user)
    web.get(f"/patients/{patient.pk}/checkin/")
    before = AuditEvent.objects.count()
    form = {"pain": 4, "fatigue": 5, "sleep": 6, "mood": 7, "dose_status": "missed"}
    with CaptureQueriesContext(connection) as ctx:
        answer = web.post(
            f"/patients/{patient.pk}/checkin/", {**form, "client_id": str(uuid.uuid4())}
        )
    assert answer.status_code == 302
    assert len(_statements(ctx)) == FORM_STATEMENTS, "\n".join(s[:70] for s in _statements(ctx))
    assert [e.action for e in AuditEvent.objects.order_by("pk")[before:]] == ["checkins.add"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/patients/{pk}/", "/patients/{pk}/checkin/", "/patients/{pk}/checkins.csv", "/alerts/"],
)
def test_an_authenticated_read_writes_at_most_one_audit_event_and_no_session(
    patient: Patient,
    clinician: User,
    client_for: Callable[[User | None], Client],
    make_checkin: Callable[..., Any],
    path: str,
) -> None:
    make_checkin(patient, days_ago=1)
    for user in (patient.user, clinician):
        web = client_for(user)
        web.get(path.format(pk=patient.pk))  # the session's first use
        before = AuditEvent.objects.count()
        with CaptureQueriesContext(connection) as ctx:
            web.get(path.format(pk=patient.pk))
        assert AuditEvent.objects.count() - before <= 1
        writes = [s for s in _statements(ctx) if s.startswith(("INSERT", "UPDATE", "DELETE"))]
        assert not [w for w in writes if "django_session" in w], writes
