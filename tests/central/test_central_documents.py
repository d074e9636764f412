"""Published documents carry a version that only grows and an expiry, both inside what the
platform signs (issue 14 §4 documents), against the real platform on loopback."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from central.publishing import NotPublishable, current, publish
from egov_protocol.documents import DocumentError, http_etag, verify_document
from sync.client import CentralClient

TERMINAL_ID = "GZ02-T01"


def kiosk_central(central, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "central", *args, "--data-dir",
                           str(central.data_dir)], capture_output=True, text=True, timeout=60)


@pytest.fixture
def client(central, terminal_keys):
    with CentralClient(central.url, TERMINAL_ID) as enrolling:
        enrolled = enrolling.enroll(central.issue_token(TERMINAL_ID), terminal_keys.public_key)
    with CentralClient(central.url, TERMINAL_ID, signing_key=terminal_keys.signing_key) as signed:
        yield signed, enrolled.platform.ed25519_public


def test_each_publication_takes_the_next_version_and_signs_its_expiry(central, client, tmp_path):
    client, platform_key = client
    # Nothing published: an empty body at version 0.
    empty = client.fetch_document("forms", platform_key, None)
    assert empty["version"] == 0 and empty["body"] == {}

    path = tmp_path / "forms.json"
    path.write_text(json.dumps({"forms": []}))
    first = kiosk_central(central, "publish", "forms", str(path), "--valid-days", "10")
    assert first.returncode == 0 and "published forms version 1, expires" in first.stdout
    served = client.fetch_document("forms", platform_key, empty)
    assert served["version"] == 1 and served["body"] == {"forms": []}
    expiry = datetime.fromisoformat(served["expires_at"])
    assert timedelta(days=9) < expiry - datetime.now(UTC) <= timedelta(days=10)
    assert client.fetch_document("forms", platform_key, served) is None  # 304: unchanged

    # The same body again is a new version (with a new expiry): not answered 304.
    again = kiosk_central(central, "publish", "forms", str(path))
    assert "version 2" in again.stdout
    newer = client.fetch_document("forms", platform_key, served)
    assert newer["version"] == 2 and http_etag(newer) != http_etag(served)

    # Editing the version or the expiry breaks the platform's signature.
    for field, value in (("version", 9), ("expires_at", "2999-01-01T00:00:00+00:00")):
        with pytest.raises(DocumentError, match="not signed"):
            verify_document({**newer, field: value}, "forms", platform_key)

    refused = kiosk_central(central, "publish", "forms", str(path), "--valid-days", "0")
    assert refused.returncode == 1 and "validity" in refused.stderr
    assert current(central.data_dir / "published", "forms").version == 2


def test_a_folder_published_before_versions_reads_as_version_1(tmp_path):
    folder = tmp_path / "published"
    folder.mkdir()
    (folder / "catalog.json").write_text(json.dumps({"services": ["old"]}))
    legacy = current(folder, "catalog")
    assert (legacy.version, legacy.body, legacy.expires_at) == (1, {"services": ["old"]}, None)
    assert publish(folder, "catalog", {"services": ["new"]}).version == 2
    assert current(folder, "catalog").body == {"services": ["new"]}
    with pytest.raises(NotPublishable):
        publish(folder, "wallpaper", {})
    with pytest.raises(NotPublishable):
        publish(folder, "catalog", {}, valid_days=float("nan"))


def test_the_sealing_key_document_is_versioned_by_rotations(central, client):
    client, platform_key = client
    before = client.fetch_document("platform-keys", platform_key, None)
    assert kiosk_central(central, "rotate-keys").returncode == 0
    after = client.fetch_document("platform-keys", platform_key, before)
    assert after["version"] == before["version"] + 1
