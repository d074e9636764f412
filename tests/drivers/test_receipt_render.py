"""Receipt rendering (CJK raster) and the ESC/POS job built from it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import ImageChops, ImageFont

from drivers.common import ProtocolError
from drivers.printer import (
    Receipt,
    decode_raster_images,
    find_cjk_font,
    receipt_escpos_bytes,
    render_receipt_image,
)
from drivers.printer.escpos_bytes import stack_images
from drivers.printer.render import clean_text, wrap_text

RECEIPT = Receipt(
    title="居住证申领 回执",
    receipt_number="R-3301-07-20260514-0042",
    lines=[("办理事项", "居住证申领"), ("受理单位", "西湖区行政服务中心")],
    notes=["请妥善保管本回执。"],
    qr_data="https://zwfw.example.gov.cn/q/R-3301-07-20260514-0042",
    footer="谢谢使用",
)


def dark_bands(image) -> list[tuple[int, int]]:
    """(first, last) rows of each run of rows that contain black dots."""
    rows = (np.asarray(image.convert("L")) < 128).any(axis=1)
    bands, start = [], None
    for y, dark in enumerate(rows):
        if dark and start is None:
            start = y
        elif not dark and start is not None:
            bands.append((start, y - 1))
            start = None
    if start is not None:
        bands.append((start, len(rows) - 1))
    return bands


def test_cjk_font_is_found():
    face = find_cjk_font()
    font = ImageFont.truetype(face.path, 24, index=face.index)
    assert font.getbbox("政")[2] > 10


def test_image_is_one_bit_and_paper_wide():
    image = render_receipt_image(RECEIPT)
    assert image.mode == "1" and image.width == 576
    assert render_receipt_image(RECEIPT, width_px=384).width == 384
    with pytest.raises(ValueError):
        render_receipt_image(RECEIPT, width_px=100)


def test_text_rows_are_where_expected():
    image = render_receipt_image(RECEIPT, include_qr=False, include_footer=False)
    bands = dark_bands(image)
    # title, number, rule, 2 lines, rule, 1 note: one band each, top to bottom.
    assert len(bands) == 7
    assert bands[0][0] > 0, "a top margin before the title"
    title_height = bands[0][1] - bands[0][0]
    number_height = bands[1][1] - bands[1][0]
    assert title_height > number_height, "the title is set larger"
    pixels = np.asarray(image.convert("L")) < 128
    label_row = pixels[bands[3][0] : bands[3][1] + 1]
    columns = np.flatnonzero(label_row.any(axis=0))
    assert columns.min() < 40, "labels start at the left margin"
    assert (label_row[:, 200:].any(axis=0)).any(), "values sit in the right column"
    # The right margin stays white everywhere.
    assert not pixels[:, -8:].any()


def test_more_lines_make_a_longer_receipt():
    longer = Receipt(RECEIPT.title, RECEIPT.receipt_number, [*RECEIPT.lines, ("状态", "已提交")])
    shorter = Receipt(RECEIPT.title, RECEIPT.receipt_number, RECEIPT.lines)
    assert render_receipt_image(longer).height > render_receipt_image(shorter).height


def test_qr_and_footer_are_drawn_when_included():
    with_all = render_receipt_image(RECEIPT)
    body = render_receipt_image(RECEIPT, include_qr=False, include_footer=False)
    assert with_all.height > body.height + 150
    assert len(dark_bands(with_all)) >= len(dark_bands(body)) + 2


def test_wrap_keeps_lines_within_width_and_avoids_leading_punctuation():
    face = find_cjk_font()
    font = ImageFont.truetype(face.path, 26, index=face.index)
    text = "请携带本人居民身份证原件，于七个工作日后到窗口领取。Please bring your ID card."
    lines = wrap_text(text, font, 200)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(font.getlength(line) <= 200 for line in lines)
    assert not any(line[:1] in "，。." for line in lines)
    assert wrap_text("a\nb", font, 200) == ["a", "b"]


def test_clean_text_drops_controls():
    assert clean_text("a\x00b\u200bc\r\nd\te") == "abc\nd e"


@settings(max_examples=25, deadline=None)
@given(
    st.text(max_size=40),
    st.lists(st.tuples(st.text(max_size=20), st.text(max_size=80)), max_size=3),
    st.lists(st.text(max_size=60), max_size=2),
)
def test_any_text_renders(title, lines, notes):
    image = render_receipt_image(Receipt(title, "R-1", lines, notes), width_px=384, include_qr=False)
    assert image.width == 384 and image.mode == "1"


# -- ESC/POS ---------------------------------------------------------------------------------


def test_escpos_has_init_raster_native_qr_and_cut():
    data = receipt_escpos_bytes(RECEIPT, 576)
    assert data.startswith(b"\x1b@")
    raster = data.find(b"\x1dv0")
    qr = data.find(b"\x1d(k")
    cut = data.rfind(b"\x1dV")
    assert 0 < raster < qr < cut
    assert RECEIPT.qr_data.encode() in data  # GS ( k carries the QR data as UTF-8
    assert data[cut:] in (b"\x1dV\x00", b"\x1dVA\x00", b"\x1dV\x01", b"\x1dVB\x00")
    header = data[raster + 3 : raster + 8]
    assert header[1] | header[2] << 8 == 576 // 8


def test_escpos_raster_decodes_to_the_rendered_image():
    data = receipt_escpos_bytes(RECEIPT, 576)
    images = decode_raster_images(data)
    assert len(images) == 2  # the body, then the footer after the native QR code
    body = render_receipt_image(RECEIPT, 576, include_qr=False, include_footer=False)
    assert ImageChops.difference(images[0].convert("L"), body.convert("L")).getbbox() is None


def test_tall_receipts_are_sent_in_fragments():
    many = Receipt("回执", "R-2", [(f"第{i}项", "已提交") for i in range(40)])
    data = receipt_escpos_bytes(many, 576)
    fragments = decode_raster_images(data)
    assert len(fragments) >= 2 and all(f.height <= 960 for f in fragments)
    whole = render_receipt_image(many, 576, include_qr=False, include_footer=False)
    assert ImageChops.difference(stack_images(fragments).convert("L"), whole.convert("L")).getbbox() is None


def test_receipt_without_qr_has_no_qr_command():
    data = receipt_escpos_bytes(Receipt("回执", "R-3"), 384)
    assert b"\x1d(k" not in data and b"\x1dV" in data


def test_overlong_qr_data_is_refused():
    with pytest.raises(ValueError, match="QR data"):
        receipt_escpos_bytes(Receipt("回执", "R-4", qr_data="x" * 1001), 576)


def test_decoder_rejects_truncated_raster():
    with pytest.raises(ProtocolError):
        decode_raster_images(b"\x1dv0\x00\x48\x00\x10\x00" + b"\x00" * 10)
    with pytest.raises(ProtocolError):
        decode_raster_images(b"\x1dv0\x00")


@given(st.binary(max_size=300))
def test_decoder_on_any_bytes_returns_images_or_protocol_error(data):
    try:
        images = decode_raster_images(data)
    except ProtocolError:
        return
    assert all(image.mode == "1" for image in images)


@given(st.binary(max_size=200), st.integers(1, 8), st.integers(1, 16))
def test_decoder_finds_an_embedded_raster(prefix, width_bytes, height):
    rows = bytes(range(256)) * 2
    payload = rows[: width_bytes * height]
    data = prefix.replace(b"\x1dv0", b"") + b"\x1dv0\x00" + bytes([width_bytes, 0, height, 0]) + payload
    image = decode_raster_images(data)[-1]
    assert image.size == (width_bytes * 8, height)
