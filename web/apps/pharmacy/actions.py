"""The pharmacist's write: recording what was dispensed. The core builds each
:class:`lowdose.pharmacy.DispensingRecord` (refusing a batch before its compounding day or past
its beyond-use date); this stores them in one transaction and audits it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Pharmacy
from apps.audit.actor import Actor
from apps.audit.log import record_as
from apps.checkins.summaries import refresh_treatment
from apps.clinical.models import Prescription
from apps.clinical.screening import require_clear_screen
from apps.pharmacy.models import Dispensing, PriceEntry
from apps.pharmacy.queries import worksheets_for
from lowdose.errors import InputError
from lowdose.pharmacy import PriceList, dispense

__all__ = [
    "PriceDraft",
    "publish_price",
    "record_dispensing",
    "set_min_weighable",
    "withdraw_price",
]

#: Accepted minimum weighable quantities (mg): an analytical balance qualified under USP <41>
#: (0.01 mg readability: 820 × 0.01 ≈ 8 mg) down to 1 mg; a balance that cannot weigh 1 g
#: accurately is not fit for compounding.
MIN_WEIGHABLE_RANGE = (Decimal(1), Decimal(1000))


def record_dispensing(
    actor: Actor, rx: Prescription, *, source: str, preserved: bool, lot: str
) -> list[Dispensing]:
    """Dispense what is due now: every capsule worksheet, or the next liquid batch.

    Raises :class:`lowdose.errors.InputError` (the core's ``PharmacyError`` or
    ``CompoundingError``) with the reason, or :class:`lowdose.safety.ScreenBlockedError` when the
    patient's safety screen does not pass now; nothing is stored then.
    """
    pharmacist = actor.user
    if pharmacist is None:
        raise InputError("Only a pharmacist can record dispensing.", field="actor")
    if rx.status == Prescription.Status.DRAFT:
        raise InputError("This prescription is not signed.", field="status")
    # The screen of what is stored NOW, not at signing: an opioid added since is a hard stop.
    require_clear_screen(actor, rx.patient, action="prescriptions.dispense")
    now = timezone.now()
    sheets = worksheets_for(rx, source, preserved=preserved, today=now.date())
    done = set(rx.dispensings.values_list("batch", flat=True))
    due = [(n, s) for n, s in enumerate(sheets, 1) if n not in done]
    if not due:
        raise InputError("Every batch of this prescription is already dispensed.", field="batch")
    if rx.form == Prescription.Form.LIQUID:
        due = due[:1]  # one bottle per beyond-use window, made when the window starts
    records = [
        (
            n,
            dispense(
                sheet,
                prescription_ref=f"Prescription/{rx.pk}",
                patient_ref=f"Patient/{rx.patient_id}",
                lot=lot.strip(),
                pharmacist=pharmacist.get_username(),
                dispensed_at=now,
            ),
        )
        for n, sheet in due
    ]
    with transaction.atomic():
        rows = [
            Dispensing.objects.create(
                prescription=rx,
                batch=n,
                preparation=r.preparation,
                quantity=r.quantity.value,
                unit=r.quantity.unit.value,
                lot=r.lot,
                compounded_on=r.compounded_on,
                beyond_use_date=r.beyond_use_date,
                label=r.label,
                pharmacist=pharmacist,
                dispensed_at=r.dispensed_at,
            )
            for n, r in records
        ]
        rx.status = Prescription.Status.DISPENSED
        rx.save(update_fields=["status"])
        refresh_treatment([rx.patient_id])  # the panel's summary
        record_as(
            actor,
            "prescriptions.dispense",
            patient_id=rx.patient_id,
            obj=rx,
            detail={"batches": [n for n, _ in records], "lot": lot.strip(), "source": source},
        )
    return rows


@dataclass(frozen=True, slots=True)
class PriceDraft:
    """One pack for a price list, parsed: ``per_unit`` is the capsule strength (mg) or the
    liquid's concentration (mg/mL); ``in_use_days`` is for a liquid."""

    form: str
    per_unit: Decimal
    pack_size: Decimal
    price: Decimal
    currency: str
    in_use_days: int | None = None

    @classmethod
    def parse(
        cls,
        *,
        form: str,
        per_unit: str,
        pack_size: str,
        price: str,
        currency: str,
        in_use_days: str = "",
    ) -> PriceDraft:
        """From form text; raises :class:`~lowdose.errors.InputError` naming the field."""
        try:
            strength = Decimal(per_unit)
            pack = Decimal(pack_size)
            amount = Decimal(price)
        except ArithmeticError:
            raise InputError(
                "Strength or concentration, pack size and price must be numbers "
                "(e.g. 4.5, 30, 35.00).",
                field="price",
            ) from None
        try:
            days = int(in_use_days) if in_use_days.strip() else None
        except ValueError:
            raise InputError("In-use days must be a whole number.", field="in_use_days") from None
        return cls(form, strength, pack, amount, currency, days)


def publish_price(actor: Actor, pharmacy: Pharmacy, draft: PriceDraft) -> PriceEntry:
    """Add one pack to the pharmacy's price list; the core validates the entry and the list
    (one currency per list, a liquid needs its in-use days)."""
    form, strength, days = draft.form, draft.per_unit, draft.in_use_days
    if form not in ("capsule", "liquid"):
        raise InputError("Choose capsules or oral liquid.", field="form")
    row = PriceEntry(
        pharmacy=pharmacy,
        form=form,
        strength_mg=strength if form == "capsule" else None,
        concentration_mg_per_ml=strength if form == "liquid" else None,
        pack_size=draft.pack_size,
        price=draft.price,
        currency=draft.currency.strip().upper(),
        in_use_days=days if form == "liquid" else None,
    )
    entries = [e.to_core() for e in pharmacy.prices.all()] + [row.to_core()]
    PriceList(pharmacy.name, tuple(entries))  # PriceListError: mixed currencies
    with transaction.atomic():
        row.save()
        record_as(actor, "pharmacy.prices.publish", obj=row)
    return row


def withdraw_price(actor: Actor, pharmacy: Pharmacy, entry_id: int | None) -> None:
    """Take a pack off the pharmacy's price list (``None``: no entry was chosen)."""
    with transaction.atomic():
        row = pharmacy.prices.filter(pk=entry_id or 0).first()
        if row is None:
            raise InputError("That price is not on your list.", field="entry")
        record_as(actor, "pharmacy.prices.withdraw", obj=row)
        row.delete()


def set_min_weighable(actor: Actor, pharmacy: Pharmacy, text: str) -> Pharmacy:
    """Record the minimum weighable quantity (mg) of the pharmacy's balance; worksheets then
    triturate or dissolve anything smaller (:mod:`lowdose.pharmacy.weighing`)."""
    low, high = MIN_WEIGHABLE_RANGE
    try:
        value = Decimal(text.strip())
    except ArithmeticError:
        value = Decimal("NaN")
    if not value.is_finite() or not low <= value <= high:
        raise InputError(
            f"Give the balance's minimum weighable quantity in milligrams, from {low} to {high} "
            "(120 for a Class III prescription balance; see the balance's USP <41> check).",
            field="min_weighable_mg",
        )
    if value != value.quantize(Decimal("0.001")):
        raise InputError(
            "Give the minimum weighable quantity to at most three decimals (e.g. 8.2).",
            field="min_weighable_mg",
        )
    before = pharmacy.min_weighable_mg
    with transaction.atomic():
        pharmacy.min_weighable_mg = value
        pharmacy.save(update_fields=["min_weighable_mg"])
        record_as(
            actor,
            "pharmacy.settings.balance",
            obj=pharmacy,
            detail={"min_weighable_mg": {"from": str(before), "to": str(value)}},
        )
    return pharmacy
