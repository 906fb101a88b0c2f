"""Every page each demo login can reach, in Chromium at phone and desktop width (issue 12).

For each login the pages are found by ``apps.accounts.tests.crawler`` (every link from the start
page; one address per kind of page: ``/patients/1/`` stands for every patient's), then opened in
the browser at 390 × 844 and 1280 × 800. On each: no horizontal overflow
(``scrollWidth <= clientWidth``), and axe-core (vendored for tests, ``vendor/README.md``) finds no
violation of WCAG 2.0/2.1/2.2 A and AA. At 360 and 430 px wide too: no overflow, and on every phone
width no table wider than its box (tables of records stack). The checks: ``checks.py``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from playwright.sync_api import Browser

from apps.accounts.models import User
from apps.accounts.tests.crawler import ROLES, crawl_pages
from apps.demo.clinic import load_demo

from .checks import Walk, check_page, phone_context_options, problems_on

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
# transaction=True: the live server's thread reads what load_demo wrote.

DEMO_PASSWORD = "lowdose-demo"


def kinds_of(paths: list[str]) -> list[str]:
    """One address per kind of page: the first of those that differ only in their numbers."""
    seen: dict[str, str] = {}
    for path in paths:
        seen.setdefault(re.sub(r"\d+", "N", path), path)
    return list(seen.values())


@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="the pages are the same on either database; the SQLite pass opens them (~6 min)",
)
@pytest.mark.parametrize("username", ROLES)
def test_every_page_fits_a_phone_and_passes_axe(
    username: str, live_server: Any, browser: Browser, settings: Any
) -> None:
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    load_demo()
    client = Client()
    client.force_login(User.objects.get(username=username))
    pages = kinds_of(crawl_pages(client))
    assert len(pages) >= 8, pages  # the crawl reached the role's pages
    problems: dict[str, Any] = {}
    context = browser.new_context(**phone_context_options())
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert "/accounts/login/" not in page.url, path  # still signed in
        for problem, what in problems_on(page).items():
            problems[f"{path} {problem}"] = what
    context.close()
    assert problems == {}


def test_the_checks_find_what_they_look_for(live_server: Any, browser: Browser) -> None:
    # The same checks on a page spoiled on purpose: an image without a text alternative, a
    # button without a name, grey on white at 1.5:1, and a block wider than a phone.
    context = browser.new_context(**phone_context_options())
    page = context.new_page()
    walk = Walk(page)
    page.goto(f"{live_server.url}/how-ldn-works/")
    walk.check()
    page.evaluate(
        """() => document.querySelector('main').insertAdjacentHTML('beforeend',
        '<img src="data:,"><button></button><p style="color:#ccc;background:#fff">faint</p>'
        + '<div style="width:600px">wide</div>'
        + '<div class="scroll" tabindex="0" role="region" aria-label="Wide">'
        + '<table><tr><th>A</th><td style="min-width:500px">a long row</td></tr></table></div>')"""
    )
    found = problems_on(page)
    with pytest.raises(AssertionError, match="image-alt"):
        check_page(page)
    assert page.viewport_size == {"width": 390, "height": 844}  # put back after the desktop run
    # A page opened and not checked is named.
    page.goto(f"{live_server.url}/evidence/")
    with pytest.raises(AssertionError, match="/evidence/"):
        walk.assert_all_checked()
    context.close()
    axe = {"image-alt", "button-name", "color-contrast"}
    assert {f"phone {problem}" for problem in {"overflow", *axe}} <= set(found)
    assert {f"desktop {problem}" for problem in axe} <= set(found)
    assert "desktop overflow" not in found  # 600 px fits a desktop
    for phone in ("360 px", "phone", "430 px"):
        assert found[f"{phone} wide tables"] == "Wide"
        assert f"{phone} overflow" in found
