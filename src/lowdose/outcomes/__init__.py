"""Outcomes: honest response analysis and blinded single-patient (N-of-1) trials of LDN.

Day-to-day pain is noisy and autocorrelated, so eyeballing a chart misleads. This package
answers "does LDN help *this* patient?" from a :class:`lowdose.daily.Diary` (the one daily
series; its CSV is read by :mod:`lowdose.interop.diary_csv`):

``response``  open-label baseline-vs-recent comparison with an AR(1) interval
``design``    N-of-1 designs: randomised cycles, PK-derived run-in, neutral kit codes
``nof1``      Bayesian N-of-1 analysis (deterministic posterior) + paired-cycle t-test
``simulate``  the design assistant's operating characteristics
``assumptions`` what the design assistant assumes (day-to-day SD, AR(1)), with sources
``analysis_plan`` the pre-specified plan, fingerprinted when locked before unblinding
``trial_states`` a trial's states, the allowed steps, who takes each (the web layer asks it)
``trial_situation`` where a trial stands, in plain words for each person
``charts``    Vega-Lite chart of an unblinded trial's periods
``pooling``   hierarchical random-effects pooling of completed N-of-1 trials (and the pooled
              series as one effect record, for the caller to pass to the evidence summary)
``ar1``       the shared numerical core (conjugate AR(1) regression integrated over ρ)

Exceptions and warnings::

    LowdoseError
    └── InputError
        └── OutcomesError            any unusable input to the outcomes engine
            ├── DiaryError           a diary CSV or row cannot be read (lowdose.errors)
            ├── DesignError          an N-of-1 design cannot be built or read back
            ├── AnalysisError        the data cannot support the requested analysis
            └── TrialStateError      this step is not allowed now, or not for this person

    LowdoseWarning
    └── OutcomesWarning
        ├── TooFewDaysWarning        fewer diary days than the analysis needs to be trustworthy
        └── UnstableDoseWarning      the dose changed inside the window being compared
"""

from __future__ import annotations

from lowdose.errors import (
    AnalysisError,
    DesignError,
    DiaryError,
    OutcomesError,
    OutcomesWarning,
    TooFewDaysWarning,
    UnstableDoseWarning,
)
from lowdose.outcomes.analysis_plan import AnalysisPlan
from lowdose.outcomes.assumptions import DesignAssumptions, design_assumptions
from lowdose.outcomes.design import (
    DEFAULT_ONSET_DAYS,
    Nof1Design,
    Nof1Plan,
    Period,
    RunInDerivation,
    derive_run_in,
    reference_allocation,
)
from lowdose.outcomes.nof1 import ArmEffect, Nof1Analysis, Nof1Result, PairedTest
from lowdose.outcomes.placebo import PlaceboReference
from lowdose.outcomes.pooling import (
    Nof1SeriesEffect,
    PooledNof1,
    PooledResult,
    ShrunkenEffect,
    TrialEffect,
)
from lowdose.outcomes.priors import Priors
from lowdose.outcomes.response import (
    ResponseAnalysis,
    ResponseResult,
    change_direction,
    immpact_category,
)
from lowdose.outcomes.simulate import OperatingCharacteristics, simulate_design, simulate_diary

__all__ = [
    "DEFAULT_ONSET_DAYS",
    "AnalysisError",
    "AnalysisPlan",
    "ArmEffect",
    "DesignAssumptions",
    "DesignError",
    "DiaryError",
    "Nof1Analysis",
    "Nof1Design",
    "Nof1Plan",
    "Nof1Result",
    "Nof1SeriesEffect",
    "OperatingCharacteristics",
    "OutcomesError",
    "OutcomesWarning",
    "PairedTest",
    "Period",
    "PlaceboReference",
    "PooledNof1",
    "PooledResult",
    "Priors",
    "ResponseAnalysis",
    "ResponseResult",
    "RunInDerivation",
    "ShrunkenEffect",
    "TooFewDaysWarning",
    "TrialEffect",
    "UnstableDoseWarning",
    "change_direction",
    "derive_run_in",
    "design_assumptions",
    "immpact_category",
    "reference_allocation",
    "simulate_design",
    "simulate_diary",
]
