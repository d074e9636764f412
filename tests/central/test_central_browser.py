"""The operator pages in a real browser (Playwright driving Debian's Chromium) against a real
``kiosk-central`` process: log in with TOTP, see the fleet, issue a token that then enrolls a
terminal, publish a document, log out; without a session nothing is shown."""

from __future__ import annotations

import json

import pytest

from central.publishing import current
from central.trail import PlatformTrail
from egov_protocol.keys import TerminalKeys
from sync.client import CentralClient
from tests.central.conftest import SCREENSHOTS, first_log_in
from tests.conftest import platform_accounts, running_central


@pytest.fixture
def platform(tmp_path):
    with running_central(tmp_path / "central") as server:
        yield server


def test_an_operator_logs_in_sees_the_fleet_issues_a_token_publishes_and_logs_out(
        browser, platform, tmp_path):
    accounts = platform_accounts(platform)
    new = accounts.add("chen.jing", "fleet-operator")
    page = browser.new_page()
    page.goto(platform.url + "/")
    assert page.url.endswith("/login")  # no session: the login form, nothing of the fleet
    assert "Fleet" not in page.content()

    first_log_in(page, "chen.jing", new.password, new.totp_uri, "柳絮 willow catkins 2026")
    page.wait_for_selector("text=Fleet 终端")
    assert "No terminal registered yet." in page.content()

    page.fill("#token-terminal", "110105-T01")
    page.click("#issue-token")
    token = page.inner_text("#secret").strip()
    keys = TerminalKeys.load_or_create(tmp_path / "terminal-keys")
    with CentralClient(platform.url, "110105-T01") as client:
        client.enroll(token, keys.public_key, site="110105")  # the token works, once
    page.goto(platform.url + "/")
    page.wait_for_selector("#terminal-110105-T01")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "central-fleet.png"), full_page=True)

    page.select_option("#document-kind", "settings")
    page.fill("#document-body", json.dumps({"sync_interval_s": 60}))
    page.click("#publish")
    page.wait_for_selector("text=Published settings version 1")
    published = current(platform.data_dir / "published", "settings")
    assert published.body == {"sync_interval_s": 60} and published.version == 1

    page.goto(platform.url + "/")
    page.click("#logout")
    page.wait_for_url("**/login")
    page.goto(platform.url + "/")
    assert page.url.endswith("/login")
    assert page.request.get(platform.url + "/v1/terminals").status == 401
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert "egov_operator" not in cookies

    actions = [e["action"] for e in reversed(PlatformTrail(accounts.db).entries())]
    assert actions == ["logged in", "changed password", "issued enrollment token",
                       "published document", "logged out"]
    page.close()
