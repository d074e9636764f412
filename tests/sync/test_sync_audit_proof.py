"""The terminal proves that each audit head it reports extends the one before, and the platform
raises a gap when a head jumps past its anchor without that proof (issue 14 §4 audit anchor):
a real terminal database and worker against the real platform on loopback."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from central.fleet import fleet_view
from central.store import open_platform_store
from offline_cache import Outbox, Store
from offline_cache.audit_trail import AuditTrail
from sync.client import Backoff, CentralClient, SyncWorker


def beat(outbox) -> dict:
    seq, digest = AuditTrail(outbox.store).head()
    return {"audit": {"seq": seq, "hash": digest}}


def log_events(path, count: int) -> None:
    with Store(path) as store:
        for _ in range(count):
            AuditTrail(store).append("staff.signed_in", "staff", {}, datetime.now(UTC))


def report(central, path, terminal_keys, terminal_id) -> None:
    with CentralClient(central.url, terminal_id, signing_key=terminal_keys.signing_key) as client:
        worker = SyncWorker(lambda: Outbox(Store(path).open()), client, interval_s=0.2,
                            backoff=Backoff(0.05, 0.1), heartbeat=beat, heartbeat_interval_s=0,
                            exit_when_idle=True)
        worker.start()
        worker.stop(timeout=20)


def audit_problem(central, terminal_id) -> dict:
    store = open_platform_store(central.data_dir, central.database_url)
    [row] = [t for t in fleet_view(store) if t["terminal_id"] == terminal_id]
    return row["fleet"]["audit"]


@pytest.mark.parametrize(("terminal_id", "wiped", "problem"), [
    ("GZ04-T01", "events", "rewrite: event 9"),  # the chain no longer holds the anchored event
    ("GZ04-T02", "database", "gap: head at event 12"),  # nothing left to prove anything with
])
def test_a_log_deleted_and_grown_again_past_the_anchor_is_an_alert(
        central, tmp_path, terminal_keys, terminal_id, wiped, problem):
    with CentralClient(central.url, terminal_id) as client:
        client.enroll(central.issue_token(terminal_id), terminal_keys.public_key)
    path = tmp_path / "kiosk.db"
    log_events(path, 3)
    report(central, path, terminal_keys, terminal_id)
    log_events(path, 4)
    report(central, path, terminal_keys, terminal_id)  # 3 -> 7, proved at event 3
    log_events(path, 2)
    report(central, path, terminal_keys, terminal_id)  # 7 -> 9, proved at event 7
    audit = audit_problem(central, terminal_id)
    assert audit["problem"] is None and audit["seq"] == 9

    # Someone deletes the whole log and lets the kiosk log past the anchor again.
    if wiped == "events":
        with Store(path) as store, store.transaction() as db:
            db.conn.execute("DELETE FROM audit_events")
    else:
        path = tmp_path / "replaced.db"
    log_events(path, 12)
    report(central, path, terminal_keys, terminal_id)
    audit = audit_problem(central, terminal_id)
    assert audit["problem"].startswith(problem) and audit["regressed"] is True
