"""A repeated request is not a refusal: when something between terminal and platform sends a
request twice and hands back the second answer, the terminal signs it again and goes on; its
queue never pauses for it (issue: two re-sent requests held 160 submissions until staff acted)."""

from __future__ import annotations

import time

import httpx

from central.store import open_platform_store
from egov_protocol.protocol import CENTRAL_HEADER
from offline_cache import Outbox, Store, SyncState
from sync.client import Backoff, CentralClient, SyncWorker
from tests.conftest import TERMINAL_ID

from .fault_proxy import FaultProxy
from .test_sync_faults import queue_submissions


def test_resent_requests_do_not_pause_the_queue(new_central, tmp_path, terminal_keys, events):
    server = new_central()
    server.start()
    with CentralClient(server.url, TERMINAL_ID) as client:
        client.enroll(server.issue_token(), terminal_keys.public_key)
    path = tmp_path / "terminal.sqlite3"
    ids = queue_submissions(path, 160, server.platform_x25519(), terminal_keys, big_every=40)
    proxy = FaultProxy(server.port, fault_rate=0.0).start()
    proxy.scripted = ["resend", "resend"]  # the first two requests arrive twice
    try:
        with CentralClient(proxy.url, TERMINAL_ID, signing_key=terminal_keys.signing_key,
                           timeout=10.0) as client:
            worker = SyncWorker(lambda: Outbox(Store(path).open()), client, interval_s=0.2,
                                on_event=events, backoff=Backoff(base_s=0.01, cap_s=0.05),
                                exit_when_idle=True)
            worker.start()
            deadline = time.monotonic() + 120  # a bound on waiting, not a timing test
            while worker.is_running and time.monotonic() < deadline:
                time.sleep(0.05)  # it exits by itself once nothing is due, or when paused
            worker.stop()
    finally:
        proxy.stop()
    assert proxy.seen["resend"] == 2
    while not events.queue.empty():
        events.seen.append(events.queue.get())
    assert events.named("sync_paused") == []
    with Store(path) as store:
        assert Outbox(store).counts()["acked"] == 160
        assert SyncState(store).paused_reason() is None
    assert set(open_platform_store(server.data_dir, server.database_url).submission_ids()) == ids


def test_the_401_replay_answer_of_an_older_platform_is_also_signed_again(terminal_keys):
    nonces = []

    def older_platform(request: httpx.Request) -> httpx.Response:
        nonces.append(request.headers["X-Egov-Nonce"])
        if len(nonces) == 1:
            return httpx.Response(401, json={"detail": "replayed request: nonce already used"},
                                  headers={CENTRAL_HEADER: "1"})
        return httpx.Response(200, json={"acked": ["h1"]}, headers={CENTRAL_HEADER: "1"})

    with CentralClient("http://platform.test", TERMINAL_ID,
                       transport=httpx.MockTransport(older_platform),
                       signing_key=terminal_keys.signing_key) as client:
        assert client.send_heartbeats([{"id": "h1", "sent_at": "2026-01-01T00:00:00+00:00"}]) \
            == ["h1"]
    assert len(nonces) == 2 and nonces[0] != nonces[1]


def test_a_real_pause_names_the_action_that_fixes_it():
    """The platform's own refusal texts, each to the action that helps (not always 'enroll')."""
    from kiosk.sync_pause import pause_action

    cases = {
        "403 terminal is revoked: call the platform operators": "revoked",
        "401 request date is 412 s away from the platform clock (limit 300 s): check the "
        "terminal's clock": "clock",
        "401 unknown terminal: enroll it with a token": "enroll",
        "401 this terminal is not enrolled (no signing key)": "enroll",
        "401 request signature does not verify": "rekey",
        "401 unsigned request: missing X-Egov-Signature": "unknown",
    }
    for reason, code in cases.items():
        action = pause_action(reason, "110105-T01")
        assert action.code == code, reason
        assert "kioskctl" in action.fix or "call them" in action.fix
    assert "--terminal-id 110105-T01" in pause_action("401 request signature does not verify",
                                                      "110105-T01").fix
