"""ESC/POS encoding of receipts (python-escpos), and decoding raster images back for checks.

The receipt is sent as ``GS v 0`` raster images (Chinese text needs no printer font or code
page), the QR code natively with ``GS ( k`` (66 bytes instead of ~3 KB of image), then a cut.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from escpos.capabilities import Profile
from escpos.constants import QR_ECLEVEL_M
from escpos.printer import Dummy
from PIL import Image

from ..common import ProtocolError
from .receipt import Receipt
from .render import WIDTH_80MM, render_footer_image, render_receipt_image

GS_V0 = b"\x1dv0"
GS_QR = b"\x1d(k"
GS_CUT = b"\x1dV"
ESC_INIT = b"\x1b@"
#: Tallest image sent in one ``GS v 0`` command (printer buffers are limited).
FRAGMENT_HEIGHT = 960
#: Longest QR payload accepted: a version-25 code at level M, about 45 mm wide at size 6.
MAX_QR_BYTES = 1000


def receipt_escpos_bytes(
    receipt: Receipt,
    width_px: int = WIDTH_80MM,
    font_path: str | None = None,
    *,
    text_mode: str = "raster",
    native_qr: bool = True,
    fragment_height: int = FRAGMENT_HEIGHT,
) -> bytes:
    """The complete ESC/POS job for ``receipt``: init, raster body, native QR, footer, cut.

    Pure computation (any thread). ``width_px`` is the printer's dot width (576 for 80 mm).
    See :func:`receipt_escpos_segments` for the options.
    """
    return b"".join(receipt_escpos_segments(receipt, width_px, font_path, text_mode=text_mode,
                                            native_qr=native_qr, fragment_height=fragment_height))


def receipt_escpos_segments(
    receipt: Receipt,
    width_px: int = WIDTH_80MM,
    font_path: str | None = None,
    *,
    text_mode: str = "raster",
    native_qr: bool = True,
    fragment_height: int = FRAGMENT_HEIGHT,
) -> list[bytes]:
    """The job as whole commands, so a sender can check the printer's status between them.

    ``text_mode`` "raster" draws the text with the CJK font (any printer); "gb18030" sends it as
    GB18030 text in the printer's Chinese mode (``FS &``; Chinese-market printers only).
    ``native_qr`` prints the QR code with ``GS ( k``; otherwise it is drawn as an image.
    """
    if text_mode not in ("raster", "gb18030"):
        raise ValueError(f"text_mode must be 'raster' or 'gb18030', not {text_mode!r}")
    if receipt.qr_data and len(receipt.qr_data.encode("utf-8")) > MAX_QR_BYTES:
        raise ValueError(f"QR data longer than {MAX_QR_BYTES} bytes will not fit a receipt")
    if text_mode == "gb18030":
        from .textmode import receipt_text_segments

        body = receipt_text_segments(receipt, width_px)
    else:
        body = _image_segments(render_receipt_image(receipt, width_px, font_path, include_qr=False,
                                                    include_footer=False), width_px, fragment_height)
    segments = [ESC_INIT, *body]
    if receipt.qr_data:
        if native_qr:
            printer = Dummy(profile=receipt_profile(width_px))
            printer.set(align="center")
            printer.qr(receipt.qr_data, native=True, size=6, ec=QR_ECLEVEL_M)
            printer.set(align="left")
            segments.append(printer.output)
        else:
            from .render import qr_image

            segments += _image_segments(qr_image(receipt.qr_data, width_px), width_px, fragment_height)
    if receipt.footer:
        if text_mode == "gb18030":
            from .textmode import footer_segment

            segments.append(footer_segment(receipt))
        else:
            segments += _image_segments(render_footer_image(receipt, width_px, font_path), width_px, fragment_height)
    printer = Dummy(profile=receipt_profile(width_px))
    printer.cut()
    segments.append(printer.output)
    return segments


def _image_segments(image: Image.Image, width_px: int, fragment_height: int) -> list[bytes]:
    """``GS v 0`` commands for ``image``, one per band of at most ``fragment_height`` rows."""
    segments = []
    for top in range(0, image.height, fragment_height):
        band = image.crop((0, top, image.width, min(image.height, top + fragment_height)))
        printer = Dummy(profile=receipt_profile(width_px))
        printer.image(band, impl="bitImageRaster", fragment_height=fragment_height)
        segments.append(printer.output)
    return segments


@functools.lru_cache(maxsize=4)
def _profile_data(width_px: int) -> dict[str, Any]:
    data = copy.deepcopy(Profile.profile_data)
    data.setdefault("media", {}).setdefault("width", {})["pixels"] = width_px
    return data


def receipt_profile(width_px: int) -> Profile:
    """A python-escpos profile for a generic 80/58 mm printer that is ``width_px`` dots wide.

    The stock "default" profile has no width, which makes python-escpos print a warning for
    every image and skip its width check.
    """
    data = _profile_data(width_px)
    profile_class = type("KioskReceiptProfile", (Profile,), {"profile_data": data})
    return profile_class(features=dict(data["features"]))


def decode_raster_images(data: bytes) -> list[Image.Image]:
    """Every ``GS v 0`` raster image in an ESC/POS byte stream, as 1-bit PIL images.

    For tests and the printer simulator's preview; other commands are skipped. Raises
    :class:`ProtocolError` when a raster command is truncated.
    """
    images: list[Image.Image] = []
    position = data.find(GS_V0)
    while position != -1:
        header = data[position + 3 : position + 8]
        if len(header) < 5:
            raise ProtocolError(f"truncated GS v 0 header at byte {position}")
        width_bytes = header[1] | header[2] << 8
        height = header[3] | header[4] << 8
        start = position + 8
        end = start + width_bytes * height
        if end > len(data):
            raise ProtocolError(f"GS v 0 image at byte {position} is truncated")
        if width_bytes and height:
            raw = Image.frombytes("1", (width_bytes * 8, height), data[start:end])
            # ESC/POS: a set bit is a black dot; PIL "1": a set bit is white.
            images.append(raw.point(lambda v: 255 - v).convert("1", dither=Image.Dither.NONE))
        position = data.find(GS_V0, end)
    return images


def stack_images(images: list[Image.Image]) -> Image.Image:
    """Paste images top to bottom (e.g. the fragments of one receipt), left-aligned, white fill."""
    width = max((image.width for image in images), default=1)
    canvas = Image.new("1", (width, max(1, sum(image.height for image in images))), 1)
    y = 0
    for image in images:
        canvas.paste(image, (0, y))
        y += image.height
    return canvas
