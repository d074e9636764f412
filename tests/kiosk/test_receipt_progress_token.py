"""The receipt's QR code leads to the case's progress page with a token the terminal made itself.

The receipt prints the moment the submission is stored locally, possibly weeks before it syncs,
so the terminal makes the progress token when it seals the submission: the token goes on the
printed QR code (and the remembered reprint copy), only its SHA-256 into the sealed payload.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from drivers.printer.decode import decode_job
from drivers.printer.escpos_bytes import receipt_escpos_bytes
from drivers.printer.simulated.escpos_device import preview_image
from egov_protocol.cases import PROGRESS_TOKEN_FIELD
from egov_protocol.envelope import open_sealed
from egov_protocol.keys import PlatformKeys as PlatformKeyFiles
from kiosk.config import KioskConfig
from kiosk.enrollment import Enrollment, PlatformKeys
from kiosk.receipts import RecentReceipts, build_receipt
from kiosk.submission import Draft, SubmissionWriter
from offline_cache import Outbox, Store
from tests.qr import read_qr

NAME = "欧阳娜娜"
PLATFORM = "https://zwfw.example.gov.cn/platform"


def test_the_default_progress_address_is_the_configured_platforms_progress_page():
    assert KioskConfig().progress_address() == "http://127.0.0.1:8700/progress/{receipt_number}?t={token}"
    config = KioskConfig().with_overrides(central={"url": PLATFORM + "/"})
    assert config.progress_address() == PLATFORM + "/progress/{receipt_number}?t={token}"
    own = "https://zwfw.example.gov.cn/p/{receipt_number}?t={token}"
    assert config.with_overrides(receipt={"lookup_url": own}).progress_address() == own


def scanned(receipt: Any, width: int) -> str:
    """The receipt as it comes out of the printer (ESC/POS decoded, drawn), its QR code read."""
    image = preview_image(decode_job(receipt_escpos_bytes(receipt, width)), width)
    return read_qr(image.convert("L"))


def test_the_receipt_qr_carries_the_token_and_the_sealed_payload_only_its_hash(tmp_path):
    platform = PlatformKeyFiles.load_or_create(tmp_path / "platform-keys")
    data = tmp_path / "data"
    enrollment = Enrollment(data)
    enrollment.save_platform_keys(PlatformKeys(platform.x25519_public, platform.ed25519_public,
                                               PLATFORM, "110105-T01"))
    address = KioskConfig().with_overrides(central={"url": PLATFORM}).progress_address()

    def receipt(number: str, accepted_at: dt.datetime, token: str) -> Any:
        return build_receipt(service_title="居住证申领", receipt_number=number, accepted_at=accepted_at,
                             hall_name="政务服务中心", terminal_id="T01", applicant_name=NAME,
                             processing_time="15个工作日", collect="窗口领取", lookup_url=address,
                             hotline="12345", progress_token=token)

    writer = SubmissionWriter(data / "kiosk.db", enrollment, "110105", "T01", 1024 * 1024)
    writer.start().result()
    try:
        accepted = [writer.submit(Draft("residence-permit", "residence-permit-application", 1, "zh-CN",
                                        {"name": NAME}, {}, {"face.jpg": b"\xff\xd8" * 50}, receipt)).result()
                    for _ in range(2)]
    finally:
        writer.stop()

    first = accepted[0]
    token = first.progress_token
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token)  # 128 bits, URL-safe
    assert accepted[1].progress_token != token  # one per case
    url = f"{PLATFORM}/progress/{first.receipt_number}?t={token}"
    assert first.receipt.qr_data == url
    # What the citizen scans: the printed receipt, on both paper widths.
    assert scanned(first.receipt, 576) == url
    assert scanned(first.receipt, 384) == url

    # The reprint copy keeps the token (not personal data), never the applicant's name.
    remembered = (data / "receipts" / "recent.json").read_text("utf-8")
    assert RecentReceipts(data / "receipts" / "recent.json").receipt(first.receipt_number).qr_data == url
    assert NAME not in remembered

    # The sealed payload carries the token's hash, never the token.
    with Store(data / "kiosk.db") as store:
        records = Outbox(store).next_batch(10, dt.datetime.now(dt.UTC))
        record = next(r for r in records if r.receipt_number == first.receipt_number)
        blobs = Outbox(store).blobs_for(record.id)
    assert record.sealed is not None and token.encode() not in record.sealed
    payload_bytes, _ = open_sealed(record.sealed, platform.encryption_key,
                                   enrollment.signing_key().public_key(), blobs.get)
    payload = json.loads(payload_bytes)
    assert payload[PROGRESS_TOKEN_FIELD] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in payload_bytes.decode()
    for path in Path(data).rglob("*"):
        if path.is_file() and path.name != "recent.json":
            assert token.encode() not in path.read_bytes(), path
