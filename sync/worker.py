"""``SyncWorker``: the thread that drains the outbox to the central platform.

The worker opens its own ``Outbox`` (and so its own SQLite connection) on its own thread through
``outbox_factory``, and closes that store when it stops. Each pass leases due records and sends
them one by one:

- acked → ``mark_acked``, event ``submission_acked``
- rejected (4xx other than 401/403) → ``quarantine`` that record only, event
  ``submission_quarantined``; the pass goes on with the next record
- unavailable / captive portal / malformed answer → that record is retried later with
  per-record exponential backoff and jitter, the rest of the batch is handed back untouched, the
  pass ends (event ``sync_failed``) and the worker probes again after a transport backoff capped
  at ``interval_s``. It never gives up.
- 401/403 → the queue pauses (``SyncState`` keeps the reason, event ``sync_paused``) until staff
  act: ``sync_now()`` (``kioskctl sync``, re-enrollment) lifts the pause (event
  ``sync_resumed``) and tries again.

Small records (detached blobs up to ``inline_limit`` bytes) go through the batch endpoint with
their blobs inline; larger ones upload their blobs resumably, then ``PUT`` alone. Each pass also
queues a heartbeat when ``heartbeat`` is given and one is due, sends queued heartbeats, pulls
the platform documents when ``documents`` is given, and pulls the statuses of this terminal's cases.

``sync_now()`` (network came back, staff pressed "sync") makes every queued record due and wakes
the worker. Events go to ``on_event(name, data)`` on the worker thread; ``data`` holds ids,
receipt numbers and counts, never personal data.

The batch, heartbeat, document and case-status parts live in ``worker_batches``,
``worker_heartbeats``, ``worker_documents`` and ``worker_case_updates``, each a mixin over the
worker's members.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from egov_protocol.errors import (
    CentralRejected,
    CentralUnavailable,
)
from offline_cache.state import PAUSED, SyncState

from .backoff import Backoff
from .worker_batches import BatchSending, _Batch, _reason
from .worker_case_updates import CaseUpdatesPulling
from .worker_documents import DocumentPulling
from .worker_heartbeats import HeartbeatSending

if TYPE_CHECKING:
    from egov_protocol.protocol import CentralReceipt
    from offline_cache import Outbox, OutboxRecord

    from .client import CentralClient

log = logging.getLogger(__name__)

EventCallback = Callable[[str, dict[str, Any]], None]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Pass:
    acked: int = 0
    quarantined: int = 0
    failed: int = 0
    aborted: bool = False
    idle: bool = False
    failure: dict[str, Any] = field(default_factory=dict)

    @property
    def attempted(self) -> bool:
        """True when the pass sent at least one record, whatever became of it."""
        return bool(self.acked or self.quarantined or self.failed)


class SyncWorker(BatchSending, HeartbeatSending, DocumentPulling, CaseUpdatesPulling):
    """Drains the outbox on a dedicated thread. ``start()``, ``sync_now()``, ``stop()``."""

    def __init__(
        self,
        outbox_factory: Callable[[], Outbox],
        client: CentralClient,
        interval_s: float = 60.0,
        *,
        on_event: EventCallback | None = None,
        backoff: Backoff | None = None,
        batch_size: int = 20,
        clock: Callable[[], datetime] = _utcnow,
        heartbeat: Callable[[Outbox], dict[str, Any]] | None = None,
        heartbeat_interval_s: float = 300.0,
        documents: tuple[bytes, tuple[str, ...]] | None = None,
        inline_limit: int = 512 * 1024,
        exit_when_idle: bool = False,
        purge_after_s: float | None = 7 * 86400.0,
        pipeline: int = 2,
    ) -> None:
        """``outbox_factory`` is called on the worker thread and must return an ``Outbox`` on an
        open ``Store`` that the worker then owns. ``interval_s`` is the longest idle wait.
        ``heartbeat(outbox)`` builds a heartbeat body; ``documents`` is ``(platform Ed25519
        public key, kinds)`` to pull; ``exit_when_idle`` ends the thread once nothing is due
        (``kioskctl sync``); records acked longer than ``purge_after_s`` ago lose their sealed
        bytes and blobs (a tombstone stays). ``pipeline`` batches may be in flight at once."""
        self._pipeline = max(1, pipeline)
        self._purge_after_s = purge_after_s
        self._heartbeat = heartbeat
        self._heartbeat_interval_s = heartbeat_interval_s
        self._documents = documents
        self._inline_limit = inline_limit
        self._exit_when_idle = exit_when_idle
        self._outbox_factory = outbox_factory
        self._client = client
        self._interval_s = interval_s
        self._on_event = on_event
        self._backoff = backoff or Backoff()
        self._batch_size = batch_size
        self._clock = clock
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._forced = threading.Event()
        self._beat_now = threading.Event()  # an alert: queue a heartbeat on the next pass
        self._thread: threading.Thread | None = None
        self._sender: ThreadPoolExecutor | None = None  # created on first batch
        self._hold = threading.Event()  # set by the sender thread when a batch fails
        self._state: SyncState  # opened on the worker thread, with its outbox

    @property
    def is_running(self) -> bool:
        """True while the worker thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the worker thread (once). Any thread."""
        if self._thread is not None:
            raise RuntimeError("SyncWorker can only be started once")
        self._thread = threading.Thread(target=self._run, name="sync-worker", daemon=True)
        self._thread.start()

    def sync_now(self) -> None:
        """Make every queued record due and wake the worker. Any thread; returns at once."""
        self._forced.set()
        self._wake.set()

    def stop(self, timeout: float | None = None) -> None:
        """Ask the worker to finish the record in flight, hand back its lease, and join it."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    # -- worker thread -----------------------------------------------------------------------

    def _run(self) -> None:
        outbox = None
        transport_failures = 0
        offline = False  # the last pass that tried to reach the platform failed
        try:
            while not self._stopping.is_set():
                try:
                    if outbox is None:
                        outbox = self._outbox_factory()
                        self._state = SyncState(outbox.store)
                        outbox.release_expired_leases(self._clock())
                    forced = self._forced.is_set()
                    if forced:
                        self._forced.clear()
                        if self._state.paused_reason() is not None:  # staff lifted the pause
                            self._state.put(PAUSED, None)
                            self._emit("sync_resumed", {})
                        outbox.retry_now(self._clock())
                    if offline and not forced and self._network_is_back():
                        # The platform answers again: everything waiting is due now, not
                        # after its per-record backoff.
                        outbox.retry_now(self._clock())
                        offline = False
                    result = _Pass() if self._state.paused_reason() is not None else self._pass(outbox)
                    if result.aborted:
                        offline = True
                    elif result.attempted:
                        if offline:
                            # A send got through before the probe noticed: the network is back
                            # all the same, so nothing may sit out its per-record backoff.
                            outbox.retry_now(self._clock())
                        offline = False
                except Exception as exc:  # the worker must outlive a bad pass
                    log.exception("sync pass failed")
                    self._emit("sync_failed", {"reason": "internal", "error": type(exc).__name__})
                    result = _Pass(aborted=True)
                if result.aborted:
                    transport_failures += 1
                    wait = min(self._interval_s, self._backoff.delay(transport_failures))
                else:
                    transport_failures = 0
                    wait = self._idle_wait(outbox)
                if self._exit_when_idle and (result.aborted or self._paused() or
                                             wait >= self._interval_s or result.idle):
                    break
                self._wake.wait(wait)
                self._wake.clear()
        finally:
            if self._sender is not None:
                self._sender.shutdown(wait=True)
            if outbox is not None:
                outbox.store.close()

    def _network_is_back(self) -> bool:
        probe = getattr(self._client, "health", None)
        if probe is None:
            return False
        try:
            probe()
        except Exception:
            return False
        return True

    def _paused(self) -> bool:
        state = getattr(self, "_state", None)
        return state is not None and state.paused_reason() is not None

    def _pass(self, outbox: Outbox) -> _Pass:
        self._queue_heartbeat_if_due(outbox)
        result = self._drain(outbox)
        if self._purge_after_s is not None:
            now = self._clock()
            outbox.purge_acked(now - timedelta(seconds=self._purge_after_s), now)
        if result.aborted or self._paused():
            return result
        try:
            self._send_heartbeats()
            self._pull_documents()
            self._pull_case_updates()
        except CentralRejected as exc:
            if exc.is_auth:
                self._pause(exc)
            else:
                log.warning("platform refused a heartbeat, document or case-update request: %s",
                            exc.status)
        except CentralUnavailable as exc:
            result.aborted = True
            self._emit("sync_failed", {"reason": "unavailable", "error": str(exc)})
        return result

    def _pause(self, exc: CentralRejected) -> None:
        reason = f"{exc.status} {exc.reason}"
        self._state.put(PAUSED, reason)
        log.warning("sync paused: the platform refused this terminal (%s)", exc.status)
        self._emit("sync_paused", {"status": exc.status, "reason": exc.reason})

    def _idle_wait(self, outbox: Outbox | None) -> float:
        try:
            due = outbox.next_due_at() if outbox is not None else None
        except Exception:  # the next pass will report it; never let the thread die here
            log.exception("cannot read the next due time")
            return self._interval_s
        if due is None:
            return self._interval_s
        return min(self._interval_s, max(0.01, (due - self._clock()).total_seconds()))

    def _drain(self, outbox: Outbox) -> _Pass:
        result = _Pass()
        batching = hasattr(self._client, "put_batch")
        # Up to ``pipeline`` batches are in flight on sender threads while this thread leases,
        # reads and acks around them: the terminal's work, the platform's checks and the
        # platform's disk writes overlap instead of taking turns. The next batch is leased and
        # read ahead, so it leaves the moment an answer frees a slot, and that answer's acks are
        # written while it travels.
        pending: deque[_Batch] = deque()
        ahead: tuple[list[OutboxRecord], dict[str, dict[str, bytes]]] | None = None
        ok = True
        while ok and not self._stopping.is_set():
            if ahead is None:
                batch = outbox.next_batch(self._batch_size, self._clock())
                if not batch:
                    if not pending:
                        result.idle = True
                        break
                    ok = self._finish_batch(outbox, pending.popleft(), result)
                    continue  # the answer may have handed records back; look again
                ahead = batch, {r.id: outbox.blobs_for(r.id) for r in batch}
            batch, blobs = ahead
            small = [r for r in batch if sum(map(len, blobs[r.id].values())) <= self._inline_limit]
            if not batching or len(small) < 2:
                small = []
            if len(pending) >= self._pipeline:
                if not small:
                    ok = self._finish_batch(outbox, pending.popleft(), result)
                    continue
                wait([pending[0].future])  # its answer is in: its slot is free
                oldest = pending.popleft()
                pending.append(self._start_batch(small, blobs, False))
                ok = self._finish_batch(outbox, oldest, result)
            elif small:
                pending.append(self._start_batch(small, blobs, not pending))
            ahead = None
            rest = [r for r in batch if r not in small]
            while rest and pending:  # one by one once the batches are settled, as before
                ok = self._finish_batch(outbox, pending.popleft(), result) and ok
            for index, record in enumerate(rest):
                if not ok or self._stopping.is_set():
                    self._release(outbox, rest[index:])
                    break
                ok = self._send(outbox, record, blobs[record.id], result)
        if ahead is not None:  # read ahead, never sent
            self._release(outbox, ahead[0])
        while pending:  # stopping or failed: settle what is in flight (its acks count)
            ok = self._finish_batch(outbox, pending.popleft(), result) and ok
        if not ok:
            if not self._paused():
                self._emit("sync_failed", {**result.failure, **self._summary(outbox, result)})
            return result
        if result.attempted and not self._stopping.is_set():
            self._emit("sync_completed", self._summary(outbox, result))
        return result

    @staticmethod
    def _release(outbox: Outbox, records: list[OutboxRecord]) -> None:
        for record in records:
            outbox.release(record.id)

    def _send(self, outbox: Outbox, record: OutboxRecord, blobs: dict[str, bytes],
              result: _Pass) -> bool:
        """Send one record; False when the pass must stop (the network, not the record, failed)."""
        try:
            receipt = self._client.put_submission(record, blobs) if blobs else self._client.put_submission(record)
        except CentralRejected as exc:
            if exc.is_auth:
                outbox.release(record.id)
                self._pause(exc)
                result.failed += 1
                return False
            self._rejected(outbox, record, exc, result)
            return True
        except CentralUnavailable as exc:
            self._fail(outbox, record, result, _reason(exc), exc)
            return False
        self._acked(outbox, record, receipt, result)
        return True

    def _acked(self, outbox: Outbox, record: OutboxRecord, receipt: CentralReceipt, result: _Pass) -> None:
        outbox.mark_acked(record.id, receipt.central_receipt, self._clock())
        result.acked += 1
        self._emit("submission_acked", {**self._ids(record),
                                        "central_receipt": receipt.central_receipt,
                                        "created": receipt.created})

    def _rejected(self, outbox: Outbox, record: OutboxRecord, exc: CentralRejected,
                  result: _Pass) -> None:
        outbox.quarantine(record.id, f"{exc.status} {exc.reason}")
        result.quarantined += 1
        log.warning("submission %s quarantined: %s", record.receipt_number, exc.status)
        self._emit("submission_quarantined",
                   {**self._ids(record), "status": exc.status, "reason": exc.reason})

    def _fail(self, outbox: Outbox, record: OutboxRecord, result: _Pass, reason: str,
              exc: Exception) -> None:
        retry_at = self._clock() + timedelta(seconds=self._backoff.delay(record.attempts + 1))
        outbox.mark_failed(record.id, f"{reason}: {exc}", retry_at)
        result.failed += 1
        result.aborted = True
        log.info("submission %s not delivered (%s)", record.receipt_number, reason)
        result.failure = {"reason": reason, "error": str(exc), **self._ids(record)}

    @staticmethod
    def _ids(record: OutboxRecord) -> dict[str, Any]:
        return {"id": record.id, "receipt_number": record.receipt_number}

    @staticmethod
    def _summary(outbox: Outbox, result: _Pass) -> dict[str, Any]:
        return {
            "acked": result.acked,
            "quarantined": result.quarantined,
            "failed": result.failed,
            "counts": outbox.counts(),
        }

    def _emit(self, name: str, data: dict[str, Any]) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(name, data)
        except Exception:  # a broken listener must not stop delivery
            log.exception("sync event listener failed on %s", name)
