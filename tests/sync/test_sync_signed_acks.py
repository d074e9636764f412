"""Online acknowledgements are signed by the platform and verified with the key pinned at
enrollment before anything is marked acknowledged (and so purged), like the USB ``acks.json``.
The platform is a real ``kiosk-central`` on loopback; an answer that did not come from the pinned
platform is played by pinning another platform's key."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from egov_protocol.acks import verify_ack
from egov_protocol.auth import sign_request
from egov_protocol.errors import CentralProtocolError
from egov_protocol.keys import PlatformKeys
from offline_cache import Outbox, Store
from sync.client import Backoff, CentralClient, SyncWorker

TERMINAL_ID = "GZ01-T01"


@pytest.fixture
def enrolled(new_central, terminal_keys):
    server = new_central()
    server.start()
    with CentralClient(server.url, TERMINAL_ID) as client:
        platform = client.enroll(server.issue_token(), terminal_keys.public_key).platform
    return server, platform.ed25519_public


def test_every_online_acknowledgement_is_signed(enrolled, terminal_keys, make_sealed):
    server, pinned = enrolled
    submission = make_sealed(1, server.platform_x25519(), terminal_keys)
    body = json.dumps({"receipt_number": submission.receipt_number, "digest": submission.digest,
                       "envelope_b64": base64.b64encode(submission.sealed).decode()}).encode()
    path = f"/v1/submissions/{submission.id}"
    for expected in (201, 200):  # stored now, then a resend
        headers = sign_request(terminal_keys.signing_key, TERMINAL_ID, "PUT", path, body)
        headers["Content-Type"] = "application/json"
        answer = httpx.put(f"{server.url}{path}", content=body, headers=headers)
        assert answer.status_code == expected
        verify_ack(answer.json(), pinned)
        with pytest.raises(CentralProtocolError):
            verify_ack({**answer.json(), "central_receipt": "GOV-FORGED"}, pinned)
    with CentralClient(server.url, TERMINAL_ID, signing_key=terminal_keys.signing_key,
                       platform_key=pinned) as client:
        [result] = client.put_batch([(make_sealed(2, server.platform_x25519(), terminal_keys), {})])
        assert result.receipt is not None and result.receipt.created


def test_an_acknowledgement_not_signed_by_the_pinned_key_purges_nothing(
        enrolled, terminal_keys, make_sealed, events, tmp_path):
    server, _ = enrolled
    other = PlatformKeys.load_or_create(tmp_path / "other-platform").ed25519_public
    path = tmp_path / "terminal.sqlite3"
    records = [make_sealed(n, server.platform_x25519(), terminal_keys) for n in (3, 4)]
    with Store(path) as store:
        for record in records:
            Outbox(store).add(record)
    with CentralClient(server.url, TERMINAL_ID, signing_key=terminal_keys.signing_key,
                       platform_key=other) as client:
        with pytest.raises(CentralProtocolError, match="pinned"):
            client.put_submission(make_sealed(5, server.platform_x25519(), terminal_keys))
        worker = SyncWorker(lambda: Outbox(Store(path).open()), client, interval_s=0.3,
                            on_event=events, backoff=Backoff(base_s=0.05, cap_s=0.2))
        worker.start()
        try:
            [failed] = events.wait_for("sync_failed")
        finally:
            worker.stop()
    assert failed["reason"] == "protocol", failed
    with Store(path) as store:
        outbox = Outbox(store)
        assert outbox.counts()["acked"] == 0
        assert all(outbox.get(record.id).sealed == record.sealed for record in records)
