"""Accessibility rules every page shares (issue 12, item 9; WCAG 2.2 AA).

Checked on the templates and the style sheet, where the rules live: a skip link, scroll regions a
keyboard can reach and a screen reader can name (2.1.1, 4.1.2), and focus rings and input borders
at 3:1 or more against what they sit on (1.4.11).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from apps.accounts.models import Patient

WEB = Path(__file__).resolve().parents[1]
CSS = (WEB / "static" / "css" / "lowdose.css").read_text(encoding="utf-8")
TEMPLATES = sorted((WEB / "templates").rglob("*.html"))


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _var(name: str) -> str:
    found = re.search(rf"--{name}:(#[0-9a-fA-F]{{6}})", CSS)
    assert found is not None, name
    return found.group(1)


def test_contrast_formula_matches_wcag_examples() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("background", ["#ffffff", "bg"])  # cards are white
def test_input_borders_and_focus_rings_reach_3_to_1(background: str) -> None:
    behind = background if background.startswith("#") else _var(background)
    assert contrast(_var("edge"), behind) >= 3.0  # borders of inputs and 0–10 buttons
    assert contrast(_var("ink"), behind) >= 3.0  # the focus ring
    assert "border:1px solid #b8c0c6" not in CSS  # the old 1.84:1 grey


def test_focus_ring_on_the_top_bar_is_white_on_blue() -> None:
    assert ".topbar :focus-visible { outline-color: #fff; }" in CSS
    assert contrast("#ffffff", _var("accent")) >= 3.0


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(WEB / "templates")))
def test_every_scroll_region_is_focusable_and_named(template: Path) -> None:
    for tag in re.findall(r'<div class="scroll[^"]*"[^>]*>', template.read_text(encoding="utf-8")):
        assert 'tabindex="0"' in tag, tag
        assert 'role="region"' in tag, tag
        assert re.search(r'aria-label="[^"]+"', tag), tag


def test_the_skip_link_comes_first_and_lands_on_the_main_content(patient: Patient) -> None:
    assert patient.user is not None
    client = Client()
    client.force_login(patient.user)
    page = client.get(f"/patients/{patient.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    first_link = re.search(r"<body[^>]*>\s*<a ([^>]*)>([^<]*)</a>", html)
    assert first_link is not None
    assert 'href="#main"' in first_link.group(1)
    assert first_link.group(2) == "Skip to main content"
    assert '<main id="main" tabindex="-1">' in html
    assert '<html lang="en-GB">' in html
