"""The patient's whole record in one download: FHIR Bundle (with the visit report's PDF inside),
check-in CSV and visit report PDF (issue 15, item 5)."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest import bearer
from django.core.cache import caches
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.documentreference import DocumentReference

from apps.accounts.models import Patient, User
from apps.audit.models import AuditEvent
from apps.fhir.record import FILES
from apps.reports import pdf as report_pdf
from lowdose.diary import SideEffect
from lowdose.interop.diary_csv import BOM, read_checkins_csv

PAGE = "/patients/{pid}/record.zip"
API = "/api/v1/patients/{pid}/record.zip"


@pytest.fixture(autouse=True)
def _empty_report_cache(db: None) -> None:
    caches["charts"].clear()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.slow
def test_the_patient_downloads_every_file_and_the_bundle_carries_the_report(
    patient: Patient,
    make_checkin: Callable[..., Any],
    client_for: Callable[[User | None], Client],
) -> None:
    make_checkin(patient, 2, pain=6, note="tired; slept badly")
    make_checkin(patient, 1, pain=3, side_effects=(SideEffect("headache", "mild", "a; b"),))
    before = AuditEvent.objects.order_by("pk").last()
    answer = client_for(patient.user).get(PAGE.format(pid=patient.pk))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/zip"
    assert answer["Cache-Control"] == "no-store"
    files = _members(answer.content)
    assert list(files) == list(FILES)
    # the CSV is the one lowdose imports, with a BOM for spreadsheets, every field intact
    csv_text = files["checkins.csv"].decode("utf-8")
    assert csv_text.startswith(BOM)
    read = read_checkins_csv(csv_text, now=timezone.now(), tz=ZoneInfo(patient.time_zone))
    assert sorted((c.score("pain"), c.note) for c in read) == [(3, ""), (6, "tired; slept badly")]
    [with_effect] = [c for c in read if c.side_effects]
    assert with_effect.side_effects[0].detail == "a; b"
    # the Bundle validates and carries the same PDF as the file beside it
    bundle = Bundle.model_validate(json.loads(files["record.fhir.json"]))
    assert bundle.type == "collection"
    documents = [
        e.resource for e in bundle.entry or [] if isinstance(e.resource, DocumentReference)
    ]
    assert len(documents) == 1
    attachment = documents[0].content[0].attachment
    # the model holds the decoded bytes; the JSON holds them in base64
    assert attachment.data == files["visit-report.pdf"]
    raw = json.loads(files["record.fhir.json"])
    [inline] = [
        e["resource"]["content"][0]["attachment"]["data"]
        for e in raw["entry"]
        if e["resource"]["resourceType"] == "DocumentReference"
    ]
    assert base64.b64decode(inline) == files["visit-report.pdf"]
    assert files["visit-report.pdf"].startswith(b"%PDF-")
    assert "visit-report.pdf" in files["README.txt"].decode("utf-8")
    # one audit event for the download, naming the patient
    assert before is not None
    events = AuditEvent.objects.filter(pk__gt=before.pk, patient_id=patient.pk)
    assert [e.action for e in events] == ["record.download"]


def test_while_the_report_renders_the_download_waits_then_arrives(
    patient: Patient,
    make_checkin: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_checkin(patient, 1)
    sent: list[tuple[Any, ...]] = []
    monkeypatch.setattr(report_pdf, "async_task", lambda job, *args, **kw: sent.append(args))
    assert patient.user is not None
    api = Client(headers=bearer(patient.user))
    waiting = api.get(API.format(pid=patient.pk))
    assert waiting.status_code == 202
    assert waiting["Retry-After"] == str(report_pdf.RETRY_AFTER)
    assert waiting.json()["retry_after"] == report_pdf.RETRY_AFTER
    assert sent == [(patient.pk, "patient", "", "")]
    report_pdf.render_visit_report(*sent[0])
    ready = api.get(API.format(pid=patient.pk))
    assert ready.status_code == 200
    assert list(_members(ready.content)) == list(FILES)


def test_the_page_waits_with_a_page_that_refreshes(
    patient: Patient,
    make_checkin: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    client_for: Callable[[User | None], Client],
) -> None:
    make_checkin(patient, 1)
    monkeypatch.setattr(report_pdf, "async_task", lambda job, *args, **kw: None)
    waiting = client_for(patient.user).get(PAGE.format(pid=patient.pk))
    assert waiting.status_code == 202
    page = waiting.content.decode()
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "Your record is being prepared" in page


@pytest.mark.parametrize("who", ["clinician", "pharmacist", "admin", "other_patient"])
def test_nobody_but_the_patient_downloads_it(
    who: str,
    patient: Patient,
    other_patient: Patient,
    clinician: User,
    pharmacist: User,
    admin_user: User,
    client_for: Callable[[User | None], Client],
) -> None:
    user = {
        "clinician": clinician,
        "pharmacist": pharmacist,
        "admin": admin_user,
        "other_patient": other_patient.user,
    }[who]
    assert user is not None
    assert client_for(user).get(PAGE.format(pid=patient.pk)).status_code == 404
    assert Client(headers=bearer(user)).get(API.format(pid=patient.pk)).status_code == 404
    assert Client().get(API.format(pid=patient.pk)).status_code == 401
