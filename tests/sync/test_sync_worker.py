"""SyncWorker with a scripted client: outcomes per record, stopping, listeners, backoff."""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime

import pytest

from egov_protocol.errors import CentralRejected, CentralUnavailable, NotCentralServer
from egov_protocol.protocol import CentralReceipt
from offline_cache import Outbox, SealedSubmission, Store
from sync.client import Backoff, SyncWorker

FAST = Backoff(base_s=0.05, cap_s=0.2)


def submission(n: int) -> SealedSubmission:
    return SealedSubmission.create(
        id=f"sub-{n:04d}", receipt_number=f"R-{n:04d}", service_id="s", form_id="f",
        form_version="1", sealed=b"sealed-%d" % n,
    )


class ScriptedClient:
    """Answers ``put_submission`` from a dict of id -> exception (default: ack)."""

    def __init__(self, outcomes: dict[str, Exception] | None = None) -> None:
        self.outcomes = outcomes or {}
        self.sent: list[str] = []
        self.lock = threading.Lock()

    def put_submission(self, record) -> CentralReceipt:
        with self.lock:
            self.sent.append(record.id)
        outcome = self.outcomes.get(record.id)
        if outcome is not None:
            raise outcome
        return CentralReceipt(record.id, record.receipt_number, f"GOV-{record.id}", record.digest,
                              datetime.now(UTC), created=True)


@pytest.fixture
def outbox_path(tmp_path):
    path = tmp_path / "t.sqlite3"
    with Store(path) as store:
        outbox = Outbox(store)
        for n in range(1, 5):
            outbox.add(submission(n))
    return path


def state_counts(path) -> dict:
    with Store(path) as store:
        return Outbox(store).counts()


def run(path, client, events, **kwargs) -> SyncWorker:
    worker = SyncWorker(lambda: Outbox(Store(path).open()), client, interval_s=0.2,
                        on_event=events, backoff=FAST, **kwargs)
    worker.start()
    return worker


def test_rejections_quarantine_one_record_and_the_rest_are_acked(outbox_path, events):
    client = ScriptedClient({"sub-0002": CentralRejected(422, "envelope rejected")})
    worker = run(outbox_path, client, events, batch_size=2)
    try:
        events.wait_for("submission_acked", 3)
        [quarantined] = events.wait_for("submission_quarantined")
        completed = events.wait_for("sync_completed")
    finally:
        worker.stop()
    assert quarantined == {"id": "sub-0002", "receipt_number": "R-0002", "status": 422,
                           "reason": "envelope rejected"}
    assert completed[-1]["acked"] + completed[-1]["quarantined"] >= 1
    counts = state_counts(outbox_path)
    assert (counts["acked"], counts["quarantined"], counts["queued"], counts["sending"]) == (
        3, 1, 0, 0
    )


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (CentralUnavailable("down"), "unavailable"),
        (NotCentralServer("portal"), "not_central_server"),
    ],
)
def test_a_transport_or_auth_failure_ends_the_pass_and_keeps_everything_queued(
    outbox_path, events, error, reason
):
    client = ScriptedClient({f"sub-000{n}": error for n in range(1, 5)})
    worker = run(outbox_path, client, events, batch_size=4)
    try:
        [failure] = events.wait_for("sync_failed")
    finally:
        worker.stop()
    assert failure["reason"] == reason and failure["id"] == "sub-0001"
    assert failure["counts"]["queued"] == 4
    counts = state_counts(outbox_path)
    assert counts["queued"] == 4 and counts["sending"] == 0 and counts["quarantined"] == 0
    with Store(outbox_path) as store:
        first = Outbox(store).get("sub-0001")
        untouched = Outbox(store).get("sub-0004")
    assert first.attempts >= 1 and first.last_error.startswith(reason)
    assert untouched.attempts <= first.attempts


@pytest.mark.parametrize("status", [401, 403])
def test_auth_rejection_pauses_the_queue_and_tells_staff_until_sync_now(
    outbox_path, events, status
):
    from offline_cache import SyncState

    client = ScriptedClient({f"sub-000{n}": CentralRejected(status, "terminal revoked")
                             for n in range(1, 5)})
    worker = run(outbox_path, client, events, batch_size=4)
    try:
        [paused] = events.wait_for("sync_paused")
        assert paused["status"] == status
        sent_while_paused = len(client.sent)
        worker.sync_now()  # staff fixed it (re-enrolled): the pause lifts
        client.outcomes.clear()
        events.wait_for("submission_acked", 4)
    finally:
        worker.stop()
    assert sent_while_paused == 1  # the first refusal paused everything else
    with Store(outbox_path) as store:
        assert SyncState(store).paused_reason() is None
        assert Outbox(store).counts()["acked"] == 4


def test_sync_now_retries_at_once_after_the_network_returns(outbox_path, events):
    client = ScriptedClient({f"sub-000{n}": CentralUnavailable("down") for n in range(1, 5)})
    slow = Backoff(base_s=3600, cap_s=3600)  # without sync_now nothing would be due for an hour
    worker = SyncWorker(lambda: Outbox(Store(outbox_path).open()), client, interval_s=0.2,
                        on_event=events, backoff=slow)
    worker.start()
    try:
        events.wait_for("sync_failed")
        client.outcomes.clear()
        worker.sync_now()
        events.wait_for("submission_acked", 4)
    finally:
        worker.stop()
    assert state_counts(outbox_path)["acked"] == 4


def test_a_send_that_gets_through_brings_every_backed_off_record_back(outbox_path, events):
    """The network returns between the health probe and the next pass: the first record to get
    through proves it, so the ones sitting out an hour's backoff are sent at once too."""
    down = CentralUnavailable("down")
    client = ScriptedClient({"sub-0001": down})  # only the first record meets the outage

    def health() -> None:
        raise down  # the probe never sees the network come back

    client.health = health
    slow = Backoff(base_s=3600, cap_s=3600)
    worker = SyncWorker(lambda: Outbox(Store(outbox_path).open()), client, interval_s=0.2,
                        on_event=events, backoff=slow, batch_size=1)
    worker.start()
    try:
        events.wait_for("sync_failed")
        client.outcomes.clear()
        events.wait_for("submission_acked", 4)
    finally:
        worker.stop()
    assert state_counts(outbox_path)["acked"] == 4


def test_a_broken_listener_does_not_stop_delivery(outbox_path):
    def listener(name, data):
        raise RuntimeError("listener bug")

    worker = SyncWorker(lambda: Outbox(Store(outbox_path).open()), ScriptedClient(),
                        interval_s=0.05, on_event=listener, backoff=FAST)
    worker.start()
    worker.sync_now()
    try:
        while state_counts(outbox_path)["acked"] < 4:
            assert worker.is_running
            threading.Event().wait(0.02)
    finally:
        worker.stop()


def test_stop_joins_and_starting_twice_is_an_error(outbox_path, events):
    worker = run(outbox_path, ScriptedClient(), events)
    events.wait_for("submission_acked", 4)
    worker.stop()
    assert not worker.is_running
    with pytest.raises(RuntimeError):
        worker.start()


def test_backoff_grows_with_jitter_and_is_capped():
    backoff = Backoff(base_s=30, cap_s=6 * 3600, rng=random.Random(7))
    for attempt in range(1, 40):
        ceiling = min(6 * 3600, 30 * 2 ** (attempt - 1))
        assert ceiling / 2 <= backoff.delay(attempt) <= ceiling
    assert backoff.delay(10_000) <= 6 * 3600


def test_acked_records_are_purged_to_tombstones_after_the_retention(outbox_path, events):
    worker = run(outbox_path, ScriptedClient(), events, purge_after_s=0.0)
    try:
        events.wait_for("submission_acked", 4)
        deadline = time.monotonic() + 10
        while state_counts(outbox_path)["purged"] < 4 and time.monotonic() < deadline:
            worker.sync_now()
            time.sleep(0.05)
    finally:
        worker.stop()
    with Store(outbox_path) as store:
        tomb = Outbox(store).get("sub-0001")
    assert tomb.state.value == "purged" and tomb.sealed is None and tomb.central_receipt
