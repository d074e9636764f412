"""What the core's events become in the audit log: citizen sessions and device faults.

:class:`SessionAuditor` subscribes to the core's :class:`~kiosk.events.EventHub` and records,
without any personal data, when a session starts, which screens it reaches, the service, the
receipt number and the outcome with durations, staff calls, and device faults and recoveries.
Handlers run on whichever thread published the event (journey, device owners, sync); they only
compare a few values under a lock and hand the event to the audit writer, so they never block.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from drivers.common import DeviceState, DeviceStatus

from . import events as ev
from .audit import AuditLog

#: Device states that count as a fault (XFS4IoT-like; see drivers.common.DeviceState).
FAULT_STATES = frozenset({"offline", "no_device", "hardware_error", "user_error"})


class SessionAuditor:
    """Turns core events into audit events. ``attach(hub)`` subscribes; any thread."""

    def __init__(self, audit: AuditLog, clock: Callable[[], float] = time.monotonic) -> None:
        """Record into ``audit``; ``clock`` measures session durations."""
        self._audit = audit
        self._clock = clock
        self._lock = threading.Lock()
        self._screen = "attract"
        self._started: float | None = None
        self._service: str | None = None
        self._receipt: str | None = None
        self._faulted: set[str] = set()

    def attach(self, hub: ev.EventHub) -> Callable[[], None]:
        """Subscribe to ``hub``; returns the unsubscribe function."""
        return hub.subscribe(self.on_event)

    def on_event(self, event: ev.Event) -> None:
        """Handle one core event (publishing thread)."""
        handler = _HANDLERS.get(event.name)
        if handler is not None:
            handler(self, event.data)

    # ---- sessions -------------------------------------------------------------------------
    def _journey(self, data: dict[str, Any]) -> None:
        snapshot = data.get("snapshot") or {}
        screen = snapshot.get("screen")
        if not isinstance(screen, str):
            return
        with self._lock:
            if screen == self._screen:
                return
            previous, self._screen = self._screen, screen
            if screen == "attract":
                return  # the wipe event records the end
            service = (snapshot.get("service") or {}).get("id")
            if previous == "attract" or self._started is None:
                self._started, self._service, self._receipt = self._clock(), service, None
                self._audit.record("session.started", service=service, screen=screen)
                return
            elapsed = self._elapsed()
        self._audit.record("session.step_reached", service=service, screen=screen, elapsed_s=elapsed)

    def _submitted(self, data: dict[str, Any]) -> None:
        with self._lock:
            self._receipt = data.get("receipt_number")
            elapsed, service = self._elapsed(), self._service
        self._audit.record("session.submitted", service=service, receipt_number=self._receipt,
                           elapsed_s=elapsed)

    def _wiped(self, data: dict[str, Any]) -> None:
        with self._lock:
            elapsed, service, receipt, screen = self._elapsed(), self._service, self._receipt, self._screen
            self._started, self._service, self._receipt = None, None, None
        self._audit.record("session.wiped", reason=data.get("reason"), service=service,
                           last_screen=screen, outcome="submitted" if receipt else "abandoned",
                           duration_s=elapsed)

    def _elapsed(self) -> int | None:
        return None if self._started is None else round(self._clock() - self._started)

    def _receipt_printed(self, data: dict[str, Any]) -> None:
        self._audit.record("receipt.printed", receipt_number=data.get("receipt_number"))

    def _receipt_failed(self, data: dict[str, Any]) -> None:
        self._audit.record("receipt.print_failed", receipt_number=data.get("receipt_number"),
                           action=str(data.get("action")))

    def _staff_called(self, data: dict[str, Any]) -> None:
        self._audit.record("staff.called", screen=data.get("screen"), reason=data.get("reason"))

    # ---- devices --------------------------------------------------------------------------
    def _device(self, data: dict[str, Any]) -> None:
        role, status = str(data.get("role")), data.get("status")
        if not isinstance(status, DeviceStatus):
            status = DeviceStatus(DeviceState.STARTING, detail="no status")
        state, action, detail = status.state.value, status.action.value, status.detail
        with self._lock:
            was_faulted = role in self._faulted
            if state in FAULT_STATES:
                self._faulted.add(role)
            else:
                self._faulted.discard(role)
        if state in FAULT_STATES:
            self._audit.record("device.faulted", device=role, state=state, action=action, detail=detail)
        elif was_faulted and state == "online":
            self._audit.record("device.recovered", device=role, state=state)


_HANDLERS: dict[str, Callable[[SessionAuditor, dict[str, Any]], None]] = {
    ev.JOURNEY_CHANGED: SessionAuditor._journey,
    ev.SUBMISSION_QUEUED: SessionAuditor._submitted,
    ev.SESSION_WIPED: SessionAuditor._wiped,
    ev.RECEIPT_PRINTED: SessionAuditor._receipt_printed,
    ev.RECEIPT_PRINT_FAILED: SessionAuditor._receipt_failed,
    ev.STAFF_CALLED: SessionAuditor._staff_called,
    ev.DEVICE_STATUS_CHANGED: SessionAuditor._device,
}
