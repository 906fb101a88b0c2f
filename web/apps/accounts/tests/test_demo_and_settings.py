"""The demo clinic loads idempotently; settings fail loudly on bad values."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from apps.accounts.models import Patient, User
from apps.audit.models import AuditEvent
from apps.checkins.models import Checkin, SideEffectReport
from apps.demo.clinic import DEMO_LOGINS, load_demo
from config.settings import env_bool, env_int


@pytest.mark.django_db
def test_loading_the_demo_twice_changes_nothing() -> None:
    first = load_demo()
    counts = (
        User.objects.count(),
        Patient.objects.count(),
        Checkin.objects.count(),
        SideEffectReport.objects.count(),
    )
    events = AuditEvent.objects.count()
    second = load_demo()
    assert first["patient"] > 80
    assert second == {"patient": 0, "patient2": 0}
    assert counts == (
        User.objects.count(),
        Patient.objects.count(),
        Checkin.objects.count(),
        SideEffectReport.objects.count(),
    )
    assert {u.username for u in User.objects.all()} == {login.username for login in DEMO_LOGINS}
    assert User.objects.get(username="patient").check_password("lowdose-demo")
    # The clinical records are written through the actions, audited as the demo clinician or
    # pharmacist (test_demo_through_actions); a second load writes nothing, so records nothing,
    # and the loader is not a person reading data.
    assert AuditEvent.objects.count() == events
    assert not AuditEvent.objects.filter(action__endswith=".view").exists()


@pytest.mark.django_db
def test_the_demo_logins_command_prints_every_login(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo_logins")
    out = capsys.readouterr().out
    assert "lowdose-demo" in out
    for login in DEMO_LOGINS:
        assert login.username in out


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("off", False), ("", True)])
def test_boolean_settings_accept_clear_values(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool
) -> None:
    monkeypatch.setenv("LOWDOSE_X", raw)
    assert env_bool("LOWDOSE_X", True) is expected


def test_bad_settings_stop_the_app_with_the_variable_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOWDOSE_X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="LOWDOSE_X='maybe': use 1 or 0"):
        env_bool("LOWDOSE_X", False)
    monkeypatch.setenv("LOWDOSE_N", "0")
    with pytest.raises(ImproperlyConfigured, match="use a number >= 1"):
        env_int("LOWDOSE_N", 5)
