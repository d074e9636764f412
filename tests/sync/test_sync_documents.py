"""The terminal keeps the newest good copy of each platform document (issue 14 §4 documents):
it refuses an older version than it holds (a replayed answer), an expired one and a forged one,
keeps using what it has, and re-verifies its stored copy before trusting it. Against the real
platform on loopback; only the replaying intermediary is a mock transport."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from central.publishing import publish
from egov_protocol.documents import DocumentError, check_update, sign_document, verify_document
from kiosk.catalog import Catalog
from kiosk.config import KioskConfig
from kiosk.enrollment import Enrollment
from kiosk.pulled_catalog import load_catalog
from kiosk.sync_service import enroll_terminal, sync_once
from offline_cache import Outbox, Store, SyncState
from sync.client import Backoff, CentralClient, SyncWorker
from tests.sync.test_sync_pulled_catalog import platform_catalog

TERMINAL_ID = "GZ03-T01"


def run_worker(central, path, terminal_keys, platform_key, transport=None) -> list:
    events = []
    with CentralClient(central.url, TERMINAL_ID, transport=transport,
                       signing_key=terminal_keys.signing_key) as client:
        worker = SyncWorker(lambda: Outbox(Store(path).open()), client, interval_s=0.2,
                            backoff=Backoff(0.05, 0.1), exit_when_idle=True,
                            documents=(platform_key, ("catalog",)),
                            on_event=lambda name, data: events.append((name, data)))
        worker.start()
        worker.stop(timeout=20)
    return events


def held(path) -> dict:
    with Store(path) as store:
        return SyncState(store).document("catalog")


def test_an_older_or_expired_document_is_refused_and_the_held_one_kept(central, tmp_path,
                                                                        terminal_keys):
    with CentralClient(central.url, TERMINAL_ID) as client:
        platform_key = client.enroll(central.issue_token(TERMINAL_ID),
                                     terminal_keys.public_key).platform.ed25519_public
    published = central.data_dir / "published"
    path = tmp_path / "terminal.sqlite3"
    Store(path).open().close()

    publish(published, "catalog", {"services": ["first"]})
    captured = {}

    def recording(request: httpx.Request) -> httpx.Response:
        response = httpx.HTTPTransport().handle_request(request)
        response.read()
        captured[request.url.path] = response.content
        return httpx.Response(response.status_code, content=response.content,
                              headers=response.headers)

    run_worker(central, path, terminal_keys, platform_key, httpx.MockTransport(recording))
    assert held(path)["version"] == 1
    publish(published, "catalog", {"services": ["second"]})
    run_worker(central, path, terminal_keys, platform_key)
    assert held(path)["version"] == 2

    # An intermediary hands the terminal the platform's genuine, signed, unexpired version 1.
    def replaying(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=captured["/v1/documents/catalog"],
                              headers={"X-Egov-Central": "1", "Content-Type": "application/json"})

    events = run_worker(central, path, terminal_keys, platform_key, httpx.MockTransport(replaying))
    rejected = [data["error"] for name, data in events if name == "document_rejected"]
    assert rejected and "rollback" in rejected[0]
    assert held(path)["body"] == {"services": ["second"]}

    # A version 3 whose validity ended (published 400 days ago for 365 days).
    publish(published, "catalog", {"services": ["third"]},
            now=datetime.now(UTC) - timedelta(days=400))
    events = run_worker(central, path, terminal_keys, platform_key)
    rejected = [data["error"] for name, data in events if name == "document_rejected"]
    assert rejected and "expired" in rejected[0]
    assert held(path)["body"] == {"services": ["second"]}

    publish(published, "catalog", {"services": ["fourth"]})
    run_worker(central, path, terminal_keys, platform_key)
    assert held(path)["version"] == 4 and held(path)["body"] == {"services": ["fourth"]}


def test_a_tampered_stored_copy_is_refused_at_start_and_replaced_at_the_next_pull(
        central, tmp_path, caplog):
    data_dir = tmp_path / "terminal"
    config = KioskConfig().with_overrides(central={"url": central.url},
                                          storage={"data_dir": str(data_dir)})
    enrollment = Enrollment(data_dir)
    enroll_terminal(central.url, config.terminal.site_code, config.terminal.terminal_id,
                    enrollment, central.issue_token())
    publish(central.data_dir / "published", "catalog", platform_catalog())
    db_path = data_dir / "kiosk.db"
    sync_once(db_path, enrollment, config.central, timeout_s=60)
    assert load_catalog(db_path).version == "platform-2026.2"

    # Someone with the disk raises the stored version (to block every update) and edits a title.
    with Store(db_path) as store:
        document = SyncState(store).document("catalog")
        document["version"] = 10**9
        document["body"]["services"][0]["title"] = {"zh-CN": "forged", "en": "forged"}
        SyncState(store).save_document("catalog", document)
    with caplog.at_level(logging.WARNING, logger="sync.documents"):
        assert load_catalog(db_path).version == Catalog.load_bundled().version
    assert "stored catalog document fails verification" in caplog.text

    sync_once(db_path, enrollment, config.central, timeout_s=60)  # the worker ignores it too
    assert load_catalog(db_path).version == "platform-2026.2"
    with Store(db_path) as store:
        assert SyncState(store).document("catalog")["version"] < 10**9


def test_check_update_and_the_legacy_copy():
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    public = key.public_key().public_bytes_raw()
    two = sign_document("catalog", {"a": 2}, key, version=2)
    check_update(two, None)
    check_update(two, sign_document("catalog", {"a": 1}, key, version=1))
    check_update(two, {**two, "version": "1f2e3d4c5b6a"})  # a legacy copy: version -1
    with pytest.raises(DocumentError, match="rollback"):
        check_update(sign_document("catalog", {"a": 1}, key, version=1), two)
    with pytest.raises(DocumentError, match="other content"):
        check_update(sign_document("catalog", {"a": 3}, key, version=2), two)
    now = datetime.now(UTC)
    stale = sign_document("catalog", {}, key, expires_at=now - timedelta(seconds=1))
    verify_document(stale, "catalog", public)  # a stored copy: expiry not checked
    with pytest.raises(DocumentError, match="expired"):
        verify_document(stale, "catalog", public, now=now)
    legacy = {k: v for k, v in two.items() if k != "expires_at"}
    with pytest.raises(DocumentError):
        verify_document(legacy, "catalog", public, legacy=True)  # not signed under v1
    with pytest.raises(DocumentError, match="expected fields"):
        verify_document(json.loads(json.dumps(legacy)), "catalog", public)
