"""Meta-analysis with metafor's methods: effect sizes, τ² estimators, diagnostics and plots.

Configure → fit → result::

    from lowdose.meta import escalc, MetaAnalysis
    es = escalc("RR", ai=[4, 6], bi=[119, 300], ci=[11, 29], di=[128, 274])
    res = MetaAnalysis(es, method="REML", test="knha").fit()
    print(res.summary())

Exception tree (all under :class:`lowdose.errors.LowdoseError`)::

    LowdoseError
    ├── InputError
    │   └── MetaInputError          bad option or study data (names the row/column)
    │       └── EffectSizeError     summary statistics cannot become an effect size
    │           └── ZeroCellError   zero cell in a 2×2 table and no correction chosen
    └── ConvergenceError            an iterative τ² estimator did not converge

    LowdoseWarning
    └── FewStudiesWarning           a statistic computed from too few studies
"""

from __future__ import annotations

from lowdose.errors import (
    ConvergenceError,
    EffectSizeError,
    FewStudiesWarning,
    MetaInputError,
    ZeroCellError,
)
from lowdose.meta.diagnostics import (
    EggerResult,
    InfluenceRow,
    TrimFillResult,
    cumulative,
    egger_test,
    influence,
    leave_one_out,
    trim_and_fill,
)
from lowdose.meta.effects import MEASURES, RATIO_MEASURES, EffectSizes, ZeroCellCorrection, escalc
from lowdose.meta.estimators import ESTIMATORS, Tau2Estimator, get_estimator
from lowdose.meta.model import TESTS, MetaAnalysis, MetaResult

__all__ = [
    "ESTIMATORS",
    "MEASURES",
    "RATIO_MEASURES",
    "TESTS",
    "ConvergenceError",
    "EffectSizeError",
    "EffectSizes",
    "EggerResult",
    "FewStudiesWarning",
    "InfluenceRow",
    "MetaAnalysis",
    "MetaInputError",
    "MetaResult",
    "Tau2Estimator",
    "TrimFillResult",
    "ZeroCellCorrection",
    "ZeroCellError",
    "cumulative",
    "egger_test",
    "escalc",
    "get_estimator",
    "influence",
    "leave_one_out",
    "trim_and_fill",
]
