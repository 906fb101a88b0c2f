"""The visit report: its text read back from the PDF, the page image CI keeps, tagging, the
202 → 200 flow of the background job, the cache key, the period and refused input."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import bearer
from django.core.cache import caches
from django.test import Client

from apps.accounts.models import Patient, User
from apps.audit.models import AuditEvent
from apps.clinical.queries import patient_today
from apps.reports import pdf as report_pdf
from apps.reports.contents import report_contents
from apps.reports.period import period_for
from apps.reports.tests.helpers import ALERT_MESSAGE, full_record, pdf_text, poppler
from apps.sharing.models import ShareLink
from config.errors import ReportUnavailableError
from lowdose.errors import InputError, MissingExtraError

#: Where CI keeps files for a human look (git-ignored, under var/).
ARTIFACTS = Path(__file__).resolve().parents[4] / "var" / "ci-artifacts"

API = "/api/v1/patients/{pid}/visit-report.pdf"


@pytest.fixture(autouse=True)
def _empty_report_cache(db: None) -> None:
    caches["charts"].clear()


def _row(text: str, label: str) -> list[str]:
    """The three numbers after a scale's label in the scores table (baseline, mean, latest)."""
    after = text[text.index(label) + len(label) :].split()
    return after[:3]


def _api(user: User, patient: Patient, query: str = "") -> Any:
    return Client().get(API.format(pid=patient.pk) + query, headers=bearer(user))


@pytest.mark.slow
def test_clinician_report_shows_latest_scores_dose_alerts_and_flags(
    patient: Patient, clinician: User, make_checkin: Callable[..., Any]
) -> None:
    facts = full_record(patient, clinician, make_checkin)

    response = _api(clinician, patient, "?audience=clinician")

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    text = " ".join(pdf_text(pdf).split())
    # The latest check-in (today): pain 2, fatigue 7, sleep 8, mood 9, in the "Latest" column.
    for row, latest in (
        ("Pain (lower is better)", "2.0"),
        ("Fatigue (lower is better)", "7.0"),
        ("Sleep quality (higher is better)", "8.0"),
        ("Mood (higher is better)", "9.0"),
    ):
        assert _row(text, row)[-1] == latest, _row(text, row)
    assert "Dose today: 3 mg" in text
    assert ALERT_MESSAGE in " ".join(text.split())
    assert "WARNING" in text
    assert f"{facts['phq9_total']}, {facts['phq9_band']}" in text
    assert "RISK: thoughts of being better off dead or of self-harm" in text
    assert "doses missed: 1" in text
    assert "Vivid dreams: 2 days, worst moderate" in text
    # One page, tagged (a structure tree: pdfinfo says "Tagged: yes").
    info = subprocess.run(
        [poppler("pdfinfo"), "-"], input=pdf, capture_output=True, check=True, timeout=60
    ).stdout.decode()
    assert "Tagged:          yes" in info
    assert "Pages:           1" in info
    # Page 1 as a PNG for a human look (CI keeps var/ci-artifacts/).
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / "visit-report.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        [
            poppler("pdftoppm"),
            "-png",
            "-r",
            "100",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(source),
            str(ARTIFACTS / "visit-report-p1"),
        ],
        check=True,
        timeout=60,
    )
    assert (ARTIFACTS / "visit-report-p1.png").stat().st_size > 10_000


@pytest.mark.slow
def test_patient_version_is_plain_and_leaves_out_the_care_teams_words(
    patient: Patient, clinician: User, make_checkin: Callable[..., Any]
) -> None:
    full_record(patient, clinician, make_checkin)

    response = _api(patient.user, patient)  # type: ignore[arg-type]

    assert response.status_code == 200
    text = " ".join(pdf_text(response.content).split())
    assert "Your low-dose naltrexone (LDN) summary" in text
    assert "Your dose now: 3 mg" in text
    assert "You checked in on 31 of 31 days and missed 1 dose" in text
    for jargon in (ALERT_MESSAGE, "RISK", "AR(1)", "interval", "Safety screen", "placebo"):
        assert jargon not in text


def test_patient_never_gets_the_clinician_version(patient: Patient) -> None:
    before = AuditEvent.objects.count()

    response = _api(patient.user, patient, "?audience=clinician")  # type: ignore[arg-type]

    assert response.status_code == 404
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert event is not None
    assert (event.action, event.outcome) == ("reports.clinician", "denied")


def test_another_patients_report_is_not_found(
    patient: Patient, other_patient: Patient, clinician: User
) -> None:
    assert _api(clinician, other_patient).status_code == 404
    assert _api(patient.user, other_patient).status_code == 404  # type: ignore[arg-type]
    # Bad dates on someone else's record do not tell that the record exists.
    assert _api(clinician, other_patient, "?start=nonsense").status_code == 404


def test_one_audit_event_per_download(
    patient: Patient, clinician: User, make_checkin: Callable[..., Any]
) -> None:
    make_checkin(patient, 0)
    before = AuditEvent.objects.count()

    response = _api(clinician, patient)

    assert response.status_code == 200
    events = AuditEvent.objects.order_by("id")[before:]
    assert [(e.action, e.outcome, e.patient_id) for e in events] == [
        ("reports.clinician", "ok", patient.pk)
    ]


def test_rendering_in_the_background_answers_202_then_200(
    patient: Patient,
    clinician: User,
    make_checkin: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_checkin(patient, 1)
    sent: list[tuple[Any, ...]] = []
    monkeypatch.setattr(report_pdf, "async_task", lambda job, *args, **kw: sent.append(args))

    waiting = _api(clinician, patient, "?audience=patient")
    again = _api(clinician, patient, "?audience=patient")

    assert waiting.status_code == 202
    assert waiting["Retry-After"] == str(report_pdf.RETRY_AFTER)
    assert waiting.json()["retry_after"] == report_pdf.RETRY_AFTER
    assert again.status_code == 202
    assert sent == [(patient.pk, "patient", "", "")]  # sent once while queued
    assert report_pdf.render_visit_report(*sent[0]) == "rendered"
    assert report_pdf.render_visit_report(*sent[0]) == "already cached"  # idempotent

    ready = _api(clinician, patient, "?audience=patient")

    assert ready.status_code == 200
    assert ready.content.startswith(b"%PDF-")


def test_the_page_waits_with_a_refreshing_page_then_downloads(
    patient: Patient,
    clinician: User,
    make_checkin: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_checkin(patient, 1)
    sent: list[tuple[Any, ...]] = []
    monkeypatch.setattr(report_pdf, "async_task", lambda job, *args, **kw: sent.append(args))
    client = Client()
    client.force_login(clinician)
    url = f"/patients/{patient.pk}/visit-report.pdf?audience=clinician&start=&end="

    waiting = client.get(url)
    report_pdf.render_visit_report(*sent[0])
    ready = client.get(url)

    assert waiting.status_code == 202
    assert b"being prepared" in waiting.content
    assert waiting["Retry-After"] == str(report_pdf.RETRY_AFTER)
    assert ready.status_code == 200
    assert "attachment" in ready["Content-Disposition"]


def test_a_new_checkin_makes_a_new_report(
    patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    make_checkin(patient, 2)
    period = period_for(patient)
    first = report_pdf.report_key(report_contents(patient, period, "patient"))
    same = report_pdf.report_key(report_contents(patient, period_for(patient), "patient"))
    make_checkin(patient, 1, pain=9)
    after = report_pdf.report_key(report_contents(patient, period_for(patient), "patient"))

    assert first == same
    assert after != first
    clinician_key = report_pdf.report_key(report_contents(patient, period, "clinician"))
    assert clinician_key != first


def test_report_renders_without_charts_saying_so(
    patient: Patient,
    clinician: User,
    make_checkin: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_checkin(patient, 1)

    def missing(*args: Any, **kwargs: Any) -> bytes:
        raise MissingExtraError("PNG/SVG export needs the charts extra")

    monkeypatch.setattr(report_pdf, "render_chart", missing)
    response = _api(clinician, patient)

    assert response.status_code == 200
    assert "Chart not available" in pdf_text(response.content)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?start=2026-02-30", "start"),
        ("?end=tomorrow", "end"),
        ("?start=2020-01-01&end=2021-06-01", "start"),  # longer than a year
        ("?audience=pharmacist", "audience"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    patient: Patient, clinician: User, query: str, field: str
) -> None:
    response = _api(clinician, patient, query)

    assert response.status_code == 400
    assert response.json()["field"] == field


def test_start_after_end_and_a_future_end_are_refused(patient: Patient) -> None:
    today = patient_today(patient)
    with pytest.raises(InputError, match="after the end date"):
        period_for(
            patient,
            (today - timedelta(days=1)).isoformat(),
            (today - timedelta(days=5)).isoformat(),
        )
    with pytest.raises(InputError, match="in the future"):
        period_for(patient, None, (today + timedelta(days=1)).isoformat())


def test_the_page_refuses_bad_dates_with_what_to_do(patient: Patient) -> None:
    client = Client()
    client.force_login(patient.user)  # type: ignore[arg-type]

    response = client.get(f"/patients/{patient.pk}/visit-report.pdf?start=01/02/2026")

    assert response.status_code == 400
    assert b"YYYY-MM-DD" in response.content


def _no_pango(contents: dict[str, Any]) -> bytes:
    # what WeasyPrint raises when Debian's Pango is missing
    raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared")


def test_a_server_that_cannot_draw_says_so_instead_of_waiting_for_ever(
    patient: Patient,
    clinician: User,
    make_checkin: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The job fails; the pages and the API answer 503 with why and what to do (not a 202 that
    refreshes for ever), and no new job is sent while the failure is remembered."""
    make_checkin(patient, 1)
    sent: list[tuple[Any, ...]] = []
    monkeypatch.setattr(report_pdf, "async_task", lambda job, *args, **kw: sent.append(args))
    monkeypatch.setattr(report_pdf, "render_pdf", _no_pango)
    first = _api(clinician, patient, "?audience=patient")
    with pytest.raises(ReportUnavailableError):
        report_pdf.render_visit_report(*sent[0])  # the job fails, and the queue records it
    client = Client()
    assert patient.user is not None
    client.force_login(patient.user)

    api = _api(clinician, patient, "?audience=patient")
    page = client.get(f"/patients/{patient.pk}/visit-report.pdf")
    whole = client.get(f"/patients/{patient.pk}/record.zip")
    share = client.post(
        f"/patients/{patient.pk}/share-links/",
        {"expires": "24", "passcode": "", "label": "Dr Lee"},
    )
    preview = client.get(f"/patients/{patient.pk}/share-links/preview.pdf")  # that version too

    assert first.status_code == 202
    assert api.status_code == 503
    assert api["Retry-After"] == str(ReportUnavailableError.retry_after)
    assert "Pango" in api.json()["detail"]
    assert "administrator" in api.json()["detail"]
    assert page.status_code == 503
    assert b"cannot be prepared" in page.content
    assert b"Pango" in page.content
    assert b"http-equiv" not in page.content  # no refresh: waiting would not help
    assert whole.status_code == 503
    assert preview.status_code == 503
    assert share.status_code == 503
    assert b"Pango" in share.content
    assert not ShareLink.objects.filter(patient=patient).exists()
    assert len(sent) == 1  # nothing sent again while the failure is remembered
