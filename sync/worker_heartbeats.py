"""The heartbeat half of ``SyncWorker``: queue one when due (or at once for an alert), send the
queued ones. Heartbeats are queued in the terminal database first, so those made offline are
delivered, oldest first, when the platform answers again. Worker thread, except
:meth:`HeartbeatSending.heartbeat_now` (any thread)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from offline_cache import Outbox
    from offline_cache.state import SyncState

    from .client import CentralClient


class HeartbeatSending:
    """Mixin of ``SyncWorker``; uses the worker's members declared below."""

    _heartbeat: Callable[[Outbox], dict[str, Any]] | None
    _heartbeat_interval_s: float
    _beat_now: threading.Event
    _wake: threading.Event
    _state: SyncState
    _clock: Callable[[], datetime]
    _client: CentralClient

    def heartbeat_now(self) -> None:
        """Queue a heartbeat on the next pass (even offline) and wake the worker: an alert must
        not wait for the interval. Any thread; returns at once."""
        self._beat_now.set()
        self._wake.set()

    def _queue_heartbeat_if_due(self, outbox: Outbox) -> None:
        if self._heartbeat is None:
            return
        last = self._state.last_heartbeat_at()
        now = self._clock()
        if (last is None or self._beat_now.is_set()
                or (now - last).total_seconds() >= self._heartbeat_interval_s):
            self._beat_now.clear()
            self._state.queue_heartbeat(self._heartbeat(outbox), now)
            self._state.put("last_heartbeat_at", now.isoformat())

    def _send_heartbeats(self) -> None:
        pending = self._state.pending_heartbeats()
        if pending and hasattr(self._client, "send_heartbeats"):
            self._state.drop_heartbeats(self._client.send_heartbeats(pending))
