"""Issue 14 §4 hardening, each against a real ``kiosk-central`` in a subprocess on loopback."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import select
import socket
import sqlite3
import subprocess
import uuid
from pathlib import Path

import httpx
import pytest

from egov_protocol.auth import sign_request
from egov_protocol.envelope import seal, seal_detached
from egov_protocol.keys import TerminalKeys

TERMINAL_ID = "GZ01-T01"
MIB = 1024 * 1024


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _chunked_upload(port: int, path: str, headers: dict[str, str], total: int,
                    method: str = "PUT") -> tuple[int, bytes]:
    """Send ``total`` bytes as a chunked body until the server answers or stops reading;
    ``(bytes sent, the answer's first bytes)``."""
    chunk = b"{" + b" " * (MIB - 1)
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n" \
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


def test_a_chunked_body_on_a_signed_get_is_refused_unread(central):
    sent, answer = _chunked_upload(central.port, "/v1/blobs/" + "0" * 64, {}, 300 * MIB, "GET")
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert sent < 300 * MIB


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


def _enroll(central, token: str, keys: TerminalKeys, terminal_id: str = TERMINAL_ID):
    return httpx.post(f"{central.url}/v1/enroll", json={
        "token": token, "terminal_id": terminal_id, "public_key": keys.public_key_b64})


def _heartbeat(central, keys: TerminalKeys, terminal_id: str = TERMINAL_ID,
               items: list | None = None) -> httpx.Response:
    body = json.dumps({"items": items or []}).encode()
    headers = sign_request(keys.signing_key, terminal_id, "POST", "/v1/heartbeats", body)
    headers["Content-Type"] = "application/json"
    return httpx.post(f"{central.url}/v1/heartbeats", content=body, headers=headers)


def _kiosk_central(central, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*central._command(args[0]), *args[1:]], capture_output=True,
                          text=True, timeout=60)


def test_an_unbound_token_cannot_take_over_an_enrolled_terminal(central, tmp_path):
    owner = TerminalKeys.load_or_create(tmp_path / "owner")
    intruder = TerminalKeys.load_or_create(tmp_path / "intruder")
    first = _enroll(central, central.issue_token(), owner, "GZ01-T21")
    assert first.status_code == 201, first.text
    taken = _enroll(central, central.issue_token(), intruder, "GZ01-T21")
    assert taken.status_code == 403 and "bound to it" in taken.json()["detail"]
    assert _heartbeat(central, owner, "GZ01-T21").status_code == 200  # still the owner's
    assert _heartbeat(central, intruder, "GZ01-T21").status_code == 401


def test_a_bound_token_re_keys_its_terminal_only(central, tmp_path):
    old, new = (TerminalKeys.load_or_create(tmp_path / name) for name in ("old", "new"))
    assert _enroll(central, central.issue_token(), old, "GZ01-T22").status_code == 201
    other = _enroll(central, central.issue_token("GZ01-T99"), new, "GZ01-T22")
    assert other.status_code == 403
    assert _enroll(central, central.issue_token("GZ01-T22"), new, "GZ01-T22").status_code == 200
    assert _heartbeat(central, new, "GZ01-T22").status_code == 200


def test_enrolling_never_reinstates_a_revoked_terminal(central, tmp_path):
    old, new = (TerminalKeys.load_or_create(tmp_path / name) for name in ("old", "new"))
    assert _enroll(central, central.issue_token(), old, "GZ01-T23").status_code == 201
    assert _kiosk_central(central, "revoke", "GZ01-T23").returncode == 0
    token = central.issue_token("GZ01-T23")
    refused = _enroll(central, token, new, "GZ01-T23")
    assert refused.status_code == 403 and "revoked" in refused.json()["detail"]
    assert _heartbeat(central, new, "GZ01-T23").status_code == 403  # neither re-keyed nor active
    assert _heartbeat(central, old, "GZ01-T23").status_code == 403
    assert _kiosk_central(central, "reinstate", "GZ01-T23").returncode == 0
    assert _heartbeat(central, old, "GZ01-T23").status_code == 200
    assert _enroll(central, token, new, "GZ01-T23").status_code == 200  # the refusal kept it


def _put_sealed(central, keys: TerminalKeys, terminal_id: str, submission_id: str,
                receipt_number: str, payload: dict) -> httpx.Response:
    envelope = seal(json.dumps(payload).encode(), {}, central.platform_x25519(), keys.signing_key,
                    keys.key_id)
    body = json.dumps({"receipt_number": receipt_number,
                       "digest": hashlib.sha256(envelope).hexdigest(),
                       "envelope_b64": base64.b64encode(envelope).decode()}).encode()
    path = f"/v1/submissions/{submission_id}"
    headers = sign_request(keys.signing_key, terminal_id, "PUT", path, body)
    headers["Content-Type"] = "application/json"
    return httpx.put(f"{central.url}{path}", content=body, headers=headers)


def test_a_terminal_cannot_take_another_terminals_receipt_numbers(central, tmp_path):
    victim, thief = (TerminalKeys.load_or_create(tmp_path / name) for name in ("v", "t"))
    assert _enroll(central, central.issue_token(), victim, "GZ01-T31").status_code == 201
    assert _enroll(central, central.issue_token(), thief, "GZ01-T32").status_code == 201
    number = "GZ01-T31-20250301-0001"
    stolen = _put_sealed(central, thief, "GZ01-T32", "sub-t32-1", number,
                         {"submission_id": "sub-t32-1", "receipt_number": number})
    assert stolen.status_code == 422 and "not of terminal GZ01-T32" in stolen.json()["detail"]
    real = _put_sealed(central, victim, "GZ01-T31", "sub-t31-1", number,
                       {"submission_id": "sub-t31-1", "receipt_number": number})
    assert real.status_code == 201 and real.json()["receipt_number"] == number
    # Nor can it answer for the victim's submission id.
    again = _put_sealed(central, thief, "GZ01-T32", "sub-t31-1", "GZ01-T32-20250301-0001",
                        {"submission_id": "sub-t31-1", "receipt_number": "GZ01-T32-20250301-0001"})
    assert again.status_code == 409


@pytest.mark.parametrize("missing", ["submission_id", "receipt_number"])
def test_a_payload_without_its_ids_is_refused(central, tmp_path, missing):
    keys = TerminalKeys.load_or_create(tmp_path / "k")
    terminal_id = f"GZ01-M{len(missing)}"
    assert _enroll(central, central.issue_token(), keys, terminal_id).status_code == 201
    number = f"{terminal_id}-20250301-0001"
    payload = {"submission_id": "sub-m-1", "receipt_number": number}
    del payload[missing]
    response = _put_sealed(central, keys, terminal_id, f"sub-m{len(missing)}", number,
                           {**payload, "submission_id": f"sub-m{len(missing)}"}
                           if missing == "receipt_number" else payload)
    assert response.status_code == 422 and f"payload {missing} is missing" in response.json()["detail"]


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_database_wal_and_blob_segments_are_private(new_central, tmp_path):
    server = new_central()
    server.start()
    keys = TerminalKeys.load_or_create(tmp_path / "k")
    assert _enroll(server, server.issue_token(), keys, "GZ01-T41").status_code == 201
    number = "GZ01-T41-20250301-0001"
    envelope, blobs = seal_detached(
        json.dumps({"submission_id": "sub-f1", "receipt_number": number}).encode(),
        {"photo.jpg": b"\xff\xd8photo"}, server.platform_x25519(), keys.signing_key, keys.key_id)
    body = json.dumps({"receipt_number": number, "digest": hashlib.sha256(envelope).hexdigest(),
                       "envelope_b64": base64.b64encode(envelope).decode(),
                       "blobs": {ref: base64.b64encode(data).decode()
                                 for ref, data in blobs.items()}}).encode()
    headers = sign_request(keys.signing_key, "GZ01-T41", "PUT", "/v1/submissions/sub-f1", body)
    headers["Content-Type"] = "application/json"
    assert httpx.put(f"{server.url}/v1/submissions/sub-f1", content=body,
                     headers=headers).status_code == 201
    data = server.data_dir
    assert _mode(data) == 0o700
    for name in ("central.sqlite3", "central.sqlite3-wal", "central.sqlite3-shm"):
        assert _mode(data / name) == 0o600, name
    segments = list((data / "central-blobs").rglob("*.seg"))
    assert segments and all(_mode(s) == 0o600 for s in segments)
    assert all(_mode(d) == 0o700 for d in [data / "central-blobs",
                                            *(s.parent for s in segments)])


def test_an_old_databases_files_are_tightened_when_opened(tmp_path):
    from central.store import open_platform_store

    data = tmp_path / "old"
    data.mkdir(mode=0o755)
    database = data / "central.sqlite3"
    sqlite3.connect(database).close()
    database.chmod(0o644)
    open_platform_store(data, None).close()
    assert _mode(database) == 0o600 and _mode(data) == 0o700


def test_export_skips_and_reports_hostile_attachment_names(central, tmp_path):
    keys = TerminalKeys.load_or_create(tmp_path / "k")
    assert _enroll(central, central.issue_token(), keys, "GZ01-T42").status_code == 201
    number = "GZ01-T42-20250301-0001"
    envelope, blobs = seal_detached(
        json.dumps({"submission_id": "sub-x1", "receipt_number": number}).encode(),
        {"..": b"up", ".": b"here", "/": b"root", "a/../../b": b"climb", "photo.jpg": b"fine"},
        central.platform_x25519(), keys.signing_key, keys.key_id)
    body = json.dumps({"receipt_number": number, "digest": hashlib.sha256(envelope).hexdigest(),
                       "envelope_b64": base64.b64encode(envelope).decode(),
                       "blobs": {ref: base64.b64encode(data).decode()
                                 for ref, data in blobs.items()}}).encode()
    headers = sign_request(keys.signing_key, "GZ01-T42", "PUT", "/v1/submissions/sub-x1", body)
    headers["Content-Type"] = "application/json"
    assert httpx.put(f"{central.url}/v1/submissions/sub-x1", content=body,
                     headers=headers).status_code == 201
    out = tmp_path / "export" / "out"
    result = _kiosk_central(central, "export", str(out))
    assert result.returncode == 1, result.stderr
    for name in ("'..'", "'.'", "'/'", "'a/../../b'"):
        assert f"sub-x1: attachment {name} skipped" in result.stderr
    assert "4 attachment(s) skipped" in result.stdout
    folder = out / "sub-x1"
    assert json.loads((folder / "payload.json").read_text())["receipt_number"] == number
    assert [p.name for p in (folder / "attachments").iterdir()] == ["photo.jpg"]
    assert sorted(p.name for p in (tmp_path / "export").iterdir()) == ["out"]
    assert _mode(out) == 0o700


def _beat(n: int, seq: int, digest: str, sent_at: str | None = None,
          proof: tuple[int, str] | None = None) -> dict:
    audit = {"seq": seq, "hash": digest}
    if proof is not None:  # the terminal's chain at the previous head (sync.worker_heartbeats)
        audit["proof"] = {"seq": proof[0], "hash": proof[1]}
    return {"id": f"hb-{n}-{uuid.uuid4().hex}", "sent_at": sent_at or f"2026-12-0{n}T08:00:00+00:00",
            "audit": audit}


def _fleet_row(central, terminal_id: str) -> tuple[dict, str]:
    from tests.conftest import operator_client

    operator = operator_client(central, "auditor")  # the fleet is behind the login
    try:
        items = operator.get("/v1/terminals").json()["items"]
        page = operator.get("/").text
    finally:
        operator.close()
    [row] = [item for item in items if item["terminal_id"] == terminal_id]
    start = page.index(f'id="terminal-{terminal_id}"')
    return row["fleet"]["audit"], page[start:page.index("</tr>", start)]


@pytest.mark.parametrize(("terminal_id", "later", "problem"), [
    ("GZ01-A1", [(3, 7, "h7", None)], "truncation"),  # events 8..9 removed
    ("GZ01-A2", [(3, 9, "forged", None)], "rewrite"),  # event 9 replaced
    # Truncated, and the terminal went on logging past the anchor: still on the page.
    ("GZ01-A3", [(3, 5, "h5", None), (4, 12, "h12", (5, "h5"))], "truncation"),
    # A jump past the anchor that the terminal cannot prove: a log deleted and grown again.
    ("GZ01-A5", [(3, 15, "h15", None)], "gap"),
    ("GZ01-A6", [(3, 15, "h15", (4, "h4"))], "gap"),  # proved from an older event only
    ("GZ01-A7", [(3, 15, "h15", (9, "other"))], "rewrite"),  # event 9 is not what was anchored
])
def test_an_audit_head_that_does_not_extend_the_anchor_is_an_alert_at_any_age(
        central, tmp_path, terminal_id, later, problem):
    keys = TerminalKeys.load_or_create(tmp_path / "k")
    assert _enroll(central, central.issue_token(), keys, terminal_id).status_code == 201
    # Heartbeats from a year ago: no longer "recent" for the fleet's 24-hour view.
    old = [_beat(1, 4, "h4", "2025-01-01T08:00:00+00:00"),
           _beat(2, 9, "h9", "2025-01-02T08:00:00+00:00", proof=(4, "h4"))]
    assert _heartbeat(central, keys, terminal_id, old).status_code == 200
    audit, row = _fleet_row(central, terminal_id)
    assert audit["problem"] is None and "AUDIT" not in row
    for n, seq, digest, proof in later:
        beat = _beat(n, seq, digest, proof=proof)
        assert _heartbeat(central, keys, terminal_id, [beat]).status_code == 200
        assert _heartbeat(central, keys, terminal_id, [beat]).status_code == 200  # a resend
    audit, row = _fleet_row(central, terminal_id)
    assert audit["problem"].startswith(problem) and audit["regressed"] is True
    assert f"AUDIT {problem}" in row


def test_a_head_that_extends_the_anchor_or_says_nothing_is_fine(central, tmp_path):
    keys = TerminalKeys.load_or_create(tmp_path / "k")
    assert _enroll(central, central.issue_token(), keys, "GZ01-A4").status_code == 201
    beats = [_beat(1, 4, "h4"), _beat(2, 4, "h4"), _beat(3, 0, "genesis"),
             _beat(4, 11, "h11", proof=(4, "h4")), _beat(5, 12, "h12", proof=(11, "h11"))]
    assert _heartbeat(central, keys, "GZ01-A4", beats).status_code == 200
    audit, row = _fleet_row(central, "GZ01-A4")
    assert audit["problem"] is None and audit["seq"] == 12 and "AUDIT" not in row


def _patch_blob(server, keys: TerminalKeys, terminal_id: str, ref: str, data: bytes) -> int:
    path = f"/v1/blobs/{ref}"
    headers = sign_request(keys.signing_key, terminal_id, "PATCH", path, data)
    headers.update({"Upload-Offset": "0", "Upload-Length": str(len(data)),
                    "Content-Type": "application/octet-stream"})
    return httpx.patch(f"{server.url}{path}", content=data, headers=headers).status_code


def test_a_blob_uploaded_first_is_written_once_and_strays_are_collected(new_central, tmp_path):
    server = new_central()
    server.start()
    keys = TerminalKeys.load_or_create(tmp_path / "k")
    assert _enroll(server, server.issue_token(), keys, "GZ01-T51").status_code == 201
    segments = server.data_dir / "central-blobs"
    for n in range(3):  # photo first (PATCH), then the submission naming it (one PUT)
        number = f"GZ01-T51-20250301-000{n}"
        envelope, blobs = seal_detached(
            json.dumps({"submission_id": f"sub-b{n}", "receipt_number": number}).encode(),
            {"photo.jpg": os.urandom(5000)}, server.platform_x25519(), keys.signing_key,
            keys.key_id)
        [(ref, data)] = blobs.items()
        assert _patch_blob(server, keys, "GZ01-T51", ref, data) == 200
        body = json.dumps({"receipt_number": number,
                           "digest": hashlib.sha256(envelope).hexdigest(),
                           "envelope_b64": base64.b64encode(envelope).decode(),
                           "blobs": {ref: base64.b64encode(data).decode()}}).encode()
        path = f"/v1/submissions/sub-b{n}"
        headers = sign_request(keys.signing_key, "GZ01-T51", "PUT", path, body)
        headers["Content-Type"] = "application/json"
        assert httpx.put(f"{server.url}{path}", content=body, headers=headers).status_code == 201
    written = sorted(segments.rglob("*.seg"))
    assert len(written) == 3  # one per photo, none for the PUT that sent it again
    stray = written[0].with_name("0" * 24 + ".seg")
    stray.write_bytes(b"left by an interrupted write")
    os.utime(stray, (1, 1))  # long ago
    result = _kiosk_central(server, "collect-blobs")
    assert result.returncode == 0 and "removed 1 " in result.stdout
    assert sorted(segments.rglob("*.seg")) == written
    out = tmp_path / "export"
    assert _kiosk_central(server, "export", str(out)).returncode == 0
    assert len(list(out.glob("sub-b*/attachments/photo.jpg"))) == 3
