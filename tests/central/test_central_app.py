"""The reference platform in-process (Starlette's TestClient): validation and headers."""

from __future__ import annotations

import base64
import hashlib
import json
import warnings
from datetime import UTC

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import central.limits as central_limits
from central.app import create_app
from central.cli import main
from egov_protocol.keys import PlatformKeys
from tests.conftest import log_in

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # StarletteDeprecationWarning: it would prefer httpx2
    from fastapi.testclient import TestClient

TERMINAL_ID = "GZ01-T01"


@pytest.fixture
def app_client(tmp_path):
    with TestClient(create_app(tmp_path / "central"), raise_server_exceptions=False) as client:
        yield client


def token_for(app_client, terminal_id=None) -> str:
    return app_client.app.state.store.issue_token(terminal_id)


def signed(app_client, keys, method, path, body=None, terminal_id=TERMINAL_ID, **kwargs):
    """A request signed like the terminal signs it (``egov_protocol.auth``)."""
    from egov_protocol.auth import sign_request

    content = b"" if body is None else json.dumps(body).encode()
    headers = sign_request(keys.signing_key, terminal_id, method, path.split("#")[0], content)
    headers.update(kwargs.pop("headers", {}))
    if body is not None:
        headers["Content-Type"] = "application/json"
    return app_client.request(method, path, content=content, headers=headers, **kwargs)


@pytest.fixture
def platform_x25519(tmp_path):
    return PlatformKeys.load_or_create(tmp_path / "central" / "keys").x25519_public


@pytest.fixture
def registered(app_client, terminal_keys):
    response = app_client.post("/v1/enroll", json={
        "token": token_for(app_client), "terminal_id": TERMINAL_ID,
        "public_key": terminal_keys.public_key_b64})
    assert response.status_code == 201
    put.keys = terminal_keys  # the default signer of put()
    return terminal_keys


def put(app_client, submission, keys=None, **overrides):
    body = {
        "receipt_number": submission.receipt_number,
        "digest": submission.digest,
        "envelope_b64": base64.b64encode(submission.sealed).decode(),
        **overrides,
    }
    path = f"/v1/submissions/{overrides.pop('id', submission.id)}"
    return signed(app_client, keys or put.keys, "PUT", path, body)


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/"), ("GET", "/v1/health"), ("GET", "/no/such/page"), ("POST", "/v1/health"),
     ("PUT", "/v1/submissions/x"), ("GET", "/openapi.json"), ("GET", "/v1/submissions/nope")],
)
def test_every_response_carries_the_platform_header(app_client, method, path):
    response = app_client.request(method, path, json={})
    assert response.headers["X-Egov-Central"] == "1"


def test_internal_errors_carry_the_header_too(app_client, monkeypatch):
    def broken():
        raise RuntimeError("disk on fire")

    log_in(app_client, app_client.app.state.accounts, "fleet-operator")
    monkeypatch.setattr(app_client.app.state.store, "terminals", broken)
    response = app_client.get("/v1/terminals")
    assert response.status_code == 500 and response.headers["X-Egov-Central"] == "1"
    assert "fire" not in response.text


def test_openapi_documents_the_protocol(app_client):
    assert app_client.get("/openapi.json").status_code == 401  # an operator's login first
    log_in(app_client, app_client.app.state.accounts, "auditor")
    paths = app_client.get("/openapi.json").json()["paths"]
    assert {"/v1/platform", "/v1/terminals", "/v1/submissions/{submission_id}"} <= set(paths)


def test_platform_keys_are_created_at_first_start_and_kept(tmp_path, app_client, platform_x25519):
    served = app_client.get("/v1/platform").json()
    assert base64.b64decode(served["x25519_public"]) == platform_x25519
    again = TestClient(create_app(tmp_path / "central")).get("/v1/platform").json()
    assert again == served


def test_an_enrollment_token_works_once_and_only_for_its_terminal(app_client, terminal_keys):
    token = token_for(app_client, TERMINAL_ID)
    body = {"token": token, "terminal_id": "GZ01-T99", "public_key": terminal_keys.public_key_b64}
    assert app_client.post("/v1/enroll", json=body).status_code == 403  # bound to GZ01-T01
    body["terminal_id"] = TERMINAL_ID
    first = app_client.post("/v1/enroll", json=body)
    assert first.status_code == 201
    assert base64.b64decode(first.json()["x25519_public"]) == \
        app_client.app.state.keys.x25519_public
    assert app_client.post("/v1/enroll", json=body).status_code == 403  # used
    assert app_client.post("/v1/enroll", json={**body, "token": "nope-nope"}).status_code == 403


def test_re_enrollment_with_a_bound_token_rotates_the_key(app_client, registered):
    new_key = Ed25519PrivateKey.generate()
    body = {"token": token_for(app_client, TERMINAL_ID), "terminal_id": TERMINAL_ID,
            "public_key": base64.b64encode(new_key.public_key().public_bytes_raw()).decode()}
    assert app_client.post("/v1/enroll", json=body).status_code == 200
    stale = signed(app_client, registered, "GET", "/v1/blobs/" + "0" * 64)
    assert stale.status_code == 401


@pytest.mark.parametrize("public_key", ["not base64!", base64.b64encode(b"short").decode()])
def test_enrollment_refuses_malformed_keys(app_client, public_key):
    response = app_client.post("/v1/enroll", json={
        "token": token_for(app_client), "terminal_id": TERMINAL_ID, "public_key": public_key})
    assert response.status_code == 422


def test_an_unenrolled_terminal_is_refused(app_client, terminal_keys, platform_x25519,
                                           make_sealed):
    response = put(app_client, make_sealed(1, platform_x25519, terminal_keys), terminal_keys)
    assert response.status_code == 401


def test_unsigned_replayed_stale_and_tampered_requests_are_refused(app_client, registered,
                                                                   platform_x25519, make_sealed):
    from datetime import datetime, timedelta

    from egov_protocol.auth import sign_request

    submission = make_sealed(1, platform_x25519, registered)
    body = json.dumps({"receipt_number": submission.receipt_number, "digest": submission.digest,
                       "envelope_b64": base64.b64encode(submission.sealed).decode()}).encode()
    path = "/v1/submissions/sub-0001"
    json_type = {"Content-Type": "application/json"}
    unsigned = app_client.put(path, content=body, headers=json_type)
    assert unsigned.status_code == 401 and "unsigned" in unsigned.json()["detail"]
    for skew in (timedelta(minutes=-6), timedelta(minutes=6)):
        stale = sign_request(registered.signing_key, TERMINAL_ID, "PUT", path, body,
                             now=datetime.now(UTC) + skew)
        response = app_client.put(path, content=body, headers={**stale, **json_type})
        assert response.status_code == 401 and "clock" in response.json()["detail"]
    headers = {**sign_request(registered.signing_key, TERMINAL_ID, "PUT", path, body),
               **json_type}
    tampered = app_client.put(path, content=body.replace(b"GZ01-T01", b"GZ01-T02"), headers=headers)
    assert tampered.status_code == 401
    other_path = app_client.put("/v1/submissions/sub-0002", content=body, headers=headers)
    assert other_path.status_code == 401
    assert app_client.put(path, content=body, headers=headers).status_code == 201
    replay = app_client.put(path, content=body, headers=headers)
    # A reused nonce has its own answer (not 401, which pauses a terminal's queue).
    assert replay.status_code == 425 and "replayed" in replay.json()["detail"]
    assert replay.headers["x-egov-error"] == "replayed-request"


def test_a_revoked_terminal_gets_403(app_client, registered):
    app_client.app.state.store.set_terminal_status(TERMINAL_ID, "revoked")
    assert signed(app_client, registered, "GET", "/v1/blobs/" + "0" * 64).status_code == 403


def test_a_digest_that_does_not_match_is_refused(app_client, registered, platform_x25519,
                                                 make_sealed):
    response = put(app_client, make_sealed(1, platform_x25519, registered), digest="0" * 64)
    assert response.status_code == 422 and "digest" in response.json()["detail"]


def test_a_tampered_envelope_is_refused(app_client, registered, platform_x25519, make_sealed):
    submission = make_sealed(1, platform_x25519, registered)
    tampered = submission.sealed.replace(b'"v":1', b'"v":2')
    response = put(app_client, submission,
                   envelope_b64=base64.b64encode(tampered).decode(),
                   digest=hashlib.sha256(tampered).hexdigest())
    assert response.status_code == 422 and "envelope rejected" in response.json()["detail"]


def test_an_envelope_signed_by_another_terminal_is_refused(app_client, registered,
                                                           platform_x25519, make_sealed, tmp_path):
    from egov_protocol.keys import TerminalKeys

    intruder = TerminalKeys.load_or_create(tmp_path / "intruder")
    response = put(app_client, make_sealed(1, platform_x25519, intruder))
    assert response.status_code == 422


def test_a_payload_naming_another_submission_is_refused(app_client, registered, platform_x25519,
                                                        make_sealed):
    submission = make_sealed(1, platform_x25519, registered)
    response = put(app_client, submission, id="sub-9999")
    assert response.status_code == 422 and "submission_id" in response.json()["detail"]


def test_created_then_same_then_conflict(app_client, registered, platform_x25519, make_sealed):
    first = put(app_client, make_sealed(1, platform_x25519, registered))
    again = put(app_client, make_sealed(1, platform_x25519, registered))  # new seal: new digest
    assert first.status_code == 201 and again.status_code == 409
    original = make_sealed(2, platform_x25519, registered)
    assert put(app_client, original).status_code == 201
    repeat = put(app_client, original)
    assert repeat.status_code == 200
    assert repeat.json()["central_receipt"] == put(app_client, original).json()["central_receipt"]


@pytest.mark.parametrize("bad_id", ["has space", "-leading-dash", "x" * 200])
def test_malformed_ids_are_refused(app_client, bad_id):
    response = app_client.put(f"/v1/submissions/{bad_id}", json={})
    assert response.status_code in (401, 404, 422)  # never a 2xx or 5xx


def test_oversized_bodies_are_refused_before_reading(app_client, registered, monkeypatch):
    monkeypatch.setattr(central_limits, "MAX_REQUEST_BYTES", 100)
    response = signed(app_client, registered, "PUT", "/v1/submissions/x", {"pad": " " * 200})
    assert response.status_code == 413 and response.headers["X-Egov-Central"] == "1"


def test_an_unsigned_body_is_refused_before_reading(app_client):
    response = app_client.put("/v1/submissions/x", content=b"{" + b" " * 200 + b"}",
                              headers={"Content-Type": "application/json"})
    assert response.status_code == 401 and response.headers["X-Egov-Central"] == "1"


def test_lists_show_receipts_but_no_personal_data(app_client, registered, platform_x25519,
                                                  make_sealed):
    put(app_client, make_sealed(1, platform_x25519, registered))
    log_in(app_client, app_client.app.state.accounts, "admin")
    listing = app_client.get("/v1/submissions").json()
    assert listing["total"] == 1 and listing["items"][0]["service_id"] == "residence-permit"
    detail = app_client.get("/v1/submissions/sub-0001").json()
    assert detail["attachments"][0]["name"] == "photo.jpg"
    fleet = app_client.get("/v1/terminals").json()["items"]
    assert fleet[0]["terminal_id"] == TERMINAL_ID and fleet[0]["submissions"] == 1
    page = app_client.get("/").text
    assert "GZ01-T01-20250301-000001" in page
    for text in (json.dumps(listing, ensure_ascii=False), json.dumps(detail, ensure_ascii=False),
                 page):
        assert "王小明" not in text and "13800000000" not in text


def test_main_parses_arguments_and_runs_uvicorn(tmp_path, monkeypatch):
    import uvicorn

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(app=app, **kwargs))
    assert main(["--host", "127.0.0.1", "--port", "8765", "--data-dir", str(tmp_path / "d"),
                 "--workers", "2"]) == 0
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8765 and seen["workers"] == 2
    assert seen["app"] == "central.app:app_from_env" and seen["factory"] is True
    assert (tmp_path / "d" / "central.sqlite3").exists()


@pytest.mark.parametrize("payload", [b"\xff\xfe not utf-8", b"[1, 2]", "{}".encode("utf-16")])
def test_a_payload_that_is_not_a_utf8_json_object_is_refused(app_client, registered,
                                                             platform_x25519, payload):
    from egov_protocol.envelope import seal
    from offline_cache import SealedSubmission

    envelope = seal(payload, {}, platform_x25519, registered.signing_key, registered.key_id)
    submission = SealedSubmission.create(id="sub-0001", receipt_number="GZ01-T01-R-1", service_id="s",
                                         form_id="f", form_version="1", sealed=envelope)
    response = put(app_client, submission)
    assert response.status_code == 422 and "payload" in response.json()["detail"]


def test_arbitrary_envelope_bytes_get_422_never_a_server_error(app_client, registered):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=150, deadline=None)
    @given(st.binary(max_size=600))
    def check(envelope):
        response = signed(app_client, registered, "PUT", "/v1/submissions/sub-0001", {
            "receipt_number": "GZ01-T01-R-1", "digest": hashlib.sha256(envelope).hexdigest(),
            "envelope_b64": base64.b64encode(envelope).decode()})
        assert response.status_code == 422, response.text

    check()


def test_a_binary_batch_is_stored_once_and_its_replay_or_tampering_refused(
        app_client, registered, platform_x25519, make_sealed):
    from egov_protocol.auth import sign_request
    from egov_protocol.batch_wire import CONTENT_TYPE, encode_batch, signed_portion

    def signed(content: bytes) -> dict:
        return {**sign_request(registered.signing_key, TERMINAL_ID, "POST", "/v1/batches",
                               signed_portion(content)), "Content-Type": CONTENT_TYPE}

    items = [make_sealed(n, platform_x25519, registered) for n in (41, 42)]
    body = encode_batch([(s.id, s.receipt_number, s.digest, s.sealed, {}) for s in items])
    head = len(signed_portion(body))
    assert 0 < head < len(body)
    # A changed manifest breaks the signature; a changed part breaks that part's digest.
    tampered_head = bytearray(body)
    tampered_head[head - 3] ^= 1
    assert app_client.post("/v1/batches", content=bytes(tampered_head),
                           headers=signed(body)).status_code == 401
    tampered_part = bytearray(body)
    tampered_part[-5] ^= 1
    answer = app_client.post("/v1/batches", content=bytes(tampered_part), headers=signed(body))
    assert answer.status_code == 200
    assert [r["status"] for r in answer.json()["results"]] == [201, 422]
    assert "digest" in answer.json()["results"][1]["detail"]
    assert sorted(app_client.app.state.store.submission_ids()) == [items[0].id]
    headers = signed(body)
    answer = app_client.post("/v1/batches", content=body, headers=headers)
    assert answer.status_code == 200
    assert [r["status"] for r in answer.json()["results"]] == [200, 201]
    replay = app_client.post("/v1/batches", content=body, headers=headers)
    assert replay.status_code == 425 and "replayed" in replay.json()["detail"]
    assert replay.headers["x-egov-error"] == "replayed-request"
    assert sorted(app_client.app.state.store.submission_ids()) == sorted(s.id for s in items)
    garbage = b"EGOVB\x01\xff\xff\xff\xff"
    response = app_client.post("/v1/batches", content=garbage, headers={
        **sign_request(registered.signing_key, TERMINAL_ID, "POST", "/v1/batches", garbage),
        "Content-Type": CONTENT_TYPE})
    assert response.status_code == 422
