"""The platform's documents and hand-off over HTTP: the public verification page, the
terminal's signed certificate requests, the business systems' signed status callback and the
operators' dead letters."""

from __future__ import annotations

import json
import time
import warnings
from dataclasses import replace

import pytest

from central.app import create_app
from central.handoff import DEAD
from central.integrations import add_integration
from central.seal import make_demo_seal, seal_dir
from egov_protocol.auth import sign_request
from egov_protocol.webhooks import signed_headers
from tests.central.test_certificates import FACTS, ID_NUMBER
from tests.conftest import log_in

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TERMINAL_ID = "S01-T01"


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("platform") / "central"
    make_demo_seal(seal_dir(data_dir))
    add_integration(data_dir, "social-insurance", "https://sb.example/in")
    app = create_app(data_dir, public_url="https://zwfw.example", handoff_worker=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        client.receipt = app.state.certificates.issue_acceptance_receipt(FACTS)
        client.certificate = app.state.certificates.issue_certificate(FACTS)
        yield client


@pytest.fixture(scope="module")
def terminal_keys_enrolled(platform, session_terminal_keys):
    token = platform.app.state.store.issue_token(TERMINAL_ID)
    answer = platform.post("/v1/enroll", json={
        "token": token, "terminal_id": TERMINAL_ID,
        "public_key": session_terminal_keys.public_key_b64})
    assert answer.status_code == 201, answer.text
    return session_terminal_keys


def signed_post(client, keys, path, body):
    content = json.dumps(body).encode()
    headers = sign_request(keys.signing_key, TERMINAL_ID, "POST", path, content)
    headers["Content-Type"] = "application/json"
    return client.post(path, content=content, headers=headers)


def parts(url):
    path, token = url.split("https://zwfw.example", 1)[1].split("?t=")
    return path, token


def test_the_qr_code_opens_a_page_that_says_genuine_without_personal_data(platform):
    path, token = parts(platform.certificate.verify_url)
    page = platform.get(path, params={"t": token})
    assert page.status_code == 200
    assert "真实有效 Genuine and current" in page.text and "灵活就业人员参保证明" in page.text
    assert ID_NUMBER not in page.text and "张伟" not in page.text
    assert "110***********1234" in page.text and "张*" in page.text
    assert page.headers["cache-control"] == "no-store"
    data = platform.get(f"/v1{path}", params={"t": token}).json()
    assert data["genuine_and_current"] and data["pdf_sha256"] == platform.certificate.pdf_sha256


def test_wrong_tokens_and_ids_find_nothing(platform):
    path, token = parts(platform.certificate.verify_url)
    wrong = token[:-2] + ("xx" if token[-2:] != "xx" else "yy")  # never the token itself
    assert platform.get(path, params={"t": wrong}).status_code == 404
    assert "未找到" in platform.get(path, params={"t": wrong}).text
    assert platform.get("/verify/AAAAAAAAAAAAAAAA", params={"t": token}).status_code == 404
    assert platform.get(path).status_code == 422
    assert platform.get("/verify/../etc", params={"t": token}).status_code == 404


def test_a_superseded_and_a_revoked_document_say_so(platform):
    office = platform.app.state.certificates
    older = office.issue_acceptance_receipt(replace(FACTS, receipt_number="S01-T01-20261205-0008"))
    newer = office.issue_acceptance_receipt(replace(FACTS, receipt_number="S01-T01-20261205-0008"))
    path, token = parts(older.verify_url)
    assert "已被新文件替代 Superseded" in platform.get(path, params={"t": token}).text
    office.revoke(newer.document_id, "issued in error")
    path, token = parts(newer.verify_url)
    page = platform.get(path, params={"t": token}).text
    assert "已撤销 Revoked" in page and "issued in error" in page


def test_a_terminal_lists_and_fetches_a_persons_documents(platform, terminal_keys_enrolled):
    keys = terminal_keys_enrolled
    person = platform.app.state.certificates.keys.person_hash(ID_NUMBER)
    listed = signed_post(platform, keys, "/v1/certificates/search", {"person_hash": person})
    assert listed.status_code == 200, listed.text
    ids = {item["document_id"]: item for item in listed.json()["items"]}
    assert platform.certificate.document_id in ids and platform.receipt.document_id in ids
    assert ids[platform.certificate.document_id]["title"] == "灵活就业人员参保证明"
    assert ID_NUMBER not in listed.text

    path = f"/v1/certificates/{platform.certificate.document_id}/pdf"
    pdf = signed_post(platform, keys, path, {"person_hash": person})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content == platform.certificate.pdf
    someone_else = platform.app.state.certificates.keys.person_hash("110101199003071235")
    assert signed_post(platform, keys, path, {"person_hash": someone_else}).status_code == 404
    assert signed_post(platform, keys, path, {"id_number": ID_NUMBER}).status_code == 422
    trail = platform.app.state.trail.entries()
    assert any(e["action"] == "fetched a document's PDF"
               and e["subject"] == platform.certificate.document_id for e in trail)
    assert not any(ID_NUMBER in json.dumps(e, ensure_ascii=False) for e in trail)


def test_certificate_requests_need_a_terminals_signature(platform):
    body = {"person_hash": platform.app.state.certificates.keys.person_hash(ID_NUMBER)}
    assert platform.post("/v1/certificates/search", json=body).status_code == 401
    path = f"/v1/certificates/{platform.certificate.document_id}/pdf"
    assert platform.post(path, json=body).status_code == 401


def status_body(update_id="u-1", status="processing"):
    return json.dumps({"update_id": update_id, "receipt_number": FACTS.receipt_number,
                       "status": status, "note": "已转业务系统办理",
                       "occurred_at": "2026-12-06T10:00:00+08:00"}).encode()


def send_status(client, body, secret, timestamp=None, integration="social-insurance"):
    headers = signed_headers(secret, int(timestamp or time.time()), body)
    return client.post(f"/v1/integrations/{integration}/status", content=body,
                       headers={**headers, "Content-Type": "application/json"})


def test_status_callbacks_are_verified_and_idempotent(platform):
    outbox = platform.app.state.handoff
    secret = outbox.integrations.get("social-insurance").secret
    heard = []
    outbox.status_listeners.append(
        lambda tx, integration, update: heard.append(update.update_id))
    first = send_status(platform, status_body(), secret)
    assert first.status_code == 200 and first.json() == {"accepted": True, "duplicate": False}
    again = send_status(platform, status_body(), secret)
    assert again.json() == {"accepted": True, "duplicate": True}
    assert heard == ["u-1"]
    assert [u["status"] for u in outbox.status_updates(FACTS.receipt_number)] == ["processing"]

    assert send_status(platform, status_body("u-2"), b"x" * 32).status_code == 401
    assert send_status(platform, status_body("u-2"), secret,
                       timestamp=time.time() - 3600).status_code == 401
    assert send_status(platform, status_body("u-2"), secret,
                       integration="nobody").status_code == 401
    assert send_status(platform, b'{"update_id": 1}', secret).status_code == 422
    assert outbox.status_updates(FACTS.receipt_number)[-1]["update_id"] == "u-1"
    outbox.status_listeners.clear()


def test_a_status_update_whose_listener_fails_is_taken_again_when_resent(platform):
    outbox = platform.app.state.handoff
    secret = outbox.integrations.get("social-insurance").secret
    failing = [False, True]  # popped from the end: fails once

    def listener(tx, integration, update):
        if failing.pop():
            raise RuntimeError("the case store is away")

    outbox.status_listeners.append(listener)
    try:
        assert send_status(platform, status_body("u-9", "completed"), secret).status_code == 500
        assert "u-9" not in [u["update_id"] for u in outbox.status_updates(FACTS.receipt_number)]
        again = send_status(platform, status_body("u-9", "completed"), secret)
        assert again.json() == {"accepted": True, "duplicate": False}
    finally:
        outbox.status_listeners.clear()


def test_operators_see_and_replay_dead_letters(platform):
    outbox = platform.app.state.handoff
    [event_id] = outbox.enqueue_case_accepted({"receipt_number": "S01-T01-20261205-0009",
                                               "service_id": "residence_permit"})
    outbox.max_attempts = 1
    [claimed] = outbox.claim_due()
    assert claimed.event_id == event_id and outbox.failed(event_id, "HTTP 500") == DEAD

    assert platform.get("/v1/handoff/events").status_code == 401
    log_in(platform, platform.app.state.accounts, "fleet-operator")
    listed = platform.get("/v1/handoff/events").json()
    assert [e["event_id"] for e in listed["items"]] == [event_id]
    page = platform.get("/handoff", headers={"Accept": "text/html"})
    assert event_id in page.text and "Replay" in page.text
    csrf = platform.get("/v1/session").json()["csrf"]
    assert platform.post(f"/v1/handoff/events/{event_id}/replay").status_code == 403
    replayed = platform.post(f"/v1/handoff/events/{event_id}/replay",
                             headers={"X-CSRF-Token": csrf})
    assert replayed.status_code == 200
    assert platform.get("/v1/handoff/events").json()["items"] == []
    assert any(e["action"] == "replayed hand-off event" and e["subject"] == event_id
               for e in platform.app.state.trail.entries())
    platform.post("/logout", data={"csrf": csrf})


def test_a_case_worker_may_not_see_the_hand_off(platform):
    log_in(platform, platform.app.state.accounts, "case-worker")
    assert platform.get("/v1/handoff/events").status_code == 403
    csrf = platform.get("/v1/session").json()["csrf"]
    platform.post("/logout", data={"csrf": csrf})
