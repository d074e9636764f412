"""What the maintenance mode's three jobs share: the view, the staff member, the thread, the audit.

:class:`kiosk.maintenance.MaintenanceService` is split by job -- staff sign-in
(:mod:`kiosk.maintenance_signin`), device diagnostics (:mod:`kiosk.maintenance_devices`) and
operations on the queue, catalog, enrollment, logs and receipts (:mod:`kiosk.maintenance_operations`)
-- and each job works on one :class:`MaintenanceDesk`. Everything here runs on the service's
``maintenance`` thread unless it says "any thread".
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any

from drivers.common import OwnerThread

from .safe_log import log_exception

if TYPE_CHECKING:
    from .core import KioskCore
    from .devices import DeviceManager
    from .staff import StaffMember

log = logging.getLogger(__name__)

MAINTENANCE_CHANGED = "maintenance_changed"


def empty_view() -> dict[str, Any]:
    """The view of a closed maintenance mode."""
    return {"phase": "closed", "staff": None, "pin": {"code": "", "attempts_left": 0, "locked_s": 0},
            "busy": {}, "results": {}, "devices": [], "queue": {}, "enrollment": {}, "catalog": {},
            "export_targets": [], "preview": False, "idle_left": 0}


class MaintenanceDesk:
    """The maintenance thread's shared state, and the ways to post to it and publish from it."""

    def __init__(self, core: KioskCore, clock: Callable[[], float]) -> None:
        """``core`` is the running :class:`~kiosk.core.KioskCore` (any thread)."""
        self.core = core
        self.clock = clock
        self.thread = OwnerThread("maintenance")
        #: The view being changed (maintenance thread); published as a copy.
        self.view = empty_view()
        #: The signed-in staff member, or ``None``.
        self.member: StaffMember | None = None
        self.last_touch = clock()
        self._view_lock = threading.Lock()
        self._published: dict[str, Any] = copy.deepcopy(self.view)
        self._closing: list[Callable[[], None]] = []

    # ---- any thread -------------------------------------------------------------------------
    def published(self) -> dict[str, Any]:
        """The newest published view; never mutated (any thread)."""
        with self._view_lock:
            return self._published

    def post(self, action: Callable[[], object], publish: bool = True) -> Future[None]:
        """Run ``action`` on the maintenance thread, then publish the view (any thread)."""
        def run() -> None:
            try:
                action()  # a failure is logged by the owner thread (type and stack only)
            finally:
                if publish:
                    self.publish()
        return self.thread.post(run)

    def staff_action(self, action: Callable[[], object]) -> Future[None]:
        """Like :meth:`post`, only while a staff member is signed in; counts as a touch."""
        def guarded() -> None:
            if self.member is None:
                log.warning("maintenance command without a signed-in staff member ignored")
                return
            self.last_touch = self.clock()
            action()
        return self.post(guarded)

    # ---- maintenance thread -----------------------------------------------------------------
    def publish(self) -> None:
        """Publish the view as ``maintenance_changed`` if it changed."""
        view = copy.deepcopy(self.view)
        with self._view_lock:
            if view == self._published:
                return
            self._published = view
        self.core.events.publish(MAINTENANCE_CHANGED, view=view)

    def between_citizens(self) -> bool:
        """True while the attract screen is shown (no citizen at the terminal)."""
        return bool((self.core.snapshot() or {}).get("screen", "attract") == "attract")

    def devices(self) -> DeviceManager:
        """The terminal's devices; raises until they are open."""
        devices: DeviceManager | None = self.core.devices
        if devices is None:
            raise RuntimeError("devices are not started yet")
        return devices

    def audit(self, kind: str, **details: Any) -> None:
        """Record staff action ``kind`` in the audit chain (by the signed-in member)."""
        actor = self.member.staff_id if self.member else details.pop("actor", None)
        try:
            self.core.audit.record(f"staff.{kind}", actor=actor, **details)
        except Exception:
            log_exception(log, "audit record %s failed", kind)
        log.info("staff action %s by %s", kind, actor or "-")

    def result(self, action: str, ok: bool, code: str, detail: str = "") -> None:
        """Show the outcome of ``action`` (no longer busy)."""
        self.view["busy"].pop(action, None)
        self.view["results"][action] = {"ok": ok, "code": code, "detail": detail}

    def later(self, action: str, future: Future[Any], done: Callable[[Future[Any]], None]) -> None:
        """Show ``action`` busy; run ``done(future)`` back on this thread when device work ends."""
        self.view["busy"][action] = True
        self.view["results"].pop(action, None)
        future.add_done_callback(lambda f: self.post(lambda: done(f)))

    def on_close(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` whenever the maintenance mode closes (a job's own clean-up)."""
        self._closing.append(hook)

    def close(self) -> None:
        """Close the maintenance mode: every job cleans up, nobody is signed in."""
        for hook in self._closing:
            hook()
        self.member = None
        self.view = empty_view()
