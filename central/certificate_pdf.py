"""The platform's documents as A4 PDF pages (fpdf2): a 受理凭证 (acceptance receipt) for any
received case and a 灵活就业人员参保证明 for a completed flexible-employment enrollment.

Each page carries the issuing department, the facts, the date, a drawn seal stamp and a QR code
with the verification address; the PDF is then signed with the platform's seal
(``central.seal``), which is what makes it genuine. Chinese text uses Noto CJK SC (Debian's
``fonts-noto-cjk``, found through fontconfig), embedded as a subset, so the text layer extracts
as written (search, screen readers, ``pdftotext`` in the tests). The faces reach fpdf2 as the
small working fonts of ``central.certificate_fonts``, so a document takes a fraction of a second.

Thread rule: any thread (each call builds its own document).
"""

from __future__ import annotations

import functools
import math
import subprocess
from collections.abc import Callable
from datetime import datetime
from io import BytesIO

import qrcode
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import TTFFont

from .certificate_facts import (
    ACCEPTANCE_RECEIPT,
    INSURANCE_CERTIFICATE,
    KIND_TITLES,
    CaseFacts,
    chinese_date,
    insurance_rows,
)
from .certificate_fonts import WORKING_FONTS

#: fontconfig pattern -> our family name and style.
#: Two faces only (65,000 glyphs apiece), loaded as small working fonts
#: (``central.certificate_fonts``).
_FONTS = {"Noto Sans CJK SC": ("sans", ""), "Noto Serif CJK SC:bold": ("serif", "B")}
RED = (200, 16, 24)
INK = (24, 24, 24)
GREY = (96, 96, 96)
MARGIN = 22.0


class FontMissing(Exception):
    """No Noto CJK SC font is installed (``fonts-noto-cjk``, see tools/setup-system.sh)."""


@functools.cache
def _font_file(pattern: str) -> tuple[str, int]:
    """(file, index in the collection) of the font fontconfig matches to ``pattern``."""
    try:
        answer = subprocess.run(["fc-match", "-f", "%{family}|%{file}|%{index}", pattern],
                                capture_output=True, text=True, check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise FontMissing(f"fontconfig could not be asked for {pattern}: {exc}") from None
    family, path, index = answer.split("|")
    if "CJK" not in family:
        raise FontMissing(f"{pattern} is not installed (install fonts-noto-cjk)")
    return path, int(index or 0)


def _faces() -> dict[tuple[str, str], tuple[str, int]]:
    return {(family, style): _font_file(pattern) for pattern, (family, style) in _FONTS.items()}


def _new_pdf(title: str, full_faces: bool = False) -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(False)
    if full_faces:
        for (family, style), (path, index) in _faces().items():
            pdf.add_font(family, style, path, collection_font_number=index)
    else:
        WORKING_FONTS.add_to(pdf, _faces())
    pdf.set_title(title)
    pdf.set_creator("egov-kiosk platform")
    pdf.set_lang("zh-CN")
    pdf.add_page()
    return pdf


def _rendered(title: str, draw: Callable[[FPDF], None]) -> bytes:
    """The PDF ``draw`` makes on a new A4 page, drawn with the working fonts
    (``central.certificate_fonts``), grown and drawn again while it lacks a character the
    faces have; in the unlikely case that does not settle, with the full faces."""
    for _ in range(4):
        pdf = _new_pdf(title)
        draw(pdf)
        fonts = {key: font for key in _FONTS.values()
                 if isinstance(font := pdf.fonts.get(f"{key[0]}{key[1]}"), TTFFont)}
        missing = {key: set(font.missing_glyphs) for key, font in fonts.items()}
        if not any(missing.values()) or not WORKING_FONTS.grow(missing, {
                key: {code for glyph, _ in font.subset.items() if glyph is not None
                      for code in (glyph.unicode if isinstance(glyph.unicode, tuple)
                                   else (glyph.unicode,))}
                for key, font in fonts.items()}):
            return bytes(pdf.output())
    pdf = _new_pdf(title, full_faces=True)
    draw(pdf)
    return bytes(pdf.output())


def _qr_png(url: str) -> bytes:
    # The quiet zone the standard asks for (4 modules): with less, phones and decoders miss the
    # code next to the printed text often enough (ISO/IEC 18004).
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=8)
    code.add_data(url)
    code.make(fit=True)
    out = BytesIO()
    code.make_image(fill_color="black", back_color="white").save(out)  # PNG
    return out.getvalue()


def _seal_stamp(pdf: FPDF, cx: float, cy: float, organisation: str, purpose: str) -> None:
    """The red round stamp: a ring, a star, the organisation along the upper arc and the
    stamp's purpose below the star. Drawn: the signature is what certifies, not this."""
    radius = 20.0
    pdf.set_draw_color(*RED)
    pdf.set_fill_color(*RED)
    pdf.set_text_color(*RED)
    pdf.set_line_width(1.1)
    pdf.circle(cx, cy, radius)
    pdf.star(cx, cy, 2.4, 6.2, 5, rotate_degrees=36, style="F")  # a point upwards
    chars = list(organisation.replace("（", "").replace("）", ""))
    pdf.set_font("serif", "B", 11 if len(chars) <= 10 else 9)
    span = min(240.0, 22.0 * len(chars))  # degrees of arc the name covers
    for i, char in enumerate(chars):
        # From upper left to upper right, letters upright towards the centre.
        angle = 90 + span / 2 - (span * (i + 0.5) / len(chars))
        rad = math.radians(angle)
        x = cx + (radius - 4.2) * math.cos(rad)
        y = cy - (radius - 4.2) * math.sin(rad)
        with pdf.rotation(angle - 90, x, y):
            width = pdf.get_string_width(char)
            pdf.text(x - width / 2, y + 1.5, char)
    pdf.set_font("serif", "B", 8.5)
    pdf.text(cx - pdf.get_string_width(purpose) / 2, cy + 12.5, purpose)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*INK)


def _heading(pdf: FPDF, organisation: str, kind: str, document_id: str) -> None:
    title, english = KIND_TITLES[kind]
    pdf.set_draw_color(*RED)
    pdf.set_line_width(0.8)
    pdf.line(MARGIN, 18, 210 - MARGIN, 18)
    pdf.set_line_width(0.3)
    pdf.line(MARGIN, 19.5, 210 - MARGIN, 19.5)
    pdf.set_y(27)
    pdf.set_text_color(*GREY)
    pdf.set_font("sans", "", 11)
    pdf.cell(0, 7, organisation, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    pdf.set_font("serif", "B", 26 if len(title) <= 6 else 22)
    pdf.cell(0, 16, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("sans", "", 9.5)
    pdf.set_text_color(*GREY)
    pdf.cell(0, 5, english, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    pdf.cell(0, 6, f"证明编号 Document No. {document_id}", align="R",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    pdf.ln(4)


def _table(pdf: FPDF, rows: list[tuple[str, str]]) -> None:
    pdf.set_font("sans", "", 11.5)
    pdf.set_draw_color(150, 150, 150)
    pdf.set_line_width(0.2)
    with pdf.table(col_widths=(34, 86), line_height=9.5, first_row_as_headings=False,
                   cell_fill_color=(244, 244, 244), cell_fill_mode="COLUMNS",
                   padding=(1.2, 3, 1.2, 3)) as table:
        for label, value in rows:
            row = table.row()
            row.cell(label)
            row.cell(value)
    pdf.set_draw_color(*INK)


def _footer(pdf: FPDF, organisation: str, issued_at: datetime, verify_url: str,
            purpose: str) -> None:
    top = 205.0
    pdf.set_font("sans", "", 12)
    pdf.set_xy(96, top + 10)
    pdf.cell(92, 8, organisation, align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.cell(92, 8, chinese_date(issued_at), align="R")
    # Over the issuer and the date, as a paper seal is pressed.
    _seal_stamp(pdf, 160, top + 14, organisation, purpose)
    pdf.image(_qr_png(verify_url), x=MARGIN, y=top, w=34, h=34)
    pdf.set_font("sans", "", 8.5)
    pdf.set_text_color(*GREY)
    pdf.set_xy(MARGIN, top + 35)
    pdf.multi_cell(70, 4.4, "扫描二维码核验真伪\nScan to check that this document is genuine "
                   "and current", align="L")
    pdf.set_draw_color(200, 200, 200)
    pdf.line(MARGIN, 262, 210 - MARGIN, 262)
    pdf.set_xy(MARGIN, 265)
    pdf.multi_cell(0, 4.6, "本文件由政务服务平台出具，已加盖电子印章（PAdES 数字签名）。与纸质盖章文件具有同等效力；"
                   "打印件请通过二维码核验。\nIssued by the government service platform and "
                   "signed with its electronic seal. A printed copy is checked through the QR "
                   f"code:\n{verify_url.split('?')[0]}", align="L", wrapmode=WrapMode.CHAR)
    pdf.set_text_color(*INK)


def _paragraph(pdf: FPDF, text: str) -> None:
    pdf.set_font("sans", "", 13)
    # Chinese has no spaces between words: wrap at any character.
    pdf.multi_cell(0, 9, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT,
                   wrapmode=WrapMode.CHAR)
    pdf.ln(3)


def render_acceptance_receipt(facts: CaseFacts, document_id: str, verify_url: str,
                              organisation: str, issued_at: datetime) -> bytes:
    """The 受理凭证 of a received case, unsigned."""
    rows = [("受理编号", facts.receipt_number), ("事项名称", facts.title),
            ("申请人", facts.applicant_name), ("证件类型", facts.id_label),
            ("证件号码", facts.id_number),
            ("提交时间", facts.received_at.strftime("%Y-%m-%d %H:%M")),
            ("承办部门", facts.issuing_department)]
    if facts.hall:
        rows.append(("受理地点", facts.hall))

    def draw(pdf: FPDF) -> None:
        _heading(pdf, organisation, ACCEPTANCE_RECEIPT, document_id)
        _paragraph(pdf, f"{facts.applicant_name}：")
        _paragraph(pdf, f"　　您于{chinese_date(facts.received_at)}提交的「{facts.title}」申请已收到，"
                        "现出具本凭证。请妥善保管，凭受理编号查询办理进度、领取办理结果。")
        _table(pdf, rows)
        _footer(pdf, organisation, issued_at, verify_url, "受理专用章")

    return _rendered(KIND_TITLES[ACCEPTANCE_RECEIPT][0], draw)


def render_insurance_certificate(facts: CaseFacts, document_id: str, verify_url: str,
                                 organisation: str, issued_at: datetime) -> bytes:
    """The 灵活就业人员参保证明 of a completed flexible-employment enrollment, unsigned."""
    done = chinese_date(facts.completed_at or facts.received_at)

    def draw(pdf: FPDF) -> None:
        _heading(pdf, organisation, INSURANCE_CERTIFICATE, document_id)
        _paragraph(pdf, f"　　兹证明 {facts.applicant_name}（{facts.id_label}号码：{facts.id_number}）"
                        f"已于{done}在{facts.issuing_department}办理灵活就业人员参保登记"
                        f"（受理编号 {facts.receipt_number}），参保信息如下：")
        _table(pdf, insurance_rows(facts.result))
        pdf.ln(6)
        _paragraph(pdf, "　　特此证明。")
        _footer(pdf, organisation, issued_at, verify_url, "证明专用章")

    return _rendered(KIND_TITLES[INSURANCE_CERTIFICATE][0], draw)


RENDERERS = {ACCEPTANCE_RECEIPT: render_acceptance_receipt,
             INSURANCE_CERTIFICATE: render_insurance_certificate}
