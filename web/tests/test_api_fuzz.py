"""Property-based tests of the whole REST API against its published OpenAPI schema (schemathesis).

For every operation, schemathesis generates bodies, query strings and ids from the schema —
valid ones and, for negative checks, invalid ones — and sends them through the WSGI app as each
role in turn (patient, clinician, pharmacist, clinic admin). Every answer must be documented: no
5xx, no status code the schema does not name, a content type and a body that match what it says.
The number of examples per operation is bounded so the suite stays fast; hypothesis's database is
off, so a run does not depend on the one before.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from conftest import bearer
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks

from apps.accounts.models import Patient, User
from config.api import api
from config.wsgi import application

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

EXAMPLES_PER_OPERATION = 30

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
schema.app = application

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(autouse=True)
def keep_the_test_transaction() -> Iterator[None]:
    """Requests go straight to the WSGI app, not through Django's test client: like the client,
    stop Django closing the database connection at the end of each request, which would end the
    test's transaction (PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(params=["patient", "clinician", "pharmacist", "clinic admin"])
def caller(
    request: pytest.FixtureRequest,
    patient: Patient,
    clinician: User,
    pharmacist: User,
    admin_user: User,
) -> tuple[User, Patient]:
    """Who sends the requests, and the patient whose id half the examples use."""
    assert patient.user is not None
    users = {
        "patient": patient.user,
        "clinician": clinician,
        "pharmacist": pharmacist,
        "clinic admin": admin_user,
    }
    return users[request.param], patient


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_of_the_api_is_documented(case: Any, caller: tuple[User, Patient]) -> None:
    user, patient = caller
    # Half the ids point at the patient the caller may see, so generated bodies reach the views
    # instead of stopping at "not found".
    ids = case.path_parameters or {}
    if isinstance(ids.get("patient_id"), int) and ids["patient_id"] % 2:
        ids["patient_id"] = patient.pk
    # A fresh token each time: one example may revoke the token it was sent with. HTTPS, as
    # behind the documented proxy (plain HTTP is redirected).
    case.call_and_validate(base_url="https://localhost/", headers=bearer(user), checks=CHECKS)
