"""Receipts as GB18030 text in the printer's Chinese mode, for printers configured for it.

Chinese-market printers with a GB18030 font print this faster and with fewer bytes than a raster
image; anything else prints garbage, so it is never the default (``text_mode = "gb18030"``).
python-escpos' own text path is not used: it switches code pages by guesswork and sends no
``FS &`` (Chinese mode on), which GB18030 printers need first. Pure computation.
"""

from __future__ import annotations

from .receipt import Receipt
from .render import WIDTH_58MM, clean_text

CHINESE_ON = b"\x1c&"
ALIGN_LEFT, ALIGN_CENTER = b"\x1ba\x00", b"\x1ba\x01"
DOUBLE_SIZE, NORMAL_SIZE = b"\x1d!\x11", b"\x1d!\x00"
BOLD_ON, BOLD_OFF = b"\x1bE\x01", b"\x1bE\x00"
LF = b"\n"


def columns(width_px: int) -> int:
    """Half-width columns of font A (12 dots): 48 on 80 mm paper, 32 on 58 mm."""
    return 32 if width_px <= WIDTH_58MM else 48


def encode(text: str) -> bytes:
    """``text`` as GB18030 (which encodes every Unicode character), one line, controls dropped."""
    return clean_text(text).replace("\n", " ").encode("gb18030")


def receipt_text_segments(receipt: Receipt, width_px: int) -> list[bytes]:
    """Title, number, lines and notes as text commands; the printer wraps long lines itself."""
    rule = b"-" * columns(width_px) + LF
    segments = [
        CHINESE_ON + ALIGN_CENTER + DOUBLE_SIZE + BOLD_ON + encode(receipt.title) + LF + NORMAL_SIZE + BOLD_OFF,
        encode(f"回执编号 No. {receipt.receipt_number}") + LF + ALIGN_LEFT + rule,
    ]
    for label, value in receipt.lines:
        segments.append(encode(f"{label}：{value}") + LF)
    if receipt.notes:
        segments.append(rule + b"".join(encode(note) + LF for note in receipt.notes))
    return segments


def footer_segment(receipt: Receipt) -> bytes:
    """The footer, centred."""
    return ALIGN_CENTER + encode(receipt.footer) + LF + ALIGN_LEFT
