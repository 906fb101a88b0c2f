"""The clinic admin's de-identified research export and the patient's answer to research use."""

from __future__ import annotations

import csv
import io
import zipfile
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from conftest import bearer
from django.test import Client

from apps.accounts.models import Clinic, Patient, Role, User
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from apps.checkins.models import Checkin
from apps.clinical.tests.factories import assessment_result
from apps.demo.clinic import CLINIC, PATIENT_NAMES, load_demo
from apps.nof1.models import Nof1Trial
from apps.research.actions import set_research_use
from apps.research.models import ResearchConsent
from lowdose.diary import SideEffect

EXPORT = "/research/export/"
API = "/api/v1/research-export"


def _tables(data: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {
            name[:-4]: list(csv.DictReader(io.StringIO(z.read(name).decode("utf-8"), newline="")))
            for name in z.namelist()
            if name.endswith(".csv")
        }


def _all_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return "\n".join(z.read(name).decode("utf-8") for name in z.namelist())


@pytest.fixture
def demo() -> dict[str, Any]:
    load_demo()
    admin = User.objects.get(username="admin")
    return {"admin": admin, "clinic": Clinic.objects.get(name=CLINIC)}


@pytest.mark.django_db
def test_the_demo_export_holds_the_data_and_no_identifier(
    demo: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    answer = client_for(demo["admin"]).post(EXPORT)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/zip"
    assert answer["Cache-Control"] == "no-store"
    assert answer["Content-Disposition"].startswith('attachment; filename="lowdose-research-')
    data = answer.content
    tables = _tables(data)
    patients = Patient.objects.filter(clinic=demo["clinic"])
    assert len(tables["patients"]) == patients.count() == len(PATIENT_NAMES)
    assert (
        len(tables["checkins"]) == Checkin.objects.in_diary().filter(patient__in=patients).count()
    )
    assert tables["regimen_steps"]
    assert tables["side_effects"]
    text = _all_text(data)
    for p in patients:
        assert p.display_name not in text
        assert p.user is not None
        assert f",{p.user.username}," not in text
        assert p.time_zone not in text
    for name in ("clinician", "Dana", "Reyes", "Northgate", "Riverside"):
        assert name not in text
    notes = list(Checkin.objects.exclude(note="").values_list("note", flat=True))
    assert all(n not in text for n in notes)


@pytest.mark.django_db
def test_each_patients_dates_move_by_one_whole_number_of_weeks(
    demo: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    tables = _tables(client_for(demo["admin"]).post(EXPORT).content)
    true_days: dict[int, list[date]] = defaultdict(list)
    for pid, day in (
        Checkin.objects.in_diary().order_by("patient_id", "day").values_list("patient_id", "day")
    ):
        true_days[pid].append(day)
    exported: dict[str, list[date]] = defaultdict(list)
    for row in tables["checkins"]:
        exported[row["study_id"]].append(date.fromisoformat(row["day"]))
    # each study id's days are one patient's true days moved by one shift
    matched = set()
    for days in exported.values():
        days.sort()
        for pid, truth in true_days.items():
            shifts = {(a - b).days for a, b in zip(days, truth, strict=False)}
            if len(days) == len(truth) and len(shifts) == 1:
                (shift,) = shifts
                assert shift % 7 == 0
                assert shift != 0
                assert abs(shift) <= 182
                matched.add(pid)
    assert matched == set(true_days)


@pytest.mark.django_db
def test_a_blinded_trial_gives_away_no_arm_and_no_kit(
    demo: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    trials = Nof1Trial.objects.all()
    assert trials
    assert all(t.unblinded_at is None for t in trials)
    data = client_for(demo["admin"]).post(EXPORT).content
    assert _tables(data)["nof1_trials"] == []
    kits = set(Checkin.objects.exclude(kit="").values_list("kit", flat=True))
    text = _all_text(data)
    assert all(kit not in text for kit in kits)


@pytest.mark.django_db
def test_only_patients_who_said_yes_are_exported_and_the_download_is_audited(
    patient: Patient,
    other_patient: Patient,
    admin_user: User,
    make_checkin: Callable[..., Any],
    client_for: Callable[[User | None], Client],
) -> None:
    make_checkin(patient, days_ago=1, note="Saw Dr Who at 12 Elm St", pain=3)
    make_checkin(
        other_patient,
        days_ago=1,
        side_effects=(SideEffect("vivid_dreams", "mild", "about my sister Jane"),),
    )
    assert patient.user is not None
    assert other_patient.user is not None
    set_research_use(Actor.of(patient.user), patient, agreed=True)
    set_research_use(Actor.of(other_patient.user), other_patient, agreed=False)
    for someone in (patient, other_patient):
        assessment_result(target=someone, whose="own", people={})
    client = client_for(admin_user)
    before = AuditEvent.objects.order_by("pk").last().pk  # type: ignore[union-attr]
    data = client.post(EXPORT).content
    tables = _tables(data)
    assert len(tables["patients"]) == 1
    assert [r["pain"] for r in tables["checkins"]] == ["3"]
    [score] = tables["questionnaires"]
    assert (score["instrument"], score["total"]) == ("phq2", "1")
    assert tables["side_effects"] == []  # the other patient said no
    text = _all_text(data)
    assert "Elm St" not in text
    assert "Jane" not in text
    assert "Patients exported: 1. Left out: 1 (they said" in text
    event = AuditEvent.objects.filter(pk__gt=before, action="research.export").get()
    assert event.detail is not None
    assert (event.detail["patient_ids"], event.detail["declined"]) == ([patient.pk], 1)


@pytest.mark.django_db
def test_a_patient_who_never_answered_is_not_exported(
    patient: Patient, admin_user: User, make_checkin: Callable[..., Any]
) -> None:
    make_checkin(patient, days_ago=1)
    client = Client()
    client.force_login(admin_user)
    assert _tables(client.post(EXPORT).content)["checkins"] == []


@pytest.mark.django_db
def test_an_admin_of_another_clinic_exports_none_of_these_patients(
    patient: Patient, make_checkin: Callable[..., Any], client_for: Callable[[User | None], Client]
) -> None:
    make_checkin(patient, days_ago=1)
    assert patient.user is not None
    set_research_use(Actor.of(patient.user), patient, agreed=True)
    elsewhere = Clinic.objects.create(name="Elsewhere")
    admin = User.objects.create(username="admin2", role=Role.ADMIN, clinic=elsewhere)
    tables = _tables(client_for(admin).post(EXPORT).content)
    assert tables["patients"] == []
    assert tables["checkins"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["patient", "clinician", "pharmacist"])
def test_no_other_role_reaches_the_export_page(
    role: str,
    patient: Patient,
    clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
) -> None:
    user = {"patient": patient.user, "clinician": clinician, "pharmacist": pharmacist}[role]
    client = client_for(user)
    before = AuditEvent.objects.count()
    assert client.get(EXPORT).status_code == 404
    assert client.post(EXPORT).status_code == 404
    denied = AuditEvent.objects.order_by("pk")[before:]
    assert [(e.action, e.outcome) for e in denied] == [("research.export", "denied")] * 2


@pytest.mark.django_db
def test_someone_signed_out_is_sent_to_sign_in() -> None:
    answer = Client().get(EXPORT)
    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_the_export_page_says_how_many_agreed(
    patient: Patient, other_patient: Patient, admin_user: User, client_for: Callable[..., Client]
) -> None:
    assert patient.user is not None
    set_research_use(Actor.of(patient.user), patient, agreed=True)
    page = client_for(admin_user).get(EXPORT).content.decode()
    assert "<strong>1</strong> patient said yes" in page
    assert "1 other (who said no, or have not answered)" in page


@pytest.mark.django_db
def test_the_api_gives_the_archive_to_an_admin_token_only(
    patient: Patient, admin_user: User, clinician: User
) -> None:
    answer = Client(headers=bearer(admin_user)).post(API)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/zip"
    assert set(_tables(answer.content)) >= {"patients", "checkins", "data_dictionary"}
    assert Client(headers=bearer(clinician)).post(API).status_code == 404
    assert patient.user is not None
    assert Client(headers=bearer(patient.user)).post(API).status_code == 404
    assert Client().post(API).status_code == 401


# --- the patient's answer ----------------------------------------------------------------------


def _consent_url(patient: Patient) -> str:
    return f"/patients/{patient.pk}/research/"


@pytest.mark.django_db
def test_a_patient_says_yes_then_no_and_each_answer_is_audited(
    patient: Patient, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(patient.user)
    page = client.get(_consent_url(patient)).content.decode()
    assert "You have not answered yet, so your data is not shared." in page
    assert client.post(_consent_url(patient), {"answer": "yes"}).status_code == 302
    assert ResearchConsent.objects.get(patient=patient).agreed
    assert client.post(_consent_url(patient), {"answer": "no"}).status_code == 302
    assert not ResearchConsent.objects.get(patient=patient).agreed
    events = AuditEvent.objects.filter(action="research.consent").order_by("pk")
    assert [(e.detail or {}).get("agreed") for e in events] == [
        {"from": False, "to": True},
        {"from": True, "to": False},
    ]
    assert "Your answer: no, since" in client.get(_consent_url(patient)).content.decode()


@pytest.mark.django_db
def test_a_missing_answer_is_refused_and_changes_nothing(
    patient: Patient, client_for: Callable[[User | None], Client]
) -> None:
    answer = client_for(patient.user).post(_consent_url(patient), {"answer": "maybe"})
    assert answer.status_code == 400
    assert "Choose yes or no" in answer.content.decode()
    assert not ResearchConsent.objects.filter(patient=patient).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["other_patient", "clinician", "pharmacist", "admin"])
def test_only_the_patient_answers_for_themself(
    who: str,
    patient: Patient,
    other_patient: Patient,
    clinician: User,
    pharmacist: User,
    admin_user: User,
    client_for: Callable[[User | None], Client],
) -> None:
    user = {
        "other_patient": other_patient.user,
        "clinician": clinician,
        "pharmacist": pharmacist,
        "admin": admin_user,
    }[who]
    client = client_for(user)
    assert client.get(_consent_url(patient)).status_code == 404
    assert client.post(_consent_url(patient), {"answer": "yes"}).status_code == 404
    assert not ResearchConsent.objects.filter(patient=patient).exists()
