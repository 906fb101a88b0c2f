"""The N-of-1 trial's state machine: every state, every allowed and every refused step."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from lowdose.errors import InputError, TrialStateError
from lowdose.outcomes.trial_situation import describe
from lowdose.outcomes.trial_states import (
    TRANSITIONS,
    Party,
    Step,
    TrialFacts,
    TrialState,
    allowed_steps,
    check,
    check_reason,
    mermaid,
)

S = TrialState
START = date(2026, 3, 2)
END = START + timedelta(days=83)  # 3 cycles × 2 arms × 14 days: 84 days, to 24 May 2026
DESIGNED = TrialFacts(start=START, end=END)
KITS = replace(DESIGNED, kits_prepared_on=START - timedelta(days=10))
LOCKED = replace(KITS, plan_locked_on=START - timedelta(days=5))


def _on(state: TrialState) -> tuple[TrialFacts, date]:
    """Facts of a trial in ``state`` and a day on which it is in it."""
    return {
        S.DESIGNED: (DESIGNED, START - timedelta(days=20)),
        S.KITS_PREPARED: (KITS, START - timedelta(days=8)),
        S.LOCKED: (LOCKED, START - timedelta(days=2)),
        S.RUNNING: (LOCKED, START + timedelta(days=11)),
        S.FINISHED: (LOCKED, END + timedelta(days=1)),
        S.STOPPED: (replace(LOCKED, stopped_on=START + timedelta(days=20)), END),
        S.EMERGENCY_UNBLINDED: (replace(LOCKED, emergency_on=START + timedelta(days=20)), END),
        S.UNBLINDED: (replace(LOCKED, unblinded_on=END + timedelta(days=3)), END + timedelta(9)),
    }[state]


#: What each role may do in each state (the specification the table must match).
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
ROLES = ("clinician", "pharmacist", "patient", "admin", None)


@pytest.mark.parametrize("state", list(TrialState))
def test_the_state_follows_the_steps_taken_and_the_patients_calendar(state: TrialState) -> None:
    facts, today = _on(state)
    assert facts.state(today) is state


def test_running_and_finished_are_dates_day_by_day() -> None:
    assert LOCKED.state(START - timedelta(days=1)) is S.LOCKED
    assert LOCKED.state(START) is S.RUNNING
    assert LOCKED.day_number(START) == 1
    assert LOCKED.state(END) is S.RUNNING
    assert LOCKED.day_number(END) == LOCKED.days == 84
    assert LOCKED.state(END + timedelta(days=1)) is S.FINISHED
    assert LOCKED.day_number(END + timedelta(days=1)) is None


@pytest.mark.parametrize("state", list(TrialState))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_take_exactly_the_steps_of_the_table(
    state: TrialState, role: str | None
) -> None:
    facts, today = _on(state)
    expected = ALLOWED[state].get(role or "", set())
    assert allowed_steps(facts, role, today) == expected
    for step in expected:
        transition = check(facts, step, role, today)
        assert transition.step is step
        assert state in transition.sources


def _refusals() -> list[tuple[TrialState, Step, str]]:
    return [
        (state, step, role)
        for state in TrialState
        for step in Step
        for role in ("clinician", "pharmacist")
        if step not in ALLOWED[state].get(role, set())
    ]


@pytest.mark.parametrize(("state", "step", "role"), _refusals())
def test_every_refused_step_says_in_plain_words_what_happens_instead(
    state: TrialState, step: Step, role: str
) -> None:
    facts, today = _on(state)
    with pytest.raises(TrialStateError) as refused:
        check(facts, step, role, today)
    message = str(refused.value)
    assert refused.value.field == "status"
    assert message.endswith(".")
    assert len(message) > 30
    # no code reaches a person: no state or step names, no underscores
    assert "_" not in message
    assert not re.search(r"\b(designed|emergency unblinded|lock plan|prepare kits)\b", message)


#: The refusals testers met, and the other important ones, word for word where it matters.
@pytest.mark.parametrize(
    ("state", "step", "role", "expected"),
    [
        (S.DESIGNED, Step.LOCK_PLAN, "clinician", "The pharmacy has not prepared the kits yet."),
        (S.DESIGNED, Step.UNBLIND, "clinician", "The trial has not started. The pharmacy"),
        (S.KITS_PREPARED, Step.UNBLIND, "clinician", "lock the analysis plan so it can start"),
        (S.LOCKED, Step.UNBLIND, "clinician", "The trial starts on 2 March 2026 and ends on"),
        (S.RUNNING, Step.UNBLIND, "clinician", "running (day 12 of 84) and ends on 24 May 2026"),
        (S.LOCKED, Step.LOCK_PLAN, "clinician", "cannot change now"),
        (S.KITS_PREPARED, Step.PREPARE_KITS, "pharmacist", "were recorded as prepared on 20"),
        (S.LOCKED, Step.PREPARE_KITS, "pharmacist", "there is nothing more to record"),
        (S.STOPPED, Step.PREPARE_KITS, "pharmacist", "do not prepare or dispense its kits"),
        (S.FINISHED, Step.STOP, "clinician", "nothing to stop; unblind and analyse it"),
        (S.DESIGNED, Step.EMERGENCY_UNBLIND, "clinician", "No kits have been prepared yet"),
        (S.UNBLINDED, Step.EMERGENCY_UNBLIND, "clinician", "Every kit is already revealed"),
        (S.UNBLINDED, Step.UNBLIND, "clinician", "already unblinded"),
        (S.EMERGENCY_UNBLINDED, Step.LOCK_PLAN, "clinician", "cannot change now"),
        (S.DESIGNED, Step.PREPARE_KITS, "clinician", "Only the pharmacy preparing the kits"),
        (S.KITS_PREPARED, Step.LOCK_PLAN, "pharmacist", "Only the patient's clinician can lock"),
        (S.FINISHED, Step.UNBLIND, "patient", "Only the patient's clinician can unblind"),
        (S.LOCKED, Step.START, "clinician", "starts by itself on 2 March 2026"),
        (S.RUNNING, Step.FINISH, "clinician", "finishes by itself after its last day"),
    ],
)
def test_the_refusal_names_the_next_step_and_who_takes_it(
    state: TrialState, step: Step, role: str, expected: str
) -> None:
    facts, today = _on(state)
    with pytest.raises(TrialStateError, match=re.escape(expected)):
        check(facts, step, role, today)


def test_a_plan_locked_before_its_kits_waits_for_them_and_then_goes_on() -> None:
    """The dead end testers found: the lock came first and the pharmacy's step vanished."""
    early_lock = replace(DESIGNED, plan_locked_on=START - timedelta(days=9))
    today = START - timedelta(days=8)
    assert early_lock.state(today) is S.DESIGNED
    assert allowed_steps(early_lock, "pharmacist", today) == {Step.PREPARE_KITS}
    with pytest.raises(TrialStateError, match="waiting for the pharmacy to prepare the kits"):
        check(early_lock, Step.LOCK_PLAN, "clinician", today)
    kits = replace(early_lock, kits_prepared_on=today)
    assert kits.state(today) is S.LOCKED
    assert kits.state(START) is S.RUNNING


def test_a_trial_that_ended_early_can_be_analysed_only_with_a_locked_plan_and_blinded_days() -> (
    None
):
    stopped_running = replace(LOCKED, stopped_on=START + timedelta(days=20))
    assert stopped_running.ended_early_on == START + timedelta(days=20)
    assert stopped_running.last_blinded_day == START + timedelta(days=19)
    assert stopped_running.has_blinded_days
    assert Step.UNBLIND in allowed_steps(stopped_running, "clinician", END)

    before_start = replace(LOCKED, stopped_on=START)
    with pytest.raises(TrialStateError, match="before it started on 2 March 2026"):
        check(before_start, Step.UNBLIND, "clinician", END)
    assert allowed_steps(before_start, "clinician", END) == {Step.EMERGENCY_UNBLIND}

    unlocked = replace(KITS, stopped_on=START + timedelta(days=3))
    with pytest.raises(TrialStateError, match="before its analysis plan was locked"):
        check(unlocked, Step.UNBLIND, "clinician", END)

    no_kits = replace(DESIGNED, stopped_on=START - timedelta(days=3))
    assert allowed_steps(no_kits, "clinician", END) == set()
    with pytest.raises(TrialStateError, match="No kits were prepared"):
        check(no_kits, Step.EMERGENCY_UNBLIND, "clinician", END)


def test_an_emergency_after_the_last_day_is_not_an_early_end() -> None:
    late = replace(LOCKED, emergency_on=END + timedelta(days=2))
    assert late.state(END + timedelta(days=3)) is S.EMERGENCY_UNBLINDED
    assert late.ended_early_on is None
    assert late.last_blinded_day == END


def test_each_person_reads_where_the_trial_stands_and_who_acts_next() -> None:
    facts, today = _on(S.RUNNING)
    for viewer in ("clinician", "pharmacist", "patient"):
        now = describe(facts, today, viewer)
        assert (now.state, now.day, now.days) == (S.RUNNING, 12, 84)
        assert now.next_step.startswith("Day 12 of 84.")
        assert now.next_by is Party.PATIENT
    designed, day = _on(S.DESIGNED)
    assert describe(designed, day, "clinician").next_step.startswith(
        "Waiting for the pharmacy to prepare the kits."
    )
    assert describe(designed, day, "pharmacist").next_by is Party.PHARMACIST
    assert "start on 2 March 2026; do not start before then" in (
        describe(designed, day, "patient").next_step
    )
    locked, day = _on(S.LOCKED)
    assert describe(locked, day, "patient").next_step.startswith(
        "Your trial starts on 2 March 2026."
    )
    kits, day = _on(S.KITS_PREPARED)
    late = describe(kits, START + timedelta(days=1), "clinician")
    assert late.next_step.startswith("The planned start, 2 March 2026, has come")
    stopped, day = _on(S.STOPPED)
    assert describe(stopped, day, "patient").next_step.startswith(
        "Your trial ended early on 22 March 2026. Do not take any more trial capsules"
    )
    assert describe(stopped, day, "clinician").next_by is Party.CLINICIAN
    unblinded, day = _on(S.UNBLINDED)
    assert describe(unblinded, day, "clinician").next_by is None
    # every label and sentence is plain words
    for state in TrialState:
        facts, day = _on(state)
        for viewer in ("clinician", "pharmacist", "patient", None):
            now = describe(facts, day, viewer)
            assert "_" not in now.label + now.next_step
            assert now.to_dict()["state"] == state.value


def test_a_recorded_reason_must_say_something() -> None:
    with pytest.raises(InputError, match="at least 10 characters") as short:
        check_reason("  surgery ", why="this kit must be unblinded")
    assert short.value.field == "reason"
    assert check_reason("  emergency surgery today ", why="x") == "emergency surgery today"


def test_the_table_reaches_every_state_and_every_state_but_unblinded_has_a_way_out() -> None:
    targets = {t.target for t in TRANSITIONS} | {S.DESIGNED}
    assert targets == set(TrialState)
    sources = {s for t in TRANSITIONS for s in t.sources}
    assert sources == set(TrialState) - {S.UNBLINDED}


def test_the_docs_show_the_diagram_of_this_table() -> None:
    docs = Path(__file__).parents[2] / "docs" / "nof1.md"
    assert mermaid() in docs.read_text(encoding="utf-8")
