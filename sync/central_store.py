"""Storage of the reference central platform (SQLite; PostgreSQL is the next issue).

The platform is the trusted side: it keeps each envelope exactly as received plus the decrypted
payload and attachments. Deduplication is the database's job: insert, and on a UNIQUE violation
read what is there and let the caller compare digests. Never check-then-insert: two workers
receiving the same resend at once would both see "absent".

Thread rule: every call opens its own short-lived connection, so the store may be used from
FastAPI's thread pool; WAL and the busy timeout let those connections share the file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

SCHEMA_VERSION = 1

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS terminals (
        terminal_id   TEXT PRIMARY KEY,
        public_key    BLOB NOT NULL,
        key_id        TEXT NOT NULL UNIQUE,
        site          TEXT,
        registered_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS submissions (
        id              TEXT PRIMARY KEY,
        receipt_number  TEXT NOT NULL UNIQUE,
        terminal_id     TEXT NOT NULL REFERENCES terminals (terminal_id),
        digest          TEXT NOT NULL,
        central_receipt TEXT NOT NULL UNIQUE,
        service_id      TEXT,
        form_id         TEXT,
        form_version    TEXT,
        envelope        BLOB NOT NULL,
        payload         TEXT NOT NULL,
        received_at     TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS submission_attachments (
        submission_id TEXT NOT NULL REFERENCES submissions (id),
        name          TEXT NOT NULL,
        sha256        TEXT NOT NULL,
        size_bytes    INTEGER NOT NULL,
        content       BLOB NOT NULL,
        PRIMARY KEY (submission_id, name)
    )""",
    "CREATE INDEX IF NOT EXISTS submissions_received ON submissions (received_at)",
)

# Columns safe to show operators on lists: no payload, no envelope.
_LIST_COLUMNS = (
    "id, receipt_number, terminal_id, digest, central_receipt, service_id, form_id, "
    "form_version, received_at"
)


class ReceiptNumberTaken(Exception):
    """A different submission id already uses this receipt number."""


class TerminalKeyConflict(Exception):
    """The terminal id is registered with a different public key."""


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
    attachments: dict[str, tuple[str, bytes]]  # name -> (sha256 hex, content)
    received_at: str


class CentralStore:
    """The platform database file. ``open()`` creates the schema; no connection is kept."""

    def __init__(self, path: str | Path, *, busy_timeout_s: float = 10.0) -> None:
        """Remember the path; no I/O."""
        self.path = str(path)
        self._busy_timeout_s = busy_timeout_s

    def open(self) -> None:
        """Create the schema if needed. Call once before serving."""
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            conn.execute("COMMIT")

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=self._busy_timeout_s)) as conn:
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            yield conn

    # -- terminals ---------------------------------------------------------------------------

    def register_terminal(
        self, terminal_id: str, public_key: bytes, key_id: str, site: str | None, now: str
    ) -> bool:
        """Record a terminal; True if new, False if already registered with this key.

        Raises ``TerminalKeyConflict`` for a different key (rotation is the next issue)."""
        with self._connection() as conn:
            try:
                with conn:
                    conn.execute(
                        "INSERT INTO terminals (terminal_id, public_key, key_id, site, "
                        "registered_at) VALUES (?, ?, ?, ?, ?)",
                        (terminal_id, public_key, key_id, site, now),
                    )
                return True
            except sqlite3.IntegrityError as exc:
                row = conn.execute(
                    "SELECT public_key FROM terminals WHERE terminal_id = ?", (terminal_id,)
                ).fetchone()
                if row is not None and bytes(row["public_key"]) == public_key:
                    return False
                raise TerminalKeyConflict(terminal_id) from exc

    def terminal(self, terminal_id: str) -> dict | None:
        """The terminal's row (``public_key`` as bytes), or None."""
        with self._connection() as conn:
            row = conn.execute(
                "SELECT * FROM terminals WHERE terminal_id = ?", (terminal_id,)
            ).fetchone()
        return None if row is None else dict(row)

    def terminals(self) -> list[dict]:
        """Every terminal with its submission count and last submission time."""
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT t.terminal_id, t.key_id, t.site, t.registered_at, "
                "count(s.id) AS submissions, max(s.received_at) AS last_received_at "
                "FROM terminals t LEFT JOIN submissions s ON s.terminal_id = t.terminal_id "
                "GROUP BY t.terminal_id ORDER BY t.terminal_id"
            ).fetchall()
        return [dict(row) for row in rows]

    # -- submissions -------------------------------------------------------------------------

    def insert_submission(self, new: NewSubmission) -> tuple[bool, dict]:
        """Insert; return ``(True, row)`` when stored now, ``(False, existing_row)`` when the id
        was already there (the caller compares digests). Raises ``ReceiptNumberTaken``."""
        with self._connection() as conn:
            try:
                with conn:  # one transaction: the submission and its attachments
                    conn.execute(
                        "INSERT INTO submissions (id, receipt_number, terminal_id, digest, "
                        "central_receipt, service_id, form_id, form_version, envelope, payload, "
                        "received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            new.id, new.receipt_number, new.terminal_id, new.digest,
                            new.central_receipt, new.service_id, new.form_id, new.form_version,
                            new.envelope, new.payload_json, new.received_at,
                        ),
                    )
                    conn.executemany(
                        "INSERT INTO submission_attachments (submission_id, name, sha256, "
                        "size_bytes, content) VALUES (?, ?, ?, ?, ?)",
                        [
                            (new.id, name, digest, len(content), content)
                            for name, (digest, content) in sorted(new.attachments.items())
                        ],
                    )
            except sqlite3.IntegrityError as exc:
                existing = conn.execute(
                    f"SELECT {_LIST_COLUMNS} FROM submissions WHERE id = ?", (new.id,)
                ).fetchone()
                if existing is None:
                    raise ReceiptNumberTaken(new.receipt_number) from exc
                return False, dict(existing)
            row = conn.execute(
                f"SELECT {_LIST_COLUMNS} FROM submissions WHERE id = ?", (new.id,)
            ).fetchone()
        return True, dict(row)

    def submission(self, submission_id: str) -> dict | None:
        """Metadata of one submission plus its attachment names and sizes (no content)."""
        with self._connection() as conn:
            row = conn.execute(
                f"SELECT {_LIST_COLUMNS} FROM submissions WHERE id = ?", (submission_id,)
            ).fetchone()
            if row is None:
                return None
            attachments = conn.execute(
                "SELECT name, sha256, size_bytes FROM submission_attachments "
                "WHERE submission_id = ? ORDER BY name",
                (submission_id,),
            ).fetchall()
        return {**dict(row), "attachments": [dict(a) for a in attachments]}

    def submissions(self, limit: int = 100, offset: int = 0) -> tuple[int, list[dict]]:
        """``(total, newest first page)`` of submission metadata."""
        with self._connection() as conn:
            total = conn.execute("SELECT count(*) FROM submissions").fetchone()[0]
            rows = conn.execute(
                f"SELECT {_LIST_COLUMNS} FROM submissions "
                "ORDER BY received_at DESC, id LIMIT ? OFFSET ?",
                (limit, offset),
            ).fetchall()
        return total, [dict(row) for row in rows]

    def payload(self, submission_id: str) -> tuple[str, dict[str, bytes]] | None:
        """The decrypted payload JSON and attachments (for platform-side processing and tests)."""
        with self._connection() as conn:
            row = conn.execute(
                "SELECT payload FROM submissions WHERE id = ?", (submission_id,)
            ).fetchone()
            if row is None:
                return None
            attachments = conn.execute(
                "SELECT name, content FROM submission_attachments WHERE submission_id = ?",
                (submission_id,),
            ).fetchall()
        return row["payload"], {a["name"]: bytes(a["content"]) for a in attachments}
