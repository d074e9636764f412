"""Versioned schema steps of the terminal database, and the runner that applies them.

A step is never edited once released: a schema change is a new step with the next version. The
``migrations`` table records which versions a database has; a database that records a version this
release does not know was written by a newer release, and is refused rather than guessed at.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlite_utils import Database

from .errors import SchemaVersionError


@dataclass(frozen=True)
class Migration:
    """One schema step: ``apply(db)`` runs inside the transaction that records ``version``."""

    version: int
    name: str
    apply: Callable[[Database], None]

    @classmethod
    def sql(cls, version: int, name: str, *statements: str) -> Migration:
        """A step made of plain SQL statements, executed one by one (no ``executescript``,
        which would commit the surrounding transaction)."""

        def apply(db: Database) -> None:
            for statement in statements:
                db.conn.execute(statement)

        return cls(version, name, apply)


MIGRATIONS_TABLE_SQL = """
CREATE TABLE IF NOT EXISTS migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
)
"""


def pending_migrations(db: Database, steps: Sequence[Migration]) -> list[Migration]:
    """The steps not yet recorded in ``db``; raises ``SchemaVersionError`` on a newer database."""
    applied = {row[0] for row in db.conn.execute("SELECT version FROM migrations")}
    known = {step.version for step in steps}
    unknown = sorted(applied - known)
    if unknown:
        raise SchemaVersionError(
            f"database has schema version(s) {unknown} that this release does not know "
            f"(it knows up to {max(known, default=0)}); it was written by a newer release"
        )
    return [step for step in steps if step.version not in applied]


def apply_migrations(db: Database, steps: Sequence[Migration]) -> list[int]:
    """Apply every pending step in one ``BEGIN IMMEDIATE`` transaction; return the versions applied.

    The pending list is read under the write lock, so two processes opening the same new file
    cannot both apply a step. Either every pending step applies or none does.
    """
    check_steps(steps)
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(MIGRATIONS_TABLE_SQL)
        applied: list[int] = []
        for step in pending_migrations(db, steps):
            step.apply(db)
            conn.execute(
                "INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (step.version, step.name, datetime.now(UTC).isoformat()),
            )
            applied.append(step.version)
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return applied


def check_steps(steps: Sequence[Migration]) -> None:
    """Raise ``ValueError`` unless versions run 1, 2, 3, ... in order (a programming error)."""
    versions = [step.version for step in steps]
    if versions != list(range(1, len(versions) + 1)):
        raise ValueError(f"migration versions must be 1..n in order, got {versions}")


def schema_version(conn: sqlite3.Connection) -> int:
    """The highest applied version (0 for a database with no recorded steps)."""
    row = conn.execute("SELECT max(version) FROM migrations").fetchone()
    return int(row[0] or 0)


# The terminal schema. Columns beyond the foundation's needs (priority, lease_owner, last_status,
# purged_at) exist so the next protocol issue adds behaviour, not a table rebuild.
TERMINAL_MIGRATIONS: tuple[Migration, ...] = (
    Migration.sql(
        1,
        "outbox",
        """
        CREATE TABLE submissions (
            id              TEXT PRIMARY KEY,
            receipt_number  TEXT NOT NULL UNIQUE,
            service_id      TEXT NOT NULL,
            form_id         TEXT NOT NULL,
            form_version    TEXT NOT NULL,
            state           TEXT NOT NULL CHECK (state IN
                                ('sealed', 'queued', 'sending', 'acked', 'purged', 'quarantined')),
            sealed          BLOB,
            digest          TEXT NOT NULL,
            size_bytes      INTEGER NOT NULL,
            priority        INTEGER NOT NULL DEFAULT 5,
            created_at      TEXT NOT NULL,
            updated_at      TEXT NOT NULL,
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            lease_owner     TEXT,
            lease_until     TEXT,
            last_status     INTEGER,
            last_error      TEXT,
            central_receipt TEXT,
            acked_at        TEXT,
            purged_at       TEXT,
            -- Only a purged tombstone may lose its sealed bytes.
            CHECK ((state = 'purged') = (sealed IS NULL))
        )
        """,
        "CREATE INDEX submissions_due ON submissions (state, priority, next_attempt_at)",
        """
        CREATE TABLE sequences (
            scope TEXT PRIMARY KEY,
            value INTEGER NOT NULL CHECK (value > 0)
        )
        """,
    ),
    Migration.sql(
        2,
        "blobs, heartbeats, sync state",
        # Detached attachment ciphertexts by content hash; a blob outlives a submission's purge
        # only while another unpurged submission still names it.
        """
        CREATE TABLE blobs (
            sha256     TEXT PRIMARY KEY,
            data       BLOB NOT NULL,
            size_bytes INTEGER NOT NULL
        )
        """,
        """
        CREATE TABLE submission_blobs (
            submission_id TEXT NOT NULL REFERENCES submissions (id),
            sha256        TEXT NOT NULL REFERENCES blobs (sha256),
            PRIMARY KEY (submission_id, sha256)
        )
        """,
        "CREATE INDEX submission_blobs_sha ON submission_blobs (sha256)",
        """
        CREATE TABLE heartbeats (
            id         TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            body       TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE sync_state (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )
        """,
        """
        CREATE TABLE documents (
            kind       TEXT PRIMARY KEY,
            etag       TEXT NOT NULL,
            document   TEXT NOT NULL,
            fetched_at TEXT NOT NULL
        )
        """,
    ),
    Migration.sql(
        3,
        "audit trail",
        # Hash-linked staff, session and device events (offline_cache.audit_trail); seq is the
        # chain position, so it is assigned by the writer, never by AUTOINCREMENT.
        """
        CREATE TABLE audit_events (
            seq     INTEGER PRIMARY KEY,
            at      TEXT NOT NULL,
            kind    TEXT NOT NULL,
            actor   TEXT,
            details TEXT NOT NULL,
            prev    TEXT NOT NULL,
            hash    TEXT NOT NULL
        )
        """,
        "CREATE INDEX audit_events_at ON audit_events (at)",
    ),
    Migration.sql(
        4,
        "case statuses",
        # The platform's latest status of each case this terminal took (offline_cache.case_statuses);
        # cursor is the platform's order of the change, so an older change never overwrites a newer.
        # No personal data: the case worker's note is not kept.
        """
        CREATE TABLE case_statuses (
            receipt_number       TEXT PRIMARY KEY,
            status               TEXT NOT NULL,
            at                   TEXT NOT NULL,
            next_step            TEXT NOT NULL,
            correction_requested INTEGER NOT NULL CHECK (correction_requested IN (0, 1)),
            cursor               INTEGER NOT NULL
        )
        """,
        "CREATE INDEX case_statuses_at ON case_statuses (at)",
    ),
)
