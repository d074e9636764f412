"""Issue 14 §4 hardening, each against a real ``kiosk-central`` in a subprocess on loopback."""

from __future__ import annotations

import json
import select
import socket
from pathlib import Path

import httpx
import pytest

from egov_protocol.auth import sign_request
from egov_protocol.keys import TerminalKeys

TERMINAL_ID = "GZ01-T01"
MIB = 1024 * 1024


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _chunked_upload(port: int, path: str, headers: dict[str, str], total: int) -> tuple[int, bytes]:
    """Send ``total`` bytes as a chunked body until the server answers or stops reading;
    ``(bytes sent, the answer's first bytes)``."""
    chunk = b"{" + b" " * (MIB - 1)
    head = f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n" \
           "Content-Type: application/json\r\n" + \
           "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    sent = 0
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head.encode())
        while sent < total:
            readable, writable, _ = select.select([sock], [sock], [], 30)
            if readable:
                break  # the server answered before the body ended
            assert writable, "the server neither reads nor answers"
            try:
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        sock.settimeout(30)
        try:
            answer = sock.recv(4096)
        except ConnectionResetError:
            answer = b""
    return sent, answer


@pytest.fixture(scope="module")
def enrolled(central, tmp_path_factory):
    keys = TerminalKeys.load_or_create(tmp_path_factory.mktemp("hk") / "keys")
    response = httpx.post(f"{central.url}/v1/enroll", json={
        "token": central.issue_token(TERMINAL_ID), "terminal_id": TERMINAL_ID,
        "public_key": keys.public_key_b64})
    assert response.status_code == 201
    return keys


def test_a_chunked_body_without_credentials_is_refused_unread(central):
    before = _rss_kib(central.process.pid)
    sent, answer = _chunked_upload(central.port, "/v1/submissions/sub-1", {}, 300 * MIB)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert sent < 300 * MIB  # it stopped reading: the answer came before the body ended
    assert _rss_kib(central.process.pid) - before < 64 * 1024


def test_a_chunked_body_of_a_terminal_is_cut_at_the_limit(central, enrolled):
    headers = sign_request(enrolled.signing_key, TERMINAL_ID, "PUT", "/v1/submissions/sub-1",
                           b"whatever")
    before = _rss_kib(central.process.pid)
    sent, answer = _chunked_upload(central.port, "/v1/submissions/sub-1", headers, 300 * MIB)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 300 * MIB
    assert _rss_kib(central.process.pid) - before < 200 * 1024  # the 96 MiB limit, not 300


def test_an_unsigned_endpoint_takes_a_small_body_only(central):
    sent, answer = _chunked_upload(central.port, "/v1/enroll", {}, 300 * MIB)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 300 * MIB


def test_a_replayed_nonce_is_refused_before_the_body(central, enrolled):
    body = json.dumps({"items": []}).encode()
    headers = sign_request(enrolled.signing_key, TERMINAL_ID, "POST", "/v1/heartbeats", body)
    headers["Content-Type"] = "application/json"
    first = httpx.post(f"{central.url}/v1/heartbeats", content=body, headers=headers)
    assert first.status_code == 200
    again = httpx.post(f"{central.url}/v1/heartbeats", content=body, headers=headers)
    assert again.status_code == 425 and again.headers["X-Egov-Error"] == "replayed-request"
