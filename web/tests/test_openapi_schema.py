"""The published OpenAPI schema (docs/api/openapi.json) matches the running API.

When this fails after an intended API change, regenerate it with `make openapi` and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

from config.api import api

PUBLISHED = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.json"


def test_the_published_openapi_schema_is_current() -> None:
    current = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"), sort_keys=True))
    assert json.loads(PUBLISHED.read_text(encoding="utf-8")) == current
