"""Laying out a receipt as a 1-bit image: Chinese text without printer code pages.

Thermal printers print what they are sent as a raster reliably, whatever fonts or code pages they
have, so the receipt is drawn here with a CJK font and sent as an image.
Pure computation: runs on whichever thread calls it (normally the printer's owner thread).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import qrcode
from PIL import Image, ImageDraw, ImageFont

from .fonts import FontFace, FontNotFound, find_cjk_font
from .receipt import Receipt

#: Printable width in dots for 80 mm and 58 mm paper at 203 dpi.
WIDTH_80MM = 576
WIDTH_58MM = 384

# Latin words, numbers and URLs wrap as a whole; every other character may wrap on its own.
_TOKEN = re.compile(r"[0-9A-Za-z\u00C0-\u024F_.,:;!?'\"@#%&+=/\\()\[\]<>*~^$-]+|\s|.", re.S)
# Never start a line with closing punctuation (禁则): it sticks to the character before it.
_NO_LINE_START = set("，。、；：？！）》」』】〕…—,.;:?!)]}%")


@dataclass(frozen=True)
class _Fonts:
    title: ImageFont.FreeTypeFont
    body: ImageFont.FreeTypeFont
    small: ImageFont.FreeTypeFont


def render_receipt_image(
    receipt: Receipt,
    width_px: int = WIDTH_80MM,
    font_path: str | None = None,
    *,
    include_qr: bool = True,
    include_footer: bool = True,
) -> Image.Image:
    """Draw ``receipt`` as a 1-bit image ``width_px`` wide (576 for 80 mm paper, 384 for 58 mm).

    ``font_path`` overrides the CJK font found through fontconfig. With ``include_qr`` the QR
    code is drawn into the image (the preview and file printers); printers with native QR
    support leave it out and print it with ``GS ( k`` instead, as does the footer after it.
    """
    if width_px < 200:
        raise ValueError(f"a receipt needs at least 200 dots of width, not {width_px}")
    fonts = _load_fonts(width_px, font_path)
    blocks = receipt_blocks(receipt, width_px, fonts)
    if include_qr and receipt.qr_data:
        blocks.append(_qr_block(receipt.qr_data, width_px))
    if include_footer and receipt.footer:
        blocks.append(render_footer_image(receipt, width_px, font_path))
    return _stack(blocks, width_px, bottom=_margin(width_px))


def render_footer_image(receipt: Receipt, width_px: int = WIDTH_80MM, font_path: str | None = None) -> Image.Image:
    """The footer alone, centred (printed after a native QR code)."""
    fonts = _load_fonts(width_px, font_path)
    return _stack([_text_block(receipt.footer, fonts.small, width_px, align="center")], width_px)


def receipt_blocks(receipt: Receipt, width_px: int, fonts: _Fonts) -> list[Image.Image]:
    """The body of the receipt, top to bottom, as "L" images of width ``width_px``."""
    margin = _margin(width_px)
    blocks = [
        _spacer(width_px, margin),
        _text_block(receipt.title, fonts.title, width_px, align="center"),
        _text_block(f"回执编号 No. {receipt.receipt_number}", fonts.body, width_px, align="center"),
        _rule(width_px),
    ]
    for label, value in receipt.lines:
        blocks.append(_pair_block(label, value, fonts.body, width_px))
    if receipt.notes:
        blocks.append(_rule(width_px))
        blocks += [_text_block(note, fonts.small, width_px) for note in receipt.notes]
    return blocks


def wrap_text(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width`` (CJK anywhere, Latin at spaces).

    Explicit newlines are kept; a Latin word longer than a line is broken by character.
    """
    lines: list[str] = []
    for paragraph in clean_text(text).split("\n"):
        line = ""
        for token in _tokens(paragraph):
            if font.getlength(line + token) <= max_width:
                line += token
                continue
            if line.strip():
                lines.append(line.rstrip())
            # The token starts a fresh line; one wider than a whole line is split by character.
            line = ""
            for char in token.lstrip():
                if line and font.getlength(line + char) > max_width:
                    lines.append(line)
                    line = ""
                line += char
        lines.append(line.rstrip())
    return lines


def clean_text(text: str) -> str:
    """Drop control, format and surrogate characters (keeping newlines) so any input draws.

    Line and paragraph separators (U+2028/9) become newlines: the shaping engine rejects them.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n")
    return "".join(
        c for c in text if c == "\n" or unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )


def _tokens(paragraph: str) -> list[str]:
    tokens: list[str] = []
    for token in _TOKEN.findall(paragraph):
        if tokens and token[0] in _NO_LINE_START:
            tokens[-1] += token
        else:
            tokens.append(token)
    return tokens


def _load_fonts(width_px: int, font_path: str | None) -> _Fonts:
    regular = FontFace(font_path) if font_path else find_cjk_font()
    try:
        bold = find_cjk_font(bold=True) if not font_path else regular
    except FontNotFound:  # bold is a nicety; the regular face was already found
        bold = regular
    scale = width_px / WIDTH_80MM
    return _Fonts(
        title=_font(bold, round(40 * scale)),
        body=_font(regular, max(16, round(26 * scale))),
        small=_font(regular, max(14, round(22 * scale))),
    )


def _font(face: FontFace, size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(face.path, size, index=face.index)
    except OSError as exc:
        raise FontNotFound(f"font {face.path!r} could not be loaded") from exc


def _margin(width_px: int) -> int:
    return max(8, width_px // 36)


def _line_height(font: ImageFont.FreeTypeFont) -> int:
    return round(font.size * 1.45)


def _baseline(font: ImageFont.FreeTypeFont) -> int:
    # Drawing at the baseline ("ls" anchor) leaves room for Latin descenders below CJK glyphs.
    return round(font.size * 1.1)


def _text_block(text: str, font: ImageFont.FreeTypeFont, width_px: int, align: str = "left") -> Image.Image:
    margin = _margin(width_px)
    lines = wrap_text(text, font, width_px - 2 * margin)
    step = _line_height(font)
    image = Image.new("L", (width_px, step * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        x = margin if align == "left" else (width_px - font.getlength(line)) / 2
        draw.text((x, row * step + _baseline(font)), line, font=font, fill=0, anchor="ls")
    return image


def _pair_block(label: str, value: str, font: ImageFont.FreeTypeFont, width_px: int) -> Image.Image:
    """Label in a left column, value wrapped in the right column."""
    margin = _margin(width_px)
    label_width = round((width_px - 2 * margin) * 0.36)
    gap = margin // 2
    labels = wrap_text(label, font, label_width)
    values = wrap_text(value, font, width_px - 2 * margin - label_width - gap)
    step = _line_height(font)
    image = Image.new("L", (width_px, step * max(len(labels), len(values))), 255)
    draw = ImageDraw.Draw(image)
    baseline = _baseline(font)
    for row, line in enumerate(labels):
        draw.text((margin, row * step + baseline), line, font=font, fill=0, anchor="ls")
    for row, line in enumerate(values):
        draw.text((margin + label_width + gap, row * step + baseline), line, font=font, fill=0, anchor="ls")
    return image


def _rule(width_px: int) -> Image.Image:
    margin = _margin(width_px)
    image = Image.new("L", (width_px, margin * 2), 255)
    draw = ImageDraw.Draw(image)
    for x in range(margin, width_px - margin, 12):
        draw.line((x, margin, min(x + 6, width_px - margin), margin), fill=0, width=2)
    return image


def _spacer(width_px: int, height: int) -> Image.Image:
    return Image.new("L", (width_px, height), 255)


def _qr_block(data: str, width_px: int) -> Image.Image:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=6)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.make_image().get_image().convert("L")
    side = min(matrix.width, width_px - 2 * _margin(width_px))
    matrix = matrix.resize((side, side), Image.Resampling.NEAREST)
    image = Image.new("L", (width_px, side + _margin(width_px)), 255)
    image.paste(matrix, ((width_px - side) // 2, _margin(width_px) // 2))
    return image


def _stack(blocks: list[Image.Image], width_px: int, bottom: int = 0) -> Image.Image:
    height = sum(block.height for block in blocks) + bottom
    canvas = Image.new("L", (width_px, max(height, 1)), 255)
    y = 0
    for block in blocks:
        canvas.paste(block, (0, y))
        y += block.height
    # Threshold rather than dither: crisp glyph edges on a 203 dpi thermal head.
    return canvas.point(lambda v: 255 if v >= 128 else 0).convert("1", dither=Image.Dither.NONE)


def qr_image(data: str, width_px: int = WIDTH_80MM) -> Image.Image:
    """The QR code alone as a 1-bit, paper-wide image (for printers without native QR)."""
    return _stack([_qr_block(data, width_px)], width_px)
