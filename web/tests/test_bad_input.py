"""Every bad input is a 4xx with a message and changes nothing (issue 11, item 4).

NUL characters (a 500 on PostgreSQL), impossible dates, bodies that are too large or not JSON,
and notes a spreadsheet would run as formulas.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from conftest import PASSWORD, bearer
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.accounts.actions import issue_api_token
from apps.accounts.models import ApiToken, Patient, User
from apps.audit.actor import Actor
from apps.checkins.models import Checkin


def _token(patient: Patient) -> str:
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "patient", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


@pytest.fixture
def api(patient: Patient) -> Client:
    return Client(headers={"Authorization": f"Bearer {_token(patient)}"})


def _checkin(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "client_id": str(uuid.uuid4()),
        "pain": 4,
        "fatigue": 5,
        "sleep": 6,
        "mood": 7,
        "dose_mg": "4.5",
        "note": "fine",
    }
    values.update(overrides)
    return values


# --- NUL characters -----------------------------------------------------------------------------


def test_a_nul_in_the_login_username_is_a_form_error_and_reaches_no_query(
    patient: Patient,
) -> None:
    # The NUL guard refuses the form before authenticate() looks the user up (PostgreSQL would
    # fail on the lookup with a 500).
    with CaptureQueriesContext(connection) as queries:
        page = Client().post("/accounts/login/", {"username": "pat\x00ient", "password": PASSWORD})
    assert page.status_code == 400
    assert "control character (NUL)" in page.content.decode()
    assert "_auth_user_id" not in page.client.session
    assert not [q["sql"] for q in queries.captured_queries if "\x00" in q["sql"]]
    assert not [q["sql"] for q in queries.captured_queries if "pat" in q["sql"]]


def test_a_nul_in_the_token_username_is_400_json_naming_the_field(patient: Patient) -> None:
    response = Client().post(
        "/api/v1/auth/token",
        {"username": "pat\x00ient", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "username: remove the NUL character (\\u0000); it cannot be stored.",
        "field": "username",
    }
    assert ApiToken.objects.count() == 0


def test_a_nul_in_a_checkin_note_is_400_and_nothing_is_stored(
    api: Client, patient: Patient
) -> None:
    response = api.post(
        f"/api/v1/patients/{patient.pk}/checkins",
        _checkin(note="slept\x00 badly"),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "note"
    assert Checkin.objects.count() == 0


def test_a_nul_deep_in_the_body_names_its_path(api: Client, patient: Patient) -> None:
    effects = [{"name": "other", "severity": "mild", "detail": "itchy\x00"}]
    response = api.post(
        f"/api/v1/patients/{patient.pk}/checkins",
        _checkin(side_effects=effects),
        content_type="application/json",
    )
    assert (response.status_code, response.json()["field"]) == (400, "side_effects.0.detail")


def test_a_nul_in_the_query_string_is_400_json_before_the_search(admin_user: User) -> None:
    raw, _ = issue_api_token(Actor.system(admin_user.clinic_id), admin_user, label="search")
    response = Client(headers={"Authorization": f"Bearer {raw}"}).get(
        "/api/v1/audit?person=admin%00"
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "person: remove the NUL character (\\u0000); it cannot be stored.",
        "field": "person",
    }


def test_a_nul_in_the_audit_page_filter_is_the_form_error(
    client_for: Callable[[User | None], Client], admin_user: User
) -> None:
    page = client_for(admin_user).get("/audit/", {"person": "admin\x00"})
    assert page.status_code == 400
    assert "control character (NUL)" in page.content.decode()


def test_a_nul_in_the_checkin_form_note_is_the_form_error_and_nothing_is_stored(
    client_for: Callable[[User | None], Client], patient: Patient
) -> None:
    form = {
        "client_id": str(uuid.uuid4()),
        "pain": "3",
        "fatigue": "4",
        "sleep": "7",
        "mood": "8",
        "dose_status": "taken",
        "dose_mg": "1.5",
        "note": "slept\x00 badly",
    }
    page = client_for(patient.user).post(f"/patients/{patient.pk}/checkin/", form)
    assert page.status_code == 400
    assert "control character (NUL)" in page.content.decode()
    assert Checkin.objects.count() == 0


# --- recorded_at --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        ("0001-01-01T00:00:00Z", "a year before joining"),
        ("0001-01-01T00:00:00-12:00", "a year before joining"),
        ("9999-12-31T23:59:59-12:00", "in the future"),
    ],
)
def test_an_impossible_recorded_at_is_400_json_and_nothing_is_stored(
    api: Client, patient: Patient, moment: str, message: str
) -> None:
    response = api.post(
        f"/api/v1/patients/{patient.pk}/checkins",
        _checkin(recorded_at=moment),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "recorded_at"
    assert message in response.json()["detail"]
    assert Checkin.objects.count() == 0


def test_recorded_at_within_a_year_before_joining_is_stored(api: Client, patient: Patient) -> None:
    moment = patient.created_at - timedelta(days=364)
    response = api.post(
        f"/api/v1/patients/{patient.pk}/checkins",
        _checkin(recorded_at=moment.isoformat()),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Checkin.objects.get().recorded_at == moment


# --- body size and type -------------------------------------------------------------------------


def test_a_body_over_the_limit_is_413_json(api: Client, patient: Patient, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post(
        f"/api/v1/patients/{patient.pk}/checkins",
        _checkin(note="x" * 1500),
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request body is larger than 1000 bytes.",
        "field": None,
    }
    assert Checkin.objects.count() == 0


def test_a_page_form_over_the_limit_is_a_413_page_that_says_what_to_do(
    patient: Patient, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    assert patient.user is not None
    client = Client()
    client.force_login(patient.user)
    page = client.post("/checkin/", {"pain": "4", "note": "x" * (2 * 1024 * 1024)})
    assert page.status_code == 413
    text = page.content.decode()
    assert "larger than 1 MB" in text
    assert "send it again" in text
    assert Checkin.objects.count() == 0


def test_an_api_address_that_matches_nothing_answers_json_404(api: Client) -> None:
    for path in ("/api/v1/no-such-thing", "/api/v1/patients/1/no-such-list"):
        response = api.get(path)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("pid", ["0", "-1", str(2**63), "12401291260727954255529377792"])
def test_an_id_out_of_the_database_range_is_422_before_any_lookup(api: Client, pid: str) -> None:
    # SQLite cannot bind an integer over 2**63 - 1 (OverflowError: a 500 before this was bounded).
    response = api.get(f"/api/v1/patients/{pid}/checkins")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("patient_id: Input should be")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", '{"pain": 4}'),
        ("application/x-www-form-urlencoded", "pain=4&fatigue=5"),
    ],
)
def test_a_body_that_is_not_json_is_415_json(
    api: Client, patient: Patient, content_type: str, body: str
) -> None:
    response = api.post(f"/api/v1/patients/{patient.pk}/checkins", body, content_type=content_type)
    assert response.status_code == 415
    assert response.json() == {
        "detail": "Send the body as JSON with 'Content-Type: application/json' "
        f"(got {content_type!r}).",
        "field": None,
    }
    assert Checkin.objects.count() == 0


def test_json_with_a_charset_and_a_json_suffix_type_is_accepted(
    api: Client, patient: Patient
) -> None:
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = api.post(
            f"/api/v1/patients/{patient.pk}/checkins", _checkin(), content_type=content_type
        )
        assert response.status_code == 201, (content_type, response.content)


def test_a_body_that_is_not_valid_json_is_400_json(api: Client, patient: Patient) -> None:
    response = api.post(
        f"/api/v1/patients/{patient.pk}/checkins", "{pain: 4", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "The body is not valid JSON.", "field": None}


# --- strict types -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"pain": "4"}, "pain"),  # a string for an integer
        ({"pain": 4.0}, "pain"),  # a float for an integer
        ({"pain": True}, "pain"),  # a boolean for an integer
        ({"dose_missed": "false"}, "dose_missed"),  # a string for a boolean
        ({"dose_missed": 0}, "dose_missed"),  # a number for a boolean
        ({"client_id": 12345}, "client_id"),  # a number for an id
        ({"recorded_at": 1765000000}, "recorded_at"),  # a Unix timestamp for a date and time
        ({"day": 20261206}, "day"),  # a number for a date
        ({"dose": "4.5"}, "dose"),  # a field the API does not know (misspelt dose_mg)
        ({"side_effects": [{"name": "nausea", "severity": "mild", "grade": 2}]}, "grade"),
    ],
)
def test_a_value_of_the_wrong_type_or_an_unknown_field_is_422_and_nothing_is_stored(
    api: Client, patient: Patient, change: dict[str, Any], field: str
) -> None:
    response = api.post(
        f"/api/v1/patients/{patient.pk}/checkins",
        _checkin(**change),
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert response.json()["detail"].split(":")[0].split(".")[-1] == field
    assert Checkin.objects.count() == 0


def test_the_same_values_with_their_own_types_are_stored(api: Client, patient: Patient) -> None:
    response = api.post(
        f"/api/v1/patients/{patient.pk}/checkins",
        _checkin(dose_missed=False, day=None, recorded_at=None),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Checkin.objects.get().pain == 4


def test_every_request_body_of_the_api_is_read_strictly() -> None:
    # Every body schema, and every schema nested in one, refuses unknown fields, which only the
    # strict base (config.api_input.BodyIn) gives: a new endpoint cannot forget it unnoticed.
    from config.api import api as ninja_api

    schema = ninja_api.get_openapi_schema(path_prefix="/api/v1/")
    components = schema["components"]["schemas"]

    def refs(node: object) -> set[str]:
        if isinstance(node, dict):
            found = {node["$ref"].rsplit("/", 1)[-1]} if "$ref" in node else set()
            return found.union(*(refs(v) for v in node.values()))
        if isinstance(node, list):
            return set().union(*(refs(v) for v in node))
        return set()

    bodies: set[str] = set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            bodies |= refs(operation.get("requestBody", {}))
    seen: set[str] = set()
    while bodies - seen:
        name = (bodies - seen).pop()
        seen.add(name)
        bodies |= refs(components[name])
    assert len(seen) >= 10
    lax = sorted(n for n in seen if components[n].get("additionalProperties") is not False)
    assert lax == []


def test_ids_in_other_bodies_are_numbers_not_strings(clinician: User, patient: Patient) -> None:
    from apps.clinical.tests.factories import make_prescription

    rx = make_prescription(patient, clinician, status="draft")
    response = Client(headers=bearer(clinician)).post(
        f"/api/v1/patients/{patient.pk}/prescriptions/{rx.pk}/sign",
        {"pharmacy_id": "1", "consent": True},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "pharmacy_id: Input should be a valid integer"
    rx.refresh_from_db()
    assert rx.status == "draft"


# --- CSV injection ------------------------------------------------------------------------------


def test_an_exported_formula_note_is_escaped_and_imports_back_unchanged(
    client_for: Callable[[User | None], Client],
    patient: Patient,
    make_checkin: Callable[..., Any],
) -> None:
    notes = ['=HYPERLINK("http://x")', "+1", "-2 better", "@SUM(A1)", "'quoted", "plain"]
    for days_ago, note in enumerate(notes):
        make_checkin(patient, days_ago=days_ago, note=note)
    client = client_for(patient.user)
    text = client.get(f"/patients/{patient.pk}/checkins.csv").content.decode()
    cells = {row["note"] for row in csv.DictReader(io.StringIO(text))}
    assert cells == {
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2 better",
        "'@SUM(A1)",
        "''quoted",
        "plain",
    }
    Checkin.objects.filter(patient=patient).delete()
    upload = io.BytesIO(text.encode())
    upload.name = "export.csv"
    client.post(f"/patients/{patient.pk}/checkins/import/", {"file": upload})
    assert sorted(Checkin.objects.values_list("note", flat=True)) == sorted(notes)


def test_a_nul_character_in_any_page_form_or_query_is_a_clear_400_and_changes_nothing(
    client_for: Any, clinician: User, patient: Patient
) -> None:
    from apps.clinical.models import Medication

    client = client_for(clinician)
    response = client.post(
        f"/patients/{patient.pk}/screening/", {"op": "add_medication", "name": "code\x00ine"}
    )
    assert response.status_code == 400
    assert "control character (NUL)" in response.content.decode()
    assert not Medication.objects.exists()
    assert client.get("/alerts/?patient=1%00").status_code == 400
    assert client.get("/alerts/").status_code == 200


def test_an_unexpected_error_answers_json_under_the_api_and_a_page_elsewhere() -> None:
    from django.test import RequestFactory

    from config.errors import server_error

    api_answer = server_error(RequestFactory().get("/api/v1/me"))
    assert api_answer.status_code == 500
    assert json.loads(api_answer.content)["detail"].startswith("Something went wrong on our side")
    page = server_error(RequestFactory().get("/dashboard/"))
    assert page.status_code == 500
    assert "tell your clinic" in page.content.decode()


def test_a_huge_limit_or_a_forged_cursor_is_400_and_says_what_to_send(admin_user: User) -> None:
    # Found by the API fuzz test when the audit log had page numbers: page=197603475984644480 was
    # an OFFSET SQLite cannot bind (500). Lists now page by cursor, and limit is bounded.
    client = Client(headers=bearer(admin_user))
    response = client.get("/api/v1/audit?limit=197603475984644480")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "limit: send a whole number from 1 to 200 (items per page; 50 when left out).",
        "field": "limit",
    }
    forged = client.get("/api/v1/audit?cursor=WzEsMl0")  # [1,2]: not this list's shape
    assert forged.status_code == 400
    assert forged.json()["field"] == "cursor"
    assert forged.json()["detail"].startswith("cursor: this is not a cursor this list gave.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42),
        (" 7 ", 7),
        ("0", None),
        ("-3", None),
        ("²", None),  # a digit to str.isdigit, not to int()
        ("٣", None),  # an Arabic-Indic three: int() reads it, an id is ASCII
        ("1e3", None),
        ("", None),
        (None, None),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),  # past the database's integer: not found, never a 500
        ("9" * 40, None),
    ],
)
def test_a_row_id_from_a_form_is_ascii_digits_within_the_database_integer(
    text: str | None, expected: int | None
) -> None:
    from config.api_input import row_id

    assert row_id(text) == expected
