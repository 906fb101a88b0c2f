"""The housekeeping jobs prune exactly what has expired, audit how much, and are safe to repeat.

Every job is called directly with ``now`` (a controlled clock); no worker runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone
from django_q.tasks import async_task

from apps.accounts import throttle
from apps.accounts.housekeeping import (
    prune_expired_api_tokens,
    prune_expired_invitations,
    prune_expired_login_limits,
    prune_expired_sessions,
)
from apps.accounts.models import ApiToken, Invitation, Patient, User
from apps.audit.actor import Actor
from apps.audit.models import AuditEvent
from apps.audit.words import AREAS, describe

NOW = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # the night clocks change in Europe


def _prune_events(action: str) -> list[dict[str, Any]]:
    rows = AuditEvent.objects.filter(action=action).values("actor_username", "detail", "patient_id")
    return [dict(row) for row in rows]


def _session(expires: datetime) -> str:
    store = SessionStore()
    store["who"] = "someone"
    store.create()
    assert store.session_key is not None
    Session.objects.filter(session_key=store.session_key).update(expire_date=expires)
    return store.session_key


@pytest.mark.django_db
def test_expired_sessions_are_pruned_and_live_ones_kept() -> None:
    gone = [_session(NOW - timedelta(hours=1)), _session(NOW - timedelta(seconds=1))]
    kept = [_session(NOW + timedelta(seconds=1)), _session(NOW + timedelta(hours=12))]

    assert prune_expired_sessions(now=NOW) == 2

    remaining = set(Session.objects.values_list("session_key", flat=True))
    assert remaining == set(kept)
    assert not remaining & set(gone)
    assert _prune_events("housekeeping.sessions.prune") == [
        {"actor_username": "system", "detail": {"pruned": 2}, "patient_id": None}
    ]


def test_the_audit_page_names_each_pruning_in_words() -> None:
    assert describe("housekeeping.invitations.prune") == "Pruned expired invitations"
    assert describe("housekeeping.login_limits.prune") == "Pruned expired login limits"
    assert "housekeeping" in AREAS  # the clinic admin can filter on it


@pytest.mark.django_db
def test_pruning_twice_prunes_nothing_more_and_audits_once() -> None:
    _session(NOW - timedelta(minutes=5))
    assert prune_expired_sessions(now=NOW) == 1
    assert prune_expired_sessions(now=NOW) == 0
    assert len(_prune_events("housekeeping.sessions.prune")) == 1


def _token(user: User, key: str, expires: datetime) -> ApiToken:
    return ApiToken.objects.create(
        user=user,
        key_hash=ApiToken.hash(key),
        created_at=NOW - timedelta(days=30),
        expires_at=expires,
    )


@pytest.mark.django_db
def test_expired_api_tokens_are_pruned_at_their_expiry(patient: Patient, clinician: User) -> None:
    assert patient.user is not None
    _token(patient.user, "old", NOW - timedelta(days=1))
    _token(clinician, "just-expired", NOW)  # expires_at == now: no longer valid
    live = _token(patient.user, "live", NOW + timedelta(seconds=1))

    assert prune_expired_api_tokens(now=NOW, actor=Actor.system()) == 2

    assert list(ApiToken.objects.values_list("pk", flat=True)) == [live.pk]
    assert _prune_events("housekeeping.api_tokens.prune") == [
        {"actor_username": "system", "detail": {"pruned": 2}, "patient_id": None}
    ]
    assert prune_expired_api_tokens(now=NOW) == 0


def _invitation(patient: Patient, by: User, expires: datetime, used: datetime | None) -> Invitation:
    return Invitation.objects.create(
        patient=patient,
        token_hash=Invitation.hash(f"{patient.pk}-{expires}-{used}"),
        created_by=by,
        created_at=expires - timedelta(days=7),
        expires_at=expires,
        used_at=used,
    )


@pytest.mark.django_db
def test_only_expired_unaccepted_invitations_are_pruned_and_the_patient_stays(
    patient: Patient, clinician: User
) -> None:
    invited = Patient.objects.create(
        clinic=patient.clinic, care_team=patient.care_team, display_name="Never came"
    )
    expired = _invitation(invited, clinician, NOW - timedelta(days=1), used=None)
    open_one = _invitation(invited, clinician, NOW + timedelta(days=1), used=None)
    accepted = _invitation(
        patient, clinician, NOW - timedelta(days=2), used=NOW - timedelta(days=3)
    )

    assert prune_expired_invitations(now=NOW) == 1

    remaining = set(Invitation.objects.values_list("pk", flat=True))
    assert remaining == {open_one.pk, accepted.pk}
    assert expired.pk not in remaining
    assert Patient.objects.filter(pk=invited.pk).exists()  # the clinical record is untouched
    assert _prune_events("housekeeping.invitations.prune") == [
        {"actor_username": "system", "detail": {"pruned": 1}, "patient_id": None}
    ]
    assert prune_expired_invitations(now=NOW) == 0


def _cache_keys() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM lowdose_cache")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
def test_expired_login_counters_are_pruned_and_no_other_cache_entry(settings: Any) -> None:
    cache = caches["default"]
    cache.clear()
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="198.51.100.7")
    throttle.record_failure(request, "someone")  # three counters, for the lockout window
    cache.set("not-a-login-counter", 1, timeout=1)
    before = _cache_keys()
    assert len(before) == 4

    window = settings.LOGIN_LIMIT_WINDOW
    now = timezone.now()
    assert prune_expired_login_limits(now=now) == 0  # the window is still running
    assert _cache_keys() == before

    assert prune_expired_login_limits(now=now + window + timedelta(seconds=2)) == 3
    assert _cache_keys() == {cache.make_key("not-a-login-counter")}
    assert _prune_events("housekeeping.login_limits.prune") == [
        {"actor_username": "system", "detail": {"pruned": 3}, "patient_id": None}
    ]
    assert prune_expired_login_limits(now=now + window + timedelta(seconds=2)) == 0


@pytest.mark.django_db
def test_without_the_database_cache_there_are_no_counter_rows_to_prune(settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert prune_expired_login_limits(now=NOW) == 0


@pytest.mark.django_db
def test_a_job_sent_to_the_queue_runs_at_once_in_the_tests(patient: Patient) -> None:
    """The tests run Django-Q2 in its synchronous mode (web/conftest.py): no worker needed."""
    assert patient.user is not None
    _token(patient.user, "old", timezone.now() - timedelta(days=1))

    async_task("apps.accounts.housekeeping.prune_expired_api_tokens")

    assert not ApiToken.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_pruning_at_once_delete_each_row_once(patient: Patient) -> None:
    """PostgreSQL: two runs racing (two workers, or a retried job beside a slow one) delete every
    expired token once between them, and audit exactly what each deleted. (SQLite's in-memory
    test database cannot hold two real connections; it has one writer at a time anyway.)"""
    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections to one PostgreSQL database")
    from apps.jobs.tests.racing import race

    assert patient.user is not None
    for n in range(40):
        _token(patient.user, f"old-{n}", NOW - timedelta(minutes=n + 1))
    counts = race(lambda _: prune_expired_api_tokens(now=NOW))
    assert sum(counts) == 40
    assert not ApiToken.objects.exists()
    audited = [e["detail"]["pruned"] for e in _prune_events("housekeeping.api_tokens.prune")]
    assert sorted(audited) == sorted(c for c in counts if c)
