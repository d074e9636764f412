"""办理进度查询 through the real QML, the real core and the simulated devices: the start screen's
"Check progress", the demo resident ID card, the cases a real platform (a subprocess on loopback)
holds for that person, the printed slips, and "Submit corrections" leading into the application;
offline, the screen says that it needs the network and offers nothing it cannot do."""

from __future__ import annotations

import pytest

from drivers.idcard.simulated.samples import sample_identity
from egov_protocol.keys import TerminalKeys
from kiosk.enrollment import Enrollment
from kiosk.sync_service import enroll_terminal, fleet_terminal_id
from sync.client import CentralClient
from tests.conftest import act_on_case
from tests.sync.test_person_cases import TERMINAL_ID, sealed_application
from tests.ui.test_accessibility_audit import Audit

IDENTITY = sample_identity("resident_id")


@pytest.fixture(scope="module")
def corrected(central, tmp_path_factory) -> str:
    """Two applications of the demo card's holder, taken by another terminal; a case worker asks
    for corrections on the first. Its receipt number."""
    keys = TerminalKeys.load_or_create(tmp_path_factory.mktemp("other-terminal"))
    with CentralClient(central.url, TERMINAL_ID) as client:
        client.enroll(central.issue_token(TERMINAL_ID), keys.public_key, site="GZ01")
    with CentralClient(central.url, TERMINAL_ID, signing_key=keys.signing_key) as terminal:
        for n in (1, 2):
            terminal.put_submission(sealed_application(n, central.platform_x25519(), keys,
                                                       IDENTITY.document_number))
    first = f"{TERMINAL_ID}-20260301-000001"
    act_on_case(central, first, "request_corrections", "请重新拍摄户口簿首页")
    return first


def enrolled_kiosk(make_kiosk, config, central):
    """A kiosk enrolled with the platform on loopback, as `kioskctl enroll` does it."""
    config = config.with_overrides(central={"url": central.url})
    terminal = config.terminal
    enroll_terminal(central.url, terminal.site_code, terminal.terminal_id,
                    Enrollment(config.storage.resolved_data_dir()),
                    central.issue_token(fleet_terminal_id(terminal.site_code, terminal.terminal_id)))
    return make_kiosk(config, enroll=False)


def to_progress(kiosk) -> None:
    kiosk.tap("errand_progress")
    kiosk.wait_for_screen("identify")
    kiosk.screenshot("progress_01_identify")
    kiosk.tap("demoDocument_resident_id")
    kiosk.wait_for_screen("progress")


def test_the_cases_show_print_and_lead_to_a_correction(make_kiosk, kiosk_config, central, corrected) -> None:
    kiosk = enrolled_kiosk(make_kiosk, kiosk_config, central)
    assert kiosk.get("errand_progress").property("text") == "办理进度查询"

    to_progress(kiosk)
    kiosk.wait_until(lambda: kiosk.state["progress"]["phase"] == "ready")
    cases = kiosk.state["progress"]["cases"]
    assert sorted(c["receipt_number"] for c in cases) == [corrected, f"{TERMINAL_ID}-20260301-000002"]
    index = next(i for i, c in enumerate(cases) if c["receipt_number"] == corrected)
    assert kiosk.get(f"caseNote_{index}").property("text") == "需补正：请重新拍摄户口簿首页"
    assert kiosk.get(f"caseStatus_{index}").isVisible()
    assert "补正" in kiosk.get(f"caseNextStep_{index}").property("text")
    assert kiosk.find(f"submitCorrections_{1 - index}") is None  # only the case awaiting corrections
    assert kiosk.find("retryButton") is None
    spoken = kiosk.get("screen_progress").property("spokenPrompt")
    assert corrected in spoken and "待补正" in spoken and "已接收" in spoken
    kiosk.scroll_into_view(kiosk.get("case_0"))
    shot = kiosk.screenshot("progress_list")
    assert shot.exists()

    # The printer out of paper: said on the screen, the list stays, and it can be tried again.
    printer = kiosk.core.devices["receipt_printer"].driver
    printer.script_fault("paper_out")
    kiosk.tap("printSlipButton")
    kiosk.wait_until(lambda: kiosk.state["progress"]["printing"] == "failed")
    assert "打印机暂时无法使用" in kiosk.get("printMessage").property("text")
    assert kiosk.get("case_0").isVisible() and kiosk.get("printSlipButton").isEnabled()
    printer.clear_faults()

    # The slips: one per case, on the receipt printer, without the ID number.
    kiosk.tap("printSlipButton")
    kiosk.wait_until(lambda: kiosk.state["progress"]["printing"] == "printed")
    assert kiosk.get("printMessage").property("text") == "进度凭条已打印，请取走。"
    # The simulated printer names each job by its receipt number and keeps the raster it got
    # (what is on a slip is checked in tests/kiosk/steps/test_progress_step.py).
    printed = kiosk.config.storage.resolved_data_dir() / "printed" / "receipts"
    jobs = sorted(p.name.rsplit("_", 1)[0] for p in printed.glob("*.png"))
    assert jobs == sorted(c["receipt_number"] for c in cases)
    kiosk.screenshot("progress_printed")

    # 补正: the application for that service, linked to the case, starts at the face photo.
    kiosk.tap(f"submitCorrections_{index}")
    kiosk.wait_for_screen("face")
    assert kiosk.state["errand"] == "apply" and kiosk.state["service"]["id"] == "flexible_employment_insurance"
    assert kiosk.state["progress"] is None


def test_offline_the_screen_says_it_needs_the_network(kiosk) -> None:
    kiosk.screenshot("progress_00_attract")
    kiosk.tap("elderModeSwitch")
    kiosk.wait_until(lambda: kiosk.state["elder_mode"])
    to_progress(kiosk)
    kiosk.wait_until(lambda: kiosk.state["progress"]["phase"] == "offline")
    message = kiosk.get("messageText").property("text")
    assert "需要联网" in message
    assert message in kiosk.get("screen_progress").property("spokenAlerts").toVariant()  # said too
    assert kiosk.find("printSlipButton") is None and kiosk.find("case_0") is None
    assert kiosk.get("retryButton").isEnabled()
    kiosk.screenshot("progress_offline_elder")
    audit = ProgressAudit(kiosk, "portrait")
    audit.screen("progress_offline")  # both languages, both modes; ends in English, normal mode
    assert not audit.findings, audit.findings

    kiosk.wait_until(lambda: "needs the network" in kiosk.get("messageText").property("text"))
    assert kiosk.get("retryButton").property("text") == "Try again"
    kiosk.tap("retryButton")
    kiosk.wait_until(lambda: kiosk.state["progress"]["phase"] == "offline")

    kiosk.tap("finishButton")
    kiosk.wait_for_screen("attract")
    assert kiosk.state["progress"] is None and kiosk.state["identity"] is None



class ProgressAudit(Audit):
    """The accessibility audit, with the cases' receipt numbers and the case workers' notes
    counted as data (shown as they are in either language)."""

    def data_texts(self) -> list[str]:
        texts = super().data_texts()
        for case in (self.kiosk.state.get("progress") or {}).get("cases") or []:
            texts += [case["receipt_number"], case["note"]]
        return [t for t in texts if t]


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
def test_the_progress_screens_pass_the_accessibility_audit(make_kiosk, kiosk_config, central, corrected,
                                                           orientation) -> None:
    kiosk = enrolled_kiosk(make_kiosk, kiosk_config.with_overrides(ui={"orientation": orientation}), central)
    audit = ProgressAudit(kiosk, orientation)
    to_progress(kiosk)
    kiosk.wait_until(lambda: kiosk.state["progress"]["phase"] == "ready")
    audit.screen("progress")
    kiosk.tap("printSlipButton")
    kiosk.wait_until(lambda: kiosk.state["progress"]["printing"] == "printed")
    audit.screen("progress_printed")
    kiosk.screenshot(f"progress_{orientation}_en")
    if audit.findings:
        pytest.fail(f"{len(audit.findings)} accessibility findings:\n  " + "\n  ".join(audit.findings),
                    pytrace=False)
