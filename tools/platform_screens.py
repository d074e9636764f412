"""Screenshots of the platform for the documentation (``docs/screens/platform/``), taken as a
person would see them, on the demo's own platform and data.

Starts the demo's platform in a temporary folder (``kiosk.demo.start_demo``: the demo seal and
the demo case worker), lets the demo terminal seal and sync one 灵活就业人员参保登记 with the sample
resident ID card, then drives Debian's Chromium (Playwright): the case worker logs in with the
login the demo printed, and the back office queue and the opened case are captured; the case is
accepted and completed with a certificate; a phone opens the receipt's QR address (the public
progress page). The certificate the platform issued for that case is rendered to PNG with
``pdftoppm``. The public
page is checked for the applicant's personal data before it is saved.

Slow (a platform, a terminal and a browser): not part of the test run.

    .venv/bin/python tools/platform_screens.py [--out docs/screens/platform]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pyotp
from PIL import Image

from central.at_rest import AtRestKeys
from central.certificates import CertificateOffice
from central.seal import seal_dir
from central.store import open_platform_store
from drivers.idcard.simulated.samples import sample_identity, sample_photo_jpeg
from kiosk import demo as demo_module
from kiosk.applicant import applicant_record
from kiosk.cli import main as kioskctl
from kiosk.config import KioskConfig
from kiosk.enrollment import Enrollment
from kiosk.submission import Draft, SubmissionWriter

SHOTS = ("back_office_queue.png", "back_office_case.png", "progress_page.png",
         "certificate_rendered.png")
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
IDENTITY = sample_identity("resident_id")
ANSWERS = {"employment_type": "platform", "platform_name": "示范外卖平台",
           "insurance_types": ["pension", "medical"], "contribution_level": "60",
           "start_date": "2027-01-01", "mobile": "13800000000", "declaration": True,
           "signature": {"w": 400, "h": 160, "strokes": [[30, 110, 60, 40, 90, 110],
                                                         [120, 60, 200, 60]]}}
NEW_PASSWORD = "窗口 demo clerk 2026"
REASON = "受理审核 checking the application"


def submitted(demo: demo_module.Demo) -> tuple[str, str]:
    """The demo terminal seals one application and syncs it: its receipt number and the
    progress token its receipt's QR code carries."""
    config = demo.config
    data = config.storage.resolved_data_dir()
    writer = SubmissionWriter(data / "kiosk.db", Enrollment(data, config.central.platform_keys_file),
                              config.terminal.site_code, config.terminal.terminal_id, 1 << 20)
    writer.start().result()
    photo = sample_photo_jpeg()
    verification = {"decision": "verified", "reasons": [],
                    "match": {"backend": "dlib", "score": 0.3121, "threshold": 0.6,
                              "matched": True},
                    "liveness": {"passed": True, "reasons": []}, "capture": "automatic"}
    try:
        accepted = writer.submit(Draft(
            "flexible_employment_insurance", "flexible_employment_enrollment", 1, "zh-CN",
            {**applicant_record(IDENTITY), "identity_verification": verification}, ANSWERS,
            {"face.jpg": photo, "document_photo.jpg": photo})).result()
    finally:
        writer.stop()
    if kioskctl(["--demo", "sync"]) != 0:
        raise SystemExit("the demo terminal did not sync")
    return accepted.receipt_number, accepted.progress_token


def back_office(browser, demo: demo_module.Demo, receipt: str, out: Path) -> None:
    """Log in as the demo case worker; the queue and the opened case; accept and complete."""
    login = demo_module.BackOfficeLogin(**json.loads(
        (demo_module.DEMO_DATA_DIR / demo_module.BACK_OFFICE_LOGIN).read_text()))
    url = demo.central.url
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(url + "/cases")
    page.fill("#name", login.name)
    page.fill("#password", login.password)
    page.fill("#code", pyotp.parse_uri(login.totp_uri).now())
    page.click("#login")
    page.wait_for_url("**/password")
    page.fill("#current", login.password)
    page.fill("#new", NEW_PASSWORD)
    page.fill("#repeated", NEW_PASSWORD)
    page.click("#change")
    page.wait_for_url(url + "/")
    page.goto(url + "/cases")
    page.wait_for_selector(f"[id='case-{receipt}']")
    page.screenshot(path=str(out / "back_office_queue.png"), full_page=True)
    page.click(f"text={receipt}")
    page.fill("#reason", REASON)
    page.click("#open")
    page.wait_for_selector("#live-photo")
    page.screenshot(path=str(out / "back_office_case.png"), full_page=True)
    page.fill("#note-accept", "材料齐全，予以受理")
    page.click("#do-accept")
    page.wait_for_selector("#status:has-text('已受理')")
    page.select_option("#result-complete", "certificate")
    page.fill("#note-complete", "参保证明已出具，可在自助终端“证明打印”中打印")
    page.click("#do-complete")
    page.wait_for_selector("#status:has-text('已办结')")
    page.close()


def progress_page(browser, demo: demo_module.Demo, receipt: str, token: str, out: Path) -> None:
    """A phone opens the receipt's QR address; nothing personal may be on the page."""
    page = browser.new_page(viewport={"width": 412, "height": 915}, device_scale_factor=1.5)
    page.goto(demo.config.progress_address().format(receipt_number=receipt, token=token))
    page.wait_for_selector("#status:has-text('已办结')")
    html = page.content()
    for personal in (IDENTITY.name, IDENTITY.document_number, IDENTITY.address, "13800000000",
                     "demo.worker", REASON):
        if personal in html:
            raise SystemExit(f"the public progress page shows personal data: {personal!r}")
    page.screenshot(path=str(out / "progress_page.png"), full_page=True)
    page.close()


def certificate(demo: demo_module.Demo, receipt: str, out: Path, work: Path) -> None:
    """The 灵活就业人员参保证明 the platform issued when the case was completed, as printed."""
    data_dir = demo.central.data_dir
    store = open_platform_store(data_dir)
    try:
        office = CertificateOffice(store.db, seal_dir(data_dir),
                                   AtRestKeys.load_or_create(data_dir / "keys"), demo.central.url)
        holder = office.keys.person_hash(IDENTITY.document_number)
        issued = [d for d in office.documents_of(holder) if d["receipt_number"] == receipt]
        if not issued:
            raise SystemExit("completing the case issued no certificate")
        pdf = office.pdf(issued[0]["document_id"], holder)
    finally:
        store.close()
    assert pdf is not None
    (work / "certificate.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "90", "-png", "-singlefile", str(work / "certificate.pdf"),
                    str(out / "certificate_rendered")], check=True)


def main() -> None:
    """Take the screenshots into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screens/platform"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        demo_module.DEMO_DATA_DIR = work  # kioskctl --demo finds this demo
        demo = demo_module.start_demo(KioskConfig(), data_dir=work, central_port=0)
        try:
            receipt, token = submitted(demo)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
                try:
                    back_office(browser, demo, receipt, args.out)
                    progress_page(browser, demo, receipt, token, args.out)
                finally:
                    browser.close()
            certificate(demo, receipt, args.out, work)
        finally:
            demo.stop()
    for name in SHOTS:  # 256 colours: a fraction of the size, as readable
        path = args.out / name
        with Image.open(path) as image:
            small = image.convert("RGB").quantize(256)
        small.save(path, optimize=True)
    print(f"screenshots in {args.out}: {', '.join(SHOTS)}")


if __name__ == "__main__":
    main()
