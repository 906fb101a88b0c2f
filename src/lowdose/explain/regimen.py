r"""A plain-language reading of a regimen's curves, generated from the numbers by fixed rules.

The patient page "How LDN works" shows this text next to the charts. Nothing in it is written
by hand per dose: every sentence is a template filled with numbers computed by
:mod:`lowdose.pk`, and every word that *judges* a number comes from one of the fixed rules
below (thresholds are module constants, pinned by ``tests/explain/test_explain_regimen.py``).
It lives in :mod:`lowdose.explain`, the clinical-layer package that speaks to patients, not in
the numerical package whose numbers it reads.

Rules
-----
1. **Percentages** are whole percent (``round``, half to even); a fraction above 0 that
   rounds to 0% reads "under 1%", one below 100% that rounds to 100% reads "over 99%".
2. **How much is blocked** (μ, by the *trough*, the least blockade of the day):
   below 25% "light", 25-50% "partial", 50-90% "majority", 90% and above "near-complete"
   (:data:`BLOCKADE_BANDS`; the same 25/50/90% levels as the "hours above" metrics in
   :mod:`lowdose.pk.metrics`, which are the issue's thresholds).
3. **Steady or rising and falling**: the blockade is called *steady* when peak minus trough
   (in whole percentage points, as shown) is below :data:`STEADY_SWING_POINTS`, otherwise
   it *rises and falls* each day. 20 points is an editorial choice, not a clinical
   threshold: 2.5 times the 8-point SD of the three 5 mg PET scans (Rabiner 2011), so a
   "steady" swing is one that scatter between people could hide.
4. **Unblocked window**: hours per day with μ occupancy below 25%
   (:func:`lowdose.pk.regimen_metrics` ``unblocked``); "no unblocked window" when 0.
5. **δ receptors** are "hardly touched" when their peak is below :data:`DELTA_NEGLIGIBLE`
   (5%, an editorial choice: well inside the ±14.5% SD of the δ PET measurement at
   50 mg/day, Weerts 2008).
6. **Hours** are shown to one decimal; a full dosing interval reads "all 24 hours", zero
   reads "0 hours".
7. **People differ**: the 5th-95th percentile of the μ trough in :data:`POPULATION_SIZE`
   simulated people (seed :data:`POPULATION_SEED`), with the note that most of the
   variability is assumed (:mod:`lowdose.pk.population`).
8. **Hypotheses** (rebound, TLR4) are always their own lines, of kind ``"hypothesis"``,
   starting with "Hypothesis, not a prediction"; net opioid tone above 1 reads "above your
   usual level", otherwise "below".

Each :class:`ReadingLine` carries the keys of :data:`SOURCES` it rests on, so the page can
cite every number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from lowdose.errors import PkInputError
from lowdose.pk.assumptions import ASSUMPTIONS, OCCUPANCY_LABEL
from lowdose.pk.mechanisms import (
    HYPOTHESIS_LABEL,
    ReboundResult,
    Tlr4Result,
    rebound,
    tlr4_exposure,
)
from lowdose.pk.population import PopulationResult, PopulationSimulation
from lowdose.pk.regimen import BEDTIME, MORNING, Regimen, RegimenMetrics, regimen_metrics
from lowdose.pk.simulate import check_dose_mg, simulate_doses

__all__ = [
    "BLOCKADE_BANDS",
    "DELTA_NEGLIGIBLE",
    "POPULATION_SEED",
    "POPULATION_SIZE",
    "SOURCES",
    "STEADY_SWING_POINTS",
    "Explanation",
    "ReadingLine",
    "RegimenExplainer",
    "blockade_word",
    "hours_text",
    "percent_text",
    "read_regimen",
]

LineKind = Literal["model", "hypothesis", "assumption"]

#: Upper bounds (exclusive) of each μ blockade word; rule 2.
BLOCKADE_BANDS: tuple[tuple[float, str], ...] = (
    (0.25, "light"),
    (0.50, "partial"),
    (0.90, "majority"),
    (math.inf, "near-complete"),
)
#: Peak minus trough, in whole percentage points as shown, below this reads "steady"; rule 3.
STEADY_SWING_POINTS = 20
#: δ peak below this reads "hardly touched"; rule 5.
DELTA_NEGLIGIBLE = 0.05

#: Simulated people for the "people differ" line: 5,000 keeps the 5th/95th percentiles within
#: about 1 percentage point of a 100,000-person run (checked in the tests) in about 0.1 s.
POPULATION_SIZE = 5000
#: Fixed seed, so the page shows the same range every time for the same dose.
POPULATION_SEED = 20260101

#: Citations for the lines (keys are used in :attr:`ReadingLine.sources`); read-only.
SOURCES: Mapping[str, str] = MappingProxyType(
    {
        "pet": (
            "Occupancy model fitted to PET: Rabiner EA et al. Mol Psychiatry 2011;16:826-835 "
            "(tabulated by Trøstheim M et al. Neuropsychopharmacology 2022, "
            "doi:10.1038/s41386-022-01416-z) and the offset after 50 mg, Lee MC et al. "
            "J Nucl Med 1988;29:1207-1211; computed by lowdose's pharmacokinetic model"
        ),
        "label": (
            "Naltrexone 50 mg label (Swiss Fachinformation reg. 56109; ASHP monograph): "
            "naltrexone Cmax 13.3 ng/mL at 1 h, t½ 4 h; dose-proportional only for 50-200 mg "
            "(J Clin Psychiatry 1984;45(9):15-19)"
        ),
        "potency": (
            "κ and δ potency relative to μ (2x and 79x the μ ED50): Trøstheim 2022; "
            "δ at 50 mg/day: Weerts EM et al. Neuropsychopharmacology 2008;33:653-665"
        ),
        "rebound": (
            "Rebound hypothesis (Bihari; Zagon IS, McLaughlin PJ, Exp Biol Med 2018) as a "
            "turnover model in lowdose; turnover half-life and stimulation are "
            "placeholders, not measured"
        ),
        "population": (
            "Between-subject variability (lowdose's population simulation): 4-fold range of "
            "6β-naltrexol at a fixed dose (n = 23, ACNP-indexed secondary analysis) and the "
            "label's bioavailability of 5-40%; the other variabilities are assumed"
        ),
        "tlr4": (
            "Glial/TLR4 hypothesis: Hutchinson MR et al. Eur J Neurosci 2008;28:20-29; "
            "Br J Pharmacol 2016;173:856-869; naltrexone molar mass 341.41 g/mol (USP DI)"
        ),
    }
)


@dataclass(frozen=True, slots=True)
class ReadingLine:
    """One sentence group of the reading: its kind, text and the sources it rests on."""

    kind: LineKind
    text: str
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "sources": list(self.sources)}


def percent_text(fraction: float) -> str:
    """Rule 1: a fraction 0-1 as whole percent ("52%", "under 1%", "over 99%")."""
    if not math.isfinite(fraction):
        raise PkInputError(f"fraction {fraction!r} is not a number", field="fraction")
    whole = round(fraction * 100)
    if fraction > 0 and whole == 0:
        return "under 1%"
    if fraction < 1 and whole == 100:
        return "over 99%"
    return f"{whole}%"


def blockade_word(trough: float) -> str:
    """Rule 2: the word for a μ blockade whose least value over the day is ``trough``."""
    for upper, word in BLOCKADE_BANDS:
        if trough < upper:
            return word
    return BLOCKADE_BANDS[-1][1]  # pragma: no cover - the last band is unbounded


def hours_text(hours: float, interval_h: float = 24.0) -> str:
    """Rule 6: hours per dosing interval as words."""
    if hours <= 0:
        return "0 hours"
    if hours >= interval_h - 1e-9:
        return f"all {interval_h:g} hours"
    return f"{hours:.1f} hours"


def _days_text(hours: float) -> str:
    days = hours / 24.0
    return f"{days:g} day" + ("" if days == 1 else "s")


def _when(at: time) -> str:
    if at == BEDTIME:
        return f"at bedtime ({at:%H:%M})"
    if at == MORNING:
        return f"in the morning ({at:%H:%M})"
    return f"at {at:%H:%M}"


def _mu(m: RegimenMetrics, key: str) -> float:
    return m.values[f"occupancy.mu.{key}"]


def read_regimen(
    chosen: RegimenMetrics,
    *,
    first_dose_peak: float,
    peak_clock: str,
    reference: RegimenMetrics | None = None,
    other_time: RegimenMetrics | None = None,
    other_peak_clock: str | None = None,
    population: PopulationResult | None = None,
    rebound_fitted: ReboundResult | None = None,
    rebound_brief: ReboundResult | None = None,
    tlr4: Tlr4Result | None = None,
) -> tuple[ReadingLine, ...]:
    """The reading of ``chosen`` (and its comparisons) by the module's fixed rules.

    Parameters
    ----------
    chosen : RegimenMetrics
        The patient's regimen (last interval at steady state).
    first_dose_peak : float
        μ occupancy peak in the 24 h after the very first dose (fraction).
    peak_clock : str
        Clock time ("HH:MM") of the steady-state μ peak for ``chosen``.
    reference : RegimenMetrics, optional
        The comparison regimen (50 mg daily); skipped when it is the same dose.
    other_time, other_peak_clock : optional
        The same dose at the other clock time (bedtime vs morning) and its peak clock.
    population : PopulationResult, optional
        The same regimen in a simulated population: the 5th-95th percentile of the μ trough.
    rebound_fitted, rebound_brief, tlr4 : optional
        Outputs of :mod:`lowdose.pk.mechanisms` (hypotheses).
    """
    reg = chosen.regimen
    dose = f"{reg.dose_mg.normalize():f} mg"
    lines = [
        _pattern_line(chosen, dose, first_dose_peak, peak_clock),
        _shape_line(chosen),
        _unblocked_line(chosen),
        _kappa_delta_line(chosen),
    ]
    if reference is not None and reference.regimen.dose_mg != reg.dose_mg:
        lines.append(_reference_line(chosen, dose, reference))
    if other_time is not None and other_peak_clock is not None:
        lines.append(_other_time_line(chosen, dose, peak_clock, other_time, other_peak_clock))
    if population is not None:
        lines.append(_population_line(chosen, dose, population))
    if rebound_fitted is not None:
        lines.append(_rebound_line(dose, rebound_fitted, rebound_brief))
    if tlr4 is not None:
        lines.append(_tlr4_line(dose, tlr4))
    lines.extend(_ASSUMPTION_LINES)
    return tuple(lines)


def _pattern_line(
    chosen: RegimenMetrics, dose: str, first_dose_peak: float, peak_clock: str
) -> ReadingLine:
    """The μ blockade at the settled peak and trough, and after the very first dose."""
    peak, trough = _mu(chosen, "peak"), _mu(chosen, "trough")
    return ReadingLine(
        "model",
        f"At {dose} taken {_when(chosen.regimen.clock_time)} every day, the model estimates "
        f"that about {percent_text(peak)} of your brain's μ-opioid receptors are blocked at the "
        f"peak (around {peak_clock}) and {percent_text(trough)} at the trough, just before the "
        f"next dose. That is the settled pattern, reached after about "
        f"{_days_text(chosen.time_to_steady_state_h)} of daily doses; the very first dose "
        f"blocks at most {percent_text(first_dose_peak)}.",
        ("pet", "label"),
    )


def _shape_line(chosen: RegimenMetrics) -> ReadingLine:
    """Rules 2 and 3: how much is blocked, steady or rising and falling, hours above 50/90%."""
    peak, trough = _mu(chosen, "peak"), _mu(chosen, "trough")
    interval = chosen.regimen.interval_h
    swing = round((peak - trough) * 100)
    shape = (
        f"steady: it moves by only {swing} percentage points over the day"
        if swing < STEADY_SWING_POINTS
        else f"rises and falls by {swing} percentage points each day"
    )
    return ReadingLine(
        "model",
        f"That is a {blockade_word(trough)} blockade that is {shape}. More than half of "
        f"the μ receptors are blocked for {hours_text(_mu(chosen, 'hours_above_50'), interval)}"
        f" a day, more than 90% for {hours_text(_mu(chosen, 'hours_above_90'), interval)}.",
        ("pet",),
    )


def _unblocked_line(chosen: RegimenMetrics) -> ReadingLine:
    """Rule 4: the unblocked window, its longest stretch and its night hours."""
    v = chosen.values
    interval = chosen.regimen.interval_h
    below = percent_text(chosen.unblocked_below)
    if v["unblocked.hours"] <= 0:
        text = (
            f"There is no 'unblocked window': at no time of day are fewer than {below} of the "
            "μ receptors blocked."
        )
    else:
        start = v["unblocked.longest_start_clock_h"]
        minutes = round(start * 60) % (24 * 60)
        text = (
            f"For {hours_text(v['unblocked.hours'], interval)} a day fewer than {below} of the μ "
            f"receptors are blocked (the 'unblocked window'); the longest stretch lasts "
            f"{hours_text(v['unblocked.longest_h'], interval)} from about "
            f"{minutes // 60:02d}:{minutes % 60:02d}, and "
            f"{hours_text(v['unblocked.night_hours'], interval)} of it falls between 22:00 and "
            "07:00."
        )
    return ReadingLine("model", text, ("pet",))


def _kappa_delta_line(chosen: RegimenMetrics) -> ReadingLine:
    """Rule 5: κ at peak and trough, δ "hardly touched" below :data:`DELTA_NEGLIGIBLE`."""
    v = chosen.values
    k_peak, k_trough = v["occupancy.kappa.peak"], v["occupancy.kappa.trough"]
    d_peak = v["occupancy.delta.peak"]
    delta = (
        f"δ receptors are hardly touched (at most {percent_text(d_peak)})"
        if d_peak < DELTA_NEGLIGIBLE
        else f"δ receptors up to {percent_text(d_peak)}"
    )
    return ReadingLine(
        "model",
        f"The model blocks κ-opioid receptors less: {percent_text(k_peak)} at the peak, "
        f"{percent_text(k_trough)} at the trough; {delta}.",
        ("pet", "potency"),
    )


def _reference_line(chosen: RegimenMetrics, dose: str, reference: RegimenMetrics) -> ReadingLine:
    """The comparison dose (50 mg daily) and how many more or fewer it blocks at the trough."""
    trough = _mu(chosen, "trough")
    ref_dose = f"{reference.regimen.dose_mg.normalize():f} mg"
    r_peak, r_trough = _mu(reference, "peak"), _mu(reference, "trough")
    diff = round((r_trough - trough) * 100)
    relation = (
        f"{abs(diff)} percentage points {'fewer' if diff > 0 else 'more'} than {ref_dose}"
        if diff
        else f"about as many as {ref_dose}"
    )
    return ReadingLine(
        "model",
        f"For comparison, {ref_dose} daily (the licensed dose for alcohol and opioid "
        f"dependence) blocks about {percent_text(r_peak)} at the peak and "
        f"{percent_text(r_trough)} at the trough, more than 90% for "
        f"{hours_text(_mu(reference, 'hours_above_90'), reference.regimen.interval_h)} "
        f"a day. At the trough, {dose} blocks {relation}.",
        ("pet", "label"),
    )


def _other_time_line(
    chosen: RegimenMetrics,
    dose: str,
    peak_clock: str,
    other_time: RegimenMetrics,
    other_peak_clock: str,
) -> ReadingLine:
    """The same dose at the other clock time: the same numbers, only the clock moves."""
    o_reg = other_time.regimen
    return ReadingLine(
        "model",
        f"The model has no body-clock terms, so taking {dose} {_when(o_reg.clock_time)} "
        f"gives the same peak ({percent_text(_mu(other_time, 'peak'))}) and trough "
        f"({percent_text(_mu(other_time, 'trough'))}); only the clock moves: the peak "
        f"falls around {peak_clock} when taken {_when(chosen.regimen.clock_time)} and around "
        f"{other_peak_clock} when taken {_when(o_reg.clock_time)}.",
        ("pet",),
    )


def _population_line(
    chosen: RegimenMetrics, dose: str, population: PopulationResult
) -> ReadingLine:
    """Rule 7: the 5th-95th percentile of the μ trough in the simulated population."""
    q = population.percentiles["occupancy.mu.trough"]
    return ReadingLine(
        "model",
        f"People differ. In {population.n_subjects:,} simulated people taking {dose} "
        f"{_when(chosen.regimen.clock_time)}, 9 in 10 have a trough between "
        f"{percent_text(q['p5'])} and {percent_text(q['p95'])}; most of that variability is "
        "assumed, not measured.",
        ("population", "pet"),
    )


#: The two assumptions every reading ends with.
_ASSUMPTION_LINES: tuple[ReadingLine, ...] = (
    ReadingLine(
        "assumption",
        "Assumption: naltrexone's blood levels are assumed to scale in proportion to the "
        "dose below 50 mg; that was shown only for 50-200 mg, and no study has measured "
        "1-5 mg tablets or compounded capsules.",
        ("label",),
    ),
    ReadingLine(
        "assumption",
        "Assumption: the occupancy model is fitted to single-dose PET scans (2-50 mg) and "
        "the slow offset after 50 mg; no PET data exist for repeated low doses, so every "
        "low-dose number here is an extrapolation.",
        ("pet",),
    ),
)


def _tone_word(tone: float) -> str:
    return "above your usual level" if tone > 1.0 else "below your usual level"


def _rebound_line(dose: str, fitted: ReboundResult, brief: ReboundResult | None) -> ReadingLine:
    text = (
        "Hypothesis, not a prediction: the rebound theory says a brief nightly blockade makes "
        "the body raise its own opioids. With placeholder settings (turnover half-life "
        f"{fitted.turnover_half_life_h:g} h, production rising by up to {fitted.s_max:.0%} at "
        "full blockade), the "
        f"model's own occupancy curve at {dose} gives a net opioid tone of "
        f"{fitted.mean_net_tone:.2f}x on average ({_tone_word(fitted.mean_net_tone)}), above "
        f"baseline for {hours_text(fitted.hours_above_baseline)} a day."
    )
    if brief is not None:
        text += (
            " If the blockade were brief instead (occupancy following blood levels, as the "
            f"theory assumes), the tone would average {brief.mean_net_tone:.2f}x "
            f"({_tone_word(brief.mean_net_tone)}), above baseline for "
            f"{hours_text(brief.hours_above_baseline)} a day."
        )
    return ReadingLine("hypothesis", text, ("rebound", "pet"))


def _tlr4_line(dose: str, tlr4: Tlr4Result) -> ReadingLine:
    src = "a placeholder, not a measured value" if tlr4.ic50_is_placeholder else "user-set"
    return ReadingLine(
        "hypothesis",
        "Hypothesis, not a prediction: the glial (TLR4) theory says naltrexone calms immune "
        f"cells in the nervous system. At {dose} blood naltrexone peaks near "
        f"{tlr4.cmax_nm:.2g} nM. If TLR4 were blocked half-way at {tlr4.ic50_um:g} µM ({src}), "
        f"about {tlr4.inhibition_at_peak:.2%} of it would be blocked at the peak. Studies in "
        "human blood cells suggest micromolar potency or weaker, which would leave TLR4 "
        "essentially free; the question is open.",
        ("tlr4", "label"),
    )


@dataclass(frozen=True, slots=True)
class Explanation:
    """Everything the patient page shows for one regimen (model estimates and hypotheses)."""

    chosen: RegimenMetrics
    reference: RegimenMetrics | None
    other_time: RegimenMetrics
    first_dose_peak: float
    peak_clock: str
    other_peak_clock: str
    population: PopulationResult
    rebound_fitted: ReboundResult
    rebound_brief: ReboundResult
    rebound_reference: ReboundResult | None
    tlr4: Tlr4Result
    lines: tuple[ReadingLine, ...]
    occupancy_label: str = OCCUPANCY_LABEL
    hypothesis_label: str = HYPOTHESIS_LABEL
    assumptions: tuple[str, ...] = field(default=ASSUMPTIONS)

    def summary(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "chosen": self.chosen.to_dict(),
            "reference": None if self.reference is None else self.reference.to_dict(),
            "other_time": self.other_time.to_dict(),
            "first_dose_peak_mu": self.first_dose_peak,
            "peak_clock": self.peak_clock,
            "other_peak_clock": self.other_peak_clock,
            "population_mu_trough": dict(self.population.percentiles["occupancy.mu.trough"]),
            "population_size": self.population.n_subjects,
            "rebound": {
                "fitted": self.rebound_fitted.to_dict(),
                "brief": self.rebound_brief.to_dict(),
                "reference": None
                if self.rebound_reference is None
                else self.rebound_reference.to_dict(),
            },
            "tlr4": self.tlr4.to_dict(),
            "reading": [line.to_dict() for line in self.lines],
            "sources": dict(SOURCES),
            "occupancy_label": self.occupancy_label,
            "assumptions": list(self.assumptions),
        }


_PEAK_STEP_H = 0.05  # why: the metrics grid step (lowdose.pk.metrics.METRIC_STEP_H)


def _peak_clock(regimen: Regimen) -> str:
    doses = regimen.dose_times_h()
    t = float(doses[-1]) + np.arange(0.0, regimen.interval_h, _PEAK_STEP_H)
    sim = simulate_doses([(float(d), regimen.dose_mg) for d in doses], t)
    at = float(t[int(np.argmax(sim.occupancy["mu"]))]) % 24.0
    minutes = round(at * 60) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _first_dose_peak(dose_mg: Decimal) -> float:
    t = np.arange(0.0, 24.0, _PEAK_STEP_H)
    return float(simulate_doses([(0.0, dose_mg)], t).occupancy["mu"].max())


class RegimenExplainer:
    """Configure → fit → :class:`Explanation` for a once-daily dose at bedtime or morning.

    Parameters
    ----------
    dose_mg : Decimal
        The daily dose (0-200 mg, :func:`lowdose.pk.simulate.check_dose_mg`).
    at : datetime.time
        Clock time of the dose; the comparison "other time" is morning for a bedtime dose and
        bedtime otherwise (:data:`lowdose.pk.regimen.BEDTIME`, ``MORNING``).
    compare_mg : Decimal or None
        The comparison regimen (default 50 mg daily at the same clock time); ``None`` for none.

    Notes
    -----
    Computes with the default (typical-person) parameters in about 0.1 s; nothing about a
    patient goes in, so results may be cached by the caller.
    """

    def __init__(
        self, dose_mg: Decimal, *, at: time = BEDTIME, compare_mg: Decimal | None = Decimal(50)
    ) -> None:
        self.dose_mg = check_dose_mg(dose_mg)
        if compare_mg is not None:
            check_dose_mg(compare_mg, field_name="compare_mg")
        if at.tzinfo is not None:
            raise PkInputError("at is a local wall-clock time without zone", field="at")
        self.at = at
        self.compare_mg = compare_mg

    def fit(self) -> Explanation:
        regimen = Regimen(self.dose_mg, self.at)
        other = Regimen(self.dose_mg, MORNING if self.at == BEDTIME else BEDTIME)
        chosen = regimen_metrics(regimen)
        other_time = regimen_metrics(other)
        reference = (
            None if self.compare_mg is None else regimen_metrics(Regimen(self.compare_mg, self.at))
        )
        fitted = rebound(self.dose_mg, at=self.at)
        brief = rebound(self.dose_mg, at=self.at, occupancy_source="brief")
        rebound_reference = (
            None if self.compare_mg is None else rebound(self.compare_mg, at=self.at)
        )
        tlr4 = tlr4_exposure(self.dose_mg)
        population = PopulationSimulation(
            regimen, POPULATION_SIZE, POPULATION_SEED, band_subjects=1
        ).fit()
        first = _first_dose_peak(self.dose_mg)
        peak_clock, other_clock = _peak_clock(regimen), _peak_clock(other)
        lines = read_regimen(
            chosen,
            first_dose_peak=first,
            peak_clock=peak_clock,
            reference=reference,
            other_time=other_time,
            other_peak_clock=other_clock,
            population=population,
            rebound_fitted=fitted,
            rebound_brief=brief,
            tlr4=tlr4,
        )
        return Explanation(
            chosen=chosen,
            reference=reference,
            other_time=other_time,
            first_dose_peak=first,
            peak_clock=peak_clock,
            other_peak_clock=other_clock,
            population=population,
            rebound_fitted=fitted,
            rebound_brief=brief,
            rebound_reference=rebound_reference,
            tlr4=tlr4,
            lines=lines,
        )
