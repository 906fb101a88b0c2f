"""How a notification reaches a person: a list of channels, each tried in turn.

Every message is first stored in the in-app list (a :class:`Notification`, in the caller's
transaction); the other channels send it once that transaction has committed. Today that is
e-mail (Django's ``send_mail``: the console on a laptop, SMTP when ``LOWDOSE_EMAIL_HOST`` is
set) and Web Push to every browser where the person turned notifications on
(:func:`apps.webapp.push.send_push`). A channel that fails does not undo the in-app notification
or stop the others; the failure is logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.notifications.models import Notification, ReminderSettings
from apps.webapp import push

__all__ = ["CHANNELS", "Channel", "EmailChannel", "Message", "PushChannel", "deliver"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Message:
    """What to say. ``link`` is a path on this site (``/notifications/``), shown in the in-app
    list. ``email_subject`` and ``email_body`` replace ``title`` and ``body`` in e-mail: a
    message about a patient (an alert) says in e-mail only that something is waiting, never the
    patient's data (mail is not a safe place for it)."""

    kind: str
    title: str
    body: str
    link: str = ""
    email_body: str | None = None
    email_subject: str | None = None


class Channel(Protocol):
    """One way to reach a person beyond the in-app list."""

    name: str

    def send(self, user: User, message: Message, prefs: ReminderSettings | None) -> bool:
        """Deliver ``message`` to ``user``; True when it went out, False when it did not apply
        (no address, turned off). Raise only for a real failure."""
        ...


class EmailChannel:
    """E-mail, when the person has an address and did not turn e-mail off."""

    name = "email"

    def send(self, user: User, message: Message, prefs: ReminderSettings | None) -> bool:
        if not user.email or (prefs is not None and not prefs.email):
            return False
        body = message.body if message.email_body is None else message.email_body
        send_mail(
            subject=message.title if message.email_subject is None else message.email_subject,
            message=f"{body}\n\nOpen lowdose to see more. You can change which messages you get "
            "by e-mail in your reminder settings.",
            from_email=None,
            recipient_list=[user.email],
        )
        return True


class PushChannel:
    """Web Push to each browser where the person turned notifications on (a subscription is the
    opt-in; turning it off on the device removes it). A notification shows on a locked phone's
    screen, which is no safer than mail: a message about a patient sends its e-mail words, which
    never name the patient."""

    name = "push"

    def send(self, user: User, message: Message, prefs: ReminderSettings | None) -> bool:
        if not push.enabled():
            return False
        delivered = push.send_push(
            user,
            title=message.title if message.email_subject is None else message.email_subject,
            body=message.body if message.email_body is None else message.email_body,
            url=message.link or "/notifications/",
        )
        return delivered > 0


#: The channels after the in-app list, in order.
CHANNELS: list[Channel] = [EmailChannel(), PushChannel()]


def _send_outside(user: User, message: Message, prefs: ReminderSettings | None) -> None:
    for channel in CHANNELS:
        try:
            channel.send(user, message, prefs)
        except Exception:  # a mail server down must not stop the other channels
            log.exception("Channel %s failed for user %s", channel.name, user.pk)


def deliver(
    user: User, message: Message, prefs: ReminderSettings | None, *, at: datetime | None = None
) -> Notification:
    """Store ``message`` in ``user``'s in-app list now (in the caller's transaction), and send
    it on every other channel once that transaction has committed: a message whose sending was
    rolled back (a race lost, an error) never leaves the server. ``at``: when it was made (the
    job's clock; now by default)."""
    notification = Notification.objects.create(
        created_at=at or timezone.now(),
        recipient=user,
        kind=message.kind,
        title=message.title[:200],
        body=message.body,
        link=message.link,
    )
    transaction.on_commit(lambda: _send_outside(user, message, prefs))
    return notification
