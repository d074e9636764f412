"""The heartbeat half of ``SyncWorker``: queue one when due (or at once for an alert), send the
queued ones. Heartbeats are queued in the terminal database first, so those made offline are
delivered, oldest first, when the platform answers again. Worker thread, except
:meth:`HeartbeatSending.heartbeat_now` (any thread).

Each heartbeat's audit head goes with a proof that it extends the head reported before it
(``central.audit_anchor``): ``audit.proof = {"seq", "hash"}``, the hash the terminal's chain
holds, when sent, at the sequence of the previous head (the previous heartbeat in the batch, or
the last one the platform acknowledged, kept in ``SyncState``)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from offline_cache.audit_trail import AuditTrail

REPORTED_SEQ = "audit_reported_seq"

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
            self._prove_heads(pending)
            acked = self._client.send_heartbeats(pending)
            self._state.drop_heartbeats(acked)
            reported = [_seq(beat) for beat in pending if beat["id"] in set(acked) and _seq(beat)]
            if reported:
                self._state.put(REPORTED_SEQ, str(reported[-1]))

    def _prove_heads(self, pending: list[dict[str, Any]]) -> None:
        """Add to each head that moved on the proof that it extends the one before."""
        trail = AuditTrail(self._state.store)
        previous = int(self._state.get(REPORTED_SEQ) or 0)
        for beat in pending:
            seq = _seq(beat)
            if not seq:
                continue  # nothing to prove: no head, or an empty chain
            if seq > previous:
                beat["audit"]["proof"] = {"seq": previous, "hash": trail.hash_at(previous)}
            previous = seq


def _seq(beat: dict[str, Any]) -> int:
    """The sequence of a heartbeat's audit head (0 when it carries none)."""
    audit = beat.get("audit")
    seq = audit.get("seq") if isinstance(audit, dict) else None
    return seq if isinstance(seq, int) and not isinstance(seq, bool) and seq > 0 else 0
