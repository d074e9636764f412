"""Fixtures of the offline cache tests: a store on a temporary file, its outbox, sealed submissions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from offline_cache import Outbox, SealedSubmission, Store

NOW = datetime(2025, 3, 1, 8, 30, tzinfo=UTC)


def _make_submission(n: int, *, sealed: bytes | None = None) -> SealedSubmission:
    return SealedSubmission.create(
        id=f"sub-{n:04d}",
        receipt_number=f"GZ01-T01-20250301-{n:06d}",
        service_id="residence-permit",
        form_id="residence-permit-application",
        form_version="1",
        sealed=sealed if sealed is not None else b"sealed-envelope-%d" % n,
        created_at=NOW,
    )


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "terminal.sqlite3"


@pytest.fixture
def store(db_path):
    store = Store(db_path).open()
    yield store
    store.close()


@pytest.fixture
def outbox(store):
    return Outbox(store)


@pytest.fixture
def make_submission():
    """``make_submission(n, sealed=...)``: a submission with fixed routing data, created at NOW."""
    return _make_submission
