"""The touch maintenance mode: staff sign-in, diagnostics and repairs, between citizens only.

A staff member opens the PIN pad with a hidden gesture on the attract screen; the service refuses
to open it (or to sign anyone in) while a citizen's session is under way, so maintenance never
interrupts a citizen (the XFS4IoT VendorMode idea: enter only once the application is idle). Once
signed in, staff see every device (state, model, serial, firmware, last error) and can test-read,
test-print and preview the camera; see the queue and sync state and sync now; reprint receipts
that never printed (``kiosk/maintenance_receipts.py``); refresh the catalog;
enroll with a one-time token; export logs to a USB stick; restart; sign out. Staff are signed out
after ``maintenance.idle_timeout_s`` without a touch. Every staff action goes to the audit chain.

Split by job, each working on one shared :class:`~kiosk.maintenance_desk.MaintenanceDesk`: staff
sign-in (:mod:`kiosk.maintenance_signin`), device diagnostics (:mod:`kiosk.maintenance_devices`)
and operations (:mod:`kiosk.maintenance_operations`, with :mod:`kiosk.maintenance_receipts`).
This module is their public face.

Threads: public methods may be called from any thread (the GUI thread included) and only post to
the service's own ``maintenance`` thread, which owns all its state. Device work runs on each
device's owner thread and comes back to the ``maintenance`` thread. Every change is published as
one immutable view dict in a ``maintenance_changed`` event (the Qt bridge re-emits it on the GUI
thread). The view carries no personal data: a test read reports the document type only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import events as ev
from .maintenance_desk import MAINTENANCE_CHANGED, MaintenanceDesk
from .maintenance_devices import MAINTENANCE_FRAME_UPDATED, DeviceDiagnostics
from .maintenance_operations import MaintenanceOperations
from .maintenance_receipts import ReceiptReprints
from .maintenance_signin import StaffSignIn
from .restart_window import RESTART_EXIT_CODE
from .staff import StaffStore

if TYPE_CHECKING:
    from .core import KioskCore

__all__ = ["MAINTENANCE_CHANGED", "MAINTENANCE_FRAME_UPDATED", "RESTART_EXIT_CODE", "MaintenanceService"]

log = logging.getLogger(__name__)


class MaintenanceService:
    """Staff maintenance over a running :class:`~kiosk.core.KioskCore` (see the module doc)."""

    def __init__(self, core: KioskCore, *, staff: StaffStore | None = None,
                 clock: Callable[[], float] = time.monotonic, media_root: Path = Path("/media")) -> None:
        self._core = core
        settings = core.config.maintenance
        self._desk = desk = MaintenanceDesk(core, clock)
        self._diagnostics = DeviceDiagnostics(desk, self._refresh)
        self._reprints = ReceiptReprints(desk, self._diagnostics.after_device)
        self._operations = MaintenanceOperations(
            desk, export_dir=str(settings.export_dir), media_root=media_root,
            unprinted=self._reprints.unprinted, refresh_all=self._refresh)
        self._sign_in = StaffSignIn(desk, staff or StaffStore(core.data_dir), float(settings.idle_timeout_s),
                                    signed_in=self._refresh)
        self._unsubscribe = core.events.subscribe(self._on_core_event)
        # The nightly restart waits while the PIN pad or the staff screens are open.
        core.restart_blockers.append(lambda: desk.view["phase"] != "closed")

    # ---- reading (any thread) ---------------------------------------------------------------
    def view(self) -> dict[str, Any]:
        """The newest published view; never mutated."""
        return self._desk.published()

    def latest_frame(self) -> Any:
        """The newest camera preview frame of the diagnostics screen, or ``None``."""
        return self._diagnostics.latest_frame()

    # ---- commands (any thread, never blocking) ----------------------------------------------
    def request_entry(self) -> Future[None]:
        """The hidden gesture: show the PIN pad, if no citizen is at the terminal."""
        return self._desk.post(self._sign_in.open_pad)

    def cancel_entry(self) -> Future[None]:
        """Close the PIN pad without signing in."""
        return self._desk.post(self._sign_in.close_pad)

    def enter_pin(self, pin: str) -> Future[None]:
        """Check a PIN typed on the pad; signs the staff member in or counts a failure."""
        return self._desk.post(lambda: self._sign_in.sign_in(pin))

    def sign_out(self, reason: str = "staff") -> Future[None]:
        """End the maintenance session and return to the attract screen."""
        return self._desk.post(lambda: self._sign_in.sign_out(reason))

    def touched(self) -> Future[None]:
        """Any touch while maintenance is open: postpones the automatic sign-out."""
        return self._desk.post(self._sign_in.touched, publish=False)

    def tick(self) -> Future[None]:
        """Called about once a second while open: idle sign-out and lock countdown."""
        return self._desk.post(self._sign_in.tick)

    def refresh(self) -> Future[None]:
        """Re-read device diagnostics, the queue, enrollment and export targets."""
        return self._desk.staff_action(self._refresh)

    def test_read(self) -> Future[None]:
        """Wait for a document on the ID reader and report its type (nothing else)."""
        return self._desk.staff_action(self._diagnostics.test_read)

    def test_print(self) -> Future[None]:
        """Print a test page on the receipt printer."""
        return self._desk.staff_action(self._diagnostics.test_print)

    def set_camera_preview(self, on: bool) -> Future[None]:
        """Start or stop the diagnostics camera preview."""
        return self._desk.staff_action(lambda: self._diagnostics.set_preview(on))

    def sync_now(self) -> Future[None]:
        """Forward the queue now (lifts a pause until the platform refuses again)."""
        return self._desk.staff_action(self._operations.sync_now)

    def reprint_receipt(self, receipt_number: str) -> Future[None]:
        """Print an owed (or any remembered) receipt again, as a reprint without the name."""
        return self._desk.staff_action(lambda: self._reprints.reprint(receipt_number))

    def refresh_catalog(self) -> Future[None]:
        """Pull the platform's catalog now and show the last good copy."""
        return self._desk.staff_action(self._operations.refresh_catalog)

    def enroll(self, token: str) -> Future[None]:
        """Enroll this terminal with a one-time token from the platform operators."""
        return self._desk.staff_action(lambda: self._operations.enroll(token))

    def export_logs(self, target: str = "") -> Future[None]:
        """Export logs, doctor output and the audit chain to ``target`` (default: the first
        mounted USB medium or ``maintenance.export_dir``)."""
        return self._desk.staff_action(lambda: self._operations.export(target))

    def restart(self) -> Future[None]:
        """Restart the kiosk (the process exits with :data:`RESTART_EXIT_CODE`)."""
        return self._desk.staff_action(self._operations.restart)

    def stop(self) -> None:
        """Stop the preview and the service thread (core stops separately)."""
        self._diagnostics.stop()
        self._unsubscribe()
        self._desk.thread.stop(wait=True, cancel_pending=False)

    # ---- maintenance thread -----------------------------------------------------------------
    def _refresh(self) -> None:
        self._diagnostics.refresh()
        self._operations.refresh()

    # ---- core events (any thread) -----------------------------------------------------------
    def _on_core_event(self, event: ev.Event) -> None:
        if event.name != ev.SYNC_PROGRESSED or self._desk.member is None:
            return
        step = str(event.data.get("step"))
        if step in ("sync_completed", "sync_failed", "sync_paused", "document_updated", "submission_acked",
                    "case_statuses_updated"):
            reason = str(event.data.get("reason", ""))
            self._desk.post(lambda: self._operations.sync_progressed(step, reason))
