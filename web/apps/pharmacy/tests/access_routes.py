"""Access matrix rows for the pharmacy pages (the queue itself is ``accounts:pharmacy``)."""

from __future__ import annotations

from apps.accounts.tests.matrix import CARE, DENIED, Route, every_role
from apps.clinical.tests.factories import signed_rx

RX = "/patients/{pid}/prescriptions/{rx}/"
SIGNED = {"setup": signed_rx}

ROUTES: tuple[Route, ...] = (
    Route(
        "pharmacy:prices",
        "GET",
        "/pharmacy/prices/",
        every_role(404, anonymous=302, pharmacist=200),
    ),
    Route(
        "pharmacy:prices",
        "POST",
        "/pharmacy/prices/",
        every_role(404, anonymous=302, pharmacist=302),
        body={"form": "capsule", "per_unit": "4.5", "pack_size": "30", "price": "35.00"},
    ),
    Route(
        "pharmacy:balance",
        "GET",
        "/pharmacy/balance/",
        every_role(404, anonymous=302, pharmacist=200),
    ),
    Route(
        "pharmacy:balance",
        "POST",
        "/pharmacy/balance/",
        every_role(404, anonymous=302, pharmacist=400),
        body={"min_weighable_mg": "100"},
    ),
    Route(
        "pharmacy:worksheet",
        "GET",
        RX + "worksheet/",
        every_role(404, anonymous=302, pharmacist=200),
        DENIED,
        audited=True,
        extra=SIGNED,
    ),
    Route(
        "pharmacy:dispense",
        "POST",
        RX + "dispense/",
        every_role(404, anonymous=302, pharmacist=302),
        DENIED,
        body={"lot": "LOT-1"},
        audited=True,
        extra=SIGNED,
    ),
    Route("pharmacy:cost", "GET", RX + "cost/", CARE, DENIED, audited=True, extra=SIGNED),
)
