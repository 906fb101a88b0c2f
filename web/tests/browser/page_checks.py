"""The checks every browser test can run on an open page: horizontal overflow at the page's
width, tables wider than their box on a phone (tables of records stack there), and axe-core's
WCAG 2.0/2.1/2.2 A and AA violations (axe-core vendored for tests, ``vendor/README.md``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

__all__ = ["AXE", "OTHER_PHONES", "WCAG_TAGS", "check_fit", "check_page"]

AXE = Path(__file__).with_name("vendor") / "axe-4.14.1.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
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
#: Phones from the narrowest common width to the widest, besides 390 × 844 where axe runs too.
OTHER_PHONES = ((360, 740), (430, 932))


def check_fit(page: Page) -> dict[str, Any]:
    """Horizontal overflow of the page, and (on a phone) tables wider than their box."""
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
    """:func:`check_fit` and axe's WCAG A/AA violations on the open page."""
    problems = check_fit(page)
    page.add_script_tag(path=str(AXE))
    for violation in page.evaluate(RUN_AXE, WCAG_TAGS):
        problems[violation["id"]] = violation["targets"]
    return problems
