"""The maintenance mode's bridge to QML: the context property ``maintenance``.

Separate from :class:`ui.bridge.KioskBridge` (the citizen's side) so the two never share state.
The :class:`~kiosk.maintenance.MaintenanceService` publishes one immutable view per change on its
own thread; this bridge keeps the newest one and hops to the GUI thread with a queued signal
(latest-only, like the citizen bridge). Every slot only posts to the service and returns at once:
PIN checks (scrypt), device tests, the log export and enrollment all run off the GUI thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot

from kiosk.events import Event
from kiosk.maintenance import (
    MAINTENANCE_CHANGED,
    MAINTENANCE_FRAME_UPDATED,
    MaintenanceService,
)
from ui.latest_only import LatestOnly

log = logging.getLogger(__name__)


class MaintenanceBridge(QObject):
    """Exposed to QML as ``maintenance``; lives on and is used from the GUI thread.

    ``view`` is the service's view (``phase`` "closed" / "pin" / "signed_in", ``pin``, ``staff``,
    ``devices``, ``queue``, ``results``, ``busy``…); ``frameRevision`` grows with each camera
    preview frame (QML shows ``image://maintenance_camera/<rev>``).
    """

    viewChanged = Signal()
    frameRevisionChanged = Signal()

    def __init__(self, service: MaintenanceService, events: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._view: dict[str, Any] = service.view()
        self._frame_revision = 0
        # The service publishes a view per change on its own thread; the GUI takes the newest.
        self._views = LatestOnly(self._take_view, self)
        self._frames = LatestOnly(lambda _: self._take_frame(), self)
        # Idle sign-out and the lock countdown: ticks only while the pad or the screens are open.
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(service.tick)
        self._unsubscribe: Callable[[], None] | None = events.subscribe(self._on_event)

    def close(self) -> None:
        """Stop listening and stop the service (GUI thread, before the core stops)."""
        self._views.close()
        self._frames.close()
        self._ticker.stop()
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._service.stop()

    # ---- service threads ----------------------------------------------------------------------
    def _on_event(self, event: Event) -> None:
        if event.name == MAINTENANCE_CHANGED:
            self._views.offer(event.data["view"])
        elif event.name == MAINTENANCE_FRAME_UPDATED:
            self._frames.offer()

    @property
    def unsubscribe(self) -> Callable[[], None] | None:
        """Stops this bridge's event listener (kept by :func:`install_maintenance`)."""
        return self._unsubscribe

    # ---- GUI thread ---------------------------------------------------------------------------
    def _take_view(self, view: dict[str, Any]) -> None:
        self._view = view
        if view.get("phase", "closed") == "closed":
            self._ticker.stop()
        elif not self._ticker.isActive():
            self._ticker.start()
        self.viewChanged.emit()

    def _take_frame(self) -> None:
        self._frame_revision += 1
        self.frameRevisionChanged.emit()

    def _get_view(self) -> dict[str, Any]:
        return self._view

    view = Property("QVariantMap", _get_view, notify=viewChanged)  # type: ignore[arg-type]  # a QML type name (PySide6 stubs want a type)

    def _get_frame_revision(self) -> int:
        return self._frame_revision

    frameRevision = Property(int, _get_frame_revision, notify=frameRevisionChanged)

    # ---- commands (each returns at once; results arrive as a new view) ------------------------
    @Slot()
    def requestEntry(self) -> None:
        self._service.request_entry()

    @Slot()
    def cancelEntry(self) -> None:
        self._service.cancel_entry()

    @Slot(str)
    def enterPin(self, pin: str) -> None:
        self._service.enter_pin(pin)

    @Slot()
    def signOut(self) -> None:
        self._service.sign_out()

    @Slot()
    def touched(self) -> None:
        if self._view.get("phase", "closed") != "closed":
            self._service.touched()

    @Slot()
    def refresh(self) -> None:
        self._service.refresh()

    @Slot()
    def testRead(self) -> None:
        self._service.test_read()

    @Slot()
    def testPrint(self) -> None:
        self._service.test_print()

    @Slot(bool)
    def setCameraPreview(self, on: bool) -> None:
        self._service.set_camera_preview(on)

    @Slot()
    def syncNow(self) -> None:
        self._service.sync_now()

    @Slot(str)
    def reprintReceipt(self, receipt_number: str) -> None:
        self._service.reprint_receipt(receipt_number)

    @Slot()
    def refreshCatalog(self) -> None:
        self._service.refresh_catalog()

    @Slot(str)
    def enroll(self, token: str) -> None:
        self._service.enroll(token)

    @Slot(str)
    def exportLogs(self, target: str) -> None:
        self._service.export_logs(target)

    @Slot()
    def restart(self) -> None:
        self._service.restart()


def install_maintenance(engine: Any, core: Any, app: Any) -> MaintenanceBridge:
    """Create the maintenance service over ``core`` and expose it to ``engine`` as
    ``maintenance`` (with ``image://maintenance_camera``). It is stopped when the application
    quits or the engine goes away, whichever comes first (GUI thread)."""
    from ui.bridge import CameraImageProvider

    service = MaintenanceService(core)
    bridge = MaintenanceBridge(service, core.events, parent=engine)
    engine.addImageProvider("maintenance_camera", CameraImageProvider(service))
    engine.rootContext().setContextProperty("maintenance", bridge)
    app.aboutToQuit.connect(bridge.close)
    # The bridge dies with the engine: stop its listener and the service with it, from a plain
    # function (the bridge's own methods are gone by the time its children are deleted).
    unsubscribe = bridge.unsubscribe
    def stop_with_engine(*_: object) -> None:
        if unsubscribe:
            unsubscribe()
        service.stop()

    engine.destroyed.connect(stop_with_engine)
    return bridge
