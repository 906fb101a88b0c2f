"""Where an N-of-1 trial stands, in plain words for each person: the state, what happens next,
who does it, and the day of the trial ("Day 12 of 84").

The sentences follow the rules of :mod:`lowdose.outcomes.trial_states` (what comes next is
what its table allows), and the web pages, the API and the lists all show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lowdose.outcomes.trial_states import (
    Party,
    Step,
    TrialFacts,
    TrialState,
    allowed_steps,
    long_date,
)
from lowdose.serial import Plain

__all__ = ["Situation", "describe"]

_S = TrialState


@dataclass(frozen=True)
class Situation(Plain):
    """Where a trial stands for one person: the state, what happens next and who does it."""

    state: TrialState
    label: str
    next_step: str
    next_by: Party | None
    day: int | None
    days: int


#: Who acts next, and the sentence for each person.
_Next = tuple[Party | None, dict[Party, str]]


def describe(facts: TrialFacts, today: date, viewer: Party | str | None) -> Situation:
    """The state in plain words for ``viewer`` (``patient``, ``pharmacist``; anyone else reads
    the clinician's sentences): what happens next, who does it, and the day of the trial."""
    state = facts.state(today)
    who = Party(viewer) if viewer in (Party.PATIENT, Party.PHARMACIST) else Party.CLINICIAN
    day = facts.day_number(today) if state is _S.RUNNING else None
    if state in (_S.STOPPED, _S.EMERGENCY_UNBLINDED):
        next_by, text = _ended_early(facts, today, emergency=state is _S.EMERGENCY_UNBLINDED)
    else:
        next_by, text = _SENTENCES.get(state, _unblinded)(facts, today)
    return Situation(state, state.label, text[who], next_by, day, facts.days)


def _designed(facts: TrialFacts, today: date) -> _Next:
    start = long_date(facts.start)
    return Party.PHARMACIST, {
        Party.CLINICIAN: (
            "Waiting for the pharmacy to prepare the kits. Then you lock the analysis plan; "
            f"the trial starts on {start}."
        ),
        Party.PHARMACIST: (
            "Prepare the kits from this list, then record them prepared. The clinician locks "
            "the analysis plan next."
        ),
        Party.PATIENT: (
            "The pharmacy is preparing your trial kits. Your clinician confirms the plan "
            f"before you start on {start}; do not start before then."
        ),
    }


def _kits_prepared(facts: TrialFacts, today: date) -> _Next:
    start = long_date(facts.start)
    kits = long_date(facts.kits_prepared_on or today)
    late = today >= facts.start
    return Party.CLINICIAN, {
        Party.CLINICIAN: (
            f"The planned start, {start}, has come: lock the analysis plan now so the "
            "patient can start, or stop the trial and design a new one."
            if late
            else f"The pharmacy prepared the kits on {kits}. Lock the analysis plan so the "
            f"trial can start on {start}."
        ),
        Party.PHARMACIST: (
            f"Kits recorded as prepared on {kits}. Waiting for the clinician to lock the "
            "analysis plan; nothing more for the pharmacy to do."
        ),
        Party.PATIENT: (
            "Your kits are ready. Wait for your clinician to confirm the plan before you "
            "take the first capsule."
            if late
            else f"Your kits are ready. Your clinician confirms the plan next; you start on "
            f"{start}."
        ),
    }


def _locked(facts: TrialFacts, today: date) -> _Next:
    start, end = long_date(facts.start), long_date(facts.end)
    return Party.PATIENT, {
        Party.CLINICIAN: (
            f"Starts on {start}: the patient takes one capsule a day from each period's kit "
            f"and checks in daily. Unblind and analyse after {end}."
        ),
        Party.PHARMACIST: (
            f"Plan locked; the trial starts on {start}. Nothing more for the pharmacy to do."
        ),
        Party.PATIENT: (
            f"Your trial starts on {start}. From then on take one capsule at bedtime from "
            "the kit of that period (listed below) and check in every day."
        ),
    }


def _running(facts: TrialFacts, today: date) -> _Next:
    end = long_date(facts.end)
    progress = f"Day {facts.day_number(today)} of {facts.days}."
    return Party.PATIENT, {
        Party.CLINICIAN: (
            f"{progress} The patient takes each day's kit and checks in daily until {end}; "
            "then you unblind and analyse."
        ),
        Party.PHARMACIST: f"{progress} Runs until {end}; nothing for the pharmacy to do.",
        Party.PATIENT: (
            f"{progress} Take one capsule from today's kit at bedtime and check in every "
            f"day until {end}."
        ),
    }


def _finished(facts: TrialFacts, today: date) -> _Next:
    end = long_date(facts.end)
    return Party.CLINICIAN, {
        Party.CLINICIAN: (
            f"The last period ended on {end}. Unblind and analyse: the result appears here "
            "and on the patient's page."
        ),
        Party.PHARMACIST: f"Finished on {end}; nothing for the pharmacy to do.",
        Party.PATIENT: (
            f"Your trial finished on {end}: stop taking trial capsules. Your clinician "
            "unblinds it next and goes through the result with you."
        ),
    }


def _ended_early(facts: TrialFacts, today: date, *, emergency: bool) -> _Next:
    """Stopped, or ended by an emergency unblinding: may the clinician still analyse?"""
    on = long_date((facts.emergency_on if emergency else facts.stopped_on) or today)
    ended = (
        f"A kit was unblinded in an emergency on {on}, which ended the trial and its blind."
        if emergency
        else f"Stopped on {on}."
    )
    can_analyse = Step.UNBLIND in allowed_steps(facts, Party.CLINICIAN, today)
    then = (
        "You can unblind and analyse the days recorded before that; the result will say "
        "the trial ended early."
        if can_analyse
        else (
            "Nothing more to do. If the patient needs to know what a kit held, use emergency "
            "unblinding of that kit."
            if facts.kits_prepared_on is not None and not emergency
            else "Nothing more to do."
        )
    )
    pharmacy = (
        "do not prepare or dispense its kits."
        if facts.kits_prepared_on is None
        else "nothing more for the pharmacy to do."
    )
    return Party.CLINICIAN if can_analyse else None, {
        Party.CLINICIAN: f"{ended} {then}",
        Party.PHARMACIST: f"The trial ended early on {on}: {pharmacy}",
        Party.PATIENT: (
            f"Your trial ended early on {on}. Do not take any more trial capsules; your "
            "clinician will talk with you about what comes next."
        ),
    }


def _unblinded(facts: TrialFacts, today: date) -> _Next:
    on = long_date(facts.unblinded_on or today)
    return None, {
        Party.CLINICIAN: (
            f"Unblinded on {on}. The result and the allocation are below; go through them "
            "with the patient."
        ),
        Party.PHARMACIST: f"Unblinded on {on}; the trial is over.",
        Party.PATIENT: (
            "Your trial is unblinded: your result is below, and your clinician will go "
            "through it with you."
        ),
    }


#: The sentences of each state; any other state (unblinded) reads :func:`_unblinded`.
_SENTENCES = {
    _S.DESIGNED: _designed,
    _S.KITS_PREPARED: _kits_prepared,
    _S.LOCKED: _locked,
    _S.RUNNING: _running,
    _S.FINISHED: _finished,
}
