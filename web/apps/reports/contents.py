"""What a visit report says, gathered from the apps that own each fact, as plain data.

:func:`report_contents` returns one dict of plain values (strings, numbers, dates, lists): the
template draws it, and its JSON is hashed into the cache key (:mod:`apps.reports.pdf`), so any
change in what the report would say — a new check-in, a questionnaire, a closed alert, the
next day — is a new key. Each section reads the owner's own query:

- daily scores, adherence, side effects: :func:`apps.checkins.queries.summary_of` and
  :func:`~apps.checkins.queries.core_checkins` (deleted check-ins never count);
- the open-label response analysis: :func:`apps.checkins.queries.responses_of`;
- questionnaires: the stored :class:`~apps.clinical.models.AssessmentResult` rows, with the risk
  flags of :data:`lowdose.instruments.model.RISK_FLAGS`;
- plan and dose today: the latest signed or dispensed prescription and
  :func:`apps.clinical.queries.current_dose_for`;
- the safety screen: :func:`apps.clinical.screening.screen_patient`;
- open alerts: the patient's unresolved :class:`~apps.alerts.models.Alert` rows (the report goes
  to the care team, who see every alert of their patients);
- the N-of-1 result: the unblinded trial's stored result (a blinded trial says only that it runs);
- cost: :func:`apps.pharmacy.queries.costs_for`, the cheapest pharmacy for the plan's form.

The patient's version leaves out the alerts, the safety screen's findings and the risk flags
(the care team's words) and carries no codes; both versions hold the same numbers otherwise.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from apps.accounts.models import Patient
from apps.alerts.models import SEVERITY_RANK, Alert
from apps.checkins.queries import core_checkins, responses_of, summary_of
from apps.clinical.models import Prescription
from apps.clinical.queries import current_dose_for
from apps.clinical.screening import screen_patient
from apps.nof1.models import Nof1Trial
from apps.pharmacy.queries import costs_for
from apps.reports.period import Period
from lowdose import instruments
from lowdose.daily import DAILY_SCALES
from lowdose.diary import SEVERITIES, PatientSummary
from lowdose.diary.charts import checkin_chart
from lowdose.diary.checkin import SIDE_EFFECT_LABELS
from lowdose.diary.summary import DoseStep
from lowdose.errors import LowdoseError
from lowdose.instruments.model import RISK_FLAGS
from lowdose.outcomes import Nof1Result

__all__ = ["AUDIENCES", "Audience", "report_contents"]

Audience = Literal["patient", "clinician"]
AUDIENCES: tuple[Audience, ...] = ("patient", "clinician")

#: Alerts in the inbox's order: urgent, warning, information.
_RANK: dict[str, int] = {str(severity): rank for severity, rank in SEVERITY_RANK.items()}

#: The chart's width in CSS pixels: the printable width of an A4 page at the report's margins.
CHART_WIDTH = 620
#: One panel per daily scale: four of this height and the chart fits beside the tables.
CHART_PANEL_HEIGHT = 34

#: How the direction of a change reads in each version.
DIRECTION_WORDS: dict[Audience, dict[str, str]] = {
    "clinician": {
        "better": "better (interval excludes no change)",
        "worse": "worse (interval excludes no change)",
        "unclear": "unclear (interval includes no change)",
    },
    "patient": {
        "better": "better, more than day-to-day ups and downs",
        "worse": "worse, more than day-to-day ups and downs",
        "unclear": "about the same as day-to-day ups and downs",
    },
}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _scores(summary: PatientSummary, period: Period) -> dict[str, Any]:
    """Each daily scale over the period: its mean, the latest day's score and the baseline."""
    days = [row for row in summary.days if period.contains(row.day)]
    latest = days[-1] if days else None
    rows = []
    for scale in DAILY_SCALES:
        values = [row.score(scale.name) for row in days]
        rows.append(
            {
                "label": scale.label,
                "direction": scale.direction,
                "baseline": _round((summary.baseline or {}).get(scale.name)),
                "mean": _round(sum(values) / len(values)) if values else None,
                "latest": _round(latest.score(scale.name)) if latest else None,
            }
        )
    steps = [s for s in summary.dose_steps if period.contains(s.day)]
    before = [s for s in summary.dose_steps if s.day < period.start]
    chart = None
    if days:
        # The step in force when the period starts is drawn from the period's first day.
        shown = ([DoseStep(days[0].day, before[-1].dose_mg)] if before else []) + steps
        chart = checkin_chart(
            days,
            shown,
            width=CHART_WIDTH,
            panel_height=CHART_PANEL_HEIGHT,
            baseline=summary.baseline,
        )
    return {
        "rows": rows,
        "latest_day": latest.day if latest else None,
        "days": days,
        "dose_changes": [{"day": s.day, "dose_mg": f"{s.dose_mg.normalize():f}"} for s in steps],
        "chart_spec": chart,
    }


def _adherence(days: list[Any], period: Period) -> dict[str, Any]:
    return {
        "period_days": period.days,
        "checkin_days": len(days),
        "doses_missed": sum(1 for row in days if row.dose_missed),
        "missed_days": [row.day for row in days if row.dose_missed],
        "doses_taken": sum(1 for row in days if row.dose_mg is not None and not row.dose_missed),
    }


def _side_effects(patient: Patient, period: Period) -> list[dict[str, Any]]:
    """Each side effect reported in the period: on how many days, and at worst how bad."""
    days: dict[str, set[date]] = {}
    worst: dict[str, int] = {}
    for checkin in core_checkins(patient):
        if not period.contains(checkin.day):
            continue
        for effect in checkin.side_effects:
            days.setdefault(effect.name, set()).add(checkin.day)
            rank = SEVERITIES.index(effect.severity) if effect.severity in SEVERITIES else 0
            worst[effect.name] = max(worst.get(effect.name, 0), rank)
    return [
        {
            "label": SIDE_EFFECT_LABELS.get(name, name.replace("_", " ").capitalize()),
            "days": len(days[name]),
            "worst": SEVERITIES[worst[name]],
        }
        for name in sorted(days, key=lambda n: (-len(days[n]), n))
    ]


def _responses(summary: PatientSummary, audience: Audience) -> list[dict[str, Any]]:
    """The open-label response analysis (baseline against the recent steady-dose window)."""
    rows = []
    labels = {scale.name: scale.label for scale in DAILY_SCALES}
    for response in responses_of(summary):
        result = response.result
        row: dict[str, Any] = {"label": labels[response.outcome], "reason": response.reason}
        if result is not None:
            row.update(
                baseline=_round(result.baseline_mean),
                recent=_round(result.recent_mean),
                change=_round(result.change),
                ci_low=_round(result.ci_low),
                ci_high=_round(result.ci_high),
                recent_start=result.recent_start,
                recent_end=result.recent_end,
                placebo=None if result.placebo is None else _round(result.placebo.change),
                direction=DIRECTION_WORDS[audience][result.direction],
            )
        rows.append(row)
    return rows


def _assessments(patient: Patient, period: Period, audience: Audience) -> list[dict[str, Any]]:
    """The latest result of each questionnaire up to the period's end, with its band and (for
    the care team) its risk flags in words."""
    latest: dict[str, Any] = {}
    for row in patient.assessment_results.filter(completed_on__lte=period.end).order_by(
        "completed_on", "pk"
    ):
        latest[row.instrument] = row
    out = []
    for name, row in sorted(latest.items(), key=lambda item: item[1].completed_on, reverse=True):
        try:
            title = instruments.get(name).title
        except LowdoseError:
            title = name
        flags = row.result.get("flags", []) if isinstance(row.result, dict) else []
        out.append(
            {
                "title": title,
                "completed_on": row.completed_on,
                "in_period": period.contains(row.completed_on),
                "total": row.total,
                "band": row.band,
                "interpretation": row.interpretation,
                "risks": [RISK_FLAGS[f] for f in flags if f in RISK_FLAGS]
                if audience == "clinician"
                else [],
            }
        )
    return out


def _plan(patient: Patient, today: date) -> dict[str, Any] | None:
    """The latest signed or dispensed plan and the dose the patient is on today."""
    rx = (
        patient.prescriptions.exclude(status=Prescription.Status.DRAFT)
        .order_by("-start_date", "-created_at")
        .first()
    )
    dose = current_dose_for(patient, today)
    if rx is None and dose is None:
        return None
    out: dict[str, Any] = {
        "dose_today": None if dose is None else f"{dose.dose_mg.normalize():f}",
        "dose_since": None if dose is None else dose.since,
        "dose_reason": "" if dose is None else dose.reason,
    }
    if rx is not None:
        out.update(
            title=rx.plan_title,
            status=rx.get_status_display(),
            start=rx.start_date,
            end=rx.end_date,
            form=rx.get_form_display(),
            dose_time=rx.dose_time,
            cost=_cost(rx),
        )
    return out


def _cost(rx: Prescription) -> dict[str, str] | None:
    """The cheapest pharmacy's price for the plan (its maintenance dose), if any publishes one.
    Prices in different currencies are not compared: then the cheapest in the currency of the
    prescription's own pharmacy, or nothing."""
    priced = [row for row in costs_for(rx) if row.cost is not None]
    if len({row.cost.currency for row in priced if row.cost is not None}) > 1:
        own = next((r for r in priced if rx.pharmacy and r.pharmacy == rx.pharmacy.name), None)
        priced = [
            r
            for r in priced
            if own is not None
            and own.cost is not None
            and r.cost is not None
            and r.cost.currency == own.cost.currency
        ]
    for row in priced:
        if row.cost is not None:
            return {
                "pharmacy": row.pharmacy,
                "monthly": str(row.cost.monthly),
                "trial_12_weeks": str(row.cost.trial_12_weeks.total),
                "yearly": str(row.cost.yearly.total),
            }
    return None


def _nof1(patient: Patient) -> dict[str, Any] | None:
    """The latest unblinded trial's result, or that a blinded trial is under way."""
    trial = Nof1Trial.objects.filter(patient=patient).order_by("-start", "-pk").first()
    if trial is None:
        return None
    if not trial.is_unblinded:
        return {"blinded": True, "start": trial.start, "end": trial.end}
    stored = trial.result or {}
    if "effects" not in stored:
        return {"blinded": False, "sentences": [], "effects": [], "error": stored.get("error", "")}
    result = Nof1Result.from_dict(stored)
    return {
        "blinded": False,
        "outcome": result.outcome,
        "sentences": list(result.sentences),
        "effects": [
            {
                "arm": e.arm,
                "mean": round(e.mean, 2),
                "ci_low": round(e.ci_low, 2),
                "ci_high": round(e.ci_high, 2),
                "p_better": round(e.p_better, 3),
            }
            for e in result.effects
        ],
        "days_used": result.days_used,
        "error": "",
    }


def _care_team(patient: Patient) -> dict[str, Any]:
    """What only the care team's version shows: the safety screen and the open alerts."""
    screen = screen_patient(patient)
    alerts = sorted(
        Alert.objects.filter(patient=patient, resolved_at__isnull=True),
        key=lambda a: (_RANK.get(a.severity, len(_RANK)), -a.raised_at.timestamp()),
    )
    return {
        "screening": {
            "status": str(screen.status),
            "findings": [{"severity": f.severity, "message": f.message} for f in screen.findings],
        },
        "alerts": [
            {
                "severity": a.get_severity_display(),
                "message": a.message,
                "raised_on": a.raised_at.date(),
                "acknowledged": a.acknowledged_at is not None,
            }
            for a in alerts
        ],
    }


def report_contents(patient: Patient, period: Period, audience: Audience) -> dict[str, Any]:
    """Everything the report shows, as plain data (module docstring)."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    summary = summary_of(patient)
    scores = _scores(summary, period)
    days = scores.pop("days")
    contents: dict[str, Any] = {
        "audience": audience,
        "patient": {"id": patient.pk, "name": patient.display_name},
        "today": summary.today,
        "period": {
            "start": period.start,
            "end": period.end,
            "days": period.days,
            "rule": period.rule,
            "last_visit": period.last_visit,
        },
        "scores": scores,
        "adherence": _adherence(days, period),
        "side_effects": _side_effects(patient, period),
        "responses": _responses(summary, audience),
        "assessments": _assessments(patient, period, audience),
        "plan": _plan(patient, summary.today),
        "nof1": _nof1(patient),
    }
    if audience == "clinician":
        contents.update(_care_team(patient))
    return contents
