"""Password reset by e-mail (Django's views): the link works once, unknown addresses look the same,
and a new password revokes the API tokens."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.core import mail
from django.test import Client
from django.utils import timezone

from apps.accounts.models import ApiToken, Patient, User


def _ask(address: str) -> Any:
    return Client().post("/accounts/password/reset/", {"email": address}, follow=True)


def test_a_reset_link_by_e_mail_sets_a_new_password_once(patient: Patient) -> None:
    user = patient.user
    assert user is not None
    user.email = "alex@example.org"
    user.save(update_fields=["email"])
    _, digest = ApiToken.new_token()
    ApiToken.objects.create(
        user=user, key_hash=digest, expires_at=timezone.now() + timedelta(days=1)
    )

    page = _ask("alex@example.org")

    assert "Check your e-mail" in page.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alex@example.org"]
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", str(mail.outbox[0].body))
    assert link is not None
    client = Client()
    form = client.get(link.group(1), follow=True)  # Django swaps the token for a session URL
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase")
    assert not ApiToken.objects.filter(user=user).exists()  # revoked with the old password
    again = Client().get(link.group(1), follow=True)
    assert "This link no longer works" in again.content.decode()


def test_an_unknown_address_gets_the_same_page_and_no_mail(patient: Patient) -> None:
    user = patient.user
    assert user is not None
    user.email = "alex@example.org"
    user.save(update_fields=["email"])
    known = _ask("alex@example.org")
    unknown = _ask("nobody@example.org")
    assert len(mail.outbox) == 1
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", known.content.decode()) == strip.sub("", unknown.content.decode())


def test_changing_the_password_revokes_every_api_token(client_for: Any, clinician: User) -> None:
    for _ in range(2):
        _, digest = ApiToken.new_token()
        ApiToken.objects.create(
            user=clinician, key_hash=digest, expires_at=timezone.now() + timedelta(days=1)
        )
    from conftest import PASSWORD

    response = client_for(clinician).post(
        "/accounts/password/change/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-passphrase",
            "new_password2": "another-long-passphrase",
        },
    )
    assert response.status_code == 302
    assert ApiToken.objects.filter(user=clinician).count() == 0
