"""The curated LDN evidence base and its living summary.

Data (``data/*.json``, shipped with the package) holds every study of LDN in fibromyalgia in
the project's evidence reference — randomised trials, the non-randomised, dose-finding and
uncontrolled studies (flagged by ``Trial.kind``) — with each number's source, the published
reviews' pooled results, comparator drugs and the placebo response. Each source carries its
primary identifiers (DOI, PMID, registry id: :mod:`lowdose.evidence.provenance`); registered trials
still without results are the watch list (:mod:`lowdose.evidence.watchlist`), and conditions
beyond fibromyalgia get their own summary (:mod:`lowdose.evidence.conditions`). Effect sizes
are derived in code from the published numbers (:mod:`lowdose.evidence.loader`), so each says how.

Typical use::

    from lowdose.evidence import summarize, placebo_response
    s = summarize("pain")               # shipped trials
    s = summarize("pain", extra=[rec])  # + clinician-added trials / pooled N-of-1 series
    print(s.verdict.text)

Exception tree::

    LowdoseError
    ├── InputError
    │   └── EvidenceInputError   a record or option passed in cannot be used
    └── DataError
        └── EvidenceDataError    a shipped evidence file is inconsistent
"""

from __future__ import annotations

from lowdose.errors import EvidenceDataError, EvidenceInputError
from lowdose.evidence.benefit import ldn_responder_benefit
from lowdose.evidence.comparison import ComparisonRow, comparison_table
from lowdose.evidence.conditions import ConditionSummary, condition_summary
from lowdose.evidence.loader import (
    comparators,
    effect_records,
    outcomes,
    reviews,
    sources,
    trials,
)
from lowdose.evidence.placebo import (
    PlaceboArm,
    PlaceboResponse,
    placebo_reference,
    placebo_response,
)
from lowdose.evidence.provenance import (
    PrimaryLink,
    Provenance,
    added_provenance,
    primary_url,
    record_provenance,
    trial_provenance,
)
from lowdose.evidence.records import (
    Comparator,
    ComparatorResult,
    EffectRecord,
    NotPoolable,
    Outcome,
    Reported,
    Review,
    ReviewResult,
    Source,
    Trial,
)
from lowdose.evidence.summary import OutcomeSummary, summarize
from lowdose.evidence.verdict import Verdict, make_verdict
from lowdose.evidence.watchlist import Awaiting, RegisteredTrial, awaiting, registered_trials

__all__ = [
    "Awaiting",
    "Comparator",
    "ComparatorResult",
    "ComparisonRow",
    "ConditionSummary",
    "EffectRecord",
    "EvidenceDataError",
    "EvidenceInputError",
    "NotPoolable",
    "Outcome",
    "OutcomeSummary",
    "PlaceboArm",
    "PlaceboResponse",
    "PrimaryLink",
    "Provenance",
    "RegisteredTrial",
    "Reported",
    "Review",
    "ReviewResult",
    "Source",
    "Trial",
    "Verdict",
    "added_provenance",
    "awaiting",
    "comparators",
    "comparison_table",
    "condition_summary",
    "effect_records",
    "ldn_responder_benefit",
    "make_verdict",
    "outcomes",
    "placebo_reference",
    "placebo_response",
    "primary_url",
    "record_provenance",
    "registered_trials",
    "reviews",
    "sources",
    "summarize",
    "trial_provenance",
    "trials",
]
