"""Outbox: state machine, leases, idempotent add, atomic sequences."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from offline_cache import (
    DuplicateSubmission,
    InvalidTransition,
    Outbox,
    SealedSubmission,
    Store,
    SubmissionState,
    UnknownSubmission,
)

NOW = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)  # conftest's creation time
LATER = NOW + timedelta(minutes=1)


def test_add_queues_the_submission_due_at_once(outbox, make_submission):
    outbox.add(make_submission(1))
    record = outbox.get("sub-0001")
    assert record.state is SubmissionState.QUEUED
    assert record.sealed == b"sealed-envelope-1"
    assert record.attempts == 0
    assert record.next_attempt_at == NOW
    assert record.created_at == NOW
    assert outbox.counts()["queued"] == 1


def test_only_the_sealed_bytes_and_routing_data_are_stored(store, outbox, make_submission):
    outbox.add(make_submission(1))
    columns = [row[1] for row in store.db.conn.execute("PRAGMA table_info(submissions)")]
    assert "payload" not in columns and "answers" not in columns


def test_record_repr_does_not_dump_sealed_bytes(outbox, make_submission):
    outbox.add(make_submission(1, sealed=b"SECRET-BYTES"))
    assert "SECRET-BYTES" not in repr(outbox.get("sub-0001"))
    assert "SECRET-BYTES" not in repr(make_submission(1, sealed=b"SECRET-BYTES"))


def test_add_checks_the_digest(outbox, make_submission):
    good = make_submission(1)
    bad = SealedSubmission(**{**good.__dict__, "digest": "0" * 64})
    with pytest.raises(ValueError, match="digest"):
        outbox.add(bad)


def test_add_rejects_naive_times(outbox, make_submission):
    naive = SealedSubmission(**{**make_submission(1).__dict__, "created_at": datetime(2025, 1, 1)})
    with pytest.raises(ValueError, match="timezone"):
        outbox.add(naive)


def test_adding_the_same_submission_twice_is_a_no_op(outbox, make_submission):
    outbox.add(make_submission(1))
    outbox.add(make_submission(1))
    assert outbox.counts()["queued"] == 1


def test_a_different_submission_under_a_taken_id_is_refused(outbox, make_submission):
    outbox.add(make_submission(1))
    with pytest.raises(DuplicateSubmission):
        outbox.add(make_submission(1, sealed=b"other bytes"))


def test_a_taken_receipt_number_is_refused(outbox, make_submission):
    outbox.add(make_submission(1))
    clash = SealedSubmission.create(
        id="another-id", receipt_number=make_submission(1).receipt_number, service_id="s",
        form_id="f", form_version="1", sealed=b"x", created_at=NOW,
    )
    with pytest.raises(DuplicateSubmission):
        outbox.add(clash)


def test_next_batch_leases_due_records_oldest_first(outbox, make_submission):
    for n in (3, 1, 2):
        outbox.add(make_submission(n))
    batch = outbox.next_batch(2, LATER)
    assert [r.id for r in batch] == ["sub-0003", "sub-0001"]  # insertion order among equals
    assert all(r.state is SubmissionState.SENDING and r.lease_until > LATER for r in batch)
    assert outbox.counts()["sending"] == 2
    # Leased records are not handed out again while the lease holds.
    rest = outbox.next_batch(10, LATER)
    assert len(rest) == 1 and rest[0].id not in {r.id for r in batch}


def test_records_not_yet_due_are_skipped(outbox, make_submission):
    outbox.add(make_submission(1))
    [record] = outbox.next_batch(1, NOW)
    outbox.mark_failed(record.id, "unavailable", NOW + timedelta(minutes=5))
    assert outbox.next_batch(10, NOW + timedelta(minutes=4)) == []
    assert len(outbox.next_batch(10, NOW + timedelta(minutes=5))) == 1


def test_an_expired_lease_is_taken_over(store, make_submission):
    outbox = Outbox(store, lease_s=60)
    outbox.add(make_submission(1))
    outbox.next_batch(1, NOW)
    assert outbox.next_batch(1, NOW + timedelta(seconds=30)) == []
    assert len(outbox.next_batch(1, NOW + timedelta(seconds=61))) == 1


def test_release_expired_leases_requeues_after_a_crash(store, make_submission):
    outbox = Outbox(store, lease_s=60)
    outbox.add(make_submission(1))
    outbox.next_batch(1, NOW)
    assert outbox.release_expired_leases(NOW + timedelta(seconds=10)) == 0
    assert outbox.release_expired_leases(NOW + timedelta(seconds=60)) == 1
    assert outbox.get("sub-0001").state is SubmissionState.QUEUED


def test_mark_acked_records_the_central_receipt(outbox, make_submission):
    outbox.add(make_submission(1))
    outbox.next_batch(1, NOW)
    outbox.mark_acked("sub-0001", "GOV-1", LATER)
    record = outbox.get("sub-0001")
    assert record.state is SubmissionState.ACKED
    assert record.central_receipt == "GOV-1" and record.acked_at == LATER
    outbox.mark_acked("sub-0001", "GOV-1", LATER)  # a repeated ack is harmless
    assert outbox.next_batch(10, LATER + timedelta(days=1)) == []


def test_mark_failed_counts_attempts_and_keeps_the_error(outbox, make_submission):
    outbox.add(make_submission(1))
    for attempt in (1, 2):
        [record] = outbox.next_batch(1, NOW + timedelta(hours=attempt))
        outbox.mark_failed(record.id, f"timeout {attempt}", NOW + timedelta(hours=attempt))
    record = outbox.get("sub-0001")
    assert record.state is SubmissionState.QUEUED
    assert record.attempts == 2 and record.last_error == "timeout 2"


def test_release_returns_an_untried_lease_without_counting_an_attempt(outbox, make_submission):
    outbox.add(make_submission(1))
    outbox.next_batch(1, NOW)
    outbox.release("sub-0001")
    record = outbox.get("sub-0001")
    assert record.state is SubmissionState.QUEUED and record.attempts == 0


def test_quarantine_sets_one_record_aside_and_requeue_brings_it_back(outbox, make_submission):
    outbox.add(make_submission(1))
    outbox.add(make_submission(2))
    outbox.next_batch(2, NOW)
    outbox.quarantine("sub-0001", "409 conflict")
    outbox.mark_failed("sub-0002", "unavailable", NOW)
    assert outbox.get("sub-0001").last_error == "409 conflict"
    assert [r.id for r in outbox.next_batch(10, LATER)] == ["sub-0002"]
    outbox.requeue("sub-0001", LATER)
    assert outbox.get("sub-0001").state is SubmissionState.QUEUED


@pytest.mark.parametrize(
    "action",
    [
        lambda o: o.mark_failed("sub-0001", "late", LATER),
        lambda o: o.quarantine("sub-0001", "late"),
        lambda o: o.release("sub-0001"),
        lambda o: o.requeue("sub-0001", LATER),
    ],
)
def test_an_acked_record_cannot_move_back(outbox, action, make_submission):
    outbox.add(make_submission(1))
    outbox.mark_acked("sub-0001", "GOV-1", NOW)
    with pytest.raises(InvalidTransition):
        action(outbox)


def test_a_quarantined_record_cannot_be_acked_by_accident(outbox, make_submission):
    outbox.add(make_submission(1))
    outbox.quarantine("sub-0001", "bad")
    with pytest.raises(InvalidTransition):
        outbox.mark_acked("sub-0001", "GOV-1", NOW)


def test_unknown_ids_raise_unknown_submission(outbox):
    with pytest.raises(UnknownSubmission):
        outbox.get("nope")
    with pytest.raises(KeyError):  # also a KeyError, for callers that expect one
        outbox.mark_acked("nope", "GOV-1", NOW)


def test_retry_now_makes_backed_off_records_due(outbox, make_submission):
    outbox.add(make_submission(1))
    outbox.next_batch(1, NOW)
    outbox.mark_failed("sub-0001", "down", NOW + timedelta(hours=6))
    assert outbox.next_due_at() == NOW + timedelta(hours=6)
    assert outbox.retry_now(LATER) == 1
    assert outbox.next_due_at() == LATER
    assert len(outbox.next_batch(10, LATER)) == 1


def test_purge_drops_bytes_but_keeps_a_tombstone(outbox, make_submission):
    outbox.add(make_submission(1))
    outbox.add(make_submission(2))
    outbox.mark_acked("sub-0001", "GOV-1", NOW)
    assert outbox.purge_acked(acked_before=LATER, now=LATER) == 1
    tombstone = outbox.get("sub-0001")
    assert tombstone.state is SubmissionState.PURGED and tombstone.sealed is None
    assert tombstone.central_receipt == "GOV-1" and tombstone.digest
    assert outbox.get("sub-0002").sealed is not None  # unsent data is never dropped


def test_counts_lists_every_state(outbox):
    assert outbox.counts() == {state.value: 0 for state in SubmissionState}


def test_sequences_are_monotonic_per_scope(outbox):
    assert [outbox.allocate_sequence("GZ01-T01-20250301") for _ in range(3)] == [1, 2, 3]
    assert outbox.allocate_sequence("GZ01-T01-20250302") == 1


def test_sequence_allocation_from_two_threads_never_repeats(db_path):
    with Store(db_path):
        pass  # create the schema once
    per_thread = 150
    results: dict[str, list[int]] = {}
    barrier = threading.Barrier(2)

    def allocate(name: str) -> None:
        # One Store per thread, as the kiosk does (writer thread + sync worker).
        with Store(db_path, busy_timeout_s=30) as store:
            outbox = Outbox(store)
            barrier.wait()
            results[name] = [outbox.allocate_sequence("scope") for _ in range(per_thread)]

    threads = [threading.Thread(target=allocate, args=(f"t{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    everything = results["t0"] + results["t1"]
    assert sorted(everything) == list(range(1, 2 * per_thread + 1))
    assert results["t0"] == sorted(results["t0"]) and results["t1"] == sorted(results["t1"])
