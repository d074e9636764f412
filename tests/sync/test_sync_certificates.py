"""The terminal's certificate client: against a real ``kiosk-central`` subprocess on loopback
(signed requests, a certificate issued by the platform's demo seal, the PDF whose signature
``pdfsig`` still validates), and its parsers of outside bytes under hypothesis."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from central.at_rest import AtRestKeys
from central.certificates import CertificateOffice
from central.seal import CHAIN_FILE, seal_dir
from central.store import open_platform_store
from egov_protocol.errors import CentralProtocolError, CentralRejected, CentralUnavailable
from egov_protocol.keys import TerminalKeys
from egov_protocol.protocol import CENTRAL_HEADER, CENTRAL_HEADER_VALUE
from sync.certificates import (
    MAX_PDF_BYTES,
    CertificateClient,
    check_pdf,
    parse_certificates,
)
from sync.client import CentralClient
from sync.local_central import free_port
from tests.central.test_certificates import FACTS, ID_NUMBER
from tests.conftest import running_central

TERMINAL_ID = "S01-T07"


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    """A running platform with a demo seal, an enrolled terminal and one certificate issued."""
    folder = tmp_path_factory.mktemp("certs-platform")
    with running_central(folder / "central") as server:
        server.ensure_demo_seal()
        keys = TerminalKeys.load_or_create(folder / "terminal-keys")
        with CentralClient(server.url, TERMINAL_ID) as client:
            client.enroll(server.issue_token(TERMINAL_ID), keys.public_key)
        store = open_platform_store(server.data_dir)
        office = CertificateOffice(store.db, seal_dir(server.data_dir),
                                   AtRestKeys.load_or_create(server.data_dir / "keys"), server.url)
        server.certificate = office.issue_certificate(
            replace(FACTS, completed_at=datetime(2026, 12, 3, 15, 0, tzinfo=UTC)))
        server.terminal_keys = keys
        yield server
        store.close()


@pytest.fixture
def client(platform):
    with CertificateClient(platform.url, TERMINAL_ID,
                           signing_key=platform.terminal_keys.signing_key) as client:
        yield client


def test_the_holder_finds_their_certificate_and_its_signed_pdf(platform, client, tmp_path):
    found = client.search(ID_NUMBER)
    assert [c.document_id for c in found] == [platform.certificate.document_id]
    certificate = found[0]
    assert certificate.title == "灵活就业人员参保证明" and certificate.current
    assert certificate.issuer and certificate.title_en.startswith("Certificate")
    assert certificate.receipt_number == FACTS.receipt_number

    pdf = client.pdf(certificate.document_id, ID_NUMBER.lower().replace("x", "X"))
    assert pdf == platform.certificate.pdf
    if shutil.which("pdfsig") is None or shutil.which("certutil") is None:
        pytest.fail("pdfsig and certutil are needed: tools/setup-system.sh dev")
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "demo CA", "-t", "CT,C,C",
                    "-i", str(seal_dir(platform.data_dir) / CHAIN_FILE)], check=True)
    (tmp_path / "fetched.pdf").write_bytes(pdf)
    report = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(tmp_path / "fetched.pdf")],
                            capture_output=True, text=True).stdout
    assert "Signature is Valid" in report and "Certificate is Trusted" in report, report


def test_someone_else_finds_nothing_and_gets_no_pdf(platform, client):
    assert client.search("110101199003071235") == []
    with pytest.raises(CentralRejected) as refused:
        client.pdf(platform.certificate.document_id, "110101199003071235")
    assert refused.value.status == 404


def test_an_unknown_terminal_is_refused(platform):
    stranger = TerminalKeys.load_or_create(Path(platform.data_dir).parent / "stranger")
    with CertificateClient(platform.url, "S01-T99", signing_key=stranger.signing_key) as client, \
            pytest.raises(CentralRejected) as refused:
        client.search(ID_NUMBER)
    assert refused.value.status in (401, 403)


def test_offline_is_unavailable_not_nonsense(terminal_keys):
    with CertificateClient(f"http://127.0.0.1:{free_port()}", TERMINAL_ID,
                           signing_key=terminal_keys.signing_key, timeout=2.0) as client, \
            pytest.raises(CentralUnavailable) as unavailable:
        client.search(ID_NUMBER)
    assert not isinstance(unavailable.value, CentralProtocolError)


def answering(status: int, body: bytes, content_type: str, key: bytes = b"k" * 32):
    """A platform that answers the person key, then ``body`` to everything else (a seam: the
    real platform never answers nonsense)."""
    def handle(request: httpx.Request) -> httpx.Response:
        headers = {CENTRAL_HEADER: CENTRAL_HEADER_VALUE}
        if request.url.path.endswith("/person-cases/key"):
            return httpx.Response(200, json={"key_id": "k1", "key_b64": base64.b64encode(key).decode()},
                                  headers=headers)
        return httpx.Response(status, content=body, headers={**headers, "Content-Type": content_type})
    return httpx.MockTransport(handle)


@pytest.mark.parametrize("body,content_type", [
    (b"<html>login</html>", "text/html"),
    (b"%PDF-1.7 truncated", "application/pdf"),
    (b"%PDF-1.7\n" + b"x" * MAX_PDF_BYTES + b"\n%%EOF", "application/pdf"),
])
def test_a_pdf_answer_that_is_no_whole_pdf_is_refused(body, content_type, terminal_keys):
    with CertificateClient("http://platform.test", TERMINAL_ID, answering(200, body, content_type),
                           signing_key=terminal_keys.signing_key) as client, \
            pytest.raises(CentralProtocolError):
        client.pdf("AAAAAAAAAAAA", ID_NUMBER)


def test_an_endless_pdf_answer_is_given_up_past_the_limit(terminal_keys):
    read = []

    def endless():
        yield b"%PDF-1.7\n"
        while True:
            read.append(1)
            yield b"x" * (1024 * 1024)

    def handle(request: httpx.Request) -> httpx.Response:
        headers = {CENTRAL_HEADER: CENTRAL_HEADER_VALUE, "Content-Type": "application/pdf"}
        if request.url.path.endswith("/person-cases/key"):
            return httpx.Response(200, json={"key_id": "k1", "key_b64": base64.b64encode(b"k" * 32).decode()},
                                  headers=headers)
        return httpx.Response(200, content=endless(), headers=headers)  # chunked: no length said

    with CertificateClient("http://platform.test", TERMINAL_ID, httpx.MockTransport(handle),
                           signing_key=terminal_keys.signing_key) as client, \
            pytest.raises(CentralProtocolError, match="larger"):
        client.pdf("AAAAAAAAAAAA", ID_NUMBER)
    assert len(read) <= MAX_PDF_BYTES // (1024 * 1024) + 1


def test_a_refusal_keeps_its_reason(terminal_keys):
    with CertificateClient("http://platform.test", TERMINAL_ID,
                           answering(404, b'{"detail": "no such document for this person"}', "application/json"),
                           signing_key=terminal_keys.signing_key) as client, \
            pytest.raises(CentralRejected) as refused:
        client.pdf("AAAAAAAAAAAA", ID_NUMBER)
    assert refused.value.status == 404 and "no such document" in str(refused.value)


def test_a_search_answer_that_is_nonsense_is_refused(terminal_keys):
    with CertificateClient("http://platform.test", TERMINAL_ID,
                           answering(200, b'{"items": [{"document_id": 7}]}', "application/json"),
                           signing_key=terminal_keys.signing_key) as client, \
            pytest.raises(CentralProtocolError):
        client.search(ID_NUMBER)


# ---- the parsers of outside bytes ----------------------------------------------------------------

GOOD_ITEM = {"document_id": "YE8zsN6nsU6R37lC", "kind": "insurance_certificate", "title": "灵活就业人员参保证明",
             "title_en": "Certificate", "issuer": "示范市政务服务中心", "service_id": "flexible_employment_insurance",
             "receipt_number": "S01-T01-20261201-0007", "issued_at": "2026-12-03T15:00:00+00:00",
             "status": "valid"}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20)


@given(json_values)
@settings(max_examples=300, deadline=None)
def test_any_json_parses_to_certificates_or_a_protocol_error(data):
    try:
        found = parse_certificates(data)
    except CentralProtocolError:
        return
    assert all(c.document_id and c.title and c.issued_at.tzinfo for c in found)


@given(st.sampled_from(sorted(GOOD_ITEM)), json_values)
@settings(max_examples=300, deadline=None)
def test_a_mutated_item_parses_exactly_or_is_refused(name, value):
    item = {**GOOD_ITEM, name: value}
    try:
        [certificate] = parse_certificates({"items": [item]})
    except CentralProtocolError:
        return
    assert getattr(certificate, name) == value or name == "issued_at"


def test_the_documented_item_parses():
    [certificate] = parse_certificates(json.loads(json.dumps({"items": [GOOD_ITEM]})))
    assert certificate.current and certificate.issued_at.year == 2026
    assert not parse_certificates({"items": [{**GOOD_ITEM, "status": "revoked"}]})[0].current


@given(st.binary(max_size=2048), st.sampled_from([None, "application/pdf", "text/html"]))
@settings(max_examples=300, deadline=None)
def test_check_pdf_passes_only_whole_pdfs(data, content_type):
    try:
        checked = check_pdf(data, content_type)
    except CentralProtocolError:
        return
    assert checked.startswith(b"%PDF-") and b"%%EOF" in checked and content_type != "text/html"
