"""Blinded N-of-1 trials on the web: design, kits, check-ins by kit, lock, unblind, emergency
unblinding — and proof that nobody but the pharmacy learns the allocation before unblinding."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from apps.accounts.models import ApiToken, Patient, User
from apps.audit.models import AuditEvent
from apps.checkins.models import Checkin
from apps.checkins.queries import patient_today
from apps.nof1.models import Allocation, EmergencyUnblinding, Nof1Trial
from apps.nof1.tests.factories import make_trial


@pytest.fixture
def trial(patient: Patient, clinician: User, pharmacist: User) -> Nof1Trial:
    return make_trial(patient, clinician, pharmacist.pharmacies.get())


def _fill_diary(trial: Nof1Trial, make_checkin: Callable[..., Any], *, effect: float) -> None:
    """One check-in per trial day so far: pain 6 on placebo, 6 + effect on LDN (± a wobble)."""
    plan = trial.allocation.as_plan()
    today = patient_today(trial.patient)
    day = plan.start
    while day <= min(plan.end, today):
        period = next(p for p in plan.periods if p.contains(day))
        wobble = ((day.toordinal() * 7) % 5 - 2) * 0.5  # deterministic, mean zero
        pain = round(6 + (effect if period.arm != "placebo" else 0) + wobble)
        make_checkin(
            trial.patient,
            days_ago=(today - day).days,
            pain=max(0, min(10, pain)),
            dose_status="taken",
            dose_mg=None,
            kit=period.kit,
        )
        day += timedelta(days=1)


def test_design_stores_a_blinded_schedule_and_a_separate_allocation(trial: Nof1Trial) -> None:
    assert trial.status == "designed"
    assert trial.arms == ["placebo", "4.5 mg"]
    assert len(trial.schedule) == 4
    assert all("arm" not in period for period in trial.schedule)
    assert {p["arm"] for p in Allocation.objects.get(trial=trial).plan["periods"]} == {
        "placebo",
        "4.5 mg",
    }
    assert trial.run_in_days == 5  # 4.5 mg washout 96 h → 4.0 days, onset 0, rounded up
    assert (
        "washout" in trial.run_in_derivation["explanation"].lower()
        or "falls below" in (trial.run_in_derivation["explanation"])
    )
    assert trial.operating_characteristics is not None
    assert trial.operating_characteristics["effect"] == -1.0  # one MCID less pain


def test_the_patient_checks_in_by_kit_code_without_knowing_the_dose(
    trial: Nof1Trial, patient: Patient, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(patient.user)
    page = client.get(f"/patients/{patient.pk}/checkin/").content.decode()
    today_kit = trial.kit_for(patient_today(patient))
    assert today_kit is not None
    assert f"Take one capsule from kit <strong>{today_kit['kit']}</strong>" in page
    assert 'name="dose_mg"' not in page
    client.post(
        f"/patients/{patient.pk}/checkin/",
        {
            "client_id": str(uuid.uuid4()),
            "pain": "5",
            "fatigue": "5",
            "sleep": "5",
            "mood": "5",
            "dose_status": "taken",
            "kit": today_kit["kit"],
            "dose_time": "22:00",
        },
    )
    saved = Checkin.objects.get(patient=patient)
    assert (saved.dose_status, saved.dose_mg, saved.kit) == ("taken", None, today_kit["kit"])


def test_unblinding_needs_a_locked_plan_and_then_shows_the_result(
    trial: Nof1Trial,
    clinician: User,
    client_for: Callable[[User | None], Client],
    make_checkin: Callable[..., Any],
) -> None:
    _fill_diary(trial, make_checkin, effect=-3)
    client = client_for(clinician)
    early = client.post(f"/nof1/{trial.pk}/unblind/", follow=True).content.decode()
    assert "lock the analysis plan before unblinding" in early
    client.post(f"/nof1/{trial.pk}/lock/", {"outcome": "pain", "mcid": "1"})
    trial.refresh_from_db()
    assert trial.status == "locked"
    assert len(trial.plan_fingerprint) == 64
    page = client.post(f"/nof1/{trial.pk}/unblind/", follow=True).content.decode()
    trial.refresh_from_db()
    assert trial.status == "unblinded"
    assert trial.result is not None
    effect = trial.result["effects"][0]
    assert effect["arm"] == "4.5 mg"
    assert effect["mean"] < -1.5  # a 3-point benefit was built into the diary
    assert effect["p_mcid"] > 0.9
    assert "chance LDN 4.5 mg lowers your daily pain by at least 1 point" in page
    assert AuditEvent.objects.filter(action="nof1.unblind", patient_id=trial.patient_id).exists()


def test_a_locked_plan_cannot_be_relocked_or_changed(
    trial: Nof1Trial, clinician: User, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(clinician)
    client.post(f"/nof1/{trial.pk}/lock/", {"outcome": "pain", "mcid": "1"})
    again = client.post(f"/nof1/{trial.pk}/lock/", {"outcome": "mood", "mcid": "2"}, follow=True)
    assert "already locked" in again.content.decode()
    trial.refresh_from_db()
    assert (trial.outcome, trial.mcid) == ("pain", 1.0)


def test_emergency_unblinding_reveals_one_kit_and_records_who_and_why(
    trial: Nof1Trial, clinician: User, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(clinician)
    kit = trial.schedule[0]["kit"]
    short = client.post(f"/nof1/{trial.pk}/emergency/", {"kit": kit, "reason": "surgery"})
    assert short.status_code == 302
    assert not EmergencyUnblinding.objects.exists()
    page = client.post(
        f"/nof1/{trial.pk}/emergency/",
        {"kit": kit.lower(), "reason": "emergency surgery: anaesthetist must know"},
        follow=True,
    ).content.decode()
    event = EmergencyUnblinding.objects.get()
    arm = trial.allocation.as_plan().arm_for_kit(kit)
    assert (event.kit, event.arm, event.by) == (kit, arm, clinician)
    assert f"kit {kit} is" in page
    assert AuditEvent.objects.filter(action="nof1.unblind.emergency").count() == 1


def test_the_pharmacist_of_another_pharmacy_cannot_see_the_kits(
    trial: Nof1Trial, clinic: Any, client_for: Callable[[User | None], Client]
) -> None:
    from apps.accounts.models import Pharmacy, Role

    stranger = User.objects.create(username="elsewhere", role=Role.PHARMACIST, clinic=clinic)
    Pharmacy.objects.create(name="Elsewhere").pharmacists.add(stranger)
    assert client_for(stranger).get(f"/nof1/{trial.pk}/kits/").status_code == 404


def test_the_pharmacist_sees_every_kits_content_and_records_them_prepared(
    trial: Nof1Trial, pharmacist: User, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(pharmacist)
    page = client.get(f"/nof1/{trial.pk}/kits/").content.decode()
    for period in trial.allocation.plan["periods"]:
        content = "placebo (filler only)" if period["arm"] == "placebo" else "naltrexone 4.5 mg"
        assert re.search(rf"<td>{period['kit']}</td>.*?<td>{re.escape(content)}</td>", page, re.S)
    client.post(f"/nof1/{trial.pk}/kits/prepared/")
    trial.refresh_from_db()
    assert trial.status == "running"


# --- The allocation is hidden from every role but the pharmacist, on every page and API route ----


def _routes() -> list[tuple[str, str]]:
    """Every GET-able path with the placeholders this test can fill."""
    found: list[tuple[str, str]] = []

    def walk(resolver: URLResolver, prefix: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin":
                    continue
                walk(entry, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                found.append((entry.name or "", prefix + str(entry.pattern)))

    walk(get_resolver(), "/")
    return found


def _fill(pattern: str, ids: dict[str, int]) -> str | None:
    path = pattern.replace("^", "").replace("$", "").replace("\\Z", "")
    for name, value in ids.items():
        path = re.sub(rf"<(?:int:|str:)?{name}>", str(value), path)
    path = path.replace("<str:fmt>", "svg")
    return None if "<" in path or "(" in path else path


def _normalise(body: bytes) -> str:
    text = body.decode(errors="replace")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    text = re.sub(r'"client_id" value="[^"]+"', "", text)
    return re.sub(r'name="client_id" value="[^"]+"', "", text)


@pytest.mark.parametrize("role", ["anonymous", "patient", "clinician", "admin"])
@pytest.mark.parametrize("status", ["designed", "locked"])
def test_no_page_or_api_route_depends_on_the_allocation_before_unblinding(
    role: str,
    status: str,
    trial: Nof1Trial,
    patient: Patient,
    clinician: User,
    admin_user: User,
    make_checkin: Callable[..., Any],
) -> None:
    """Swap the arms of every period in the stored allocation: no response may change."""
    _fill_diary(trial, make_checkin, effect=-2)
    Nof1Trial.objects.filter(pk=trial.pk).update(status=status)
    user = {
        "anonymous": None,
        "patient": patient.user,
        "clinician": clinician,
        "admin": admin_user,
    }[role]
    ids = {"patient_id": patient.pk, "trial_id": trial.pk}
    # The audit log (page and API) lists the very requests this test makes, so it differs by
    # construction; it shows actions and ids, never arms.
    paths = [
        p
        for _, pattern in _routes()
        if (p := _fill(pattern, ids)) and p not in ("/audit/", "/api/v1/audit")
    ]
    assert {f"/nof1/{trial.pk}/", f"/api/v1/patients/{patient.pk}/nof1"} <= set(paths)
    headers = {}
    if user is not None:
        raw, digest = ApiToken.new_token()
        ApiToken.objects.create(
            user=user, key_hash=digest, expires_at=timezone.now() + timedelta(days=1)
        )
        headers["Authorization"] = f"Bearer {raw}"

    def snapshot() -> dict[str, tuple[int, str]]:
        client = Client(headers=headers)
        if user is not None:
            client.force_login(user)
        return {
            path: (response.status_code, _normalise(response.content))
            for path in paths
            for response in [client.get(path)]
        }

    before = snapshot()
    allocation = Allocation.objects.get(trial=trial)
    swapped = dict(allocation.plan)
    swapped["periods"] = [
        {**p, "arm": "4.5 mg" if p["arm"] == "placebo" else "placebo"} for p in swapped["periods"]
    ]
    Allocation.objects.filter(pk=allocation.pk).update(plan=swapped)
    after = snapshot()
    changed = sorted(path for path in paths if before[path] != after[path])
    assert changed == []
    assert any(code == 200 for code, _ in before.values())


def test_the_swap_is_visible_where_the_allocation_is_meant_to_be_seen(
    trial: Nof1Trial, pharmacist: User, client_for: Callable[[User | None], Client]
) -> None:
    """Control for the test above: the pharmacist's kit list does change when the arms swap."""
    client = client_for(pharmacist)
    before = client.get(f"/nof1/{trial.pk}/kits/").content
    allocation = Allocation.objects.get(trial=trial)
    swapped = dict(allocation.plan)
    swapped["periods"] = [
        {**p, "arm": "4.5 mg" if p["arm"] == "placebo" else "placebo"} for p in swapped["periods"]
    ]
    Allocation.objects.filter(pk=allocation.pk).update(plan=swapped)
    assert _normalise(client.get(f"/nof1/{trial.pk}/kits/").content) != _normalise(before)


def _design_form(pharmacy_id: int) -> dict[str, str]:
    return {
        "arms": "4.5",
        "cycles": "2",
        "period_days": "10",
        "onset_days": "0",
        "start": (timezone.now().date() + timedelta(days=7)).isoformat(),
        "pharmacy": str(pharmacy_id),
        "outcome": "pain",
        "mcid": "1",
    }


def test_an_opioid_on_the_medication_list_stops_the_design_like_a_prescription(
    patient: Patient,
    clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
) -> None:
    from apps.clinical.models import Medication

    Medication.objects.create(patient=patient, name="Tramadol 50 mg", added_by=clinician)
    client = client_for(clinician)
    page = client.get(f"/patients/{patient.pk}/nof1/new/").content.decode()
    assert "Safety screen: contraindicated" in page
    response = client.post(
        f"/patients/{patient.pk}/nof1/new/", _design_form(pharmacist.pharmacies.get().pk)
    )
    assert response.status_code == 400
    assert "naltrexone cannot be prescribed" in response.content.decode()
    assert not Nof1Trial.objects.exists()
    assert not Allocation.objects.exists()
    denied = AuditEvent.objects.get(action="nof1.design", outcome="denied")
    assert denied.patient_id == patient.pk


def test_a_caution_needs_a_reason_and_the_reason_is_audited(
    patient: Patient,
    clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
) -> None:
    from apps.clinical.models import Condition

    Condition.objects.create(patient=patient, name="cirrhosis", added_by=clinician)
    client = client_for(clinician)
    form = _design_form(pharmacist.pharmacies.get().pk)
    refused = client.post(f"/patients/{patient.pk}/nof1/new/", form)
    assert refused.status_code == 400
    assert "record why prescribing is appropriate" in refused.content.decode()
    assert not Nof1Trial.objects.exists()
    reason = "Child-Pugh A, LFTs stable; hepatology agrees to a 4.5 mg trial"
    client.post(f"/patients/{patient.pk}/nof1/new/", {**form, "caution_reason": reason})
    assert Nof1Trial.objects.count() == 1
    event = AuditEvent.objects.get(action="nof1.design", outcome="ok")
    assert event.detail == {"screening_status": "caution", "caution_reason": reason}
