"""网证 verification: the simulator service in a subprocess on loopback, asked by the terminal's
HTTP verifier — valid, expired, replayed, tampered, malformed and unreachable codes."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from netid_sim.codes import CodeBook, Holder, Refusal, Refused
from sync.local_central import free_port
from sync.netid import HttpNetIdVerifier, NetIdRefused, RefusalReason, VerifiedIdentity

ROOT = Path(__file__).resolve().parents[2]


def _issue(url: str, **body: object) -> str:
    response = httpx.post(f"{url}/v1/codes", json=body, timeout=5.0)
    response.raise_for_status()
    return str(response.json()["code"])


def _refusal(verifier: HttpNetIdVerifier, code: str) -> RefusalReason:
    with pytest.raises(NetIdRefused) as info:
        verifier.verify(code)
    return info.value.reason


def test_a_valid_code_identifies_its_holder_once(netid_service):
    verifier = HttpNetIdVerifier(netid_service)
    code = _issue(netid_service, level=2)
    identity = verifier.verify(code)
    assert identity == VerifiedIdentity("张三", "110105199003071239", "netid+face", 2)
    assert "张三" not in repr(identity) and "张三" not in code  # the QR code carries no personal data
    assert _refusal(verifier, code) is RefusalReason.ALREADY_USED


def test_an_expired_code_is_refused(netid_service):
    code = _issue(netid_service, ttl_s=0.01)
    time.sleep(0.05)
    assert _refusal(HttpNetIdVerifier(netid_service), code) is RefusalReason.EXPIRED


def test_a_tampered_code_is_refused(netid_service):
    verifier = HttpNetIdVerifier(netid_service)
    prefix, payload, signature = _issue(netid_service).split(".")
    flipped = payload[:5] + ("A" if payload[5] != "A" else "B") + payload[6:]
    assert _refusal(verifier, f"{prefix}.{flipped}.{signature}") is RefusalReason.BAD_SIGNATURE
    forged = signature[:-3] + ("AAA" if signature[-3:] != "AAA" else "BBB")
    assert _refusal(verifier, f"{prefix}.{payload}.{forged}") is RefusalReason.BAD_SIGNATURE
    assert _refusal(verifier, "https://example.org/not-a-netid") is RefusalReason.MALFORMED


def test_an_unreachable_service_is_a_typed_refusal():
    verifier = HttpNetIdVerifier(f"http://127.0.0.1:{free_port()}", timeout_s=2.0)
    assert _refusal(verifier, "NETID1.e30.AA") is RefusalReason.UNREACHABLE


def test_codebook_expiry_follows_its_clock():
    now = [1000.0]
    book = CodeBook(clock=lambda: now[0])
    code, expires = book.issue(Holder("李四", "110105194912310021", 1), ttl_s=60)
    assert expires == 1060.0
    now[0] = 1060.0
    with pytest.raises(Refused) as info:
        book.verify(code)
    assert info.value.reason is Refusal.EXPIRED


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=12), inner, max_size=5),
                     max_leaves=12)
_answers = st.one_of(
    st.binary(max_size=200),
    _json.map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries({"name": _json, "id_number": _json, "proved_by": _json, "level": _json},
                          optional={"refusal": _json}).map(lambda value: json.dumps(value).encode()),
)


@given(st.sampled_from([200, 422, 500, 404]), _answers)
def test_any_answer_from_the_service_is_an_identity_or_a_typed_refusal(status, body):
    """The verifier parses the service's bytes: whatever they are, nothing else escapes."""
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=body))
    verifier = HttpNetIdVerifier("http://netid.invalid", transport=transport)
    try:
        identity = verifier.verify("NETID1.e30.AA")
    except NetIdRefused as refused:
        assert isinstance(refused.reason, RefusalReason)
    else:
        assert status == 200 and isinstance(identity.level, int)


@given(st.text(max_size=200))
def test_codebook_refuses_any_text_it_did_not_issue(text):
    book = CodeBook()
    with pytest.raises(Refused):
        book.verify(text)


@pytest.mark.parametrize(("kind", "reason"), [("expired", RefusalReason.EXPIRED),
                                              ("forged", RefusalReason.BAD_SIGNATURE)])
def test_demo_codes_of_each_kind_are_refused_as_such(netid_service, kind, reason):
    verifier = HttpNetIdVerifier(netid_service)
    assert _refusal(verifier, verifier.issue_demo_code(kind)) is reason


def test_a_demo_code_identifies_at_its_level(netid_service):
    verifier = HttpNetIdVerifier(netid_service)
    assert verifier.verify(verifier.issue_demo_code("valid", 1)).proved_by == "netid"
    assert verifier.verify(verifier.issue_demo_code("valid", 2)).proved_by == "netid+face"


def test_demo_codes_from_an_unreachable_service_are_a_typed_refusal():
    verifier = HttpNetIdVerifier(f"http://127.0.0.1:{free_port()}", timeout_s=2.0)
    with pytest.raises(NetIdRefused) as info:
        verifier.issue_demo_code()
    assert info.value.reason is RefusalReason.UNREACHABLE


@given(st.sampled_from([200, 422, 500]), _answers)
def test_any_answer_to_a_demo_code_request_is_a_code_or_a_typed_refusal(status, body):
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=body))
    verifier = HttpNetIdVerifier("http://netid.invalid", transport=transport)
    try:
        code = verifier.issue_demo_code()
    except NetIdRefused as refused:
        assert refused.reason is RefusalReason.UNREACHABLE
    else:
        assert status == 200 and isinstance(code, str) and code
