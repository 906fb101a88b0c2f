"""The demo clinic is built through the actions pages use: screened and audited like real use
(issue 13, "one action path")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from apps.accounts.management import demo as accounts_demo
from apps.accounts.management.demo import load_demo
from apps.audit.models import AuditEvent
from apps.clinical.models import Medication, Prescription
from apps.nof1 import demo as nof1_demo
from apps.nof1.models import Nof1Trial
from apps.pharmacy import demo as pharmacy_demo

#: The only models the demo modules may create directly: accounts and the pharmacy's set-up,
#: which no action writes (users, the clinic, its care team, patients, pharmacies, price lists).
SET_UP_MODELS = {"User", "Clinic", "CareTeam", "Patient", "Pharmacy", "PriceEntry"}
ORM_WRITES = {"create", "bulk_create", "get_or_create", "update_or_create"}


def _events(action: str, obj: object) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=action, object_type=type(obj).__name__, object_id=str(getattr(obj, "pk", ""))
        )
    )


@pytest.mark.django_db
def test_the_demo_prescriptions_passed_the_screen_and_are_audited() -> None:
    load_demo()
    signed = list(Prescription.objects.exclude(status=Prescription.Status.DRAFT))
    assert {rx.status for rx in signed} == {"signed", "dispensed"}
    for rx in signed:
        # The screen stored at signing allowed it (no hard stop) …
        screened = rx.screening or {}
        assert screened["status"] in ("ok", "caution")
        assert rx.consent_recorded
        assert rx.pharmacy is not None
        assert rx.signed_at is not None
        # … and the signing is the action's: one accepted sign event, by the demo clinician,
        # holding the same screen status, after the create event.
        (create,) = _events("prescriptions.create", rx)
        (sign,) = _events("prescriptions.sign", rx)
        assert sign.outcome == "ok"
        assert create.outcome == "ok"
        assert sign.actor_username == create.actor_username == "clinician"
        assert (sign.detail or {})["status"] == screened["status"]
        assert (sign.detail or {})["consent_recorded"] is True
        assert create.pk < sign.pk
        assert sign.patient_id == rx.patient_id
    dispensed = Prescription.objects.get(status=Prescription.Status.DISPENSED)
    (dispense,) = _events("prescriptions.dispense", dispensed)
    assert dispense.actor_username == "pharmacist"
    assert dispense.outcome == "ok"
    assert dispensed.dispensings.count() >= 1
    # Back-dated by the demo-only step: the plan started before today, and was dispensed then.
    row = dispensed.dispensings.first()
    assert row is not None
    assert row.compounded_on == dispensed.start_date
    assert f"Do not use after {row.beyond_use_date.isoformat()}." in row.label
    assert dispensed.plan()[0].start == dispensed.start_date


@pytest.mark.django_db
def test_the_demo_records_are_each_made_by_an_action() -> None:
    load_demo()
    for med in Medication.objects.all():
        assert _events("clinical.medication.add", med), med
    trial = Nof1Trial.objects.get()
    (design,) = _events("nof1.design", trial)
    assert design.actor_username == "clinician"
    assert (design.detail or {})["screening_status"] in ("ok", "caution")
    assert AuditEvent.objects.filter(action="assessments.assign").count() == 1
    # Writes only, each naming a demo person.
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {
        "clinical.medication.add",
        "safety.rescreen",
        "assessments.assign",
        "prescriptions.create",
        "prescriptions.sign",
        "prescriptions.dispense",
        "nof1.design",
    }
    assert set(AuditEvent.objects.values_list("actor_username", flat=True)) == {
        "clinician",
        "pharmacist",
    }


def _orm_writes(path: Path) -> list[tuple[int, str, str]]:
    """``(line, model, method)`` of every ``Model.objects.<write>(...)`` call in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in ORM_WRITES:
            continue
        manager = node.func.value
        if isinstance(manager, ast.Attribute) and isinstance(manager.value, ast.Name):
            found.append((node.lineno, manager.value.id, node.func.attr))
        else:
            found.append((node.lineno, ast.unparse(manager), node.func.attr))
    return found


@pytest.mark.parametrize("module", [accounts_demo, pharmacy_demo, nof1_demo])
def test_the_demo_loader_creates_no_clinical_record_through_the_orm(module: object) -> None:
    path = Path(str(getattr(module, "__file__", "")))
    writes = _orm_writes(path)
    assert all(model in SET_UP_MODELS for _, model, _ in writes), writes
    source = path.read_text(encoding="utf-8")
    for name in ("Prescription(", "Medication(", "Assignment(", "Nof1Trial(", "Dispensing("):
        assert name not in source.replace("PrescriptionDraft(", ""), name
