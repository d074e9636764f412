"""A signed request's headers are checked once (issue 14 §4): ``central.limits`` parses them,
looks the terminal up and verifies the signature before reading the body, and hands terminal
and signature to the application through the ASGI scope, whose dependency then checks only the
body against the signed digest and records the nonce."""

from __future__ import annotations

import json
import warnings

import pytest
from fastapi import Request

from central.app import create_app
from central.dependencies import _verified_terminal
from egov_protocol.auth import sign_request

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # StarletteDeprecationWarning: it would prefer httpx2
    from fastapi.testclient import TestClient

TERMINAL_ID = "GZ05-T01"


@pytest.fixture
def app_client(tmp_path, terminal_keys):
    with TestClient(create_app(tmp_path / "central"), raise_server_exceptions=False) as client:
        store = client.app.state.store
        assert client.post("/v1/enroll", json={
            "token": store.issue_token(None), "terminal_id": TERMINAL_ID,
            "public_key": terminal_keys.public_key_b64}).status_code == 201
        yield client


def heartbeat(client, keys, body: bytes, signed_body: bytes | None = None):
    headers = sign_request(keys.signing_key, TERMINAL_ID, "POST", "/v1/heartbeats",
                           body if signed_body is None else signed_body)
    headers["Content-Type"] = "application/json"
    return client.post("/v1/heartbeats", content=body, headers=headers)


def test_the_terminal_is_looked_up_once_per_signed_request(app_client, terminal_keys,
                                                            monkeypatch):
    store = app_client.app.state.store
    looked_up = []
    original = store.terminal
    monkeypatch.setattr(store, "terminal", lambda tid: looked_up.append(tid) or original(tid))
    body = json.dumps({"items": [{"id": "hb-1", "sent_at": "2026-12-05T08:00:00+00:00"}]})
    answer = heartbeat(app_client, terminal_keys, body.encode())
    assert answer.status_code == 200 and answer.json() == {"acked": ["hb-1"]}
    assert looked_up == [TERMINAL_ID]


def test_the_body_is_still_checked_against_the_signed_digest(app_client, terminal_keys):
    signed_for = json.dumps({"items": []}).encode()
    sent = json.dumps({"items": [{"id": "hb-forged", "sent_at": "2026-12-05T08:00:00+00:00"}]})
    answer = heartbeat(app_client, terminal_keys, sent.encode(), signed_for)
    assert answer.status_code == 401 and "X-Egov-Digest" in answer.json()["detail"]


def test_a_request_the_body_limit_did_not_verify_is_refused():
    import asyncio

    from fastapi import HTTPException

    scope = {"type": "http", "method": "POST", "path": "/v1/heartbeats", "headers": [],
             "query_string": b"", "state": {}}

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    with pytest.raises(HTTPException) as refused:
        asyncio.run(_verified_terminal(Request(scope, receive)))
    assert refused.value.status_code == 401
