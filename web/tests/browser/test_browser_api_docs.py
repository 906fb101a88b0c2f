"""End to end in Chromium: /api/v1/docs draws the API's operations with the vendored Swagger UI,
under the Content-Security-Policy (a blocked script or style would be a console error, which the
``page`` fixture fails on) and without any request leaving our origin."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_from_our_own_origin_under_the_csp(
    page: Page, live_server: Any
) -> None:
    origins: set[str] = set()

    def record(request: Request) -> None:
        if not request.url.startswith("data:"):
            origins.add(urlsplit(request.url).netloc)

    page.on("request", record)
    page.goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("lowdose API")
    expect(
        page.locator(".opblock-summary-path", has_text="/api/v1/auth/token").first
    ).to_be_visible()
    assert origins == {urlsplit(live_server.url).netloc}
