"""Access matrix rows for the research export (clinic admins) and the research-use answer (the
patient alone)."""

from __future__ import annotations

from apps.accounts.tests.matrix import DENIED, Route, every_role

ROUTES: tuple[Route, ...] = (
    Route("research:export", "GET", "/research/export/", every_role(404, anonymous=302, admin=200)),
    Route(
        "research:export",
        "POST",
        "/research/export/",
        every_role(404, anonymous=302, admin=200),
    ),
    Route(
        "research:consent",
        "GET",
        "/patients/{pid}/research/",
        every_role(404, anonymous=302, patient=200),
        DENIED,
        audited=True,
    ),
    Route(
        "research:consent",
        "POST",
        "/patients/{pid}/research/",
        every_role(404, anonymous=302, patient=302),
        DENIED,
        body={"answer": "yes"},
        audited=True,
    ),
    Route(
        "api:export_archive",
        "POST",
        "/api/v1/research-export",
        every_role(404, anonymous=401, admin=200),
        api=True,
    ),
)
