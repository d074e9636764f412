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
from tests.central.test_central_browser import browser  # noqa: F401  (the fixture)
from tests.central.test_certificates import FACTS, ID_NUMBER


def scan_qr(png: Path) -> str:
    import cv2

    image = cv2.imread(str(png))
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(image)
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


def test_a_printed_certificates_qr_code_opens_its_verification(platform, browser, tmp_path):  # noqa: F811
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
