"""The case a receipt's QR code opens, asked by a terminal (``POST /v1/case-by-receipt``): the
printed token and the platform's own token open it; a wrong token and an unknown receipt get one
and the same 404; failures are throttled per terminal and receipt number; an unsigned request is
refused before its body is read; nothing personal in the answer or the trail."""

from __future__ import annotations

import hashlib
import secrets

from central.cases_store import MAX_LOOKUP_FAILURES_PER_RECEIPT
from egov_protocol.acks import verified_progress_token
from egov_protocol.cases import CASE_BY_RECEIPT_PATH, parse_receipt_case
from tests.central.test_central_case_tokens import printed, receipt
from tests.central.test_central_cases import IDENTITY, client, signed, submit, worker

__all__ = ["client"]  # the fixture, imported for the tests here


def ask(client, receipt_number: str, token: str):
    return signed(client, client.keys, "POST", CASE_BY_RECEIPT_PATH,
                  {"receipt_number": receipt_number, "token": token})


def test_the_printed_token_opens_its_case_and_says_where_it_stands(client):
    token = secrets.token_urlsafe(16)
    answer = submit(client, client.keys, *printed(1, token))
    assert answer.status_code == 201
    found = ask(client, receipt(1), token)
    assert found.status_code == 200, found.text
    case = parse_receipt_case(found.json())
    assert case.receipt_number == receipt(1) and case.status == "received"
    assert case.service_id == "flexible-employment" and not case.correction_requested
    assert case.received_at.tzinfo is not None and case.next_step
    assert IDENTITY.document_number not in found.text and IDENTITY.name not in found.text
    # The platform's own token (the acknowledgement's, older terminals' receipts) opens it too.
    ack_token = verified_progress_token(answer.json(), client.app.state.keys.ed25519_public)
    assert ack_token and parse_receipt_case(ask(client, receipt(1), ack_token).json()) == case
    # The status follows the case, with the case worker's note for the citizen.
    _, csrf = worker(client)
    assert client.post(f"/v1/cases/{receipt(1)}/actions", headers=csrf, json={
        "action": "request_corrections", "note": "请重新拍摄户口簿首页"}).status_code == 200
    corrected = parse_receipt_case(ask(client, receipt(1), token).json())
    assert corrected.correction_requested and corrected.note == "请重新拍摄户口簿首页"
    # The trail says a terminal looked, never which receipt or with what token.
    entries = [e for e in client.app.state.trail.entries() if e["action"] == "looked up a case by its receipt"]
    assert entries and all(receipt(1) not in e["subject"] and token not in e["subject"] for e in entries)
    assert {e["operator"] for e in entries} == {"terminal:GZ01-T01"}


def test_a_wrong_token_and_an_unknown_receipt_get_the_same_404_and_are_throttled(client):
    token = secrets.token_urlsafe(16)
    submit(client, client.keys, *printed(1, token))
    wrong = ask(client, receipt(1), token[:-1] + ("A" if token[-1] != "A" else "B"))
    unknown = ask(client, receipt(9), token)
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()
    # The token's hash is no key either.
    assert ask(client, receipt(1), hashlib.sha256(token.encode()).hexdigest()).status_code == 404
    for _ in range(MAX_LOOKUP_FAILURES_PER_RECEIPT):
        ask(client, receipt(1), "guess")
    # Past the limit even the right token waits: nothing is compared while throttled.
    throttled = ask(client, receipt(1), token)
    assert throttled.status_code == 429 and "too many" in throttled.json()["detail"]


def test_malformed_bodies_are_refused_plainly(client):
    assert ask(client, "../etc", "x").status_code == 422
    assert ask(client, receipt(1), "").status_code == 422
    assert ask(client, receipt(1), "t" * 129).status_code == 422


def test_an_unsigned_request_is_refused_before_its_body_is_read(client):
    token = secrets.token_urlsafe(16)
    submit(client, client.keys, *printed(1, token))
    unsigned = client.post(CASE_BY_RECEIPT_PATH, json={"receipt_number": receipt(1), "token": token})
    assert unsigned.status_code == 401 and unsigned.headers.get("connection") == "close"
    assert "received" not in unsigned.text
