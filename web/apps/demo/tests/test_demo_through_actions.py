"""The demo clinic is built through the actions pages use: screened and audited like real use
(issue 13, "one action path")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from apps.accounts.models import CareTeam, Clinic, Patient, Pharmacy, User
from apps.audit.models import AuditEvent
from apps.clinical.models import Medication, Prescription
from apps.demo import clinic as accounts_demo
from apps.demo import clinical as pharmacy_demo
from apps.demo import nof1 as nof1_demo
from apps.demo.clinic import load_demo
from apps.nof1.models import Nof1Trial
from apps.pharmacy.models import PriceEntry

#: ORM writes the demo modules may not make: every record goes through an action.
ORM_WRITES = {
    "create",
    "bulk_create",
    "get_or_create",
    "update_or_create",
    "save",
    "update",
    "delete",
    "add",
    "set",
}
#: The one function allowed to write through the ORM: moving the dispensed titration back to
#: the day the demo diary's doses start, which no action may do (docs/decisions/0006). Django's
#: auth needs nothing here: the accounts are made by apps.accounts.actions.create_account.
DEMO_ONLY_WRITERS = {"_demo_backdate"}


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
    # The set-up too: each account, the clinic, its team, patients, pharmacies and prices.
    for user in User.objects.all():
        (made,) = _events("account.create", user)
        assert made.actor_username == "system"
    for model, action in (
        (Clinic, "clinic.create"),
        (CareTeam, "care_team.create"),
        (Patient, "patient.create"),
        (Pharmacy, "pharmacy.register"),
        (PriceEntry, "pharmacy.prices.publish"),
    ):
        for row in model.objects.all():
            assert _events(action, row), (action, row)
    # Writes only, each naming a demo person or lowdose itself (the set-up).
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {
        "clinic.create",
        "account.create",
        "care_team.create",
        "pharmacy.register",
        "patient.create",
        "pharmacy.prices.publish",
        "clinical.medication.add",
        "safety.rescreen",
        "assessments.assign",
        "prescriptions.create",
        "prescriptions.sign",
        "prescriptions.dispense",
        "nof1.design",
        "research.consent",
    }
    assert set(AuditEvent.objects.values_list("actor_username", flat=True)) == {
        "system",
        "clinician",
        "pharmacist",
        "patient",  # each demo patient's yes to research use, as on their own page
        "patient2",
    }


def _orm_writes(path: Path) -> list[tuple[int, str]]:
    """``(line, call)`` of every ``<anything>.<write>(...)`` call in ``path`` outside the
    demo-only writers: ``Model.objects.create``, ``row.save()``, ``team.clinicians.add`` …"""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in DEMO_ONLY_WRITERS:
            allowed.update(id(n) for n in ast.walk(node))
    return [
        (node.lineno, ast.unparse(node.func))
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ORM_WRITES
        and id(node) not in allowed
    ]


@pytest.mark.parametrize("module", [accounts_demo, pharmacy_demo, nof1_demo])
def test_the_demo_loader_writes_nothing_through_the_orm(module: object) -> None:
    path = Path(str(getattr(module, "__file__", "")))
    assert _orm_writes(path) == []
    source = path.read_text(encoding="utf-8")
    for name in ("Prescription(", "Medication(", "Assignment(", "Nof1Trial(", "Dispensing("):
        assert name not in source.replace("PrescriptionDraft(", ""), name
    for name in ("User(", "Clinic(", "CareTeam(", "Patient(", "Pharmacy(", "PriceEntry("):
        assert name not in source, name


def test_the_orm_walker_would_catch_a_direct_write(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text(
        "def load():\n"
        "    Clinic.objects.get_or_create(name='x')\n"
        "    row.save()\n"
        "    team.clinicians.add(user)\n"
        "    PriceEntry.objects.bulk_create([])\n"
        "def _demo_backdate(rx):\n"
        "    rx.save()\n"
    )
    assert [call for _, call in _orm_writes(sneaky)] == [
        "Clinic.objects.get_or_create",
        "row.save",
        "team.clinicians.add",
        "PriceEntry.objects.bulk_create",
    ]
