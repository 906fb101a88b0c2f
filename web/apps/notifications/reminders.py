"""The periodic job that sends patients their reminders: :func:`send_due_reminders`.

Every five minutes (:mod:`apps.jobs.schedule`) it plans the local days of every patient with a
login (:func:`lowdose.reminders.plan_day`) and sends what has fallen due and not been handled:

- a reminder due at most :data:`LATE_LIMIT` ago is sent (in-app, then e-mail);
- one found later than that (the worker was down) is *dropped*: recorded, never sent — a "take
  your dose" hours late does harm;
- the days looked at are those touching the last :data:`LOOK_BACK`; anything older is ignored.

**At most once.** Handling a reminder creates its :class:`~apps.notifications.models.ReminderSent`
row (unique per patient, kind and local day) in the same transaction as its in-app notification;
e-mail goes out only after that commits. Two workers racing: the second insert fails, that
worker skips it. The job is idempotent: running it again sends nothing new.

**Bounded queries.** Patients are grouped by their local day, and each fact is asked once per
day for the whole group (:mod:`apps.notifications.facts`, one or two queries each), so the reads
do not grow with the number of patients; the writes are one savepoint and two rows per reminder.
Each run that handled something writes one audit event with the counts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Patient
from apps.accounts.treatment import naltrexone_holders
from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.checkins.models import Checkin
from apps.notifications import facts
from apps.notifications.channels import Message, deliver
from apps.notifications.models import ReminderSent, ReminderSettings
from lowdose.reminders import (
    DayFacts,
    QuietHours,
    Reminder,
    ReminderError,
    ReminderKind,
    ReminderPreferences,
    plan_day,
    time_zone,
)

__all__ = ["LATE_LIMIT", "LOOK_BACK", "preferences_of", "send_due_reminders"]

#: A reminder found later than this is dropped, not sent (issue 14: "more than an hour late").
LATE_LIMIT = timedelta(hours=1)
#: How far back the job looks for reminders not yet handled (to count the dropped ones).
LOOK_BACK = timedelta(hours=24)

#: Where each reminder leads (a page of the patient's own).
_LINKS = {
    ReminderKind.CHECKIN: "checkins:new",
    ReminderKind.NUDGE: "checkins:new",
    ReminderKind.QUESTIONNAIRE: "clinical:assessments",
    ReminderKind.DOSE: "clinical:treatment",
    ReminderKind.TITRATION_STEP: "clinical:treatment",
    ReminderKind.NOF1_SWITCH: "nof1:list",
}


def preferences_of(patient: Patient, prefs: ReminderSettings | None) -> ReminderPreferences:
    """The core's preferences from the stored settings (defaults when none are stored)."""
    prefs = prefs or ReminderSettings()
    quiet = (
        QuietHours(prefs.quiet_start, prefs.quiet_end)
        if prefs.quiet_start is not None and prefs.quiet_end is not None
        else None
    )
    return ReminderPreferences(
        patient.time_zone,
        prefs.checkin_time,
        prefs.dose_time,
        quiet,
        frozenset(ReminderKind(k) for k in prefs.opt_out if k in set(ReminderKind)),
    )


@dataclass
class _Day:
    """The facts of one local day for a group of patients, each asked once for all of them."""

    day: date
    patients: list[Patient]

    def facts(self) -> dict[int, DayFacts]:
        ids = [p.pk for p in self.patients]
        prescribed, in_trial = naltrexone_holders(ids)
        steps = facts.titration_steps(ids, self.day)
        doses = facts.tonights_doses(ids, self.day)
        kits = facts.kit_switches(ids, self.day)
        due = facts.questionnaires_due(ids, self.day)
        morning = facts.morning_dosers(ids)
        last = dict(
            Checkin.objects.in_diary()
            .filter(patient_id__in=ids, day__lte=self.day)
            .values("patient_id")
            .annotate(last=Max("day"))
            .values_list("patient_id", "last")
        )
        return {
            pid: DayFacts(
                self.day,
                titration_dose_mg=steps.get(pid),
                kit_code=kits.get(pid),
                questionnaires=tuple(due.get(pid, ())),
                on_treatment=pid in prescribed or pid in in_trial,
                dose_tonight_mg=doses.get(pid) if pid not in in_trial else None,
                dose_in_morning=pid in morning and pid not in in_trial,
                last_checkin=last.get(pid),
            )
            for pid in ids
        }


def _link(kind: ReminderKind, patient: Patient) -> str:
    return reverse(_LINKS[kind], args=[patient.pk])


def _handle(patient: Patient, reminder: Reminder, now: datetime) -> str | None:
    """Send (or drop, when too late) one reminder; ``"sent"``, ``"dropped"``, or ``None`` when
    another run handled it first."""
    late = now - reminder.at > LATE_LIMIT
    outcome = ReminderSent.Outcome.DROPPED if late else ReminderSent.Outcome.SENT
    user = patient.user
    if user is None:  # the query selects patients with a login; one removed since
        return None
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                patient=patient,
                kind=reminder.kind.value,
                local_day=reminder.day,
                due_at=reminder.at,
                handled_at=now,
                outcome=outcome,
            )
            if not late:
                message = Message(
                    reminder.kind.value,
                    reminder.title,
                    reminder.body,
                    _link(reminder.kind, patient),
                )
                deliver(user, message, getattr(user, "reminder_settings", None), at=now)
    except IntegrityError:  # another worker handled it in between
        return None
    return outcome.value


def _days_of(patient: Patient, now: datetime) -> set[date]:
    """The patient's local days touching the look-back; none for a zone lowdose cannot read
    (the settings page refuses one; this keeps one bad row from stopping everyone's reminders)."""
    try:
        zone = time_zone(patient.time_zone)
    except ReminderError:
        return set()
    return {(now - LOOK_BACK).astimezone(zone).date(), now.astimezone(zone).date()}


def send_due_reminders(
    *, now: datetime | None = None, actor: Actor | None = None
) -> dict[str, int]:
    """Send every reminder that fell due in the last hour and has not been handled; drop (and
    count) those found later. Returns ``{"sent": n, "dropped": m}``."""
    now = now or timezone.now()
    patients = list(
        Patient.objects.filter(user__isnull=False, user__is_active=True).select_related(
            "user", "user__reminder_settings"
        )
    )
    by_day: dict[date, list[Patient]] = defaultdict(list)
    for patient in patients:
        for day in _days_of(patient, now):
            by_day[day].append(patient)
    counts = {"sent": 0, "dropped": 0}
    for day, group in sorted(by_day.items()):
        handled = set(
            ReminderSent.objects.filter(patient__in=group, local_day=day).values_list(
                "patient_id", "kind"
            )
        )
        day_facts = _Day(day, group).facts()
        for patient in group:
            for reminder in _due(patient, day_facts[patient.pk], now):
                if (patient.pk, reminder.kind.value) in handled:
                    continue
                outcome = _handle(patient, reminder, now)
                if outcome is not None:
                    counts[outcome] += 1
    if counts["sent"] or counts["dropped"]:
        with transaction.atomic():
            record_as(actor or Actor.system(), "reminders.send", detail=dict(counts))
    return counts


def _due(patient: Patient, day_facts: DayFacts, now: datetime) -> list[Reminder]:
    """The reminders of the patient's day that are due by ``now`` and not older than the look-
    back; a patient's settings that no longer make sense (an unknown zone) give none."""
    try:
        prefs = preferences_of(patient, getattr(patient.user, "reminder_settings", None))
        plan = plan_day(prefs, day_facts)
    except ReminderError:
        return []
    return [r for r in plan.due if now - LOOK_BACK < r.at <= now]


def settings_for(user: Any) -> ReminderSettings:
    """The stored settings of ``user``, or the defaults (unsaved) when none are stored."""
    found = ReminderSettings.objects.filter(user=user).first()
    return found or ReminderSettings(user=user)
