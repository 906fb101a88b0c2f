"""Every page each demo login can reach, in Chromium at phone and desktop width (issue 12).

For each login the pages are found by ``apps.accounts.tests.crawler`` (every link from the start
page; one address per kind of page: ``/patients/1/`` stands for every patient's), then opened in
the browser at 390 × 844 and 1280 × 800. On each: no horizontal overflow
(``scrollWidth <= clientWidth``), and axe-core (vendored for tests, ``vendor/README.md``) finds no
violation of WCAG 2.0/2.1/2.2 A and AA.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from playwright.sync_api import Browser, Page

from apps.accounts.management.demo import load_demo
from apps.accounts.models import User
from apps.accounts.tests.crawler import ROLES, crawl_pages

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
# transaction=True: the live server's thread reads what load_demo wrote.

AXE = Path(__file__).with_name("vendor") / "axe-4.14.1.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
WIDTHS = {"phone": (390, 844), "desktop": (1280, 800)}
DEMO_PASSWORD = "lowdose-demo"

RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
# Tables wider than their box (they would scroll sideways): on a phone, tables of records stack.
WIDE_TABLES = """() => [...document.querySelectorAll('main table')]
  .filter(t => t.offsetParent !== null && t.scrollWidth > t.parentElement.clientWidth + 1)
  .map(t => t.id || t.closest('[aria-label]')?.getAttribute('aria-label')
       || t.querySelector('th')?.textContent.trim())"""
# Phones from the narrowest common width to the widest; axe runs at 390 px, the others are
# checked for overflow and tables only.
OTHER_PHONES = ((360, 740), (430, 932))


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
    for width_name, (width, height) in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
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
            for problem, what in check_page(page).items():
                problems[f"{width_name} {path} {problem}"] = what
            if width_name == "phone":
                for size in OTHER_PHONES:
                    page.set_viewport_size({"width": size[0], "height": size[1]})
                    for problem, what in check_fit(page).items():
                        problems[f"{size[0]} px {path} {problem}"] = what
                page.set_viewport_size({"width": width, "height": height})
        context.close()
    assert problems == {}


def check_fit(page: Page) -> dict[str, Any]:
    """Horizontal overflow of the page, and tables wider than their box, on a phone."""
    problems: dict[str, Any] = {}
    overflow = page.evaluate(OVERFLOW)
    if overflow > 0:
        problems["overflow"] = f"{overflow}px wider than the screen"
    if page.viewport_size and page.viewport_size["width"] < 640:
        wide = page.evaluate(WIDE_TABLES)
        if wide:
            problems["wide tables"] = wide
    return problems


def check_page(page: Page) -> dict[str, Any]:
    """Horizontal overflow, wide tables (on a phone) and axe's WCAG A/AA violations."""
    problems = check_fit(page)
    page.add_script_tag(path=str(AXE))
    for violation in page.evaluate(RUN_AXE, WCAG_TAGS):
        problems[violation["id"]] = violation["targets"]
    return problems


def test_the_checks_find_what_they_look_for(live_server: Any, browser: Browser) -> None:
    # The same checks on a page spoiled on purpose: an image without a text alternative, a
    # button without a name, grey on white at 1.5:1, and a block wider than a phone.
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/how-ldn-works/")
    assert check_page(page) == {}
    page.evaluate(
        """() => document.querySelector('main').insertAdjacentHTML('beforeend',
        '<img src="data:,"><button></button><p style="color:#ccc;background:#fff">faint</p>'
        + '<div style="width:600px">wide</div>'
        + '<div class="scroll" tabindex="0" role="region" aria-label="Wide">'
        + '<table><tr><th>A</th><td style="min-width:500px">a long row</td></tr></table></div>')"""
    )
    found = check_page(page)
    context.close()
    assert {"overflow", "image-alt", "button-name", "color-contrast"} <= set(found)
    assert found["wide tables"] == ["Wide"]
