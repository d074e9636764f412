"""The fleet view: heartbeats with device detail, alerts and the audit head, on the real central
server (subprocess) and its page; staleness, audit regressions and gaps read from stored beats."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central.fleet import fleet_view
from central.page import render_index
from central.store import CentralStore
from drivers.idcard.simulated.samples import sample_identity
from offline_cache import Store, SyncState
from sync.local_central import free_port
from tests.conftest import operator_client


@pytest.fixture(scope="module")
def operator(demo):
    """A fleet operator logged in to the demo's platform."""
    client = operator_client(demo.central, "fleet-operator")
    yield client
    client.close()


def get(operator, path: str) -> str:
    return operator.get(path).raise_for_status().text


def wait_until(predicate, what: str, bound_s: float = 30.0):
    """Poll until ``predicate()`` returns something truthy (a bound on waiting, not a timing test)."""
    end = time.monotonic() + bound_s
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"never happened: {what}")


def fleet_row(operator) -> dict:
    [row] = [t for t in json.loads(get(operator, "/v1/terminals"))["items"]
             if t["terminal_id"] == "110105-T01"]
    return row


def test_paper_low_and_a_staff_call_reach_the_fleet_page(operator, core_driver, residence_answers) -> None:
    core = core_driver.core
    # Near end for the next jobs: this one prints, and the status afterwards still says so.
    core.devices["receipt_printer"].driver.script_fault("paper_near_end", count=5)
    core_driver.walk_to_form()
    core_driver.submit()
    core.call_staff()  # on the done screen: an immediate heartbeat, not the 5-minute one

    def alerted():
        row = fleet_row(operator)
        return row if any(a["open"] for a in row["fleet"]["alerts"]) else None

    row = wait_until(alerted, "the open alert on the platform")
    fleet = row["fleet"]
    printer = next(d for d in fleet["devices"] if d["role"] == "receipt_printer")
    assert printer["detail"] == "paper_near_end" and printer["level"] == "attention"
    assert fleet["stale"] is False and fleet["audit"]["seq"] > 0 and not fleet["audit"]["regressed"]
    assert row["last_heartbeat"]["queue_depth"] >= 0 and "free_disk_bytes" in row["last_heartbeat"]
    page = get(operator, "/")
    assert '<span class="tag warn">receipt_printer: online (paper_near_end)</span>' in page
    assert "OPEN call staff at" in page and "(done)" in page
    identity = sample_identity("resident_id")
    for secret in (identity.name, identity.document_number, "13800138000", residence_answers["employer"]):
        assert secret not in page
    core.devices["receipt_printer"].driver.clear_faults()
    core_driver.finish()  # the citizen has gone: the alert closes on the page without waiting

    def cleared():
        return all(not a["open"] for a in fleet_row(operator)["fleet"]["alerts"])

    wait_until(cleared, "the alert cleared on the platform")


def test_an_alert_raised_offline_is_queued_and_delivered_later(demo, operator, start_core) -> None:
    offline = start_core(demo.config.with_overrides(central={"url": f"http://127.0.0.1:{free_port()}"},
                                                    journey={"document_wait_s": 0.2}))
    offline.core.choose_service("residence_permit")
    offline.wait_screen("notice")
    offline.core.call_staff()
    db = offline.core.data_dir / "kiosk.db"

    def queued_alert():
        with Store(db) as store:
            beats = [b for b in SyncState(store).pending_heartbeats() if b.get("alerts")]
        return beats[-1]["alerts"][0] if beats else None

    alert = wait_until(queued_alert, "a queued heartbeat carrying the alert")
    assert alert["screen"] == "notice" and alert["reason"] == "citizen"
    offline.core.stop()
    start_core()  # the network is back: the queued heartbeats go first

    def delivered():
        return [a for a in fleet_row(operator)["fleet"]["alerts"] if a["id"] == alert["id"]]

    [seen] = wait_until(delivered, "the offline alert on the platform")
    assert seen["screen"] == "notice"


def test_stale_terminals_audit_regressions_and_faults_are_flagged(tmp_path: Path) -> None:
    store = CentralStore(tmp_path / "central.sqlite3")
    store.open()
    store.enroll(store.issue_token(), "110105-T09", b"k" * 32, "ed25519:0000000000000009", "110105")
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

    def beat(minutes_ago: int, seq: int, **extra) -> dict:
        return {"id": f"b{minutes_ago}", "sent_at": (now - timedelta(minutes=minutes_ago)).isoformat(),
                "queue_depth": 2, "accepted_total": 5, "audit": {"seq": seq, "hash": "ab" * 32}, **extra}

    store.add_heartbeats("110105-T09", [
        beat(40, 120, alerts=[{"id": "a1", "raised_at": "2026-11-26T11:20:00+00:00", "screen": "form",
                               "reason": "citizen"}]),
        beat(30, 80, devices={"camera": {"state": "no_device", "action": "maintenance", "detail": ""},
                              "receipt_printer": "online"}),
    ])
    [row] = fleet_view(store, now=now)
    fleet = row["fleet"]
    assert fleet["stale"] is True and fleet["heartbeat_age_s"] == 1800
    assert {k: fleet["audit"][k] for k in ("seq", "hash", "regressed")} == {
        "seq": 80, "hash": "ab" * 32, "regressed": True}
    assert fleet["audit"]["problem"].startswith("truncation: head at event 80")
    assert [(d["role"], d["level"]) for d in fleet["devices"]] == [("camera", "fault"), ("receipt_printer", "ok")]
    assert fleet["alerts"] == [{"id": "a1", "raised_at": "2026-11-26T11:20:00+00:00", "screen": "form",
                                "reason": "citizen", "open": False}]
    assert row["sequence_gap"] == 3  # 5 accepted, 2 still queued, none received
    page = render_index(0, [], [row])
    for marker in ("STALE", "AUDIT truncation", '<span class="tag bad">camera: no_device</span>',
                   "cleared call staff at 2026-11-26 11:20:00 (form)", '<td class="bad">3</td>'):
        assert marker in page
    assert not fleet_view(store, now=now - timedelta(minutes=29))[0]["fleet"]["stale"]


def test_releases_on_trial_and_rolled_back_reach_the_fleet_view(tmp_path: Path) -> None:
    from central.fleet import release_counts

    store = CentralStore(tmp_path / "central.sqlite3")
    store.open()
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    updates = {"T01": {"release": "1.1", "good": "1.1", "trial": None, "last": {}},
               "T02": {"release": "1.1", "good": "1.0", "trial": "1.1", "last": {}},
               "T03": {"release": "1.0", "good": "1.0", "trial": None,
                       "last": {"outcome": "rolled back", "version": "1.1", "to": "1.0",
                                "reason": "self-test failed (exit 9)"}}}
    for n, (terminal, update) in enumerate(updates.items()):
        store.enroll(store.issue_token(), f"110105-{terminal}", b"k" * 32,
                     f"ed25519:000000000000000{n}", "110105")
        store.add_heartbeats(f"110105-{terminal}", [{"id": f"b{n}", "sent_at": now.isoformat(),
                                                       "update": update}])
    rows = fleet_view(store, now=now)
    assert release_counts(rows) == {"1.1": {"running": 2, "on_trial": 1, "rolled_back": 1},
                                    "1.0": {"running": 1, "on_trial": 0, "rolled_back": 0}}
    page = render_index(0, [], rows)
    assert "TRIAL" in page and "1.1 rolled back: self-test failed (exit 9)" in page


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
                     lambda children: st.lists(children, max_size=3)
                     | st.dictionaries(st.text(max_size=8), children, max_size=3),
                     max_leaves=12)
_field = st.sampled_from(["sent_at", "devices", "alerts", "audit", "versions", "free_disk_bytes",
                          "queue_depth", "oldest_unsent_age_s", "update"])
_heartbeat = st.dictionaries(_field, _json | st.just("2026-11-26T11:00:00+00:00")
                             | st.just({"release": "1.1", "trial": 3, "last": {"outcome": 1}})
                             | st.just({"camera": {"state": "online"}})
                             | st.just([{"id": "a", "raised_at": 3}]), max_size=8)


@settings(max_examples=200, deadline=None)
@given(beat=_heartbeat, recent=st.lists(_heartbeat, max_size=3))
def test_any_heartbeat_renders_without_breaking_the_page(beat: dict, recent: list) -> None:
    from central.fleet import _summary

    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    terminal = {"terminal_id": "110105-T01", "site": "110105", "status": "active", "submissions": 0,
                "last_heartbeat": beat, "sequence_gap": None, "fleet": _summary(beat, recent, now, 900.0)}
    page = render_index(0, [], [terminal])
    assert "110105-T01" in page and "<script" not in page
