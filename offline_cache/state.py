"""The sync side's own small tables: staff-visible queue facts, heartbeats queued offline, the
pause flag and the last good platform documents.

Thread rule: a ``SyncState`` runs on the thread that owns its ``Store``. Nothing here is personal:
heartbeats carry counts and versions, documents are public catalog/forms/settings.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .store import Store

PAUSED = "paused"


@dataclass(frozen=True)
class Quarantined:
    """A record set aside after a permanent rejection, with the platform's reason."""

    id: str
    receipt_number: str
    reason: str
    since: datetime


class SyncState:
    """Queue report, heartbeat queue, pause flag and documents of one ``Store``."""

    def __init__(self, store: Store) -> None:
        """Wrap an open (or soon opened) store; no I/O."""
        self.store = store

    # -- queue report -------------------------------------------------------------------------

    def oldest_unsent(self) -> datetime | None:
        """Creation time of the oldest record not yet acknowledged (quarantined excluded)."""
        row = self.store.db.conn.execute(
            "SELECT min(created_at) FROM submissions WHERE state IN ('sealed','queued','sending')"
        ).fetchone()
        return None if row[0] is None else datetime.fromisoformat(row[0])

    def quarantined(self) -> list[Quarantined]:
        """Every quarantined record with its reason, oldest first."""
        return [
            Quarantined(id, receipt, reason or "", datetime.fromisoformat(updated))
            for id, receipt, reason, updated in self.store.db.conn.execute(
                "SELECT id, receipt_number, last_error, updated_at FROM submissions "
                "WHERE state = 'quarantined' ORDER BY updated_at")
        ]

    def accepted_total(self) -> int:
        """Every submission ever accepted here (tombstones count)."""
        total: int = self.store.db.conn.execute("SELECT count(*) FROM submissions").fetchone()[0]
        return total

    def highest_acked_sequence(self) -> int:
        """The highest local sequence (insertion order) the platform has acknowledged."""
        row = self.store.db.conn.execute(
            "SELECT max(rowid) FROM submissions WHERE state IN ('acked', 'purged')").fetchone()
        return int(row[0] or 0)

    def stored_receipts(self, receipt_numbers: list[str]) -> set[str]:
        """Which of ``receipt_numbers`` belong to a stored submission (in any state)."""
        found: set[str] = set()
        for start in range(0, len(receipt_numbers), 500):
            chunk = receipt_numbers[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            found.update(row[0] for row in self.store.db.conn.execute(
                f"SELECT receipt_number FROM submissions WHERE receipt_number IN ({marks})", chunk))
        return found

    def unsent_ids(self) -> list[str]:
        """Ids of records waiting to be delivered, oldest first (export-outbox)."""
        return [row[0] for row in self.store.db.conn.execute(
            "SELECT id FROM submissions WHERE state IN ('sealed','queued','sending') "
            "ORDER BY rowid")]

    # -- pause flag ---------------------------------------------------------------------------

    def get(self, key: str) -> str | None:
        """A value of the small key/value table."""
        row = self.store.db.conn.execute(
            "SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def put(self, key: str, value: str | None) -> None:
        """Set (or with ``None`` delete) a value."""
        with self.store.transaction() as db:
            if value is None:
                db.conn.execute("DELETE FROM sync_state WHERE key = ?", (key,))
            else:
                db.conn.execute("INSERT INTO sync_state (key, value) VALUES (?, ?) "
                                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                (key, value))

    def paused_reason(self) -> str | None:
        """Why the platform refused this terminal (401/403), or None when not paused."""
        return self.get(PAUSED)

    # -- heartbeats ---------------------------------------------------------------------------

    def queue_heartbeat(self, body: dict[str, Any], now: datetime | None = None) -> str:
        """Queue a heartbeat (id and ``sent_at`` added); returns its id."""
        now = now or datetime.now(UTC)
        beat_id = str(uuid.uuid4())
        body = {**body, "id": beat_id, "sent_at": now.isoformat(timespec="microseconds")}
        with self.store.transaction() as db:
            db.conn.execute("INSERT INTO heartbeats (id, created_at, body) VALUES (?, ?, ?)",
                            (beat_id, body["sent_at"], json.dumps(body, sort_keys=True)))
        return beat_id

    def pending_heartbeats(self, limit: int = 200) -> list[dict[str, Any]]:
        """Queued heartbeats, oldest first."""
        return [json.loads(body) for (body,) in self.store.db.conn.execute(
            "SELECT body FROM heartbeats ORDER BY created_at LIMIT ?", (limit,))]

    def last_heartbeat_at(self) -> datetime | None:
        """When the newest heartbeat was queued (from the state table: sent ones are deleted)."""
        value = self.get("last_heartbeat_at")
        return None if value is None else datetime.fromisoformat(value)

    def drop_heartbeats(self, ids: list[str]) -> None:
        """Forget heartbeats the platform acknowledged."""
        with self.store.transaction() as db:
            db.conn.executemany("DELETE FROM heartbeats WHERE id = ?", [(i,) for i in ids])

    # -- documents ----------------------------------------------------------------------------

    def document(self, kind: str) -> dict[str, Any] | None:
        """The last good (verified) document of ``kind``, or None."""
        row = self.store.db.conn.execute(
            "SELECT document FROM documents WHERE kind = ?", (kind,)).fetchone()
        if row is None:
            return None
        document: dict[str, Any] = json.loads(row[0])
        return document

    def save_document(self, kind: str, document: dict[str, Any]) -> None:
        """Keep a verified document as the last good copy."""
        with self.store.transaction() as db:
            db.conn.execute(
                "INSERT INTO documents (kind, etag, document, fetched_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (kind) DO UPDATE SET etag = excluded.etag, "
                "document = excluded.document, fetched_at = excluded.fetched_at",
                (kind, document["etag"], json.dumps(document, sort_keys=True),
                 datetime.now(UTC).isoformat()))
