from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .pushes import LocalPushService, local_push_service


@pytest.fixture
def push_service(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalPushService]:
    """A push service on 127.0.0.1; subscriptions may point at it, and no proxy is asked."""
    settings.PUSH_ALLOW_LOOPBACK_HTTP = True
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with local_push_service() as service:
        yield service
