"""A person's cases asked by the terminal (``sync/person_cases.py``): against the real platform
in a subprocess on loopback (cases filed from sealed submissions, moved by a case worker over
the operator API), offline, unenrolled, and a server answering nonsense (hypothesis)."""

from __future__ import annotations

import json

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.idcard.simulated.samples import sample_identity
from egov_protocol.cases import CaseStatus, person_hash
from egov_protocol.envelope import seal
from egov_protocol.errors import (
    CentralProtocolError,
    CentralRejected,
    CentralUnavailable,
    NotCentralServer,
)
from egov_protocol.keys import TerminalKeys
from egov_protocol.protocol import CENTRAL_HEADER, CENTRAL_HEADER_VALUE
from kiosk.applicant import applicant_record
from offline_cache import SealedSubmission
from sync.client import CentralClient
from sync.local_central import free_port
from sync.person_cases import NotEnrolled, PersonCasesClient
from tests.conftest import act_on_case

TERMINAL_ID = "GZ01-T01"
IDENTITY = sample_identity("resident_id")
OTHER_NUMBER = "110105194912310021"


def sealed_application(n: int, x25519: bytes, keys: TerminalKeys, number: str,
                       extra: dict | None = None) -> SealedSubmission:
    """An application sealed as ``kiosk/submission.py`` seals it (the fields intake reads, and
    ``extra`` ones such as a progress token's hash)."""
    receipt = f"{TERMINAL_ID}-20260301-{n:06d}"
    payload = {"schema": "egov-kiosk/submission/1", "submission_id": f"sub-{n:04d}",
               "receipt_number": receipt, "site_code": "GZ01", "terminal_id": TERMINAL_ID,
               "service_id": "flexible_employment_insurance", "form_id": "fe-form", "form_version": 1,
               "language": "zh-CN", "submitted_at": "2026-03-01T08:00:00+08:00",
               "consent": {"given": True, "at": "2026-03-01T08:00:00+08:00"},
               "applicant": {**applicant_record(IDENTITY), "document_number": number},
               "answers": {"phone": "13800000000"}, "attachments": {}, **(extra or {})}
    envelope = seal(json.dumps(payload, ensure_ascii=False).encode(), {}, x25519, keys.signing_key, keys.key_id)
    return SealedSubmission.create(id=f"sub-{n:04d}", receipt_number=receipt,
                                   service_id="flexible_employment_insurance", form_id="fe-form",
                                   form_version="1", sealed=envelope)


@pytest.fixture(scope="module")
def enrolled(central, session_terminal_keys) -> TerminalKeys:
    with CentralClient(central.url, TERMINAL_ID) as client:
        client.enroll(central.issue_token(TERMINAL_ID), session_terminal_keys.public_key, site="GZ01")
    return session_terminal_keys


def test_a_person_sees_their_cases_and_the_corrections_asked_for(central, enrolled):
    x25519 = central.platform_x25519()
    with CentralClient(central.url, TERMINAL_ID, signing_key=enrolled.signing_key) as terminal:
        for n, number in ((1, IDENTITY.document_number), (2, IDENTITY.document_number), (3, OTHER_NUMBER)):
            terminal.put_submission(sealed_application(n, x25519, enrolled, number))
    first = f"{TERMINAL_ID}-20260301-000001"
    act_on_case(central, first, "request_corrections", "请重新拍摄户口簿首页")

    with PersonCasesClient(central.url, TERMINAL_ID, enrolled.signing_key) as client:
        # The number as typed on a card reader's other side: spaces and a lower-case x fold away.
        mine = client.cases_of(" " + IDENTITY.document_number.lower() + " ")
        theirs = client.cases_of(OTHER_NUMBER)
        nobody = client.cases_of("110105190001010000")
    assert sorted(c.receipt_number for c in mine) == [first, f"{TERMINAL_ID}-20260301-000002"]
    corrected = next(c for c in mine if c.receipt_number == first)
    assert corrected.status == "corrections_requested" and corrected.correction_requested
    assert corrected.note == "请重新拍摄户口簿首页"
    assert corrected.service_id == "flexible_employment_insurance"
    assert corrected.received_at.tzinfo is not None and corrected.next_step
    other = next(c for c in mine if c.receipt_number != first)
    assert other.status == "received" and not other.correction_requested
    assert [c.receipt_number for c in theirs] == [f"{TERMINAL_ID}-20260301-000003"]
    assert nobody == []


def test_offline_unenrolled_and_refused_terminals_get_clear_errors(central, enrolled):
    with PersonCasesClient(f"http://127.0.0.1:{free_port()}", TERMINAL_ID, enrolled.signing_key) as offline, \
            pytest.raises(CentralUnavailable) as raised:
        offline.cases_of(IDENTITY.document_number)
    assert not isinstance(raised.value, CentralProtocolError)
    assert IDENTITY.document_number not in str(raised.value)
    with PersonCasesClient(central.url, TERMINAL_ID, None) as unenrolled, pytest.raises(NotEnrolled):
        unenrolled.cases_of(IDENTITY.document_number)
    with PersonCasesClient(central.url, "GZ01-T99", Ed25519PrivateKey.generate()) as unknown, \
            pytest.raises(CentralRejected) as refused:
        unknown.cases_of(IDENTITY.document_number)
    assert refused.value.status == 401


def answering(handler) -> PersonCasesClient:
    """A client whose every request ``handler(request)`` answers (a server of our choosing)."""
    return PersonCasesClient("http://platform.test", TERMINAL_ID, Ed25519PrivateKey.generate(),
                             transport=httpx.MockTransport(handler))


KEY_ANSWER = {"key_id": "person-1", "key_b64": "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="}
PLATFORM = {CENTRAL_HEADER: CENTRAL_HEADER_VALUE}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20)
case_like = st.fixed_dictionaries({
    "receipt_number": st.sampled_from(["GZ01-T01-20260301-000001", "", "a b", 7]),
    "service_id": st.sampled_from(["flexible_employment_insurance", None]),
    "status": st.sampled_from(["received", "corrections_requested", "completed", "lost", None]),
    "received_at": st.sampled_from(["2026-03-01T08:00:00+08:00", "2026-03-01T08:00:00", "yesterday"]),
    "updated_at": st.sampled_from(["2026-03-02T08:00:00+00:00", 3]),
    "next_step": st.text(max_size=20), "note": st.text(max_size=20),
    "correction_requested": st.sampled_from([True, False, "yes"]),
})
nonsense_cases = st.one_of(
    json_values,
    st.fixed_dictionaries({"cases": st.lists(case_like | json_values, max_size=3)}),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer=nonsense_cases)
def test_whatever_json_the_platform_answers_is_cases_or_a_protocol_error(answer):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/key"):
            return httpx.Response(200, json=KEY_ANSWER, headers=PLATFORM)
        return httpx.Response(200, json=answer, headers=PLATFORM)

    with answering(handler) as client:
        try:
            cases = client.cases_of(IDENTITY.document_number)
        except CentralProtocolError:
            return
    assert all(isinstance(c, CaseStatus) and c.received_at.tzinfo is not None for c in cases)


@settings(max_examples=100, deadline=None)
@given(status=st.integers(100, 599), body=st.binary(max_size=64), header=st.booleans(),
       key_answer=st.one_of(st.just(KEY_ANSWER), json_values))
def test_any_status_and_bytes_become_one_of_the_documented_errors(status, body, header, key_answer):
    def handler(request: httpx.Request) -> httpx.Response:
        headers = PLATFORM if header else {}
        if request.url.path.endswith("/key"):
            return httpx.Response(200, json=key_answer, headers=headers)
        return httpx.Response(status, content=body, headers=headers)

    with answering(handler) as client:
        try:
            client.cases_of(IDENTITY.document_number)
        except NotCentralServer:
            assert not header
        except (CentralUnavailable, CentralRejected):
            pass


def test_only_the_hash_leaves_the_terminal_and_the_key_is_fetched_once():
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.url.path.endswith("/key"):
            return httpx.Response(200, json=KEY_ANSWER, headers=PLATFORM)
        return httpx.Response(200, json={"cases": []}, headers=PLATFORM)

    with answering(handler) as client:
        assert client.cases_of(IDENTITY.document_number) == []
        assert client.cases_of(OTHER_NUMBER) == []
    assert [r.url.path for r in sent] == ["/v1/person-cases/key", "/v1/person-cases", "/v1/person-cases"]
    key = b"A" * 32
    assert json.loads(sent[1].content) == {"person_hash": person_hash(key, IDENTITY.document_number)}
    for request in sent:
        assert IDENTITY.document_number.encode() not in request.content + str(request.url).encode()
        assert "X-Egov-Signature".lower() in {name.lower() for name in request.headers}
