"""Our ESC/POS bytes decoded back to images (against committed goldens) and to text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops

from drivers.common import ProtocolError
from drivers.printer import Receipt, receipt_escpos_bytes
from drivers.printer.decode import decode_job, iter_commands
from drivers.printer.simulated.escpos_device import SimulatedEscposDevice, preview_image

GOLDEN = Path(__file__).parent / "golden"
RECEIPT = Receipt(
    title="受理回执",
    receipt_number="110105-T01-20261126-0042",
    lines=[("办理事项", "居住证申领"), ("申请人", "张*"), ("受理时间", "2026-11-26 10:32"),
           ("受理地点", "朝阳区政务服务中心 T01号自助终端")],
    notes=["您的申请已受理，材料将转交审批部门办理。", "扫描下方二维码或凭回执编号查询办理进度。"],
    qr_data="https://zwfw.example.gov.cn/progress?no=110105-T01-20261126-0042",
    footer="政务服务热线 12345",
)


def _check_golden(image: Image.Image, name: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1" or not path.exists():
        # Goldens are regenerated deliberately (UPDATE_GOLDEN=1) and committed.
        if not os.environ.get("UPDATE_GOLDEN"):
            pytest.fail(f"golden {name} missing; run with UPDATE_GOLDEN=1 and commit it")
        image.convert("1").save(path, optimize=True)
    with Image.open(path) as golden:
        assert golden.size == image.size
        assert ImageChops.difference(golden.convert("L"), image.convert("L")).getbbox() is None


@pytest.mark.parametrize("width_mm,width_px", [(80, 576), (58, 384)])
def test_raster_receipt_matches_golden(width_mm, width_px):
    job = decode_job(receipt_escpos_bytes(RECEIPT, width_px))
    assert job.cut and job.qr_codes == [RECEIPT.qr_data]
    assert all(image.width == width_px for image in job.images)
    _check_golden(preview_image(job, width_px), f"receipt_{width_mm}mm.png")


def test_gb18030_receipt_text_through_the_decoder():
    data = receipt_escpos_bytes(RECEIPT, 576, text_mode="gb18030")
    assert b"\x1c&" in data and b"\x1dv0" not in data
    job = decode_job(data)
    text = job.as_text()
    assert "受理回执" in text and "110105-T01-20261126-0042" in text
    assert "办理事项：居住证申领" in job.text_lines and "政务服务热线 12345" in job.text_lines
    assert job.qr_codes == [RECEIPT.qr_data] and job.cut
    _check_golden(preview_image(job, 576), "receipt_80mm_gb18030.png")


def test_image_qr_when_not_native():
    job = decode_job(receipt_escpos_bytes(RECEIPT, 576, native_qr=False))
    assert job.qr_codes == [] and len(job.images) >= 3


@settings(max_examples=200)
@given(st.binary(max_size=400))
def test_decoder_on_any_bytes_decodes_or_raises_protocol_error(data):
    try:
        job = decode_job(data)
    except ProtocolError:
        return
    assert isinstance(job.as_text(), str)


@settings(max_examples=100)
@given(st.binary(max_size=300), st.integers(1, 50))
def test_emulator_survives_any_stream_in_any_chunks(data, chunk):
    emulator = SimulatedEscposDevice()
    for start in range(0, len(data), chunk):
        answers = emulator.feed(data[start : start + chunk])
        assert all(a & 0x93 == 0x12 for a in answers)


@given(st.integers(1, 40))
def test_split_stream_decodes_like_whole(split):
    data = receipt_escpos_bytes(RECEIPT, 384, text_mode="gb18030")
    emulator = SimulatedEscposDevice()
    emulator.feed(data[:split])
    emulator.feed(data[split:])
    assert [job.decoded.as_text() for job in emulator.printed] == [decode_job(data).as_text()]
    assert list(iter_commands(data[:split], final=False)) is not None
