"""What this terminal tells the fleet page in each heartbeat, beyond the queue: device states with
their XFS-style detail (``paper_near_end``), the audit head, open "call staff" alerts, and the
software version with the last update's outcome (``kiosk.releases``).

:class:`FleetStatus` subscribes to the core's events. A citizen pressing "call staff" (or a
receipt that could not print) opens an alert and asks for a heartbeat at once (``on_alert``,
wired to :meth:`kiosk.sync_service.SyncService.heartbeat_now`); heartbeats are queued in the
terminal database, so an alert raised offline reaches the platform when the network returns. The
alert closes when that citizen's session is wiped. Handlers run on the publishing thread and only
touch a few fields under a lock; :meth:`heartbeat_fields` runs on the sync worker's thread.
Nothing here is personal: roles, states, screen names and times.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from drivers.common import DeviceStatus

from . import events as ev
from .safe_log import log_exception

log = logging.getLogger(__name__)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class FleetStatus:
    """Device states, audit head and open alerts for heartbeats. ``attach(hub)`` to start."""

    def __init__(self, audit_head: Callable[[], tuple[int, str]] | None = None,
                 clock: Callable[[], datetime] = _utcnow,
                 update: Callable[[], dict[str, Any]] | None = None) -> None:
        """``audit_head()`` gives ``(seq, hash)`` of the audit chain, ``update()`` the software
        version and the last update's outcome (``kiosk.releases.Installation.summary``); both
        on any thread."""
        self._audit_head = audit_head
        self._update = update
        self._clock = clock
        self._lock = threading.Lock()
        self._devices: dict[str, dict[str, str]] = {}
        self._alerts: dict[str, dict[str, Any]] = {}
        #: Called (publishing thread) when an alert opens or closes; must return at once.
        self.on_alert: Callable[[], None] | None = None

    def attach(self, hub: ev.EventHub) -> Callable[[], None]:
        """Subscribe to the core's events; returns the unsubscribe function."""
        return hub.subscribe(self.on_event)

    def on_event(self, event: ev.Event) -> None:
        """Handle one core event (publishing thread)."""
        if event.name == ev.DEVICE_STATUS_CHANGED:
            status = event.data.get("status")
            with self._lock:
                self._devices[str(event.data.get("role"))] = _status_fields(status)
        elif event.name == ev.STAFF_CALLED:
            alert = {"id": str(uuid.uuid4()), "kind": "staff_called",
                     "raised_at": self._clock().isoformat(timespec="seconds"),
                     "screen": str(event.data.get("screen") or ""),
                     "reason": str(event.data.get("reason") or "citizen")}
            with self._lock:
                self._alerts[alert["id"]] = alert
            log.info("alert opened: %s on %s", alert["reason"], alert["screen"])
            self._beat_now()
        elif event.name == ev.SESSION_WIPED:
            with self._lock:
                had_alerts = bool(self._alerts)
                self._alerts.clear()
            if had_alerts:  # the page shows it cleared now, not at the next timed heartbeat
                self._beat_now()

    def _beat_now(self) -> None:
        if self.on_alert is not None:
            try:
                self.on_alert()
            except Exception:
                log_exception(log, "immediate heartbeat not requested")

    def seed_devices(self, statuses: dict[str, DeviceStatus]) -> None:
        """Take the devices' current statuses (before their first change event)."""
        with self._lock:
            for role, status in statuses.items():
                self._devices.setdefault(role, _status_fields(status))

    def heartbeat_fields(self) -> dict[str, Any]:
        """The heartbeat's ``devices``, ``alerts``, ``audit`` and ``update`` fields (any
        thread)."""
        with self._lock:
            devices = {role: dict(state) for role, state in self._devices.items()}
            alerts = [dict(alert) for alert in self._alerts.values()]
        seq, digest = self._audit_head() if self._audit_head else (0, "")
        fields = {"devices": devices, "alerts": alerts, "audit": {"seq": seq, "hash": digest}}
        if self._update is not None:
            try:
                fields["update"] = self._update()
            except Exception:  # an unreadable installation must not cost the heartbeat
                log_exception(log, "update status not read")
        return fields


def _status_fields(status: object) -> dict[str, str]:
    """A device's status as the heartbeat carries it (state, action, a short detail)."""
    if not isinstance(status, DeviceStatus):
        return {"state": "", "action": "", "detail": ""}
    return {"state": str(status.state), "action": str(status.action), "detail": status.detail[:80]}
