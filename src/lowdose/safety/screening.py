"""Pre-prescription safety screening for naltrexone (LDN), failing closed.

Inputs: the current medication list, recently stopped medicines with days since the last dose,
conditions, planned surgery, and any recorded :class:`~lowdose.safety.Resolution`. Every entry
is identified (:func:`lowdose.safety.matching.identify`); what the catalogue says about each
ingredient is applied by :mod:`lowdose.safety.rules`. Findings have a severity; the status is
the worst:

* ``contraindicated`` — hard stop (:class:`ContraindicationError` at signing);
* ``review`` — something could not be identified or confirmed (an unrecognised medicine,
  current or stopped; a depot opioid stopped 28–364 days ago): a person must settle it with a
  :class:`~lowdose.safety.Resolution` (:class:`ReviewRequiredError` until then);
* ``caution`` — may be signed with a recorded reason (:class:`CautionReasonRequiredError`);
* ``ok`` — every entry was identified and nothing was found (``info`` findings only).

Planned surgery: stop LDN 2–3 days before (LDN Research Trust pharmacists; Whately & Stead
2023) → caution.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from lowdose.errors import (
    CautionReasonRequiredError,
    ContraindicationError,
    InputError,
    ReviewRequiredError,
    ScreenBlockedError,
)
from lowdose.safety.catalogue import Catalogue, IngredientInfo, catalogue
from lowdose.safety.conditions import CONDITIONS, condition_rule, normalise_condition
from lowdose.safety.findings import RANK, Finding, FindingSeverity, Status, status_of
from lowdose.safety.matching import Identification, identify
from lowdose.safety.resolutions import Resolution, resolution_key
from lowdose.safety.rules import (
    context_finding,
    ingredient_findings,
    not_identified_finding,
    sources,
)

__all__ = [
    "CONDITIONS",
    "SURGERY_STOP_DAYS",
    "CautionReasonRequiredError",
    "ContraindicationError",
    "Finding",
    "FindingSeverity",
    "ReviewRequiredError",
    "SafetyScreen",
    "ScreenBlockedError",
    "ScreeningResult",
    "Status",
    "StoppedMedication",
    "blocking_screen",
    "check_prescribable",
    "lookup",
    "normalise_condition",
    "screen",
]

#: Stop LDN 2–3 days before surgery (LDN Research Trust pharmacists: ≥2 days, 3 days).
SURGERY_STOP_DAYS = (2, 3)
_NO_RESOLUTIONS: Mapping[str, Resolution] = {}


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
        if not sep or not name.strip() or not days.strip().isdecimal():
            raise InputError(
                f"stopped medicine {text!r} is not NAME:DAYS_AGO (e.g. tramadol:12).",
                field="stopped",
            )
        return cls(name.strip(), int(days))


@dataclass(frozen=True)
class ScreeningResult:
    """The frozen screening outcome: ``status``, every finding (worst first) and the inputs."""

    status: Status
    findings: tuple[Finding, ...]
    medications: tuple[str, ...]
    stopped: tuple[StoppedMedication, ...]
    conditions: tuple[str, ...]
    surgery_in_days: int | None

    @property
    def blocking(self) -> bool:
        """True when nothing may be signed, dispensed or released (contraindicated or review)."""
        return self.status in ("contraindicated", "review")

    @property
    def can_sign(self) -> bool:
        """True when the screen does not block (a caution still needs a reason)."""
        return not self.blocking

    @property
    def needs_reason(self) -> bool:
        """True when signing needs a recorded reason (status ``caution``)."""
        return self.status == "caution"

    @property
    def review_entries(self) -> tuple[str, ...]:
        """The entry texts a person must resolve (from resolvable review findings), once each."""
        return tuple(
            dict.fromkeys(
                f.entry
                for f in self.findings
                if f.severity == "review" and f.resolvable and f.entry is not None
            )
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: status, findings (with ``entry`` and ``resolvable``) and the inputs."""
        return {
            "status": self.status,
            "findings": [f.to_dict() for f in self.findings],
            "review_entries": list(self.review_entries),
            "input": {
                "medications": list(self.medications),
                "stopped": [{"name": s.name, "days_ago": s.days_ago} for s in self.stopped],
                "conditions": list(self.conditions),
                "surgery_in_days": self.surgery_in_days,
            },
        }

    def summary(self) -> str:
        """One line: the status and the count of findings by severity."""
        counts = {s: sum(f.severity == s for f in self.findings) for s in RANK}
        return (
            f"{self.status}: {counts['contraindicated']} contraindication(s), "
            f"{counts['review']} to review, {counts['caution']} caution(s), "
            f"{counts['info']} note(s)"
        )


def blocking_screen(error: ScreenBlockedError) -> ScreeningResult:
    """The screen that blocked, typed (:class:`lowdose.errors.ScreenBlockedError` keeps it as
    ``object`` so that the error tree imports nothing)."""
    if not isinstance(error.result, ScreeningResult):
        raise TypeError(f"ScreenBlockedError.result is {type(error.result).__name__}, not a screen")
    return error.result


def check_prescribable(result: ScreeningResult, caution_reason: str | None = None) -> str:
    """Enforce the signing rule: refuse on a contraindication, then on anything to review;
    require a reason on a caution.

    Returns the caution reason to record: ``caution_reason`` with its whitespace collapsed when
    the screen needs one, ``""`` otherwise (a reason typed for a clear screen is not kept). This
    is the one normalisation of the reason for everything that releases naltrexone (signing a
    prescription, designing an N-of-1 trial).

    Raises
    ------
    ContraindicationError
        If any finding is a contraindication.
    ReviewRequiredError
        If any entry still needs review.
    CautionReasonRequiredError
        If the status is ``caution`` and ``caution_reason`` is blank.
    """
    if result.status == "contraindicated":
        what = "; ".join(
            dict.fromkeys(
                f.matched or f.code for f in result.findings if f.severity == "contraindicated"
            )
        )
        raise ContraindicationError(
            f"Naltrexone cannot be prescribed: contraindicated by {what}. Resolve the cause "
            "(e.g. complete the opioid-free interval) and screen again.",
            result,
        )
    if result.status == "review":
        entries = ", ".join(repr(e) for e in result.review_entries) or "an entry"
        raise ReviewRequiredError(
            f"Naltrexone cannot be prescribed yet: {entries} could not be identified or "
            "confirmed. Name the ingredient(s), record that it contains no opioid with a reason, "
            "or confirm the depot washout; then screen again.",
            result,
        )
    if result.needs_reason and not (caution_reason and caution_reason.strip()):
        raise CautionReasonRequiredError(
            "screening found caution(s): record why prescribing is appropriate.",
            field="caution_reason",
        )
    return " ".join((caution_reason or "").split()) if result.needs_reason else ""


def lookup(name: str) -> IngredientInfo | None:
    """The catalogue ingredient a name (ingredient or synonym, any case) stands for, or None."""
    return catalogue().lookup(name)


class SafetyScreen:
    """Configure a screening, then :meth:`fit` it to get a :class:`ScreeningResult`.

    Parameters
    ----------
    medications : iterable of str
        Current medication-list entries (free text; brand or ingredient, any case).
    stopped : iterable of StoppedMedication or "NAME:DAYS" strings
        Recently stopped medicines.
    conditions : iterable of str
        Names from :data:`CONDITIONS` or their aliases.
    surgery_in_days : int, optional
        Days until planned surgery (0 = today).
    resolutions : mapping of str to Resolution
        Recorded resolutions by entry text (looked up by :func:`resolution_key`), consulted only
        for an entry that would otherwise be ``review``.
    drug_catalogue : Catalogue, optional
        Defaults to the shipped catalogue.
    """

    def __init__(
        self,
        medications: Iterable[str] = (),
        stopped: Iterable[StoppedMedication | str] = (),
        conditions: Iterable[str] = (),
        surgery_in_days: int | None = None,
        *,
        resolutions: Mapping[str, Resolution] = _NO_RESOLUTIONS,
        drug_catalogue: Catalogue | None = None,
    ) -> None:
        if isinstance(medications, str):
            raise InputError("give the medications as a list of entries.", field="medication")
        self.medications = tuple(m for m in (str(x).strip() for x in medications) if m)
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
        self.resolutions: dict[str, Resolution] = {}
        for text, res in resolutions.items():
            if not isinstance(res, Resolution):
                raise InputError(
                    f"the resolution for {text!r} is not a Resolution.", field="resolutions"
                )
            if res.kind == "ingredients":
                res.check_names(self.catalogue)
            self.resolutions[resolution_key(text)] = res

    # -- one entry -------------------------------------------------------------------------

    def _entry(self, text: str, days_ago: int | None) -> list[Finding]:
        cat = self.catalogue
        ident = identify(text, cat)
        findings = [context_finding(cat, c, entry=text) for c in ident.contexts]
        opioid_present = any(i.is_opioid for i in ident.ingredients)
        named: list[str] = []
        for m in ident.matches:
            named.append(m.describe(text))
            depot = m.product is not None and m.product.form == "depot"
            for info in m.ingredients:
                if info.rule == "naloxone" and opioid_present:
                    continue  # naloxone with an opioid (Suboxone, Targin): the opioid decides
                findings.extend(
                    ingredient_findings(
                        cat,
                        info,
                        entry=text,
                        matched=m.describe(text),
                        depot=depot and info.is_opioid,
                        days_ago=days_ago,
                    )
                )
        findings = _dedupe(findings)
        hard_stop = any(f.severity == "contraindicated" for f in findings)
        unidentified = bool(ident.unidentified) or not (
            ident.matches or ident.contexts or ident.states_none
        )
        if unidentified and not hard_stop:
            matched = "; ".join(named) or f"{text!r}: nothing recognised"
            findings.append(not_identified_finding(ident, entry=text, matched=matched))
        elif unidentified:
            # The entry is a hard stop already; the leftover words are shown, not reviewed.
            extra = ", ".join(repr(w) for w in ident.unidentified)
            findings = [
                _with_matched(f, f"{f.matched}; also not recognised: {extra}")
                if f.severity == "contraindicated" and extra
                else f
                for f in findings
            ]
        if ident.states_none:
            findings.append(
                Finding(
                    "not-a-current-medicine",
                    "info",
                    f"{text!r} reads as 'no medicines': not screened; remove it from the "
                    "medication list.",
                    f"{text!r}: no medicine named",
                    sources(cat, ("fail-closed",)),
                    None,
                    text,
                )
            )
        if not findings:
            findings.append(self._identified(text, ident, days_ago))
        if any(f.severity == "review" for f in findings):
            findings = self._resolve(text, ident, days_ago, findings)
        return findings

    def _identified(self, text: str, ident: Identification, days_ago: int | None) -> Finding:
        names = ", ".join(i.ingredient for i in ident.ingredients)
        when = "" if days_ago is None else " (stopped)"
        return Finding(
            "no-opioid-found",
            "info",
            f"{text!r}{when} was identified as {names}: no opioid or interacting medicine found.",
            "; ".join(m.describe(text) for m in ident.matches),
            sources(self.catalogue, (), ident.ingredients[0]) if ident.ingredients else "",
            ident.ingredients[0].ingredient if len(ident.ingredients) == 1 else None,
            text,
        )

    def _resolve(
        self, text: str, ident: Identification, days_ago: int | None, findings: list[Finding]
    ) -> list[Finding]:
        res = self.resolutions.get(resolution_key(text))
        if res is None:
            return findings
        cat = self.catalogue
        out: list[Finding] = []
        for f in findings:
            if f.severity != "review":
                out.append(f)
            elif f.code == "medication-not-identified" and res.kind == "ingredients":
                infos = res.check_names(cat)
                named = " + ".join(i.ingredient for i in infos)
                matched = f"{text!r} → as named by a clinician: {named}"
                produced: list[Finding] = []
                for info in infos:
                    produced.extend(
                        ingredient_findings(
                            cat, info, entry=text, matched=matched, days_ago=days_ago
                        )
                    )
                if not produced:
                    produced.append(
                        Finding(
                            "no-opioid-found",
                            "info",
                            f"{text!r} is screened as named by a clinician: {named}; no opioid "
                            "or interacting medicine among them.",
                            matched,
                            sources(cat, ("fail-closed",)),
                            None,
                            text,
                        )
                    )
                out.extend(produced)
            elif f.code == "medication-not-identified" and res.kind == "not_opioid":
                out.append(
                    Finding(
                        "recorded-not-opioid",
                        "info",
                        f"{text!r} was recorded as not opioid-containing: {res.reason.strip()}",
                        f"{text!r} → recorded by a person as not opioid-containing",
                        sources(cat, ("fail-closed",)),
                        None,
                        text,
                    )
                )
            elif f.code == "opioid-depot-washout-unconfirmed" and res.kind == "washout_confirmed":
                out.append(
                    Finding(
                        "opioid-depot-washout-confirmed",
                        "caution",
                        f"{f.ingredient} depot stopped {days_ago} days ago; opioid-free status "
                        f"was confirmed: {res.reason.strip()}. Record the reason for "
                        "prescribing.",
                        f.matched,
                        f.source,
                        f.ingredient,
                        text,
                    )
                )
            else:
                out.append(f)
        return _dedupe(out)

    # -- the rest --------------------------------------------------------------------------

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
            sources(self.catalogue, ("surgery",)),
        )

    def fit(self) -> ScreeningResult:
        """Run every rule and return the frozen result."""
        findings: list[Finding] = []
        for med in self.medications:
            findings.extend(self._entry(med, None))
        for item in self.stopped:
            findings.extend(self._entry(item.name, item.days_ago))
        for cond in self.conditions:
            rule = condition_rule(cond)
            findings.append(
                Finding(
                    cond,
                    rule.severity,
                    rule.message,
                    cond,
                    sources(self.catalogue, rule.source_ids),
                )
            )
        if self.surgery_in_days is not None:
            findings.append(self._surgery(self.surgery_in_days))
        findings.sort(key=lambda f: -RANK[f.severity])
        return ScreeningResult(
            status=status_of([f.severity for f in findings]),
            findings=tuple(findings),
            medications=self.medications,
            stopped=self.stopped,
            conditions=self.conditions,
            surgery_in_days=self.surgery_in_days,
        )


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: dict[tuple[str, str | None, str | None], Finding] = {}
    for f in findings:
        seen.setdefault((f.code, f.ingredient, f.entry), f)
    return list(seen.values())


def _with_matched(f: Finding, matched: str) -> Finding:
    return Finding(
        f.code, f.severity, f.message, matched, f.source, f.ingredient, f.entry, f.resolvable
    )


def screen(
    medications: Iterable[str] = (),
    stopped: Iterable[StoppedMedication | str] = (),
    conditions: Iterable[str] = (),
    surgery_in_days: int | None = None,
    *,
    resolutions: Mapping[str, Resolution] = _NO_RESOLUTIONS,
    drug_catalogue: Catalogue | None = None,
) -> ScreeningResult:
    """Shortcut for ``SafetyScreen(...).fit()``."""
    return SafetyScreen(
        medications,
        stopped,
        conditions,
        surgery_in_days,
        resolutions=resolutions,
        drug_catalogue=drug_catalogue,
    ).fit()
