"""Database access of the reference platform: one small adapter over SQLite and PostgreSQL.

SQL is written once with ``?`` placeholders and portable types; the PostgreSQL side rewrites
``?`` to ``%s`` and ``BLOB`` to ``BYTEA``. Each thread keeps its own connection (FastAPI's thread
pool, several uvicorn worker processes): SQLite connections are not shareable across threads and
a PostgreSQL connection per request would cost a round trip to set up.

Deduplication everywhere is ``INSERT ... ON CONFLICT DO NOTHING`` and a look at ``rowcount``, so two
workers racing on the same resend cannot both win (no check-then-insert).
"""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from .files import private_database

SCHEMA_VERSION = 5

#: The tables of schema 3 (the releases before Alembic), created by the baseline revision
#: (``central/migrations/versions/0001_baseline.py``); later changes are Alembic revisions.
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


def is_postgres(url: str) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) URL."""
    return url.startswith(("postgresql://", "postgres://"))


class Tx:
    """One open transaction: ``one``, ``all`` and ``run`` take ``?``-style SQL."""

    def __init__(self, conn, postgres: bool) -> None:
        """Wrap a connection inside a transaction."""
        self._conn = conn
        self._pg = postgres

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self._pg else sql

    def _params(self, params: Sequence) -> Sequence:
        if not self._pg:
            return params
        # psycopg returns memoryview for BYTEA and wants bytes in; both sides agree on bytes.
        return [bytes(p) if isinstance(p, memoryview) else p for p in params]

    def run(self, sql: str, params: Sequence = ()) -> int:
        """Execute; return the affected row count."""
        return self._conn.execute(self._sql(sql), self._params(params)).rowcount

    def one(self, sql: str, params: Sequence = ()) -> dict | None:
        """The first row as a dict (BLOBs as bytes), or None."""
        row = self._conn.execute(self._sql(sql), self._params(params)).fetchone()
        return None if row is None else _plain(row)

    def first(self, sql: str, params: Sequence = ()) -> dict:
        """The first row of a query that always returns one (``count(*)``, a ``PRAGMA``)."""
        row = self.one(sql, params)
        if row is None:
            raise LookupError("the query returned no row")
        return row

    def all(self, sql: str, params: Sequence = ()) -> list[dict]:
        """Every row as a dict."""
        return [_plain(row) for row in self._conn.execute(self._sql(sql), self._params(params))]


def _plain(row) -> dict:
    return {key: bytes(value) if isinstance(value, memoryview) else value
            for key, value in dict(row).items()}


class Database:
    """The platform database: a SQLite path or a PostgreSQL URL. Thread-safe."""

    def __init__(self, target: str | Path, *, busy_timeout_s: float = 30.0) -> None:
        """Remember the target; no I/O."""
        self.target = str(target)
        self.postgres = is_postgres(self.target)
        self._busy_timeout_s = busy_timeout_s
        self._local = threading.local()
        # SQLite lets one writer in at a time, and a connection that finds the lock taken
        # sleeps in SQLite's busy handler (1, 2, 5, 10 … ms steps) before it tries again. Writers
        # queue on these locks instead -- threads on the lock, worker processes on an flock of
        # a file beside the database -- and start the moment the writer before them commits.
        self._write_lock = threading.Lock()
        self._private = False

    def _connect(self):
        if self.postgres:
            import psycopg
            from psycopg.rows import dict_row

            return psycopg.connect(self.target, autocommit=True, row_factory=dict_row)
        if not self._private and self.target != ":memory:":
            private_database(self.target)  # 0600 in a 0700 folder, before SQLite creates it
            self._private = True
        conn = sqlite3.connect(self.target, timeout=self._busy_timeout_s, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    def _connection(self):
        conn = getattr(self._local, "conn", None)
        if conn is not None and self.postgres and (conn.closed or conn.broken):
            conn = None
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Tx]:
        """A read-write transaction on this thread's connection (SQLite: ``BEGIN IMMEDIATE``).
        ``write=False`` (SQLite: a deferred ``BEGIN``) reads a snapshot without taking the write
        lock, so lookups on the request path do not queue behind another request's commit."""
        conn = self._connection()
        if self.postgres:
            with conn.transaction():
                yield Tx(conn, True)
            return
        if not write:
            conn.execute("BEGIN")
            try:
                yield Tx(conn, False)
            finally:
                conn.execute("COMMIT")  # a read snapshot: nothing to keep or undo
            return
        with self._write_lock:
            lock_file = os.open(f"{self.target}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX)
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield Tx(conn, False)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            finally:
                os.close(lock_file)  # releases the flock

    def create_schema(self) -> None:
        """Create or upgrade the schema to the newest Alembic revision (``central.migrations``),
        in place: a database of any earlier release keeps every row. Several workers may race
        here; the upgrade runs under the writers' lock (SQLite) or an advisory lock
        (PostgreSQL)."""
        from .migrations import upgrade_to_head

        if self.postgres:
            upgrade_to_head(self.target, postgres=True)
            return
        with self._write_lock:
            lock_file = os.open(f"{self.target}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX)
                upgrade_to_head(self.target, postgres=False)
                conn = self._connection()
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            finally:
                os.close(lock_file)

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def create_baseline(tx: Tx, postgres: bool) -> None:
    """Schema 3, created or reached in place from any earlier release (idempotent): the body of
    the baseline revision, kept here beside the upgrades it runs."""
    if not postgres:
        _upgrade_sqlite_v1(tx)
    for statement in SCHEMA:
        tx.run(_ddl(statement, postgres))
    _add_blob_segment_columns(tx, postgres)
    _add_key_retirement(tx, postgres)


def _upgrade_sqlite_v1(tx: Tx) -> None:
    """A platform database written by the foundation release (``user_version`` 1) lacks the
    terminal status and the delivery route: add them in place, keeping every row."""
    version = tx.first("PRAGMA user_version")["user_version"]
    if version != 1:
        return
    columns = {row["name"] for row in tx.all("PRAGMA table_info(terminals)")}
    if "status" not in columns:
        tx.run("ALTER TABLE terminals ADD COLUMN status TEXT NOT NULL DEFAULT 'active'")
    columns = {row["name"] for row in tx.all("PRAGMA table_info(submissions)")}
    if "route" not in columns:
        tx.run("ALTER TABLE submissions ADD COLUMN route TEXT NOT NULL DEFAULT 'online'")


def _add_blob_segment_columns(tx: Tx, postgres: bool) -> None:
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


def _add_key_retirement(tx: Tx, postgres: bool) -> None:
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


def _ddl(statement: str, postgres: bool) -> str:
    return re.sub(r"\bBLOB\b", "BYTEA", statement) if postgres else statement
