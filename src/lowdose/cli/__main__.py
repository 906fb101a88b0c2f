"""``python -m lowdose.cli``: the same as the ``lowdose`` console script."""

from __future__ import annotations

from lowdose.cli import main

raise SystemExit(main())
