"""Browser tests: Playwright drives Debian's Chromium (``/usr/bin/chromium``) against a live server.

A missing Chromium is a failure, never a skip: ``make test`` installs it.
"""

from __future__ import annotations

import os
import time
from base64 import b32decode
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path(os.environ.get("LOWDOSE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the fixtures make from the
# same thread are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps` (apt-get install chromium).")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def expected_console_errors() -> list[str]:
    """Console errors a test expects, matched by substring: a refused form answers 400, which
    Chromium reports as "Failed to load resource"."""
    return []


@pytest.fixture
def page(browser: Browser, settings: Any, expected_console_errors: list[str]) -> Iterator[Page]:
    # The live server speaks plain HTTP on 127.0.0.1.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    context = browser.new_context(viewport={"width": 412, "height": 915})  # a phone
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield page
    context.close()
    expected = ["favicon", *expected_console_errors]
    assert [p for p in problems if not any(e in p for e in expected)] == []


@pytest.fixture
def axe_phone(browser: Browser, settings: Any) -> Iterator[Page]:
    """A 390 × 844 phone with the page's Content-Security-Policy bypassed, so that
    ``checks.check_page`` can inject axe."""
    from .checks import phone_context_options

    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    context = browser.new_context(**phone_context_options())
    yield context.new_page()
    context.close()


def _totp(secret: bytes, step: int) -> str:
    from django_otp.oath import totp

    return f"{totp(secret, step=30, t0=0, drift=step - int(time.time()) // 30):06d}"


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Log in through the page as a person would, two-factor included: staff without a device set
    one up from the key shown in text (and save the recovery codes); with one, enter its code."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/two-factor/setup/" in page.url:
        key = b32decode(page.inner_text("#totp-secret").replace(" ", ""))
        page.fill("input[name=code]", _totp(key, int(time.time()) // 30))
        page.click("form.stack button[type=submit]")
        page.click("text=I have saved them")
    elif "/accounts/two-factor/verify/" in page.url:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        # A code is accepted once: a second login in the same 30 s uses the next step's code.
        step = max(int(time.time()) // 30, device.last_t + 1)
        page.fill("input[name=code]", _totp(device.bin_key, step))
        page.click("main form.card button[type=submit]")
    page.wait_for_load_state()


def log_out(page: Page) -> None:
    page.click("form[action='/accounts/logout/'] button")
