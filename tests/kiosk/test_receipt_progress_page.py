"""End to end with the demo platform (a kiosk-central subprocess): a citizen's journey is stored
and printed, the receipt's QR code -- read from the printed image -- leads to the platform's
progress page, which shows the case once the submission has synced, with nothing personal."""

from __future__ import annotations

import re

import httpx
import pytest

from drivers.idcard.simulated.samples import sample_identity
from drivers.printer.decode import decode_job
from drivers.printer.simulated.escpos_device import preview_image
from tests.qr import read_qr


@pytest.mark.timeout(300)
def test_the_printed_qr_opens_the_cases_progress_page_once_synced(core_driver, demo) -> None:
    core = core_driver.core
    core_driver.walk_to_form()
    done = core_driver.submit()
    number = done["receipt_number"]
    assert done["printed"] is True
    (job,) = (core.data_dir / "printed" / "receipts").glob(f"{number}_*.bin")
    image = preview_image(decode_job(job.read_bytes()))
    url = read_qr(image.convert("L"))
    platform = demo.config.central.url.rstrip("/")
    match = re.fullmatch(rf"{re.escape(platform)}/progress/{number}\?t=([\w-]{{22}})", url)
    assert match, url

    core_driver.wait_for(lambda s: core.outbox_counts().get("acked", 0) >= 1, timeout=60)
    page = httpx.get(url)
    assert page.status_code == 200, page.text
    assert number in page.text and "已接收" in page.text
    citizen = sample_identity("resident_id")
    assert citizen.name not in page.text and citizen.document_number not in page.text
    assert httpx.get(f"{platform}/progress/{number}").status_code == 404  # the number alone is no key
    core_driver.finish()
