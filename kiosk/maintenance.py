"""The touch maintenance mode: staff sign-in, diagnostics and repairs, between citizens only.

A staff member opens the PIN pad with a hidden gesture on the attract screen; the service refuses
to open it (or to sign anyone in) while a citizen's session is under way, so maintenance never
interrupts a citizen (the XFS4IoT VendorMode idea: enter only once the application is idle). Once
signed in, staff see every device (state, model, serial, firmware, last error) and can test-read,
test-print and preview the camera; see the queue and sync state and sync now; reprint receipts
that never printed (``kiosk/maintenance_receipts.py``); refresh the catalog;
enroll with a one-time token; export logs to a USB stick; restart; sign out. Staff are signed out
after ``maintenance.idle_timeout_s`` without a touch. Every staff action goes to the audit chain.

Threads: public methods may be called from any thread (the GUI thread included) and only post to
the service's own ``maintenance`` thread, which owns all its state. Device work runs on each
device's owner thread and comes back to the ``maintenance`` thread. Every change is published as
one immutable view dict in a ``maintenance_changed`` event (the Qt bridge re-emits it on the GUI
thread). The view carries no personal data: a test read reports the document type only.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from . import events as ev
from .maintenance_devices import MAINTENANCE_FRAME_UPDATED, DeviceDiagnostics  # noqa: F401 - re-exported
from .maintenance_receipts import ReceiptReprints
from .restart_window import RESTART_EXIT_CODE
from .safe_log import log_exception
from .staff import StaffError, StaffMember, StaffStore

log = logging.getLogger(__name__)

MAINTENANCE_CHANGED = "maintenance_changed"


def _empty_view() -> dict[str, Any]:
    return {"phase": "closed", "staff": None, "pin": {"code": "", "attempts_left": 0, "locked_s": 0},
            "busy": {}, "results": {}, "devices": [], "queue": {}, "enrollment": {}, "catalog": {},
            "export_targets": [], "preview": False, "idle_left": 0}


class MaintenanceService(DeviceDiagnostics, ReceiptReprints):
    """Staff maintenance over a running :class:`~kiosk.core.KioskCore` (see the module doc)."""

    def __init__(self, core: Any, *, staff: StaffStore | None = None,
                 clock: Callable[[], float] = time.monotonic, media_root: Path = Path("/media")) -> None:
        self._core = core
        self._staff = staff or StaffStore(core.data_dir)
        self._clock = clock
        self._media_root = media_root
        settings = getattr(core.config, "maintenance", None)
        self._idle_timeout_s = float(getattr(settings, "idle_timeout_s", 120.0))
        self._export_dir = str(getattr(settings, "export_dir", ""))
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="maintenance")
        self._view = _empty_view()
        self._view_lock = threading.Lock()
        self._published: dict[str, Any] = copy.deepcopy(self._view)
        self._member: StaffMember | None = None
        self._last_touch = clock()
        self._frame: Any = None
        self._frame_lock = threading.Lock()
        self._previewing = False
        self._catalog_pending = False
        self._unsubscribe = core.events.subscribe(self._on_core_event)
        # The nightly restart waits while the PIN pad or the staff screens are open.
        core.restart_blockers.append(lambda: self._view["phase"] != "closed")

    # ---- reading (any thread) ---------------------------------------------------------------
    def view(self) -> dict[str, Any]:
        """The newest published view; never mutated."""
        with self._view_lock:
            return self._published

    def latest_frame(self) -> Any:
        """The newest camera preview frame of the diagnostics screen, or ``None``."""
        with self._frame_lock:
            return self._frame

    # ---- commands (any thread, never blocking) ----------------------------------------------
    def request_entry(self) -> Future[None]:
        """The hidden gesture: show the PIN pad, if no citizen is at the terminal."""
        def enter() -> None:
            if self._view["phase"] != "closed":
                return
            if not self._between_citizens():
                log.info("maintenance gesture ignored: a citizen session is under way")
                return
            self._view["phase"] = "pin"
            try:
                self._view["pin"] = {"code": "" if self._staff.members() else "no_staff", "attempts_left": 0,
                                     "locked_s": int(self._staff.locked_for() + 0.999)}
            except StaffError as exc:  # a damaged staff file: nobody can sign in until it is fixed
                log.error("maintenance: %s", exc)
                self._view["pin"] = {"code": "no_staff", "attempts_left": 0, "locked_s": 0}
            self._last_touch = self._clock()
        return self._post(enter)

    def cancel_entry(self) -> Future[None]:
        """Close the PIN pad without signing in."""
        return self._post(lambda: self._close() if self._view["phase"] == "pin" else None)

    def enter_pin(self, pin: str) -> Future[None]:
        """Check a PIN typed on the pad; signs the staff member in or counts a failure."""
        return self._post(lambda: self._sign_in(pin))

    def sign_out(self, reason: str = "staff") -> Future[None]:
        """End the maintenance session and return to the attract screen."""
        return self._post(lambda: self._sign_out(reason))

    def touched(self) -> Future[None]:
        """Any touch while maintenance is open: postpones the automatic sign-out."""
        return self._post(self._touch, publish=False)

    def tick(self) -> Future[None]:
        """Called about once a second while open: idle sign-out and lock countdown."""
        return self._post(self._tick)

    def refresh(self) -> Future[None]:
        """Re-read device diagnostics, the queue, enrollment and export targets."""
        return self._staff_action(self._refresh)

    def test_read(self) -> Future[None]:
        """Wait for a document on the ID reader and report its type (nothing else)."""
        return self._staff_action(self._test_read)

    def test_print(self) -> Future[None]:
        """Print a test page on the receipt printer."""
        return self._staff_action(self._test_print)

    def set_camera_preview(self, on: bool) -> Future[None]:
        """Start or stop the diagnostics camera preview."""
        return self._staff_action(lambda: self._set_preview(on))

    def sync_now(self) -> Future[None]:
        """Forward the queue now (lifts a pause until the platform refuses again)."""
        return self._staff_action(self._sync_now)

    def refresh_catalog(self) -> Future[None]:
        """Pull the platform's catalog now and show the last good copy."""
        return self._staff_action(self._refresh_catalog)

    def enroll(self, token: str) -> Future[None]:
        """Enroll this terminal with a one-time token from the platform operators."""
        return self._staff_action(lambda: self._enroll(token))

    def export_logs(self, target: str = "") -> Future[None]:
        """Export logs, doctor output and the audit chain to ``target`` (default: the first
        mounted USB medium or ``maintenance.export_dir``)."""
        return self._staff_action(lambda: self._export(target))

    def restart(self) -> Future[None]:
        """Restart the kiosk (the process exits with :data:`RESTART_EXIT_CODE`)."""
        return self._staff_action(self._do_restart)

    def stop(self) -> None:
        """Stop the preview and the service thread (core stops separately)."""
        self._previewing = False
        self._unsubscribe()
        self._thread.shutdown(wait=True)

    # ---- maintenance thread -----------------------------------------------------------------
    def _post(self, action: Callable[[], Any], publish: bool = True) -> Future[None]:
        def run() -> None:
            try:
                action()
            except Exception:
                log_exception(log, "maintenance action failed")
            if publish:
                self._publish()
        try:
            return self._thread.submit(run)
        except RuntimeError:  # stopped
            future: Future[None] = Future()
            future.set_result(None)
            return future

    def _staff_action(self, action: Callable[[], Any]) -> Future[None]:
        def guarded() -> None:
            if self._member is None:
                log.warning("maintenance command without a signed-in staff member ignored")
                return
            self._last_touch = self._clock()
            action()
        return self._post(guarded)

    def _publish(self) -> None:
        view = copy.deepcopy(self._view)
        with self._view_lock:
            if view == self._published:
                return
            self._published = view
        self._core.events.publish(MAINTENANCE_CHANGED, view=view)

    def _between_citizens(self) -> bool:
        return (self._core.snapshot() or {}).get("screen", "attract") == "attract"

    def _audit(self, kind: str, **details: Any) -> None:
        actor = self._member.staff_id if self._member else details.pop("actor", None)
        recorder = getattr(getattr(self._core, "audit", None), "record", None)
        if callable(recorder):
            try:
                recorder(f"staff.{kind}", actor=actor, **details)
            except Exception:
                log_exception(log, "audit record %s failed", kind)
        log.info("staff action %s by %s", kind, actor or "-")

    def _result(self, action: str, ok: bool, code: str, detail: str = "") -> None:
        self._view["busy"].pop(action, None)
        self._view["results"][action] = {"ok": ok, "code": code, "detail": detail}

    def _later(self, action: str, future: Future[Any], done: Callable[[Future[Any]], None]) -> None:
        """Run ``done(future)`` back on this thread when device work finishes."""
        self._view["busy"][action] = True
        self._view["results"].pop(action, None)
        future.add_done_callback(lambda f: self._post(lambda: done(f)))

    def _close(self) -> None:
        self._set_preview(False)
        self._catalog_pending = False
        self._member = None
        self._view = _empty_view()

    def _touch(self) -> None:
        self._last_touch = self._clock()

    def _tick(self) -> None:
        phase = self._view["phase"]
        if phase == "closed":
            return
        idle = self._clock() - self._last_touch
        if idle >= self._idle_timeout_s:
            if phase == "signed_in":
                self._sign_out("idle")
            else:
                self._close()
            return
        self._view["idle_left"] = int(self._idle_timeout_s - idle + 0.999)
        if phase == "pin" and self._view["pin"]["code"] != "no_staff":
            self._view["pin"]["locked_s"] = int(self._staff.locked_for() + 0.999)

    def _sign_in(self, pin: str) -> None:
        if self._view["phase"] != "pin":
            return
        self._last_touch = self._clock()
        if not self._between_citizens():
            self._close()
            return
        try:
            outcome = self._staff.verify(pin)
        except StaffError as exc:
            log.error("maintenance: %s", exc)
            self._view["pin"] = {"code": "no_staff", "attempts_left": 0, "locked_s": 0}
            return
        if outcome.staff is not None:
            self._member = outcome.staff
            self._view["phase"] = "signed_in"
            self._view["staff"] = {"id": outcome.staff.staff_id, "name": outcome.staff.name}
            self._view["pin"] = {"code": "", "attempts_left": 0, "locked_s": 0}
            self._audit("signed_in")
            self._refresh()
            return
        if outcome.refused:
            code = "locked"
        elif outcome.locked_s:
            code = "locked"
            self._audit("locked_out", actor=None, lock_s=int(outcome.locked_s))
        else:
            code = "wrong"
        if not outcome.refused:
            self._audit("sign_in_failed", actor=None, attempts_left=outcome.attempts_left)
        self._view["pin"] = {"code": code, "attempts_left": outcome.attempts_left,
                             "locked_s": int(outcome.locked_s + 0.999)}

    def _sign_out(self, reason: str) -> None:
        if self._member is None:
            self._close()
            return
        self._audit("signed_out", reason=reason)
        self._close()

    # ---- queue, catalog, enrollment, logs, restart ------------------------------------------
    def _sync_now(self) -> None:
        sync = self._core.sync
        if sync is None or not sync.running:
            self._result("sync_now", False, "not_enrolled")
        else:
            sync.sync_now()
            queue = self._queue()
            if queue["queued"] + queue["sending"]:
                # Settled by the worker's sync_completed / sync_failed / sync_paused event.
                self._view["busy"]["sync_now"] = True
                self._view["results"].pop("sync_now", None)
            else:  # the worker reports nothing when there is nothing to send
                self._result("sync_now", True, "sync_nothing")
        self._audit("sync_now")

    def _refresh_catalog(self) -> None:
        sync = self._core.sync
        if sync is not None and sync.running:
            # The worker pulls the platform's documents on this pass; a newer catalog arrives as
            # a document_updated event and is loaded then.
            self._catalog_pending = True
            sync.sync_now()
        self._reload_catalog()
        self._audit("catalog_refreshed")

    def _reload_catalog(self) -> None:
        # The catalog belongs to the journey thread, which never swaps it under a citizen.
        loaded = self._core.reload_catalog()
        loaded.add_done_callback(lambda f: self._post(lambda: self._catalog_loaded(f.result())))

    def _catalog_loaded(self, version: str) -> None:
        self._view["catalog"] = {"version": version}
        self._result("catalog", True, "catalog_ok", version)

    def _enroll(self, token: str) -> None:
        from .enrollment import Enrollment
        from .sync_service import enroll_terminal

        config = self._core.config
        try:
            keys = enroll_terminal(config.central.url, config.terminal.site_code, config.terminal.terminal_id,
                                   Enrollment(Path(self._core.data_dir), config.central.platform_keys_file), token)
        except Exception as exc:
            self._result("enroll", False, "enroll_failed", type(exc).__name__)
            self._audit("enrolled", ok=False)
            return
        sync = self._core.sync
        if sync is not None and not sync.running:
            sync.start()  # it did not start while the terminal was not enrolled
        self._result("enroll", True, "enroll_ok", keys.terminal_id)
        self._audit("enrolled", ok=True)
        self._refresh()

    def _export(self, target: str) -> None:
        from .log_export import export_logs, export_targets

        targets = [Path(target)] if target else export_targets(self._export_dir, self._media_root)
        if not targets:
            self._result("export", False, "no_usb")
            return
        self._view["queue"] = self._queue()
        try:
            folder = export_logs(self._core, targets[0], self._view["queue"])
        except OSError as exc:
            self._result("export", False, "export_failed", type(exc).__name__)
            self._audit("logs_exported", ok=False)
            return
        self._audit("logs_exported", ok=True)
        self._result("export", True, "export_ok", str(folder))

    def _do_restart(self) -> None:
        self._audit("restarted")
        self._close()
        # The same road as the nightly restart: the UI's supervisor exits with this code.
        self._core.events.publish(ev.RESTART_DUE, exit_code=RESTART_EXIT_CODE,
                                  reason="staff")

    # ---- core events (any thread) -----------------------------------------------------------
    def _on_core_event(self, event: ev.Event) -> None:
        if event.name != ev.SYNC_PROGRESSED or self._member is None:
            return
        step = str(event.data.get("step"))
        if step in ("sync_completed", "sync_failed", "sync_paused", "document_updated", "submission_acked"):
            reason = str(event.data.get("reason", ""))
            self._post(lambda: self._sync_progressed(step, reason))

    def _sync_progressed(self, step: str, reason: str) -> None:
        if step == "document_updated":
            if self._catalog_pending:
                self._reload_catalog()
            return
        last = self._view["results"].get("sync_now", {})
        settles = self._view["busy"].pop("sync_now", None) or (
            last.get("code") == "sync_nothing" and step in ("sync_failed", "sync_paused"))
        if step != "submission_acked" and settles:
            ok = step == "sync_completed"
            self._result("sync_now", ok, "sync_ok" if ok else "sync_failed", "" if ok else reason or step)
        if self._member is not None:
            self._view["queue"] = self._queue()
