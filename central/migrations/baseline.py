"""The platform's schema before Alembic (schema 3) and the in-place steps that reached it.

The body of revision 0001 (``versions/0001_baseline.py``): it creates these tables on a new
database, or brings a database of an earlier release (schemas 1 to 3, no ``alembic_version``)
up to schema 3 in place, keeping every row. Plain DDL on purpose: it is history, frozen, and
tests build a database of that release with it. ``central.tables`` describes the result.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection

#: The tables of schema 3 (the releases before Alembic).
SCHEMA: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS terminals (
        terminal_id   TEXT PRIMARY KEY,
        public_key    BLOB NOT NULL,
        key_id        TEXT NOT NULL UNIQUE,
        site          TEXT,
        status        TEXT NOT NULL DEFAULT 'active',
        registered_at TEXT NOT NULL
    )""",
    # Every key a terminal ever enrolled: envelopes signed before a key rotation stay verifiable
    # for the grace period after ``retired_at`` (NULL: the current key; central.terminal_keys).
    """CREATE TABLE IF NOT EXISTS terminal_keys (
        key_id        TEXT PRIMARY KEY,
        terminal_id   TEXT NOT NULL,
        public_key    BLOB NOT NULL,
        registered_at TEXT NOT NULL,
        retired_at    TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS enroll_tokens (
        token_hash  TEXT PRIMARY KEY,
        terminal_id TEXT,
        created_at  TEXT NOT NULL,
        expires_at  TEXT NOT NULL,
        used_at     TEXT,
        used_by     TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS nonces (
        terminal_id TEXT NOT NULL,
        nonce       TEXT NOT NULL,
        seen_at     TEXT NOT NULL,
        PRIMARY KEY (terminal_id, nonce)
    )""",
    "CREATE INDEX IF NOT EXISTS nonces_seen ON nonces (seen_at)",
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
        received_at     TEXT NOT NULL,
        route           TEXT NOT NULL DEFAULT 'online'
    )""",
    "CREATE INDEX IF NOT EXISTS submissions_received ON submissions (received_at)",
    "CREATE INDEX IF NOT EXISTS submissions_terminal ON submissions (terminal_id)",
    """CREATE TABLE IF NOT EXISTS submission_attachments (
        submission_id TEXT NOT NULL REFERENCES submissions (id),
        name          TEXT NOT NULL,
        sha256        TEXT NOT NULL,
        size_bytes    INTEGER NOT NULL,
        content       BLOB NOT NULL,
        PRIMARY KEY (submission_id, name)
    )""",
    # ``content`` is empty for a blob kept in a segment file (``central.blobs``).
    """CREATE TABLE IF NOT EXISTS blobs (
        sha256       TEXT PRIMARY KEY,
        size_bytes   INTEGER NOT NULL,
        content      BLOB NOT NULL,
        received_at  TEXT NOT NULL,
        segment      TEXT,
        offset_bytes INTEGER
    )""",
    """CREATE TABLE IF NOT EXISTS blob_parts (
        sha256       TEXT NOT NULL,
        offset_bytes INTEGER NOT NULL,
        total_bytes  INTEGER NOT NULL,
        content      BLOB NOT NULL,
        PRIMARY KEY (sha256, offset_bytes)
    )""",
    """CREATE TABLE IF NOT EXISTS heartbeats (
        id          TEXT PRIMARY KEY,
        terminal_id TEXT NOT NULL REFERENCES terminals (terminal_id),
        sent_at     TEXT NOT NULL,
        received_at TEXT NOT NULL,
        body        TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS heartbeats_terminal ON heartbeats (terminal_id, sent_at)",
)




class _Steps:
    """``?``-style SQL on a SQLAlchemy connection, for the frozen steps below."""

    def __init__(self, conn: Connection, postgres: bool) -> None:
        self._conn = conn
        self._pg = postgres

    def run(self, sql: str, params: Sequence = ()) -> None:
        self._conn.exec_driver_sql(sql.replace("?", "%s") if self._pg else sql, tuple(params))

    def all(self, sql: str) -> list[dict]:
        return [dict(row) for row in self._conn.exec_driver_sql(sql).mappings()]

    def one(self, sql: str) -> dict | None:
        rows = self.all(sql)
        return rows[0] if rows else None


def create_baseline(conn: Connection, postgres: bool) -> None:
    """Schema 3, created or reached in place from any earlier release (idempotent): the body of
    the baseline revision."""
    tx = _Steps(conn, postgres)
    if not postgres:
        _upgrade_sqlite_v1(tx)
    for statement in SCHEMA:
        tx.run(ddl(statement, postgres))
    _add_blob_segment_columns(tx, postgres)
    _add_key_retirement(tx, postgres)


def _upgrade_sqlite_v1(tx: _Steps) -> None:
    """A platform database written by the foundation release (``user_version`` 1) lacks the
    terminal status and the delivery route: add them in place, keeping every row."""
    version = tx.one("PRAGMA user_version")["user_version"]
    if version != 1:
        return
    columns = {row["name"] for row in tx.all("PRAGMA table_info(terminals)")}
    if "status" not in columns:
        tx.run("ALTER TABLE terminals ADD COLUMN status TEXT NOT NULL DEFAULT 'active'")
    columns = {row["name"] for row in tx.all("PRAGMA table_info(submissions)")}
    if "route" not in columns:
        tx.run("ALTER TABLE submissions ADD COLUMN route TEXT NOT NULL DEFAULT 'online'")


def _add_blob_segment_columns(tx: _Steps, postgres: bool) -> None:
    """Blobs created before segment files existed keep their bytes in ``content``; the two
    location columns are added in place (NULL: the bytes are in the row)."""
    if postgres:
        tx.run("ALTER TABLE blobs ADD COLUMN IF NOT EXISTS segment TEXT")
        tx.run("ALTER TABLE blobs ADD COLUMN IF NOT EXISTS offset_bytes INTEGER")
        return
    columns = {row["name"] for row in tx.all("PRAGMA table_info(blobs)")}
    for column, kind in (("segment", "TEXT"), ("offset_bytes", "INTEGER")):
        if column not in columns:
            tx.run(f"ALTER TABLE blobs ADD COLUMN {column} {kind}")


def _add_key_retirement(tx: _Steps, postgres: bool) -> None:
    """Schema 3: ``terminal_keys.retired_at``. A database of schema 2 lacks it and holds every
    key a terminal enrolled with, the replaced ones unmarked, and none of the keys of terminals
    enrolled before the table existed. In place and idempotent: record those current keys, and
    date each replaced key's retirement to the registration of the key that followed it (or
    now, if none did)."""
    if postgres:
        tx.run("ALTER TABLE terminal_keys ADD COLUMN IF NOT EXISTS retired_at TEXT")
    elif "retired_at" not in {row["name"] for row in tx.all("PRAGMA table_info(terminal_keys)")}:
        tx.run("ALTER TABLE terminal_keys ADD COLUMN retired_at TEXT")
    tx.run("INSERT INTO terminal_keys (key_id, terminal_id, public_key, registered_at) "
           "SELECT key_id, terminal_id, public_key, registered_at FROM terminals t "
           "WHERE NOT EXISTS (SELECT 1 FROM terminal_keys k WHERE k.key_id = t.key_id) "
           "ON CONFLICT DO NOTHING")
    tx.run("UPDATE terminal_keys SET retired_at = COALESCE("
           "(SELECT min(later.registered_at) FROM terminal_keys later "
           "WHERE later.terminal_id = terminal_keys.terminal_id "
           "AND later.registered_at > terminal_keys.registered_at), ?) "
           "WHERE retired_at IS NULL AND NOT EXISTS (SELECT 1 FROM terminals t "
           "WHERE t.key_id = terminal_keys.key_id AND t.terminal_id = terminal_keys.terminal_id)",
           (datetime.now(UTC).isoformat(timespec="microseconds"),))


def ddl(statement: str, postgres: bool) -> str:
    """``statement`` of ``SCHEMA`` in the dialect at hand (PostgreSQL says ``BYTEA``)."""
    return re.sub(r"\bBLOB\b", "BYTEA", statement) if postgres else statement
