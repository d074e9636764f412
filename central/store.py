"""Storage of the reference central platform, on SQLite or PostgreSQL (``central.db``).

The platform is the trusted side: it keeps each envelope exactly as received (plus its detached
attachment blobs by hash) and the decrypted payload for its own processing. Deduplication is the
database's job: ``INSERT ... ON CONFLICT DO NOTHING``, then read what is there and let the caller
compare digests. Never check-then-insert: two workers receiving one resend would both see "absent".

Signed requests are checked against the terminal's key as this worker last read it (cached for
``TERMINAL_CACHE_S``); the transaction that records the request's nonce re-checks in the same
statement that the terminal is still active with that key (``TerminalChanged`` otherwise), so a
revocation or a re-key in any worker process holds from its commit on.

Thread rule: every method may be called from any thread (a pooled connection per transaction).
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, and_, func, select, update

from egov_protocol.protocol import RATING_FORM_ID

from .audit_anchor import check_head
from .blob_store import BlobRows, insert_blob
from .blobs import BlobSegments
from .db import Database, insert
from .enrollment import enroll_terminal
from .errors import (
    NonceReplayed,
    ReceiptNumberTaken,
    TerminalChanged,
)
from .nonces import record_nonce
from .pipelined import insert_pipelined
from .tables import (
    enroll_tokens,
    heartbeats,
    submission_attachments,
    submissions,
    terminal_keys,
    terminals,
)

#: How long a worker trusts the terminal row it read (the nonce's transaction re-checks it).
TERMINAL_CACHE_S = 30.0

# Columns safe to show operators on lists: no payload, no envelope.
_LIST_FIELDS = ("id", "receipt_number", "terminal_id", "digest", "central_receipt", "service_id",
                "form_id", "form_version", "received_at")
_LIST = [submissions.c[name] for name in _LIST_FIELDS]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


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


class CentralStore(BlobRows):
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
        self._terminals: dict[str, tuple[float, dict]] = {}
        self._terminals_lock = threading.Lock()

    def open(self) -> None:
        """Create the schema if needed. Call once before serving (idempotent)."""
        self.db.create_schema()

    def close(self) -> None:
        """Close the pooled connections."""
        self.db.close()

    # -- enrollment and terminals ------------------------------------------------------------

    def issue_token(self, terminal_id: str | None = None, ttl_s: float = 7 * 86400) -> str:
        """Create a one-time enrollment token (shown once, stored hashed)."""
        token = "-".join(secrets.token_hex(3).upper() for _ in range(4))
        now = datetime.now(UTC)
        with self.db.transaction() as conn:
            conn.execute(enroll_tokens.insert().values(
                token_hash=token_hash(token), terminal_id=terminal_id, created_at=now.isoformat(),
                expires_at=(now + timedelta(seconds=ttl_s)).isoformat()))
        return token

    def enroll(self, token: str, terminal_id: str, public_key: bytes, key_id: str,
               site: str | None) -> bool:
        """Consume ``token`` and register (or re-key) the terminal (``central.enrollment``).
        Returns True for a new terminal. Raises ``TokenRejected`` or ``TerminalKeyConflict``."""
        self.forget_terminal(terminal_id)
        return enroll_terminal(self.db, token_hash(token), terminal_id, public_key, key_id, site)

    def set_terminal_status(self, terminal_id: str, status: str) -> bool:
        """``active`` or ``revoked`` (a revoked terminal gets 403); False when unknown."""
        self.forget_terminal(terminal_id)
        with self.db.transaction() as conn:
            return conn.execute(update(terminals).where(terminals.c.terminal_id == terminal_id)
                                .values(status=status)).rowcount == 1

    def terminal(self, terminal_id: str, *, cached: bool = False) -> dict | None:
        """The terminal's row (``public_key`` as bytes), or None. ``cached``: as this worker
        read it within ``TERMINAL_CACHE_S`` (only active terminals are kept), for checking a
        signature whose nonce is then recorded with ``key_id`` (which re-checks it)."""
        if cached and (kept := self.cached_terminal(terminal_id)) is not None:
            return kept
        with self.db.transaction(write=False) as conn:
            row = conn.execute(select(terminals).where(terminals.c.terminal_id == terminal_id)
                               ).mappings().first()
        if row is None:
            return None
        terminal = {**row, "public_key": bytes(row["public_key"])}
        if terminal["status"] == "active":
            with self._terminals_lock:
                if len(self._terminals) > 100_000:
                    self._terminals.clear()
                self._terminals[terminal_id] = (time.monotonic() + TERMINAL_CACHE_S, terminal)
        return terminal

    def cached_terminal(self, terminal_id: str) -> dict | None:
        """The terminal's row as this worker read it within ``TERMINAL_CACHE_S`` (an active
        one), or None: no I/O, callable on the event loop."""
        with self._terminals_lock:
            kept = self._terminals.get(terminal_id)
        return kept[1] if kept is not None and kept[0] > time.monotonic() else None

    def forget_terminal(self, terminal_id: str) -> None:
        """Drop this worker's cached row of the terminal (revoked, re-keyed, or a signature
        that did not verify against it)."""
        with self._terminals_lock:
            self._terminals.pop(terminal_id, None)

    def remember_nonce(self, terminal_id: str, nonce: str, window_s: float,
                       key_id: str | None = None) -> bool:
        """Record a request nonce; False when this terminal already used it (a replay). With
        ``key_id`` (the key that signed the request), raises ``TerminalChanged`` unless the
        terminal is still active with that key."""
        try:
            with self.db.transaction() as conn:
                return record_nonce(conn, terminal_id, nonce, window_s, key_id)
        except TerminalChanged:
            self.forget_terminal(terminal_id)
            raise

    # -- submissions -------------------------------------------------------------------------

    def insert_submission(self, new: NewSubmission) -> tuple[bool, dict]:
        """Insert; ``(True, row)`` when stored now, ``(False, existing_row)`` when the id was
        already there (the caller compares digests). Raises ``ReceiptNumberTaken``."""
        [outcome] = self.insert_many([(new, {})])
        if isinstance(outcome, ReceiptNumberTaken):
            raise outcome
        return outcome

    def insert_many(self, items: list[tuple[NewSubmission, dict[str, bytes]]], *,
                    nonce: tuple[str, str, float] | tuple[str, str, float, str] | None = None,
                    on_stored=None) -> list:
        """Insert submissions with their blobs in one transaction (one fsync for a batch).

        ``nonce`` ``(terminal_id, nonce, window_s[, key_id])`` is recorded first in the same
        transaction; a replayed one raises ``NonceReplayed`` and stores nothing (and with
        ``key_id``, a terminal no longer active with that key ``TerminalChanged``).
        ``on_stored(connection, new)`` runs for each submission stored now (cases are filed so):
        in that transaction, or on PostgreSQL's pipelined write right after it.
        Per item: ``(created, row)``, or a ``ReceiptNumberTaken`` instance."""
        results: list = []
        now = _now()
        # A blob uploaded before (PATCH) is held already: written again it would only make a
        # segment nothing references.
        fresh = [pair for _, blobs in items for pair in blobs.items()]
        held = self.held([ref for ref, _ in fresh])
        placed = self.place([(ref, data) for ref, data in fresh if ref not in held])
        try:
            if self.db.postgres and (nonce is None or len(nonce) == 4):
                # A case of its own is filed in the pipelined write (``opening`` of a
                # ``central.cases_intake.CaseFiler``), a re-submission right after it.
                opening = [getattr(on_stored, "opening", lambda _: None)(new) for new, _ in items]
                with self.db.engine.connect() as conn:  # one round trip (central.pipelined)
                    results = insert_pipelined(conn, items, nonce, now, placed, _LIST_FIELDS,
                                               opening)
                if on_stored is not None:
                    # Filed right after, in a transaction of its own: a crash in between leaves
                    # an application without its case, which the case queue files when it is
                    # next read (``central.cases_intake``), as for a database from before cases.
                    created = [new for (new, _), outcome, case in zip(items, results, opening,
                                                                      strict=True)
                               if case is None and isinstance(outcome, tuple) and outcome[0]]
                    if created:
                        with self.db.transaction() as conn:
                            for new in created:
                                on_stored(conn, new)
                return results
            with self.db.transaction() as conn:
                if nonce is not None and not record_nonce(conn, *nonce):
                    raise NonceReplayed(nonce[1])
                for new, blobs in items:
                    outcome = self._insert_one(conn, new, blobs, placed, now)
                    results.append(outcome)
                    if on_stored is not None and isinstance(outcome, tuple) and outcome[0]:
                        on_stored(conn, new)
        except TerminalChanged:
            if nonce is not None:
                self.forget_terminal(nonce[0])
            raise
        return results

    @staticmethod
    def _insert_one(conn: Connection, new: NewSubmission, blobs: dict[str, bytes],
                    placed: dict[str, tuple[str, int]], now: str):
        inserted = conn.execute(insert(conn, submissions).values(
            id=new.id, receipt_number=new.receipt_number, terminal_id=new.terminal_id,
            digest=new.digest, central_receipt=new.central_receipt, service_id=new.service_id,
            form_id=new.form_id, form_version=new.form_version, envelope=new.envelope,
            payload=new.payload_json, received_at=new.received_at, route=new.route,
        ).on_conflict_do_nothing()).rowcount
        if not inserted:
            row = conn.execute(select(*_LIST).where(submissions.c.id == new.id)).mappings().first()
            return (False, dict(row)) if row is not None else ReceiptNumberTaken(new.receipt_number)
        attachments = [
            {"submission_id": new.id, "name": name, "sha256": digest, "content": content,
             "size_bytes": len(content) if content or digest not in blobs else len(blobs[digest])}
            for name, (digest, content) in sorted(new.attachments.items())]
        if attachments:
            conn.execute(submission_attachments.insert(), attachments)
        for ref, content in blobs.items():
            insert_blob(conn, ref, content, placed.get(ref), now)
        return True, {column: getattr(new, column) for column in _LIST_FIELDS}

    def existing_many(self, ids: list[str]) -> dict[str, dict]:
        """Metadata of those of ``ids`` already stored, by id."""
        if not ids:
            return {}
        with self.db.transaction(write=False) as conn:
            rows = conn.execute(select(*_LIST).where(submissions.c.id.in_(ids))).mappings()
            return {row["id"]: dict(row) for row in rows}

    def existing(self, submission_id: str) -> dict | None:
        """Metadata of one submission (no attachments), or None."""
        return self.existing_many([submission_id]).get(submission_id)

    def submission(self, submission_id: str) -> dict | None:
        """Metadata of one submission plus its attachment names and sizes (no content)."""
        with self.db.transaction(write=False) as conn:
            row = conn.execute(select(*_LIST).where(submissions.c.id == submission_id)
                               ).mappings().first()
            if row is None:
                return None
            a = submission_attachments.c
            attachments = conn.execute(select(a.name, a.sha256, a.size_bytes)
                                       .where(a.submission_id == submission_id)
                                       .order_by(a.name)).mappings().all()
        return {**row, "attachments": [dict(item) for item in attachments]}

    def submissions(self, limit: int = 100, offset: int = 0,
                    ratings: bool | None = None) -> tuple[int, list[dict]]:
        """``(total, newest first page)`` of submission metadata: every record, or only the
        applications (``ratings=False``) or only the 好差评 ratings (``ratings=True``)."""
        where = []
        if ratings is not None:
            where = [submissions.c.form_id == RATING_FORM_ID if ratings
                     else func.coalesce(submissions.c.form_id, "") != RATING_FORM_ID]
        with self.db.transaction(write=False) as conn:
            total = conn.scalar(select(func.count()).select_from(submissions).where(*where)) or 0
            rows = conn.execute(select(*_LIST).where(*where)
                                .order_by(submissions.c.received_at.desc(), submissions.c.id)
                                .limit(limit).offset(offset)).mappings()
            return total, [dict(row) for row in rows]

    def submission_ids(self) -> list[str]:
        """Every stored submission id (tests and export)."""
        with self.db.transaction(write=False) as conn:
            return list(conn.scalars(select(submissions.c.id).order_by(submissions.c.id)))

    def envelopes(self) -> list[dict]:
        """Every submission with its envelope (for ``kiosk-central export``)."""
        s = submissions.c
        with self.db.transaction(write=False) as conn:
            rows = conn.execute(select(s.id, s.receipt_number, s.terminal_id, s.digest,
                                       s.central_receipt, s.received_at, s.envelope)
                                .order_by(s.received_at, s.id)).mappings()
            return [{**row, "envelope": bytes(row["envelope"])} for row in rows]

    def signer_key(self, terminal_id: str, key_id: str) -> bytes | None:
        """The public key ``key_id`` of ``terminal_id``: current or from before a rotation."""
        with self.db.transaction(write=False) as conn:
            key = conn.scalar(select(terminal_keys.c.public_key).where(
                terminal_keys.c.key_id == key_id, terminal_keys.c.terminal_id == terminal_id))
            if key is None:  # enrolled before the key history existed
                key = conn.scalar(select(terminals.c.public_key).where(
                    terminals.c.key_id == key_id, terminals.c.terminal_id == terminal_id))
        return None if key is None else bytes(key)

    def payload(self, submission_id: str) -> tuple[str, dict[str, bytes]] | None:
        """The decrypted payload JSON and attachments (for platform-side processing and tests)."""
        a = submission_attachments.c
        with self.db.transaction(write=False) as conn:
            payload = conn.scalar(select(submissions.c.payload)
                                  .where(submissions.c.id == submission_id))
            if payload is None:
                return None
            attachments = conn.execute(select(a.name, a.content)
                                       .where(a.submission_id == submission_id)).all()
        return payload, {name: bytes(content) for name, content in attachments}

    # -- heartbeats and the fleet ------------------------------------------------------------

    def add_heartbeats(self, terminal_id: str, items: list[dict]) -> list[str]:
        """Store heartbeats (idempotent by id); returns every id now held. A heartbeat stored
        for the first time has its audit head checked against the anchor (``central.audit_anchor``)."""
        now = _now()
        with self.db.transaction() as conn:
            for item in sorted(items, key=lambda beat: beat["sent_at"]):
                if conn.execute(insert(conn, heartbeats).values(
                        id=item["id"], terminal_id=terminal_id, sent_at=item["sent_at"],
                        received_at=now, body=json.dumps(item, sort_keys=True),
                ).on_conflict_do_nothing()).rowcount == 1:
                    check_head(conn, terminal_id, item, now)
        return [item["id"] for item in items]

    def terminals(self) -> list[dict]:
        """The fleet: each terminal with submission counts and its latest heartbeat."""
        t, s, h = terminals.c, submissions.alias("s"), heartbeats.c
        mine = s.c.terminal_id == t.terminal_id
        query = select(
            t.terminal_id, t.key_id, t.site, t.status, t.registered_at,
            select(func.count()).where(mine).scalar_subquery().label("submissions"),
            select(func.count()).where(and_(mine, s.c.form_id == RATING_FORM_ID))
            .scalar_subquery().label("ratings"),
            select(func.max(s.c.received_at)).where(mine).scalar_subquery()
            .label("last_received_at"),
            select(h.body).where(h.terminal_id == t.terminal_id).order_by(h.sent_at.desc())
            .limit(1).scalar_subquery().label("heartbeat"),
        ).order_by(t.terminal_id)
        with self.db.transaction(write=False) as conn:
            rows = [dict(row) for row in conn.execute(query).mappings()]
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
