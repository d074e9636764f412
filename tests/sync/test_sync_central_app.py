"""The reference platform in-process (Starlette's TestClient): validation and headers."""

from __future__ import annotations

import base64
import hashlib
import json
import warnings

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import sync.central as central_module
from sync.central import create_app, main
from sync.keys import PlatformKeys

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # StarletteDeprecationWarning: it would prefer httpx2
    from fastapi.testclient import TestClient

TERMINAL_ID = "GZ01-T01"


@pytest.fixture
def app_client(tmp_path):
    with TestClient(create_app(tmp_path / "central"), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def platform_x25519(tmp_path):
    return PlatformKeys.load_or_create(tmp_path / "central" / "keys").x25519_public


@pytest.fixture
def registered(app_client, terminal_keys):
    response = app_client.post("/v1/terminals", json={
        "terminal_id": TERMINAL_ID, "public_key": terminal_keys.public_key_b64})
    assert response.status_code == 201
    return terminal_keys


def put(app_client, submission, **overrides):
    body = {
        "receipt_number": submission.receipt_number,
        "terminal_id": TERMINAL_ID,
        "digest": submission.digest,
        "envelope_b64": base64.b64encode(submission.sealed).decode(),
        **overrides,
    }
    return app_client.put(f"/v1/submissions/{overrides.pop('id', submission.id)}", json=body)


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

    monkeypatch.setattr(app_client.app.state.store, "terminals", broken)
    response = app_client.get("/v1/terminals")
    assert response.status_code == 500 and response.headers["X-Egov-Central"] == "1"
    assert "fire" not in response.text


def test_openapi_documents_the_protocol(app_client):
    paths = app_client.get("/openapi.json").json()["paths"]
    assert {"/v1/platform", "/v1/terminals", "/v1/submissions/{submission_id}"} <= set(paths)


def test_platform_keys_are_created_at_first_start_and_kept(tmp_path, app_client, platform_x25519):
    served = app_client.get("/v1/platform").json()
    assert base64.b64decode(served["x25519_public"]) == platform_x25519
    again = TestClient(create_app(tmp_path / "central")).get("/v1/platform").json()
    assert again == served


def test_registration_is_idempotent_and_refuses_a_changed_key(app_client, registered):
    same = app_client.post("/v1/terminals", json={
        "terminal_id": TERMINAL_ID, "public_key": registered.public_key_b64})
    assert same.status_code == 200
    other_key = base64.b64encode(
        Ed25519PrivateKey.generate().public_key().public_bytes_raw()).decode()
    changed = app_client.post("/v1/terminals", json={
        "terminal_id": TERMINAL_ID, "public_key": other_key})
    assert changed.status_code == 409


@pytest.mark.parametrize("public_key", ["not base64!", base64.b64encode(b"short").decode()])
def test_registration_refuses_malformed_keys(app_client, public_key):
    response = app_client.post("/v1/terminals", json={
        "terminal_id": TERMINAL_ID, "public_key": public_key})
    assert response.status_code == 422


def test_an_unregistered_terminal_is_forbidden(app_client, terminal_keys, platform_x25519,
                                               make_sealed):
    response = put(app_client, make_sealed(1, platform_x25519, terminal_keys))
    assert response.status_code == 403


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
    from sync.keys import TerminalKeys

    intruder = TerminalKeys.load_or_create(tmp_path / "intruder")
    response = put(app_client, make_sealed(1, platform_x25519, intruder))
    assert response.status_code == 422


def test_a_payload_naming_another_submission_is_refused(app_client, registered, platform_x25519,
                                                        make_sealed):
    submission = make_sealed(1, platform_x25519, registered)
    response = app_client.put("/v1/submissions/sub-9999", json={
        "receipt_number": submission.receipt_number, "terminal_id": TERMINAL_ID,
        "digest": submission.digest,
        "envelope_b64": base64.b64encode(submission.sealed).decode()})
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
    assert response.status_code in (404, 422)


def test_oversized_bodies_are_refused_before_reading(app_client, monkeypatch):
    monkeypatch.setattr(central_module, "MAX_REQUEST_BYTES", 100)
    response = app_client.put("/v1/submissions/x", content=b"{" + b" " * 200 + b"}",
                              headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.headers["X-Egov-Central"] == "1"


def test_lists_show_receipts_but_no_personal_data(app_client, registered, platform_x25519,
                                                  make_sealed):
    put(app_client, make_sealed(1, platform_x25519, registered))
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
    main(["--host", "127.0.0.1", "--port", "8765", "--data-dir", str(tmp_path / "d")])
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8765
    assert (tmp_path / "d" / "central.sqlite3").exists()


@pytest.mark.parametrize("payload", [b"\xff\xfe not utf-8", b"[1, 2]", "{}".encode("utf-16")])
def test_a_payload_that_is_not_a_utf8_json_object_is_refused(app_client, registered,
                                                             platform_x25519, payload):
    from offline_cache import SealedSubmission
    from sync.envelope import seal

    envelope = seal(payload, {}, platform_x25519, registered.signing_key, registered.key_id)
    submission = SealedSubmission.create(id="sub-0001", receipt_number="R-1", service_id="s",
                                         form_id="f", form_version="1", sealed=envelope)
    response = put(app_client, submission)
    assert response.status_code == 422 and "payload" in response.json()["detail"]


def test_arbitrary_envelope_bytes_get_422_never_a_server_error(app_client, registered):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=150, deadline=None)
    @given(st.binary(max_size=600))
    def check(envelope):
        response = app_client.put("/v1/submissions/sub-0001", json={
            "receipt_number": "R-1", "terminal_id": TERMINAL_ID,
            "digest": hashlib.sha256(envelope).hexdigest(),
            "envelope_b64": base64.b64encode(envelope).decode()})
        assert response.status_code == 422, response.text

    check()
