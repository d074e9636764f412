"""As a person would: print a certificate (render its PDF to an image), scan its QR code
(OpenCV's detector on the image) and open the address in a real browser (Playwright driving
Debian's Chromium) against a real ``kiosk-central`` process: genuine and current; revoked once
revoked. With ``KIOSK_SCREENS_DIR`` set, the page images are saved there."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from central.at_rest import AtRestKeys
from central.certificates import CertificateOffice
from central.cli import main
from central.seal import seal_dir
from central.store import open_platform_store
from sync.local_central import LocalCentral, free_port
from tests.central.conftest import first_log_in
from tests.central.test_certificates import FACTS, ID_NUMBER
from tests.qr import read_qr


def scan_qr(png: Path) -> str:
    from PIL import Image

    text = read_qr(Image.open(png).convert("L"))
    assert text, "no QR code found on the page"
    return text


@pytest.fixture
def platform(tmp_path):
    data_dir = tmp_path / "central"
    assert main(["seal", "init", "--demo", "--data-dir", str(data_dir)]) == 0
    port = free_port()
    central = LocalCentral(data_dir, port,
                           serve_args=("--public-url", f"http://127.0.0.1:{port}"))
    central.start()
    store = open_platform_store(data_dir)
    office = CertificateOffice(store.db, seal_dir(data_dir),
                               AtRestKeys.load_or_create(data_dir / "keys"), central.url)
    yield central, office
    store.close()
    central.stop()


def test_a_printed_certificates_qr_code_opens_its_verification(platform, browser, tmp_path):
    central, office = platform
    issued = office.issue_certificate(FACTS)
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(issued.pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf),
                    str(tmp_path / "printed")], check=True)
    url = scan_qr(tmp_path / "printed.png")
    assert url == issued.verify_url and url.startswith(central.url)

    screens = os.environ.get("KIOSK_SCREENS_DIR")
    page = browser.new_page(viewport={"width": 412, "height": 915}, device_scale_factor=2)
    try:
        page.goto(url)
        verdict = page.locator("#verdict").inner_text()
        assert "真实有效" in verdict and "Genuine and current" in verdict
        body = page.locator("body").inner_text()
        assert "灵活就业人员参保证明" in body and office.seal.organisation in body
        assert ID_NUMBER not in body and "张伟" not in body
        if screens:
            page.screenshot(path=str(Path(screens) / "verify_genuine.png"), full_page=True)
            shutil.copy(tmp_path / "printed.png", Path(screens) / "certificate_printed.png")
            receipt = tmp_path / "receipt.pdf"
            receipt.write_bytes(office.issue_acceptance_receipt(FACTS).pdf)
            subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(receipt),
                            str(Path(screens) / "acceptance_receipt_printed")], check=True)

        assert office.revoke(issued.document_id, "issued in error")
        page.goto(url)
        assert "已撤销 Revoked" in page.locator("#verdict").inner_text()
        if screens:
            page.screenshot(path=str(Path(screens) / "verify_revoked.png"), full_page=True)

        page.goto(url[:-3] + "abc")
        assert "未找到" in page.locator("#verdict").inner_text()
    finally:
        page.close()


def test_an_operator_replays_a_dead_letter_in_the_browser(platform, browser, tmp_path):
    import json

    from central.handoff import DEAD, DELIVERED, HandoffOutbox
    from central.integrations import IntegrationRegistry, add_integration
    from central.operators import OperatorAccounts
    from tests.central.test_handoff import CASE, Receiver, wait_until

    central, office = platform
    integration = add_integration(central.data_dir, "social-insurance", "http://127.0.0.1:1/x")
    receiver = Receiver(integration.secret, [])
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        path = central.data_dir / "integrations.json"
        config = json.loads(path.read_text())
        config["integrations"][0]["url"] = receiver.url
        path.write_text(json.dumps(config))
        outbox = HandoffOutbox(office.db, office.keys, IntegrationRegistry(central.data_dir),
                               max_attempts=1)
        # Written straight into the outbox as dead: the running platform's worker must not
        # deliver it before it is dead.
        [event_id] = outbox.enqueue_case_accepted(CASE)
        with office.db.transaction() as tx:
            tx.exec_driver_sql("UPDATE handoff_outbox SET state = 'dead', attempts = 8, "
                               "last_error = 'HTTP 503' WHERE event_id = ?", (event_id,))
        new = OperatorAccounts(office.db, central.data_dir / "keys").add("wang.fang",
                                                                          "fleet-operator")
        page.goto(central.url + "/login")
        first_log_in(page, "wang.fang", new.password, new.totp_uri, "长江 long river 2026")
        page.wait_for_selector("text=Fleet 终端")
        page.click("text=Hand-off")
        page.wait_for_selector("#dead-letters")
        assert event_id in page.inner_text("#dead-letters")
        if os.environ.get("KIOSK_SCREENS_DIR"):
            page.screenshot(path=str(Path(os.environ["KIOSK_SCREENS_DIR"]) / "handoff.png"),
                            full_page=True)
        page.click("button.replay")
        page.wait_for_url("**/handoff")
        wait_until(lambda: outbox.events(DELIVERED), "the replayed event was delivered")
        assert receiver.applied == [event_id] and outbox.events(DEAD) == []
        page.reload()
        assert "No dead letters" in page.content()
    finally:
        page.close()
        receiver.close()
