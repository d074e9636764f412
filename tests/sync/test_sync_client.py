"""CentralClient against httpx.MockTransport: error mapping and fuzzed server answers."""

from __future__ import annotations

import json

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from egov_protocol.errors import (
    CentralProtocolError,
    CentralRejected,
    CentralUnavailable,
    NotCentralServer,
    SyncError,
)
from egov_protocol.protocol import CentralReceipt
from offline_cache import SealedSubmission
from sync.client import CentralClient

HEADER = {"X-Egov-Central": "1"}
RECORD = SealedSubmission.create(
    id="sub-0001", receipt_number="GZ01-T01-20250301-000001", service_id="s", form_id="f",
    form_version="1", sealed=b"sealed",
)
GOOD_RECEIPT = {
    "id": RECORD.id,
    "receipt_number": RECORD.receipt_number,
    "central_receipt": "GOV-20250301-0001",
    "digest": RECORD.digest,
    "received_at": "2025-03-01T08:30:00+00:00",
    "terminal_id": "GZ01-T01",
}


SIGNING_KEY = Ed25519PrivateKey.generate()


def client_answering(handler) -> CentralClient:
    return CentralClient("http://central.test", "GZ01-T01", transport=httpx.MockTransport(handler),
                         signing_key=SIGNING_KEY)


def answer(status: int, body=None, headers=HEADER, content: bytes | None = None):
    def handler(request: httpx.Request) -> httpx.Response:
        if content is not None:
            return httpx.Response(status, content=content, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return handler


def test_put_submission_sends_the_contract_body_and_parses_the_receipt():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["method"], seen["path"] = request.method, request.url.path
        seen["body"] = json.loads(request.content)
        return httpx.Response(201, json=GOOD_RECEIPT, headers=HEADER)

    receipt = client_answering(handler).put_submission(RECORD)
    assert seen["method"] == "PUT" and seen["path"] == "/v1/submissions/sub-0001"
    assert seen["body"] == {
        "receipt_number": RECORD.receipt_number,
        "digest": RECORD.digest,
        "envelope_b64": "c2VhbGVk",
    }
    assert receipt.central_receipt == "GOV-20250301-0001" and receipt.created


def test_a_resend_answer_is_a_receipt_with_created_false():
    receipt = client_answering(answer(200, GOOD_RECEIPT)).put_submission(RECORD)
    assert not receipt.created


@pytest.mark.parametrize("status", [200, 201, 204, 302, 404])
def test_an_answer_without_the_header_is_not_the_platform(status):
    with pytest.raises(NotCentralServer):
        client_answering(answer(status, content=b"<html>Wi-Fi login</html>", headers={})
                         ).put_submission(RECORD)


def test_a_proxy_error_without_the_header_is_unavailable_not_a_portal():
    with pytest.raises(CentralUnavailable) as info:
        client_answering(answer(502, content=b"Bad Gateway", headers={})).put_submission(RECORD)
    assert not isinstance(info.value, NotCentralServer)


@pytest.mark.parametrize("status", [408, 425, 429, 500, 503])
def test_transient_statuses_are_unavailable(status):
    with pytest.raises(CentralUnavailable):
        client_answering(answer(status, {"detail": "later"})).put_submission(RECORD)


def test_409_is_a_rejection_with_the_platform_reason():
    with pytest.raises(CentralRejected) as info:
        client_answering(answer(409, {"detail": "different digest"})).put_submission(RECORD)
    assert info.value.status == 409 and info.value.is_conflict
    assert info.value.reason == "different digest"


def test_403_is_an_auth_rejection():
    with pytest.raises(CentralRejected) as info:
        client_answering(answer(403, {"detail": "terminal not registered"})).put_submission(RECORD)
    assert info.value.is_auth


def test_network_errors_are_unavailable():
    def handler(request):
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(CentralUnavailable):
        client_answering(handler).put_submission(RECORD)


def test_an_ack_for_another_submission_is_a_protocol_error():
    other = {**GOOD_RECEIPT, "digest": "0" * 64}
    with pytest.raises(CentralProtocolError):
        client_answering(answer(201, other)).put_submission(RECORD)


def test_a_purged_record_cannot_be_sent():
    class Purged:
        id, receipt_number, digest, sealed = "x", "y", "0" * 64, None

    with pytest.raises(ValueError):
        client_answering(answer(201, GOOD_RECEIPT)).put_submission(Purged())


def test_fetch_platform_keys_and_enroll():
    key = "A" * 43 + "="

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/platform":
            return httpx.Response(200, json={"x25519_public": key, "ed25519_public": key,
                                             "key_id": "ed25519:00"}, headers=HEADER)
        body = json.loads(request.content)
        assert body["terminal_id"] == "GZ01-T01" and body["site"] == "GZ01"
        assert body["token"] == "AB12-CD34"
        return httpx.Response(201, json={"terminal_id": "GZ01-T01", "key_id": "ed25519:11",
                                         "x25519_public": key, "ed25519_public": key},
                              headers=HEADER)

    client = client_answering(handler)
    assert len(client.fetch_platform_keys().x25519_public) == 32
    enrolled = client.enroll("AB12-CD34", b"\x01" * 32, site="GZ01")
    assert enrolled.registration.created and enrolled.registration.key_id == "ed25519:11"
    assert len(enrolled.platform.ed25519_public) == 32


def test_requests_are_signed_and_without_a_key_nothing_is_sent():
    from egov_protocol.auth import SignedRequest

    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        signed = SignedRequest.from_headers(request.headers)
        signed.verify(SIGNING_KEY.public_key().public_bytes_raw(), request.method,
                      request.url.raw_path.decode(), request.content)
        seen.append(signed.nonce)
        return httpx.Response(201, json=GOOD_RECEIPT, headers=HEADER)

    client = client_answering(handler)
    client.put_submission(RECORD)
    client.put_submission(RECORD)
    assert len(set(seen)) == 2  # a fresh nonce per request
    unsigned = CentralClient("http://central.test", "GZ01-T01",
                             transport=httpx.MockTransport(handler))
    with pytest.raises(CentralRejected) as caught:
        unsigned.put_submission(RECORD)
    assert caught.value.status == 401 and len(seen) == 2


def test_the_constructor_does_no_io_and_close_is_idempotent():
    client = CentralClient("http://127.0.0.1:9", "T")
    client.close()
    client.close()


# -- property tests: server answers are outside bytes -----------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=16), children, max_size=6),
    max_leaves=25,
)
receipt_like = st.fixed_dictionaries(
    {},
    optional={key: st.one_of(st.just(value), json_values) for key, value in GOOD_RECEIPT.items()},
)
bodies = st.one_of(
    st.binary(max_size=512),
    json_values.map(lambda v: json.dumps(v).encode()),
    receipt_like.map(lambda v: json.dumps(v).encode()),
)
statuses = st.one_of(st.sampled_from([200, 201, 204, 301, 400, 403, 409, 422, 429, 500]),
                     st.integers(min_value=100, max_value=599))


@settings(max_examples=300, deadline=None)
@given(statuses, bodies, st.booleans())
def test_any_server_answer_gives_a_receipt_or_a_sync_error(status, body, with_header):
    headers = HEADER if with_header else {}
    client = client_answering(answer(status, content=body, headers=headers))
    calls = (lambda: client.put_submission(RECORD), client.fetch_platform_keys,
             lambda: client.enroll("AB12-CD34", b"\x00" * 32),
             lambda: client.put_batch([(RECORD, {})]),
             lambda: client.send_heartbeats([{"id": "h"}]),
             lambda: client.fetch_document("catalog", b"\x00" * 32, None),
             lambda: client.upload_blob(b"blob bytes"))
    for call in calls:
        try:
            result = call()
        except SyncError:
            continue
        if result is None:  # fetch_document: 304 means "unchanged, keep your copy"
            assert with_header and status == 304
            continue
        assert with_header and status in (200, 201)
        if isinstance(result, CentralReceipt):
            assert result.submission_id == RECORD.id and result.digest == RECORD.digest
