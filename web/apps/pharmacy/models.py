"""What the pharmacy dispensed, and the prices it publishes.

Arithmetic stays in :mod:`lowdose.pharmacy`: a :class:`Dispensing` row stores the core's
:class:`lowdose.pharmacy.DispensingRecord`; a :class:`PriceEntry` row becomes a
:class:`lowdose.pharmacy.PriceListEntry` (which validates it) when costs are computed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.db import models
from django.utils import timezone

from apps.accounts.models import Pharmacy, User
from apps.clinical.models import Prescription
from lowdose.pharmacy import Money, PriceListEntry, ProductForm, Quantity, Unit


class Dispensing(models.Model):
    """One batch handed to the patient (a capsule worksheet, or one liquid BUD window)."""

    prescription = models.ForeignKey(
        Prescription, on_delete=models.PROTECT, related_name="dispensings"
    )
    batch = models.PositiveSmallIntegerField(help_text="1-based number of the worksheet")
    preparation = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=10, decimal_places=3)
    unit = models.CharField(max_length=16, choices=[(u.value, u.value) for u in Unit])
    lot = models.CharField(max_length=64)
    compounded_on = models.DateField()
    beyond_use_date = models.DateField()
    label = models.TextField()
    pharmacist = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    dispensed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["prescription", "batch"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["prescription", "batch"], name="dispensing_batch_once"),
            models.CheckConstraint(
                condition=models.Q(beyond_use_date__gt=models.F("compounded_on")),
                name="dispensing_bud_after_compounding",
            ),
        ]

    def __str__(self) -> str:
        return f"Batch {self.batch} of prescription {self.prescription_id} (lot {self.lot})"


class PriceEntry(models.Model):
    """One pack on a pharmacy's price list (form, strength or concentration, pack size, price)."""

    pharmacy = models.ForeignKey(Pharmacy, on_delete=models.CASCADE, related_name="prices")
    form = models.CharField(max_length=16, choices=[(f.value, f.value) for f in ProductForm])
    strength_mg = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    concentration_mg_per_ml = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )
    pack_size = models.DecimalField(
        max_digits=7, decimal_places=1, help_text="capsules, or mL of liquid"
    )
    #: Three decimals: BHD, KWD, OMR... have fils (ISO 4217 minor unit 3); the core refuses a
    #: price finer than its currency's minor unit (1000.5 JPY, 30.001 USD).
    price = models.DecimalField(max_digits=12, decimal_places=3)
    currency = models.CharField(max_length=3, default="USD", help_text="ISO 4217 code")
    in_use_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="liquids: days an opened bottle may be used (its BUD)"
    )

    class Meta:
        ordering: ClassVar = ["pharmacy", "form", "strength_mg", "concentration_mg_per_ml"]
        verbose_name_plural = "price entries"

    def __str__(self) -> str:
        core = self.to_core()
        return f"{self.pharmacy}: {core.description} {core.price}"

    def to_core(self) -> PriceListEntry:
        form = ProductForm(self.form)
        unit = Unit.CAPSULE if form is ProductForm.CAPSULE else Unit.ML
        return PriceListEntry(
            form=form,
            pack=Quantity(Decimal(self.pack_size).normalize(), unit),
            price=Money(Decimal(self.price), self.currency),
            strength_mg=None if self.strength_mg is None else Decimal(self.strength_mg),
            concentration_mg_per_ml=(
                None
                if self.concentration_mg_per_ml is None
                else Decimal(self.concentration_mg_per_ml)
            ),
            in_use_days=self.in_use_days,
        )
