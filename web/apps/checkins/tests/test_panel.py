"""The clinician's panel: search, sort, filter and pages (issue 12, item 8)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from apps.accounts.models import CareTeam, Clinic, Patient, Role, User
from apps.alerts.actions import raise_alert
from apps.alerts.models import Alert, Severity
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from apps.checkins.panel import PAGE_SIZE, PanelQuery
from apps.checkins.summaries import refresh_treatment


def _names(page: str) -> list[str]:
    return re.findall(
        r'<tr data-patient="\d+">\s*<td data-label="Patient"><a href="[^"]+">([^<]+)</a>', page
    )


def _patient(name: str, *, joined: bool = True) -> Patient:
    clinic = Clinic.objects.get()
    team = CareTeam.objects.get(name="Team A")
    user = None
    if joined:
        user = User.objects.create(username=name.lower().replace(" ", "."), role=Role.PATIENT)
        user.clinic = clinic
        user.save()
    return Patient.objects.create(user=user, clinic=clinic, care_team=team, display_name=name)


def _alert(patient: Patient, severity: str, message: str) -> Alert:
    alert, _ = raise_alert(
        Actor.system(), patient, kind="test", key=message, severity=severity, message=message
    )
    return alert


@pytest.fixture
def panel_of(client_for: Callable[[User | None], Client], clinician: User) -> Callable[[str], str]:
    client = client_for(clinician)

    def get(query: str = "") -> str:
        response = client.get(f"/panel/{query}")
        assert response.status_code == 200
        return response.content.decode()

    return get


@pytest.fixture
def ward(patient: Patient, make_checkin: Callable[..., Any]) -> dict[str, Patient]:
    """Four patients besides the persona's: one whose pain rose on LDN (last check-in two days
    ago), one who never checked in, one invited only, one with an urgent alert."""
    rising = _patient("Bea Rising")
    for day in range(20, 7, -1):
        make_checkin(rising, days_ago=day, pain=3, dose_status="none", dose_mg=None)
    for day in range(6, 1, -1):
        make_checkin(rising, days_ago=day, pain=7)
    quiet = _patient("Cal Quiet")
    invited = _patient("Dee Invited", joined=False)
    urgent = _patient("Eli Urgent")
    make_checkin(urgent, days_ago=0)
    _alert(urgent, Severity.URGENT, "Answered yes to self-harm")
    _alert(rising, Severity.WARNING, "No check-in for 9 days")
    make_checkin(patient, days_ago=1)
    return {"rising": rising, "quiet": quiet, "invited": invited, "urgent": urgent}


def test_the_panel_is_sorted_by_name_by_default(
    panel_of: Callable[[str], str], patient: Patient, ward: dict[str, Patient]
) -> None:
    names = _names(panel_of(""))
    assert names == sorted(names, key=str.casefold)
    assert len(names) == 5


def test_sorting_by_last_check_in_puts_never_then_longest_ago_first(
    panel_of: Callable[[str], str], patient: Patient, ward: dict[str, Patient]
) -> None:
    names = _names(panel_of("?sort=last"))
    assert names[:2] == ["Cal Quiet", "Dee Invited"]  # never checked in, by name
    assert names[2] == "Bea Rising"  # 2 days ago
    assert names[-1] == "Eli Urgent"  # today


def test_sorting_by_change_puts_the_least_improved_first_and_no_baseline_last(
    panel_of: Callable[[str], str], patient: Patient, ward: dict[str, Patient]
) -> None:
    page = panel_of("?sort=change")
    names = _names(page)
    assert names[0] == "Bea Rising"  # pain 3 → 7: +4.0
    assert '<td data-label="Pain vs baseline">+4.0</td>' in page
    # no baseline yet (the persona has one day, on LDN): at the end, by name
    assert names[1:] == sorted(names[1:], key=str.casefold)
    assert len(names) == 5


def test_sorting_by_alerts_puts_urgent_first(
    panel_of: Callable[[str], str], patient: Patient, ward: dict[str, Patient]
) -> None:
    names = _names(panel_of("?sort=alerts"))
    assert names[:2] == ["Eli Urgent", "Bea Rising"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=bea", ["Bea Rising"]),
        ("?q=  BEA   rising ", ["Bea Rising"]),
        ("?state=invited", ["Dee Invited"]),
        ("?alerts=urgent", ["Eli Urgent"]),
        ("?alerts=open", ["Bea Rising", "Eli Urgent"]),
        ("?state=before", ["Bea Rising", "Cal Quiet"][1:]),
    ],
)
def test_search_and_filters_keep_only_the_matching_patients(
    panel_of: Callable[[str], str],
    patient: Patient,
    ward: dict[str, Patient],
    query: str,
    expected: list[str],
) -> None:
    page = panel_of(query)
    assert _names(page) == expected
    assert f"{len(expected)} of 5 patients match" in page


def test_the_treatment_state_reads_prescriptions(
    panel_of: Callable[[str], str], clinician: User, pharmacist: User, ward: dict[str, Patient]
) -> None:
    from apps.clinical.tests.factories import make_prescription

    pharmacy = pharmacist.pharmacies.get()
    make_prescription(ward["quiet"], clinician, status="signed", pharmacy=pharmacy)
    assert "Cal Quiet" not in _names(panel_of("?state=on_ldn"))  # the factory skips the action
    refresh_treatment([ward["quiet"].pk])  # as sign_prescription does
    assert "Cal Quiet" in _names(panel_of("?state=on_ldn"))
    assert "Cal Quiet" not in _names(panel_of("?state=before"))


def test_an_unknown_choice_falls_back_and_says_so(
    panel_of: Callable[[str], str], patient: Patient, ward: dict[str, Patient]
) -> None:
    page = panel_of("?sort=drop_table&state=zzz&page=abc")
    assert _names(page) == sorted(_names(page), key=str.casefold)
    assert "Sort by: that choice is not offered" in page
    assert "Treatment: that choice is not offered" in page
    assert "Page: not a page number" in page
    assert "drop_table" not in page


def test_urgent_alerts_stay_on_top_whatever_the_filter_and_page(
    panel_of: Callable[[str], str], patient: Patient, ward: dict[str, Patient]
) -> None:
    page = panel_of("?q=cal")
    assert _names(page) == ["Cal Quiet"]
    assert "Answered yes to self-harm" in page  # the urgent box, above the filtered list


def test_pages_of_fifty_and_one_audit_event_naming_the_patients_shown(
    panel_of: Callable[[str], str], patient: Patient
) -> None:
    for i in range(PAGE_SIZE + 5):
        _patient(f"Zed {i:03d}")
    first = panel_of("")
    assert len(_names(first)) == PAGE_SIZE
    assert "page 1 of 2" in first
    assert 'href="?page=2" rel="next"' in first
    before = AuditEvent.objects.count()
    second = panel_of("?page=2")
    names = _names(second)
    assert len(names) == 6
    assert names[-1] == "Zed 054"
    event = AuditEvent.objects.order_by("-pk").first()
    assert event is not None
    assert AuditEvent.objects.count() == before + 1
    assert event.action == "checkins.view.panel"
    shown = set(Patient.objects.filter(display_name__in=names).values_list("pk", flat=True))
    assert event.detail is not None
    assert set(event.detail["patient_ids"]) == shown
    # past the last page: the last page, not an error
    assert _names(panel_of("?page=99")) == names


def test_links_keep_the_query_and_leave_defaults_out() -> None:
    query = PanelQuery.parse({"q": "bea", "sort": "last", "page": "2"})
    assert query.link(page=3) == "?q=bea&sort=last&page=3"
    assert PanelQuery.parse({}).link() == "?"
    assert PanelQuery.parse({"page": "0"}).page == 1
    for odd in ("²", "٣", "1²"):  # digits to str.isdigit, not to int(): the first page, a note
        parsed = PanelQuery.parse({"page": odd})
        assert parsed.page == 1
        assert parsed.notes == ("Page: not a page number, so the first page is shown.",)
