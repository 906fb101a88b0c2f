"""Access matrix rows for the "How LDN works" page.

The page is public by design: every role and anonymous visitors get it (a person considering
LDN should be able to read it). It takes no patient and shows no patient data, so it is not
audited; bad input is a 400 for everyone.
"""

from __future__ import annotations

from apps.accounts.tests.matrix import Route, every_role

ROUTES: tuple[Route, ...] = (
    Route("pharmacology:how_ldn_works", "GET", "/how-ldn-works/", every_role(200)),
    Route(
        "pharmacology:how_ldn_works",
        "GET",
        "/how-ldn-works/?dose=1.5&time=morning",
        every_role(200),
    ),
    Route("pharmacology:how_ldn_works", "GET", "/how-ldn-works/?dose=500", every_role(400)),
    Route("pharmacology:how_ldn_works", "POST", "/how-ldn-works/", every_role(405)),
)
