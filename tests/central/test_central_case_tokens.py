"""Progress tokens made by the terminal: a submission whose payload carries the SHA-256 of the
token printed on its receipt opens its progress page with that token (and not without it); the
platform's own token (the acknowledgement's) still works; a payload without a well-formed hash,
or with one another case holds, gets the platform's token; a 补正 re-submission joins its case,
which keeps the token of the receipt that opened it, and the re-submission's own receipt opens it
with the token printed on that receipt; revision 0006 gives the submissions of a database of
revision 0005 their tokens in place, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import re
import secrets

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from central.cases_intake import CaseKeys, intake_of, token_hash
from egov_protocol.acks import verified_progress_token
from egov_protocol.cases import PROGRESS_TOKEN_FIELD
from tests.central.test_central_cases import (
    IDENTITY,
    TERMINAL_ID,
    application,
    client,
    submit,
    worker,
)

__all__ = ["client"]  # the fixture, imported for the tests here


def printed(n: int, token: str, **extra) -> tuple[dict, dict[str, bytes]]:
    """Application ``n`` as a terminal that printed ``token`` on its receipt seals it."""
    payload, photos = application(n, **extra)
    payload[PROGRESS_TOKEN_FIELD] = hashlib.sha256(token.encode()).hexdigest()
    return payload, photos


def receipt(n: int) -> str:
    return f"{TERMINAL_ID}-20260301-{n:06d}"


def page(client, n: int, token: str | None):
    return client.get(f"/progress/{receipt(n)}", params={} if token is None else {"t": token})


def test_the_terminals_token_opens_the_progress_page_and_nothing_else_does(client):
    token = secrets.token_urlsafe(16)
    answer = submit(client, client.keys, *printed(1, token))
    assert answer.status_code == 201
    shown = page(client, 1, token)
    assert shown.status_code == 200 and "已接收" in shown.text
    assert IDENTITY.document_number not in shown.text and IDENTITY.name not in shown.text
    assert page(client, 1, None).status_code == 404
    assert page(client, 1, token[:-1] + ("A" if token[-1] != "A" else "B")).status_code == 404
    assert page(client, 1, hashlib.sha256(token.encode()).hexdigest()).status_code == 404  # the hash is no key
    # Older terminals and the lookup by ID number use the platform's token: it still works.
    ack_token = verified_progress_token(answer.json(), client.app.state.keys.ed25519_public)
    assert ack_token and ack_token != token and page(client, 1, ack_token).status_code == 200
    found = client.post("/progress", data={"receipt_number": receipt(1),
                                           "id_number": IDENTITY.document_number},
                        follow_redirects=False)
    assert found.status_code == 303 and "已接收" in client.get(found.headers["location"]).text
    # The status the page shows follows the case.
    _, csrf = worker(client)
    assert client.post(f"/v1/cases/{receipt(1)}/actions", headers=csrf,
                       json={"action": "accept", "note": ""}).status_code == 200
    assert "已受理" in page(client, 1, token).text


@pytest.mark.parametrize("bad", ["abc", "A" * 64, "g" * 64, 42, None, ["0" * 64]])
def test_a_malformed_hash_gets_the_platforms_token(client, bad):
    payload, photos = application(1)
    payload[PROGRESS_TOKEN_FIELD] = bad
    answer = submit(client, client.keys, payload, photos)
    assert answer.status_code == 201
    ack_token = verified_progress_token(answer.json(), client.app.state.keys.ed25519_public)
    assert page(client, 1, ack_token).status_code == 200


def test_a_hash_another_case_holds_does_not_stop_the_submission(client):
    token = secrets.token_urlsafe(16)
    assert submit(client, client.keys, *printed(1, token)).status_code == 201
    second = submit(client, client.keys, *printed(2, token))  # a terminal's bug, or worse
    assert second.status_code == 201
    assert page(client, 1, token).status_code == 200
    assert page(client, 2, token).status_code == 404  # it opens only the case that had it first
    ack_token = verified_progress_token(second.json(), client.app.state.keys.ed25519_public)
    assert page(client, 2, ack_token).status_code == 200


def test_a_corrected_resubmission_joins_its_case_which_keeps_its_token(client):
    first_token, second_token = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    submit(client, client.keys, *printed(1, first_token))
    _, csrf = worker(client)
    assert client.post(f"/v1/cases/{receipt(1)}/actions", headers=csrf, json={
        "action": "request_corrections", "note": "请重新拍摄户口簿首页"}).status_code == 200
    assert submit(client, client.keys, *printed(2, second_token, corrects=receipt(1))
                  ).status_code == 201
    assert client.get(f"/v1/cases/{receipt(2)}").json()["receipt_number"] == receipt(1)
    # The first receipt's code follows the case under either receipt number...
    assert page(client, 1, first_token).status_code == 200
    assert page(client, 2, first_token).status_code == 200
    # ...and the re-submission's own receipt, with the token printed on it, opens the same case,
    # which the first receipt's token does not open under the re-submission's number only.
    again = page(client, 2, second_token)
    assert again.status_code == 200 and "已补正" in again.text
    assert IDENTITY.name not in again.text and IDENTITY.document_number not in again.text
    assert page(client, 1, second_token).status_code == 404  # a token opens its own receipt
    found = client.post("/progress", data={"receipt_number": receipt(2),
                                           "id_number": IDENTITY.document_number},
                        follow_redirects=False)
    assert found.status_code == 303 and client.get(found.headers["location"]).status_code == 200


def test_revision_0006_gives_the_submissions_of_existing_cases_their_tokens(client):
    first_token, second_token = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    submit(client, client.keys, *printed(1, first_token))
    _, csrf = worker(client)
    client.post(f"/v1/cases/{receipt(1)}/actions", headers=csrf, json={
        "action": "request_corrections", "note": "请补充户口簿"})
    submit(client, client.keys, *printed(2, second_token, corrects=receipt(1)))
    db = client.app.state.store.db
    with db.transaction() as conn:  # the database as revision 0005 left it
        conn.execute(text("ALTER TABLE case_submissions DROP COLUMN token_hash"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0005'"))
    db.close()
    db.create_schema()
    with db.transaction(write=False) as conn:
        assert dict(conn.execute(text("SELECT submission_id, token_hash FROM case_submissions"))
                    .all()) == {"sub-0001": hashlib.sha256(first_token.encode()).hexdigest(),
                                "sub-0002": hashlib.sha256(second_token.encode()).hexdigest()}
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0006"
    assert page(client, 1, first_token).status_code == 200  # the old receipt keeps working
    assert page(client, 2, second_token).status_code == 200
    db.create_schema()  # again: nothing to do


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                           | st.text(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
                           max_leaves=5)


@given(value=json_values | st.text(alphabet="0123456789abcdefABCDEF", min_size=63, max_size=65))
@settings(max_examples=200)
def test_whatever_a_payload_holds_as_the_hash_the_case_gets_a_well_formed_one(value):
    keys = CaseKeys(progress=b"k" * 32, person=b"p" * 32)
    payload = json.dumps({**application(1)[0], PROGRESS_TOKEN_FIELD: value})
    intake = intake_of(keys, "sub-0001", receipt(1), TERMINAL_ID, "GZ01", "flexible-employment",
                       "2026-03-01T00:00:00+00:00", payload)
    assert intake is not None and re.fullmatch(r"[0-9a-f]{64}", intake.token_hash)
    own = token_hash(keys.token("sub-0001"))
    assert intake.token_hash == (value if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value)
                                 else own)
    assert intake.fallback_token_hash == own
