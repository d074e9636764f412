"""The SyncWorker against the real reference server in a subprocess on loopback."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from central.store import CentralStore
from egov_protocol.errors import CentralRejected, NotCentralServer
from egov_protocol.keys import TerminalKeys
from offline_cache import Outbox, Store
from sync.client import Backoff, CentralClient, SyncWorker
from tests.conftest import operator_client

TERMINAL_ID = "GZ01-T01"
PERSONAL_NAME = "王小明"  # in every test payload (conftest); must never reach operator pages

FAST = Backoff(base_s=0.05, cap_s=0.2)


@pytest.fixture
def outbox_path(tmp_path):
    path = tmp_path / "terminal.sqlite3"
    with Store(path):
        pass
    return path


def add_all(path, submissions) -> None:
    # The kiosk's writer thread has its own Store; here the test thread plays that part.
    with Store(path) as store:
        outbox = Outbox(store)
        for submission in submissions:
            outbox.add(submission)


def counts(path) -> dict:
    with Store(path) as store:
        return Outbox(store).counts()


def worker_for(path, client, events) -> SyncWorker:
    return SyncWorker(lambda: Outbox(Store(path).open()), client, interval_s=0.3,
                      on_event=events, backoff=FAST)


@pytest.fixture
def registered(central, session_terminal_keys):
    with CentralClient(central.url, TERMINAL_ID) as client:
        client.enroll(central.issue_token(TERMINAL_ID), session_terminal_keys.public_key,
                      site="GZ01")
    return session_terminal_keys


def test_worker_drains_sealed_submissions_exactly_once(
    central, registered, outbox_path, make_sealed, expected_payload, events
):
    x25519 = central.platform_x25519()
    submissions = [make_sealed(n, x25519, registered) for n in range(1, 4)]
    add_all(outbox_path, submissions)
    with CentralClient(central.url, TERMINAL_ID, signing_key=registered.signing_key) as client:
        worker = worker_for(outbox_path, client, events)
        worker.start()
        try:
            acked = events.wait_for("submission_acked", 3)
            events.wait_for("sync_completed")
        finally:
            worker.stop()
    assert not worker.is_running
    assert sorted(a["id"] for a in acked) == [s.id for s in submissions]
    assert all(a["created"] for a in acked)
    assert counts(outbox_path)["acked"] == 3 and counts(outbox_path)["queued"] == 0

    operator = operator_client(central, "admin")
    listing = operator.get("/v1/submissions").json()
    ours = {item["id"]: item for item in listing["items"] if item["id"] in {s.id for s in submissions}}
    assert len(ours) == 3
    with Store(outbox_path) as store:
        outbox = Outbox(store)
        for submission in submissions:
            assert outbox.get(submission.id).central_receipt == ours[submission.id]["central_receipt"]
    # The platform decrypted and kept the payload and attachments.
    stored = CentralStore(central.data_dir / "central.sqlite3")
    payload, attachments = stored.payload("sub-0001")
    assert payload.encode() == expected_payload(1)
    assert attachments == {"photo.jpg": b"\xff\xd8fake-jpeg-1"}
    # Operators' views list receipts, never the applicant.
    page = operator.get("/")
    assert "GZ01-T01-20250301-000001" in page.text and PERSONAL_NAME not in page.text
    assert PERSONAL_NAME not in operator.get("/v1/submissions/sub-0001").text


def test_resend_with_the_same_digest_returns_the_original_receipt(central, registered, make_sealed):
    submission = make_sealed(10, central.platform_x25519(), registered)
    with CentralClient(central.url, TERMINAL_ID, signing_key=registered.signing_key) as client:
        first = client.put_submission(submission)
        second = client.put_submission(submission)
    assert first.created and not second.created
    assert first.central_receipt == second.central_receipt
    assert first.received_at == second.received_at


def test_same_id_other_digest_quarantines_only_that_record(
    central, registered, outbox_path, make_sealed, events
):
    x25519 = central.platform_x25519()
    with CentralClient(central.url, TERMINAL_ID, signing_key=registered.signing_key) as client:
        client.put_submission(make_sealed(20, x25519, registered))
        with pytest.raises(CentralRejected) as info:
            client.put_submission(make_sealed(20, x25519, registered, note="edited"))
        assert info.value.status == 409
        add_all(outbox_path, [
            make_sealed(20, x25519, registered, note="edited"),  # conflicts
            make_sealed(21, x25519, registered),
            make_sealed(22, x25519, registered),
        ])
        worker = worker_for(outbox_path, client, events)
        worker.start()
        try:
            [quarantined] = events.wait_for("submission_quarantined")
            events.wait_for("submission_acked", 2)
        finally:
            worker.stop()
    assert quarantined["id"] == "sub-0020" and quarantined["status"] == 409
    result = counts(outbox_path)
    assert result["quarantined"] == 1 and result["acked"] == 2 and result["queued"] == 0


class CaptivePortal(BaseHTTPRequestHandler):
    """Answers everything with 200 and a login page, as hotel and hall Wi-Fi portals do."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = b"<html><body>Please log in to the Wi-Fi</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_POST = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def captive_portal():
    server = ThreadingHTTPServer(("127.0.0.1", 0), CaptivePortal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_captive_portal_acks_nothing(
    captive_portal, terminal_keys, outbox_path, make_sealed, events
):
    x25519 = bytes(range(32))  # never used by the portal; any well-formed key seals
    add_all(outbox_path, [make_sealed(n, x25519, terminal_keys) for n in (30, 31)])
    with CentralClient(captive_portal, TERMINAL_ID,
                       signing_key=terminal_keys.signing_key) as client:
        with pytest.raises(NotCentralServer):
            client.fetch_platform_keys()
        worker = worker_for(outbox_path, client, events)
        worker.start()
        try:
            failures = events.wait_for("sync_failed", 2)
        finally:
            worker.stop()
    assert all(f["reason"] == "not_central_server" for f in failures)
    assert not events.named("submission_acked")
    result = counts(outbox_path)
    assert result["acked"] == 0 and result["queued"] == 2 and result["sending"] == 0


def test_records_stay_queued_while_the_server_is_down_and_drain_after_it_starts(
    new_central, terminal_keys: TerminalKeys, outbox_path, make_sealed, events
):
    server = new_central()
    x25519 = server.platform_x25519()  # the terminal has the platform key cached
    add_all(outbox_path, [make_sealed(n, x25519, terminal_keys) for n in (40, 41, 42)])
    with CentralClient(server.url, TERMINAL_ID, signing_key=terminal_keys.signing_key) as client:
        worker = worker_for(outbox_path, client, events)
        worker.start()
        try:
            failures = events.wait_for("sync_failed", 2)
            assert all(f["reason"] == "unavailable" for f in failures)
            during = counts(outbox_path)
            assert during["acked"] == 0 and during["queued"] + during["sending"] == 3
            server.start()  # same port, platform keys already in its data dir
            client.enroll(server.issue_token(), terminal_keys.public_key)
            worker.sync_now()  # "the network is back": retry at once despite backoff
            acked = events.wait_for("submission_acked", 3)
        finally:
            worker.stop()
    assert sorted(a["id"] for a in acked) == ["sub-0040", "sub-0041", "sub-0042"]
    assert counts(outbox_path)["acked"] == 3


def test_the_worker_notices_the_network_is_back_without_being_told(
    new_central, terminal_keys: TerminalKeys, outbox_path, make_sealed, events
):
    server = new_central()
    x25519 = server.platform_x25519()
    add_all(outbox_path, [make_sealed(n, x25519, terminal_keys) for n in (50, 51, 52)])
    hour = Backoff(base_s=3600, cap_s=3600)  # per-record backoff alone would wait an hour
    with CentralClient(server.url, TERMINAL_ID, signing_key=terminal_keys.signing_key) as client:
        # Enrolled while the network was up; then the cable is pulled. (Enrolling only after the
        # server is back would race the worker's probe into a 401, which rightly pauses the queue.)
        server.start()
        client.enroll(server.issue_token(), terminal_keys.public_key)
        server.stop()
        worker = SyncWorker(lambda: Outbox(Store(outbox_path).open()), client, interval_s=0.3,
                            on_event=events, backoff=hour)
        worker.start()
        try:
            events.wait_for("sync_failed")
            server.start()  # the cable is back in
            acked = events.wait_for("submission_acked", 3)
        finally:
            worker.stop()
    assert sorted(a["id"] for a in acked) == ["sub-0050", "sub-0051", "sub-0052"]
