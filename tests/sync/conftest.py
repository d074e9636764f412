from __future__ import annotations

import json
import queue
import time
from pathlib import Path

import pytest

from offline_cache import SealedSubmission
from sync.envelope import seal
from sync.keys import TerminalKeys
from sync.local_central import LocalCentral, free_port

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




@pytest.fixture(scope="module")
def central(tmp_path_factory):
    server = LocalCentral(tmp_path_factory.mktemp("central"), free_port())
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
    """A not-yet-started ``LocalCentral`` on a free port; stopped after the test."""
    servers = []

    def make() -> LocalCentral:
        server = LocalCentral(tmp_path / f"central-{len(servers)}", free_port())
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()
