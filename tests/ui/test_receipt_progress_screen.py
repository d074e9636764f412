"""A receipt's QR code held up to the (simulated) scanner, through the real QML and the real core:
on the start screen it opens the progress of that one case from a real platform (a subprocess on
loopback), without an ID document; the slip prints; a case awaiting corrections asks for the ID
document, which then lists all of the citizen's cases with "Submit corrections". Offline, the
receipt scanned on the progress errand's identify screen gets the same clear message."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import pytest

from egov_protocol.cases import PROGRESS_TOKEN_FIELD
from egov_protocol.keys import TerminalKeys
from sync.client import CentralClient
from tests.conftest import act_on_case
from tests.sync.test_person_cases import TERMINAL_ID, sealed_application
from tests.ui.test_progress_screen import IDENTITY, ProgressAudit, enrolled_kiosk


@pytest.fixture(scope="module")
def receipt(central, tmp_path_factory) -> tuple[str, str]:
    """Two applications of the demo card's holder, taken by another terminal; the first printed
    a progress token on its receipt and awaits corrections. Its receipt number and token."""
    keys = TerminalKeys.load_or_create(tmp_path_factory.mktemp("other-terminal"))
    with CentralClient(central.url, TERMINAL_ID) as client:
        client.enroll(central.issue_token(TERMINAL_ID), keys.public_key, site="GZ01")
    token = secrets.token_urlsafe(16)
    printed = {PROGRESS_TOKEN_FIELD: hashlib.sha256(token.encode()).hexdigest()}
    with CentralClient(central.url, TERMINAL_ID, signing_key=keys.signing_key) as terminal:
        for n in (1, 2):
            terminal.put_submission(sealed_application(n, central.platform_x25519(), keys,
                                                       IDENTITY.document_number, extra=printed if n == 1 else None))
    first = f"{TERMINAL_ID}-20260301-000001"
    act_on_case(central, first, "request_corrections", "请重新拍摄户口簿首页")
    return first, token


def hold_up(kiosk: Any, receipt_number: str, token: str) -> None:
    """The receipt's QR code (the address the receipt printer puts on it) before the scanner."""
    link = kiosk.config.progress_address().format(receipt_number=receipt_number, token=token)
    kiosk.core.devices["code_scanner"].submit(lambda driver: driver.present_code(link))


def test_a_receipt_scanned_on_the_start_screen_shows_its_case(make_kiosk, kiosk_config, central, receipt) -> None:
    receipt_number, token = receipt
    kiosk = enrolled_kiosk(make_kiosk, kiosk_config, central)
    kiosk.wait_until(lambda: kiosk.core.devices is not None)
    hold_up(kiosk, receipt_number, token)
    kiosk.wait_for_screen("progress", timeout_ms=20_000)
    kiosk.wait_until(lambda: kiosk.state["progress"]["phase"] == "ready", timeout_ms=20_000)
    assert kiosk.state["identity"] is None and kiosk.state["progress"]["by_receipt"]
    (case,) = kiosk.state["progress"]["cases"]
    assert case["receipt_number"] == receipt_number and case["status"] == "corrections_requested"
    assert kiosk.get("caseNote_0").property("text") == "需补正：请重新拍摄户口簿首页"
    assert kiosk.get("caseNeedsIdentity_0").isVisible()
    assert kiosk.find("submitCorrections_0") is None  # corrections need the identity
    assert "扫回执" in kiosk.get("screen_progress").property("subtitle")
    assert "核验身份" in kiosk.get("screen_progress").property("spokenPrompt")  # said too
    assert token not in str(kiosk.state)
    kiosk.screenshot("receipt_progress_01_case")
    audit = ProgressAudit(kiosk, "portrait")
    audit.screen("receipt_progress")  # both languages, both modes; ends in English, normal mode
    assert not audit.findings, audit.findings
    kiosk.screenshot("receipt_progress_01_case_en")
    kiosk.bridge.setLanguage("zh-CN")
    kiosk.wait_until(lambda: "扫回执" in kiosk.get("screen_progress").property("subtitle"))

    kiosk.tap("printSlipButton")
    kiosk.wait_until(lambda: kiosk.state["progress"]["printing"] == "printed")
    printed = kiosk.config.storage.resolved_data_dir() / "printed" / "receipts"
    assert [p.name.rsplit("_", 1)[0] for p in printed.glob("*.png")] == [receipt_number]
    kiosk.screenshot("receipt_progress_02_printed")

    # "Present ID document": the identify screen of the progress errand; the card read finds all
    # of the holder's cases, and the one awaiting corrections can be corrected now.
    kiosk.tap("presentDocumentButton")
    kiosk.wait_for_screen("identify")
    assert kiosk.state["errand"] == "progress" and kiosk.state["progress"] is None
    kiosk.tap("demoDocument_resident_id")
    kiosk.wait_for_screen("progress")
    kiosk.wait_until(lambda: kiosk.state["progress"]["phase"] == "ready", timeout_ms=20_000)
    cases = kiosk.state["progress"]["cases"]
    assert not kiosk.state["progress"]["by_receipt"] and len(cases) == 2
    assert kiosk.find("presentDocumentButton") is None
    index = next(i for i, c in enumerate(cases) if c["receipt_number"] == receipt_number)
    assert kiosk.get(f"submitCorrections_{index}").isVisible()


def test_offline_a_receipt_scanned_on_the_identify_screen_says_it_needs_the_network(kiosk) -> None:
    kiosk.tap("errand_progress")
    kiosk.wait_for_screen("identify")
    hold_up(kiosk, f"{TERMINAL_ID}-20260301-000001", "some-token")
    kiosk.wait_for_screen("progress", timeout_ms=20_000)
    kiosk.wait_until(lambda: kiosk.state["progress"]["phase"] == "offline", timeout_ms=20_000)
    assert "需要联网" in kiosk.get("messageText").property("text")
    assert kiosk.find("printSlipButton") is None and kiosk.find("case_0") is None
    assert kiosk.get("retryButton").isEnabled() and kiosk.get("presentDocumentButton").isEnabled()
    kiosk.screenshot("receipt_progress_03_offline")
    kiosk.tap("finishButton")
    kiosk.wait_for_screen("attract")
    assert kiosk.state["progress"] is None
