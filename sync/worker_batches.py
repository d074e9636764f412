"""The batch half of ``SyncWorker``: batches handed to sender threads and settled in order.

Mixed into ``sync.worker.SyncWorker``; the methods marked "worker thread" run on the thread that
owns the outbox, ``_put_batch`` on a sender thread (it touches only the HTTP client, which is
thread-safe, and the ``_hold`` event).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from egov_protocol.errors import (
    CentralProtocolError,
    CentralRejected,
    CentralUnavailable,
    NotCentralServer,
)

if TYPE_CHECKING:
    from offline_cache import Outbox, OutboxRecord

    from .client import BatchResult, CentralClient
    from .worker import _Pass


def _reason(exc: CentralUnavailable) -> str:
    if isinstance(exc, NotCentralServer):
        return "not_central_server"
    if isinstance(exc, CentralProtocolError):
        return "protocol"
    return "unavailable"



class _Held(Exception):
    """A batch not sent because the one before it failed (its records are handed back)."""


@dataclass
class _Batch:
    """A batch handed to the sender thread."""

    records: list[OutboxRecord]
    blobs: dict[str, dict[str, bytes]]
    future: Future[list[BatchResult]]


class BatchSending:
    """Sending small records in batches, several in flight (see ``SyncWorker._drain``).

    Mixin of ``SyncWorker``; uses the worker's members declared below."""

    _sender: ThreadPoolExecutor | None
    _pipeline: int
    _hold: threading.Event
    _client: CentralClient
    _clock: Callable[[], datetime]

    if TYPE_CHECKING:
        @staticmethod
        def _release(outbox: Outbox, records: list[OutboxRecord]) -> None: ...
        @staticmethod
        def _ids(record: OutboxRecord) -> dict[str, Any]: ...
        def _paused(self) -> bool: ...
        def _pause(self, exc: CentralRejected) -> None: ...
        def _emit(self, name: str, data: dict[str, Any]) -> None: ...
        def _fail(self, outbox: Outbox, record: OutboxRecord, result: _Pass, reason: str,
                  exc: Exception) -> None: ...
        def _rejected(self, outbox: Outbox, record: OutboxRecord, exc: CentralRejected,
                      result: _Pass) -> None: ...
        def _send(self, outbox: Outbox, record: OutboxRecord, blobs: dict[str, bytes],
                  result: _Pass) -> bool: ...

    def _start_batch(self, records: list[OutboxRecord], blobs: dict[str, dict[str, bytes]],
                     first: bool) -> _Batch:
        """Hand a batch to the sender thread. ``first``: nothing else is in flight, so an
        earlier failure's hold can be lifted."""
        if self._sender is None:
            self._sender = ThreadPoolExecutor(self._pipeline, thread_name_prefix="sync-sender")
        if first:
            self._hold.clear()
        items = [(r, blobs[r.id]) for r in records]
        return _Batch(records, blobs, self._sender.submit(self._put_batch, items))

    def _put_batch(self, items: list[tuple[OutboxRecord, dict[str, bytes]]]) -> list[BatchResult]:
        """Sender thread: send one batch unless an earlier one in this run failed."""
        if self._hold.is_set():
            raise _Held
        try:
            return self._client.put_batch(items)
        except BaseException:
            self._hold.set()  # the batch queued behind this one is handed back unsent
            raise

    def _finish_batch(self, outbox: Outbox, batch: _Batch, result: _Pass) -> bool:
        """Wait for a batch's answer and settle its records; False when the pass must stop."""
        records, blobs = batch.records, batch.blobs
        try:
            answers = batch.future.result()
        except _Held:
            self._release(outbox, records)
            return True
        except CentralRejected as exc:
            if exc.is_auth:
                self._release(outbox, records)
                if not self._paused():
                    self._pause(exc)
                    result.failed += 1
                return False
            answers = None  # the whole request was refused: fall back to one by one
        except CentralUnavailable as exc:
            if result.aborted:  # the batch before failed already; one backoff is enough
                self._release(outbox, records)
                return False
            self._fail(outbox, records[0], result, _reason(exc), exc)
            self._release(outbox, records[1:])
            return False
        if answers is None:
            return self._send_each(outbox, records, blobs, result)
        receipts = [(r, a.receipt) for r, a in zip(records, answers, strict=False) if a.receipt is not None]
        if receipts:
            outbox.mark_acked_many([(r.id, rc.central_receipt) for r, rc in receipts],
                                   self._clock())
            for record, receipt in receipts:
                result.acked += 1
                self._emit("submission_acked", {**self._ids(record),
                                                "central_receipt": receipt.central_receipt,
                                                "created": receipt.created})
        for record, answer in zip(records, answers, strict=False):
            if answer.rejected is not None:
                self._rejected(outbox, record, answer.rejected, result)
        # Blobs missing: deliver those alone, uploading them.
        return self._send_each(outbox, [r for r, a in zip(records, answers, strict=False)
                                        if a.receipt is None and a.rejected is None],
                               blobs, result)

    def _send_each(self, outbox: Outbox, records: list[OutboxRecord],
                   blobs: dict[str, dict[str, bytes]], result: _Pass) -> bool:
        """Worker thread: send records one by one; on failure hand the rest back."""
        for index, record in enumerate(records):
            if not self._send(outbox, record, blobs[record.id], result):
                self._release(outbox, records[index + 1:])
                return False
        return True
