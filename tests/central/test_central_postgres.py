"""kiosk-central on PostgreSQL: a throwaway cluster from Debian's packages, several uvicorn
workers, and a terminal delivering over loopback exactly once."""

from __future__ import annotations

import threading

import pytest

from central.errors import TokenRejected
from central.migrations import head_revision
from central.store import CentralStore, NewSubmission, open_platform_store
from offline_cache import Outbox, Store
from sync.client import Backoff, CentralClient, SyncWorker
from sync.local_central import LocalCentral, free_port

TERMINAL_ID = "GZ01-T01"


def new(n: int, digest: str = "a" * 64) -> NewSubmission:
    return NewSubmission(
        id=f"sub-{n}", receipt_number=f"R-{n}", terminal_id=TERMINAL_ID, digest=digest,
        central_receipt=f"GOV-{n}-{digest[:4]}", service_id="s", form_id="f", form_version="1",
        envelope=b"env", payload_json="{}", attachments={"photo.jpg": ("b" * 64, b"jpg")},
        received_at="2026-01-01T00:00:00+00:00")


def test_store_dedup_and_tokens_on_postgres(fresh_postgres):
    store = CentralStore(fresh_postgres)
    store.open()
    store.open()  # idempotent
    token = store.issue_token(TERMINAL_ID)
    assert store.enroll(token, TERMINAL_ID, b"k" * 32, "ed25519:k", "GZ01")
    with pytest.raises(TokenRejected):
        store.enroll(token, TERMINAL_ID, b"k" * 32, "ed25519:k", "GZ01")
    assert store.remember_nonce(TERMINAL_ID, "n" * 32, 300) is True
    assert store.remember_nonce(TERMINAL_ID, "n" * 32, 300) is False
    created, _row = store.insert_submission(new(1))
    again, same = store.insert_submission(new(1, "c" * 64))
    assert created and not again and same["digest"] == "a" * 64
    _payload, attachments = store.payload("sub-1")
    assert attachments == {"photo.jpg": b"jpg"} and isinstance(attachments["photo.jpg"], bytes)
    ref = store.put_blob(b"blob")
    assert store.blob(ref) == b"blob" and store.blob_offset(ref) == (True, 4)


def test_racing_inserts_of_one_id_store_exactly_one_row(fresh_postgres):
    store = CentralStore(fresh_postgres)
    store.open()
    store.enroll(store.issue_token(), TERMINAL_ID, b"k" * 32, "ed25519:k", None)
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def race() -> None:
        barrier.wait()
        results.append(store.insert_submission(new(7))[0])

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert store.submission_ids() == ["sub-7"]


def test_terminal_drains_to_kiosk_central_on_postgres_with_several_workers(
        fresh_postgres, tmp_path, terminal_keys, make_sealed, events):
    server = LocalCentral(tmp_path / "central", free_port(), database_url=fresh_postgres,
                          workers=3)
    server.start()
    try:
        with CentralClient(server.url, TERMINAL_ID) as client:
            client.enroll(server.issue_token(), terminal_keys.public_key)
        path = tmp_path / "terminal.sqlite3"
        x25519 = server.platform_x25519()
        with Store(path) as store:
            outbox = Outbox(store)
            for n in range(1, 41):
                outbox.add(make_sealed(n, x25519, terminal_keys))
        with CentralClient(server.url, TERMINAL_ID,
                           signing_key=terminal_keys.signing_key) as client:
            worker = SyncWorker(lambda: Outbox(Store(path).open()), client, interval_s=0.3,
                                on_event=events, backoff=Backoff(0.05, 0.2), batch_size=7)
            worker.start()
            try:
                events.wait_for("submission_acked", 40, timeout=60)
            finally:
                worker.stop()
            # Resends through any worker get the original receipts, never a second row.
            first = make_sealed(1, x25519, terminal_keys)
            with Store(path) as store:
                record = Outbox(store).get("sub-0001")
            assert client.put_submission(record).central_receipt == record.central_receipt
            del first
        store = open_platform_store(server.data_dir, server.database_url)
        assert len(store.submission_ids()) == 40
        fleet = store.terminals()
        assert fleet[0]["submissions"] == 40
    finally:
        server.stop()


def test_a_foundation_sqlite_database_is_upgraded_in_place(tmp_path):
    import sqlite3

    path = tmp_path / "central.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript("""
        CREATE TABLE terminals (terminal_id TEXT PRIMARY KEY, public_key BLOB NOT NULL,
            key_id TEXT NOT NULL UNIQUE, site TEXT, registered_at TEXT NOT NULL);
        CREATE TABLE submissions (id TEXT PRIMARY KEY, receipt_number TEXT NOT NULL UNIQUE,
            terminal_id TEXT NOT NULL, digest TEXT NOT NULL, central_receipt TEXT NOT NULL UNIQUE,
            service_id TEXT, form_id TEXT, form_version TEXT, envelope BLOB NOT NULL,
            payload TEXT NOT NULL, received_at TEXT NOT NULL);
        INSERT INTO terminals VALUES ('GZ01-T01', x'00', 'ed25519:0', NULL, '2025-01-01');
        PRAGMA user_version=1;
    """)
    conn.close()
    store = CentralStore(path)
    store.open()
    assert store.terminal("GZ01-T01")["status"] == "active"
    assert store.insert_submission(new(1))[0]


def test_operators_log_in_and_the_trail_holds_under_racing_appends_on_postgres(fresh_postgres,
                                                                               tmp_path):
    import warnings

    from central.app import create_app
    from central.trail import PlatformTrail
    from tests.conftest import log_in

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # StarletteDeprecationWarning: it would prefer httpx2
        from fastapi.testclient import TestClient

    with TestClient(create_app(tmp_path / "central", fresh_postgres)) as client:
        name = log_in(client, client.app.state.accounts, "auditor")
        assert client.get("/v1/terminals").status_code == 200
        trail = PlatformTrail(client.app.state.store.db)
        workers = [threading.Thread(target=lambda i=i: [trail.record(name, "viewed", f"{i}-{k}")
                                                        for k in range(10)]) for i in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        check = trail.verify()
        assert check.ok and check.entries == 42  # login, password change, 40 appends: one chain


def test_a_database_of_schema_3_is_upgraded_in_place_on_postgres(fresh_postgres, tmp_path):
    """Today's main made schema 3 with plain DDL and no Alembic table: opening it runs the
    baseline (a no-op there) and the operators revision, keeping every row."""
    import psycopg

    from central.migrations.baseline import SCHEMA, ddl
    from central.operators import OperatorAccounts

    with psycopg.connect(fresh_postgres, autocommit=True) as conn:
        for statement in SCHEMA:
            conn.execute(ddl(statement, True))
        conn.execute("INSERT INTO terminals (terminal_id, public_key, key_id, site, status, "
                     "registered_at) VALUES ('110105-T01', %s, 'ed25519:k1', '110105', 'active', "
                     "'2026-11-01T00:00:00+00:00')", (b"k" * 32,))
    store = open_platform_store(None, fresh_postgres)
    assert [t["terminal_id"] for t in store.terminals()] == ["110105-T01"]
    OperatorAccounts(store.db, tmp_path / "keys").add("first.admin", "admin")
    with psycopg.connect(fresh_postgres) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head_revision(),)]
    open_platform_store(None, fresh_postgres)  # again: nothing to do


def test_enrollment_rules_and_the_audit_anchor_on_postgres(fresh_postgres):
    from central.fleet import fleet_view

    store = CentralStore(fresh_postgres)
    store.open()
    assert store.enroll(store.issue_token(), "GZ01-T02", b"a" * 32, "ed25519:a", "GZ01")
    with pytest.raises(TokenRejected, match="bound to it"):
        store.enroll(store.issue_token(), "GZ01-T02", b"b" * 32, "ed25519:b", "GZ01")
    store.set_terminal_status("GZ01-T02", "revoked")
    with pytest.raises(TokenRejected, match="revoked"):
        store.enroll(store.issue_token("GZ01-T02"), "GZ01-T02", b"b" * 32, "ed25519:b", "GZ01")
    store.set_terminal_status("GZ01-T02", "active")
    beats = [{"id": f"hb-{n}", "sent_at": f"2025-01-0{n}T00:00:00+00:00",
              "audit": {"seq": seq, "hash": f"h{seq}"}} for n, seq in ((1, 9), (2, 4))]
    store.add_heartbeats("GZ01-T02", beats)
    [row] = [t for t in fleet_view(store) if t["terminal_id"] == "GZ01-T02"]
    assert row["fleet"]["audit"]["problem"].startswith("truncation")
    assert store.put_blob(b"once") == store.put_blob(b"once")  # held: not placed again
