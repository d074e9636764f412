"""Device diagnostics of the maintenance mode: status, identity, test read, test print, camera
preview, and the queue and enrollment figures shown beside them.

A mixin of :class:`kiosk.maintenance.MaintenanceService`, kept apart for size: every method runs on
the service's ``maintenance`` thread except where it says "owner thread" (a device's own thread,
reached through ``ManagedDevice.submit``). Results go into the service's view; nothing here waits
for a device. Nothing personal leaves a test read: only the document type.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

TEST_READ_WAIT_S = 15.0
MAINTENANCE_FRAME_UPDATED = "maintenance_frame_updated"


class DeviceDiagnostics:
    """Diagnostics behaviour of the maintenance service (mixin; uses its view, post and audit)."""

    _core: Any
    _view: dict[str, Any]
    _previewing: bool

    def _devices(self) -> Any:
        devices = self._core.devices
        if devices is None:
            raise RuntimeError("devices are not started yet")
        return devices

    def _refresh(self) -> None:
        from .log_export import export_targets

        manager = self._core.devices
        if manager is not None:
            rows = {row["role"]: row for row in self._view["devices"]}
            for role, device in manager.devices.items():
                rows.setdefault(role, self._device_row(role, device.status, None))
                # Each device answers on its own thread when it is free (a test read may hold
                # the reader for a while); the row is updated then, nothing here waits for it.
                future = device.submit(lambda driver, d=device: (manager.refresh(d), driver.info()))
                future.add_done_callback(lambda f, r=role: self._post(lambda: self._device_answered(r, f)))
            self._view["devices"] = list(rows.values())
        self._view["queue"] = self._queue()
        self._view["enrollment"] = self._enrollment()
        catalog = getattr(self._core, "catalog", None)
        self._view["catalog"] = {"version": str(getattr(catalog, "version", ""))}
        self._view["export_targets"] = [str(p) for p in export_targets(self._export_dir, self._media_root)]

    @staticmethod
    def _device_row(role: str, status: Any, info: Any) -> dict[str, Any]:
        return {"role": role, "state": str(status.state), "action": str(status.action),
                "detail": status.detail, "ready": status.is_ready,
                "backend": getattr(info, "backend", ""), "model": getattr(info, "model", ""),
                "serial": getattr(info, "serial", ""), "firmware": getattr(info, "firmware", "")}

    def _device_answered(self, role: str, future: Future[Any]) -> None:
        try:
            status, info = future.result()
        except Exception as exc:
            log.warning("%s diagnostics failed: %s", role, type(exc).__name__)
            status, info = self._devices()[role].status, None
        rows = self._view["devices"]
        for index, row in enumerate(rows):
            if row["role"] == role:
                new = self._device_row(role, status, info)
                if info is None:  # keep what the device said about itself last time
                    new.update({k: row[k] for k in ("backend", "model", "serial", "firmware")})
                rows[index] = new

    def _queue(self) -> dict[str, Any]:
        from egov_protocol.protocol import RATING_FORM_ID
        from offline_cache import Outbox, Store, SyncState

        path = Path(self._core.data_dir) / "kiosk.db"
        sync = self._core.sync
        paused = sync.paused_reason if sync is not None else None
        if not path.exists():
            return {"queued": 0, "sending": 0, "acked": 0, "quarantined": 0, "oldest_unsent": "",
                    "ratings_waiting": 0, "ratings_sent": 0,
                    "paused": paused or "", "paused_action": _action(paused), "unprinted": []}
        with Store(path) as store:
            # Applications and 好差评 ratings travel in the same queue but are not the same thing.
            counts = Outbox(store).counts(other_than=RATING_FORM_ID)
            ratings = Outbox(store).counts(form_id=RATING_FORM_ID)
            state = SyncState(store)
            oldest = state.oldest_unsent()
            paused = paused or state.paused_reason()
        return {"queued": counts.get("queued", 0) + counts.get("sealed", 0),
                "sending": counts.get("sending", 0), "acked": counts.get("acked", 0),
                "quarantined": counts.get("quarantined", 0),
                "oldest_unsent": f"{oldest:%Y-%m-%d %H:%M} UTC" if oldest else "",
                "ratings_waiting": ratings["queued"] + ratings["sealed"] + ratings["sending"],
                "ratings_sent": ratings["acked"] + ratings["purged"],
                "paused": paused or "", "paused_action": _action(paused),
                # Receipts owed: stored, never printed (number, service, time; see maintenance_receipts).
                "unprinted": self._unprinted()}  # type: ignore[attr-defined]

    def _enrollment(self) -> dict[str, Any]:
        from .enrollment import Enrollment

        try:
            keys = Enrollment(Path(self._core.data_dir), self._core.config.central.platform_keys_file).platform_keys()
        except ValueError:
            return {"enrolled": False, "terminal_id": "", "central_url": ""}
        if keys is None:
            return {"enrolled": False, "terminal_id": "", "central_url": ""}
        return {"enrolled": True, "terminal_id": keys.terminal_id, "central_url": keys.central_url}

    def _after_device(self, role: str) -> None:
        manager = self._devices()
        device = manager[role]
        device.submit(lambda _driver: manager.refresh(device))
        self._refresh()

    def _test_read(self) -> None:
        device = self._devices()["id_reader"]
        demo = bool(self._core.config.ui.demo_controls)

        def read(driver: Any) -> str:
            # The demo has no card to put down: place its first sample, as the demo buttons do.
            if demo and hasattr(driver, "present") and driver.available_documents():
                driver.present(driver.available_documents()[0][0])
            try:
                identity = driver.read_document(TEST_READ_WAIT_S)
            finally:
                if demo and hasattr(driver, "remove"):
                    driver.remove()
            return str(getattr(identity.document_type, "value", "document"))  # the type only

        self._later("test_read", device.submit(read),
                    self._device_test_done("test_read", "id_reader", "read", lambda kind: kind))

    def _test_print(self) -> None:
        from drivers.printer import Receipt

        config = self._core.config
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
        device = self._devices()["receipt_printer"]
        self._later("test_print", device.submit(lambda driver: driver.print_receipt(page)),
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
                self._result(action, False, f"{code}_failed", type(exc).__name__)
            else:
                self._result(action, True, f"{code}_ok", describe(answer))
            self._audit(action, ok=self._view["results"][action]["ok"])
            self._after_device(role)
        return done

    def _set_preview(self, on: bool) -> None:
        self._view["preview"] = bool(on)
        if not on:
            self._previewing = False
            with self._frame_lock:
                self._frame = None
            return
        if self._previewing:
            return
        self._previewing = True
        self._devices()["camera"].submit(self._preview_step)

    def _preview_step(self, camera: Any) -> None:
        """Camera owner thread: one frame, then queue itself again while the preview is on."""
        if not self._previewing:
            return
        try:
            frame = camera.read_frame(1.0)
        except Exception as exc:
            log.warning("diagnostics camera frame failed: %s", type(exc).__name__)
            time.sleep(0.2)
        else:
            with self._frame_lock:
                self._frame = frame
            self._core.events.publish(MAINTENANCE_FRAME_UPDATED)
        if self._previewing:
            self._devices()["camera"].submit(self._preview_step)


def _action(paused: str | None) -> str:
    """The code of what staff do about a pause (``kiosk.sync_pause``); "" when not paused."""
    from .sync_pause import pause_action

    return pause_action(paused).code if paused else ""
