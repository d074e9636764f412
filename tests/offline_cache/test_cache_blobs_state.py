"""Detached blobs by hash, purge with tombstones, queue facts, heartbeats queue, documents."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import timedelta

import pytest

from offline_cache import Outbox, Store, SyncState

from .conftest import NOW


def blob(data: bytes) -> dict[str, bytes]:
    return {hashlib.sha256(data).hexdigest(): data}


def test_blobs_are_stored_once_by_hash_and_returned_per_submission(outbox, make_submission):
    shared = blob(b"encrypted-photo")
    outbox.add(make_submission(1), shared)
    outbox.add(make_submission(2), {**shared, **blob(b"other")})
    assert outbox.blobs_for("sub-0001") == shared
    assert len(outbox.blobs_for("sub-0002")) == 2
    count = outbox.store.db.conn.execute("SELECT count(*) FROM blobs").fetchone()[0]
    assert count == 2


def test_a_blob_that_does_not_match_its_hash_is_refused(outbox, make_submission):
    with pytest.raises(ValueError):
        outbox.add(make_submission(1), {"0" * 64: b"data"})
    assert outbox.counts()["queued"] == 0


def test_purge_keeps_a_tombstone_and_drops_only_unreferenced_blobs(outbox, make_submission):
    shared = blob(b"shared")
    outbox.add(make_submission(1), {**shared, **blob(b"only-1")})
    outbox.add(make_submission(2), shared)
    outbox.next_batch(10, NOW)
    outbox.mark_acked("sub-0001", "GOV-1", NOW)
    assert outbox.purge_acked(NOW + timedelta(seconds=1), NOW + timedelta(days=8)) == 1
    tomb = outbox.get("sub-0001")
    assert tomb.state.value == "purged" and tomb.sealed is None
    assert tomb.central_receipt == "GOV-1" and tomb.receipt_number.endswith("000001")
    assert outbox.blobs_for("sub-0001") == {}
    assert outbox.blobs_for("sub-0002") == shared  # still needed by an unsent record
    count = outbox.store.db.conn.execute("SELECT count(*) FROM blobs").fetchone()[0]
    assert count == 1


def test_unsent_data_is_never_purged(outbox, make_submission):
    outbox.add(make_submission(1), blob(b"x"))
    assert outbox.purge_acked(NOW + timedelta(days=365), NOW + timedelta(days=365)) == 0
    assert outbox.get("sub-0001").sealed is not None and outbox.blobs_for("sub-0001")


def test_release_all_leases_hands_back_every_sending_record(outbox, make_submission):
    for n in (1, 2):
        outbox.add(make_submission(n))
    outbox.next_batch(10, NOW)
    assert outbox.counts()["sending"] == 2
    assert outbox.release_all_leases() == 2
    assert outbox.counts()["queued"] == 2


def test_queue_facts_for_staff(outbox, make_submission):
    state = SyncState(outbox.store)
    assert state.oldest_unsent() is None and state.highest_acked_sequence() == 0
    for n in (1, 2, 3):
        outbox.add(make_submission(n))
    outbox.next_batch(10, NOW)
    outbox.mark_acked("sub-0002", "GOV-2", NOW)
    outbox.quarantine("sub-0003", "409 exists with a different digest")
    assert state.oldest_unsent() == NOW
    assert state.accepted_total() == 3 and state.highest_acked_sequence() == 2
    [quarantined] = state.quarantined()
    assert quarantined.id == "sub-0003" and quarantined.reason.startswith("409")
    assert state.unsent_ids() == ["sub-0001"]


def test_heartbeats_queue_offline_and_are_dropped_once_acked(store):
    state = SyncState(store)
    first = state.queue_heartbeat({"queue_depth": 3}, NOW)
    second = state.queue_heartbeat({"queue_depth": 4}, NOW + timedelta(minutes=5))
    pending = state.pending_heartbeats()
    assert [p["id"] for p in pending] == [first, second] and pending[0]["queue_depth"] == 3
    state.drop_heartbeats([first])
    assert [p["id"] for p in state.pending_heartbeats()] == [second]


def test_pause_flag_and_documents_survive_a_restart(db_path):
    with Store(db_path) as store:
        state = SyncState(store)
        state.put("paused", "403 terminal is revoked")
        state.save_document("catalog", {"etag": "e1", "kind": "catalog", "body": {"a": 1}})
    with Store(db_path) as store:
        state = SyncState(store)
        assert state.paused_reason() == "403 terminal is revoked"
        assert state.document("catalog")["body"] == {"a": 1}
        state.put("paused", None)
        assert state.paused_reason() is None


def test_migration_from_the_foundation_schema_keeps_queued_records(db_path, make_submission):
    from offline_cache import TERMINAL_MIGRATIONS

    with Store(db_path, migrations=TERMINAL_MIGRATIONS[:1]) as old:
        Outbox(old).add(make_submission(1))
        assert old.schema_version() == 1
    with Store(db_path) as new:
        assert new.schema_version() == len(TERMINAL_MIGRATIONS)
        assert Outbox(new).get("sub-0001").state.value == "queued"
        assert new.integrity_check() == "ok"


def test_integrity_check_gives_a_verdict_on_a_damaged_file(db_path, make_submission):
    with Store(db_path) as store:
        outbox = Outbox(store)
        for n in range(1, 60):
            outbox.add(make_submission(n, sealed=b"x" * 2000 + bytes([n])))
        store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(db_path.read_bytes())
    page = 4096
    data[3 * page + 100: 3 * page + 400] = b"\x00\xff" * 150  # scribble over one b-tree page
    db_path.write_bytes(bytes(data))
    store = Store(db_path)
    try:
        store.open()
    except Exception as exc:  # damage may already show while opening
        assert "not a usable" in str(exc) or isinstance(exc, sqlite3.DatabaseError)
        return
    try:
        verdict = store.integrity_check()
    finally:
        store.close()
    assert verdict != "ok" and verdict
