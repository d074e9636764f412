"""The rest of the protocol against the real server on loopback: resumable blobs, the batch
endpoint, signed documents with ETags (tampered ones rejected, last good copy kept), heartbeats
queued offline and shown on the fleet page."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central.store import open_platform_store
from egov_protocol.auth import SignatureRejected, SignedRequest
from egov_protocol.documents import DocumentError, sign_document, verify_document
from egov_protocol.errors import CentralProtocolError
from offline_cache import Outbox, Store, SyncState
from sync.client import Backoff, CentralClient, SyncWorker
from tests.conftest import operator_client

TERMINAL_ID = "GZ01-T01"


@pytest.fixture
def enrolled(central, terminal_keys):
    with CentralClient(central.url, TERMINAL_ID) as client:
        enrolled = client.enroll(central.issue_token(TERMINAL_ID), terminal_keys.public_key)
    client = CentralClient(central.url, TERMINAL_ID, signing_key=terminal_keys.signing_key)
    yield client, enrolled.platform
    client.close()


def test_a_blob_upload_resumes_where_the_platform_copy_ends(central, enrolled, monkeypatch):
    import sync.client as client_module

    client, _ = enrolled
    monkeypatch.setattr(client_module, "BLOB_CHUNK", 64 * 1024)
    data = os.urandom(200 * 1024)
    assert client.upload_blob(data, max_chunks=2) is False  # the connection "dropped"
    ref = __import__("hashlib").sha256(data).hexdigest()
    store = open_platform_store(central.data_dir, central.database_url)
    assert store.blob_offset(ref) == (False, 128 * 1024)
    assert client.upload_blob(data) is True
    assert store.blob(ref) == data
    assert client.upload_blob(data) is True  # already complete: nothing resent


def test_batch_endpoint_acks_each_item_on_its_own(central, enrolled, terminal_keys, make_sealed):
    client, platform = enrolled
    good = [make_sealed(n, platform.x25519_public, terminal_keys) for n in (101, 102)]
    conflict = make_sealed(101, platform.x25519_public, terminal_keys, note="edited")
    first = client.put_batch([(s, {}) for s in good])
    assert [r.receipt.created for r in first] == [True, True]
    second = client.put_batch([(good[0], {}), (conflict, {})])
    assert second[0].receipt.central_receipt == first[0].receipt.central_receipt
    assert second[1].rejected.status == 409


def test_documents_are_signed_pulled_by_etag_and_the_last_good_copy_is_kept(
        central, enrolled, tmp_path, terminal_keys):
    client, platform = enrolled
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps({"services": ["residence-permit"]}))
    subprocess.run([sys.executable, "-m", "central", "publish", "catalog", str(catalog),
                    "--data-dir", str(central.data_dir)], check=True, capture_output=True)
    document = client.fetch_document("catalog", platform.ed25519_public, None)
    assert document["body"] == {"services": ["residence-permit"]}
    assert client.fetch_document("catalog", platform.ed25519_public, document) is None
    with pytest.raises(CentralProtocolError):  # signed by someone else
        client.fetch_document("catalog", b"\x01" * 32, None)

    path = tmp_path / "terminal.sqlite3"
    with Store(path):
        pass

    def tampering(request: httpx.Request) -> httpx.Response:
        response = httpx.HTTPTransport().handle_request(request)
        response.read()
        if request.url.path.startswith("/v1/documents/catalog"):
            body = json.loads(response.content)
            body["body"]["services"].append("forged")
            return httpx.Response(200, json=body, headers={"X-Egov-Central": "1"})
        return httpx.Response(response.status_code, content=response.content,
                              headers=response.headers)

    for transport, expected in ((None, ["residence-permit"]),
                                (httpx.MockTransport(tampering), ["residence-permit"])):
        with CentralClient(central.url, TERMINAL_ID, transport=transport,
                           signing_key=terminal_keys.signing_key) as worker_client:
            worker = SyncWorker(lambda: Outbox(Store(path).open()), worker_client,
                                interval_s=0.2, backoff=Backoff(0.05, 0.1),
                                documents=(platform.ed25519_public, ("catalog",)),
                                exit_when_idle=True)
            worker.start()
            worker.stop(timeout=20)
        with Store(path) as store:
            assert SyncState(store).document("catalog")["body"]["services"] == expected


def test_heartbeats_queue_offline_and_reach_the_fleet_page(new_central, tmp_path, terminal_keys):
    server = new_central()
    path = tmp_path / "terminal.sqlite3"
    with Store(path):
        pass

    def beat(outbox):
        return {"queue_depth": outbox.counts()["queued"], "devices": {"camera": "ready"},
                "accepted_total": 5, "oldest_unsent_age_s": 42}

    def run_worker(url):
        with CentralClient(url, TERMINAL_ID, signing_key=terminal_keys.signing_key) as client:
            worker = SyncWorker(lambda: Outbox(Store(path).open()), client, interval_s=0.2,
                                backoff=Backoff(0.05, 0.1), heartbeat=beat,
                                heartbeat_interval_s=0, exit_when_idle=True)
            worker.start()
            worker.stop(timeout=20)

    # The server is not started yet: the network is down.
    run_worker(server.url)
    run_worker(server.url)
    with Store(path) as store:
        assert len(SyncState(store).pending_heartbeats()) >= 2  # queued offline
    server.start()
    with CentralClient(server.url, TERMINAL_ID) as client:
        client.enroll(server.issue_token(), terminal_keys.public_key)
    run_worker(server.url)
    with Store(path) as store:
        assert SyncState(store).pending_heartbeats() == []
    [terminal] = open_platform_store(server.data_dir, server.database_url).terminals()
    assert terminal["last_heartbeat"]["devices"] == {"camera": "ready"}
    assert terminal["sequence_gap"] == 5  # five accepted, none queued, none received
    page = operator_client(server, "fleet-operator").get("/").text
    assert "camera: ready" in page and "Sequence gap" in page


# -- property tests: the new parsers of outside bytes --------------------------------------------

header_values = st.one_of(st.none(), st.text(max_size=80),
                          st.text(alphabet="0123456789abcdef", min_size=32, max_size=64))


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({name: header_values for name in (
    "X-Egov-Terminal", "X-Egov-Date", "X-Egov-Nonce", "X-Egov-Digest", "X-Egov-Signature")}),
    st.binary(max_size=64))
def test_any_signature_headers_parse_or_are_rejected_cleanly(headers, body):
    try:
        signed = SignedRequest.from_headers(headers)
        signed.verify(b"\x00" * 32, "PUT", "/v1/x", body)
    except SignatureRejected:
        return
    raise AssertionError("garbage verified")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=5), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(json_values, st.sampled_from(["body", "etag", "expires_at", "issued_at", "kind",
                                      "signature", "version", None]))
def test_any_document_is_verified_or_rejected_cleanly(value, replace):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    original = sign_document("catalog", {"services": ["a"]}, key)
    document = value if replace is None else {**original, replace: value}
    try:
        verify_document(document, "catalog", key.public_key().public_bytes_raw())
    except DocumentError:
        return
    assert document == original  # only the untouched document verifies


def test_export_decrypts_envelopes_and_detached_blobs_for_the_downstream_platform(
        central, enrolled, terminal_keys, tmp_path):
    from egov_protocol.envelope import seal_detached
    from offline_cache import SealedSubmission
    from tests.conftest import payload_for

    client, platform = enrolled
    photo = os.urandom(5000)
    envelope, blobs = seal_detached(payload_for(301), {"photo.jpg": photo},
                                    platform.x25519_public, terminal_keys.signing_key,
                                    terminal_keys.key_id)
    record = SealedSubmission.create(id="sub-0301", receipt_number="GZ01-T01-20250301-000301",
                                     service_id="s", form_id="f", form_version="1",
                                     sealed=envelope)
    assert client.put_submission(record, blobs).created
    out = tmp_path / "export"
    for _ in range(2):  # idempotent
        subprocess.run([sys.executable, "-m", "central", "export", str(out), "--data-dir",
                        str(central.data_dir)], check=True, capture_output=True)
    folder = out / "sub-0301"
    assert (folder / "payload.json").read_bytes() == payload_for(301)
    assert (folder / "attachments" / "photo.jpg").read_bytes() == photo
    assert json.loads((folder / "receipt.json").read_text())["receipt_number"].endswith("301")
