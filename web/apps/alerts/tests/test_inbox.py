"""The clinician's inbox, the navigation count, the panel's urgent list and the pharmacist's
read-only view of what blocks their queue."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import Patient, Pharmacy, Role, User
from apps.alerts.actions import acknowledge_alert, raise_alert
from apps.alerts.context import alert_count
from apps.alerts.models import Alert
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from apps.clinical.tests.factories import make_prescription

ClientFor = Callable[[User | None], Client]


def alert(
    patient: Patient,
    kind: str,
    severity: str = "warning",
    *,
    hours_ago: float = 0,
    key: str = "",
    blocks: bool = False,
    facts: dict[str, Any] | None = None,
    message: str = "",
) -> Alert:
    row, _ = raise_alert(
        Actor.system(),
        patient,
        kind=kind,
        severity=severity,
        message=message or f"{kind} of {patient.display_name}",
        facts=facts or {},
        key=key,
        blocks_dispensing=blocks,
    )
    Alert.objects.filter(pk=row.pk).update(raised_at=timezone.now() - timedelta(hours=hours_ago))
    row.refresh_from_db()
    return row


def shown_ids(page: str) -> list[int]:
    return [
        int(i) for i in re.findall(r'<article class="card alert-card[^"]*" id="alert-(\d+)"', page)
    ]


def test_the_inbox_orders_urgent_first_then_unacknowledged_then_newest(
    client_for: ClientFor, patient: Patient, clinician: User
) -> None:
    info = alert(patient, "a_note", "info", hours_ago=0)
    warn_old = alert(patient, "pain_up", hours_ago=30, key="w1")
    warn_new = alert(patient, "new_side_effect", hours_ago=2, key="w2")
    warn_acked = alert(patient, "no_checkin", hours_ago=1)
    urgent_acked = alert(patient, "severe_side_effect", "urgent", hours_ago=0.5, key="u1")
    urgent_old = alert(patient, "self_harm_risk", "urgent", hours_ago=48)
    for row in (warn_acked, urgent_acked):
        acknowledge_alert(Actor.of(clinician), row, "Seen; calling this afternoon.")
    page = client_for(clinician).get("/alerts/").content.decode()
    assert shown_ids(page) == [
        urgent_old.pk,  # urgent and not yet acknowledged, though oldest
        urgent_acked.pk,
        warn_new.pk,
        warn_old.pk,
        warn_acked.pk,
        info.pk,
    ]


def test_the_inbox_shows_who_when_in_the_patients_zone_and_facts_in_plain_words(
    client_for: ClientFor, patient: Patient, clinician: User
) -> None:
    Patient.objects.filter(pk=patient.pk).update(time_zone="Pacific/Auckland")
    row = alert(
        patient,
        "severe_side_effect",
        "urgent",
        facts={"side_effect": "vivid_dreams", "severity": "severe", "day": "2026-03-10"},
        message="Severe vivid dreams reported on 2026-03-10: contact the patient today.",
    )
    page = client_for(clinician).get("/alerts/").content.decode()
    local = row.raised_at.astimezone(ZoneInfo("Pacific/Auckland"))
    assert f"Raised {local:%-d %b %Y, %H:%M}" in page
    assert "<dt>Side effect</dt><dd>vivid dreams</dd>" in page
    assert "<dt>Day</dt><dd>10 Mar 2026</dd>" in page
    assert "Urgent" in page
    assert "Severe side effect" in page
    assert "severe_side_effect" not in page.replace("severity-urgent", "")  # no codes shown
    assert "vivid_dreams" not in page
    assert f'href="/patients/{patient.pk}/"' in page


def test_one_audit_event_per_inbox_view_names_the_patients_shown(
    client_for: ClientFor, patient: Patient, clinician: User
) -> None:
    second = Patient.objects.create(
        clinic=patient.clinic, care_team=patient.care_team, display_name="Robin"
    )
    alert(patient, "pain_up")
    alert(second, "pain_up")
    alert(second, "new_side_effect", key="nausea")
    client_for(clinician).get("/alerts/")
    [event] = AuditEvent.objects.filter(action="alerts.view")
    assert event.actor_username == "clinician"
    assert event.detail == {"patient_ids": sorted([patient.pk, second.pk])}


def test_filters_by_severity_and_patient(
    client_for: ClientFor, patient: Patient, clinician: User
) -> None:
    second = Patient.objects.create(
        clinic=patient.clinic, care_team=patient.care_team, display_name="Robin"
    )
    urgent = alert(patient, "self_harm_risk", "urgent")
    warning = alert(patient, "pain_up")
    theirs = alert(second, "pain_up")
    client = client_for(clinician)
    assert shown_ids(client.get("/alerts/?severity=urgent").content.decode()) == [urgent.pk]
    page = client.get(f"/alerts/?severity=warning&patient={second.pk}").content.decode()
    assert shown_ids(page) == [theirs.pk]
    page = client.get("/alerts/?severity=loud").content.decode()
    assert "Choose urgent, warning or information" in page
    assert set(shown_ids(page)) == {urgent.pk, warning.pk, theirs.pk}


def test_acknowledging_records_who_when_and_the_note_and_redirects_back(
    client_for: ClientFor, patient: Patient, clinician: User
) -> None:
    row = alert(patient, "self_harm_risk", "urgent")
    client = client_for(clinician)
    response = client.post(
        f"/alerts/{row.pk}/acknowledge",
        {"note": "Phoned; crisis plan agreed.", "next": "/alerts/?severity=urgent"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/alerts/?severity=urgent#alert-{row.pk}"
    page = client.get(response["Location"]).content.decode()
    assert "Acknowledged: possible self-harm risk for Patient." in page
    assert "Acknowledged by clinician on" in page
    assert "“Phoned; crisis plan agreed.”" in page
    assert f'action="/alerts/{row.pk}/acknowledge"' not in page  # no second acknowledgement
    events = AuditEvent.objects.filter(patient_id=patient.pk).order_by("id")
    assert [e.action for e in events] == [
        "alerts.raise",
        "alerts.view",  # the access check: the alert was opened
        "alerts.acknowledge",  # the change, with its note, once
    ]
    change = events.filter(action="alerts.acknowledge", detail__isnull=False).get()
    assert change.actor_username == "clinician"
    assert change.detail == {"kind": "self_harm_risk", "note": "Phoned; crisis plan agreed."}
    assert change.ip_address == "127.0.0.1"


def test_an_empty_note_shows_the_page_with_the_error_and_changes_nothing(
    client_for: ClientFor, patient: Patient, clinician: User
) -> None:
    row = alert(patient, "pain_up")
    client = client_for(clinician)
    for action in ("acknowledge", "resolve"):
        response = client.post(
            f"/alerts/{row.pk}/{action}", {"note": "   ", "next": "/alerts/?severity=warning"}
        )
        assert response.status_code == 400
        # the forms on the error page still lead back to the inbox, not to the POST address
        assert 'name="next" value="/alerts/?severity=warning"' in response.content.decode()
        assert (
            "Not saved: Write a short note: what you did or decided." in response.content.decode()
        )
    row.refresh_from_db()
    assert (row.acknowledged_at, row.resolved_at) == (None, None)
    assert not AuditEvent.objects.filter(action="alerts.resolve").exists()


def test_resolving_closes_the_alert_and_it_leaves_the_inbox(
    client_for: ClientFor, patient: Patient, clinician: User
) -> None:
    row = alert(patient, "pain_up")
    client = client_for(clinician)
    response = client.post(f"/alerts/{row.pk}/resolve", {"note": "Reviewed; flare settled."})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.resolved_by, row.resolved_note) == (clinician, "Reviewed; flare settled.")
    assert shown_ids(client.get("/alerts/").content.decode()) == []
    evil = client.post(f"/alerts/{row.pk}/resolve", {"note": "x", "next": "https://evil.example/"})
    assert evil["Location"] == f"/alerts/#alert-{row.pk}"  # never redirects off-site
    again = client.post(f"/alerts/{row.pk}/resolve", {"note": "twice"}, follow=True)
    assert "This alert is already resolved." in again.content.decode()


def test_another_clinician_can_neither_see_nor_acknowledge(
    client_for: ClientFor, patient: Patient, other_clinician: User
) -> None:
    row = alert(patient, "self_harm_risk", "urgent")
    client = client_for(other_clinician)
    assert shown_ids(client.get("/alerts/").content.decode()) == []
    assert client.post(f"/alerts/{row.pk}/acknowledge", {"note": "x"}).status_code == 404
    row.refresh_from_db()
    assert row.acknowledged_at is None


def test_the_pharmacist_reads_only_blocks_on_their_queue(
    client_for: ClientFor, patient: Patient, clinician: User, pharmacist: User
) -> None:
    make_prescription(patient, clinician, pharmacy=pharmacist.pharmacies.get())
    block = alert(patient, "screen_blocked", "urgent", blocks=True, message="Tramadol started.")
    alert(patient, "self_harm_risk", "urgent", message="PHQ-9 item 9 answered 2.")
    client = client_for(pharmacist)
    response = client.get("/alerts/")
    page = response.content.decode()
    assert "<h1>Blocks on your queue</h1>" in page
    assert shown_ids(page) == [block.pk]
    assert "PHQ-9" not in page
    assert "<textarea" not in page  # read-only
    assert client.post(f"/alerts/{block.pk}/acknowledge", {"note": "ok"}).status_code == 404


def test_patients_and_admins_get_404(
    client_for: ClientFor, patient: Patient, admin_user: User
) -> None:
    alert(patient, "pain_up")
    assert client_for(patient.user).get("/alerts/").status_code == 404
    assert client_for(admin_user).get("/alerts/").status_code == 404
    assert AuditEvent.objects.filter(action="alerts.view", outcome="denied").count() == 2


def test_the_nav_counts_open_unacknowledged_alerts_and_marks_urgent_ones(
    client_for: ClientFor, patient: Patient, other_patient: Patient, clinician: User
) -> None:
    client = client_for(clinician)
    assert 'class="count' not in client.get("/alerts/").content.decode()
    alert(patient, "pain_up")
    acked = alert(patient, "new_side_effect", key="nausea")
    acknowledge_alert(Actor.of(clinician), acked, "Seen.")
    alert(other_patient, "pain_up")  # not theirs
    page = client.get("/panel/").content.decode()
    assert '<span class="count" aria-label="1 open alert">1</span>' in page
    alert(patient, "self_harm_risk", "urgent")
    page = client.get("/panel/").content.decode()
    assert '<span class="count urgent" aria-label="2 open alerts" title="1 urgent">2</span>' in page


def test_the_nav_count_costs_one_query(
    client_for: ClientFor, patient: Patient, clinician: User, pharmacist: User
) -> None:
    alert(patient, "pain_up")
    request = RequestFactory().get("/")
    request.user = clinician
    with CaptureQueriesContext(connection) as queries:
        assert alert_count(request)["alert_count"]["open"] == 1  # type: ignore[index]
    assert len(queries) == 1
    request.user = patient.user  # type: ignore[assignment]
    assert alert_count(request) == {}


def test_the_panel_lists_urgent_alerts_on_top_and_each_patients_alerts_in_constant_queries(
    client_for: ClientFor, patient: Patient, clinician: User, make_checkin: Callable[..., Any]
) -> None:
    make_checkin(patient, days_ago=1)
    urgent = alert(patient, "self_harm_risk", "urgent", message="PHQ-9 item 9 answered 2.")
    alert(patient, "pain_up", message="Pain up 2.5 points.")
    client = client_for(clinician)
    with CaptureQueriesContext(connection) as few:
        page = client.get("/panel/").content.decode()
    top = page.split('id="urgent-heading"')[1].split("</section>")[0]
    assert "Patient</a>: PHQ-9 item 9 answered 2." in top
    assert f'href="/alerts/?patient={patient.pk}#alert-{urgent.pk}">Acknowledge in the inbox' in top
    assert "Pain up 2.5 points." not in top
    row = page.split(f'<tr data-patient="{patient.pk}">')[1].split("</tr>")[0]
    assert "PHQ-9 item 9 answered 2." in row
    assert "Pain up 2.5 points." in row
    # pinned: session, user, two-factor device, the count of every patient and of those
    # matching, the page of stored summaries, its alerts, the urgent alerts, nav count, unread
    # notifications (the bell), trials waiting for review (evidence), and the one audit event of
    # the panel: chain head read (and locked) and insert (which moves the head)
    assert len(few) == 13
    for i in range(10):
        user = User.objects.create(username=f"p{i}", role=Role.PATIENT, clinic=patient.clinic)
        extra = Patient.objects.create(
            user=user, clinic=patient.clinic, care_team=patient.care_team, display_name=f"P{i}"
        )
        make_checkin(extra, days_ago=1)
        alert(extra, "pain_up")
        alert(extra, "self_harm_risk", "urgent")
    with CaptureQueriesContext(connection) as many:
        client.get("/panel/")
    assert len(many) == len(few)


def test_the_dashboard_shows_the_clinician_that_patients_open_alerts_only(
    client_for: ClientFor, patient: Patient, clinician: User, other_patient: Patient
) -> None:
    alert(patient, "pain_up", message="Pain up 2.5 points.")
    alert(other_patient, "pain_up", message="Someone else's pain.")
    page = client_for(clinician).get(f"/patients/{patient.pk}/").content.decode()
    assert "Open alerts" in page
    assert "Pain up 2.5 points." in page
    assert "Someone else" not in page
    own = client_for(patient.user).get(f"/patients/{patient.pk}/").content.decode()
    assert "Pain up 2.5 points." not in own


def test_a_pharmacist_of_another_pharmacy_sees_no_block(
    client_for: ClientFor, patient: Patient, clinician: User, pharmacist: User
) -> None:
    rival = User.objects.create(username="rival", role=Role.PHARMACIST, clinic=patient.clinic)
    Pharmacy.objects.create(name="Rival pharmacy").pharmacists.add(rival)
    make_prescription(patient, clinician, pharmacy=pharmacist.pharmacies.get())
    alert(patient, "screen_blocked", "urgent", blocks=True)
    assert shown_ids(client_for(rival).get("/alerts/").content.decode()) == []
