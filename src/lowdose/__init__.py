"""lowdose: low-dose naltrexone therapy in fibromyalgia, measured honestly.

The core package is pure Python (numpy/scipy, no Django). Sub-packages:

``diary``       daily check-ins as frozen records, summaries, the seeded demo generator
``pk``          naltrexone and 6β-naltrexol kinetics, receptor occupancy, hypotheses
``meta``        effect sizes, τ² estimators, meta-analysis results and plots
``evidence``    the curated LDN evidence base and its living summary
``instruments`` questionnaire definitions as data, with scoring
``safety``      eligibility and interaction screening
``regimens``    titration protocols and schedules
``pharmacy``    compounding arithmetic, beyond-use dates, labels, cost
``outcomes``    response analysis, N-of-1 design and analysis, pooling
``interop``     FHIR R4B, iCalendar, CSV
``charts``      Vega-Lite specifications shared by the web pages and the reports
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
