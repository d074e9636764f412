"""The bridge between the plain-Python :class:`~kiosk.core.KioskCore` and the QML screens.

The core raises events on its own threads (journey thread, device owner threads). Nothing here
touches QML from those threads: an event handler only stores the newest value under a lock and,
if no delivery is already pending, emits a queued signal. The GUI thread then takes whatever is
newest. So a burst of snapshots or camera frames never piles up in the event queue (latest-only),
and the GUI thread never waits for the core: every slot below only forwards a non-blocking
command.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Property, QObject, QSize, Qt, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtQml import QJSValue
from PySide6.QtQuick import QQuickImageProvider

from kiosk import events as kiosk_events
from kiosk.events import JOURNEY_CHANGED, Event
from ui.latest_only import LatestOnly

log = logging.getLogger(__name__)

PREVIEW_FRAME_UPDATED = getattr(kiosk_events, "PREVIEW_FRAME_UPDATED", "preview_frame_updated")


class KioskBridge(QObject):
    """Exposed to QML as the context property ``kiosk``. Lives in (and is used from) the GUI thread.

    ``state`` is the core's snapshot, replaced wholesale whenever the journey changes;
    ``frameRevision`` grows when a new camera frame is ready (QML asks ``image://camera/<rev>``).
    ``onLanguageChanged`` is called on the GUI thread with "zh-CN"/"en" whenever the language
    shown has to change (the application installs the translator and retranslates the engine).
    """

    stateChanged = Signal()
    frameRevisionChanged = Signal()
    languageChanged = Signal()
    staffCalled = Signal()
    # Cross-thread hops: emitted on core threads, delivered queued on the GUI thread.

    def __init__(
        self,
        core: Any,
        ui_config: dict[str, Any] | None = None,
        on_language_changed: Callable[[str], None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._core = core
        self._ui_config = dict(ui_config or {})
        self._on_language_changed = on_language_changed
        self._state: dict[str, Any] = {}
        self._language = self._ui_config.get("language", "zh-CN")
        self._requested_language: str | None = None
        self._frame_revision = 0
        self._unsubscribe: Callable[[], None] | None = None
        self._close_hooks: list[Callable[[], None]] = []
        # Worker threads publish many snapshots and frames; the GUI thread takes only the newest.
        self._snapshots = LatestOnly(self._apply_snapshot, self)
        self._frames = LatestOnly(lambda _: self._take_frame(), self)

    # ---- lifecycle (GUI thread) -------------------------------------------------------------
    def open(self) -> None:
        """Subscribe to the core's events and show its current snapshot."""
        self._unsubscribe = self._core.events.subscribe(self._on_core_event)
        self._apply_snapshot(self._core.snapshot())

    def on_close(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` when the bridge closes (the UI's own workers, such as the voice)."""
        self._close_hooks.append(hook)

    def close(self) -> None:
        """Unsubscribe and stop the UI's workers; events that are still in flight are dropped."""
        self._snapshots.close()
        self._frames.close()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        hooks, self._close_hooks = self._close_hooks, []
        for hook in hooks:
            hook()

    # ---- core threads -----------------------------------------------------------------------
    def _on_core_event(self, event: Event) -> None:
        # Runs on whichever core thread published the event: store and hop, nothing else.
        if event.name == JOURNEY_CHANGED:
            snapshot = event.data.get("snapshot")
            if snapshot is not None:
                self._snapshots.offer(snapshot)
        elif event.name == PREVIEW_FRAME_UPDATED:
            self._frames.offer()

    # ---- GUI thread -------------------------------------------------------------------------
    def _take_frame(self) -> None:
        self._frame_revision += 1
        self.frameRevisionChanged.emit()

    def _apply_snapshot(self, snapshot: dict[str, Any]) -> None:
        was_staff_called = bool(self._state.get("staff_called"))
        self._state = snapshot
        language = snapshot.get("language")
        if language and language == self._requested_language:
            self._requested_language = None
        if language and language != self._language and self._requested_language is None:
            # Snapshots sent before the core saw a language tap still carry the old language;
            # following them would flip the screen back and forth.
            self._show_language(language)
        self.stateChanged.emit()
        if snapshot.get("staff_called") and not was_staff_called:
            self.staffCalled.emit()

    def _show_language(self, language: str) -> None:
        self._language = language
        if self._on_language_changed is not None:
            self._on_language_changed(language)
        self.languageChanged.emit()

    # ---- properties -------------------------------------------------------------------------
    def _get_state(self) -> dict[str, Any]:
        return self._state

    state = Property("QVariantMap", _get_state, notify=stateChanged)  # type: ignore[arg-type]  # a QML type name (PySide6 stubs want a type)

    def _get_frame_revision(self) -> int:
        return self._frame_revision

    frameRevision = Property(int, _get_frame_revision, notify=frameRevisionChanged)

    def _get_language(self) -> str:
        return self._language

    language = Property(str, _get_language, notify=languageChanged)

    def _get_ui_config(self) -> dict[str, Any]:
        return self._ui_config

    uiConfig = Property("QVariantMap", _get_ui_config, constant=True)  # type: ignore[arg-type]  # a QML type name (PySide6 stubs want a type)

    # ---- commands (GUI thread; each returns at once, results arrive as snapshots) ------------
    @Slot(str)
    def chooseService(self, service_id: str) -> None:
        self._core.choose_service(service_id)

    @Slot(str)
    def chooseErrand(self, errand: str) -> None:
        self._core.choose_errand(errand)

    @Slot()
    def acceptNotice(self) -> None:
        self._core.accept_notice()

    @Slot(str)
    def presentDemoDocument(self, key: str) -> None:
        self._core.present_demo_document(key)

    @Slot()
    def takeBackDemoDocument(self) -> None:
        self._core.take_back_demo_document()

    @Slot(str, str, str, str)
    def enterAccessKey(self, document_number: str, birth_date: str, expiry_date: str, can: str) -> None:
        self._core.enter_access_key(document_number, birth_date, expiry_date, can)

    @Slot()
    def capturePhoto(self) -> None:
        self._core.capture_photo()

    @Slot()
    def retakePhoto(self) -> None:
        self._core.retake_photo()

    @Slot()
    def acceptPhoto(self) -> None:
        self._core.accept_photo()

    @Slot(str, "QVariant")
    def setFieldValue(self, field_id: str, value: Any) -> None:
        self._core.set_field_value(field_id, _plain(value))

    @Slot(str, result="QVariantList")
    def divisionChildren(self, code: str) -> list[dict[str, Any]]:
        """Address picker: the divisions under ``code`` ("" for the provinces). The bundled table
        is immutable and indexed once (a few ms), so reading it here does not block the GUI."""
        from kiosk.divisions import bundled_divisions

        table = bundled_divisions()
        return [{"code": d.code, "name": d.name, "leaf": table.is_leaf(d.code)}
                for d in table.children(code or None)]

    @Slot(int, "QVariant")
    def rateService(self, level: int, reasons: Any) -> None:
        self._core.rate_service(level, list(_plain(reasons) or []))

    @Slot()
    def completeForm(self) -> None:
        self._core.complete_form()

    @Slot(bool)
    def confirmSubmission(self, consented: bool) -> None:
        self._core.confirm_submission(consented)

    @Slot()
    def finish(self) -> None:
        self._core.finish()

    @Slot()
    def back(self) -> None:
        self._core.back()

    @Slot()
    def callStaff(self) -> None:
        self._core.call_staff()

    @Slot(bool)
    def setElderMode(self, on: bool) -> None:
        self._core.set_preference("elder_mode", on)

    @Slot(bool)
    def setVoiceMuted(self, muted: bool) -> None:
        self._core.set_preference("voice_muted", muted)

    @Slot()
    def touched(self) -> None:
        self._core.touched()

    @Slot(str)
    def setLanguage(self, language: str) -> None:
        # Retranslate at once so the tap feels instant; the core's next snapshot (with its
        # own texts in the new language) confirms it.
        self._requested_language = language
        if language != self._language:
            self._show_language(language)
        self._core.set_language(language)


def _plain(value: Any) -> Any:
    """A value from QML as plain Python: a JavaScript object or array may arrive as a QJSValue
    (depending on the PySide6 release), which the core must never see."""
    if isinstance(value, QJSValue):
        return value.toVariant()
    return value


def frame_to_qimage(pixels: Any) -> QImage:
    """An RGB888 QImage that owns a copy of ``pixels`` (H×W×3 uint8 numpy array), safe after the array dies."""
    # numpy is deliberately not imported here: it would cost the GUI thread ~50 ms at start-up,
    # and every frame arrives as an array whose own methods are all this needs.
    if pixels.ndim != 3 or pixels.shape[2] != 3 or pixels.dtype.name != "uint8":
        raise ValueError(f"expected an H×W×3 uint8 RGB frame, got {pixels.shape} {pixels.dtype}")
    if not pixels.flags.c_contiguous:
        pixels = pixels.copy(order="C")
    height, width, _ = pixels.shape
    # QImage only borrows the buffer; copy() detaches it before the numpy array can go away.
    return QImage(pixels.data, width, height, width * 3, QImage.Format.Format_RGB888).copy()


def _placeholder(size: QSize | None = None) -> QImage:
    image = QImage(size if size and size.isValid() else QSize(4, 3), QImage.Format.Format_RGB888)
    image.fill(Qt.GlobalColor.black)
    return image


def _scaled(image: QImage, requested: QSize) -> QImage:
    if requested.isValid() and requested.width() > 0 and requested.height() > 0:
        return image.scaled(requested, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
    return image


class CameraImageProvider(QQuickImageProvider):
    """``image://camera/<revision>``: the newest camera frame (the revision only defeats caching)."""

    def __init__(self, core: Any) -> None:
        super().__init__(QQuickImageProvider.ImageType.Image)
        self._core = core

    def requestImage(self, image_id: str, size: QSize, requested_size: QSize) -> QImage:
        frame = self._core.latest_frame()
        image = _placeholder() if frame is None else frame_to_qimage(frame.pixels)
        if size is not None:
            size.setWidth(image.width())
            size.setHeight(image.height())
        return image


class PhotoImageProvider(QQuickImageProvider):
    """``image://photo/<revision>``: the captured face photo (JPEG from the core)."""

    def __init__(self, core: Any) -> None:
        super().__init__(QQuickImageProvider.ImageType.Image)
        self._core = core

    def requestImage(self, image_id: str, size: QSize, requested_size: QSize) -> QImage:
        jpeg = self._core.current_photo()
        image = QImage()
        if jpeg:
            image.loadFromData(jpeg, "JPEG")
        if image.isNull():
            image = _placeholder()
        image = _scaled(image, requested_size)
        if size is not None:
            size.setWidth(image.width())
            size.setHeight(image.height())
        return image
