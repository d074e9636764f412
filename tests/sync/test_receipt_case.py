"""The case a receipt's QR code opens, asked by the terminal (``PersonCasesClient.case_by_receipt``):
against the real platform in a subprocess on loopback (a case filed from a sealed submission
whose receipt printed a progress token), a wrong token and an unknown receipt (None, alike),
throttling, offline; and whatever a server answers (hypothesis) is a case or a documented error."""

from __future__ import annotations

import hashlib
import json
import secrets

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from central.cases_store import MAX_LOOKUP_FAILURES_PER_RECEIPT
from egov_protocol.cases import PROGRESS_TOKEN_FIELD, CaseStatus
from egov_protocol.errors import (
    CentralProtocolError,
    CentralRejected,
    CentralUnavailable,
    NotCentralServer,
)
from egov_protocol.keys import TerminalKeys
from sync.client import CentralClient
from sync.local_central import free_port
from sync.person_cases import PersonCasesClient, TooManyLookups
from tests.conftest import act_on_case
from tests.sync.test_person_cases import (
    IDENTITY,
    PLATFORM,
    TERMINAL_ID,
    answering,
    case_like,
    json_values,
    sealed_application,
)


@pytest.fixture(scope="module")
def printed(central, session_terminal_keys) -> tuple[TerminalKeys, dict[str, str]]:
    """The terminal enrolled, and three applications whose receipts printed a progress token
    (receipt number → token); a case worker asked for corrections on the first."""
    keys = session_terminal_keys
    with CentralClient(central.url, TERMINAL_ID) as client:
        client.enroll(central.issue_token(TERMINAL_ID), keys.public_key, site="GZ01")
    tokens: dict[str, str] = {}
    x25519 = central.platform_x25519()
    with CentralClient(central.url, TERMINAL_ID, signing_key=keys.signing_key) as terminal:
        for n in (1, 2, 3):
            token = secrets.token_urlsafe(16)
            sealed = sealed_application(n, x25519, keys, IDENTITY.document_number,
                                        extra={PROGRESS_TOKEN_FIELD: hashlib.sha256(token.encode()).hexdigest()})
            terminal.put_submission(sealed)
            tokens[sealed.receipt_number] = token
    first = next(iter(tokens))
    act_on_case(central, first, "request_corrections", "请重新拍摄户口簿首页")
    return keys, tokens


def test_the_receipts_token_opens_its_case_and_nothing_else_does(central, printed):
    keys, tokens = printed
    (first, token), (second, other_token), (third, third_token) = tokens.items()
    with PersonCasesClient(central.url, TERMINAL_ID, keys.signing_key) as client:
        case = client.case_by_receipt(first, token)
        assert case is not None and case.receipt_number == first
        assert case.status == "corrections_requested" and case.correction_requested
        assert case.note == "请重新拍摄户口簿首页" and case.service_id == "flexible_employment_insurance"
        assert case.received_at.tzinfo is not None
        opened = client.case_by_receipt(second, other_token)
        assert opened is not None and opened.status == "received" and not opened.correction_requested
        # Another receipt's token, and a receipt the platform does not know: None, alike.
        assert client.case_by_receipt(second, token) is None
        assert client.case_by_receipt(f"{TERMINAL_ID}-20260301-000099", token) is None
        # Past the platform's limit for a receipt number, even its own token waits.
        for _ in range(MAX_LOOKUP_FAILURES_PER_RECEIPT):
            assert client.case_by_receipt(third, "guess") is None
        with pytest.raises(TooManyLookups):
            client.case_by_receipt(third, third_token)


def test_offline_and_unknown_terminals_get_clear_errors(central, printed):
    keys, tokens = printed
    receipt, token = next(iter(tokens.items()))
    with PersonCasesClient(f"http://127.0.0.1:{free_port()}", TERMINAL_ID, keys.signing_key) as offline, \
            pytest.raises(CentralUnavailable) as raised:
        offline.case_by_receipt(receipt, token)
    assert token not in str(raised.value)
    with PersonCasesClient(central.url, "GZ01-T99", keys.signing_key) as unknown, \
            pytest.raises(CentralRejected) as refused:
        unknown.case_by_receipt(receipt, token)
    assert refused.value.status == 401


def test_only_the_receipt_number_and_token_are_sent_signed():
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(404, json={"detail": "no case"}, headers=PLATFORM)

    with answering(handler) as client:
        assert client.case_by_receipt("GZ01-T01-20260301-000001", "tok") is None
    assert [r.url.path for r in sent] == ["/v1/case-by-receipt"]  # no person key needed
    assert json.loads(sent[0].content) == {"receipt_number": "GZ01-T01-20260301-000001", "token": "tok"}
    assert "x-egov-signature" in {name.lower() for name in sent[0].headers}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer=st.one_of(json_values, st.fixed_dictionaries({"case": case_like | json_values})))
def test_whatever_json_the_platform_answers_is_a_case_or_a_protocol_error(answer):
    with answering(lambda request: httpx.Response(200, json=answer, headers=PLATFORM)) as client:
        try:
            case = client.case_by_receipt("GZ01-T01-20260301-000001", "tok")
        except CentralProtocolError:
            return
    assert isinstance(case, CaseStatus) and case.received_at.tzinfo is not None


@settings(max_examples=100, deadline=None)
@given(status=st.integers(100, 599), body=st.binary(max_size=64), header=st.booleans())
def test_any_status_and_bytes_become_a_case_none_or_a_documented_error(status, body, header):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers=PLATFORM if header else {})

    with answering(handler) as client:
        try:
            found = client.case_by_receipt("GZ01-T01-20260301-000001", "tok")
        except NotCentralServer:
            assert not header
            return
        except TooManyLookups:
            assert status == 429
            return
        except (CentralUnavailable, CentralRejected):
            return
    assert found is None and status == 404
