"""The clinic's set-up goes through actions: typed values, an actor, one transaction, an audit
event; a refused request changes nothing."""

from __future__ import annotations

import pytest

from apps.accounts.actions import (
    NewAccount,
    add_patient,
    create_account,
    create_care_team,
    open_clinic,
    register_pharmacy,
)
from apps.accounts.models import CareTeam, Clinic, Patient, Pharmacy, Role, User
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from lowdose.errors import InputError

PASSWORD = "a-long-clinic-password"


@pytest.mark.django_db
def test_a_new_account_is_audited_without_its_password(clinic: Clinic) -> None:
    user = create_account(
        Actor.system(clinic.pk), clinic, NewAccount("dr-who", Role.CLINICIAN, PASSWORD)
    )
    assert user.check_password(PASSWORD)
    assert user.mfa_exempt is False
    event = AuditEvent.objects.get(action="account.create")
    assert event.object_id == str(user.pk)
    assert event.detail == {"username": "dr-who", "role": "clinician"}
    assert PASSWORD not in str(event.detail)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("account", "field"),
    [
        (NewAccount("clinician", Role.CLINICIAN, PASSWORD), "username"),  # taken (fixture)
        (NewAccount("  ", Role.CLINICIAN, PASSWORD), "username"),
        (NewAccount("new", "wizard", PASSWORD), "role"),
        (NewAccount("new", Role.CLINICIAN, "password"), "password"),  # too common
    ],
)
def test_a_refused_account_changes_nothing(
    clinic: Clinic, clinician: User, account: NewAccount, field: str
) -> None:
    before = User.objects.count()
    with pytest.raises(InputError) as refused:
        create_account(Actor.system(clinic.pk), clinic, account)
    assert refused.value.field == field
    assert User.objects.count() == before
    assert not AuditEvent.objects.filter(action="account.create").exists()


@pytest.mark.django_db
def test_clinic_team_patient_and_pharmacy_are_each_audited(
    clinician: User, pharmacist: User
) -> None:
    lowdose = Actor.system()
    clinic = open_clinic(lowdose, "  Hillside   Clinic ")
    assert clinic.name == "Hillside Clinic"
    team = create_care_team(lowdose, clinic, "Pain service", [clinician])
    assert list(team.clinicians.all()) == [clinician]
    patient = add_patient(lowdose, team, display_name="Jo Bloggs")
    assert (patient.clinic, patient.user) == (clinic, None)
    pharmacy = register_pharmacy(lowdose, name="Eastside Compounding", pharmacists=[pharmacist])
    assert list(pharmacy.pharmacists.all()) == [pharmacist]
    for action, row in (
        ("clinic.create", clinic),
        ("care_team.create", team),
        ("patient.create", patient),
        ("pharmacy.register", pharmacy),
    ):
        assert (
            AuditEvent.objects.filter(
                action=action, object_type=type(row).__name__, object_id=str(row.pk)
            ).count()
            == 1
        )


@pytest.mark.django_db
def test_set_up_refusals_name_the_field(
    clinic: Clinic, team: CareTeam, clinician: User, pharmacist: User, patient: Patient
) -> None:
    lowdose = Actor.system(clinic.pk)
    with pytest.raises(InputError, match="exists already"):
        open_clinic(lowdose, clinic.name)
    with pytest.raises(InputError, match="not a clinician") as refused:
        create_care_team(lowdose, clinic, "New team", [pharmacist])
    assert refused.value.field == "clinicians"
    with pytest.raises(InputError) as refused:
        add_patient(lowdose, team, display_name="Someone", user=patient.user)
    assert refused.value.field == "user"
    register_pharmacy(lowdose, name="Once")
    with pytest.raises(InputError, match="registered already"):
        register_pharmacy(lowdose, name="Once")
    assert Pharmacy.objects.filter(name="Once").count() == 1
    assert not CareTeam.objects.filter(name="New team").exists()
