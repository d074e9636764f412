"""Storage of the reference central platform, on SQLite or PostgreSQL (``central.db``).

The platform is the trusted side: it keeps each envelope exactly as received (plus its detached
attachment blobs by hash) and the decrypted payload for its own processing. Deduplication is the
database's job: ``INSERT ... ON CONFLICT DO NOTHING``, then read what is there and let the caller
compare digests. Never check-then-insert: two workers receiving one resend would both see "absent".

Thread rule: every method may be called from any thread (one connection per thread).
"""

from __future__ import annotations

import hashlib
import json
import random
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from egov_protocol.protocol import RATING_FORM_ID

from .audit_anchor import check_head
from .blobs import BlobSegments
from .db import Database
from .enrollment import enroll_terminal
from .errors import (  # noqa: F401
    BlobMismatch,
    NonceReplayed,
    ReceiptNumberTaken,
    TerminalKeyConflict,
    TokenRejected,
)

# Columns safe to show operators on lists: no payload, no envelope.
_LIST_FIELDS = ("id", "receipt_number", "terminal_id", "digest", "central_receipt", "service_id",
                "form_id", "form_version", "received_at")
_LIST_COLUMNS = ", ".join(_LIST_FIELDS)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _remember_nonce(tx, terminal_id: str, nonce: str, window_s: float) -> bool:
    now = datetime.now(UTC)
    fresh = tx.run("INSERT INTO nonces (terminal_id, nonce, seen_at) VALUES (?, ?, ?) "
                   "ON CONFLICT DO NOTHING", (terminal_id, nonce, now.isoformat())) == 1
    if random.random() < 0.01:  # a request outside the window is refused anyway
        tx.run("DELETE FROM nonces WHERE seen_at < ?",
               ((now - timedelta(seconds=3 * window_s)).isoformat(),))
    return fresh


def _insert_blob(tx, sha256: str, content: bytes, place: tuple[str, int] | None, now: str) -> None:
    # A blob written to a segment keeps an empty content column (NOT NULL in older schemas).
    segment, offset = place if place is not None else (None, None)
    tx.run("INSERT INTO blobs (sha256, size_bytes, content, received_at, segment, offset_bytes) "
           "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
           (sha256, len(content), b"" if place is not None else content, now, segment, offset))


def token_hash(token: str) -> str:
    """Tokens are stored hashed: a copy of the database does not enroll anyone."""
    return hashlib.sha256(token.strip().encode()).hexdigest()


@dataclass(frozen=True)
class NewSubmission:
    """A verified, decrypted submission ready to be stored."""

    id: str
    receipt_number: str
    terminal_id: str
    digest: str
    central_receipt: str
    service_id: str | None
    form_id: str | None
    form_version: str | None
    envelope: bytes
    payload_json: str
    # name -> (sha256 hex, content); content is b"" for a detached attachment, which stays
    # encrypted in the blob table under that hash.
    attachments: dict[str, tuple[str, bytes]]
    received_at: str
    route: str = "online"


class CentralStore:
    """The platform database. ``open()`` creates the schema."""

    def __init__(self, target: str | Path, *, busy_timeout_s: float = 30.0,
                 blob_dir: str | Path | None = None) -> None:
        """``target`` is a SQLite file path or a ``postgresql://`` URL; no I/O.

        Attachment blobs go to segment files in ``blob_dir``; by default, beside a SQLite
        database (``<name>-blobs/``), and into the database itself on PostgreSQL (whose workers
        may run on several hosts without a shared directory)."""
        self.db = Database(target, busy_timeout_s=busy_timeout_s)
        self.path = self.db.target
        if blob_dir is None and not self.db.postgres:
            database = Path(self.db.target)
            blob_dir = database.with_name(f"{database.stem}-blobs")
        self.segments = None if blob_dir is None else BlobSegments(blob_dir)

    def open(self) -> None:
        """Create the schema if needed. Call once before serving (idempotent)."""
        self.db.create_schema()

    def close(self) -> None:
        """Close the calling thread's connection."""
        self.db.close()

    # -- enrollment --------------------------------------------------------------------------

    def issue_token(self, terminal_id: str | None = None, ttl_s: float = 7 * 86400) -> str:
        """Create a one-time enrollment token (shown once, stored hashed)."""
        token = "-".join(secrets.token_hex(3).upper() for _ in range(4))
        now = datetime.now(UTC)
        with self.db.transaction() as tx:
            tx.run("INSERT INTO enroll_tokens (token_hash, terminal_id, created_at, expires_at) "
                   "VALUES (?, ?, ?, ?)",
                   (token_hash(token), terminal_id, now.isoformat(),
                    (now + timedelta(seconds=ttl_s)).isoformat()))
        return token

    def enroll(self, token: str, terminal_id: str, public_key: bytes, key_id: str,
               site: str | None) -> bool:
        """Consume ``token`` and register (or re-key) the terminal (``central.enrollment``).
        Returns True for a new terminal. Raises ``TokenRejected`` or ``TerminalKeyConflict``."""
        return enroll_terminal(self.db, token_hash(token), terminal_id, public_key, key_id, site)

    def set_terminal_status(self, terminal_id: str, status: str) -> bool:
        """``active`` or ``revoked`` (a revoked terminal gets 403); False when unknown."""
        with self.db.transaction() as tx:
            return tx.run("UPDATE terminals SET status = ? WHERE terminal_id = ?",
                          (status, terminal_id)) == 1

    def terminal(self, terminal_id: str) -> dict | None:
        """The terminal's row (``public_key`` as bytes), or None."""
        with self.db.transaction(write=False) as tx:
            return tx.one("SELECT * FROM terminals WHERE terminal_id = ?", (terminal_id,))

    def remember_nonce(self, terminal_id: str, nonce: str, window_s: float) -> bool:
        """Record a request nonce; False when this terminal already used it (a replay)."""
        with self.db.transaction() as tx:
            return _remember_nonce(tx, terminal_id, nonce, window_s)

    # -- submissions -------------------------------------------------------------------------

    def insert_submission(self, new: NewSubmission) -> tuple[bool, dict]:
        """Insert; ``(True, row)`` when stored now, ``(False, existing_row)`` when the id was
        already there (the caller compares digests). Raises ``ReceiptNumberTaken``."""
        [outcome] = self.insert_many([(new, {})])
        if isinstance(outcome, ReceiptNumberTaken):
            raise outcome
        return outcome

    def insert_many(self, items: list[tuple[NewSubmission, dict[str, bytes]]], *,
                    nonce: tuple[str, str, float] | None = None, on_stored=None) -> list:
        """Insert submissions with their blobs in one transaction (one fsync for a batch).

        ``nonce`` ``(terminal_id, nonce, window_s)`` is recorded first in the same transaction;
        a replayed one raises ``NonceReplayed`` and stores nothing. ``on_stored(connection,
        new)`` runs in that transaction for each submission stored now (cases are filed so).
        Per item: ``(created, row)``, or a ``ReceiptNumberTaken`` instance."""
        results: list = []
        now = _now()
        # A blob uploaded before (PATCH) is held already: written again it would only make a
        # segment nothing references.
        fresh = [pair for _, blobs in items for pair in blobs.items()]
        held = self._held([ref for ref, _ in fresh])
        placed = self._place([(ref, data) for ref, data in fresh if ref not in held])
        with self.db.transaction() as tx:
            if nonce is not None and not _remember_nonce(tx, *nonce):
                raise NonceReplayed(nonce[1])
            for new, blobs in items:
                inserted = tx.run(
                    "INSERT INTO submissions (id, receipt_number, terminal_id, digest, "
                    "central_receipt, service_id, form_id, form_version, envelope, payload, "
                    "received_at, route) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    (new.id, new.receipt_number, new.terminal_id, new.digest,
                     new.central_receipt, new.service_id, new.form_id, new.form_version,
                     new.envelope, new.payload_json, new.received_at, new.route))
                if not inserted:
                    row = tx.one(f"SELECT {_LIST_COLUMNS} FROM submissions WHERE id = ?",
                                 (new.id,))
                    results.append((False, row) if row is not None
                                   else ReceiptNumberTaken(new.receipt_number))
                    continue
                row = {column: getattr(new, column) for column in _LIST_FIELDS}
                for name, (digest, content) in sorted(new.attachments.items()):
                    size = len(content) if content or digest not in blobs else len(blobs[digest])
                    tx.run("INSERT INTO submission_attachments (submission_id, name, sha256, "
                           "size_bytes, content) VALUES (?, ?, ?, ?, ?)",
                           (new.id, name, digest, size, content))
                for ref, content in blobs.items():
                    _insert_blob(tx, ref, content, placed.get(ref), now)
                results.append((True, row))
                if on_stored is not None:
                    on_stored(tx, new)
        return results

    def existing_many(self, ids: list[str]) -> dict[str, dict]:
        """Metadata of those of ``ids`` already stored, by id."""
        if not ids:
            return {}
        marks = ", ".join("?" for _ in ids)
        with self.db.transaction(write=False) as tx:
            rows = tx.all(f"SELECT {_LIST_COLUMNS} FROM submissions WHERE id IN ({marks})", ids)
        return {row["id"]: row for row in rows}

    def existing(self, submission_id: str) -> dict | None:
        """Metadata of one submission (no attachments), or None."""
        with self.db.transaction(write=False) as tx:
            return tx.one(f"SELECT {_LIST_COLUMNS} FROM submissions WHERE id = ?",
                          (submission_id,))

    def submission(self, submission_id: str) -> dict | None:
        """Metadata of one submission plus its attachment names and sizes (no content)."""
        with self.db.transaction() as tx:
            row = tx.one(f"SELECT {_LIST_COLUMNS} FROM submissions WHERE id = ?",
                         (submission_id,))
            if row is None:
                return None
            attachments = tx.all("SELECT name, sha256, size_bytes FROM submission_attachments "
                                 "WHERE submission_id = ? ORDER BY name", (submission_id,))
        return {**row, "attachments": attachments}

    def submissions(self, limit: int = 100, offset: int = 0,
                    ratings: bool | None = None) -> tuple[int, list[dict]]:
        """``(total, newest first page)`` of submission metadata: every record, or only the
        applications (``ratings=False``) or only the 好差评 ratings (``ratings=True``)."""
        where, args = "", ()
        if ratings is not None:
            where = "WHERE form_id = ?" if ratings else "WHERE coalesce(form_id, '') <> ?"
            args = (RATING_FORM_ID,)
        with self.db.transaction() as tx:
            total = tx.one(f"SELECT count(*) AS n FROM submissions {where}", args)["n"]
            rows = tx.all(f"SELECT {_LIST_COLUMNS} FROM submissions {where} "
                          "ORDER BY received_at DESC, id LIMIT ? OFFSET ?", (*args, limit, offset))
        return total, rows

    def submission_ids(self) -> list[str]:
        """Every stored submission id (tests and export)."""
        with self.db.transaction() as tx:
            return [row["id"] for row in tx.all("SELECT id FROM submissions ORDER BY id")]

    def envelopes(self) -> list[dict]:
        """Every submission with its envelope (for ``kiosk-central export``)."""
        with self.db.transaction() as tx:
            return tx.all(
                "SELECT id, receipt_number, terminal_id, digest, central_receipt, received_at, "
                "envelope FROM submissions ORDER BY received_at, id")

    def signer_key(self, terminal_id: str, key_id: str) -> bytes | None:
        """The public key ``key_id`` of ``terminal_id``: current or from before a rotation."""
        with self.db.transaction() as tx:
            row = tx.one("SELECT public_key FROM terminal_keys WHERE key_id = ? AND "
                         "terminal_id = ?", (key_id, terminal_id))
            if row is None:  # enrolled before the key history existed
                row = tx.one("SELECT public_key FROM terminals WHERE key_id = ? AND "
                             "terminal_id = ?", (key_id, terminal_id))
        return None if row is None else row["public_key"]

    def payload(self, submission_id: str) -> tuple[str, dict[str, bytes]] | None:
        """The decrypted payload JSON and attachments (for platform-side processing and tests)."""
        with self.db.transaction() as tx:
            row = tx.one("SELECT payload FROM submissions WHERE id = ?", (submission_id,))
            if row is None:
                return None
            attachments = tx.all("SELECT name, content FROM submission_attachments "
                                 "WHERE submission_id = ?", (submission_id,))
        return row["payload"], {a["name"]: a["content"] for a in attachments}

    # -- blobs (detached attachments, resumable) ---------------------------------------------

    def blob(self, sha256: str) -> bytes | None:
        """A complete blob's bytes, or None."""
        with self.db.transaction(write=False) as tx:
            row = tx.one("SELECT size_bytes, content, segment, offset_bytes FROM blobs "
                         "WHERE sha256 = ?", (sha256,))
        if row is None:
            return None
        if row["segment"] is None:
            return row["content"]
        assert self.segments is not None, "a blob in a segment needs the blob directory"
        return self.segments.read(row["segment"], row["offset_bytes"], row["size_bytes"], sha256)

    def _held(self, refs: list[str]) -> set[str]:
        """Those of ``refs`` already stored as blobs."""
        if not refs:
            return set()
        marks = ", ".join("?" for _ in refs)
        with self.db.transaction(write=False) as tx:
            return {row["sha256"] for row in tx.all(
                f"SELECT sha256 FROM blobs WHERE sha256 IN ({marks})", refs)}

    def _place(self, blobs: list[tuple[str, bytes]]) -> dict[str, tuple[str, int]]:
        """Write blobs to a durable segment before the transaction that records them."""
        return {} if self.segments is None else self.segments.write(blobs)

    def blob_offset(self, sha256: str) -> tuple[bool, int]:
        """``(complete, bytes held)``: where a resumed upload continues."""
        with self.db.transaction() as tx:
            row = tx.one("SELECT size_bytes FROM blobs WHERE sha256 = ?", (sha256,))
            if row is not None:
                return True, row["size_bytes"]
            parts = tx.all("SELECT offset_bytes, content FROM blob_parts WHERE sha256 = ? "
                           "ORDER BY offset_bytes", (sha256,))
        offset = 0
        for part in parts:
            if part["offset_bytes"] != offset:
                break
            offset += len(part["content"])
        return False, offset

    def append_blob(self, sha256: str, offset: int, total: int, content: bytes) -> tuple[bool, int]:
        """Store the part at ``offset``; assemble and verify when all ``total`` bytes are here.

        Returns ``(complete, bytes held)``. Raises ``BlobMismatch`` when the assembled bytes do
        not hash to ``sha256`` (the parts are discarded so the upload can start over)."""
        complete, held = self.blob_offset(sha256)
        if complete:
            return True, held
        if offset != held:
            raise BlobMismatch(f"upload continues at {held}, not {offset}")
        if offset + len(content) > total:
            raise BlobMismatch("part goes past the declared length")
        with self.db.transaction() as tx:
            tx.run("INSERT INTO blob_parts (sha256, offset_bytes, total_bytes, content) "
                   "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", (sha256, offset, total, content))
            if offset + len(content) < total:
                return False, offset + len(content)
            parts = tx.all("SELECT offset_bytes, content FROM blob_parts WHERE sha256 = ? "
                           "ORDER BY offset_bytes", (sha256,))
            data = b"".join(part["content"] for part in parts)
            tx.run("DELETE FROM blob_parts WHERE sha256 = ?", (sha256,))
            if len(data) != total or hashlib.sha256(data).hexdigest() != sha256:
                mismatch = True
            else:
                mismatch = False
                _insert_blob(tx, sha256, data, self._place([(sha256, data)]).get(sha256), _now())
        if mismatch:
            raise BlobMismatch("uploaded bytes do not hash to the blob's name")
        return True, total

    def put_blob(self, content: bytes) -> str:
        """Store a whole blob (batch and import paths); returns its hash."""
        sha256 = hashlib.sha256(content).hexdigest()
        if self._held([sha256]):
            return sha256
        placed = self._place([(sha256, content)])
        with self.db.transaction() as tx:
            _insert_blob(tx, sha256, content, placed.get(sha256), _now())
        return sha256

    # -- heartbeats and the fleet ------------------------------------------------------------

    def add_heartbeats(self, terminal_id: str, items: list[dict]) -> list[str]:
        """Store heartbeats (idempotent by id); returns every id now held. A heartbeat stored
        for the first time has its audit head checked against the anchor (``central.audit_anchor``)."""
        now = _now()
        with self.db.transaction() as tx:
            for item in sorted(items, key=lambda beat: beat["sent_at"]):
                if tx.run("INSERT INTO heartbeats (id, terminal_id, sent_at, received_at, body) "
                          "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                          (item["id"], terminal_id, item["sent_at"], now,
                           json.dumps(item, sort_keys=True))) == 1:
                    check_head(tx, terminal_id, item, now)
        return [item["id"] for item in items]

    def terminals(self) -> list[dict]:
        """The fleet: each terminal with submission counts and its latest heartbeat."""
        with self.db.transaction() as tx:
            rows = tx.all(
                "SELECT t.terminal_id, t.key_id, t.site, t.status, t.registered_at, "
                "(SELECT count(*) FROM submissions s WHERE s.terminal_id = t.terminal_id) "
                "AS submissions, (SELECT count(*) FROM submissions s WHERE s.terminal_id = t.terminal_id "
                "AND s.form_id = ?) AS ratings, (SELECT max(received_at) FROM submissions s "
                "WHERE s.terminal_id = t.terminal_id) AS last_received_at, "
                "(SELECT body FROM heartbeats h WHERE h.terminal_id = t.terminal_id "
                "ORDER BY sent_at DESC LIMIT 1) AS heartbeat "
                "FROM terminals t ORDER BY t.terminal_id", (RATING_FORM_ID,))
        for row in rows:
            beat = json.loads(row.pop("heartbeat")) if row.get("heartbeat") else None
            row["last_heartbeat"] = beat
            row["sequence_gap"] = None
            if beat is not None:
                # Accepted on the terminal, neither still queued there nor received here.
                try:  # whatever a terminal sent: a broken heartbeat shows no gap, not a 500
                    accepted = int(beat.get("accepted_total", 0))
                    unsent = int(beat.get("queue_depth", 0))
                except (TypeError, ValueError, OverflowError):
                    continue
                row["sequence_gap"] = max(0, accepted - unsent - row["submissions"])
        return rows


def open_platform_store(data_dir: str | Path, database_url: str | None = None) -> CentralStore:
    """The platform's database as ``kiosk-central`` opens it: ``database_url`` (PostgreSQL) or
    ``central.sqlite3`` in the data folder; the schema is created or upgraded in place."""
    store = CentralStore(database_url or Path(data_dir) / "central.sqlite3")
    store.open()
    return store
