"""The check-in form, dashboard, CSV export/import and the clinician's panel."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import CareTeam, Clinic, Patient, Role, User
from apps.checkins.models import Checkin
from lowdose.charts import render as render_chart


def form(**overrides: str) -> dict[str, str]:
    values = {
        "client_id": str(uuid.uuid4()),
        "pain": "3",
        "fatigue": "4",
        "sleep": "7",
        "mood": "8",
        "dose_status": "taken",
        "dose_mg": "1.5",
        "dose_time_choice": "at",
        "dose_time": "22:00",
        "se_vivid_dreams": "moderate",
        "se_nausea": "none",
        "note": "",
    }
    values.update(overrides)
    return values


def test_the_form_saves_and_the_dashboard_shows_the_entry(
    client_for: Callable[[User | None], Client], patient: Patient
) -> None:
    client = client_for(patient.user)
    response = client.post(f"/patients/{patient.pk}/checkin/", form())
    assert response.status_code == 302
    saved = Checkin.objects.get(patient=patient)
    assert (saved.pain, str(saved.dose_mg)) == (3, "1.50")
    assert [e.name for e in saved.side_effects.all()] == ["vivid_dreams"]
    page = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "Vivid dreams (moderate)" in page
    assert "vivid_dreams" not in page.split('id="recent"')[1].split("</table>")[0]
    assert 'id="checkin-spec"' in page


def test_a_resubmitted_form_is_saved_once(
    client_for: Callable[[User | None], Client], patient: Patient
) -> None:
    client = client_for(patient.user)
    data = form()
    client.post(f"/patients/{patient.pk}/checkin/", data)
    client.post(f"/patients/{patient.pk}/checkin/", data)
    assert Checkin.objects.filter(patient=patient).count() == 1


def test_an_invalid_form_says_what_to_fix_keeps_the_answers_and_saves_nothing(
    client_for: Callable[[User | None], Client], patient: Patient
) -> None:
    client = client_for(patient.user)
    response = client.post(f"/patients/{patient.pk}/checkin/", form(dose_mg="4.555"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Dose (mg): enter the dose in milligrams, e.g. 4.5; use at most two decimals" in page
    assert 'value="3" required checked' in page
    assert Checkin.objects.count() == 0


def test_csv_export_then_import_round_trips_without_duplicates(
    client_for: Callable[[User | None], Client], patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    for days_ago in range(5):
        make_checkin(patient, days_ago=days_ago, pain=days_ago)
    client = client_for(patient.user)
    exported = client.get(f"/patients/{patient.pk}/checkins.csv")
    assert exported["Content-Type"].startswith("text/csv")
    text = exported.content.decode()
    Checkin.objects.filter(patient=patient).delete()
    upload = io.BytesIO(text.encode())
    upload.name = "export.csv"
    client.post(f"/patients/{patient.pk}/checkins/import/", {"file": upload})
    assert Checkin.objects.filter(patient=patient).count() == 5
    again = io.BytesIO(text.encode())
    again.name = "export.csv"
    client.post(f"/patients/{patient.pk}/checkins/import/", {"file": again})
    assert Checkin.objects.filter(patient=patient).count() == 5
    assert client.get(f"/patients/{patient.pk}/checkins.csv").content.decode() == text


def test_a_bad_csv_imports_nothing_and_names_the_row(
    client_for: Callable[[User | None], Client], patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    make_checkin(patient, days_ago=1)
    make_checkin(patient, days_ago=2)
    client = client_for(patient.user)
    text = client.get(f"/patients/{patient.pk}/checkins.csv").content.decode()
    Checkin.objects.filter(patient=patient).delete()
    lines = text.splitlines()
    lines[2] = lines[2].replace('"5","5","5","5"', '"5","5","55","5"')
    upload = io.BytesIO("\n".join(lines).encode())
    upload.name = "bad.csv"
    response = client.post(
        f"/patients/{patient.pk}/checkins/import/", {"file": upload}, follow=True
    )
    assert "Nothing was imported. row 3: sleep" in response.content.decode()
    assert Checkin.objects.count() == 0


def test_the_chart_renders_to_svg_and_png(
    client_for: Callable[[User | None], Client], patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    make_checkin(patient, days_ago=1)
    client = client_for(patient.user)
    svg = client.get(f"/patients/{patient.pk}/chart.svg")
    png = client.get(f"/patients/{patient.pk}/chart.png")
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg.content.lstrip().startswith(b"<svg")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_chart_image_is_rendered_once_per_diary_and_again_when_it_changes(
    client_for: Callable[[User | None], Client],
    clinician: User,
    patient: Patient,
    make_checkin: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rendered: list[str] = []

    def counted(spec: dict[str, Any], fmt: str) -> bytes:
        rendered.append(fmt)
        return render_chart(spec, fmt)  # type: ignore[arg-type]

    monkeypatch.setattr("apps.checkins.chart_images.render_chart", counted)
    caches["charts"].clear()
    make_checkin(patient, days_ago=2, pain=6)
    first = client_for(patient.user).get(f"/patients/{patient.pk}/chart.svg").content
    again = client_for(clinician).get(f"/patients/{patient.pk}/chart.svg").content
    assert again == first
    assert rendered == ["svg"]  # the same diary: rendered once, for everyone who may see it
    client_for(patient.user).get(f"/patients/{patient.pk}/chart.png")
    assert rendered == ["svg", "png"]

    make_checkin(patient, days_ago=1, pain=2)  # a new check-in is a new picture
    changed = client_for(patient.user).get(f"/patients/{patient.pk}/chart.svg").content
    assert rendered == ["svg", "png", "svg"]
    assert changed != first
    Checkin.objects.filter(patient=patient, pain=2).update(pain=9)  # so is a changed one
    client_for(patient.user).get(f"/patients/{patient.pk}/chart.svg")
    assert rendered == ["svg", "png", "svg", "svg"]


def test_the_panel_shows_the_silent_patients_alert_in_constant_queries(
    client_for: Callable[[User | None], Client],
    clinician: User,
    patient: Patient,
    make_checkin: Callable[..., Any],
) -> None:
    from django.utils import timezone

    from apps.checkins.followup import sweep_silence

    make_checkin(patient, days_ago=4)
    client = client_for(clinician)
    # Alerts are records: the page shows what the daily sweep stored, it computes nothing.
    assert "No check-in for 4 days" not in client.get("/panel/").content.decode()
    assert sweep_silence(timezone.now()) == 1
    with CaptureQueriesContext(connection) as few:
        page = client.get("/panel/").content.decode()
    assert "No check-in for 4 days" in page
    # ten more patients on the same team must not add queries per patient
    clinic = Clinic.objects.get()
    team = CareTeam.objects.get(name="Team A")
    for i in range(10):
        user = User.objects.create(username=f"p{i}", role=Role.PATIENT, clinic=clinic)
        extra = Patient.objects.create(
            user=user, clinic=clinic, care_team=team, display_name=f"P{i}"
        )
        make_checkin(extra, days_ago=1)
    with CaptureQueriesContext(connection) as many:
        client.get("/panel/")
    # session, user, two-factor device, the count of every patient, the count of those
    # matching, the page of stored summaries, its alerts, the urgent alerts, the nav count, the
    # unread notifications (the bell), the trials waiting for review (evidence), and the audit
    # event's chain head read (and locked) and insert (which moves the head)
    assert len(many) == len(few) == 13


def test_after_midnight_the_form_asks_which_day_and_files_the_entry_there(
    client_for: Callable[[User | None], Client], patient: Patient, monkeypatch: Any
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.utils import timezone as django_timezone

    half_past_midnight = datetime(2026, 3, 11, 0, 30, tzinfo=ZoneInfo(patient.time_zone))
    monkeypatch.setattr(django_timezone, "now", lambda: half_past_midnight)
    client = client_for(patient.user)
    page = client.get(f"/patients/{patient.pk}/checkin/").content.decode()
    assert "Which day is this check-in for?" in page
    assert 'value="2026-03-10"' in page
    assert 'value="2026-03-11"' in page
    client.post(f"/patients/{patient.pk}/checkin/", form(day="2026-03-10"))
    assert str(Checkin.objects.get(patient=patient).day) == "2026-03-10"


def test_the_dashboard_analyses_the_open_label_response_beside_placebo(
    client_for: Callable[[User | None], Client], patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    from decimal import Decimal

    from apps.checkins.queries import responses_of, summary_of

    client = client_for(patient.user)
    make_checkin(patient, days_ago=3, dose_status="none", dose_mg=None)
    page = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "You have 1 so far: 6 to go." in page  # the first steps, not empty analyses

    for days_ago in range(40, 26, -1):
        make_checkin(patient, days_ago=days_ago, pain=7, dose_status="none", dose_mg=None)
    for days_ago in range(26, 0, -1):
        make_checkin(patient, days_ago=days_ago, pain=4, dose_mg=Decimal("4.50"))
    pain = next(r for r in responses_of(summary_of(patient)) if r.outcome == "pain")
    assert pain.result is not None
    assert pain.result.change < -2.5  # 7 → 4 on a 0–10 scale
    # 7 → 4 is a 43% reduction: IMMPACT "moderate" (≥ 30%, < 50%; Dworkin et al. 2008)
    assert pain.result.category == "moderate"
    page = client.get(f"/patients/{patient.pk}/").content.decode()
    assert "In fibromyalgia trials, placebo alone changed pain by" in page
