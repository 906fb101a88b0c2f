"""The safety rules at signing: a contraindication is a hard stop (page and action), a caution
needs a typed reason that lands in the audit log, consent and a pharmacy are required, and what
the pharmacy cannot make is refused when the draft is written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client, RequestFactory

from apps.accounts.models import Patient, Pharmacy, User
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from apps.clinical.actions import sign_prescription
from apps.clinical.models import Condition, Medication, Prescription
from apps.clinical.queries import patient_today
from apps.clinical.tests.factories import make_prescription
from lowdose.safety import ContraindicationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def pharmacy(pharmacist: User) -> Pharmacy:
    return pharmacist.pharmacies.get()


@pytest.fixture
def draft(patient: Patient, clinician: User) -> Prescription:
    return make_prescription(patient, clinician, status="draft")


def _sign(client: Client, rx: Prescription, pharmacy: Pharmacy, **extra: str) -> object:
    body = {"consent": "yes", "pharmacy": str(pharmacy.pk), **extra}
    return client.post(f"/patients/{rx.patient_id}/prescriptions/{rx.pk}/sign/", body)


def _medication(
    patient: Patient, clinician: User, name: str, stopped_days_ago: int | None = None
) -> None:
    stopped = None
    if stopped_days_ago is not None:
        stopped = patient_today(patient) - timedelta(days=stopped_days_ago)
    Medication.objects.create(
        patient=patient,
        name=name,
        status="current" if stopped is None else "stopped",
        last_dose=stopped,
        added_by=clinician,
    )


def test_a_current_opioid_blocks_signing_on_the_page(
    client_for: Callable[[User | None], Client],
    clinician: User,
    patient: Patient,
    draft: Prescription,
    pharmacy: Pharmacy,
) -> None:
    _medication(patient, clinician, "Percoset 5/325")  # misspelt brand: still oxycodone
    client = client_for(clinician)

    page = client.get(f"/patients/{patient.pk}/prescriptions/{draft.pk}/")
    assert b"Signing is blocked" in page.content
    response = client.post(
        f"/patients/{patient.pk}/prescriptions/{draft.pk}/sign/",
        {"consent": "yes", "pharmacy": pharmacy.pk, "caution_reason": "I accept the risk"},
        follow=True,
    )

    assert response.redirect_chain[-1][1] == 302
    assert b"Not signed. Naltrexone cannot be prescribed" in response.content
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert draft.signed_at is None
    assert draft.pharmacy is None
    event = AuditEvent.objects.filter(action="prescriptions.sign", detail__isnull=False).get()
    assert event.outcome == "denied"
    assert (event.detail or {})["screening"]["status"] == "contraindicated"
    assert "oxycodone" in str((event.detail or {})["screening"]["findings"])


def test_the_action_refuses_even_when_called_directly(
    clinician: User, patient: Patient, draft: Prescription, pharmacy: Pharmacy
) -> None:
    """No template, no form: the action itself re-screens what is stored now."""
    _medication(patient, clinician, "methadone")
    with pytest.raises(ContraindicationError):
        sign_prescription(
            Actor.of(clinician),
            draft,
            pharmacy_id=pharmacy.pk,
            consent=True,
            caution_reason="override",
        )
    draft.refresh_from_db()
    assert draft.status == "draft"


@pytest.mark.parametrize(
    ("name", "days_ago", "signs"),
    [
        ("oxycodone", 6, False),  # inside the 7-day minimum
        ("oxycodone", 10, True),  # interval complete
        ("methadone", 13, False),  # 14 days after methadone
        ("methadone", 14, True),
        ("Suboxone", 13, False),  # buprenorphine combination brand
    ],
)
def test_a_stopped_opioid_blocks_until_the_opioid_free_interval_is_complete(
    client_for: Callable[[User | None], Client],
    clinician: User,
    patient: Patient,
    draft: Prescription,
    pharmacy: Pharmacy,
    name: str,
    days_ago: int,
    signs: bool,
) -> None:
    _medication(patient, clinician, name, stopped_days_ago=days_ago)
    response = _sign(client_for(clinician), draft, pharmacy)
    draft.refresh_from_db()
    assert (draft.status == "signed") is signs
    assert response.status_code == 302  # type: ignore[attr-defined]


def test_recording_the_stop_on_the_screening_page_unblocks_signing(
    client_for: Callable[[User | None], Client],
    clinician: User,
    patient: Patient,
    draft: Prescription,
    pharmacy: Pharmacy,
) -> None:
    client = client_for(clinician)
    url = f"/patients/{patient.pk}/screening/"
    client.post(url, {"op": "add_medication", "name": "Tramadol 50 mg"})
    assert b"contraindicated" in client.get(url).content
    _sign(client, draft, pharmacy)
    draft.refresh_from_db()
    assert draft.status == "draft"

    med = Medication.objects.get(patient=patient)
    last_dose = patient_today(patient) - timedelta(days=10)
    client.post(
        url, {"op": "stop_medication", "medication": med.pk, "last_dose": last_dose.isoformat()}
    )

    assert _sign(client, draft, pharmacy).status_code == 302  # type: ignore[attr-defined]
    draft.refresh_from_db()
    assert draft.status == "signed"
    assert draft.pharmacy == pharmacy
    assert draft.consent_recorded


def test_a_caution_needs_a_typed_reason_which_is_audited(
    client_for: Callable[[User | None], Client],
    clinician: User,
    patient: Patient,
    draft: Prescription,
    pharmacy: Pharmacy,
) -> None:
    Condition.objects.create(patient=patient, name="pregnancy", added_by=clinician)
    client = client_for(clinician)

    blank = _sign(client, draft, pharmacy, caution_reason="   ")
    assert blank.status_code == 400  # type: ignore[attr-defined]
    assert b"record why prescribing is appropriate" in blank.content  # type: ignore[attr-defined]
    draft.refresh_from_db()
    assert draft.status == "draft"

    reason = "Discussed with obstetrics; benefit outweighs the animal-data risk."
    assert _sign(client, draft, pharmacy, caution_reason=reason).status_code == 302  # type: ignore[attr-defined]
    draft.refresh_from_db()
    assert draft.caution_reason == reason
    assert draft.caution_codes == ["pregnancy"]
    event = AuditEvent.objects.filter(action="prescriptions.sign", detail__isnull=False).get()
    assert (event.detail or {})["caution_reason"] == reason
    assert (event.detail or {})["status"] == "caution"
    assert event.patient_id == patient.pk
    assert event.actor_username == "clinician"


def test_signing_needs_consent_and_a_pharmacy(
    client_for: Callable[[User | None], Client],
    clinician: User,
    draft: Prescription,
    pharmacy: Pharmacy,
) -> None:
    client = client_for(clinician)
    no_consent = _sign(client, draft, pharmacy, consent="")
    assert no_consent.status_code == 400  # type: ignore[attr-defined]
    assert b"consent" in no_consent.content  # type: ignore[attr-defined]
    url = f"/patients/{draft.patient_id}/prescriptions/{draft.pk}/sign/"
    assert client.post(url, {"consent": "yes"}).status_code == 400
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_signed_prescription_cannot_be_signed_again(
    client_for: Callable[[User | None], Client],
    clinician: User,
    patient: Patient,
    pharmacy: Pharmacy,
) -> None:
    rx = make_prescription(patient, clinician, pharmacy=pharmacy)
    assert _sign(client_for(clinician), rx, pharmacy).status_code == 400  # type: ignore[attr-defined]


def test_the_draft_refuses_a_dose_the_syringe_cannot_measure(
    client_for: Callable[[User | None], Client], clinician: User, patient: Patient
) -> None:
    response = client_for(clinician).post(
        f"/patients/{patient.pk}/prescriptions/new/",
        {
            "protocol": "ldnrt-standard",
            "start": patient_today(patient).isoformat(),
            "dose_time": "bedtime",
            "form": "liquid",
            "concentration": "2",  # 1.5 mg = 0.75 mL: not a 0.1 mL mark
            "supply_days": "85",
        },
    )
    assert response.status_code == 400
    assert b"0.75" in response.content
    assert not Prescription.objects.exists()


def test_the_draft_stores_exact_dated_steps(
    client_for: Callable[[User | None], Client], clinician: User, patient: Patient
) -> None:
    start = patient_today(patient) + timedelta(days=1)
    response = client_for(clinician).post(
        f"/patients/{patient.pk}/prescriptions/new/",
        {
            "protocol": "ldnrt-standard",
            "start": start.isoformat(),
            "dose_time": "morning",
            "form": "capsule",
            "supply_days": "85",
        },
    )
    assert response.status_code == 302
    rx = Prescription.objects.get()
    plan = rx.plan()
    assert [str(s.dose_mg) for s in plan] == ["1.5", "2", "2.5", "3", "3.5", "4", "4.5"]
    assert plan[0].start == start
    assert plan[-1].end == start + timedelta(days=84)
    assert {s.time.value for s in plan} == {"morning"}


def test_the_audit_detail_column_kept_the_append_only_trigger(clinician: User) -> None:
    """Adding ``AuditEvent.detail`` (nullable) must not have rebuilt the table without its
    trigger: a raw UPDATE is still refused by the database."""
    from django.db import DatabaseError, connection, transaction

    request = RequestFactory().get("/")
    request.user = clinician
    from apps.audit.log import record

    event = record(request, "test.event", detail={"reason": "x"})
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'edited' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).detail == {"reason": "x"}


def test_a_custom_plan_is_built_by_the_core_and_priced_on_its_open_step(
    client_for: Callable[[User | None], Client], clinician: User, patient: Patient
) -> None:
    client = client_for(clinician)
    url = f"/patients/{patient.pk}/prescriptions/new/"
    body = {
        "protocol": "custom",
        "custom_steps": "1:7, 2:7, 3:open",
        "start": patient_today(patient).isoformat(),
        "dose_time": "bedtime",
        "form": "capsule",
        "supply_days": "28",
    }
    assert client.post(url, body).status_code == 302
    rx = Prescription.objects.get()
    assert [(str(s.dose_mg), s.days) for s in rx.plan()] == [("1", 7), ("2", 7), ("3", 14)]
    ongoing = rx.ongoing_plan()
    assert ongoing[-1].end is None
    assert ongoing[-1].dose_mg == 3

    too_high = client.post(url, body | {"custom_steps": "1.5:7, 9:open"})
    assert too_high.status_code == 400
    assert b"above the configured maximum" in too_high.content
    malformed = client.post(url, body | {"custom_steps": "1.5 for a week"})
    assert malformed.status_code == 400
    assert b"is not MG:DAYS" in malformed.content
    assert Prescription.objects.count() == 1


def _new(client: Client, patient: Patient, **values: str) -> object:
    body = {
        "protocol": "ldnrt-standard",
        "start": patient_today(patient).isoformat(),
        "dose_time": "bedtime",
        "form": "capsule",
        "supply_days": "",
    }
    return client.post(f"/patients/{patient.pk}/prescriptions/new/", body | values)


def test_a_supply_that_stops_below_the_target_is_refused_with_the_days_it_needs(
    client_for: Callable[[User | None], Client], clinician: User, patient: Patient
) -> None:
    response = _new(client_for(clinician), patient, supply_days="84")

    assert response.status_code == 400  # type: ignore[attr-defined]
    page = response.content.decode()  # type: ignore[attr-defined]
    assert "(day 84) at 4 mg; the plan reaches its 4.5 mg target" in page
    assert "Choose a supply of at least 85 days" in page
    assert not Prescription.objects.exists()


def test_a_blank_supply_covers_the_titration_and_four_weeks_at_the_target(
    client_for: Callable[[User | None], Client], clinician: User, patient: Patient
) -> None:
    assert _new(client_for(clinician), patient).status_code == 302  # type: ignore[attr-defined]

    rx = Prescription.objects.get()
    assert rx.supply_days == 84 + 28
    assert rx.plan()[-1].dose_mg == Decimal("4.5")
    assert rx.plan()[-1].days == 28


def test_a_prescription_starting_in_2035_is_refused(
    client_for: Callable[[User | None], Client], clinician: User, patient: Patient
) -> None:
    response = _new(client_for(clinician), patient, start="2035-01-01")

    assert response.status_code == 400  # type: ignore[attr-defined]
    assert b"is more than 90 days ahead; choose a date up to" in response.content  # type: ignore[attr-defined]
    assert not Prescription.objects.exists()
