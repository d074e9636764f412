"""The outbox: sealed submissions waiting to reach the central platform.

States (``SubmissionState``)::

    sealed ──▶ queued ──▶ sending (lease) ──▶ acked ──▶ purged (tombstone, no bytes)
                 ▲            │
                 └── failed ──┤
                              └──▶ quarantined ──(staff requeue)──▶ queued

A permanent rejection quarantines that one record; the rest of the queue keeps moving. Only the
sealed envelope is stored (encrypted to the platform, signed by the terminal): nothing here can be
read back into personal data on the terminal. Every time is an aware UTC ``datetime``.

Thread rule: an ``Outbox`` runs on the thread that owns its ``Store``.

The records it takes and gives back are in :mod:`offline_cache.outbox_records`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Set
from datetime import UTC, datetime, timedelta
from typing import Any

from .errors import DuplicateSubmission, InvalidTransition, UnknownSubmission
from .outbox_records import (
    COLUMNS,
    OutboxRecord,
    SealedSubmission,
    SubmissionState,
    sha256_hex,
    utc_text,
)
from .store import Store


class Outbox:
    """The submissions table of one ``Store``. No I/O in the constructor."""

    def __init__(self, store: Store, *, lease_s: float = 300.0) -> None:
        """Wrap ``store``; ``lease_s`` is how long ``next_batch`` reserves a record for a sender."""
        self.store = store
        self._lease = timedelta(seconds=lease_s)

    # -- writing new work --------------------------------------------------------------------

    def add(self, submission: SealedSubmission, blobs: dict[str, bytes] | None = None) -> None:
        """Queue a sealed submission (state ``queued``, due at once) with its detached,
        already-encrypted attachment ``blobs`` (SHA-256 hex -> bytes), in one transaction.

        Adding the same id with the same digest again is a no-op (a retried write after a crash);
        a different submission under a taken id or receipt number raises ``DuplicateSubmission``.
        """
        blobs = dict(blobs or {})
        for ref, data in blobs.items():
            if sha256_hex(data) != ref:
                raise ValueError(f"blob does not hash to {ref}")
        if not submission.sealed:
            raise ValueError("sealed bytes are empty")
        if sha256_hex(submission.sealed) != submission.digest:
            raise ValueError(f"digest does not match the sealed bytes of {submission.id}")
        created = utc_text(submission.created_at)
        with self.store.transaction() as db:
            try:
                db.conn.execute(
                    "INSERT INTO submissions (id, receipt_number, service_id, form_id, "
                    "form_version, state, sealed, digest, size_bytes, created_at, updated_at, "
                    "next_attempt_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?)",
                    (
                        submission.id,
                        submission.receipt_number,
                        submission.service_id,
                        submission.form_id,
                        submission.form_version,
                        submission.sealed,
                        submission.digest,
                        len(submission.sealed),
                        created,
                        created,
                        created,
                    ),
                )
                for ref, data in blobs.items():
                    db.conn.execute(
                        "INSERT INTO blobs (sha256, data, size_bytes) VALUES (?, ?, ?) "
                        "ON CONFLICT DO NOTHING", (ref, data, len(data)))
                    db.conn.execute(
                        "INSERT INTO submission_blobs (submission_id, sha256) VALUES (?, ?)",
                        (submission.id, ref))
            except sqlite3.IntegrityError as exc:
                row = db.conn.execute(
                    "SELECT digest, receipt_number FROM submissions WHERE id = ?", (submission.id,)
                ).fetchone()
                if row == (submission.digest, submission.receipt_number):
                    return
                raise DuplicateSubmission(
                    f"submission {submission.id} / receipt {submission.receipt_number} "
                    "collides with a different stored submission"
                ) from exc

    def allocate_sequence(self, scope: str) -> int:
        """Return the next number of ``scope`` (1, 2, 3, ...), atomically across connections."""
        with self.store.transaction() as db:
            row = db.conn.execute(
                "INSERT INTO sequences (scope, value) VALUES (?, 1) "
                "ON CONFLICT (scope) DO UPDATE SET value = value + 1 RETURNING value",
                (scope,),
            ).fetchone()
        return int(row[0])

    # -- the sender's side -------------------------------------------------------------------

    def next_batch(self, limit: int, now: datetime) -> list[OutboxRecord]:
        """Lease up to ``limit`` due records (state ``sending``) and return them, earliest due first
        (insertion order among equals).

        Due means queued with ``next_attempt_at <= now``, or sending with an expired lease (its
        sender died). Higher priority (lower number) goes first.
        """
        stamp = utc_text(now)
        lease_until = utc_text(now + self._lease)
        with self.store.transaction() as db:
            rows = list(
                db.query(
                    f"SELECT {COLUMNS} FROM submissions "
                    "WHERE (state = 'queued' AND next_attempt_at <= :now) "
                    "   OR (state = 'sending' AND lease_until <= :now) "
                    "ORDER BY priority, next_attempt_at, rowid LIMIT :limit",
                    {"now": stamp, "limit": int(limit)},
                )
            )
            for row in rows:
                db.conn.execute(
                    "UPDATE submissions SET state = 'sending', lease_until = ?, updated_at = ? "
                    "WHERE id = ?",
                    (lease_until, stamp, row["id"]),
                )
                row.update(state="sending", lease_until=lease_until, updated_at=stamp)
        return [OutboxRecord.from_row(row) for row in rows]

    def mark_acked(self, id: str, central_receipt: str, now: datetime) -> None:
        """Record the platform's acknowledgement. Acking an acked record again is a no-op."""
        self._transition(
            id,
            {"queued", "sending"},
            "state = 'acked', central_receipt = :receipt, acked_at = :now, lease_until = NULL, "
            "last_error = NULL",
            {"receipt": central_receipt, "now": utc_text(now)},
            idempotent_from={"acked", "purged"},
        )

    def mark_acked_many(self, acks: list[tuple[str, str]], now: datetime) -> None:
        """``mark_acked`` for ``(id, central_receipt)`` pairs in one transaction (one fsync)."""
        stamp = utc_text(now)
        with self.store.transaction() as db:
            db.conn.executemany(
                "UPDATE submissions SET state = 'acked', central_receipt = ?, acked_at = ?, "
                "lease_until = NULL, last_error = NULL, updated_at = ? "
                "WHERE id = ? AND state IN ('queued', 'sending')",
                [(receipt, stamp, stamp, id) for id, receipt in acks])

    def mark_failed(self, id: str, error: str, retry_at: datetime) -> None:
        """A send failed for a reason worth retrying: count the attempt, queue it for ``retry_at``."""
        self._transition(
            id,
            {"queued", "sending"},
            "state = 'queued', attempts = attempts + 1, next_attempt_at = :retry_at, "
            "lease_until = NULL, last_error = :error",
            {"retry_at": utc_text(retry_at), "error": error, "now": utc_text(datetime.now(UTC))},
        )

    def release(self, id: str) -> None:
        """Give back a leased record that was not attempted (stopping mid-batch): no attempt counted."""
        self._transition(
            id,
            {"sending"},
            "state = 'queued', lease_until = NULL",
            {"now": utc_text(datetime.now(UTC))},
            idempotent_from={"queued"},
        )

    def quarantine(self, id: str, reason: str) -> None:
        """Set one record aside after a permanent rejection; it is not sent again until requeued."""
        self._transition(
            id,
            {"sealed", "queued", "sending"},
            "state = 'quarantined', lease_until = NULL, last_error = :reason",
            {"reason": reason, "now": utc_text(datetime.now(UTC))},
        )

    def requeue(self, id: str, now: datetime) -> None:
        """Staff action: send a quarantined record again, due at ``now``, attempts reset."""
        self._transition(
            id,
            {"quarantined"},
            "state = 'queued', attempts = 0, next_attempt_at = :now",
            {"now": utc_text(now)},
        )

    def retry_now(self, now: datetime) -> int:
        """Make every queued record due at ``now`` (the network came back); returns how many."""
        stamp = utc_text(now)
        with self.store.transaction() as db:
            cursor = db.conn.execute(
                "UPDATE submissions SET next_attempt_at = ? "
                "WHERE state = 'queued' AND next_attempt_at > ?",
                (stamp, stamp),
            )
        return cursor.rowcount

    def release_expired_leases(self, now: datetime) -> int:
        """Return ``sending`` records whose lease ran out to ``queued`` (start-up recovery)."""
        stamp = utc_text(now)
        with self.store.transaction() as db:
            cursor = db.conn.execute(
                "UPDATE submissions SET state = 'queued', lease_until = NULL, updated_at = ? "
                "WHERE state = 'sending' AND lease_until <= ?",
                (stamp, stamp),
            )
        return cursor.rowcount

    def purge_acked(self, acked_before: datetime, now: datetime) -> int:
        """Drop the sealed bytes and blobs of records acked before ``acked_before``; keep a
        tombstone (id, receipt number, digest, central receipt, times). Never touches unsent data."""
        with self.store.transaction() as db:
            cursor = db.conn.execute(
                "UPDATE submissions SET state = 'purged', sealed = NULL, purged_at = ?, "
                "updated_at = ? WHERE state = 'acked' AND acked_at < ?",
                (utc_text(now), utc_text(now), utc_text(acked_before)),
            )
            db.conn.execute(
                "DELETE FROM submission_blobs WHERE submission_id IN "
                "(SELECT id FROM submissions WHERE state = 'purged')")
            db.conn.execute(
                "DELETE FROM blobs WHERE sha256 NOT IN (SELECT sha256 FROM submission_blobs)")
        return cursor.rowcount

    def blobs_for(self, id: str) -> dict[str, bytes]:
        """The detached attachment blobs of one submission (SHA-256 hex -> encrypted bytes)."""
        return {
            ref: bytes(data)
            for ref, data in self.store.db.conn.execute(
                "SELECT b.sha256, b.data FROM submission_blobs l JOIN blobs b "
                "ON b.sha256 = l.sha256 WHERE l.submission_id = ?", (id,))
        }

    def release_all_leases(self) -> int:
        """Hand back every lease: called by the one sync process that holds the terminal's
        sync lock, so any lease still held belongs to a process that died."""
        with self.store.transaction() as db:
            cursor = db.conn.execute(
                "UPDATE submissions SET state = 'queued', lease_until = NULL "
                "WHERE state = 'sending'")
        return cursor.rowcount

    # -- reading -----------------------------------------------------------------------------

    def get(self, id: str) -> OutboxRecord:
        """The record with this id; raises ``UnknownSubmission``."""
        rows = list(self.store.db.query(f"SELECT {COLUMNS} FROM submissions WHERE id = ?", [id]))
        if not rows:
            raise UnknownSubmission(f"no submission {id} in the outbox")
        return OutboxRecord.from_row(rows[0])

    def counts(self, *, form_id: str | None = None, other_than: str | None = None) -> dict[str, int]:
        """Number of records per state, every state present (zero when empty).

        ``form_id`` counts only records of that form, ``other_than`` all but that form's (the
        terminal queues ratings beside applications, under their own form id).
        """
        result = {state.value: 0 for state in SubmissionState}
        where = ""
        args: tuple[str, ...] = ()
        if form_id is not None:
            where, args = "WHERE form_id = ?", (form_id,)
        elif other_than is not None:
            where, args = "WHERE form_id != ?", (other_than,)
        for state, count in self.store.db.conn.execute(
            f"SELECT state, count(*) FROM submissions {where} GROUP BY state", args
        ):
            result[state] = count
        return result

    def next_due_at(self) -> datetime | None:
        """When the earliest queued record becomes due (``None`` when nothing is queued)."""
        row = self.store.db.conn.execute(
            "SELECT min(next_attempt_at) FROM submissions WHERE state = 'queued'"
        ).fetchone()
        return None if row[0] is None else datetime.fromisoformat(row[0])

    # -- internals ---------------------------------------------------------------------------

    def _transition(
        self,
        id: str,
        allowed_from: set[str],
        assignments: str,
        params: dict[str, Any],
        *,
        idempotent_from: Set[str] = frozenset(),
    ) -> None:
        params = {**params, "id": id}
        params.setdefault("now", utc_text(datetime.now(UTC)))
        states = ", ".join(f"'{state}'" for state in sorted(allowed_from))
        with self.store.transaction() as db:
            cursor = db.conn.execute(
                f"UPDATE submissions SET {assignments}, updated_at = :now "
                f"WHERE id = :id AND state IN ({states})",
                params,
            )
            if cursor.rowcount == 1:
                return
            row = db.conn.execute("SELECT state FROM submissions WHERE id = ?", (id,)).fetchone()
        if row is None:
            raise UnknownSubmission(f"no submission {id} in the outbox")
        if row[0] in idempotent_from:
            return
        raise InvalidTransition(f"submission {id} is {row[0]}; allowed from {sorted(allowed_from)}")
