"""The pharmacist's write: recording what was dispensed. The core builds each
:class:`lowdose.pharmacy.DispensingRecord` (refusing a batch before its compounding day or past
its beyond-use date); this stores them in one transaction and audits it."""

from __future__ import annotations

from typing import cast

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.log import record
from apps.clinical.models import Prescription
from apps.pharmacy.models import Dispensing
from apps.pharmacy.queries import worksheets_for
from lowdose.errors import InputError
from lowdose.pharmacy import dispense

__all__ = ["record_dispensing"]


def record_dispensing(
    request: HttpRequest, rx: Prescription, *, source: str, preserved: bool, lot: str
) -> list[Dispensing]:
    """Dispense what is due now: every capsule worksheet, or the next liquid batch.

    Raises :class:`lowdose.errors.InputError` (the core's ``PharmacyError`` or
    ``CompoundingError``) with the reason; nothing is stored then.
    """
    pharmacist = cast(User, request.user)
    if rx.status == Prescription.Status.DRAFT:
        raise InputError("This prescription is not signed.", field="status")
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
        record(
            request,
            "prescriptions.dispense",
            patient_id=rx.patient_id,
            obj=rx,
            detail={"batches": [n for n, _ in records], "lot": lot.strip(), "source": source},
        )
    return rows
