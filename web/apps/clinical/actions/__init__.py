"""Writes of the clinical workflow, one module per noun. Each function validates through the
core, writes in one transaction and appends to the audit log; a refused request changes nothing.

Every action takes an :class:`~apps.audit.actor.Actor` and typed values, never a request: pages and
the API parse their strings first (:meth:`PrescriptionDraft.parse`, :func:`parse_assignment`,
:func:`parse_adjustment`, :meth:`MedicationEntry.parse`), and the demo loader and tests call the
same actions directly.

- :mod:`~apps.clinical.actions.prescriptions`: writing and signing a prescription (the signing
  gate: :func:`apps.clinical.screening.require_prescribable`);
- :mod:`~apps.clinical.actions.adjustments`: a tolerability rule applied to a plan;
- :mod:`~apps.clinical.actions.assessments`: assigning, completing and correcting questionnaires;
- :mod:`~apps.clinical.actions.medications`: the medication list and settling screen entries;
- :mod:`~apps.clinical.actions.conditions`: conditions and planned surgery.
"""

from __future__ import annotations

from apps.clinical.actions.adjustments import ADJUSTMENTS, adjust_prescription, parse_adjustment
from apps.clinical.actions.assessments import (
    assign_instrument,
    assignable,
    complete_assessment,
    correct_assessment,
    entered_by_patient,
    parse_assignment,
)
from apps.clinical.actions.conditions import add_condition, remove_condition, set_surgery
from apps.clinical.actions.medications import (
    MedicationEntry,
    add_medication,
    correct_medication,
    is_correction,
    remove_medication,
    resolution_from,
    resolve_entry,
)
from apps.clinical.actions.prescriptions import (
    MAX_SUPPLY_DAYS,
    OFF_LABEL_STATEMENT,
    PrescriptionDraft,
    create_prescription,
    parse_custom_steps,
    parse_pharmacy_id,
    sign_prescription,
)

__all__ = [
    "ADJUSTMENTS",
    "MAX_SUPPLY_DAYS",
    "OFF_LABEL_STATEMENT",
    "MedicationEntry",
    "PrescriptionDraft",
    "add_condition",
    "add_medication",
    "adjust_prescription",
    "assign_instrument",
    "assignable",
    "complete_assessment",
    "correct_assessment",
    "correct_medication",
    "create_prescription",
    "entered_by_patient",
    "is_correction",
    "parse_adjustment",
    "parse_assignment",
    "parse_custom_steps",
    "parse_pharmacy_id",
    "remove_condition",
    "remove_medication",
    "resolution_from",
    "resolve_entry",
    "set_surgery",
    "sign_prescription",
]
