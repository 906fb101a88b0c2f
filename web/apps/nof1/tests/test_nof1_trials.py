"""Blinded N-of-1 trials on the web: design, kits, check-ins by kit, lock, unblind, emergency
unblinding — and proof that nobody but the pharmacy learns the allocation before unblinding."""

from __future__ import annotations

import io
import itertools
import re
import uuid
import zipfile
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from apps.accounts.models import ApiToken, Patient, User
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from apps.checkins.models import Checkin
from apps.checkins.queries import patient_today
from apps.nof1.actions import lock_plan
from apps.nof1.assistant import compute_figures
from apps.nof1.models import Allocation, DesignSimulation, EmergencyUnblinding, Nof1Trial
from apps.nof1.states import state_of
from apps.nof1.tests.factories import advance, create_trial, make_trial, trial_spec
from lowdose.outcomes.trial_states import TrialState


@pytest.fixture
def trial(patient: Patient, clinician: User, pharmacist: User) -> Nof1Trial:
    """Designed with a start 22 days ago, kits not yet prepared (tests take it on with
    :func:`advance`)."""
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
    assert state_of(trial) is TrialState.DESIGNED
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
    assert trial.operating_characteristics is None  # simulated later, by a job (see assistant)
    assert trial.design_assumptions is not None
    assert trial.design_assumptions["effect"] == -1.0  # one MCID less pain


def test_the_patient_checks_in_by_kit_code_without_knowing_the_dose(
    trial: Nof1Trial,
    patient: Patient,
    clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
) -> None:
    client = client_for(patient.user)
    advance(trial, TrialState.KITS_PREPARED, clinician=clinician, pharmacist=pharmacist)
    waiting = client.get(f"/patients/{patient.pk}/checkin/").content.decode()
    assert "from kit" not in waiting  # kits ready, plan not locked: not started yet
    lock_plan(Actor.of(clinician), trial, trial.analysis_plan())
    assert state_of(trial) is TrialState.RUNNING
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


def test_unblinding_waits_for_the_end_of_the_trial_and_then_shows_the_result(
    patient: Patient,
    clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
    make_checkin: Callable[..., Any],
) -> None:
    trial = make_trial(patient, clinician, pharmacist.pharmacies.get(), days_ago=45)
    _fill_diary(trial, make_checkin, effect=-3)
    client = client_for(clinician)
    early = client.post(f"/nof1/{trial.pk}/unblind/", follow=True).content.decode()
    assert "The trial has not started. The pharmacy prepares the kits" in early
    refused = client.post(f"/nof1/{trial.pk}/lock/", {"outcome": "pain", "mcid": "1"}, follow=True)
    assert "The pharmacy has not prepared the kits yet." in refused.content.decode()
    client_for(pharmacist).post(f"/nof1/{trial.pk}/kits/prepared/")
    client.post(f"/nof1/{trial.pk}/lock/", {"outcome": "pain", "mcid": "1"})
    trial.refresh_from_db()
    assert state_of(trial) is TrialState.FINISHED  # its last day was 6 days ago
    assert len(trial.plan_fingerprint) == 64
    page = client.post(f"/nof1/{trial.pk}/unblind/", follow=True).content.decode()
    trial.refresh_from_db()
    assert state_of(trial) is TrialState.UNBLINDED
    assert trial.result is not None
    assert trial.result["caveats"] == []
    effect = trial.result["effects"][0]
    assert effect["arm"] == "4.5 mg"
    assert effect["mean"] < -1.5  # a 3-point benefit was built into the diary
    assert effect["p_mcid"] > 0.9
    assert "chance LDN 4.5 mg lowers your daily pain by at least 1 point" in page
    event = AuditEvent.objects.get(action="nof1.unblind", patient_id=trial.patient_id)
    assert event.detail == {"from": "finished", "to": "unblinded"}
    # The page shows the stored result (not a re-analysis of a diary that may have changed).
    make_checkin(patient, days_ago=44, pain=0, dose_status="taken", dose_mg=None)
    again = client.get(f"/nof1/{trial.pk}/").content.decode()
    assert f"{effect['mean']:.2f}" in again


def test_a_locked_plan_cannot_be_relocked_or_changed(
    trial: Nof1Trial,
    clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
) -> None:
    advance(trial, TrialState.KITS_PREPARED, clinician=clinician, pharmacist=pharmacist)
    client = client_for(clinician)
    client.post(f"/nof1/{trial.pk}/lock/", {"outcome": "pain", "mcid": "1"})
    again = client.post(f"/nof1/{trial.pk}/lock/", {"outcome": "mood", "mcid": "2"}, follow=True)
    assert "it cannot change now" in again.content.decode()
    trial.refresh_from_db()
    assert (trial.outcome, trial.mcid) == ("pain", 1.0)


def test_emergency_unblinding_reveals_one_kit_and_records_who_and_why(
    trial: Nof1Trial,
    clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
) -> None:
    advance(trial, TrialState.RUNNING, clinician=clinician, pharmacist=pharmacist)
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
    trial.refresh_from_db()
    assert state_of(trial) is TrialState.EMERGENCY_UNBLINDED


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
        assert re.search(
            rf'<td data-label="Kit" class="kit-code">{period["kit"]}</td>'
            rf'.*?<td data-label="Content">{re.escape(content)}</td>',
            page,
            re.S,
        )
    client.post(f"/nof1/{trial.pk}/kits/prepared/")
    trial.refresh_from_db()
    assert state_of(trial) is TrialState.KITS_PREPARED


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
    if body.startswith(b"PK\x03\x04"):  # a ZIP (the whole record): compare what it holds
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(
                f"{name}\n{_normalise(archive.read(name))}" for name in archive.namelist()
            )
    text = body.decode(errors="replace")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    text = re.sub(r'"client_id" value="[^"]+"', "", text)
    text = re.sub(r'"timestamp": "[^"]+"', "", text)  # when a FHIR Bundle was assembled
    return re.sub(r'name="client_id" value="[^"]+"', "", text)


#: Trial states before unblinding that a trial started 22 days ago can be in.
STATES = (
    TrialState.DESIGNED,
    TrialState.KITS_PREPARED,
    TrialState.RUNNING,
    TrialState.STOPPED,
    TrialState.EMERGENCY_UNBLINDED,
)


def _consistent_allocations(plan: dict[str, Any]) -> Iterator[list[str]]:
    """Every allocation the design could have drawn: each cycle any order of the arms."""
    periods = plan["periods"]
    cycles = sorted({p["cycle"] for p in periods})
    per_cycle = [list(itertools.permutations(plan["arms"])) for _ in cycles]
    for choice in itertools.product(*per_cycle):
        yield [arm for order in choice for arm in order]


def _store_allocation(trial: Nof1Trial, arms: list[str]) -> None:
    """Rewrite the stored allocation with ``arms`` in period order (kits and dates unchanged)."""
    allocation = Allocation.objects.get(trial=trial)
    plan = dict(allocation.plan)
    plan["periods"] = [{**p, "arm": arm} for p, arm in zip(plan["periods"], arms, strict=True)]
    Allocation.objects.filter(pk=allocation.pk).update(plan=plan)


@pytest.mark.parametrize(
    ("role", "state"),
    [
        *((role, state) for role in ("patient", "clinician") for state in STATES),
        ("anonymous", TrialState.RUNNING),
        ("admin", TrialState.RUNNING),
    ],
)
def test_no_page_or_api_route_depends_on_the_allocation_before_unblinding(
    role: str,
    state: TrialState,
    trial: Nof1Trial,
    patient: Patient,
    clinician: User,
    pharmacist: User,
    admin_user: User,
    make_checkin: Callable[..., Any],
) -> None:
    """Store other allocations the design could have drawn: no response may change.

    Every page and API route is requested again after the arms of *every* period are swapped;
    the pages of the apps that show the trial (N-of-1, check-ins, the API) after each of the
    allocations the design could have drawn.
    """
    _fill_diary(trial, make_checkin, effect=-2)
    advance(trial, state, clinician=clinician, pharmacist=pharmacist)
    assert state_of(trial) is state
    # The trial page shows the design assistant once its figures are stored (the worker's
    # job stores them): store them first, so the snapshots differ only by the allocation.
    # That the figures do not depend on the allocation is tested below, across drawn trials.
    compute_figures(trial)
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
    assert {
        f"/nof1/{trial.pk}/",
        f"/patients/{patient.pk}/nof1/",
        f"/patients/{patient.pk}/checkin/",
        f"/api/v1/patients/{patient.pk}/nof1",
    } <= set(paths)
    headers = {}
    if user is not None:
        raw, digest = ApiToken.new_token()
        ApiToken.objects.create(
            user=user, key_hash=digest, expires_at=timezone.now() + timedelta(days=1)
        )
        headers["Authorization"] = f"Bearer {raw}"

    def snapshot(which: list[str]) -> dict[str, tuple[int, str]]:
        client = Client(headers=headers)
        if user is not None:
            client.force_login(user)
        return {
            path: (response.status_code, _normalise(response.content))
            for path in which
            for response in [client.get(path)]
        }

    before = snapshot(paths)
    stored = [p["arm"] for p in Allocation.objects.get(trial=trial).plan["periods"]]
    swapped = ["4.5 mg" if arm == "placebo" else "placebo" for arm in stored]
    _store_allocation(trial, swapped)
    after = snapshot(paths)
    assert sorted(path for path in paths if before[path] != after[path]) == []
    trial_pages = [p for p in paths if resolve(p).namespace in {"nof1", "checkins", "api"}]
    assert len(trial_pages) >= 10
    allocations = list(_consistent_allocations(Allocation.objects.get(trial=trial).plan))
    assert len(allocations) == 4  # 2 cycles × 2 orders of placebo and 4.5 mg
    for arms in allocations:
        if arms in (stored, swapped):
            continue
        _store_allocation(trial, arms)
        after = snapshot(trial_pages)
        changed = sorted(path for path in trial_pages if before[path] != after[path])
        assert changed == [], f"{changed} change with the allocation {arms}"
    assert any(code == 200 for code, _ in before.values())
    if role == "patient" and state is TrialState.RUNNING:  # the check-in names today's kit
        today = trial.kit_for(patient_today(patient))
        assert today is not None
        assert today["kit"] in before[f"/patients/{patient.pk}/checkin/"][1]


def test_what_the_trial_stores_for_everyone_is_the_same_whichever_allocation_is_drawn(
    patient: Patient,
    clinician: User,
    pharmacist: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fields stored at design time (schedule dates, run-in, design assistant) are fixed then and
    never re-read from the allocation, so permuting the stored allocation cannot test them: draw
    different allocations instead and require everything but the kit codes to be identical."""
    import random
    import secrets

    seeds = iter(range(1000))

    def next_stream() -> random.Random:
        return random.Random(next(seeds))

    monkeypatch.setattr(secrets, "SystemRandom", next_stream)
    pharmacy = pharmacist.pharmacies.get()
    trials = [
        create_trial(patient, trial_spec(patient, pharmacy), created_by=clinician)[0]
        for _ in range(6)
    ]
    orders = {tuple(p["arm"] for p in t.allocation.plan["periods"]) for t in trials}
    assert len(orders) >= 2  # the test compares designs with different allocations

    def public(t: Nof1Trial) -> dict[str, Any]:
        DesignSimulation.objects.all().delete()  # simulate each trial's figures afresh
        characteristics = compute_figures(t)
        assert "seconds" not in characteristics  # wall-clock time is kept apart, on the row
        return {
            "schedule": [{k: v for k, v in p.items() if k != "kit"} for p in t.schedule],
            "run_in": (t.run_in_days, t.run_in_derivation),
            "dates": (t.start, t.end),
            "assumptions": t.design_assumptions,
            "operating_characteristics": characteristics,
        }

    first = public(trials[0])
    assert first["operating_characteristics"]["arms"][0]["arm"] == "4.5 mg"
    assert all(public(t) == first for t in trials[1:])


def test_the_swap_is_visible_where_the_allocation_is_meant_to_be_seen(
    trial: Nof1Trial, pharmacist: User, client_for: Callable[[User | None], Client]
) -> None:
    """Control for the test above: the pharmacist's kit list does change when the arms swap."""
    client = client_for(pharmacist)
    before = client.get(f"/nof1/{trial.pk}/kits/").content
    stored = [p["arm"] for p in Allocation.objects.get(trial=trial).plan["periods"]]
    _store_allocation(trial, ["4.5 mg" if arm == "placebo" else "placebo" for arm in stored])
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
    assert "Naltrexone cannot be prescribed" in response.content.decode()
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


# --- Kit codes carry no information; the allocation comes from the CSPRNG ------------------------

KIT_CODE = re.compile(r"KIT-[0-9A-Z]{6}-[0-9A-Z]")


@pytest.mark.django_db
def test_the_demo_trials_kit_codes_are_the_same_under_every_permutation_of_its_allocation() -> None:
    """Done-when line of issue 11: the demo trial's patient and clinician see the same codes and
    byte-identical pages whichever of its kits holds LDN."""
    from apps.demo.clinic import load_demo

    load_demo()
    trial = Nof1Trial.objects.get(patient__user__username="patient")
    patient = trial.patient
    codes = [p["kit"] for p in trial.schedule]
    assert len(set(codes)) == 6  # 3 cycles × (placebo, 4.5 mg)
    pages = [
        f"/patients/{patient.pk}/nof1/",
        f"/nof1/{trial.pk}/",
        f"/patients/{patient.pk}/checkin/",
        f"/patients/{patient.pk}/",
        f"/api/v1/patients/{patient.pk}/nof1",
    ]
    viewers = {name: User.objects.get(username=name) for name in ("patient", "clinician")}
    clients = {}
    for name, user in viewers.items():
        raw, digest = ApiToken.new_token()
        ApiToken.objects.create(
            user=user, key_hash=digest, expires_at=timezone.now() + timedelta(days=1)
        )
        clients[name] = Client(headers={"Authorization": f"Bearer {raw}"})
        clients[name].force_login(user)

    def seen() -> dict[tuple[str, str], tuple[int, str]]:
        return {
            (name, page): (response.status_code, _normalise(response.content))
            for name, client in clients.items()
            for page in pages
            for response in [client.get(page)]
        }

    stored = [p["arm"] for p in trial.allocation.plan["periods"]]
    permutations = sorted(set(itertools.permutations(stored)))
    assert len(permutations) == 20  # 6! / (3! 3!): every way to place 3 LDN kits among 6
    first = seen()
    for name in clients:
        trial_page = first[(name, f"/nof1/{trial.pk}/")][1]
        api = first[(name, f"/api/v1/patients/{patient.pk}/nof1")][1]
        assert KIT_CODE.findall(trial_page) == codes  # the schedule, in period order
        assert KIT_CODE.findall(api) == codes
        assert "4.5 mg" in trial_page  # the arms are listed (not secret) ...
        assert "naltrexone 4.5" not in trial_page  # ... but no kit's content is
    for arms in permutations:
        _store_allocation(trial, list(arms))
        assert seen() == first, f"a page changes with the allocation {arms}"
    assert [p["kit"] for p in Nof1Trial.objects.get(pk=trial.pk).schedule] == codes


def test_the_design_action_draws_allocation_and_codes_from_the_csprng(
    patient: Patient, clinician: User, pharmacist: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No seed is drawn or stored: both the allocation and the kit codes come from
    ``secrets.SystemRandom`` (os.urandom), through separate generators."""
    import secrets

    made: list[secrets.SystemRandom] = []

    class Observed(secrets.SystemRandom):
        draws = 0

        def __init__(self) -> None:
            made.append(self)
            super().__init__()

        def getrandbits(self, k: int) -> int:
            Observed.draws += 1
            return super().getrandbits(k)

    monkeypatch.setattr(secrets, "SystemRandom", Observed)
    trial = make_trial(patient, clinician, pharmacist.pharmacies.get())
    assert len(made) == 2  # one generator for the allocation, another for the codes
    assert Observed.draws >= 2 * 1 + 4 * 6  # 2 shuffles of 2 arms; 4 codes × 6 characters
    stored = trial.allocation.plan
    assert stored["randomisation"] == "os-csprng"
    assert "seed" not in stored
    assert trial.allocation.codes_protect_the_blind


def test_two_trials_with_the_same_allocation_get_different_kit_codes(
    patient: Patient, clinician: User, pharmacist: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pin the allocation generator only: the codes still come fresh from the CSPRNG."""
    import random

    from lowdose.outcomes import allocation

    real = allocation.permuted_cycles

    def pinned(arms: Any, cycles: int, rng: Any = None) -> list[list[Any]]:
        return real(arms, cycles, random.Random(4))

    monkeypatch.setattr(allocation, "permuted_cycles", pinned)
    monkeypatch.setattr("lowdose.outcomes.design.permuted_cycles", pinned)
    pharmacy = pharmacist.pharmacies.get()
    first, second = (
        create_trial(patient, trial_spec(patient, pharmacy), created_by=clinician)[0]
        for _ in range(2)
    )

    def arms(t: Nof1Trial) -> list[str]:
        return [p["arm"] for p in t.allocation.plan["periods"]]

    assert arms(first) == arms(second)
    kits = [{p["kit"] for p in t.schedule} for t in (first, second)]
    assert kits[0].isdisjoint(kits[1])


def test_a_legacy_allocation_is_kept_as_stored_and_the_pharmacist_is_warned(
    trial: Nof1Trial, pharmacist: User, client_for: Callable[[User | None], Client]
) -> None:
    """Migration 0002 marks a pre-CSPRNG allocation without re-deriving anything from its seed."""
    import importlib

    from django.apps import apps as django_apps

    migration = importlib.import_module("apps.nof1.migrations.0002_mark_legacy_seeded_allocations")
    client = client_for(pharmacist)
    assert 'id="legacy-codes"' not in client.get(f"/nof1/{trial.pk}/kits/").content.decode()
    allocation = Allocation.objects.get(trial=trial)
    legacy = {k: v for k, v in allocation.plan.items() if k != "randomisation"}
    legacy["seed"] = 987654321  # as stored before: the migration must not use it
    Allocation.objects.filter(pk=allocation.pk).update(plan=legacy)
    allocation.refresh_from_db()
    assert not allocation.codes_protect_the_blind  # unmarked counts as legacy: fail closed

    migration.mark_legacy(django_apps, None)
    allocation.refresh_from_db()
    assert allocation.plan == {**legacy, "randomisation": "legacy-seeded-31-bit"}
    assert not allocation.codes_protect_the_blind
    assert allocation.as_plan().periods[0].kit == legacy["periods"][0]["kit"]
    page = client.get(f"/nof1/{trial.pk}/kits/").content.decode()
    assert "These kit codes do not protect the blind" in page
    migration.unmark_legacy(django_apps, None)
    allocation.refresh_from_db()
    assert allocation.plan == legacy
