"""Retention: a completed case's data is purged once its period has run out (a fake clock),
with a trail entry; the trail, other cases and shared blobs stay."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from central.at_rest import AtRestKeys
from central.cli import main
from central.files import private_dir
from central.handoff import DEAD, HandoffOutbox
from central.integrations import IntegrationRegistry, add_integration
from central.retention import PURGED_PAYLOAD, Retention, retention_days
from central.store import NewSubmission, open_platform_store
from central.tables import blobs, submission_attachments, submissions
from central.trail import PlatformTrail

TERMINAL = "S01-T01"


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: float) -> None:
        self.now += timedelta(days=days)


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    data_dir = private_dir(tmp_path / "central")
    url = request.getfixturevalue("fresh_postgres") if request.param == "postgres" else None
    store = open_platform_store(data_dir, url)
    store.enroll(store.issue_token(TERMINAL), TERMINAL, b"k" * 32, "key-1", "S01")
    yield store
    store.close()


def submit(store, number: int, photo: bytes) -> str:
    submission_id = f"sub-{number:04d}"
    ref = hashlib.sha256(photo).hexdigest()
    new = NewSubmission(
        id=submission_id, receipt_number=f"S01-T01-20261205-{number:04d}", terminal_id=TERMINAL,
        digest="d" * 64, central_receipt=f"GOV-{number}", service_id="residence_permit",
        form_id="residence_permit_application", form_version="1", envelope=b"sealed" * 10,
        payload_json='{"name": "张伟", "id_number": "110101199003071234"}',
        attachments={"photo.jpg": (ref, b""), "signature.png": ("s" * 64, b"inline bytes")},
        received_at="2026-12-05T09:00:00+00:00")
    [(created, _)] = store.insert_many([(new, {ref: photo})])
    assert created
    return submission_id


def row(store, submission_id: str) -> dict:
    with store.db.transaction(write=False) as tx:
        found = tx.execute(select(submissions.c.payload, submissions.c.envelope).where(
            submissions.c.id == submission_id)).mappings().one()
        contents = tx.execute(select(submission_attachments.c.content).where(
            submission_attachments.c.submission_id == submission_id)).scalars().all()
        held = set(tx.execute(select(blobs.c.sha256)).scalars())
    return {**found, "attachments": contents, "blobs": held}


def test_a_completed_case_is_purged_after_its_period_and_nothing_else(store):
    clock = FakeClock()
    trail = PlatformTrail(store.db)
    retention = Retention(store.db, trail, days=180, clock=clock)
    purged_by_cases = []
    retention.purgers.append(lambda tx, submission_id: purged_by_cases.append(submission_id))
    done = submit(store, 1, b"photo one")
    other = submit(store, 2, b"photo two")
    retention.note_completed(done, "S01-T01-20261205-0001", clock())
    retention.note_completed(done, "S01-T01-20261205-0001", clock() + timedelta(days=30))

    clock.advance(179.9)
    assert retention.purge_expired() == []
    assert row(store, done)["payload"] != PURGED_PAYLOAD

    clock.advance(0.2)
    assert retention.purge_expired() == [done]
    gone, kept = row(store, done), row(store, other)
    assert gone["payload"] == PURGED_PAYLOAD and gone["envelope"] == b""
    assert gone["attachments"] == [b"", b""]
    assert hashlib.sha256(b"photo one").hexdigest() not in gone["blobs"]
    assert hashlib.sha256(b"photo two").hexdigest() in kept["blobs"]
    assert "张伟" in kept["payload"] and kept["attachments"] != [b"", b""]
    assert purged_by_cases == [done]
    assert [(e["operator"], e["action"], e["subject"]) for e in trail.entries()] == [
        ("platform", "purged case data", done)]
    assert trail.verify().ok

    clock.advance(400)
    assert retention.purge_expired() == []  # once only


def test_a_shared_blob_stays_while_another_case_holds_it(store):
    clock = FakeClock()
    retention = Retention(store.db, PlatformTrail(store.db), days=0, clock=clock)
    first = submit(store, 1, b"the same bytes")
    submit(store, 2, b"the same bytes")
    retention.note_completed(first, "S01-T01-20261205-0001", clock())
    assert retention.purge_expired() == [first]
    assert hashlib.sha256(b"the same bytes").hexdigest() in row(store, first)["blobs"]


def test_a_purged_cases_undelivered_hand_off_becomes_a_dead_letter_without_body(store, tmp_path):
    clock = FakeClock()
    data_dir = tmp_path / "central"
    add_integration(data_dir, "all", "https://all.example/in")
    outbox = HandoffOutbox(store.db, AtRestKeys.load_or_create(data_dir / "keys"),
                           IntegrationRegistry(data_dir), clock=clock)
    submission_id = submit(store, 1, b"photo")
    [event_id] = outbox.enqueue_case_accepted({"receipt_number": "S01-T01-20261205-0001",
                                               "service_id": "residence_permit"})
    retention = Retention(store.db, PlatformTrail(store.db), days=1, clock=clock)
    retention.note_completed(submission_id, "S01-T01-20261205-0001", clock())
    clock.advance(2)
    retention.purge_expired()
    [dead] = outbox.events(DEAD)
    assert dead["event_id"] == event_id and "purged" in dead["last_error"]
    assert not outbox.replay(event_id)


def test_purge_expired_on_the_command_line(store, tmp_path, capsys, monkeypatch):
    data_dir = tmp_path / "central"
    submission_id = submit(store, 1, b"photo")
    Retention(store.db, PlatformTrail(store.db)).note_completed(
        submission_id, "S01-T01-20261205-0001", datetime.now(UTC) - timedelta(days=10))
    command = ["purge-expired", "--data-dir", str(data_dir)]
    if store.db.postgres:
        command += ["--database-url", store.db.target]
    assert main(command) == 0
    assert "purged the data of 0 case(s)" in capsys.readouterr().out
    monkeypatch.setenv("KIOSK_CENTRAL_RETENTION_DAYS", "7")
    assert main(command) == 0
    assert "purged the data of 1 case(s) completed more than 7 days ago" in \
        capsys.readouterr().out
    assert row(store, submission_id)["payload"] == PURGED_PAYLOAD


def test_the_period_defaults_to_180_days_and_refuses_nonsense(monkeypatch):
    monkeypatch.delenv("KIOSK_CENTRAL_RETENTION_DAYS", raising=False)
    assert retention_days() == 180
    for bad in ("-1", "nan", "soon"):
        with pytest.raises(ValueError):
            retention_days(bad)


def test_a_completion_noted_in_the_callers_transaction(store):
    clock = FakeClock()
    retention = Retention(store.db, PlatformTrail(store.db), days=1, clock=clock)
    submission_id = submit(store, 1, b"photo")
    with store.db.transaction() as tx:
        retention.note_completed(submission_id, "S01-T01-20261205-0001", clock(), tx)
        retention.note_completed(submission_id, "S01-T01-20261205-0001", clock(), tx)
    clock.advance(2)
    assert retention.purge_expired() == [submission_id]
