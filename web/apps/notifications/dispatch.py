"""Safety-net alerts reach the patient's clinicians: urgent ones at once, the rest in a digest.

When an alert is stored (:func:`apps.alerts.actions.raise_alert`, whoever raised it), the
``post_save`` signal (connected in :class:`apps.notifications.apps.NotificationsConfig`) waits for
the transaction to commit (``transaction.on_commit``: an alert rolled back never notifies) and, if
the alert is urgent, queues :func:`notify_alert` on the worker (Django-Q2 ``async_task``): each
clinician of the patient's care team who wants urgent alerts at once gets an in-app notification
and an e-mail. The others, and every alert that is not urgent, wait for
:func:`send_alert_digests`, which every five minutes sends each clinician whose digest time has
come one digest of the open alerts that have not reached them yet.

**At most once per clinician.** An :class:`~apps.notifications.models.AlertNotice` row (unique
per alert and clinician) is created in the transaction that notifies; a retried job, or a digest
racing the urgent notice, finds it and sends nothing. A :class:`DigestSent` row (unique per
clinician and local day) does the same for the digest.

**No patient data in e-mail.** The in-app notification names the patient and the alert; the
e-mail says only that an alert is waiting (:class:`apps.notifications.channels.Message`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_q.tasks import async_task

from apps.accounts.models import Role, User
from apps.alerts.models import Alert, Severity
from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.notifications.channels import Message, deliver
from apps.notifications.models import AlertNotice, DigestSent, ReminderSettings
from lowdose.reminders import ReminderError, local_instant, time_zone

__all__ = ["DIGEST_LOOK_BACK", "notify_alert", "on_alert_saved", "send_alert_digests"]

#: A digest lists the open alerts of this many days that have not reached the clinician.
DIGEST_LOOK_BACK = timedelta(days=7)


def on_alert_saved(sender: Any, instance: Alert, created: bool, **kwargs: Any) -> None:
    """``post_save`` of an alert: a new urgent one is queued for :func:`notify_alert` once its
    transaction commits."""
    if created and instance.severity == Severity.URGENT and not kwargs.get("raw"):
        pk = instance.pk
        transaction.on_commit(
            lambda: async_task("apps.notifications.dispatch.notify_alert", pk, group="alerts")
        )


def _settings(user: User) -> ReminderSettings:
    found: ReminderSettings | None = getattr(user, "reminder_settings", None)
    return found or ReminderSettings(user=user)


def _care_team(alert: Alert) -> list[User]:
    return list(
        User.objects.filter(
            role=Role.CLINICIAN, is_active=True, care_teams__patients=alert.patient_id
        )
        .select_related("reminder_settings")
        .distinct()
    )


def notify_alert(alert_id: int) -> int:
    """Tell each clinician of the patient's care team who wants urgent alerts at once about
    alert ``alert_id`` (in-app and e-mail); returns how many were told. Nothing for an alert
    gone, resolved or not urgent. Idempotent (a retried job tells nobody twice)."""
    alert = Alert.objects.select_related("patient").filter(pk=alert_id).first()
    if alert is None or alert.resolved_at is not None or alert.severity != Severity.URGENT:
        return 0
    told = 0
    message = Message(
        "alert",
        f"Urgent alert: {alert.patient.display_name}",
        alert.message,
        reverse("alerts:inbox"),
        email_subject="Urgent alert waiting in lowdose",
        email_body="An urgent alert about one of your patients is waiting in lowdose. Please "
        "sign in and open your alerts now.",
    )
    for clinician in _care_team(alert):
        prefs = _settings(clinician)
        if not prefs.urgent_at_once:
            continue
        try:
            with transaction.atomic():
                AlertNotice.objects.create(
                    alert=alert, clinician=clinician, mode=AlertNotice.Mode.AT_ONCE
                )
                deliver(clinician, message, prefs)
                told += 1
        except IntegrityError:  # told already (a retried job, or the digest)
            continue
    if told:
        with transaction.atomic():
            record_as(
                Actor.system(alert.patient.clinic_id),
                "notifications.alert",
                patient_id=alert.patient_id,
                obj=alert,
                detail={"clinicians": told, "mode": "at_once"},
            )
    return told


def _digest_zone(prefs: ReminderSettings) -> ZoneInfo:
    try:
        return time_zone(prefs.time_zone or settings.DEFAULT_PATIENT_TIME_ZONE)
    except ReminderError:
        return time_zone(settings.DEFAULT_PATIENT_TIME_ZONE)


def _digest_for(clinician: User, now: datetime) -> int | None:
    """Send ``clinician``'s digest if its time has come today and it was not sent; the number of
    alerts in it, or ``None`` when nothing was due."""
    prefs = _settings(clinician)
    zone = _digest_zone(prefs)
    today = now.astimezone(zone).date()
    if local_instant(today, prefs.digest_time, zone) > now:
        return None
    if DigestSent.objects.filter(clinician=clinician, local_day=today).exists():
        return None
    waiting = list(
        Alert.objects.filter(
            patient__care_team__clinicians=clinician,
            resolved_at__isnull=True,
            raised_at__gte=now - DIGEST_LOOK_BACK,
        )
        .exclude(notices__clinician=clinician)
        .select_related("patient")
        .distinct()
    )
    try:
        with transaction.atomic():
            DigestSent.objects.create(clinician=clinician, local_day=today, alerts=len(waiting))
            if not waiting:
                return 0
            AlertNotice.objects.bulk_create(
                [
                    AlertNotice(alert=a, clinician=clinician, mode=AlertNotice.Mode.DIGEST)
                    for a in waiting
                ],
                ignore_conflicts=True,
            )
            lines = [f"- {a.patient.display_name}: {a.message}" for a in waiting]
            patients = len({a.patient_id for a in waiting})
            deliver(
                clinician,
                Message(
                    "alert_digest",
                    f"{len(waiting)} alert{'s' if len(waiting) != 1 else ''} waiting "
                    f"({patients} patient{'s' if patients != 1 else ''})",
                    "\n".join(lines),
                    reverse("alerts:inbox"),
                    email_subject="Alerts waiting in lowdose",
                    email_body=f"{len(waiting)} alert(s) about {patients} of your patients are "
                    "waiting in lowdose. Please sign in and open your alerts.",
                ),
                prefs,
                at=now,
            )
            record_as(
                Actor.system(clinician.clinic_id),
                "notifications.digest",
                detail={"clinician_id": clinician.pk, "alerts": len(waiting)},
            )
    except IntegrityError:  # another run sent today's digest
        return None
    return len(waiting)


def send_alert_digests(*, now: datetime | None = None) -> int:
    """Send the daily alert digest of every clinician whose digest time has come today; returns
    how many digests went out with at least one alert. Idempotent."""
    now = now or timezone.now()
    sent = 0
    clinicians = User.objects.filter(role=Role.CLINICIAN, is_active=True).select_related(
        "reminder_settings"
    )
    for clinician in clinicians:
        if _digest_for(clinician, now):
            sent += 1
    return sent
