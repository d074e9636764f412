"""The scanning screen's link to the core: commands, the document camera's preview, page thumbnails.

Exposed to QML as the context property ``materials`` beside ``kiosk`` (``ui/bridge.py``), with two
image providers: ``image://doccam/<revision>`` (the newest preview image of the document camera,
latest-only like the face camera's) and ``image://page/<page id>`` (a scanned page's thumbnail).
The core's ``page_frame_updated`` arrives on the document camera's owner thread; it only bumps a
revision through :class:`~ui.latest_only.LatestOnly`, so the GUI thread takes the newest image when
it repaints and never waits for the camera. Every slot only forwards a non-blocking command.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Property, QObject, QSize, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtQuick import QQuickImageProvider

from kiosk import events as kiosk_events
from kiosk.events import Event
from ui.bridge import frame_to_qimage
from ui.latest_only import LatestOnly

PAGE_FRAME_UPDATED = getattr(kiosk_events, "PAGE_FRAME_UPDATED", "page_frame_updated")


class MaterialsBridge(QObject):
    """The ``materials`` context property; lives in (and is used from) the GUI thread."""

    frameRevisionChanged = Signal()

    def __init__(self, core: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._core = core
        self._frame_revision = 0
        self._frames = LatestOnly(lambda _: self._take_frame(), self)
        self._unsubscribe: Callable[[], None] | None = core.events.subscribe(self._on_core_event)

    def close(self) -> None:
        self._frames.close()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_core_event(self, event: Event) -> None:
        # The document camera's owner thread: hop, nothing else.
        if event.name == PAGE_FRAME_UPDATED:
            self._frames.offer()

    def _take_frame(self) -> None:
        self._frame_revision += 1
        self.frameRevisionChanged.emit()

    def _get_frame_revision(self) -> int:
        return self._frame_revision

    frameRevision = Property(int, _get_frame_revision, notify=frameRevisionChanged)

    @Slot()
    def capture(self) -> None:
        self._core.materials.capture()

    @Slot(int)
    def choose(self, index: int) -> None:
        self._core.materials.choose(index)

    @Slot(int, int)
    def deletePage(self, index: int, page: int) -> None:
        self._core.materials.delete_page(index, page)

    @Slot(int, int)
    def retakePage(self, index: int, page: int) -> None:
        self._core.materials.retake_page(index, page)

    @Slot()
    def done(self) -> None:
        self._core.materials.done()

    @Slot(str)
    def presentDemoPage(self, variant: str) -> None:
        self._core.materials.present_demo_page(variant)


def _sized(image: QImage, size: QSize | None) -> QImage:
    if image.isNull():
        image = QImage(QSize(4, 3), QImage.Format.Format_RGB888)
        image.fill(0)
    if size is not None:
        size.setWidth(image.width())
        size.setHeight(image.height())
    return image


class DocumentPreviewProvider(QQuickImageProvider):
    """``image://doccam/<revision>``: the document camera's newest preview image."""

    def __init__(self, core: Any) -> None:
        super().__init__(QQuickImageProvider.ImageType.Image)
        self._core = core

    def requestImage(self, image_id: str, size: QSize, requested_size: QSize) -> QImage:
        pixels = self._core.materials.latest_frame()
        return _sized(QImage() if pixels is None else frame_to_qimage(pixels), size)


class PageThumbnailProvider(QQuickImageProvider):
    """``image://page/<page id>``: the thumbnail of a page the citizen at the terminal scanned."""

    def __init__(self, core: Any) -> None:
        super().__init__(QQuickImageProvider.ImageType.Image)
        self._core = core

    def requestImage(self, image_id: str, size: QSize, requested_size: QSize) -> QImage:
        data = self._core.materials.thumbnail(image_id)
        image = QImage()
        if data:
            image.loadFromData(data)
        return _sized(image, size)


def install_materials(engine: Any, core: Any, bridge: Any) -> MaterialsBridge:
    """Register the scanning screen's context property and image providers on ``engine``;
    closed with the main ``bridge``."""
    materials = MaterialsBridge(core, parent=engine)
    engine.addImageProvider("doccam", DocumentPreviewProvider(core))
    engine.addImageProvider("page", PageThumbnailProvider(core))
    engine.rootContext().setContextProperty("materials", materials)
    bridge.on_close(materials.close)
    return materials
