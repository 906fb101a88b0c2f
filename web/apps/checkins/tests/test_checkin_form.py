"""The check-in form as testers use it: every answer explicit, a missed dose in one go, every
missing answer named at once in the form's words, errors tied to their fields for screen readers."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from apps.accounts.models import Patient, User
from apps.checkins.models import Checkin

PRE_FILLED = {"dose_mg": "4.5", "dose_time_choice": "at", "dose_time": "22:00"}


def form(**overrides: str) -> dict[str, str]:
    values = {
        "client_id": str(uuid.uuid4()),
        "pain": "3",
        "fatigue": "4",
        "sleep": "7",
        "mood": "8",
        "se_vivid_dreams": "none",
        "note": "",
        **PRE_FILLED,
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


class Elements(HTMLParser):
    """Every element's attributes, and the text of each element with an id."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []
        self.visible: list[str] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attributes))
        if tag in ("script", "style"):
            self._skip += 1
        if tag not in ("input", "br", "meta", "link"):
            self._open.append((tag, attributes.get("id")))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        while self._open:
            name, _ = self._open.pop()
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.visible.append(data)
        for _, element_id in self._open:
            if element_id:
                self.text[element_id] = self.text.get(element_id, "") + data

    def with_attr(self, name: str, value: str | None = None) -> list[dict[str, str]]:
        return [a for _, a in self.elements if name in a and (value is None or a[name] == value)]


def post(client: Client, patient: Patient, data: dict[str, str]) -> Any:
    return client.post(f"/patients/{patient.pk}/checkin/", data)


@pytest.mark.parametrize("answer", ["missed", "none"])
def test_missed_or_no_dose_due_saves_in_one_go_though_dose_and_time_stay_filled_in(
    client_for: Callable[[User | None], Client], patient: Patient, answer: str
) -> None:
    # The phone keeps the pre-filled 4.5 mg and 22:00: the server ignores both.
    response = post(client_for(patient.user), patient, form(dose_status=answer))
    assert response.status_code == 302
    saved = Checkin.objects.get(patient=patient)
    assert (saved.dose_status, saved.dose_mg, saved.dose_time) == (answer, None, None)


def test_the_new_form_pre_fills_the_dose_but_never_the_answer_or_the_time(
    client_for: Callable[[User | None], Client], patient: Patient, make_checkin: Any
) -> None:
    make_checkin(patient, days_ago=1, dose_mg=Decimal("3.00"))
    page = Elements(
        client_for(patient.user).get(f"/patients/{patient.pk}/checkin/").content.decode()
    )
    dose_answers = page.with_attr("name", "dose_status")
    assert [a["value"] for a in dose_answers] == ["taken", "missed", "none"]
    assert not any("checked" in a for a in dose_answers)
    assert page.with_attr("name", "dose_mg")[0]["value"] == "3"
    assert page.with_attr("name", "dose_time")[0]["value"] == ""
    assert not any("checked" in a for a in page.with_attr("name", "dose_time_choice"))


def test_taken_without_a_time_is_refused_naming_time_taken(
    client_for: Callable[[User | None], Client], patient: Patient
) -> None:
    response = post(
        client_for(patient.user),
        patient,
        form(dose_status="taken", dose_time_choice=None, dose_time=""),  # type: ignore[arg-type]
    )
    assert response.status_code == 400
    page = Elements(response.content.decode())
    assert (
        page.text["error-dose_time"]
        == "Time taken: choose Just now, or enter the time you took it."
    )
    assert "dose_time" not in page.text["form-error"]
    assert Checkin.objects.count() == 0


def test_taken_just_now_is_one_tap_and_stores_the_patients_clock(
    client_for: Callable[[User | None], Client], patient: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    moment = datetime(2026, 3, 10, 21, 37, tzinfo=ZoneInfo(patient.time_zone))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    data = form(dose_status="taken", dose_time_choice="now", dose_time="")
    assert post(client_for(patient.user), patient, data).status_code == 302
    saved = Checkin.objects.get(patient=patient)
    assert (saved.dose_mg, saved.dose_time.strftime("%H:%M")) == (Decimal("4.50"), "21:37")  # type: ignore[union-attr]


def test_no_dose_answer_is_refused_though_a_dose_is_pre_filled(
    client_for: Callable[[User | None], Client], patient: Patient
) -> None:
    response = post(client_for(patient.user), patient, form())
    assert response.status_code == 400
    page = Elements(response.content.decode())
    assert page.text["error-dose_status"] == (
        "Naltrexone today: choose Taken, Missed or No dose due."
    )
    assert Checkin.objects.count() == 0


def test_every_missing_answer_is_named_at_once_as_the_form_labels_it(
    client_for: Callable[[User | None], Client], patient: Patient
) -> None:
    data = {"client_id": str(uuid.uuid4()), "dose_mg": "4.5", "note": ""}
    response = post(client_for(patient.user), patient, data)
    assert response.status_code == 400
    page = Elements(response.content.decode())
    summary = page.text["form-error"]
    assert "Fix these 5 answers" in summary
    named = re.findall(r"(Pain|Fatigue|Sleep quality|Mood|Naltrexone today):", summary)
    assert named == ["Pain", "Fatigue", "Sleep quality", "Mood", "Naltrexone today"]
    assert "Pain: choose a number from 0 (no pain) to 10 (worst pain imaginable)." in summary
    visible = " ".join(page.visible)
    for code in ("dose_mg", "dose_status", "dose_time", "pain:", "sleep:", "field"):
        assert code not in visible
    assert Checkin.objects.count() == 0


def test_fields_with_errors_point_to_their_message_and_the_first_takes_the_focus(
    client_for: Callable[[User | None], Client], patient: Patient
) -> None:
    data = form(pain=None, mood=None, dose_status="taken", dose_time_choice=None, dose_time="")  # type: ignore[arg-type]
    page = Elements(post(client_for(patient.user), patient, data).content.decode())
    for field in ("pain", "mood", "dose_time"):
        message = page.text[f"error-{field}"]
        assert message
        invalid = [
            a
            for a in page.with_attr("aria-invalid", "true")
            if a.get("name") in (field, f"{field}_choice")
        ]
        assert invalid, field
        assert all(a["aria-describedby"] == f"error-{field}" for a in invalid)
    # valid answers are not marked
    assert not [a for a in page.with_attr("aria-invalid") if a.get("name") in ("fatigue", "sleep")]
    focused = page.with_attr("autofocus")
    assert len(focused) == 1
    assert (focused[0]["name"], focused[0]["value"]) == ("pain", "0")
    # the summary links each problem to its answer, in the order of the form
    links = [a["href"] for a in page.with_attr("href") if a["href"].startswith("#field-")]
    assert links == ["#field-pain", "#field-mood", "#field-dose_time"]
    assert all(page.with_attr("id", link[1:]) for link in links)


def test_a_tampered_hidden_field_is_named_without_code(
    client_for: Callable[[User | None], Client], patient: Patient
) -> None:
    response = post(client_for(patient.user), patient, form(dose_status="missed", client_id="nope"))
    assert response.status_code == 400
    summary = Elements(response.content.decode()).text["form-error"]
    assert "This page is out of date: reload it and answer again." in summary
    assert "client_id" not in summary
    assert "UUID" not in summary
