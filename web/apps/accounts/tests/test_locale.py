"""Dates and times follow the reader's locale (issue 12, item 7).

A patient chooses how their pages write dates and times (Settings); staff read the clinic's
locale; the wallet card, the patient's document, uses the patient's whoever prints it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from apps.accounts.locale import WHEN_NAMES, day_first, locale_examples, when, when_format
from apps.accounts.models import Patient, User
from apps.audit.models import AuditEvent

MOMENT = dt.datetime(2026, 12, 6, 22, 5)  # a Sunday

# What a reader in each locale expects (checked by hand against each country's usage: day before
# month and a 24-hour clock in the UK and Ireland; month first and AM/PM in the US and Canada).
EXPECTED = {
    "en-gb": {"date": "6 Dec 2026", "weekday": "Sun 6 Dec", "time": "22:05",
              "weekday_time": "Sun 6 Dec, 22:05", "long_weekday": "Sunday 6 December"},
    "en-ie": {"date": "6 Dec 2026", "weekday": "Sun 6 Dec", "time": "22:05",
              "weekday_time": "Sun 6 Dec, 22:05", "long_weekday": "Sunday 6 December"},
    "en-au": {"date": "6 Dec 2026", "weekday": "Sun 6 Dec", "time": "10:05 p.m.",
              "weekday_time": "Sun 6 Dec, 10:05 p.m.", "long_weekday": "Sunday 6 December"},
    "en-us": {"date": "Dec 6, 2026", "weekday": "Sun, Dec 6", "time": "10:05 PM",
              "weekday_time": "Sun, Dec 6, 10:05 PM", "long_weekday": "Sunday, December 6"},
    "en-ca": {"date": "Dec 6, 2026", "weekday": "Sun, Dec 6", "time": "10:05 PM",
              "weekday_time": "Sun, Dec 6, 10:05 PM", "long_weekday": "Sunday, December 6"},
}  # fmt: skip


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_each_locale_writes_dates_as_its_readers_do(code: str) -> None:
    with translation.override(code):
        for name, text in EXPECTED[code].items():
            assert when(MOMENT, name) == text, (code, name)
        assert when(MOMENT.date()) == EXPECTED[code]["date"]
        assert when("22:05", "time") == EXPECTED[code]["time"]  # a stored dose time
        assert day_first() is (code not in {"en-us", "en-ca"})


def test_every_locale_defines_every_name_and_an_unknown_name_is_refused() -> None:
    for code, _ in locale_examples():
        for name in WHEN_NAMES:
            assert when_format(name, code)
    with pytest.raises(ValueError, match="unknown date format name"):
        when(MOMENT, "iso")
    assert when(None) == ""
    assert when("") == ""


def _lang(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_a_patient_reads_their_own_locale_and_their_clinician_the_clinics(
    client_for: Callable[[User | None], Client],
    patient: Patient,
    clinician: User,
    make_checkin: Callable[..., Any],
) -> None:
    row = make_checkin(patient, days_ago=0)
    patient.locale = "en-us"
    patient.save(update_fields=["locale"])
    mine = client_for(patient.user).get(f"/patients/{patient.pk}/")
    theirs = client_for(clinician).get(f"/patients/{patient.pk}/")
    assert mine.status_code == theirs.status_code == 200
    assert _lang(mine.content.decode()) == "en-US"
    assert _lang(theirs.content.decode()) == "en-GB"
    with translation.override("en-us"):
        us_day = when(row.day, "weekday")
    with translation.override("en-gb"):
        gb_day = when(row.day, "weekday")
    assert us_day in mine.content.decode()
    assert gb_day not in mine.content.decode()
    assert gb_day in theirs.content.decode()
    assert us_day not in theirs.content.decode()


def test_the_wallet_card_uses_the_patients_locale_whoever_prints_it(
    client_for: Callable[[User | None], Client],
    patient: Patient,
    clinician: User,
    pharmacist: User,
) -> None:
    from apps.clinical.tests.factories import make_prescription

    rx = make_prescription(patient, clinician, pharmacy=pharmacist.pharmacies.get())
    patient.locale = "en-us"
    patient.save(update_fields=["locale"])
    with translation.override("en-us"):
        started = when(rx.start_date)
    page = client_for(clinician).get(f"/patients/{patient.pk}/wallet-card/").content.decode()
    assert f"Taking naltrexone since: {started}" in page
    assert rx.start_date.isoformat() not in page


def test_settings_change_the_locale_audited_and_a_bad_choice_changes_nothing(
    client_for: Callable[[User | None], Client], patient: Patient
) -> None:
    client = client_for(patient.user)
    form = client.get(f"/patients/{patient.pk}/settings/").content.decode()
    assert "English (United States): Sun, Dec 6, 2026, 10:00 PM" in form
    bad = client.post(
        f"/patients/{patient.pk}/settings/", {"time_zone": "Mars/Olympus", "locale": "xx"}
    )
    assert bad.status_code == 400
    text = bad.content.decode()
    # every problem named at once, the field marked, nothing stored or audited
    assert "Time zone: “Mars/Olympus”" in text
    assert "Dates and times: choose one" in text
    assert (
        'id="time_zone" aria-describedby="time_zone-hint settings-error" aria-invalid="true"'
        in (text)
    )
    patient.refresh_from_db()
    assert (patient.time_zone, patient.locale) == ("Europe/London", "en-gb")
    assert not AuditEvent.objects.filter(action="patient.settings", detail__isnull=False).exists()
    client.post(
        f"/patients/{patient.pk}/settings/", {"time_zone": "Europe/London", "locale": "en-us"}
    )
    patient.refresh_from_db()
    assert patient.locale == "en-us"
    event = AuditEvent.objects.filter(action="patient.settings", detail__isnull=False).get()
    assert event.detail == {"locale": {"from": "en-gb", "to": "en-us"}}
    assert _lang(client.get(f"/patients/{patient.pk}/").content.decode()) == "en-US"


def test_a_kit_label_is_written_as_the_patient_writes_dates(
    patient: Patient, clinician: User, pharmacist: User
) -> None:
    from apps.nof1.queries import kit_rows
    from apps.nof1.tests.factories import make_trial

    trial = make_trial(patient, clinician, pharmacist.pharmacies.get())
    patient.locale = "en-us"
    patient.save(update_fields=["locale"])
    trial.patient.refresh_from_db()
    first = kit_rows(trial)[0]
    start = dt.date.fromisoformat(first["start"])
    with translation.override("en-us"):
        assert f"from {when(start)} to " in first["label"]
    assert first["start"] not in first["label"]  # not ISO
