"""The check-in CSV through the page and the API: RFC 4180 with CRLF, an optional BOM for Excel,
lossless for side-effect details, and served to a bearer token (not redirected to the login)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from conftest import bearer
from django.test import Client

from apps.accounts.models import Patient, User
from apps.audit.models import AuditEvent
from apps.checkins.models import Checkin
from lowdose.diary import SideEffect

pytestmark = pytest.mark.django_db

DETAIL = 'itch; "rash", ça gratte\\'
BOM = b"\xef\xbb\xbf"


def test_a_bearer_token_gets_the_csv_not_the_login_page(
    patient: Patient, make_checkin: Callable[..., Any]
) -> None:
    make_checkin(patient, days_ago=1)
    path = f"/api/v1/patients/{patient.pk}/checkins.csv"
    assert patient.user is not None
    response = Client(headers=bearer(patient.user)).get(path)
    assert response.status_code == 200
    assert "Location" not in response
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="lowdose-checkins-{patient.pk}-'
    )
    body = response.content
    assert not body.startswith(BOM)
    assert body.count(b"\r\n") == 2  # header and one check-in, each ended by CRLF
    assert b"\n" not in body.replace(b"\r\n", b"")
    read = AuditEvent.objects.get(action="checkins.export", path=path)
    assert (read.outcome, read.patient_id) == ("ok", patient.pk)
    assert Client().get(path).status_code == 401


def test_the_bom_option_on_the_api_and_the_page(
    client_for: Callable[[User | None], Client],
    clinician: User,
    patient: Patient,
    make_checkin: Callable[..., Any],
) -> None:
    make_checkin(patient, note="Müdigkeit")
    api = Client(headers=bearer(clinician))
    with_bom = api.get(f"/api/v1/patients/{patient.pk}/checkins.csv?bom=true").content
    assert with_bom.startswith(BOM + b'"client_id"')
    page = client_for(patient.user).get(f"/patients/{patient.pk}/checkins.csv?bom=1").content
    assert page.startswith(BOM)
    assert page[len(BOM) :].decode("utf-8").count("Müdigkeit") == 1
    plain = client_for(patient.user).get(f"/patients/{patient.pk}/checkins.csv").content
    assert plain == page[len(BOM) :]


def test_a_semicolon_in_a_side_effect_detail_survives_export_and_import(
    client_for: Callable[[User | None], Client],
    patient: Patient,
    make_checkin: Callable[..., Any],
) -> None:
    make_checkin(patient, side_effects=(SideEffect("other", "mild", DETAIL),), note="a;b\nc")
    client = client_for(patient.user)
    exported = client.get(f"/patients/{patient.pk}/checkins.csv?bom=1").content
    Checkin.objects.filter(patient=patient).delete()
    upload = io.BytesIO(exported)
    upload.name = "export.csv"
    client.post(f"/patients/{patient.pk}/checkins/import/", {"file": upload})
    row = Checkin.objects.get(patient=patient)
    assert [e.detail for e in row.side_effects.all()] == [DETAIL]
    assert row.note == "a;b\nc"
