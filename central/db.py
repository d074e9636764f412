"""The platform database: SQLAlchemy Core over SQLite or PostgreSQL (psycopg 3).

Tables are ``sqlalchemy.Table`` objects on the one shared ``central.tables.metadata``; the
schema itself belongs to Alembic (``central/migrations``), which ``Database.create_schema`` runs
to the newest revision.

**A new table**: define it on the shared metadata (in ``central/tables.py`` or a module of its
own) and create it with a new Alembic revision (``central/migrations/versions/000N_….py``, the
next number, ``down_revision`` the previous head)::

    from sqlalchemy import Column, Table, Text
    from central.tables import metadata

    cases = Table("cases", metadata,
                  Column("id", Text, primary_key=True),
                  Column("status", Text, nullable=False))

``tests/central/test_central_tables.py`` fails while the metadata and the revisions disagree.

**A query**: ``Database.transaction()`` yields a ``sqlalchemy.Connection`` inside one
transaction, committed when the block ends and rolled back if it raises::

    from sqlalchemy import select, update
    from central.db import insert

    with store.db.transaction() as conn:                       # read-write
        conn.execute(update(cases).where(cases.c.id == case_id).values(status="open"))
        created = conn.execute(insert(conn, cases).values(id=new_id, status="new")
                               .on_conflict_do_nothing()).rowcount == 1
    with store.db.transaction(write=False) as conn:            # a read-only snapshot
        row = conn.execute(select(cases).where(cases.c.id == case_id)).mappings().first()

Deduplication is always ``insert(...).on_conflict_do_nothing()`` and a look at ``rowcount``, so
two workers racing on the same resend cannot both win (never check-then-insert). ``insert`` here
is the connection's dialect's own (SQLite and PostgreSQL both have ``ON CONFLICT``). Rows come
back as ``Row`` objects; ``.mappings()`` gives them as read-only dicts.

Connections come from a pool per ``Database`` (per worker process: each uvicorn worker builds
its own application and so its own pool), sized for FastAPI's thread pool. A SQLite database is
opened in WAL mode with ``synchronous=FULL`` and foreign keys on; its file, WAL and folder are
private (0600 in 0700, ``central.files``). SQLite lets one writer in at a time: write
transactions queue on a lock (threads) and an ``flock`` beside the database (worker processes)
and then ``BEGIN IMMEDIATE``, instead of sleeping in SQLite's busy handler. Read transactions
(``write=False``) take no lock. On PostgreSQL every transaction is READ COMMITTED.

Thread rule: a ``Database`` may be used from any thread; a connection from ``transaction()``
stays on the thread that opened it.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite

from .files import private_database

SCHEMA_VERSION = 6

#: Connections each worker process keeps open once it needed them, and how many more it may
#: open at a peak (closed again when returned). FastAPI runs blocking endpoints on a pool of 40
#: threads: as many connections stay open, since a PostgreSQL connection opened and closed per
#: request costs the server a new backend process.
POOL_SIZE = 40
POOL_OVERFLOW = 10
# Every statement's rowcount is kept (SQLAlchemy keeps it only for UPDATE and DELETE otherwise):
# an INSERT ... ON CONFLICT DO NOTHING tells by it whether it won.
_OPTIONS = {"preserve_rowcount": True}


def is_postgres(url: str) -> bool:
    """True for a ``postgresql://`` (or ``postgres://``) URL."""
    return url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://"))


def engine_url(target: str, postgres: bool) -> str:
    """The SQLAlchemy URL of a target (a SQLite path or a PostgreSQL URL)."""
    if not postgres:
        return f"sqlite:///{target}"
    return "postgresql+psycopg://" + target.split("://", 1)[1]


def insert(conn: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """``INSERT`` into ``table`` in the dialect of ``conn``, which has ``on_conflict_do_nothing``
    and ``on_conflict_do_update``."""
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


class Database:
    """The platform database: a SQLite path or a PostgreSQL URL, behind a connection pool.
    Thread-safe."""

    def __init__(self, target: str | Path, *, busy_timeout_s: float = 30.0) -> None:
        """Remember the target and build the engine; no I/O (connections open on first use)."""
        self.target = str(target)
        self.postgres = is_postgres(self.target)
        self._write_lock = threading.Lock()
        self.engine: Engine = (self._postgres_engine() if self.postgres
                               else self._sqlite_engine(busy_timeout_s))

    def _postgres_engine(self) -> Engine:
        # psycopg prepares a statement once it has run a few times on a connection; the SQL of
        # a Core expression is cached, so the hot statements are prepared once per connection.
        # No ping before each use (a round trip): a connection found dead invalidates the pool,
        # so after a database restart one transaction fails and the next ones reconnect.
        return create_engine(engine_url(self.target, True), pool_size=POOL_SIZE,
                             max_overflow=POOL_OVERFLOW, execution_options=_OPTIONS)

    def _sqlite_engine(self, busy_timeout_s: float) -> Engine:
        engine = create_engine(engine_url(self.target, False), pool_size=POOL_SIZE,
                               max_overflow=POOL_OVERFLOW, execution_options=_OPTIONS,
                               connect_args={"timeout": busy_timeout_s,
                                             "check_same_thread": False})
        target = self.target

        @event.listens_for(engine, "do_connect")
        def _private_file(dialect, conn_rec, cargs, cparams):
            if target != ":memory:":  # 0600 in a 0700 folder, before SQLite creates it
                private_database(target)

        @event.listens_for(engine, "connect")
        def _configure(dbapi_connection, connection_record):
            # Transactions are begun here (below), not by the sqlite3 module's guesswork.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql(conn.get_execution_options().get("sqlite_begin", "BEGIN"))

        return engine

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Connection]:
        """One transaction on a pooled connection, committed at the end of the block (rolled
        back on an exception). ``write=False`` reads a snapshot (SQLite: a deferred ``BEGIN``)
        without taking the write lock, so lookups on the request path do not queue behind
        another request's commit."""
        if self.postgres and not write:
            # READ COMMITTED gives each statement its own snapshot, in a transaction or not:
            # without one a lookup is one round trip instead of three (BEGIN, query, COMMIT).
            with self.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT")
                yield conn
            return
        if self.postgres or not write:
            with self.engine.begin() as conn:
                yield conn
            return
        with self._sqlite_writer() as conn:
            yield conn

    @contextmanager
    def _sqlite_writer(self) -> Iterator[Connection]:
        # SQLite's busy handler sleeps 1, 2, 5, 10 … ms before trying again; writers queue on
        # these locks instead and start the moment the writer before them commits.
        with self._write_lock:
            lock_file = os.open(f"{self.target}.writer-lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX)
                with self.engine.connect() as conn:
                    conn.execution_options(sqlite_begin="BEGIN IMMEDIATE")
                    with conn.begin():
                        yield conn
            finally:
                os.close(lock_file)  # releases the flock

    def create_schema(self) -> None:
        """Create or upgrade the schema to the newest Alembic revision (``central.migrations``),
        in place and in one transaction: a database of any earlier release keeps every row.
        Several workers may race here; the upgrade runs under the writers' lock (SQLite) or an
        advisory lock (PostgreSQL)."""
        from .migrations import upgrade_to_head

        if self.postgres:
            with self.engine.begin() as conn:
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7001)")
                upgrade_to_head(conn)
            return
        with self._sqlite_writer() as conn:
            upgrade_to_head(conn)
            conn.exec_driver_sql(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the pooled connections (the next transaction opens new ones)."""
        self.engine.dispose()
