"""The patient's wallet card as plain data (the web layer renders and prints it).

Wording rests on: the naltrexone label (opioids are blocked; after stopping, opioid tolerance is
lower and overdose risk higher — DailyMed "Vulnerability to opioid overdose"), LDN Research Trust
pharmacists (stop 2–3 days before surgery) and Whately & Stead, *Australasian Anaesthesia* 2023,
doi:10.60115/11055/1180 (emergencies may need higher opioid doses with extra monitoring).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lowdose.errors import InputError
from lowdose.serial import Plain

__all__ = ["WalletCard", "wallet_card"]

_SOURCES = (
    "Naltrexone hydrochloride tablets, US label (DailyMed; 'Vulnerability to opioid overdose')",
    "LDN Research Trust: when to stop LDN before surgery "
    "(https://ldnresearchtrust.org/when-do-i-stop-low-dose-naltrexone-ldn-prior-surgery)",
    "Whately Y, Stead M. Australasian Anaesthesia 2023, doi:10.60115/11055/1180",
)


@dataclass(frozen=True, slots=True)
class WalletCard(Plain):
    """Title, body lines and optional contact lines of the card; ``text()`` joins them."""

    title: str
    lines: tuple[str, ...]
    details: tuple[str, ...]
    sources: tuple[str, ...]

    def text(self) -> str:
        """Plain text, one line per line, details after a blank line."""
        body = [self.title, *self.lines]
        if self.details:
            body += ["", *self.details]
        return "\n".join(body)


def wallet_card(
    *,
    patient_name: str | None = None,
    dose_mg: Decimal | None = None,
    prescriber: str | None = None,
    prescriber_phone: str | None = None,
    started: date | None = None,
    plan: str | None = None,
    date_text: Callable[[date], str] = date.isoformat,
) -> WalletCard:
    """Build the wallet card ("I take naltrexone: opioid pain relief may not work; tell the
    anaesthetist").

    ``dose_mg`` is the dose prescribed for the day the card is printed; ``started`` the first
    day of treatment; ``plan`` the plan in words ("Continue at 4.5 mg, 6 Dec 2026 to 2 Jan 2027").
    ``date_text`` writes a date as the patient reads dates (ISO 8601 by default).

    Raises
    ------
    InputError
        If ``dose_mg`` is not a positive Decimal (``field="dose_mg"``).
    """
    if dose_mg is not None and (not isinstance(dose_mg, Decimal) or not dose_mg > 0):
        raise InputError(
            f"dose_mg must be a positive Decimal number of milligrams (got {dose_mg!r}).",
            field="dose_mg",
        )
    dose = f" {dose_mg.normalize():f} mg daily" if dose_mg is not None else ""
    lines = (
        f"I take low-dose naltrexone (LDN){dose}, an opioid blocker.",
        "Opioid pain relief may not work while I take it.",
        "Before surgery or any procedure, tell the anaesthetist. "
        "I stop LDN 2-3 days before planned surgery.",
        "In an emergency, non-opioid pain relief may be needed; opioid doses may need to be "
        "higher and closely monitored.",
        "If I have stopped naltrexone, I may be more sensitive to opioids: "
        "usual doses can be dangerous.",
    )
    details: list[str] = []
    if patient_name:
        details.append(f"Name: {patient_name.strip()}")
    if started:
        details.append(f"Taking naltrexone since: {date_text(started)}")
    if plan:
        details.append(f"Plan: {plan.strip()}")
    if prescriber:
        contact = f" ({prescriber_phone.strip()})" if prescriber_phone else ""
        details.append(f"Prescriber: {prescriber.strip()}{contact}")
    return WalletCard(
        title="I take naltrexone",
        lines=lines,
        details=tuple(details),
        sources=_SOURCES,
    )
