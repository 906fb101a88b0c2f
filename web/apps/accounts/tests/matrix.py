"""Shared vocabulary of the access matrix (``web/tests/test_access_matrix.py``).

Each app lists its routes in ``apps/<app>/tests/access_routes.py`` as ``ROUTES``: for every
route, the status each role gets on its *own* patient (the patient persona's record, on the
clinician's care team) and on *another* patient's (on a different care team).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ROLES = ("anonymous", "patient", "clinician", "pharmacist", "admin")


@dataclass(frozen=True)
class Route:
    name: str  # the URL name, or "api:<operation>"
    method: str
    path: str  # "{pid}" is replaced by the patient's id
    own: dict[str, int]
    other: dict[str, int] | None = None  # None: the route takes no patient
    body: dict[str, Any] | None = None
    api: bool = False
    audited: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def every_role(status: int, **overrides: int) -> dict[str, int]:
    return {role: overrides.get(role, status) for role in ROLES}


PATIENT_ONLY = every_role(404, anonymous=302, patient=200)
CARE = every_role(404, anonymous=302, patient=200, clinician=200)
DENIED = every_role(404, anonymous=302)
