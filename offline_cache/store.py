"""The terminal's SQLite store: one file, WAL, ``synchronous=FULL``, versioned migrations.

Thread rule: a ``Store`` belongs to the thread that opened it. sqlite3's ``check_same_thread``
stays on, so a call from any other thread fails loudly instead of corrupting a transaction. The
kiosk opens one ``Store`` on the outbox writer thread and the sync worker opens its own on the same
file; WAL lets the reader and the writer proceed together and the busy timeout makes two writers
queue for the lock instead of failing at once.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from .errors import StoreCorrupted, StoreError, StoreNotOpen
from .migrations import TERMINAL_MIGRATIONS, Migration, apply_migrations, schema_version

MEMORY = ":memory:"


class Store:
    """A handle on the terminal database file. No I/O until ``open()``.

    ``with Store(path) as store:`` opens and closes it on the calling thread.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        busy_timeout_s: float = 5.0,
        migrations: Sequence[Migration] = TERMINAL_MIGRATIONS,
        rebuildable_writes: bool = False,
    ) -> None:
        """Remember where the database lives; ``migrations`` defaults to the terminal schema.

        Every commit is flushed to disk (``synchronous=FULL``) unless ``rebuildable_writes``: a
        connection that writes only state that is rebuilt after a power cut -- the sync worker's
        leases, acknowledgements and purges: a lost acknowledgement means one resend, which the
        platform answers with the original receipt -- commits without an fsync
        (``synchronous=NORMAL``; WAL still keeps every commit atomic and in order, and a crash of
        the process loses nothing)."""
        self._path = str(path)
        self._synchronous = "NORMAL" if rebuildable_writes else "FULL"
        self._busy_timeout_s = busy_timeout_s
        self._migrations = tuple(migrations)
        self._db: Database | None = None

    @classmethod
    def memory(cls, **kwargs: Any) -> Store:
        """A store on a private in-memory database (tests); WAL does not apply there."""
        return cls(MEMORY, **kwargs)

    @property
    def path(self) -> str:
        """The database file path (``":memory:"`` for ``Store.memory()``)."""
        return self._path

    @property
    def is_open(self) -> bool:
        """True between ``open()`` and ``close()``."""
        return self._db is not None

    @property
    def db(self) -> Database:
        """The sqlite-utils ``Database``; raises ``StoreNotOpen`` when closed. Owner thread only."""
        if self._db is None:
            raise StoreNotOpen(f"store {self._path} is not open")
        return self._db

    def open(self) -> Store:
        """Connect, set the durability pragmas and apply pending migrations. Returns ``self``.

        Raises ``StoreCorrupted`` when the file is not a SQLite database, ``SchemaVersionError``
        when a newer release wrote it, ``StoreError`` when it cannot be opened at all.
        """
        if self._db is not None:
            raise StoreError(f"store {self._path} is already open")
        conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(self._path, timeout=self._busy_timeout_s)
            self._set_pragmas(conn)
            db = Database(conn, execute_plugins=False)
            apply_migrations(db, self._migrations)
        except sqlite3.OperationalError as exc:
            # Locked, no such directory, read-only: the file may be fine, the access is not.
            if conn is not None:
                conn.close()
            raise StoreError(f"cannot open store {self._path}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            if conn is not None:
                conn.close()
            # sqlite3 reports damage ("file is not a database", "malformed") as the base class.
            if type(exc) is not sqlite3.DatabaseError:
                raise
            raise StoreCorrupted(f"{self._path} is not a usable SQLite database: {exc}") from exc
        except BaseException:
            if conn is not None:
                conn.close()
            raise
        self._db = db
        return self

    def _set_pragmas(self, conn: sqlite3.Connection) -> None:
        mode = self._switch_to_wal(conn)
        if self._path != MEMORY and mode.lower() != "wal":
            # e.g. a network filesystem without shared memory: durability rules would not hold.
            raise StoreError(f"store {self._path} cannot use WAL (journal_mode is {mode})")
        conn.execute(f"PRAGMA synchronous={self._synchronous}")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute(f"PRAGMA busy_timeout={int(self._busy_timeout_s * 1000)}")

    def _switch_to_wal(self, conn: sqlite3.Connection) -> str:
        # Switching a new file to WAL needs an exclusive lock, and SQLite answers "database is
        # locked" at once, without its busy handler, while another connection (the sync worker
        # opening the same new file) holds it: wait for it like the busy timeout would.
        deadline = time.monotonic() + self._busy_timeout_s
        while True:
            try:
                mode: str = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
                return mode
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def close(self) -> None:
        """Close the connection (idempotent). The last connection to close checkpoints the WAL."""
        if self._db is not None:
            db, self._db = self._db, None
            db.close()

    def __enter__(self) -> Store:
        return self.open()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def schema_version(self) -> int:
        """The highest migration version applied to this database."""
        return schema_version(self.db.conn)

    def integrity_check(self, *, quick: bool = False) -> str:
        """``"ok"``, or SQLite's description of what is damaged (never raises for corruption).

        ``quick=True`` runs ``quick_check``: linear time, skips index/content cross-checks.
        """
        pragma = "quick_check" if quick else "integrity_check"
        try:
            rows = self.db.conn.execute(f"PRAGMA {pragma}").fetchall()
        except sqlite3.ProgrammingError:
            raise  # misuse (wrong thread, closed), not damage
        except sqlite3.DatabaseError as exc:
            return f"unreadable: {exc}"
        messages = [str(row[0]) for row in rows]
        if messages == ["ok"]:
            return "ok"
        return "; ".join(messages[:20]) or "unreadable: integrity check returned nothing"

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """A ``BEGIN IMMEDIATE`` transaction: takes the write lock up front, so a read followed
        by a write inside it cannot be interleaved with another connection's write."""
        db = self.db
        conn = db.conn
        if conn.in_transaction:
            raise StoreError("transaction() does not nest")
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def __repr__(self) -> str:
        state = "open" if self._db is not None else "closed"
        return f"<Store {self._path!r} {state}>"
