from __future__ import annotations

import json
import queue
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from offline_cache import SealedSubmission
from sync.envelope import seal
from sync.keys import PlatformKeys, TerminalKeys

ROOT = Path(__file__).resolve().parents[2]
TERMINAL_ID = "GZ01-T01"

# Fictional applicant: the test checks this never shows up on operator pages.
PERSONAL_NAME = "王小明"


def payload_for(n: int, *, receipt: str | None = None) -> bytes:
    return json.dumps(
        {
            "submission_id": f"sub-{n:04d}",
            "receipt_number": receipt or f"GZ01-T01-20250301-{n:06d}",
            "service_id": "residence-permit",
            "form_id": "residence-permit-application",
            "form_version": "1",
            "answers": {"name": PERSONAL_NAME, "phone": "13800000000"},
        },
        ensure_ascii=False,
    ).encode()


def sealed_submission(
    n: int, platform_x25519: bytes, keys: TerminalKeys, *, note: str = ""
) -> SealedSubmission:
    """A real sealed submission; ``note`` changes the payload (and so the digest)."""
    payload = payload_for(n)
    if note:
        payload = payload[:-1] + b', "note": "' + note.encode() + b'"}'
    envelope = seal(payload, {"photo.jpg": b"\xff\xd8fake-jpeg-%d" % n}, platform_x25519,
                    keys.signing_key, keys.key_id)
    return SealedSubmission.create(
        id=f"sub-{n:04d}",
        receipt_number=f"GZ01-T01-20250301-{n:06d}",
        service_id="residence-permit",
        form_id="residence-permit-application",
        form_version="1",
        sealed=envelope,
    )


@pytest.fixture
def terminal_keys(tmp_path) -> TerminalKeys:
    return TerminalKeys.load_or_create(tmp_path / "terminal-keys")


@pytest.fixture(scope="session")
def session_terminal_keys(tmp_path_factory) -> TerminalKeys:
    return TerminalKeys.load_or_create(tmp_path_factory.mktemp("tk") / "keys")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class CentralProcess:
    """A real ``kiosk-central`` in a subprocess on loopback."""

    data_dir: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, deadline_s: float = 30.0) -> None:
        script = Path(sys.executable).with_name("kiosk-central")
        command = [str(script)] if script.exists() else [sys.executable, "-m", "sync.central"]
        self.process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", str(self.data_dir), "--log-level", "warning"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode(errors="replace")
                raise RuntimeError(f"kiosk-central exited early:\n{output}")
            try:
                response = httpx.get(f"{self.url}/v1/health", timeout=0.5)
                if response.headers.get("X-Egov-Central") == "1":
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("kiosk-central did not become ready")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stdout:
            self.process.stdout.close()
        self.process = None

    def platform_x25519(self) -> bytes:
        # The platform keys live in the data dir; a terminal would have them cached.
        return PlatformKeys.load_or_create(self.data_dir / "keys").x25519_public


@pytest.fixture(scope="module")
def central(tmp_path_factory):
    server = CentralProcess(tmp_path_factory.mktemp("central"), free_port())
    server.start()
    yield server
    server.stop()


class EventLog:
    """Collects ``on_event`` calls from the worker thread."""

    def __init__(self) -> None:
        self.queue: queue.Queue = queue.Queue()
        self.seen: list[tuple[str, dict]] = []

    def __call__(self, name: str, data: dict) -> None:
        self.queue.put((name, data))

    def wait_for(self, name: str, count: int = 1, timeout: float = 20.0) -> list[dict]:
        """Block until ``count`` events called ``name`` have arrived (a bound, not a timing test)."""
        end = time.monotonic() + timeout
        while len(self.named(name)) < count:
            remaining = end - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"waited for {count} {name!r}; got {self.seen}")
            try:
                self.seen.append(self.queue.get(timeout=remaining))
            except queue.Empty:
                pass
        return self.named(name)

    def named(self, name: str) -> list[dict]:
        return [data for event, data in self.seen if event == name]


@pytest.fixture
def make_sealed():
    """``make_sealed(n, platform_x25519, keys, note="")``: a real sealed submission."""
    return sealed_submission


@pytest.fixture
def expected_payload():
    """``expected_payload(n)``: the payload bytes ``make_sealed(n, ...)`` sealed."""
    return payload_for


@pytest.fixture
def events() -> EventLog:
    return EventLog()


@pytest.fixture
def new_central(tmp_path):
    """A not-yet-started ``CentralProcess`` on a free port; stopped after the test."""
    servers = []

    def make() -> CentralProcess:
        server = CentralProcess(tmp_path / f"central-{len(servers)}", free_port())
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()
