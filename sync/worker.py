"""``SyncWorker``: the thread that drains the outbox to the central platform.

The worker opens its own ``Outbox`` (and so its own SQLite connection) on its own thread through
``outbox_factory``, and closes that store when it stops. Each pass leases due records and sends
them one by one:

- acked → ``mark_acked``, event ``submission_acked``
- rejected (4xx other than 401/403) → ``quarantine`` that record only, event
  ``submission_quarantined``; the pass goes on with the next record
- unavailable / captive portal / malformed answer / 401-403 → that record is retried later with
  per-record exponential backoff and jitter, the rest of the batch is handed back untouched, the
  pass ends (event ``sync_failed``) and the worker probes again after a transport backoff capped
  at ``interval_s``. It never gives up.

``sync_now()`` (network came back, staff pressed "sync") makes every queued record due and wakes
the worker. Events go to ``on_event(name, data)`` on the worker thread; ``data`` holds ids,
receipt numbers and counts, never personal data.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from .errors import CentralProtocolError, CentralRejected, CentralUnavailable, NotCentralServer

if TYPE_CHECKING:
    from offline_cache import Outbox, OutboxRecord

    from .client import CentralClient

log = logging.getLogger(__name__)

EventCallback = Callable[[str, dict], None]


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with "equal jitter": the n-th retry waits between half and all of
    ``min(cap_s, base_s * 2**(n-1))``. Half is kept fixed so waits still grow with failures while
    the random half spreads a fleet of terminals that lost the network together."""

    base_s: float = 30.0
    cap_s: float = 6 * 3600.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1 for the first retry)."""
        ceiling = min(self.cap_s, self.base_s * 2 ** min(max(attempt, 1) - 1, 62))
        return self.rng.uniform(ceiling / 2, ceiling)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class _Pass:
    acked: int = 0
    quarantined: int = 0
    failed: int = 0
    aborted: bool = False
    failure: dict = field(default_factory=dict)

    @property
    def attempted(self) -> bool:
        return bool(self.acked or self.quarantined or self.failed)


class SyncWorker:
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
    ) -> None:
        """``outbox_factory`` is called on the worker thread and must return an ``Outbox`` on an
        open ``Store`` that the worker then owns. ``interval_s`` is the longest idle wait."""
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
        self._thread: threading.Thread | None = None

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
        try:
            while not self._stopping.is_set():
                try:
                    if outbox is None:
                        outbox = self._outbox_factory()
                        outbox.release_expired_leases(self._clock())
                    if self._forced.is_set():
                        self._forced.clear()
                        outbox.retry_now(self._clock())
                    result = self._drain(outbox)
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
                self._wake.wait(wait)
                self._wake.clear()
        finally:
            if outbox is not None:
                outbox.store.close()

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
        while not self._stopping.is_set():
            batch = outbox.next_batch(self._batch_size, self._clock())
            if not batch:
                break
            for index, record in enumerate(batch):
                if self._stopping.is_set():
                    self._release(outbox, batch[index:])
                    return result
                if not self._send(outbox, record, result):
                    self._release(outbox, batch[index + 1 :])
                    self._emit("sync_failed", {**result.failure, **self._summary(outbox, result)})
                    return result
        if result.attempted:
            self._emit("sync_completed", self._summary(outbox, result))
        return result

    @staticmethod
    def _release(outbox: Outbox, records: list[OutboxRecord]) -> None:
        for record in records:
            outbox.release(record.id)

    def _send(self, outbox: Outbox, record: OutboxRecord, result: _Pass) -> bool:
        """Send one record; False when the pass must stop (the network, not the record, failed)."""
        try:
            receipt = self._client.put_submission(record)
        except CentralRejected as exc:
            if exc.is_auth:
                self._fail(outbox, record, result, "rejected_auth", exc)
                return False
            outbox.quarantine(record.id, f"{exc.status} {exc.reason}")
            result.quarantined += 1
            log.warning("submission %s quarantined: %s", record.receipt_number, exc.status)
            self._emit(
                "submission_quarantined",
                {**self._ids(record), "status": exc.status, "reason": exc.reason},
            )
            return True
        except CentralUnavailable as exc:
            if isinstance(exc, NotCentralServer):
                reason = "not_central_server"
            elif isinstance(exc, CentralProtocolError):
                reason = "protocol"
            else:
                reason = "unavailable"
            self._fail(outbox, record, result, reason, exc)
            return False
        outbox.mark_acked(record.id, receipt.central_receipt, self._clock())
        result.acked += 1
        self._emit(
            "submission_acked",
            {**self._ids(record), "central_receipt": receipt.central_receipt,
             "created": receipt.created},
        )
        return True

    def _fail(self, outbox: Outbox, record: OutboxRecord, result: _Pass, reason: str,
              exc: Exception) -> None:
        retry_at = self._clock() + timedelta(seconds=self._backoff.delay(record.attempts + 1))
        outbox.mark_failed(record.id, f"{reason}: {exc}", retry_at)
        result.failed += 1
        result.aborted = True
        log.info("submission %s not delivered (%s)", record.receipt_number, reason)
        result.failure = {"reason": reason, "error": str(exc), **self._ids(record)}

    @staticmethod
    def _ids(record: OutboxRecord) -> dict:
        return {"id": record.id, "receipt_number": record.receipt_number}

    @staticmethod
    def _summary(outbox: Outbox, result: _Pass) -> dict:
        return {
            "acked": result.acked,
            "quarantined": result.quarantined,
            "failed": result.failed,
            "counts": outbox.counts(),
        }

    def _emit(self, name: str, data: dict) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(name, data)
        except Exception:  # a broken listener must not stop delivery
            log.exception("sync event listener failed on %s", name)
