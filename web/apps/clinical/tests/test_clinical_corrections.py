"""Corrections everywhere a person can make a mistake (issue 12, item 2): a condition, a planned
surgery date and the answers a clinician entered for the patient are corrected with a reason;
the old value is kept and shown in a history, the change is audited with before, after and
reason, and the safety screen re-runs. Without a reason nothing changes and nothing is logged."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from conftest import bearer
from django.test import Client

from apps.accounts.models import Patient, Pharmacy, User
from apps.accounts.tests.crawler import _read, problems_in
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from apps.clinical.actions import add_condition, complete_assessment, remove_condition, set_surgery
from apps.clinical.models import AssessmentResult, Condition, PlannedSurgery, Prescription
from apps.clinical.queries import patient_today
from apps.clinical.screening import screen_patient
from apps.clinical.tests.factories import make_prescription

pytestmark = pytest.mark.django_db

Clients = Callable[[User | None], Client]


def _visible(response: Any) -> str:
    """The words a person sees or hears on the page."""
    return " ".join(html.unescape(" ".join(_read(response.content.decode()).parts)).split())


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


@pytest.fixture
def pharmacy(pharmacist: User) -> Pharmacy:
    return pharmacist.pharmacies.get()


@pytest.fixture
def draft(patient: Patient, clinician: User) -> Prescription:
    return make_prescription(patient, clinician, status="draft")


def _sign_api(clinician: User, rx: Prescription, pharmacy: Pharmacy) -> Any:
    return Client().post(
        f"/api/v1/patients/{rx.patient_id}/prescriptions/{rx.pk}/sign",
        {"pharmacy_id": pharmacy.pk, "consent": True},
        content_type="application/json",
        headers=bearer(clinician),
    )


# --- conditions ----------------------------------------------------------------------------------


def _screening(client: Client, patient: Patient, **body: Any) -> Any:
    return client.post(f"/patients/{patient.pk}/screening/", body)


def test_removing_a_condition_without_a_reason_changes_nothing_and_logs_nothing(
    client_for: Clients, clinician: User, patient: Patient
) -> None:
    add_condition(Actor.of(clinician), patient, "liver-failure")
    row = Condition.objects.get(patient=patient)

    response = _screening(
        client_for(clinician), patient, op="remove_condition", condition=row.pk, reason="  "
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert f'aria-describedby="error-condition-{row.pk}"' in page
    assert "Why: say why the condition is removed" in _visible(response)
    row.refresh_from_db()
    assert row.removed_at is None
    assert _events("clinical.condition.remove") == []
    assert screen_patient(patient).status == "contraindicated"


def test_a_removed_condition_is_kept_with_its_reason_audited_and_no_longer_screened(
    client_for: Clients, clinician: User, patient: Patient, draft: Prescription, pharmacy: Pharmacy
) -> None:
    add_condition(Actor.of(clinician), patient, "liver-failure")
    assert _sign_api(clinician, draft, pharmacy).status_code == 409  # the hard stop
    row = Condition.objects.get(patient=patient)
    client = client_for(clinician)

    response = _screening(
        client,
        patient,
        op="remove_condition",
        condition=row.pk,
        reason="Entered for another patient",
    )

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.removed_at is not None
    assert row.removed_by == clinician
    assert row.removal_reason == "Entered for another patient"
    (event,) = _events("clinical.condition.remove")
    assert event.actor_username == clinician.username
    assert event.patient_id == patient.pk
    assert event.detail == {
        "before": {"condition": "liver-failure", "recorded": True},
        "after": {"condition": "liver-failure", "recorded": False},
        "reason": "Entered for another patient",
    }
    rescreen = AuditEvent.objects.filter(action="safety.rescreen").latest("pk")
    assert rescreen.detail == {"status": "ok", "because": "condition removed: liver failure"}
    assert screen_patient(patient).status == "ok"
    # the history on the page names the condition and the reason, in words
    page = client.get(f"/patients/{patient.pk}/screening/")
    history = _visible(page)
    assert "Removed conditions" in history
    assert "Liver failure: recorded" in history
    assert "Why: Entered for another patient" in history
    assert problems_in(history) == []
    # and the screen that blocked signing now lets it through
    assert _sign_api(clinician, draft, pharmacy).status_code == 200


def test_a_removed_condition_can_be_recorded_again_as_a_new_row(
    clinician: User, patient: Patient
) -> None:
    add_condition(Actor.of(clinician), patient, "pregnancy")
    first = Condition.objects.get(patient=patient)

    remove_condition(Actor.of(clinician), patient, first.pk, reason="Entered in error")
    result = add_condition(Actor.of(clinician), patient, "pregnancy")

    assert result.status == "caution"
    assert Condition.objects.filter(patient=patient).count() == 2
    assert list(Condition.objects.listed().filter(patient=patient)) != [first]
    again = add_condition(Actor.of(clinician), patient, "pregnancy")  # recorded once
    assert again.status == "caution"
    assert Condition.objects.listed().filter(patient=patient).count() == 1


def test_another_patients_condition_is_not_found_and_patients_cannot_remove_one(
    client_for: Clients,
    clinician: User,
    other_clinician: User,
    patient: Patient,
    other_patient: Patient,
) -> None:
    add_condition(Actor.of(other_clinician), other_patient, "liver-failure")
    theirs = Condition.objects.get(patient=other_patient)
    add_condition(Actor.of(clinician), patient, "liver-failure")
    mine = Condition.objects.get(patient=patient)

    # another patient's record: 404
    assert (
        _screening(
            client_for(clinician),
            other_patient,
            op="remove_condition",
            condition=theirs.pk,
            reason="x",
        ).status_code
        == 404
    )
    # another patient's condition id under my patient: refused, nothing changed
    response = _screening(
        client_for(clinician), patient, op="remove_condition", condition=theirs.pk, reason="x"
    )
    assert response.status_code == 400
    assert "That condition is not recorded for this patient." in _visible(response)
    # the patient role cannot reach the screening page at all
    assert patient.user is not None
    assert (
        _screening(
            client_for(patient.user),
            patient,
            op="remove_condition",
            condition=mine.pk,
            reason="not mine",
        ).status_code
        == 404
    )
    assert Condition.objects.filter(removed_at__isnull=False).count() == 0


# --- planned surgery -----------------------------------------------------------------------------


def test_recording_the_first_surgery_date_needs_no_reason(
    client_for: Clients, clinician: User, patient: Patient
) -> None:
    on = patient_today(patient) + timedelta(days=20)

    response = _screening(
        client_for(clinician), patient, op="surgery", surgery_on=on.isoformat(), description="Knee"
    )

    assert response.status_code == 302
    assert PlannedSurgery.objects.get(patient=patient).on == on
    (event,) = _events("clinical.surgery.set")
    assert event.detail == {
        "before": None,
        "after": {"on": on.isoformat(), "description": "Knee"},
        "reason": "",
    }
    assert screen_patient(patient).status == "caution"


def test_changing_a_surgery_date_without_a_reason_changes_nothing(
    client_for: Clients, clinician: User, patient: Patient
) -> None:
    on = patient_today(patient) + timedelta(days=20)
    set_surgery(Actor.of(clinician), patient, on, "Knee")
    later = on + timedelta(days=30)

    response = _screening(
        client_for(clinician), patient, op="surgery", surgery_on=later.isoformat(), reason=""
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="surgery-reason"' in page
    assert 'aria-invalid="true" aria-describedby="error-surgery"' in page
    assert later.isoformat() in page  # what was typed is kept
    assert list(PlannedSurgery.objects.values_list("on", "replaced_at")) == [(on, None)]
    assert _events("clinical.surgery.correct") == []
    cleared = _screening(client_for(clinician), patient, op="clear_surgery", reason=" ")
    assert cleared.status_code == 400
    assert PlannedSurgery.objects.planned().get().on == on


def test_a_changed_surgery_date_is_kept_in_a_history_audited_and_rescreened(
    client_for: Clients, clinician: User, patient: Patient
) -> None:
    soon = patient_today(patient) + timedelta(days=2)  # inside the stop window
    set_surgery(Actor.of(clinician), patient, soon, "Knee")
    before = screen_patient(patient)
    later = patient_today(patient) + timedelta(days=40)
    client = client_for(clinician)

    response = _screening(
        client,
        patient,
        op="surgery",
        surgery_on=later.isoformat(),
        description="Knee",
        reason="Hospital moved the operation",
    )

    assert response.status_code == 302
    old = PlannedSurgery.objects.get(on=soon)
    assert old.replaced_by == clinician
    assert old.reason == "Hospital moved the operation"
    assert PlannedSurgery.objects.planned().get().on == later
    (event,) = _events("clinical.surgery.correct")
    assert event.patient_id == patient.pk
    assert event.detail == {
        "before": {"on": soon.isoformat(), "description": "Knee"},
        "after": {"on": later.isoformat(), "description": "Knee"},
        "reason": "Hospital moved the operation",
    }
    assert AuditEvent.objects.filter(action="safety.rescreen").latest("pk").detail == {
        "status": "caution",
        "because": "planned surgery date changed",
    }
    (finding_before,) = [f for f in before.findings if f.code == "planned-surgery"]
    (finding_after,) = [f for f in screen_patient(patient).findings if f.code == "planned-surgery"]
    assert "inside the" in finding_before.message
    assert finding_after.matched == "surgery in 40 day(s)"
    page = _visible(client.get(f"/patients/{patient.pk}/screening/"))
    assert "Earlier surgery dates" in page
    assert "Why: Hospital moved the operation" in page
    assert problems_in(page) == []

    # clearing it is a correction too; the screen no longer finds a surgery
    cleared = _screening(client, patient, op="clear_surgery", reason="Operation cancelled")
    assert cleared.status_code == 302
    assert not PlannedSurgery.objects.planned().exists()
    assert PlannedSurgery.objects.count() == 2
    assert _events("clinical.surgery.correct")[-1].detail == {
        "before": {"on": later.isoformat(), "description": "Knee"},
        "after": None,
        "reason": "Operation cancelled",
    }
    assert not [f for f in screen_patient(patient).findings if f.code == "planned-surgery"]


# --- assessments entered on the patient's behalf -------------------------------------------------


def _entered(user: User, patient: Patient, instrument: str, answers: dict[str, Any]) -> Any:
    row, _ = complete_assessment(Actor.of(user), patient, instrument, answers)
    return row


def _result_url(row: AssessmentResult) -> str:
    return f"/patients/{row.patient_id}/assessment-results/{row.pk}/"


def test_a_correction_without_a_reason_or_with_missing_answers_names_them_all_and_changes_nothing(
    client_for: Clients, clinician: User, patient: Patient
) -> None:
    row = _entered(clinician, patient, "phq2", {"item1": 1, "item2": 0})

    response = client_for(clinician).post(_result_url(row), {"item1": "3"})

    assert response.status_code == 400
    text = _visible(response)
    assert "Fix these 2 things" in text
    assert "this question is not answered" in text  # item 2, by its wording
    assert "Why is this being corrected?" in text
    page = response.content.decode()
    assert 'aria-describedby="error-item2"' in page
    assert 'aria-describedby="error-reason"' in page
    assert problems_in(text) == []
    row.refresh_from_db()
    assert row.result["answers"] == {"item1": 1, "item2": 0}
    assert row.history == []
    assert _events("assessments.correct") == []


def test_a_clinician_corrects_answers_they_entered_rescored_kept_shown_and_audited(
    client_for: Clients, clinician: User, patient: Patient
) -> None:
    row = _entered(clinician, patient, "phq2", {"item1": 1, "item2": 0})
    client = client_for(clinician)

    response = client.post(
        _result_url(row), {"item1": "3", "item2": "2", "reason": "Answers swapped at the visit"}
    )

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.total == "5"
    assert row.band == "positive"
    assert row.result["answers"] == {"item1": 3, "item2": 2}
    (earlier,) = row.history
    assert earlier["answers"] == {"item1": 1, "item2": 0}
    assert earlier["total"] == "1"
    assert earlier["replaced_by"] == clinician.username
    assert earlier["reason"] == "Answers swapped at the visit"
    (event,) = _events("assessments.correct")
    assert event.patient_id == patient.pk
    assert event.detail is not None
    assert event.detail["before"]["total"] == "1"
    assert event.detail["after"]["total"] == "5"
    assert event.detail["reason"] == "Answers swapped at the visit"
    assert AuditEvent.objects.filter(action="safety.rescreen").latest("pk").detail == {
        "status": "ok",
        "because": "assessment corrected: Patient Health Questionnaire-2 (PHQ-2)",
    }
    # the result page shows the corrected score and the history, in words
    page = client.get(_result_url(row))
    text = _visible(page)
    assert "History of corrections" in text
    assert "score 1 (negative)" in text
    assert "Why: Answers swapped at the visit" in text
    assert "Several days" in text  # the earlier answer to item 1, as its option reads
    assert problems_in(text) == []
    # the patient sees the result and its history, but no correction form
    assert patient.user is not None
    own = client_for(patient.user).get(_result_url(row))
    assert own.status_code == 200
    assert "History of corrections" in _visible(own)
    assert 'name="reason"' not in own.content.decode()


def test_the_patients_own_answers_are_not_corrected_by_a_clinician(
    client_for: Clients, clinician: User, patient: Patient
) -> None:
    assert patient.user is not None
    row = _entered(patient.user, patient, "phq2", {"item1": 1, "item2": 0})

    page = client_for(clinician).get(_result_url(row))
    assert 'name="reason"' not in page.content.decode()
    assert "The patient gave these answers themselves" in _visible(page)
    response = client_for(clinician).post(
        _result_url(row), {"item1": "0", "item2": "0", "reason": "Looks wrong"}
    )
    api = Client().patch(
        f"/api/v1/patients/{patient.pk}/assessments/{row.pk}",
        {"answers": {"item1": 0, "item2": 0}, "reason": "Looks wrong"},
        content_type="application/json",
        headers=bearer(clinician),
    )

    assert response.status_code == 400
    assert "(PHQ-2) themselves, so their answers are not corrected" in _visible(response)
    assert api.status_code == 400
    assert api.json()["field"] == "result"
    row.refresh_from_db()
    assert row.result["answers"] == {"item1": 1, "item2": 0}
    assert row.history == []
    assert _events("assessments.correct") == []


def test_patients_and_other_care_teams_cannot_correct_and_another_patients_result_is_404(
    client_for: Clients,
    clinician: User,
    other_clinician: User,
    patient: Patient,
    other_patient: Patient,
) -> None:
    row = _entered(clinician, patient, "phq2", {"item1": 1, "item2": 0})
    body = {"item1": "0", "item2": "0", "reason": "mistyped"}
    assert patient.user is not None

    assert client_for(patient.user).post(_result_url(row), body).status_code == 404
    assert client_for(other_clinician).post(_result_url(row), body).status_code == 404
    assert client_for(other_clinician).get(_result_url(row)).status_code == 404
    # a result of one patient named under another
    under_other = f"/patients/{other_patient.pk}/assessment-results/{row.pk}/"
    assert client_for(other_clinician).post(under_other, body).status_code == 404
    api = Client().patch(
        f"/api/v1/patients/{patient.pk}/assessments/{row.pk}",
        {"answers": {"item1": 0, "item2": 0}, "reason": "mistyped"},
        content_type="application/json",
        headers=bearer(patient.user),
    )
    assert api.status_code == 404
    row.refresh_from_db()
    assert row.history == []


def test_the_physician_acr_form_is_corrected_through_the_api(
    clinician: User, patient: Patient
) -> None:
    answers: dict[str, Any] = {
        "fatigue": 2,
        "waking_unrefreshed": 2,
        "cognitive": 1,
        "somatic": 1,
        "duration_months": 6,
        **dict.fromkeys(("neck", "upper_back", "lower_back", "chest"), 1),
    }
    row = _entered(clinician, patient, "acr2010", answers)
    url = f"/api/v1/patients/{patient.pk}/assessments/{row.pk}"

    refused = Client().patch(
        url,
        {"answers": {**answers, "jaw_left": 1}, "reason": ""},
        content_type="application/json",
        headers=bearer(clinician),
    )
    assert refused.status_code == 400
    assert refused.json()["field"] == "reason"

    fixed = Client().patch(
        url,
        {"answers": {**answers, "jaw_left": 1}, "reason": "Left jaw tenderness missed"},
        content_type="application/json",
        headers=bearer(clinician),
    )

    assert fixed.status_code == 200, fixed.content
    assert fixed.json()["corrections"] == 1
    row.refresh_from_db()
    assert row.result["answers"]["jaw_left"] == 1
    assert row.history[0]["answers"]["jaw_left"] == 0
    assert row.history[0]["reason"] == "Left jaw tenderness missed"
