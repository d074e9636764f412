"""A round trip anyone can run: apply at the kiosk, the case worker completes it with a
certificate, the kiosk prints the certificate, and the platform vouches for the printed copy.

On a fresh data folder: the demo platform (``kiosk-central`` in a subprocess on loopback, with
its demo seal) and a headless kiosk core on the simulated devices, enrolled with it.

1. The kiosk core applies for 灵活就业人员参保登记 with the sample resident ID (document, face
   photo, form, confirm); the printed receipt's QR code is read back from the printed image.
2. The submission syncs; the platform has received it.
3. A case worker (an operator account made for the run, logged in as a person would) accepts it
   and completes it with a certificate through the case-worker API.
4. The kiosk's certificate journey (document, face) lists it, previews it and prints it on the
   simulated A4 printer.
5. The QR code on the printed certificate opens the platform's public verification (JSON): it
   must say genuine and current, for exactly the printed PDF (its SHA-256).
6. The receipt's QR opens the public progress page: it must show no name, ID number or birth date.

    .venv/bin/python bench/roundtrip.py [--data-dir DIR]

Last line: ``roundtrip_s=<t> status=<final status> certificate_valid=<true|false>
progress_page_pii=<none|found>`` where ``t`` runs from the citizen's first touch to the
verification's answer (the platform's start-up is not counted).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2
import httpx
import numpy as np
import pyotp
import zxingcpp

from drivers.idcard.simulated.samples import sample_identity
from drivers.printer.decode import decode_job
from drivers.printer.simulated.escpos_device import preview_image
from kiosk.config import KioskConfig
from kiosk.core import KioskCore
from kiosk.demo import start_demo

SERVICE = "flexible_employment_insurance"
ANSWERS: dict[str, Any] = {
    "household_type": "local_urban", "employment_type": "platform", "platform_name": "美团配送",
    "insurance_types": ["pension", "medical"], "contribution_level": "60",
    "start_date": "2027-01-01", "mobile": "13800138000", "declaration": True,
}


class Driver:
    """Drives the headless core as the screen would and waits for what a person would see."""

    def __init__(self, core: KioskCore) -> None:
        self.core = core
        self._changed = threading.Condition()
        core.events.subscribe(lambda _event: self._notify())

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()

    def wait(self, predicate: Callable[[dict[str, Any]], Any], what: str, timeout: float = 180.0) -> dict[str, Any]:
        """Block until ``predicate(snapshot)`` holds; give up naming ``what`` after ``timeout``."""
        end = time.monotonic() + timeout
        with self._changed:
            while not predicate(self.core.snapshot()):
                if time.monotonic() > end:
                    snapshot = self.core.snapshot()
                    raise SystemExit(f"waited for {what}: screen {snapshot.get('screen')!r}, "
                                     f"message {snapshot.get('message')!r}, "
                                     f"certificates {snapshot.get('certificates')!r}")
                self._changed.wait(0.1)
        return self.core.snapshot()

    def screen(self, name: str) -> dict[str, Any]:
        """Block until the screen ``name`` is shown."""
        return self.wait(lambda s: s.get("screen") == name, f"screen {name}")

    def document_and_face(self) -> None:
        """Present the sample resident ID, take the photo and use it."""
        core = self.core
        self.screen("identify")
        core.present_demo_document("resident_id")
        self.screen("face")
        self.wait(lambda s: core.latest_frame() is not None, "a camera frame")
        core.capture_photo()
        self.wait(lambda s: s["has_photo"], "the photo")
        core.accept_photo()


def qr_in(image: Any) -> str:
    """The text of the QR code in ``image`` (a PIL image or a greyscale array)."""
    pixels = np.array(image.convert("L")) if hasattr(image, "convert") else image
    # zxing-cpp, as the terminal's scanners and a phone's reader: OpenCV's detector misses some
    # codes, depending on what they encode.
    found = [code.text for code in zxingcpp.read_barcodes(np.ascontiguousarray(pixels))
             if code.format == zxingcpp.BarcodeFormat.QRCode]
    if not found:
        raise SystemExit("no QR code found in the printed copy")
    return str(found[0])


def apply(driver: Driver) -> tuple[str, str]:
    """Step 1: the application; its receipt number and the progress address on the receipt."""
    core = driver.core
    core.choose_service(SERVICE)
    driver.screen("notice")
    core.accept_notice()
    driver.document_and_face()
    driver.screen("form")
    for field, value in ANSWERS.items():
        core.set_field_value(field, value)
    core.complete_form()
    driver.screen("review")
    core.confirm_submission(True)
    done = driver.screen("done")
    number = str(done["receipt_number"])
    (job,) = (core.data_dir / "printed" / "receipts").glob(f"{number}_*.bin")
    return number, qr_in(preview_image(decode_job(job.read_bytes())))


def case_worker(platform_url: str, platform_dir: Path) -> httpx.Client:
    """Step 3's case worker: an account made now, logged in through the login form and TOTP."""
    from central.operators import OperatorAccounts
    from central.store import open_platform_store

    store = open_platform_store(platform_dir)
    account = OperatorAccounts(store.db, platform_dir / "keys").add(f"bench-{secrets.token_hex(3)}",
                                                                   "case-worker")
    store.close()
    client = httpx.Client(base_url=platform_url, timeout=30)
    client.get("/login")
    client.post("/login", data={"csrf": client.cookies.get("egov_login_csrf"), "name": account.name,
                                "password": account.password,
                                "code": pyotp.parse_uri(account.totp_uri).now()})
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/password").text)
    if found is None:
        raise SystemExit("the case worker could not log in")
    own = secrets.token_urlsafe(16)
    client.post("/password", data={"csrf": found.group(1), "current": account.password, "new": own,
                                   "repeated": own})
    client.headers["X-CSRF-Token"] = client.get("/v1/session").json()["csrf"]
    return client


def complete_with_certificate(worker: httpx.Client, number: str) -> str:
    """Step 3: accept, then complete with a certificate; the final status."""
    for body in ({"action": "accept", "expected_status": "received"},
                 {"action": "complete", "result": "certificate", "note": "证明已出具，可在自助终端打印"}):
        answer = worker.post(f"/v1/cases/{number}/actions", json=body)
        if answer.status_code != 200:
            raise SystemExit(f"{body['action']}: {answer.status_code} {answer.text}")
    return str(answer.json()["status"])


def print_certificate(driver: Driver, number: str) -> bytes:
    """Step 4: the certificate journey; the PDF the A4 printer received."""
    core = driver.core
    core.choose_errand("certificate")
    driver.document_and_face()
    listed = driver.wait(lambda s: (s.get("certificates") or {}).get("phase") not in (None, "checking", "loading"),
                         "the certificate list")["certificates"]
    mine = [item for item in listed["items"] if item["receipt_number"] == number]
    if listed["phase"] != "list" or not mine:
        raise SystemExit(f"the kiosk lists no certificate of {number}: {listed}")
    core.certificates.select(mine[0]["id"])
    driver.wait(lambda s: s["certificates"]["phase"] == "preview", "the preview")
    core.certificates.print_selected()
    driver.wait(lambda s: s["certificates"]["phase"] in ("printed", "print_failed"), "the print")
    printed = sorted((core.data_dir / "printed" / "documents").glob("certificate-*.pdf"))
    if not printed:
        raise SystemExit("the document printer received nothing")
    return printed[-1].read_bytes()


def verify(pdf: bytes, work: Path) -> bool:
    """Step 5: the printed copy's QR code → the public verification, for exactly this PDF."""
    (work / "printed-certificate.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "200", "-f", "1", "-l", "1", "-singlefile",
                    str(work / "printed-certificate.pdf"), str(work / "printed-certificate")], check=True)
    url = qr_in(cv2.imread(str(work / "printed-certificate.png"), cv2.IMREAD_GRAYSCALE))
    document = re.fullmatch(r"(https?://[^/]+)/verify/([\w-]+)\?t=([\w-]+)", url)
    if document is None:
        raise SystemExit(f"the certificate's QR code holds {url!r}")
    base, document_id, token = document.groups()
    answer = httpx.get(f"{base}/v1/verify/{document_id}", params={"t": token}, timeout=30)
    data = answer.json() if answer.status_code == 200 else {}
    return bool(data.get("genuine_and_current")) and data.get("pdf_sha256") == hashlib.sha256(pdf).hexdigest()


def progress_page_pii(progress_url: str) -> str:
    """Step 6: ``none`` when the receipt's progress page shows nothing personal, else ``found``."""
    page = httpx.get(progress_url, timeout=30)
    if page.status_code != 200:
        raise SystemExit(f"the progress page answered {page.status_code}")
    citizen = sample_identity("resident_id")
    birth = citizen.birth_date
    personal = [citizen.name, citizen.document_number, birth.isoformat(), birth.strftime("%Y%m%d"),
                f"{birth.year}年{birth.month}月{birth.day}日", f"{birth.year}年{birth.month:02d}月{birth.day:02d}日"]
    return "found" if any(value and value in page.text for value in personal) else "none"


def main() -> None:
    """Run the round trip and print its figures; the last line is the issue's."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="a fresh folder (default: a temporary one)")
    args = parser.parse_args()
    folder = args.data_dir or Path(tempfile.mkdtemp(prefix="egov-roundtrip-"))
    if folder.exists() and any(folder.iterdir()):
        raise SystemExit(f"{folder} is not empty: the round trip starts from a fresh data folder")
    demo = start_demo(KioskConfig(), data_dir=folder, central_port=0)
    config = demo.config.with_overrides(journey={"document_wait_s": 0.2}, central={"sync_interval_s": 1.0})
    core = KioskCore(config, data_dir=config.storage.resolved_data_dir())
    driver = Driver(core)
    try:
        core.start()
        driver.screen("attract")
        driver.wait(lambda s: s.get("devices"), "the devices")
        started = time.monotonic()
        number, progress_url = apply(driver)
        print(f"applied: receipt {number}, printed receipt QR -> {progress_url.split('?')[0]}?t=…")
        core.finish()
        core.take_back_demo_document()
        driver.screen("attract")
        driver.wait(lambda s: core.outbox_counts().get("acked", 0) >= 1, "the platform's acknowledgement")
        print(f"synced: the platform received {number} ({time.monotonic() - started:.1f} s)")
        status = complete_with_certificate(case_worker(demo.central.url, demo.central.data_dir), number)
        print(f"case worker: accepted and completed with a certificate -> {status}")
        pdf = print_certificate(driver, number)
        print(f"kiosk: listed, previewed and printed the certificate ({len(pdf)} bytes of PDF)")
        valid = verify(pdf, folder)
        elapsed = time.monotonic() - started
        core.finish()
        pii = progress_page_pii(progress_url)
        print(f"verification: {'genuine and current, same PDF' if valid else 'NOT confirmed'}; "
              f"progress page personal data: {pii}")
    finally:
        core.stop()
        demo.stop()
    print(f"roundtrip_s={elapsed:.1f} status={status} certificate_valid={str(valid).lower()} "
          f"progress_page_pii={pii}")


if __name__ == "__main__":
    main()
