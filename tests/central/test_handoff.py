"""Handing accepted cases to a business system: a real HTTP receiver on loopback that fails,
times out and then succeeds; the effect happens exactly once, across restarts of the sender."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from central.at_rest import AtRestKeys
from central.handoff import DEAD, DELIVERED, PENDING, HandoffOutbox, backoff_s
from central.handoff_worker import HandoffWorker
from central.integrations import IntegrationError, IntegrationRegistry, add_integration
from egov_protocol.webhooks import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookRejected,
    verify,
)
from tests.central.platform_db import platform_db

CASE = {"receipt_number": "S01-T01-20261205-0007", "service_id": "flexible_employment_insurance",
        "applicant": {"name": "张伟", "id_number": "110101199003071234"},
        "answers": {"employment_type": "platform"}}


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Receiver:
    """A business system: verifies the signature, applies each event id once. ``script``
    says what each request gets: "fail" (500 before doing anything), "hang" (do it, then
    answer only after the sender has given up), "ok"."""

    def __init__(self, secret: bytes, script: list[str]) -> None:
        self.secret = secret
        self.script = list(script)
        self.applied: list[str] = []  # the effect: one entry per applied event
        self.seen = 0
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    verify(receiver.secret, self.headers[TIMESTAMP_HEADER],
                           self.headers[SIGNATURE_HEADER], body, time.time())
                except WebhookRejected:
                    self.send_response(401)
                    self.end_headers()
                    return
                step = receiver.script.pop(0) if receiver.script else "ok"
                receiver.seen += 1
                if step == "fail":
                    self.send_response(500)
                    self.end_headers()
                    return
                event_id = self.headers[EVENT_ID_HEADER]
                assert json.loads(body)["event_id"] == event_id
                if event_id not in receiver.applied:  # the idempotency key
                    receiver.applied.append(event_id)
                if step == "hang":
                    receiver.release.wait(30)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/egov/events"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(params=["sqlite", "postgres"])
def platform(request, tmp_path):
    url = request.getfixturevalue("fresh_postgres") if request.param == "postgres" else None
    db = platform_db(tmp_path / "central", url)
    yield tmp_path / "central", db
    db.close()


def outbox_of(platform, clock, **kwargs) -> HandoffOutbox:
    folder, db = platform
    return HandoffOutbox(db, AtRestKeys.load_or_create(folder / "keys"),
                         IntegrationRegistry(folder), clock=clock, **kwargs)


def test_fails_times_out_then_succeeds_with_one_effect_across_restarts(platform):
    clock = FakeClock()
    integration = add_integration(platform[0], "social-insurance", "http://127.0.0.1:1/x")
    receiver = Receiver(integration.secret, ["fail", "hang", "ok"])
    try:
        # Point the integration at the receiver (its port is known only now).
        path = platform[0] / "integrations.json"
        config = json.loads(path.read_text())
        config["integrations"][0]["url"] = receiver.url
        path.write_text(json.dumps(config))

        [event_id] = outbox_of(platform, clock).enqueue_case_accepted(CASE)
        worker = HandoffWorker(outbox_of(platform, clock), timeout_s=0.5)
        assert worker.run_once() == 1  # 500
        [event] = worker.outbox.events()
        assert event["state"] == PENDING and event["attempts"] == 1
        assert event["last_error"] == "HTTP 500" and receiver.applied == []
        assert worker.run_once() == 0  # not due before its backoff

        clock.advance(backoff_s(1, event_id))
        worker = HandoffWorker(outbox_of(platform, clock), timeout_s=0.5)  # a restart
        assert worker.run_once() == 1  # done on the far side, but no answer in time
        [event] = worker.outbox.events()
        assert event["state"] == PENDING and "no answer" in event["last_error"]
        assert receiver.applied == [event_id]
        receiver.release.set()

        clock.advance(backoff_s(2, event_id))
        worker = HandoffWorker(outbox_of(platform, clock), timeout_s=5)  # another restart
        assert worker.run_once() == 1
        [event] = worker.outbox.events()
        assert event["state"] == DELIVERED and event["attempts"] == 3
        assert receiver.seen == 3 and receiver.applied == [event_id]  # exactly once
        clock.advance(3600)
        assert worker.run_once() == 0
    finally:
        receiver.close()


def test_an_attempt_whose_worker_died_is_taken_up_after_its_lease(platform):
    clock = FakeClock()
    add_integration(platform[0], "archive", "http://127.0.0.1:9/none")
    outbox = outbox_of(platform, clock)
    outbox.enqueue_case_accepted(CASE)
    [claimed] = outbox.claim_due(lease_s=60)
    assert outbox.claim_due() == []  # leased: no second worker takes it
    clock.advance(61)  # the first worker never came back
    [again] = outbox_of(platform, clock).claim_due()
    assert again.event_id == claimed.event_id and json.loads(again.body)["case"] == CASE


def test_dead_letters_are_listed_and_replayed(platform):
    clock = FakeClock()
    integration = add_integration(platform[0], "archive", "http://127.0.0.1:1/x")
    receiver = Receiver(integration.secret, ["fail", "fail", "fail"])
    try:
        path = platform[0] / "integrations.json"
        config = json.loads(path.read_text())
        config["integrations"][0]["url"] = receiver.url
        path.write_text(json.dumps(config))
        outbox = outbox_of(platform, clock, max_attempts=3)
        [event_id] = outbox.enqueue_case_accepted(CASE)
        worker = HandoffWorker(outbox, timeout_s=5)
        for _ in range(3):
            assert worker.run_once() == 1
            clock.advance(7200)
        [dead] = outbox.events(DEAD)
        assert dead["event_id"] == event_id and dead["attempts"] == 3
        assert worker.run_once() == 0
        assert outbox.replay(event_id) and not outbox.replay(event_id)
        assert worker.run_once() == 1
        assert outbox.events(DELIVERED)[0]["event_id"] == event_id
        assert receiver.applied == [event_id]
        assert outbox.counts() == {DELIVERED: 1}
    finally:
        receiver.close()


def test_only_integrations_taking_the_service_get_the_case(platform):
    add_integration(platform[0], "police", "https://police.example/in", ["residence_permit"])
    add_integration(platform[0], "all", "https://all.example/in")
    with pytest.raises(IntegrationError):
        add_integration(platform[0], "all", "https://all.example/in")
    with pytest.raises(IntegrationError):
        add_integration(platform[0], "plain", "http://remote.example/in")
    assert (platform[0] / "integrations.json").stat().st_mode & 0o777 == 0o600
    outbox = outbox_of(platform, FakeClock())
    outbox.enqueue_case_accepted(CASE)
    assert [e["integration"] for e in outbox.events()] == ["all"]


def test_outbox_bodies_are_sealed_at_rest(platform):
    add_integration(platform[0], "all", "https://all.example/in")
    outbox_of(platform, FakeClock()).enqueue_case_accepted(CASE)
    with platform[1].transaction(write=False) as tx:
        rows = repr(tx.exec_driver_sql("SELECT * FROM handoff_outbox").all())
    assert "110101199003071234" not in rows and "张伟" not in rows


def test_backoff_doubles_up_to_its_cap():
    delays = [backoff_s(n, "evt") for n in range(1, 10)]
    assert all(0.8 * min(3600, 30 * 2 ** (n - 1)) <= d <= min(3600, 30 * 2 ** (n - 1))
               for n, d in enumerate(delays, 1))
    assert delays[-1] <= 3600


def test_the_running_platform_delivers_in_the_background_and_after_a_restart(tmp_path):
    from sync.local_central import LocalCentral, free_port

    data_dir = tmp_path / "central"
    integration = add_integration(data_dir, "social-insurance", "http://127.0.0.1:1/x")
    receiver = Receiver(integration.secret, [])
    central = LocalCentral(data_dir, free_port())
    try:
        path = data_dir / "integrations.json"
        config = json.loads(path.read_text())
        config["integrations"][0]["url"] = receiver.url
        path.write_text(json.dumps(config))
        central.start()
        db = platform_db(data_dir)
        outbox = HandoffOutbox(db, AtRestKeys.load_or_create(data_dir / "keys"),
                               IntegrationRegistry(data_dir))
        [first] = outbox.enqueue_case_accepted(CASE)
        wait_until(lambda: outbox.events(DELIVERED), "the running platform delivered it")
        central.stop()
        [second] = outbox.enqueue_case_accepted({**CASE, "receipt_number": "S01-T01-X-0008"})
        central.start()  # what waited while the platform was down goes out at start
        wait_until(lambda: len(outbox.events(DELIVERED)) == 2, "delivered after the restart")
        assert receiver.applied == [first, second]
        db.close()
    finally:
        central.stop()
        receiver.close()


def wait_until(condition, what: str, timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout_s:g} s: {what}")
        time.sleep(0.1)


def test_events_queued_in_the_callers_transaction_go_or_stay_with_it(platform):
    add_integration(platform[0], "all", "https://all.example/in")
    outbox = outbox_of(platform, FakeClock())
    with pytest.raises(RuntimeError), platform[1].transaction() as tx:
        outbox.enqueue_case_accepted(CASE, tx)
        raise RuntimeError("the acceptance failed after all")
    assert outbox.events() == []
    with platform[1].transaction() as tx:
        [event_id] = outbox.enqueue_case_accepted(CASE, tx)
    assert [e["event_id"] for e in outbox.events(PENDING)] == [event_id]
