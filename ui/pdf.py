"""A4 forms as PDF with Qt: QTextDocument laid out on a QPdfWriter, the CJK font embedded.

The core asks for a PDF through the renderer it was given (:meth:`KioskCore.set_document_renderer`)
without importing Qt; :func:`register` hands it :func:`render_form_pdf`. Rendering runs on the
document printer's owner thread: QTextDocument and QPdfWriter are not GUI objects and may be used
off the GUI thread (each call builds its own), once a QGuiApplication exists for the font database.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QSizeF
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument
from shiboken6 import Shiboken

RESOLUTION_DPI = 300
#: Latin and digits from DejaVu Sans, Chinese from Noto Sans CJK SC. With Noto CJK alone, Qt's
#: PDF loses the text of digits after a letter ("T01-2026…" extracts as "T - "): the page looks
#: right but the text layer (search, screen readers, our pdftotext checks) would not.
FONT_FAMILIES = ["DejaVu Sans", "Noto Sans CJK SC"]


def form_html(printable: dict[str, Any], meta: dict[str, Any]) -> str:
    """The form as simple HTML: title, receipt number and time, one table per section."""
    english = meta.get("language") == "en"
    labels = ("Receipt number", "Accepted", "Service hall") if english else ("受理编号", "受理时间", "受理地点")
    esc = html.escape
    parts = [
        f"<h1 align='center'>{esc(printable.get('title', ''))}</h1>",
        "<table width='100%' cellpadding='4'>",
        f"<tr><td>{labels[0]}：{esc(str(meta.get('receipt_number', '')))}</td>"
        f"<td align='right'>{labels[1]}：{esc(str(meta.get('accepted_at', '')))}</td></tr>",
        f"<tr><td colspan='2'>{labels[2]}：{esc(str(meta.get('hall', '')))}</td></tr></table>",
    ]
    for section in printable.get("sections", []):
        parts.append(f"<h3>{esc(section['title'])}</h3>")
        parts.append("<table width='100%' border='1' cellspacing='0' cellpadding='6' style='border-collapse:collapse'>")
        for row in section["rows"]:
            text = esc(str(row.get("text") or "")).replace("\n", "<br/>")
            parts.append(f"<tr><td width='32%' bgcolor='#f0f0f0'>{esc(row['label'])}</td><td>{text}</td></tr>")
        parts.append("</table>")
    attachments = meta.get("attachments") or []
    if attachments:  # the paper materials scanned at the terminal and sealed with the application
        heading, pages, none = (("Attached materials (scanned)", "{n} page(s)", "not attached") if english
                                else ("随附材料（本机扫描）", "{n}页", "未提交"))
        parts.append(f"<h3>{heading}</h3>")
        parts.append("<table width='100%' border='1' cellspacing='0' cellpadding='6' style='border-collapse:collapse'>")
        for item in attachments:
            count = int(item.get("pages") or 0)
            parts.append(f"<tr><td width='68%'>{esc(str(item.get('name', '')))}</td>"
                         f"<td>{pages.format(n=count) if count else none}</td></tr>")
        parts.append("</table>")
    signature = ("Applicant's signature:", "Date:") if english else ("申请人签名：", "日期：")
    parts.append(f"<p><br/><br/>{signature[0]}______________________&nbsp;&nbsp;&nbsp;{signature[1]}____________</p>")
    return "".join(parts)


def render_form_pdf(printable: dict[str, Any], meta: dict[str, Any]) -> bytes:
    """The filled form as A4 PDF bytes (fonts embedded as subsets; text extractable)."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(RESOLUTION_DPI)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                                     QMarginsF(18, 18, 18, 18), QPageLayout.Unit.Millimeter))
    writer.setTitle(str(printable.get("title", "")))
    writer.setCreator("egov-kiosk")
    document = QTextDocument()
    # Lay out against the writer (300 dpi), not the screen, or text comes out ~3x too small.
    document.documentLayout().setPaintDevice(writer)
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSizeF(11)
    document.setDefaultFont(font)
    document.setHtml(form_html(printable, meta))
    rect = writer.pageLayout().paintRectPixels(writer.resolution())
    document.setPageSize(QSizeF(rect.width(), rect.height()))
    document.print_(writer)
    # PySide hands a QPdfWriter built on a device to C++, and nothing in C++ deletes it: without
    # this every form would leak its writer and PDF engine. Deleting it finishes the PDF.
    del document
    Shiboken.delete(writer)
    buffer.close()
    data: QByteArray = buffer.data()
    return bytes(data.data())


def register(core: Any) -> None:
    """Give the core this renderer (called by the application at start-up)."""
    if hasattr(core, "set_document_renderer"):  # test doubles of the core may not print
        core.set_document_renderer(render_form_pdf)
