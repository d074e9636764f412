"""A worker checks signatures against the terminal row it read lately; a revocation or a re-key
made by another worker process holds all the same from its commit on, because recording the
request's nonce re-checks the terminal in the same statement."""

from __future__ import annotations

import pytest

from central.errors import NonceReplayed, TerminalChanged
from central.store import CentralStore, NewSubmission

TERMINAL_ID = "GZ01-T05"


def _submission(n: int) -> NewSubmission:
    return NewSubmission(
        id=f"sub-{n}", receipt_number=f"{TERMINAL_ID}-{n}", terminal_id=TERMINAL_ID,
        digest="a" * 64, central_receipt=f"GOV-{n}", service_id="s", form_id="f",
        form_version="1", envelope=b"env", payload_json="{}", attachments={},
        received_at="2026-01-01T00:00:00+00:00")


@pytest.fixture(params=["sqlite", "postgres"])
def two_workers(request, tmp_path):
    """Two stores on one database, as two worker processes hold them."""
    if request.param == "sqlite":
        target = str(tmp_path / "central.sqlite3")
    else:
        target = request.getfixturevalue("fresh_postgres")
    first, second = CentralStore(target), CentralStore(target)
    first.open()
    first.enroll(first.issue_token(), TERMINAL_ID, b"k" * 32, "ed25519:k1", "GZ01")
    yield first, second
    first.close()
    second.close()


def test_a_revocation_in_another_worker_refuses_the_next_request(two_workers):
    first, second = two_workers
    cached = first.terminal(TERMINAL_ID, cached=True)
    assert first.cached_terminal(TERMINAL_ID) == cached and cached["key_id"] == "ed25519:k1"
    assert first.remember_nonce(TERMINAL_ID, "n1", 300, "ed25519:k1") is True
    assert first.remember_nonce(TERMINAL_ID, "n1", 300, "ed25519:k1") is False  # a replay

    second.set_terminal_status(TERMINAL_ID, "revoked")
    assert first.cached_terminal(TERMINAL_ID) is not None  # this worker has not heard of it
    with pytest.raises(TerminalChanged) as refused:
        first.remember_nonce(TERMINAL_ID, "n2", 300, "ed25519:k1")
    assert refused.value.status == 403 and "revoked" in refused.value.detail
    assert first.cached_terminal(TERMINAL_ID) is None  # forgotten: the next look-up reads it
    with pytest.raises(TerminalChanged):
        first.insert_many([(_submission(1), {})], nonce=(TERMINAL_ID, "n3", 300, "ed25519:k1"))
    assert first.submission_ids() == []

    second.set_terminal_status(TERMINAL_ID, "active")
    [(created, _row)] = first.insert_many([(_submission(1), {})],
                                          nonce=(TERMINAL_ID, "n3", 300, "ed25519:k1"))
    assert created and first.submission_ids() == ["sub-1"]
    with pytest.raises(NonceReplayed):
        first.insert_many([(_submission(2), {})], nonce=(TERMINAL_ID, "n3", 300, "ed25519:k1"))


def test_a_key_replaced_in_another_worker_refuses_the_old_key(two_workers):
    first, second = two_workers
    first.terminal(TERMINAL_ID, cached=True)
    second.enroll(second.issue_token(TERMINAL_ID), TERMINAL_ID, b"n" * 32, "ed25519:k2", "GZ01")
    with pytest.raises(TerminalChanged) as refused:
        first.remember_nonce(TERMINAL_ID, "n1", 300, "ed25519:k1")
    assert refused.value.status == 401 and "replaced" in refused.value.detail
    assert first.terminal(TERMINAL_ID, cached=True)["key_id"] == "ed25519:k2"
    assert first.remember_nonce(TERMINAL_ID, "n1", 300, "ed25519:k2") is True
