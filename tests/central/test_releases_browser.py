"""The releases page in a real browser (Playwright driving Debian's Chromium) against a real
``kiosk-central`` process started with the release keys: a fleet operator finds it in the
navigation, sees the published release and halts its rollout."""

from __future__ import annotations

import pytest

from central.release_status import published_release
from central.releases import KEYS_ENV
from tests.central.conftest import SCREENSHOTS, first_log_in
from tests.conftest import platform_accounts, running_central
from tests.update_builds import make_repository


@pytest.fixture
def platform(tmp_path, monkeypatch):
    data, keys = make_repository(tmp_path, ["1.0", "1.1"])
    monkeypatch.setenv(KEYS_ENV, str(keys))  # the platform process signs with them
    with running_central(data) as server:
        yield server


def test_a_fleet_operator_sees_the_release_and_halts_its_rollout(browser, platform):
    new = platform_accounts(platform).add("wang.fang", "fleet-operator")
    page = browser.new_page()
    page.goto(platform.url + "/login")
    first_log_in(page, "wang.fang", new.password, new.totp_uri, "杨柳 willow branches 2026")
    page.wait_for_selector("text=Fleet 终端")

    page.click("text=Releases 版本")
    page.wait_for_selector("#release-version")
    assert page.inner_text("#release-version") == "1.1"
    assert "every terminal" in page.inner_text("#rollout-state")
    page.click("#halt")
    page.wait_for_selector("#resume")
    assert page.inner_text("#rollout-state").startswith("HALTED")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "central-releases.png"), full_page=True)
    assert published_release(platform.data_dir).rings.halted
    page.close()
