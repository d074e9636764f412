"""The application core end to end without a screen: simulated devices, no central server.

These drive `KioskCore` with the same commands the QML bridge calls, across the journey, the
device threads and the outbox writer; the sync worker finds nobody to talk to and keeps the queue.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest

from drivers.idcard.simulated.samples import sample_identity


@pytest.fixture(scope="module")
def demo(offline_terminal):
    """Nothing here is about sync: the core runs without a central server
    (forwarding: ``test_core_forwarding.py``)."""
    return offline_terminal


def test_receipt_numbers_follow_each_other(core_driver) -> None:
    numbers = []
    for _ in range(2):
        core_driver.walk_to_form()
        numbers.append(core_driver.submit()["receipt_number"])
        core_driver.finish()
        core_driver.core.take_back_demo_document()  # else the next identify step waits for it
    first, second = (int(number.rsplit("-", 1)[1]) for number in numbers)
    assert second == first + 1


def test_nothing_personal_on_disk_or_in_logs(core_driver, residence_answers, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    identity = sample_identity("resident_id")
    core_driver.walk_to_form()
    core_driver.submit()
    core_driver.core.finish()
    core_driver.wait_screen("attract")
    secrets = [identity.name.encode(), identity.document_number.encode(), b"13800138000",
               residence_answers["employer"].encode(), identity.photo_jpeg[200:264]]
    data_dir: Path = core_driver.core.data_dir
    for path in [p for p in data_dir.rglob("*") if p.is_file() and "printed" not in p.parts]:
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            # A temporary file renamed over its target meanwhile (the audit head's atomic write,
            # by the sync or audit thread, which keep working after the session): the target is
            # in the listing too.
            continue
        for secret in secrets:
            assert secret not in content, f"personal data in {path.name}"
    log_text = "\n".join(record.getMessage() for record in caplog.records)
    for secret in secrets[:4]:
        assert secret.decode() not in log_text


def test_printer_out_of_paper_still_ends_with_the_number(core_driver) -> None:
    core = core_driver.core
    core.devices["receipt_printer"].driver.script_fault("paper_out")
    core_driver.walk_to_form()
    done = core_driver.submit()
    assert done["printed"] is False and done["receipt_number"]
    assert "受理编号" in done["message"] or "receipt number" in done["message"]
    core_driver.finish()


def test_a_failed_read_tells_the_citizen_and_reading_goes_on(core_driver) -> None:
    core = core_driver.core
    reader = core.devices["id_reader"].driver
    core.choose_service("residence_permit")
    core_driver.wait_screen("notice")
    reader.script_fault("unreadable")
    core.accept_notice()
    core_driver.wait_for(lambda s: s["message"] != "")
    core.present_demo_document("passport")
    snapshot = core_driver.wait_screen("face")
    assert snapshot["identity"]["document_type"] == "护照"
    core.back()
    back = core_driver.wait_screen("identify")
    assert back["identity"] is None
    core_driver.finish()


def test_idle_timeout_wipes_the_session(demo, start_core, tmp_path: Path) -> None:
    class Clock:
        now = 0.0

        def __call__(self) -> float:
            return self.now

    clock = Clock()
    config = demo.config.with_overrides(journey={"idle_timeout_s": 60, "idle_warning_s": 20})
    driver = start_core(config, data_dir=tmp_path / "terminal", clock=clock, tick_interval_s=0.05)
    core = driver.core
    core.choose_service("individual_business")
    driver.wait_screen("notice")
    clock.now += 45
    warned = driver.wait_for(lambda s: s["idle_seconds_left"] is not None)
    assert 1 <= warned["idle_seconds_left"] <= 20
    core.touched()
    driver.wait_for(lambda s: s["idle_seconds_left"] is None)
    clock.now += 61
    driver.wait_screen("attract")
    assert "session_wiped" in driver.event_names()
    assert core.snapshot()["service"] is None


def test_commands_never_block_the_caller(core_driver) -> None:
    """Every command only posts to the journey thread; the caller's thread never waits on devices."""
    core = core_driver.core
    gate = threading.Event()
    core.devices["camera"].submit(lambda camera: gate.wait(5))  # a stuck camera
    core.choose_service("residence_permit")
    core.accept_notice()
    core.present_demo_document("resident_id")
    core.capture_photo()
    core_driver.wait_screen("face")
    gate.set()
    core_driver.finish()


def printed_receipt(core, receipt_number: str) -> str:
    """The text of the receipt just printed, as the terminal remembers it for reprints."""
    from kiosk.receipts import RecentReceipts

    receipt = RecentReceipts(core.data_dir / "receipts" / "recent.json").receipt(receipt_number)
    assert receipt is not None
    return receipt.as_text()


def test_an_english_session_gets_a_bilingual_receipt(core_driver) -> None:
    core = core_driver.core
    core.set_language("en")
    core_driver.wait_for(lambda s: s.get("language") == "en")
    core_driver.walk_to_form()
    receipt_number = core_driver.submit()["receipt_number"]
    text = printed_receipt(core, receipt_number)
    assert "受理回执 Acceptance receipt" in text
    # (The applicant line is not kept for reprints; the other labels are.)
    for label in ("办理事项 Service", "受理时间 Accepted", "受理地点 Place", "办理时限 Processing time"):
        assert label + ":" in text, label
    assert "Residence permit" in text and "居住证" not in text   # the service in the citizen's language
    assert "Your application has been accepted" in text
    core_driver.finish()


def test_a_chinese_session_gets_a_chinese_receipt(core_driver) -> None:
    core_driver.walk_to_form()
    receipt_number = core_driver.submit()["receipt_number"]
    text = printed_receipt(core_driver.core, receipt_number)
    assert text.startswith("受理回执（补打）\n") and "办理事项: 居住证" in text and "Acceptance" not in text
    core_driver.finish()


def test_what_to_bring_reads_as_english() -> None:
    from kiosk.core.view import material_line

    proof = {"name": "Proof of stable employment", "original": True, "copies": 1, "required": False}
    assert material_line(proof, "en") == "Proof of stable employment (original and 1 copy, if applicable)"
    assert material_line({**proof, "copies": 2, "required": True}, "en") == \
        "Proof of stable employment (original and 2 copies)"
    assert material_line({**proof, "name": "合法稳定就业证明"}, "zh-CN") == "合法稳定就业证明（原件、复印件1份，如有）"
