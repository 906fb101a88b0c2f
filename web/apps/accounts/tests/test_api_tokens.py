"""API tokens: listed and revoked by their owner, pruned when expired, bounded per user."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from conftest import PASSWORD
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from apps.accounts.models import ApiToken, Patient, User


def _issue(username: str = "patient", label: str = "") -> str:
    response = Client().post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORD, "label": label},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_owner_lists_their_tokens_and_sees_which_is_in_use(
    patient: Patient, other_patient: Patient
) -> None:
    phone = _issue(label="phone")
    _issue(label="laptop")
    _issue("other_patient")
    listed = Client().get("/api/v1/auth/tokens", headers=_auth(phone)).json()
    assert listed["next"] is None
    rows = listed["items"]
    assert [(r["label"], r["current"]) for r in rows] == [("laptop", False), ("phone", True)]
    assert set(rows[0]) == {"id", "label", "created_at", "expires_at", "last_used_at", "current"}
    assert all("token" not in r and "key_hash" not in r for r in rows)


def test_the_owner_revokes_one_token_but_not_someone_elses(
    patient: Patient, other_patient: Patient
) -> None:
    mine = _issue()
    spare = _issue()
    theirs = _issue("other_patient")
    spare_id = ApiToken.objects.get(key_hash=ApiToken.hash(spare)).pk
    their_id = ApiToken.objects.get(key_hash=ApiToken.hash(theirs)).pk

    assert (
        Client().delete(f"/api/v1/auth/tokens/{their_id}", headers=_auth(mine)).status_code == 404
    )
    assert (
        Client().delete(f"/api/v1/auth/tokens/{spare_id}", headers=_auth(mine)).status_code == 204
    )

    assert Client().get("/api/v1/me", headers=_auth(spare)).status_code == 401
    assert Client().get("/api/v1/me", headers=_auth(theirs)).status_code == 200


def test_deleting_the_current_token_logs_out_of_the_api(patient: Patient) -> None:
    token = _issue()
    assert Client().delete("/api/v1/auth/token", headers=_auth(token)).status_code == 204
    assert Client().get("/api/v1/me", headers=_auth(token)).status_code == 401


def test_a_new_password_revokes_every_token(patient: Patient) -> None:
    token = _issue()
    user = patient.user
    assert user is not None
    user.set_password("a-different-passphrase")
    user.save()
    assert Client().get("/api/v1/me", headers=_auth(token)).status_code == 401


def test_issuing_prunes_expired_tokens_and_keeps_a_bounded_number(
    patient: Patient, settings: Any
) -> None:
    user = patient.user
    assert user is not None
    ApiToken.objects.create(
        user=user, key_hash="0" * 64, expires_at=timezone.now() - timedelta(seconds=1)
    )
    settings.API_TOKENS_PER_USER = 3
    tokens = [_issue() for _ in range(5)]
    assert ApiToken.objects.filter(user=user).count() == 3
    assert not ApiToken.objects.filter(key_hash="0" * 64).exists()
    # the newest three survive
    assert Client().get("/api/v1/me", headers=_auth(tokens[-1])).status_code == 200
    assert Client().get("/api/v1/me", headers=_auth(tokens[0])).status_code == 401


def test_prune_tokens_deletes_only_expired_ones(
    patient: Patient, clinician: User, capsys: Any
) -> None:
    now = timezone.now()
    ApiToken.objects.create(user=clinician, key_hash="1" * 64, expires_at=now - timedelta(days=1))
    ApiToken.objects.create(user=clinician, key_hash="2" * 64, expires_at=now + timedelta(days=1))
    call_command("prune_tokens")
    assert "Deleted 1 expired API token." in capsys.readouterr().out
    assert list(ApiToken.objects.values_list("key_hash", flat=True)) == ["2" * 64]


def test_a_tokens_last_use_is_written_at_most_once_an_hour(patient: Patient) -> None:
    """Reads do not write: a client calling all day costs one UPDATE an hour (issue 14)."""
    from unittest import mock

    from apps.accounts.auth import LAST_USE_RESOLUTION

    token = _issue()
    row = ApiToken.objects.get(key_hash=ApiToken.hash(token))
    start = timezone.now()

    def call_at(moment: Any) -> Any:
        with mock.patch("apps.accounts.auth.timezone.now", return_value=moment):
            assert Client().get("/api/v1/me", headers=_auth(token)).status_code == 200
        row.refresh_from_db()
        return row.last_used_at

    assert call_at(start) == start
    assert call_at(start + timedelta(minutes=59)) == start  # not rewritten within the hour
    later = start + LAST_USE_RESOLUTION
    assert call_at(later) == later
    assert timedelta(hours=1) == LAST_USE_RESOLUTION
