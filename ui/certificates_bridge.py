"""The certificates screen's commands and its preview image (证明打印).

:class:`CertificateBridge` is the QML context property ``certificatePrint``: its slots forward
to :attr:`kiosk.core.KioskCore.certificates` (each only posts to the journey thread).
:class:`CertificatePreviewProvider` serves ``image://certificate/<revision>``: the first page of
the PDF the citizen is looking at, rendered with Qt PDF from the bytes the core holds in
memory (never from a file). QML asks for it with ``asynchronous: true``, so the rendering runs on
Qt's image-loading thread, never the GUI thread.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QSize, Qt, Slot
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtQuick import QQuickImageProvider

log = logging.getLogger(__name__)

#: Height in pixels of the rendered page when QML asks for no particular size.
DEFAULT_PREVIEW_HEIGHT = 1400


class CertificateBridge(QObject):
    """``certificatePrint`` in QML: choose, print, back to the list, try again (GUI thread)."""

    def __init__(self, core: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._core = core

    @Slot(str)
    def choose(self, document_id: str) -> None:
        self._core.certificates.select(document_id)

    @Slot()
    def printChosen(self) -> None:
        self._core.certificates.print_selected()

    @Slot()
    def backToList(self) -> None:
        self._core.certificates.back_to_list()

    @Slot()
    def retry(self) -> None:
        self._core.certificates.retry()


def render_first_page(pdf: bytes, height: int) -> QImage:
    """The first page of ``pdf`` as an image ``height`` pixels high (a null image if unreadable)."""
    data = QByteArray(pdf)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    try:
        document.load(buffer)
        if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
            log.warning("certificate preview: the PDF did not load (%s)", document.error())
            return QImage()
        page = document.pagePointSize(0)
        width = max(1, round(height * page.width() / max(page.height(), 1.0)))
        image = document.render(0, QSize(width, height))
    finally:
        document.close()
        buffer.close()
    # Rendered pages keep an alpha channel: put the paper on white, as it prints.
    paper = QImage(image.size(), QImage.Format.Format_RGB32)
    paper.fill(Qt.GlobalColor.white)
    painter = QPainter(paper)
    painter.drawImage(0, 0, image)
    painter.end()
    return paper


class CertificatePreviewProvider(QQuickImageProvider):
    """``image://certificate/<revision>``: the first page of the certificate on preview."""

    def __init__(self, core: Any) -> None:
        super().__init__(QQuickImageProvider.ImageType.Image)
        self._core = core

    def requestImage(self, image_id: str, size: QSize, requested_size: QSize) -> QImage:
        pdf = self._core.certificates.preview_pdf()
        height = requested_size.height() if requested_size.isValid() and requested_size.height() > 0 \
            else DEFAULT_PREVIEW_HEIGHT
        image = render_first_page(pdf, height) if pdf else QImage()
        if image.isNull():
            image = QImage(QSize(10, 14), QImage.Format.Format_RGB32)
            image.fill(Qt.GlobalColor.white)
        if size is not None:
            size.setWidth(image.width())
            size.setHeight(image.height())
        return image


def install(engine: Any, core: Any) -> None:
    """Register the preview provider and ``certificatePrint`` on ``engine`` (GUI thread)."""
    engine.addImageProvider("certificate", CertificatePreviewProvider(core))
    engine.rootContext().setContextProperty("certificatePrint", CertificateBridge(core, parent=engine))
