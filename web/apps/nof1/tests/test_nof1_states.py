"""The N-of-1 state machine on the web: actions check it and audit the move, every page shows
where the trial stands and exactly the buttons that work now, for each role."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from conftest import bearer
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Patient, User
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from apps.checkins.queries import patient_today
from apps.nof1.actions import lock_plan, mark_kits_prepared, stop_trial, unblind
from apps.nof1.models import Nof1Trial
from apps.nof1.states import state_of
from apps.nof1.tests.factories import STARTED_DAYS_AGO, advance, make_trial, trial_in
from lowdose.errors import TrialStateError
from lowdose.outcomes.trial_states import Step, TrialState

S = TrialState

#: The element of each step's button: the trial page (clinician) or the kit page (pharmacist).
FORMS = {
    Step.LOCK_PLAN: 'id="lock-form"',
    Step.UNBLIND: 'id="unblind-form"',
    Step.STOP: 'id="stop"',
    Step.EMERGENCY_UNBLIND: 'id="emergency"',
    Step.PREPARE_KITS: 'id="kits-prepared"',
}
#: What each role may do in each state (the same specification as the core's table test).
ALLOWED: dict[TrialState, dict[str, set[Step]]] = {
    S.DESIGNED: {"clinician": {Step.STOP}, "pharmacist": {Step.PREPARE_KITS}},
    S.KITS_PREPARED: {"clinician": {Step.LOCK_PLAN, Step.STOP, Step.EMERGENCY_UNBLIND}},
    S.LOCKED: {"clinician": {Step.STOP, Step.EMERGENCY_UNBLIND}},
    S.RUNNING: {"clinician": {Step.STOP, Step.EMERGENCY_UNBLIND}},
    S.FINISHED: {"clinician": {Step.UNBLIND, Step.EMERGENCY_UNBLIND}},
    S.STOPPED: {"clinician": {Step.UNBLIND, Step.EMERGENCY_UNBLIND}},
    S.EMERGENCY_UNBLINDED: {"clinician": {Step.UNBLIND, Step.EMERGENCY_UNBLIND}},
    S.UNBLINDED: {},
}
#: Where each button leads when pressed.
AFTER = {
    Step.LOCK_PLAN: {S.LOCKED},
    Step.UNBLIND: {S.UNBLINDED},
    Step.STOP: {S.STOPPED},
    Step.EMERGENCY_UNBLIND: {S.EMERGENCY_UNBLINDED},
    Step.PREPARE_KITS: {S.KITS_PREPARED},
}


def _press(client: Client, trial: Nof1Trial, step: Step) -> str:
    """Submit the step's form as the page offers it, with valid input; the page shown next."""
    path, body = {
        Step.LOCK_PLAN: ("lock/", {"outcome": "pain", "mcid": "1"}),
        Step.UNBLIND: ("unblind/", {}),
        Step.STOP: ("stop/", {"reason": "patient withdrew: moving abroad"}),
        Step.EMERGENCY_UNBLIND: (
            "emergency/",
            {"kit": trial.schedule[0]["kit"], "reason": "emergency surgery tomorrow"},
        ),
        Step.PREPARE_KITS: ("kits/prepared/", {}),
    }[step]
    return unescape(client.post(f"/nof1/{trial.pk}/{path}", body, follow=True).content.decode())


@pytest.mark.parametrize("state", list(TrialState))
def test_each_page_shows_exactly_the_buttons_each_role_may_press_now_and_each_one_works(
    state: TrialState,
    patient: Patient,
    clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
) -> None:
    trial = trial_in(state, patient, clinician, pharmacist)
    assert state_of(trial) is state
    pages = {
        "clinician": client_for(clinician).get(f"/nof1/{trial.pk}/").content.decode(),
        "patient": client_for(patient.user).get(f"/nof1/{trial.pk}/").content.decode(),
        "pharmacist": client_for(pharmacist).get(f"/nof1/{trial.pk}/kits/").content.decode(),
    }
    for role, page in pages.items():
        assert f'data-state="{state}"' in page
        assert state.label in page
        shown = {step for step, marker in FORMS.items() if marker in page}
        assert shown == ALLOWED[state].get(role, set()), role
    # no button that would fail: press each one, each on a trial in this state
    presses = [(role, step) for role, steps in ALLOWED[state].items() for step in sorted(steps)]
    for n, (role, step) in enumerate(presses):
        whose = patient if n == 0 else _another_patient(patient, n)
        fresh = trial if n == 0 else trial_in(state, whose, clinician, pharmacist)
        after = _press(client_for(clinician if role == "clinician" else pharmacist), fresh, step)
        assert 'class="flash error"' not in after, (step, after)
        fresh.refresh_from_db()
        reached = state_of(fresh)
        assert reached in AFTER[step] | ({S.RUNNING} if step is Step.LOCK_PLAN else set())


def _another_patient(patient: Patient, n: int) -> Patient:
    """A patient of the same care team (one trial under way per patient)."""
    user = User.objects.create(username=f"patient{n}", role="patient", clinic=patient.clinic)
    return Patient.objects.create(
        user=user, clinic=patient.clinic, care_team=patient.care_team, display_name=f"P{n}"
    )


def test_the_pharmacist_records_the_kits_before_the_lock_and_is_told_what_follows(
    patient: Patient,
    clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
) -> None:
    trial = make_trial(patient, clinician, pharmacist.pharmacies.get(), days_ago=-7)
    start = trial.start
    on = f"{start.day} {start:%B %Y}"
    kits = client_for(pharmacist)
    doctor = client_for(clinician)
    before = kits.get(f"/nof1/{trial.pk}/kits/").content.decode()
    assert FORMS[Step.PREPARE_KITS] in before
    assert "Prepare the kits from this list, then record them prepared." in before
    page = doctor.get(f"/nof1/{trial.pk}/").content.decode()
    assert "Waiting for the pharmacy to prepare the kits." in page
    assert FORMS[Step.LOCK_PLAN] not in page
    assert FORMS[Step.UNBLIND] not in page  # the tester's "Unblind and analyse" after locking

    done = kits.post(f"/nof1/{trial.pk}/kits/prepared/", follow=True).content.decode()
    assert "Kits recorded as prepared and dispensed. Next: the clinician locks" in done
    assert FORMS[Step.PREPARE_KITS] not in done
    assert "Waiting for the clinician to lock the analysis plan" in done
    page = doctor.get(f"/nof1/{trial.pk}/").content.decode()
    assert f"Lock the analysis plan so the trial can start on {on}." in page

    locked = doctor.post(f"/nof1/{trial.pk}/lock/", {"outcome": "pain", "mcid": "1"}, follow=True)
    text = locked.content.decode()
    assert f"Analysis plan locked; it cannot change now. Starts on {on}" in text
    assert FORMS[Step.UNBLIND] not in text
    after = kits.get(f"/nof1/{trial.pk}/kits/").content.decode()
    assert f"Plan locked; the trial starts on {on}. Nothing more for the pharmacy" in after
    assert FORMS[Step.PREPARE_KITS] not in after
    assert 'id="kits"' in after  # the list stays readable, e.g. to make a lost kit again
    patient_page = client_for(patient.user).get(f"/nof1/{trial.pk}/").content.decode()
    assert f"Your trial starts on {on}." in patient_page


def test_a_trial_locked_before_its_kits_still_offers_the_pharmacist_the_kits(
    patient: Patient,
    clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
) -> None:
    """Stored before the state machine: locked first, the pharmacist's button had gone."""
    trial = make_trial(patient, clinician, pharmacist.pharmacies.get(), days_ago=-7)
    Nof1Trial.objects.filter(pk=trial.pk).update(
        locked_at=timezone.now(), plan_fingerprint=trial.analysis_plan().fingerprint()
    )
    trial.refresh_from_db()
    assert state_of(trial) is S.DESIGNED
    kits = client_for(pharmacist)
    assert FORMS[Step.PREPARE_KITS] in kits.get(f"/nof1/{trial.pk}/kits/").content.decode()
    done = kits.post(f"/nof1/{trial.pk}/kits/prepared/", follow=True).content.decode()
    assert "The analysis plan was already locked: the trial runs from" in done
    trial.refresh_from_db()
    assert state_of(trial) is S.LOCKED


def test_each_step_is_audited_with_the_states_it_moved_between(
    patient: Patient, clinician: User, pharmacist: User
) -> None:
    trial = make_trial(patient, clinician, pharmacist.pharmacies.get(), days_ago=-7)
    mark_kits_prepared(Actor.of(pharmacist), trial)
    lock_plan(Actor.of(clinician), trial, trial.analysis_plan())
    stop_trial(Actor.of(clinician), trial, reason="  patient withdrew: moving abroad ")
    events = AuditEvent.objects.filter(patient_id=patient.pk, object_id=str(trial.pk))
    moves = {
        e.action: (e.actor_username, e.detail)
        for e in events.filter(action__in=("nof1.kits.prepared", "nof1.plan.lock", "nof1.stop"))
    }
    assert moves == {
        "nof1.kits.prepared": ("pharmacist", {"from": "designed", "to": "kits_prepared"}),
        "nof1.plan.lock": ("clinician", {"from": "kits_prepared", "to": "locked"}),
        "nof1.stop": (
            "clinician",
            {"from": "locked", "to": "stopped", "reason": "patient withdrew: moving abroad"},
        ),
    }
    trial.refresh_from_db()
    assert (trial.stop_reason, trial.stopped_by) == ("patient withdrew: moving abroad", clinician)


def test_a_refused_step_changes_nothing_and_writes_no_event(
    patient: Patient, clinician: User, pharmacist: User
) -> None:
    trial = make_trial(patient, clinician, pharmacist.pharmacies.get(), days_ago=-7)
    with pytest.raises(TrialStateError, match="The pharmacy has not prepared the kits yet"):
        lock_plan(Actor.of(clinician), trial, trial.analysis_plan())
    with pytest.raises(TrialStateError, match="Only the patient's clinician can lock"):
        lock_plan(Actor.of(pharmacist), trial, trial.analysis_plan())
    with pytest.raises(TrialStateError, match="Only the pharmacy preparing the kits"):
        mark_kits_prepared(Actor.of(clinician), trial)
    with pytest.raises(TrialStateError, match="The trial has not started"):
        unblind(Actor.of(clinician), trial)
    trial.refresh_from_db()
    assert (trial.locked_at, trial.kits_prepared_at, trial.unblinded_at) == (None, None, None)
    assert not AuditEvent.objects.filter(
        action__in=("nof1.plan.lock", "nof1.kits.prepared", "nof1.unblind")
    ).exists()
    with pytest.raises(Exception, match="at least 10 characters"):
        stop_trial(Actor.of(clinician), trial, reason="moving")
    trial.refresh_from_db()
    assert trial.stopped_at is None


def _diary(trial: Nof1Trial, make_checkin: Callable[..., Any], *, effect: float) -> None:
    plan = trial.allocation.as_plan()
    today = patient_today(trial.patient)
    day = plan.start
    while day <= min(plan.end, today):
        period = next(p for p in plan.periods if p.contains(day))
        wobble = ((day.toordinal() * 7) % 5 - 2) * 0.5
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


@pytest.mark.parametrize("how", [S.STOPPED, S.EMERGENCY_UNBLINDED])
def test_a_trial_that_ended_early_is_analysed_on_its_blinded_days_and_says_so(
    how: TrialState,
    patient: Patient,
    clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
    make_checkin: Callable[..., Any],
) -> None:
    trial = make_trial(patient, clinician, pharmacist.pharmacies.get(), days_ago=22)
    _diary(trial, make_checkin, effect=-3)
    advance(trial, how, clinician=clinician, pharmacist=pharmacist)
    doctor = client_for(clinician)
    page = doctor.post(f"/nof1/{trial.pk}/unblind/", follow=True).content.decode()
    trial.refresh_from_db()
    assert state_of(trial) is S.UNBLINDED
    assert trial.result is not None
    today = patient_today(patient)
    assert trial.result["blinded_until"] == (today - timedelta(days=1)).isoformat()
    caveat = trial.result["caveats"][0]
    when = f"{today.day} {today:%B %Y}"
    why = (
        "the trial was stopped (patient withdrew: moving abroad)"
        if how is S.STOPPED
        else f"kit {trial.schedule[0]['kit']} was unblinded in an emergency"
    )
    assert caveat == (
        f"Unblinded early: on {when} {why}. This result uses only the 22 of 40 planned days "
        "before that, recorded while blinded."
    )
    assert caveat in page
    # today's check-in (the day of the early end) is not analysed
    plan = trial.allocation.as_plan()
    analysed = sum(
        1
        for back in range(1, 23)
        if any(p.analysis_start <= today - timedelta(days=back) <= p.end for p in plan.periods)
    )
    assert trial.result["days_used"] == analysed
    patient_page = client_for(patient.user).get(f"/nof1/{trial.pk}/").content.decode()
    assert caveat in patient_page


def test_stopping_tells_the_patient_to_stop_the_capsules_and_ends_the_kit_reminder(
    patient: Patient,
    clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
) -> None:
    trial = trial_in(S.RUNNING, patient, clinician, pharmacist)
    me = client_for(patient.user)
    assert "from kit" in me.get(f"/patients/{patient.pk}/checkin/").content.decode()
    done = _press(client_for(clinician), trial, Step.STOP)
    assert "Trial stopped; the patient's page tells them to stop the trial capsules." in done
    assert "You can unblind and analyse the days recorded before the stop." in done
    page = me.get(f"/nof1/{trial.pk}/").content.decode()
    assert "Do not take any more trial capsules" in page
    assert "Reason for stopping: patient withdrew: moving abroad" in page
    assert 'id="today-kit"' not in page
    assert "from kit" not in me.get(f"/patients/{patient.pk}/checkin/").content.decode()


def test_without_enough_diary_the_trial_is_still_unblinded_with_a_plain_reason(
    patient: Patient,
    clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
) -> None:
    trial = trial_in(S.FINISHED, patient, clinician, pharmacist)
    page = _press(client_for(clinician), trial, Step.UNBLIND)
    assert 'class="flash error"' not in page
    assert "No result could be computed: the patient recorded no check-ins during the" in page
    assert 'id="allocation"' in page
    trial.refresh_from_db()
    assert trial.result is not None
    assert "effects" not in trial.result


def test_a_patient_has_one_trial_under_way_at_a_time(
    patient: Patient,
    clinician: User,
    pharmacist: User,
    client_for: Callable[[User | None], Client],
) -> None:
    trial = make_trial(patient, clinician, pharmacist.pharmacies.get(), days_ago=-7)
    doctor = client_for(clinician)
    listing = doctor.get(f"/patients/{patient.pk}/nof1/").content.decode()
    assert "Set up a trial" not in listing
    notice = (
        f"Trial {trial.pk} is under way (designed: kits being prepared): stop it, or wait until "
        "it finishes, before designing another."
    )
    assert notice in listing
    new = doctor.get(f"/patients/{patient.pk}/nof1/new/").content.decode()
    assert notice in new
    assert 'id="nof1-design"' not in new
    with pytest.raises(TrialStateError, match="is still under way"):
        make_trial(patient, clinician, pharmacist.pharmacies.get(), days_ago=-7)
    stop_trial(Actor.of(clinician), trial, reason="designed with the wrong pharmacy")
    assert "Set up a trial" in doctor.get(f"/patients/{patient.pk}/nof1/").content.decode()
    make_trial(patient, clinician, pharmacist.pharmacies.get(), days_ago=-7)


@pytest.mark.parametrize("state", [S.DESIGNED, S.RUNNING, S.UNBLINDED])
def test_the_api_gives_the_state_as_a_code_a_label_and_the_next_step(
    state: TrialState,
    patient: Patient,
    clinician: User,
    pharmacist: User,
) -> None:
    trial = trial_in(state, patient, clinician, pharmacist)
    assert patient.user is not None
    for user, next_words in (
        (clinician, {S.DESIGNED: "Waiting for the pharmacy", S.RUNNING: "Day 23 of 40."}),
        (patient.user, {S.DESIGNED: "The pharmacy is preparing your trial kits."}),
    ):
        page = Client(headers=bearer(user)).get(f"/api/v1/patients/{patient.pk}/nof1").json()
        rows = page["items"]
        (row,) = rows
        assert row["id"] == trial.pk
        assert (row["status"], row["status_label"]) == (state.value, state.label)
        assert row["days"] == 40
        assert row["day"] == (23 if state is S.RUNNING else None)
        assert row["next_by"] == {S.DESIGNED: "pharmacist", S.RUNNING: "patient"}.get(state)
        if state in next_words:
            assert row["next_step"].startswith(next_words[state])
        assert (row["result"] is not None) is (state is S.UNBLINDED)


def test_every_started_days_ago_fixture_lands_in_its_state(
    patient: Patient, clinician: User, pharmacist: User
) -> None:
    """The factory's calendar matches the state it names (a guard for the tests above)."""
    assert STARTED_DAYS_AGO[S.RUNNING] < 40 < STARTED_DAYS_AGO[S.FINISHED]
