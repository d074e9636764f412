"""Store: pragmas, migrations, integrity verdicts, thread ownership."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from offline_cache import (
    TERMINAL_MIGRATIONS,
    Migration,
    Outbox,
    SchemaVersionError,
    Store,
    StoreCorrupted,
    StoreError,
    StoreNotOpen,
)


def pragma(store: Store, name: str):
    return store.db.conn.execute(f"PRAGMA {name}").fetchone()[0]


def test_open_sets_wal_full_sync_foreign_keys_and_busy_timeout(store):
    assert pragma(store, "journal_mode") == "wal"
    assert pragma(store, "synchronous") == 2  # FULL
    assert pragma(store, "foreign_keys") == 1
    assert pragma(store, "busy_timeout") == 5000


def test_only_a_connection_of_rebuildable_writes_commits_without_fsync(db_path):
    # The sync worker's leases and acks: a lost ack is one resend, answered with the original
    # receipt. Submissions are written by another connection, always with FULL.
    with Store(db_path, rebuildable_writes=True) as worker, Store(db_path) as writer:
        assert pragma(worker, "synchronous") == 1  # NORMAL
        assert pragma(writer, "synchronous") == 2  # FULL
        assert pragma(worker, "journal_mode") == "wal"


def test_constructor_does_no_io(db_path):
    Store(db_path)
    assert not db_path.exists()


def test_migrations_are_recorded_with_versions_and_names(store):
    rows = store.db.conn.execute("SELECT version, name FROM migrations ORDER BY version").fetchall()
    assert rows == [(step.version, step.name) for step in TERMINAL_MIGRATIONS]
    assert store.schema_version() == len(TERMINAL_MIGRATIONS)
    assert {"submissions", "sequences", "migrations"} <= set(store.db.table_names())


def test_reopening_applies_nothing_again_and_keeps_data(db_path, make_submission):
    with Store(db_path) as store:
        Outbox(store).add(make_submission(1))
    with Store(db_path) as store:
        assert store.db.conn.execute("SELECT count(*) FROM migrations").fetchone()[0] == len(
            TERMINAL_MIGRATIONS
        )
        assert Outbox(store).counts()["queued"] == 1


def test_new_steps_apply_on_top_of_an_existing_database(db_path):
    with Store(db_path):
        pass
    extra = Migration.sql(len(TERMINAL_MIGRATIONS) + 1, "telemetry", "CREATE TABLE telemetry (id INTEGER PRIMARY KEY)")
    with Store(db_path, migrations=[*TERMINAL_MIGRATIONS, extra]) as store:
        assert store.schema_version() == len(TERMINAL_MIGRATIONS) + 1
        assert "telemetry" in store.db.table_names()


def test_failed_migration_rolls_back_every_pending_step(db_path):
    def broken(db):
        db.conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("step failed")

    steps = [*TERMINAL_MIGRATIONS, Migration(len(TERMINAL_MIGRATIONS) + 1, "broken", broken)]
    with pytest.raises(RuntimeError):
        Store(db_path, migrations=steps).open()
    with Store(db_path, migrations=[]) as bare:
        # Nothing from the failed open survived: not the outbox, not the half-made table.
        assert bare.schema_version() == 0
        assert "half_done" not in bare.db.table_names()
        assert "submissions" not in bare.db.table_names()


def test_database_from_a_newer_release_is_refused(db_path):
    extra = Migration.sql(len(TERMINAL_MIGRATIONS) + 1, "future", "CREATE TABLE future (x)")
    with Store(db_path, migrations=[*TERMINAL_MIGRATIONS, extra]):
        pass
    with pytest.raises(SchemaVersionError, match=rf"\[{len(TERMINAL_MIGRATIONS) + 1}\]"):
        Store(db_path).open()


def test_migration_versions_must_run_in_order(db_path):
    steps = [Migration.sql(2, "skipped_one", "SELECT 1")]  # version 1 missing
    with pytest.raises(ValueError):
        Store(db_path, migrations=steps).open()


def test_integrity_check_ok_on_a_healthy_file(store):
    assert store.integrity_check() == "ok"
    assert store.integrity_check(quick=True) == "ok"


def _scribble_over_index(db_path, make_submission) -> None:
    with Store(db_path) as store:
        outbox = Outbox(store)
        for n in range(150):
            outbox.add(make_submission(n, sealed=bytes([n]) * 2000))
        root = store.db.conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'submissions_due'"
        ).fetchone()[0]
        page_size = pragma(store, "page_size")
    with open(db_path, "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * page_size)


def test_integrity_check_gives_a_clear_verdict_on_a_damaged_file(db_path, make_submission):
    _scribble_over_index(db_path, make_submission)
    with Store(db_path) as store:
        full = store.integrity_check()
        quick = store.integrity_check(quick=True)
    assert full != "ok" and ("malformed" in full or "Page" in full)
    assert quick != "ok" and "Page" in quick


def test_a_file_that_is_not_a_database_raises_store_corrupted(db_path):
    db_path.write_bytes(b"this is not sqlite" * 500)
    with pytest.raises(StoreCorrupted, match="not a usable SQLite database"):
        Store(db_path).open()


def test_unopenable_path_is_a_store_error_not_corruption(tmp_path):
    with pytest.raises(StoreError) as info:
        Store(tmp_path / "missing-dir" / "x.sqlite3").open()
    assert not isinstance(info.value, StoreCorrupted)


def test_closed_store_raises_store_not_open(db_path):
    store = Store(db_path)
    with pytest.raises(StoreNotOpen):
        _ = store.db
    store.open()
    store.close()
    store.close()  # idempotent
    with pytest.raises(StoreNotOpen):
        store.integrity_check()


def test_store_cannot_be_opened_twice(store):
    with pytest.raises(StoreError):
        store.open()


def test_store_refuses_use_from_another_thread(store):
    errors = []

    def use():
        try:
            store.integrity_check()
        except sqlite3.ProgrammingError as exc:
            errors.append(exc)

    thread = threading.Thread(target=use)
    thread.start()
    thread.join()
    assert errors, "a Store must belong to the thread that opened it"


def test_transaction_rolls_back_on_error(store):
    with pytest.raises(RuntimeError), store.transaction() as db:
        db.conn.execute("INSERT INTO sequences (scope, value) VALUES ('x', 1)")
        raise RuntimeError
    assert store.db.conn.execute("SELECT count(*) FROM sequences").fetchone()[0] == 0


def test_memory_store_works_without_wal(make_submission):
    with Store.memory() as store:
        assert pragma(store, "journal_mode") == "memory"
        Outbox(store).add(make_submission(1))
        assert store.integrity_check() == "ok"


def test_several_connections_opening_one_new_file_at_once_all_succeed(tmp_path):
    """The writer and the sync worker open the same new database at start-up (switching it to WAL
    needs an exclusive lock, which SQLite refuses at once instead of waiting)."""
    def open_one(path: Path, start: threading.Barrier, opened: threading.Barrier,
                 errors: list[BaseException]) -> None:
        store = None
        try:
            start.wait()
            store = Store(path).open()
        except BaseException as exc:
            errors.append(exc)
        finally:
            opened.wait()  # all three stay open together, like the kiosk's two connections
            if store is not None:
                store.close()  # a store belongs to the thread that opened it

    for attempt in range(50):
        path = tmp_path / f"new-{attempt}.sqlite3"
        errors: list[BaseException] = []
        start, opened = threading.Barrier(3), threading.Barrier(3)
        threads = [threading.Thread(target=open_one, args=(path, start, opened, errors)) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors, errors
