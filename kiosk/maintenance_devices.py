"""Device diagnostics of the maintenance mode: status, identity, test read, test print, camera
preview.

One of the maintenance service's three jobs (:mod:`kiosk.maintenance`): every method runs on the
service's ``maintenance`` thread except where it says "owner thread" (a device's own thread,
reached through ``ManagedDevice.submit``). Results go into the desk's view; nothing here waits for
a device. Nothing personal leaves a test read: only the document type.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from drivers.common import DeviceInfo, DeviceStatus
from drivers.idcard import DemoDocuments, IdReader

from .frame_pump import FramePump
from .maintenance_desk import MaintenanceDesk

if TYPE_CHECKING:
    from .devices import DeviceManager, ManagedDevice

log = logging.getLogger(__name__)

TEST_READ_WAIT_S = 15.0
MAINTENANCE_FRAME_UPDATED = "maintenance_frame_updated"


class DeviceDiagnostics:
    """Reads every device's state and identity, and runs the device tests and the preview."""

    def __init__(self, desk: MaintenanceDesk, refresh_all: Callable[[], None]) -> None:
        """``refresh_all()`` re-reads the whole view after a device test (maintenance thread)."""
        self._desk = desk
        self._refresh_all = refresh_all
        self._preview = FramePump(lambda step: desk.devices()["camera"].submit(step),
                                  lambda _frame: desk.core.events.publish(MAINTENANCE_FRAME_UPDATED),
                                  name="diagnostics camera")
        desk.on_close(lambda: self.set_preview(False))

    def latest_frame(self) -> Any:
        """The newest camera preview frame of the diagnostics screen, or ``None`` (any thread)."""
        return self._preview.latest()

    def stop(self) -> None:
        """End the preview loop after its current frame (any thread)."""
        self._preview.stop()

    def refresh(self) -> None:
        """Ask every device for its state and identity; rows update as each answers."""
        desk = self._desk
        manager = desk.core.devices
        if manager is None:
            return
        rows = {row["role"]: row for row in desk.view["devices"]}
        for role, device in manager.devices.items():
            rows.setdefault(role, self._device_row(role, device.status, None))
            # Each device answers on its own thread when it is free (a test read may hold
            # the reader for a while); the row is updated then, nothing here waits for it.
            future = device.submit(self._refreshed_info(manager, device))
            future.add_done_callback(self._answer_back(role))
        desk.view["devices"] = list(rows.values())

    @staticmethod
    def _refreshed_info(manager: DeviceManager,
                        device: ManagedDevice[Any]) -> Callable[[Any], tuple[DeviceStatus, DeviceInfo]]:
        """The call made on ``device``'s owner thread: its fresh status and its info."""
        def refreshed(driver: Any) -> tuple[DeviceStatus, DeviceInfo]:
            return manager.refresh(device), driver.info()
        return refreshed

    def _answer_back(self, role: str) -> Callable[[Future[Any]], None]:
        """A done-callback that hands ``role``'s answer back to the maintenance thread."""
        def answered(future: Future[Any]) -> None:
            self._desk.post(lambda: self._device_answered(role, future))
        return answered

    @staticmethod
    def _device_row(role: str, status: DeviceStatus, info: DeviceInfo | None) -> dict[str, Any]:
        return {"role": role, "state": str(status.state), "action": str(status.action),
                "detail": status.detail, "ready": status.is_ready,
                **({"backend": info.backend, "model": info.model, "serial": info.serial,
                    "firmware": info.firmware} if info is not None else dict.fromkeys(
                    ("backend", "model", "serial", "firmware"), ""))}

    def _device_answered(self, role: str, future: Future[Any]) -> None:
        try:
            status, info = future.result()
        except Exception as exc:
            log.warning("%s diagnostics failed: %s", role, type(exc).__name__)
            status, info = self._desk.devices()[role].status, None
        rows = self._desk.view["devices"]
        for index, row in enumerate(rows):
            if row["role"] == role:
                new = self._device_row(role, status, info)
                if info is None:  # keep what the device said about itself last time
                    new.update({k: row[k] for k in ("backend", "model", "serial", "firmware")})
                rows[index] = new

    def after_device(self, role: str) -> None:
        """A test used ``role``: its state is read again, and so is the whole view."""
        manager = self._desk.devices()
        device = manager[role]
        device.submit(lambda _driver: manager.refresh(device))
        self._refresh_all()

    def test_read(self) -> None:
        """Wait for a document on the ID reader and report its type (nothing else)."""
        device = self._desk.devices()["id_reader"]
        demo = bool(self._desk.core.config.ui.demo_controls)

        def read(driver: IdReader) -> str:
            # The demo has no card to put down: place its first sample, as the demo buttons do.
            if demo and isinstance(driver, DemoDocuments) and driver.available_documents():
                driver.present(driver.available_documents()[0][0])
            try:
                identity = driver.read_document(TEST_READ_WAIT_S)
            finally:
                if demo and isinstance(driver, DemoDocuments):
                    driver.remove()
            return identity.document_type.value  # the type only

        self._desk.later("test_read", device.submit(read),
                    self._device_test_done("test_read", "id_reader", "read", lambda kind: kind))

    def test_print(self) -> None:
        """Print a test page on the receipt printer."""
        from drivers.printer import Receipt

        config = self._desk.core.config
        now = datetime.now(UTC).astimezone()
        page = Receipt(
            title="测试页 TEST PAGE",
            receipt_number=f"TEST-{now:%Y%m%d-%H%M%S}",
            lines=[("终端 Terminal", f"{config.terminal.site_code}-{config.terminal.terminal_id}"),
                   ("时间 Time", f"{now:%Y-%m-%d %H:%M:%S}"),
                   ("中文 Chinese", "政务服务自助终端 打印测试"),
                   ("English", "ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789")],
            notes=["本页为维护测试页，不是受理回执。", "This is a maintenance test page, not a receipt."],
            qr_data="TEST",
        )
        device = self._desk.devices()["receipt_printer"]
        self._desk.later("test_print", device.submit(lambda driver: driver.print_receipt(page)),
                    self._device_test_done("test_print", "receipt_printer", "print",
                                           lambda result: result.output or result.job_id))

    def _device_test_done(self, action: str, role: str, code: str,
                          describe: Callable[[Any], str]) -> Callable[[Future[Any]], None]:
        """What ends a device test: the result shown (``<code>_ok`` with what ``describe`` says of
        the answer, or ``<code>_failed`` with the error's type), audited, the device re-read."""
        def done(future: Future[Any]) -> None:
            try:
                answer = future.result()
            except Exception as exc:
                self._desk.result(action, False, f"{code}_failed", type(exc).__name__)
            else:
                self._desk.result(action, True, f"{code}_ok", describe(answer))
            self._desk.audit(action, ok=self._desk.view["results"][action]["ok"])
            self.after_device(role)
        return done

    def set_preview(self, on: bool) -> None:
        """Start or stop the diagnostics camera preview."""
        self._desk.view["preview"] = bool(on)
        if on:
            self._preview.start()
        else:
            self._preview.clear()
