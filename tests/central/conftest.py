"""Fixtures of the platform's tests: a real Chromium (Debian's, through Playwright) for the pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
#: Where the browser tests leave their screenshots (tests/_screenshots).
SCREENSHOTS = Path(__file__).resolve().parents[1] / "_screenshots"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, for one test module."""
    if not CHROMIUM.exists():
        pytest.fail("chromium is missing: run tools/setup-system.sh as root (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS,
                                             headless=True)
        yield browser
        browser.close()


def first_log_in(page: Any, name: str, password: str, totp_uri: str, new_password: str) -> None:
    """On the login form ``page`` shows: a new account's first login (its one-time password and
    the TOTP code of its enrolment), then the password of its own the platform asks for; back on
    the index page."""
    import pyotp

    page.fill("#name", name)
    page.fill("#password", password)
    page.fill("#code", pyotp.parse_uri(totp_uri).now())
    page.click("#login")
    page.wait_for_url("**/password")  # the printed password works once: choose one's own
    page.fill("#current", password)
    page.fill("#new", new_password)
    page.fill("#repeated", new_password)
    page.click("#change")
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
