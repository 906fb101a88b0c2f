"""Changes made in Django's admin to who may see what — roles, clinics, care teams, pharmacies —
recorded in the audit log with what each field was before and after.

:class:`AuditedAdmin` is a mixin for a ``ModelAdmin``: it records ``admin.<model>.add``,
``admin.<model>.change`` and ``admin.<model>.delete`` with ``detail={"model": ..., "object":
..., "changes": {field: {"from": ..., "to": ...}}}``. The admin saves inside one transaction
(``changeform_view`` and ``delete_view`` are atomic), and the event is written inside it, after
the many-to-many fields (``CareTeam.clinicians``, ``Pharmacy.pharmacists``) are saved. Passwords
and other secrets are never in ``audited_fields``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.audit.log import record

__all__ = ["AuditedAdmin", "snapshot"]


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (str, int, float, bool, list, dict)) or value is None:
        return value
    return str(value)


def snapshot(obj: models.Model, fields: tuple[str, ...]) -> dict[str, Any]:
    """The audited fields of ``obj`` as JSON values (a foreign key as its id, a many-to-many as
    the sorted ids)."""
    values: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            values[name] = sorted(getattr(obj, name).values_list("pk", flat=True)) if obj.pk else []
        elif field.is_relation:
            values[name] = getattr(obj, field.attname)  # type: ignore[union-attr]
        else:
            values[name] = _plain(getattr(obj, name))
    return values


class AuditedAdmin:
    """Mix into a ``ModelAdmin`` and name ``audited_fields``; optionally ``clinic_of(obj)``."""

    audited_fields: ClassVar[tuple[str, ...]] = ()

    def clinic_of(self, obj: Any) -> int | None:
        """The clinic whose admin may read the event (default: the object's ``clinic``)."""
        return getattr(obj, "clinic_id", None)

    def _action(self, obj: Any, verb: str) -> str:
        return f"admin.{obj._meta.model_name}.{verb}"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before: dict[str, Any] = {}
        if change and obj.pk is not None:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            if stored is not None:
                before = snapshot(stored, self.audited_fields)
        obj._audit_before = before
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        obj = form.instance
        before: dict[str, Any] = getattr(obj, "_audit_before", {})
        after = snapshot(obj, self.audited_fields)
        changes = {
            name: {"from": before.get(name), "to": value}
            for name, value in after.items()
            if not change or before.get(name) != value
        }
        if change and not changes:
            return
        record(
            request,
            self._action(obj, "change" if change else "add"),
            obj=obj,
            clinic_id=self.clinic_of(obj) or getattr(request.user, "clinic_id", None),
            detail={"model": obj._meta.model_name, "object": str(obj), "changes": changes},
        )

    def _record_delete(self, request: HttpRequest, obj: Any) -> None:
        record(
            request,
            self._action(obj, "delete"),
            obj=obj,
            clinic_id=self.clinic_of(obj) or getattr(request.user, "clinic_id", None),
            detail={
                "model": obj._meta.model_name,
                "object": str(obj),
                "changes": {
                    name: {"from": value, "to": None}
                    for name, value in snapshot(obj, self.audited_fields).items()
                },
            },
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            self._record_delete(request, obj)
            super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        # The admin's "delete selected" action is not atomic by itself.
        with transaction.atomic():
            for obj in queryset:
                self._record_delete(request, obj)
            super().delete_queryset(request, queryset)  # type: ignore[misc]
