"""Titration protocols and dated schedules for low-dose naltrexone.

Public API::

    from lowdose.regimens import get_protocol, hold_dose, move_to_morning, step_back
    plan = get_protocol("ldnrt-standard").schedule(date(2025, 1, 6))
    plan = move_to_morning(plan, on=date(2025, 1, 10))

Protocols are data files with sources (``protocols/*.json``); a schedule is a tuple of frozen
:class:`TitrationStep` objects (``start``, inclusive ``end`` or ``None``, ``dose_mg`` Decimal,
``time``). Tolerability rules are pure functions from a schedule to a new schedule.

Exceptions::

    LowdoseError
    ├── InputError
    │   └── RegimenError               a plan or adjustment cannot be built from these values
    │       └── UnknownProtocolError   the protocol name is not shipped (field="protocol")
    └── DataError
        └── ProtocolDataError          a shipped protocol file is malformed
"""

from __future__ import annotations

from lowdose.errors import ProtocolDataError, RegimenError, UnknownProtocolError
from lowdose.regimens.coverage import (
    MAINTENANCE_DAYS,
    START_HORIZON_DAYS,
    SupplyCoverage,
    check_start,
    check_supply_covers,
    default_supply_days,
    supply_coverage,
)
from lowdose.regimens.current import (
    DIARY_WINDOW_DAYS,
    CurrentDose,
    continue_from,
    current_dose,
)
from lowdose.regimens.protocol import (
    MAX_DAILY_DOSE_MG,
    Protocol,
    ProtocolStep,
    Source,
    custom_protocol,
    get_protocol,
    list_protocols,
    protocol_names,
)
from lowdose.regimens.steps import (
    DoseTime,
    TitrationStep,
    daily_doses,
    decimal_str,
    extend_through,
    schedule_days,
    schedule_to_dicts,
    total_dose_mg,
    validate_schedule,
)
from lowdose.regimens.tolerability import hold_dose, move_to_morning, step_back
from lowdose.regimens.trial_overlap import (
    TrialWindow,
    check_no_trial_overlap,
    days_before_trial,
)

__all__ = [
    "DIARY_WINDOW_DAYS",
    "MAINTENANCE_DAYS",
    "MAX_DAILY_DOSE_MG",
    "START_HORIZON_DAYS",
    "CurrentDose",
    "DoseTime",
    "Protocol",
    "ProtocolDataError",
    "ProtocolStep",
    "RegimenError",
    "Source",
    "SupplyCoverage",
    "TitrationStep",
    "TrialWindow",
    "UnknownProtocolError",
    "check_no_trial_overlap",
    "check_start",
    "check_supply_covers",
    "continue_from",
    "current_dose",
    "custom_protocol",
    "daily_doses",
    "days_before_trial",
    "decimal_str",
    "default_supply_days",
    "extend_through",
    "get_protocol",
    "hold_dose",
    "list_protocols",
    "move_to_morning",
    "protocol_names",
    "schedule_days",
    "schedule_to_dicts",
    "step_back",
    "supply_coverage",
    "total_dose_mg",
    "validate_schedule",
]
