"""Daily scores, baseline, 7-day averages, dose steps, and the clinician's alerts.

Definitions (documented in ``docs/checkin.md``):

* **Daily score**: the mean of a day's check-ins for each scale (several entries a day are allowed),
  one :class:`~lowdose.daily.DailyScores` row per day of the one daily series
  (:class:`~lowdose.daily.Diary`) that the analyses, the CSV and the charts also read.
* **Baseline**: the mean over every day before the first day a dose was taken — the untreated
  period, as in the LDN trials' 2-week baseline (Younger et al., Arthritis Rheum 2013;65:529).
  Fewer than :data:`MIN_BASELINE_DAYS` days gives no baseline rather than a misleading one.
* **7-day average**: the mean of the daily scores in the 7 calendar days ending today — how the
  last week went, not a change (7 days, fewer when some were missed, are too few to tell a change
  from day-to-day ups and downs).
* **Change from baseline** (the one the dashboards state): the mean of the *recent window* minus
  the baseline mean. The recent window is the last :data:`RECENT_WINDOW_DAYS` calendar days
  ending on the last day with a check-in, after the first dose, shortened to start the day after
  the dose last changed (compare at a steady dose). It is the window and the arithmetic of the
  open-label response analysis (:class:`lowdose.outcomes.ResponseAnalysis`, which adds an
  interval allowing for autocorrelation), so the two never disagree.
* **Alerts** (rules chosen for follow-up, not for diagnosis):

  - ``no_checkin``: the last check-in was :data:`NO_CHECKIN_DAYS` or more days ago (or, for a
    patient who never checked in, they joined that long ago: :func:`no_checkin_alert`);
  - ``new_side_effect``: a side effect reported in the last 7 days that was never reported before;
  - ``severe_side_effect``: a side effect reported in the last 7 days at the most severe level of
    :data:`~lowdose.diary.checkin.SEVERITIES` ("severe", CTCAE grade 3: "limiting self-care");
  - ``pain_up``: the 7-day pain average is :data:`PAIN_UP_POINTS` or more points above the
    previous 7 days' (2 points is the IMMPACT "moderately important" change on a 0–10 scale:
    Dworkin et al., J Pain 2008;9:105–121; Farrar et al., Pain 2001;94:149–158).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from statistics import fmean

from lowdose.daily import DAILY_SCALES, DailyScales, DailyScores, Diary
from lowdose.diary.checkin import SEVERITIES, Checkin

__all__ = [
    "MIN_BASELINE_DAYS",
    "NO_CHECKIN_DAYS",
    "PAIN_UP_POINTS",
    "RECENT_WINDOW_DAYS",
    "Alert",
    "DoseStep",
    "PatientSummary",
    "alerts_for",
    "daily_scores",
    "no_checkin_alert",
    "recent_window",
    "summarize",
]

MIN_BASELINE_DAYS = 7
NO_CHECKIN_DAYS = 3
PAIN_UP_POINTS = 2.0
WINDOW_DAYS = 7
#: The recent window of the change from baseline: two weeks, as the two-week windows of the LDN
#: diary trials (Younger et al. 2009, 2013) and the response analysis's
#: ``RECOMMENDED_WINDOW_DAYS``.
RECENT_WINDOW_DAYS = 14
#: The most severe level a patient can report (CTCAE grade 3 in plain words).
SEVERE = SEVERITIES[-1]


@dataclass(frozen=True, slots=True)
class DoseStep:
    """A day on which the dose taken changed (the first dose included)."""

    day: date
    dose_mg: Decimal


@dataclass(frozen=True, slots=True)
class Alert:
    """A follow-up signal: ``code`` names the rule, ``since`` the day it starts from,
    ``subject`` what it is about (a side effect's name, or empty) and ``facts`` the numbers that
    raised it (JSON-ready values, for the clinician's record)."""

    code: str
    message: str
    since: date
    subject: str = ""
    facts: Mapping[str, str | int | float] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class PatientSummary:
    """Everything a dashboard shows about one patient's diary, as of ``today``."""

    today: date
    days: Diary
    last_checkin_at: datetime | None
    baseline: dict[str, float] | None
    baseline_days: int
    last7: dict[str, float] | None
    change_from_baseline: dict[str, float] | None
    dose_steps: tuple[DoseStep, ...]
    missed_days: tuple[date, ...]
    current_dose_mg: Decimal | None
    alerts: tuple[Alert, ...]
    #: days with a check-in in the 7 calendar days ending today
    last7_days: int = 0
    #: the recent window of :attr:`change_from_baseline` (inclusive), None before the first dose
    recent_start: date | None = None
    recent_end: date | None = None
    #: days with a check-in in the recent window, and their means
    recent_days: int = 0
    recent: dict[str, float] | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "today": self.today.isoformat(),
            "last_checkin_at": self.last_checkin_at.isoformat() if self.last_checkin_at else None,
            "baseline": self.baseline,
            "baseline_days": self.baseline_days,
            "last7": self.last7,
            "last7_days": self.last7_days,
            "recent_start": self.recent_start.isoformat() if self.recent_start else None,
            "recent_end": self.recent_end.isoformat() if self.recent_end else None,
            "recent_days": self.recent_days,
            "recent": self.recent,
            "change_from_baseline": self.change_from_baseline,
            "current_dose_mg": str(self.current_dose_mg) if self.current_dose_mg else None,
            "dose_steps": [
                {"day": step.day.isoformat(), "dose_mg": str(step.dose_mg)}
                for step in self.dose_steps
            ],
            "missed_days": [day.isoformat() for day in self.missed_days],
            "alerts": [
                {"code": a.code, "message": a.message, "since": a.since.isoformat()}
                for a in self.alerts
            ],
        }


def daily_scores(checkins: Iterable[Checkin], *, scales: DailyScales = DAILY_SCALES) -> Diary:
    """Collapse check-ins into the daily series: one row per day, in date order.

    A day's dose is the largest dose taken that day; a day counts as missed only when a dose was
    missed and none was taken.
    """
    by_day: dict[date, list[Checkin]] = defaultdict(list)
    for checkin in checkins:
        by_day[checkin.day].append(checkin)
    rows = []
    for day in sorted(by_day):
        entries = by_day[day]
        taken = [c.dose_mg for c in entries if c.dose_mg is not None]
        kits = [c.kit for c in entries if c.kit and c.dose_status == "taken"]
        rows.append(
            DailyScores(
                day=day,
                entries=len(entries),
                scores={s.name: fmean(c.score(s.name) for c in entries) for s in scales},
                dose_mg=max(taken) if taken else None,
                dose_missed=not taken and not kits and any(c.dose_missed for c in entries),
                side_effects=frozenset(e.name for c in entries for e in c.side_effects),
                kit=kits[-1] if kits else None,
                severe_side_effects=frozenset(
                    e.name for c in entries for e in c.side_effects if e.severity == SEVERE
                ),
            )
        )
    return Diary(tuple(rows), scales)


def _means(rows: Sequence[DailyScores], scales: DailyScales) -> dict[str, float] | None:
    if not rows:
        return None
    return {scale.name: round(fmean(r.score(scale.name) for r in rows), 2) for scale in scales}


def _window(rows: Sequence[DailyScores], end: date, days: int) -> list[DailyScores]:
    start = end - timedelta(days=days - 1)
    return [r for r in rows if start <= r.day <= end]


def no_checkin_alert(last_day: date | None, today: date, *, joined: date) -> Alert | None:
    """The ``no_checkin`` alert as of ``today`` (all dates in the patient's time zone), or None.

    ``last_day`` is the day of the last check-in (None: never checked in), ``joined`` the day the
    patient's record was created; a patient who never checked in is silent since joining.
    """
    if last_day is not None:
        silent = (today - last_day).days
        if silent < NO_CHECKIN_DAYS:
            return None
        return Alert(
            "no_checkin",
            f"No check-in for {silent} days (last on {last_day.isoformat()}).",
            last_day + timedelta(days=1),
            facts={"days_silent": silent, "last_checkin_day": last_day.isoformat()},
        )
    silent = (today - joined).days
    if silent < NO_CHECKIN_DAYS:
        return None
    return Alert(
        "no_checkin",
        f"No check-in since joining on {joined.isoformat()}.",
        joined,
        facts={"days_silent": silent, "joined_on": joined.isoformat()},
    )


def alerts_for(rows: Sequence[DailyScores], today: date) -> tuple[Alert, ...]:
    """The follow-up alerts for a patient's daily rows as of ``today`` (rules: module docstring)."""
    alerts: list[Alert] = []
    if not rows:
        return ()
    silence = no_checkin_alert(rows[-1].day, today, joined=rows[0].day)
    if silence is not None:
        alerts.append(silence)
    window_start = today - timedelta(days=WINDOW_DAYS - 1)
    earlier = set().union(*(r.side_effects for r in rows if r.day < window_start))
    for row in rows:
        if row.day < window_start:
            continue
        for name in sorted(row.side_effects - earlier):
            alerts.append(
                Alert(
                    "new_side_effect",
                    f"New side effect: {name.replace('_', ' ')} (first reported {row.day}).",
                    row.day,
                    subject=name,
                    facts={"side_effect": name, "first_reported": row.day.isoformat()},
                )
            )
            earlier.add(name)
    for row in rows:
        if row.day < window_start:
            continue
        for name in sorted(row.severe_side_effects):
            alerts.append(
                Alert(
                    "severe_side_effect",
                    f"Severe {name.replace('_', ' ')} reported on {row.day}: contact the patient "
                    "today, and consider holding the dose or stepping back to the last "
                    "tolerated dose.",
                    row.day,
                    subject=name,
                    facts={"side_effect": name, "severity": SEVERE, "day": row.day.isoformat()},
                )
            )
    recent = _window(rows, today, WINDOW_DAYS)
    previous = _window(rows, today - timedelta(days=WINDOW_DAYS), WINDOW_DAYS)
    if recent and previous:
        now_mean = fmean(r.score("pain") for r in recent)
        before_mean = fmean(r.score("pain") for r in previous)
        rise = now_mean - before_mean
        if rise >= PAIN_UP_POINTS:
            alerts.append(
                Alert(
                    "pain_up",
                    f"Pain up {rise:.1f} points: 7-day average "
                    f"{now_mean:.1f} vs {before_mean:.1f} the week before.",
                    recent[0].day,
                    facts={
                        "pain_7_day_average": round(now_mean, 1),
                        "pain_previous_7_day_average": round(before_mean, 1),
                        "rise_points": round(rise, 1),
                        "window_start": recent[0].day.isoformat(),
                    },
                )
            )
    return tuple(alerts)


def recent_window(rows: Sequence[DailyScores], first_dose: date) -> tuple[date, date] | None:
    """The recent window of the change from baseline (inclusive dates), or None with no day on
    or after ``first_dose``: the last :data:`RECENT_WINDOW_DAYS` days ending on the last day with
    a check-in, starting no earlier than ``first_dose`` nor than the day after the taken dose last
    changed (the rule of ``ResponseAnalysis``; missed-dose and blinded-kit days change nothing)."""
    treated = [r for r in rows if r.day >= first_dose]
    if not treated:
        return None
    end = treated[-1].day
    start = max(end - timedelta(days=RECENT_WINDOW_DAYS - 1), first_dose)
    doses = [r for r in treated if r.dose_mg is not None]
    if doses:
        latest = doses[-1].dose_mg
        changed = [r.day for r in doses if r.dose_mg != latest and r.day >= start]
        if changed:
            start = max(changed) + timedelta(days=1)
    return start, end


def summarize(
    checkins: Iterable[Checkin],
    *,
    today: date,
    rows: Diary | None = None,
    scales: DailyScales = DAILY_SCALES,
) -> PatientSummary:
    """Summarise a diary for the dashboards (see the module docstring for every definition).

    ``rows`` is the daily series of ``checkins`` when the caller has it already; ``scales`` the
    daily scales to summarise (those of ``rows`` when given).
    """
    checkin_list = list(checkins)
    rows = rows if rows is not None else daily_scores(checkin_list, scales=scales)
    scales = rows.scales
    first_dose = next((r.day for r in rows if r.dose_mg is not None or r.kit), None)
    baseline_rows = [r for r in rows if first_dose is None or r.day < first_dose]
    baseline = _means(baseline_rows, scales) if len(baseline_rows) >= MIN_BASELINE_DAYS else None
    week = _window(rows, today, WINDOW_DAYS)
    last7 = _means(week, scales)
    window = None if first_dose is None else recent_window(rows, first_dose)
    recent_rows = [] if window is None else [r for r in rows if window[0] <= r.day <= window[1]]
    recent = _means(recent_rows, scales)
    # From the unrounded means, as the response analysis computes its change.
    change = (
        {
            scale.name: round(
                fmean(r.score(scale.name) for r in recent_rows)
                - fmean(r.score(scale.name) for r in baseline_rows),
                2,
            )
            for scale in scales
        }
        if baseline is not None and recent_rows
        else None
    )
    steps: list[DoseStep] = []
    for row in rows:
        if row.dose_mg is not None and (not steps or steps[-1].dose_mg != row.dose_mg):
            steps.append(DoseStep(row.day, row.dose_mg))
    return PatientSummary(
        today=today,
        days=rows,
        last_checkin_at=max((c.recorded_at for c in checkin_list), default=None),
        baseline=baseline,
        baseline_days=len(baseline_rows),
        last7=last7,
        change_from_baseline=change,
        dose_steps=tuple(steps),
        missed_days=tuple(r.day for r in rows if r.dose_missed),
        current_dose_mg=steps[-1].dose_mg if steps else None,
        alerts=alerts_for(rows, today),
        last7_days=len(week),
        recent_start=None if window is None else window[0],
        recent_end=None if window is None else window[1],
        recent_days=len(recent_rows),
        recent=recent,
    )
