"""Pre-prescription safety screening for naltrexone (LDN).

Inputs: the current medication list, recently stopped medicines with days since the last dose,
conditions, and planned surgery. Every finding carries a ``code``, a ``severity``, a ``message``
saying what to do, what it ``matched`` and its ``source``. The status is the worst severity:

* ``contraindicated`` — a hard stop: the prescription cannot be signed
  (:func:`check_prescribable` raises :class:`ContraindicationError`);
* ``caution`` — may be signed with a recorded reason (for the audit log);
* ``ok`` — nothing found (``info`` findings, e.g. an opioid stopped long enough, do not count).

Rules and sources (naltrexone tablet label unless stated; see ``data/drugs.json`` for texts):

* current opioid analgesics, tramadol, codeine, buprenorphine, methadone, opioid cough and
  antidiarrhoeal products → contraindicated;
* recently stopped opioid agonists: at least 7–10 opioid-free days (label), 14 after methadone or
  buprenorphine (Vivitrol label §2.3). With :math:`t` days since the last dose and the interval
  :math:`[m, f]` (7–10, or 14–14):

  .. math::

     t < m \\Rightarrow \\text{contraindicated},\\quad m \\le t < f \\Rightarrow
     \\text{caution},\\quad t \\ge f \\Rightarrow \\text{cleared (info)}

* acute hepatitis, liver failure → contraindicated (oral-tablet label);
* cirrhosis (exposure ≈5× compensated, ≈10× decompensated: ASHP monograph; Swiss label),
  pregnancy (animal data, no adequate human studies), breastfeeding (LactMed: minimally excreted),
  planned surgery (stop 2–3 days before; tell the anaesthetist: LDN Research Trust;
  Whately & Stead 2023), thioridazine and disulfiram (Vivitrol label §7) → caution.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from lowdose.errors import InputError, LowdoseError
from lowdose.safety.catalogue import WASHOUT_DAYS, Catalogue, catalogue
from lowdose.safety.matching import DrugMatch, find_drugs

__all__ = [
    "CONDITIONS",
    "CautionReasonRequiredError",
    "ContraindicationError",
    "Finding",
    "FindingSeverity",
    "SafetyScreen",
    "ScreeningResult",
    "Status",
    "StoppedMedication",
    "check_prescribable",
    "normalise_condition",
    "screen",
]

Status = Literal["contraindicated", "caution", "ok"]
FindingSeverity = Literal["contraindicated", "caution", "info"]
_RANK: dict[str, int] = {"info": 0, "caution": 1, "contraindicated": 2}
_STATUS_BY_RANK: dict[int, Status] = {0: "ok", 1: "caution", 2: "contraindicated"}


class ContraindicationError(LowdoseError):
    """A prescription was attempted despite a contraindication (hard stop)."""


class CautionReasonRequiredError(InputError):
    """A caution was not acknowledged with a reason; ``field`` is ``"caution_reason"``."""


@dataclass(frozen=True, slots=True)
class _ConditionRule:
    severity: FindingSeverity
    message: str
    source_ids: tuple[str, ...]


_CONDITIONS: dict[str, _ConditionRule] = {
    "acute-hepatitis": _ConditionRule(
        "contraindicated",
        "Acute hepatitis is a contraindication on the naltrexone tablet label: do not prescribe.",
        ("label-hepatic",),
    ),
    "liver-failure": _ConditionRule(
        "contraindicated",
        "Liver failure is a contraindication on the naltrexone tablet label: do not prescribe.",
        ("label-hepatic",),
    ),
    "cirrhosis": _ConditionRule(
        "caution",
        "Cirrhosis raises naltrexone exposure about 5-fold (compensated) to 10-fold "
        "(decompensated): consider the lowest starting dose, slow titration and liver tests, and "
        "record the reason for prescribing.",
        ("pk-hepatic", "label-hepatic"),
    ),
    "pregnancy": _ConditionRule(
        "caution",
        "Pregnancy: animal studies showed early fetal loss at high doses and there are no adequate "
        "human studies; discuss risks and benefits and record the reason for prescribing.",
        ("label-pregnancy",),
    ),
    "breastfeeding": _ConditionRule(
        "caution",
        "Breastfeeding: naltrexone is minimally excreted into milk and LactMed does not consider "
        "it a reason to stop breastfeeding; monitor the infant and record the reason.",
        ("lactmed",),
    ),
}
#: Accepted condition names (underscores and spaces accepted in place of hyphens).
CONDITIONS: tuple[str, ...] = tuple(_CONDITIONS)
_ALIASES = {
    "hepatitis": "acute-hepatitis",
    "hepatic-failure": "liver-failure",
    "pregnant": "pregnancy",
    "breast-feeding": "breastfeeding",
    "lactation": "breastfeeding",
    "lactating": "breastfeeding",
}
#: Stop LDN 2–3 days before surgery (LDN Research Trust pharmacists: ≥2 days, 3 days).
SURGERY_STOP_DAYS = (2, 3)


def normalise_condition(name: str) -> str:
    """Return the canonical condition name or raise :class:`InputError` (``field="condition"``)."""
    key = "-".join(name.strip().lower().replace("_", " ").replace("-", " ").split())
    key = _ALIASES.get(key, key)
    if key not in _CONDITIONS:
        raise InputError(
            f"unknown condition {name!r}; use one of {', '.join(CONDITIONS)} "
            "(underscores and spaces are accepted too).",
            field="condition",
        )
    return key


@dataclass(frozen=True, slots=True)
class StoppedMedication:
    """A medicine stopped ``days_ago`` days ago (0 = last dose today)."""

    name: str
    days_ago: int

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InputError("a stopped medicine needs a name.", field="stopped")
        if isinstance(self.days_ago, bool) or not isinstance(self.days_ago, int):
            raise InputError(
                f"days since stopping {self.name!r} must be a whole number.", field="stopped"
            )
        if self.days_ago < 0:
            raise InputError(
                f"days since stopping {self.name!r} cannot be negative ({self.days_ago}); give "
                "the days since the last dose (0 = today).",
                field="stopped",
            )

    @classmethod
    def parse(cls, text: str) -> StoppedMedication:
        """Parse ``"NAME:DAYS_AGO"`` (the CLI's ``--stopped`` form)."""
        name, sep, days = text.rpartition(":")
        if not sep or not name.strip() or not days.strip().isdigit():
            raise InputError(
                f"stopped medicine {text!r} is not NAME:DAYS_AGO (e.g. tramadol:12).",
                field="stopped",
            )
        return cls(name.strip(), int(days))


@dataclass(frozen=True, slots=True)
class Finding:
    """One screening finding.

    ``matched`` says what was recognised (``"'Percoset' ~ percocet (spelling variant, 1 edit(s))
    → oxycodone"``, or the condition name); ``source`` cites the basis.
    """

    code: str
    severity: FindingSeverity
    message: str
    matched: str
    source: str
    ingredient: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "matched": self.matched,
            "source": self.source,
            "ingredient": self.ingredient,
        }


@dataclass(frozen=True)
class ScreeningResult:
    """The frozen screening outcome: ``status`` and every finding."""

    status: Status
    findings: tuple[Finding, ...]
    medications: tuple[str, ...]
    stopped: tuple[StoppedMedication, ...]
    conditions: tuple[str, ...]
    surgery_in_days: int | None

    @property
    def can_sign(self) -> bool:
        """False when any finding is a contraindication (hard stop)."""
        return self.status != "contraindicated"

    @property
    def needs_reason(self) -> bool:
        """True when signing needs a recorded reason (status ``caution``)."""
        return self.status == "caution"

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "findings": [f.to_dict() for f in self.findings],
            "input": {
                "medications": list(self.medications),
                "stopped": [{"name": s.name, "days_ago": s.days_ago} for s in self.stopped],
                "conditions": list(self.conditions),
                "surgery_in_days": self.surgery_in_days,
            },
        }

    def summary(self) -> str:
        counts = {s: sum(f.severity == s for f in self.findings) for s in _RANK}
        return (
            f"{self.status}: {counts['contraindicated']} contraindication(s), "
            f"{counts['caution']} caution(s), {counts['info']} note(s)"
        )


def check_prescribable(result: ScreeningResult, caution_reason: str | None = None) -> None:
    """Enforce the signing rule: refuse on a contraindication, require a reason on a caution.

    Raises
    ------
    ContraindicationError
        If any finding is a contraindication.
    CautionReasonRequiredError
        If the status is ``caution`` and ``caution_reason`` is empty.
    """
    if not result.can_sign:
        codes = ", ".join(f.code for f in result.findings if f.severity == "contraindicated")
        raise ContraindicationError(
            f"naltrexone cannot be prescribed: contraindication(s) {codes}. Resolve them (e.g. "
            "complete the opioid-free interval) and screen again."
        )
    if result.needs_reason and not (caution_reason and caution_reason.strip()):
        raise CautionReasonRequiredError(
            "screening found caution(s): record why prescribing is appropriate.",
            field="caution_reason",
        )


def _source(cat: Catalogue, ids: tuple[str, ...]) -> str:
    return cat.source_text(ids)


def _interval_text(m: DrugMatch) -> str:
    washout = m.entry.washout
    if washout is None:
        return ""
    low, high = WASHOUT_DAYS[washout]
    return f"{low}" if low == high else f"{low}–{high}"


class SafetyScreen:
    """Configure a screening, then :meth:`fit` it to get a :class:`ScreeningResult`.

    Parameters
    ----------
    medications : iterable of str
        Current medication-list entries (free text; brand or ingredient, any case).
    stopped : iterable of StoppedMedication or "NAME:DAYS" strings
        Recently stopped medicines.
    conditions : iterable of str
        Names from :data:`CONDITIONS`.
    surgery_in_days : int, optional
        Days until planned surgery (0 = today).
    """

    def __init__(
        self,
        medications: Iterable[str] = (),
        stopped: Iterable[StoppedMedication | str] = (),
        conditions: Iterable[str] = (),
        surgery_in_days: int | None = None,
        *,
        drug_catalogue: Catalogue | None = None,
    ) -> None:
        meds = tuple(m for m in (str(x).strip() for x in medications) if m)
        self.medications = meds
        self.stopped = tuple(
            s if isinstance(s, StoppedMedication) else StoppedMedication.parse(s) for s in stopped
        )
        self.conditions = tuple(dict.fromkeys(normalise_condition(c) for c in conditions))
        if surgery_in_days is not None and (
            isinstance(surgery_in_days, bool)
            or not isinstance(surgery_in_days, int)
            or surgery_in_days < 0
        ):
            raise InputError(
                f"surgery_in_days must be a whole number ≥0 (got {surgery_in_days!r}); give the "
                "days until the planned surgery.",
                field="surgery_in_days",
            )
        self.surgery_in_days = surgery_in_days
        self.catalogue = drug_catalogue or catalogue()

    def _current(self, query: str) -> list[Finding]:
        cat = self.catalogue
        matches = find_drugs(query, cat)
        if not matches:
            return [
                Finding(
                    "medication-not-recognised",
                    "info",
                    f"{query!r} is not a screened medicine; check that it contains no opioid.",
                    "",
                    "lowdose safety catalogue (data/drugs.json)",
                )
            ]
        out = []
        for m in matches:
            e = m.entry
            if e.severity == "contraindicated":
                msg = (
                    f"{query!r} contains {e.ingredient} ({e.drug_class}). Naltrexone blocks "
                    "opioids and can precipitate withdrawal: do not prescribe while it is taken; "
                    f"after the last dose the patient needs {_interval_text(m)} opioid-free days."
                )
            else:
                msg = f"{query!r} contains {e.ingredient}: {e.message}"
            out.append(
                Finding(
                    e.code, e.severity, msg, m.describe(), _source(cat, e.sources), e.ingredient
                )
            )
        return out

    def _stopped(self, item: StoppedMedication) -> list[Finding]:
        cat = self.catalogue
        out = []
        for m in find_drugs(item.name, cat):
            e = m.entry
            if e.washout is None:
                continue
            low, high = WASHOUT_DAYS[e.washout]
            days = item.days_ago
            ids = ("label-switching",) if e.washout == "long" else ("label-opioid-free-interval",)
            need = f"{low}" if low == high else f"{low}–{high}"
            if days < low:
                sev: FindingSeverity = "contraindicated"
                code = "opioid-stopped-recently"
                msg = (
                    f"{e.ingredient} stopped {days} day(s) ago; {need} opioid-free days are needed "
                    f"before naltrexone. Wait {low - days} more day(s) and screen again."
                )
            elif days < high:
                sev, code = "caution", "opioid-stopped-window"
                msg = (
                    f"{e.ingredient} stopped {days} day(s) ago: inside the {need}-day opioid-free "
                    f"window (full interval in {high - days} more day(s)). Confirm opioid-free "
                    "status (e.g. urine screen) and record the reason if starting now."
                )
            else:
                sev, code = "info", "opioid-stopped-cleared"
                msg = (
                    f"{e.ingredient} stopped {days} day(s) ago: the {need}-day opioid-free "
                    "interval is complete."
                )
            out.append(Finding(code, sev, msg, m.describe(), _source(cat, ids), e.ingredient))
        return out

    def _surgery(self, days: int) -> Finding:
        low, high = SURGERY_STOP_DAYS
        if days <= high:
            timing = (
                f"Surgery is in {days} day(s), inside the {low}–{high}-day stop window: do not "
                "start naltrexone before it; start after surgery once no opioid analgesia is "
                "needed."
            )
        else:
            timing = (
                f"Surgery is in {days} day(s): stop naltrexone at least {low}–{high} days before "
                f"(by day {days - high} to {days - low} from today)."
            )
        return Finding(
            "planned-surgery",
            "caution",
            f"{timing} Tell the anaesthetist: opioid pain relief may not work while naltrexone is "
            "taken.",
            f"surgery in {days} day(s)",
            _source(self.catalogue, ("surgery",)),
        )

    def fit(self) -> ScreeningResult:
        """Run every rule and return the frozen result."""
        findings: list[Finding] = []
        for med in self.medications:
            findings.extend(self._current(med))
        for item in self.stopped:
            findings.extend(self._stopped(item))
        for cond in self.conditions:
            rule = _CONDITIONS[cond]
            findings.append(
                Finding(
                    cond,
                    rule.severity,
                    rule.message,
                    cond,
                    _source(self.catalogue, rule.source_ids),
                )
            )
        if self.surgery_in_days is not None:
            findings.append(self._surgery(self.surgery_in_days))
        findings.sort(key=lambda f: -_RANK[f.severity])
        worst = max((_RANK[f.severity] for f in findings), default=0)
        status = _STATUS_BY_RANK[worst]
        return ScreeningResult(
            status=status,
            findings=tuple(findings),
            medications=self.medications,
            stopped=self.stopped,
            conditions=self.conditions,
            surgery_in_days=self.surgery_in_days,
        )


def screen(
    medications: Iterable[str] = (),
    stopped: Iterable[StoppedMedication | str] = (),
    conditions: Iterable[str] = (),
    surgery_in_days: int | None = None,
) -> ScreeningResult:
    """Shortcut for ``SafetyScreen(...).fit()``."""
    return SafetyScreen(medications, stopped, conditions, surgery_in_days).fit()
