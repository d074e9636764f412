"""Fixtures of the platform's tests: a real Chromium (Debian's, through Playwright) for the pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
