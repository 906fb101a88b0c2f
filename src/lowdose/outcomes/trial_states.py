r"""The life of a blinded N-of-1 trial: its states, the steps between them, who takes each step.

This module is the one place that says what may happen to a trial and when. The web layer
derives a trial's :class:`TrialFacts` from what it stored (dates of the steps taken so far),
asks :func:`check` before every write and :func:`allowed_steps` before showing a button, and
shows each person the sentences of :func:`lowdose.outcomes.trial_situation.describe`.

::

    designed ──pharmacist: prepare kits──▶ kits_prepared ──clinician: lock plan──▶ locked
    locked ──calendar: start date──▶ running ──calendar: day after the last period──▶ finished
    finished ──clinician: unblind──▶ unblinded
    designed, kits_prepared, locked, running ──clinician: stop (reason)──▶ stopped
    kits_prepared … stopped ──clinician: emergency-unblind one kit (reason)──▶ emergency_unblinded
    stopped, emergency_unblinded ──clinician: unblind (plan locked, blinded days exist)──▶ unblinded

Rules, and why:

* **Kits before the lock.** The pharmacy prepares the kits against the designed plan; the
  clinician locks the analysis plan once the kits exist, and the lock is the "go": the patient
  starts on the start date. (Locking first used to hide the pharmacist's button for good.)
  A trial locked before its kits (stored before this module) simply waits for the kits and then
  continues from ``locked``: nothing dead-ends.
* **Running and finished are dates, not clicks**: ``running`` from the start date to the last
  day of the last period, ``finished`` from the day after, both in the patient's calendar.
* **Unblinding is for the end**: a finished trial, or one that ended early (stopped with a
  reason, or ended by an emergency unblinding) whose plan was locked and which had begun.
  The analysis then uses only the days before the early end (:attr:`TrialFacts.last_blinded_day`).
* **Emergency unblinding** of one kit is possible whenever kits exist and the trial is not
  unblinded, needs a reason, and ends the blind: the trial ends and its analysis says so.

Errors::

    LowdoseError
    └── InputError
        └── OutcomesError
            └── TrialStateError      this step is not allowed now, or not for this person

Every refusal says what happens next instead and who does it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from lowdose.errors import InputError, TrialStateError

__all__ = [
    "MIN_REASON_CHARS",
    "TRANSITIONS",
    "Party",
    "Step",
    "Transition",
    "TrialFacts",
    "TrialState",
    "TrialStateError",
    "allowed_steps",
    "check",
    "check_reason",
    "long_date",
    "mermaid",
]

#: A recorded reason (stopping, emergency unblinding) must say something: at least this long.
MIN_REASON_CHARS = 10


class TrialState(StrEnum):
    DESIGNED = "designed"
    KITS_PREPARED = "kits_prepared"
    LOCKED = "locked"
    RUNNING = "running"
    FINISHED = "finished"
    STOPPED = "stopped"
    EMERGENCY_UNBLINDED = "emergency_unblinded"
    UNBLINDED = "unblinded"

    @property
    def label(self) -> str:
        """A few plain words for people (the code is for programs)."""
        return _LABELS[self]


_LABELS = {
    TrialState.DESIGNED: "Designed: kits being prepared",
    TrialState.KITS_PREPARED: "Kits prepared: plan not locked yet",
    TrialState.LOCKED: "Plan locked: not started yet",
    TrialState.RUNNING: "Running",
    TrialState.FINISHED: "Finished: ready to unblind",
    TrialState.STOPPED: "Stopped early",
    TrialState.EMERGENCY_UNBLINDED: "Ended by an emergency unblinding",
    TrialState.UNBLINDED: "Unblinded",
}


class Step(StrEnum):
    PREPARE_KITS = "prepare_kits"
    LOCK_PLAN = "lock_plan"
    START = "start"
    FINISH = "finish"
    STOP = "stop"
    EMERGENCY_UNBLIND = "emergency_unblind"
    UNBLIND = "unblind"


class Party(StrEnum):
    """Who takes a step: a person's role, or the calendar for the steps that are dates."""

    CLINICIAN = "clinician"
    PHARMACIST = "pharmacist"
    PATIENT = "patient"
    CALENDAR = "calendar"


def long_date(value: date) -> str:
    """``14 December 2025``: unambiguous in every country (no 12/14 or 14/12)."""
    return f"{value.day} {value:%B %Y}"


@dataclass(frozen=True)
class TrialFacts:
    """What has happened to a trial so far: its dates and the (patient-local) day of each step.

    ``start`` and ``end`` are the first and last day of the schedule (inclusive).
    """

    start: date
    end: date
    kits_prepared_on: date | None = None
    plan_locked_on: date | None = None
    stopped_on: date | None = None
    emergency_on: date | None = None
    unblinded_on: date | None = None

    def state(self, today: date) -> TrialState:
        """The state on ``today`` (the patient's calendar day)."""
        if self.unblinded_on is not None:
            return TrialState.UNBLINDED
        if self.emergency_on is not None:
            return TrialState.EMERGENCY_UNBLINDED
        if self.stopped_on is not None:
            return TrialState.STOPPED
        if self.kits_prepared_on is None:
            return TrialState.DESIGNED
        if self.plan_locked_on is None:
            return TrialState.KITS_PREPARED
        if today < self.start:
            return TrialState.LOCKED
        if today <= self.end:
            return TrialState.RUNNING
        return TrialState.FINISHED

    @property
    def days(self) -> int:
        """Length of the schedule in days."""
        return (self.end - self.start).days + 1

    def day_number(self, today: date) -> int | None:
        """Day 1 … :attr:`days` of the schedule, or ``None`` outside it."""
        number = (today - self.start).days + 1
        return number if 1 <= number <= self.days else None

    @property
    def ended_early_on(self) -> date | None:
        """The day a stop or an emergency unblinding ended the trial before its last day."""
        days = [d for d in (self.stopped_on, self.emergency_on) if d is not None]
        first = min(days, default=None)
        return first if first is not None and first <= self.end else None

    @property
    def last_blinded_day(self) -> date:
        """The last day whose diary entry counts: the schedule's end, or the day before the trial
        ended early (on the day of a stop or an emergency unblinding the blind is no longer
        trustworthy and the patient stops the kits)."""
        early = self.ended_early_on
        return self.end if early is None else min(self.end, early - timedelta(days=1))

    @property
    def has_blinded_days(self) -> bool:
        """True when the plan was locked, kits existed and at least one scheduled day passed
        under the blind: only then is there something to analyse."""
        return (
            self.kits_prepared_on is not None
            and self.plan_locked_on is not None
            and self.last_blinded_day >= self.start
        )


#: An extra precondition: the refusal (what to do instead), or ``None`` when it holds.
Guard = Callable[[TrialFacts, date], str | None]


@dataclass(frozen=True)
class Transition:
    """One allowed move: ``step`` taken by ``by`` from any of ``sources`` leads to ``target``."""

    step: Step
    by: Party
    sources: frozenset[TrialState]
    target: TrialState
    what: str  # finishes "Only the patient's clinician can …", e.g. "lock the analysis plan"
    needs_reason: bool = False
    guard: Guard | None = None


def _analysable(facts: TrialFacts, today: date) -> str | None:
    ended = facts.emergency_on or facts.stopped_on
    how = "ended" if facts.emergency_on is not None else "was stopped"
    if facts.plan_locked_on is None:
        return (
            f"This trial {how} before its analysis plan was locked, so there is no plan to "
            "analyse with. If the patient needs to know what a kit held, use emergency "
            "unblinding of that kit."
        )
    if not facts.has_blinded_days:
        return (
            f"This trial {how} on {long_date(ended or today)}, before it started on "
            f"{long_date(facts.start)}, so there are no blinded days to analyse. If the patient "
            "took a kit, reveal it with emergency unblinding."
        )
    return None


def _kits_exist(facts: TrialFacts, today: date) -> str | None:
    if facts.kits_prepared_on is None:
        return "No kits were prepared for this trial, so there is nothing to unblind."
    return None


_S = TrialState
#: Every allowed transition. Anything not listed is refused with a sentence from _refusal.
TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        Step.PREPARE_KITS,
        Party.PHARMACIST,
        frozenset({_S.DESIGNED}),
        _S.KITS_PREPARED,
        "record the kits prepared",
    ),
    Transition(
        Step.LOCK_PLAN,
        Party.CLINICIAN,
        frozenset({_S.KITS_PREPARED}),
        _S.LOCKED,
        "lock the analysis plan",
    ),
    Transition(Step.START, Party.CALENDAR, frozenset({_S.LOCKED}), _S.RUNNING, "start the trial"),
    Transition(
        Step.FINISH, Party.CALENDAR, frozenset({_S.RUNNING}), _S.FINISHED, "finish the trial"
    ),
    Transition(
        Step.UNBLIND,
        Party.CLINICIAN,
        frozenset({_S.FINISHED}),
        _S.UNBLINDED,
        "unblind and analyse the trial",
    ),
    Transition(
        Step.UNBLIND,
        Party.CLINICIAN,
        frozenset({_S.STOPPED, _S.EMERGENCY_UNBLINDED}),
        _S.UNBLINDED,
        "unblind and analyse the trial",
        guard=_analysable,
    ),
    Transition(
        Step.STOP,
        Party.CLINICIAN,
        frozenset({_S.DESIGNED, _S.KITS_PREPARED, _S.LOCKED, _S.RUNNING}),
        _S.STOPPED,
        "stop the trial",
        needs_reason=True,
    ),
    Transition(
        Step.EMERGENCY_UNBLIND,
        Party.CLINICIAN,
        frozenset(
            {
                _S.KITS_PREPARED,
                _S.LOCKED,
                _S.RUNNING,
                _S.FINISHED,
                _S.STOPPED,
                _S.EMERGENCY_UNBLINDED,
            }
        ),
        _S.EMERGENCY_UNBLINDED,
        "unblind a kit in an emergency",
        needs_reason=True,
        guard=_kits_exist,
    ),
)


def _refusal(step: Step, facts: TrialFacts, today: date) -> str:
    """Why ``step`` cannot be taken in the trial's state on ``today``, and what comes next."""
    state = facts.state(today)
    start, end = long_date(facts.start), long_date(facts.end)
    kits = long_date(facts.kits_prepared_on) if facts.kits_prepared_on else ""
    stopped = long_date(facts.stopped_on) if facts.stopped_on else ""
    emergency = long_date(facts.emergency_on) if facts.emergency_on else ""
    over = {
        _S.STOPPED: f"This trial was stopped on {stopped}",
        _S.EMERGENCY_UNBLINDED: f"This trial ended with an emergency unblinding on {emergency}",
        _S.UNBLINDED: "This trial is unblinded and over",
    }
    if step is Step.PREPARE_KITS:
        if state in (_S.KITS_PREPARED, _S.LOCKED, _S.RUNNING, _S.FINISHED):
            return (
                f"The kits were recorded as prepared on {kits}; there is nothing more to record. "
                "If a kit is lost or damaged, make it again from this list and tell the clinic."
            )
        return f"{over[state]}: do not prepare or dispense its kits."
    if step is Step.LOCK_PLAN:
        return _lock_refusal(state, facts, over)
    if step is Step.UNBLIND:
        return _unblind_refusal(state, facts, today)
    if step is Step.STOP:
        if state is _S.FINISHED:
            return f"The trial finished on {end}: there is nothing to stop; unblind and analyse it."
        if state is _S.STOPPED:
            return f"This trial was already stopped on {stopped}."
        return f"{over[state]}: there is nothing to stop."
    if step is Step.EMERGENCY_UNBLIND:
        if state is _S.DESIGNED:
            return (
                "No kits have been prepared yet, so there is nothing to unblind. If the patient "
                "must not take part, stop the trial."
            )
        return "Every kit is already revealed: see the allocation on the trial's page."
    if step is Step.START:
        return (
            f"The trial starts by itself on {start} once the kits are prepared and the plan is "
            "locked; nobody needs to start it."
        )
    return f"The trial finishes by itself after its last day, {end}; nobody needs to finish it."


def _lock_refusal(state: TrialState, facts: TrialFacts, over: dict[TrialState, str]) -> str:
    """Why the analysis plan cannot be locked now (:func:`_refusal`)."""
    if facts.plan_locked_on is not None:
        waiting = (
            " The trial is waiting for the pharmacy to prepare the kits."
            if state is _S.DESIGNED
            else ""
        )
        locked = long_date(facts.plan_locked_on)
        return f"The analysis plan was locked on {locked}; it cannot change now.{waiting}"
    if state is _S.DESIGNED:
        return (
            "The pharmacy has not prepared the kits yet. Lock the analysis plan after they "
            "record them prepared; this page offers it then."
        )
    if state is _S.EMERGENCY_UNBLINDED:
        emergency = long_date(facts.emergency_on) if facts.emergency_on else ""
        return (
            f"A kit was unblinded on {emergency}: a plan locked now could be swayed by what "
            "was seen, so it can no longer be locked."
        )
    return f"{over[state]}; its analysis plan can no longer be locked."


def _unblind_refusal(state: TrialState, facts: TrialFacts, today: date) -> str:
    """Why the trial cannot be unblinded now (:func:`_refusal`)."""
    start, end = long_date(facts.start), long_date(facts.end)
    if state is _S.DESIGNED:
        return (
            f"The trial has not started. The pharmacy prepares the kits, you lock the "
            f"analysis plan, and the patient takes the kits until {end}; unblind after that."
        )
    if state is _S.KITS_PREPARED:
        return (
            f"The trial has not started: lock the analysis plan so it can start on {start}, "
            f"and unblind after it ends on {end}. If a kit's content is needed now, use "
            "emergency unblinding."
        )
    if state is _S.LOCKED:
        return (
            f"The trial starts on {start} and ends on {end}: unblind and analyse after "
            "that. If a kit's content is needed now, use emergency unblinding."
        )
    if state is _S.RUNNING:
        return (
            f"The trial is running (day {facts.day_number(today)} of {facts.days}) and ends "
            f"on {end}: unblind and analyse after that, or stop it early with a reason "
            "first. If a kit's content is needed now, use emergency unblinding."
        )
    return "This trial is already unblinded; its result is on its page."


def _only(row: Transition) -> str:
    who = {
        Party.PHARMACIST: "the pharmacy preparing the kits",
        Party.CLINICIAN: "the patient's clinician",
    }[row.by]
    return f"Only {who} can {row.what}."


def check(facts: TrialFacts, step: Step, by: Party | str | None, today: date) -> Transition:
    """The transition ``by`` may take now, or :class:`TrialStateError` saying what comes next.

    ``by`` is the person's role (``clinician``, ``pharmacist``, …); ``None`` is nobody.
    """
    rows = [t for t in TRANSITIONS if t.step is step]
    if rows[0].by is Party.CALENDAR:
        raise TrialStateError(_refusal(step, facts, today), field="status")
    if by is None or str(by) not in {t.by.value for t in rows}:
        raise TrialStateError(_only(rows[0]), field="status")
    state = facts.state(today)
    row = next((t for t in rows if state in t.sources), None)
    if row is None:
        raise TrialStateError(_refusal(step, facts, today), field="status")
    if row.guard is not None and (why := row.guard(facts, today)) is not None:
        raise TrialStateError(why, field="status")
    return row


def allowed_steps(facts: TrialFacts, by: Party | str | None, today: date) -> frozenset[Step]:
    """The steps ``by`` may take now: show a button for these and for nothing else."""
    allowed = set()
    for step in Step:
        try:
            check(facts, step, by, today)
        except TrialStateError:
            continue
        allowed.add(step)
    return frozenset(allowed)


def check_reason(reason: str, *, why: str) -> str:
    """The stripped reason, or :class:`lowdose.errors.InputError` (``field="reason"``).

    ``why`` completes "say why …", e.g. ``"this kit must be unblinded"``.
    """
    text = reason.strip()
    if len(text) < MIN_REASON_CHARS:
        raise InputError(
            f"reason: say why {why} (at least {MIN_REASON_CHARS} characters); it is recorded.",
            field="reason",
        )
    return text


def mermaid() -> str:
    """The transition table as a Mermaid state diagram (``docs/nof1.md`` shows this text)."""
    lines = ["stateDiagram-v2", "    [*] --> designed: clinician designs"]
    for t in TRANSITIONS:
        reason = ", reason" if t.needs_reason else ""
        guard = ", if analysable" if t.guard is _analysable else ""
        for source in sorted(t.sources, key=list(TrialState).index):
            lines.append(f"    {source} --> {t.target}: {t.by} {t.step}{reason}{guard}")
    lines.append("    unblinded --> [*]")
    return "\n".join(lines)
