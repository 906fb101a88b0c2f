"""The checks every page must pass in the browser (issue 12), in one place for every browser test.

* No horizontal overflow (``scrollWidth <= clientWidth``) on a 390 × 844 phone and a 1280 × 800
  desktop, nor on the narrowest and widest common phones (360 and 430 px wide).
* On a phone, no table wider than its box: tables of records stack into one card per row.
* axe-core (vendored for tests, ``vendor/README.md``) finds no violation of WCAG 2.0/2.1/2.2 A and
  AA at either width.

:func:`problems_on` checks the page that is open and returns what it found; :func:`check_page`
fails the test with a readable list. :class:`Walk` records every page (address path) a test's
browser page shows, so the test can assert that it checked each one. axe needs its script in the
page: open the context with ``bypass_csp=True`` (the pages' Content-Security-Policy would refuse
it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Frame, Page, ViewportSize

AXE = Path(__file__).with_name("vendor") / "axe-4.14.1.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
PHONE = ViewportSize(width=390, height=844)  # an iPhone 12–15
DESKTOP = ViewportSize(width=1280, height=800)
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}
#: Checked for overflow and wide tables only (axe runs at :data:`WIDTHS`).
OTHER_PHONES = {
    "360 px": ViewportSize(width=360, height=740),
    "430 px": ViewportSize(width=430, height=932),
}

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


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def _fit_at_this_width(page: Page) -> dict[str, str]:
    problems: dict[str, str] = {}
    overflow = page.evaluate(OVERFLOW)
    if overflow > 0:
        problems["overflow"] = f"{overflow} px wider than the screen"
    if page.viewport_size and page.viewport_size["width"] < 640:
        wide = page.evaluate(WIDE_TABLES)
        if wide:
            problems["wide tables"] = ", ".join(str(w) for w in wide)
    return problems


def _problems_at_this_width(page: Page) -> dict[str, str]:
    problems = _fit_at_this_width(page)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    for violation in page.evaluate(RUN_AXE, WCAG_TAGS):
        targets = ", ".join(violation["targets"])
        problems[violation["id"]] = f"{violation['help']} ({violation['impact']}): {targets}"
    return problems


def problems_on(page: Page) -> dict[str, str]:
    """Overflow, wide tables and axe's WCAG A/AA violations on the open page at phone and desktop
    width, and overflow and wide tables at 360 and 430 px, keyed ``"<width> <problem>"``. The
    viewport is put back as it was."""
    page.wait_for_load_state("networkidle")
    before = page.viewport_size
    problems: dict[str, str] = {}
    try:
        for name, size in OTHER_PHONES.items():
            page.set_viewport_size(size)
            for problem, what in _fit_at_this_width(page).items():
                problems[f"{name} {problem}"] = what
        for name, size in WIDTHS.items():
            if page.viewport_size != size:
                page.set_viewport_size(size)
            for problem, what in _problems_at_this_width(page).items():
                problems[f"{name} {problem}"] = what
    finally:
        if before is not None and page.viewport_size != before:
            page.set_viewport_size(before)
    return problems


def check_page(page: Page) -> None:
    """Fail, listing every problem, unless the open page fits both widths and passes axe."""
    problems = problems_on(page)
    if problems:
        listed = "\n".join(f"  {key}: {what}" for key, what in sorted(problems.items()))
        raise AssertionError(f"{page.url}:\n{listed}")


class Walk:
    """What one browser page showed and what was checked: ``walk.check()`` after each step that
    changes the page; ``walk.assert_all_checked()`` at the end. Addresses count by their path
    (a search's query string or an htmx update is the same page)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.visited: list[str] = []
        self.checked: set[str] = set()
        page.on("framenavigated", self._navigated)

    def _navigated(self, frame: Frame) -> None:
        if frame == self.page.main_frame:
            path = urlsplit(frame.url).path
            if path and path not in self.visited:
                self.visited.append(path)

    def check(self) -> None:
        check_page(self.page)
        self.checked.add(path_of(self.page))

    def assert_all_checked(self) -> None:
        unchecked = [path for path in self.visited if path not in self.checked]
        assert unchecked == [], f"pages visited but not checked: {unchecked}"


def phone_context_options(**extra: Any) -> dict[str, Any]:
    """Options for ``browser.new_context``: the phone, and the page's CSP bypassed for axe."""
    return {"viewport": PHONE, "bypass_csp": True, **extra}
