"""Housekeeping jobs of accounts: prune what has expired (sessions, API tokens, login counters,
unaccepted invitations).

The worker runs them on the schedule in :mod:`apps.jobs.schedule`; each is also an ordinary
action, called directly by tests (with ``now``, a controlled clock) and by management commands.
Each one deletes with a single conditional ``DELETE`` in its own transaction and counts the rows
that statement removed, so two runs at once (two workers, or a retried job beside a slow one)
are harmless: whatever both see expired is deleted once, and the two counts add up to what went.
A run that removed something writes one audit event, in the same transaction, saying how many
rows went (``detail={"pruned": n}``); a run that found nothing writes none (the job's own result
is in the admin's list of background jobs).

Invitations: only expired, *unaccepted* ones are deleted. The invitation's audit event
(``patient.invite``) names it by type and id as text, not by a foreign key, and keeps who invited
which patient and when; the patient record the invitation was made for is never touched.
Accepted invitations stay (they say when the patient joined).
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction
from django.utils import timezone

from apps.accounts.models import ApiToken, Invitation
from apps.accounts.throttle import _PREFIX as LOGIN_COUNTER_PREFIX
from apps.audit.actor import Actor
from apps.audit.log import record_as

__all__ = [
    "prune_expired_api_tokens",
    "prune_expired_invitations",
    "prune_expired_login_limits",
    "prune_expired_sessions",
]


def _audited(actor: Actor | None, action: str, pruned: int) -> int:
    if pruned:
        record_as(actor or Actor.system(), action, detail={"pruned": pruned})
    return pruned


def prune_expired_sessions(*, now: datetime | None = None, actor: Actor | None = None) -> int:
    """Delete the sessions that expired before ``now``; returns how many went.

    The same rows as Django's ``clearsessions`` (``SessionStore.clear_expired``), with the clock
    given. A session engine that keeps no rows (cache, signed cookies) expires its own sessions:
    nothing to do, 0."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not issubclass(store, DatabaseSessionStore):
        return 0
    now = now or timezone.now()
    model = store.get_model_class()
    with transaction.atomic():
        pruned, _ = model.objects.filter(expire_date__lt=now).delete()
        return _audited(actor, "housekeeping.sessions.prune", pruned)


def prune_expired_api_tokens(*, now: datetime | None = None, actor: Actor | None = None) -> int:
    """Delete every API token (of everyone) that expired at or before ``now``; returns how many
    went. An expired token already authenticates nothing (:mod:`apps.accounts.auth`)."""
    now = now or timezone.now()
    with transaction.atomic():
        pruned, _ = ApiToken.objects.filter(expires_at__lte=now).delete()
        return _audited(actor, "housekeeping.api_tokens.prune", pruned)


def prune_expired_invitations(*, now: datetime | None = None, actor: Actor | None = None) -> int:
    """Delete the invitations that expired at or before ``now`` without being accepted; returns
    how many went. The patients they were made for stay (the clinic can invite them again)."""
    now = now or timezone.now()
    with transaction.atomic():
        pruned, _ = Invitation.objects.filter(used_at__isnull=True, expires_at__lte=now).delete()
        return _audited(actor, "housekeeping.invitations.prune", pruned)


def prune_expired_login_limits(*, now: datetime | None = None, actor: Actor | None = None) -> int:
    """Delete the login counters (:mod:`apps.accounts.throttle`) whose window ended before
    ``now``; returns how many went.

    The counters live in Django's cache. The database cache drops an expired row only when it is
    read again or when the table outgrows ``MAX_ENTRIES``, so the failures of addresses that
    never come back would stay; this deletes exactly those rows (and no other cache entry). The
    local-memory cache (one process) forgets by itself: 0."""
    cache = caches["default"]
    if not isinstance(cache, DatabaseCache):
        return 0
    now = now or timezone.now()
    # As DatabaseCache writes and compares `expires`: whole seconds, UTC.
    expired_before = now.astimezone(UTC).replace(microsecond=0)
    alias = router.db_for_write(cache.cache_model_class)
    connection = connections[alias]
    table = connection.ops.quote_name(cache.cache_model_class._meta.db_table)
    # make_key adds the cache's KEY_PREFIX and version, as every counter's key has them; the
    # prefix has no LIKE wildcard in it (letters and colons).
    pattern = cache.make_key(f"{LOGIN_COUNTER_PREFIX}:") + "%"
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE cache_key LIKE %s AND expires < %s",  # noqa: S608 - quoted name
            [pattern, connection.ops.adapt_datetimefield_value(expired_before)],
        )
        pruned = max(cursor.rowcount, 0)
        return _audited(actor, "housekeeping.login_limits.prune", pruned)
