"""TUF's attacks on the terminal's updates, against the platform in a subprocess on loopback.

The repository is published with ``central.releases`` (test keys made here); an attacker who
controls the server's files but holds no key tries to roll a terminal back, freeze it, mix two
publications, slip in or change a file, or feed it endless data. Each is refused before a byte
reaches the release folder.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tuf.api import exceptions

from central.releases import publish_release, refresh_timestamp
from sync.updates import ReleaseChannel, ReleaseInvalid
from tests.conftest import running_central
from tests.update_builds import make_build, make_repository, trusted_root


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    """The platform serving a repository with releases 1.0 and 1.1, and the pristine copy."""
    root = tmp_path_factory.mktemp("updates")
    data, keys = make_repository(root, ["1.0"])
    at_1_0 = root / "at-1.0"
    shutil.copytree(data / "updates", at_1_0)
    publish_release(data, keys, make_build(root / "builds" / "1.1", "1.1"), "1.1")
    pristine = root / "pristine"
    shutil.copytree(data / "updates", pristine)
    with running_central(data) as server:
        server.release_keys = keys
        server.at_1_0 = at_1_0
        server.pristine = pristine
        yield server


@pytest.fixture
def repository(platform) -> Path:
    """The served repository, as published (each test may spoil it)."""
    served = platform.data_dir / "updates"
    shutil.rmtree(served)
    shutil.copytree(platform.pristine, served)
    return served


def channel(platform, tmp_path: Path) -> ReleaseChannel:
    return ReleaseChannel.online(platform.url, tmp_path / "tuf", trusted_root(platform.data_dir))


def test_the_terminal_gets_the_latest_release_with_every_file_signed(platform, repository,
                                                                     tmp_path):
    updates = channel(platform, tmp_path)
    release = updates.latest()
    assert release.version == "1.1"
    assert set(release.files) == {"kiosk", "_internal/kiosk/version.py",
                                  *(f"_internal/lib{n}.so" for n in range(12))}
    assert release.files["kiosk"].mode == 0o755
    updates.download(release.files["_internal/kiosk/version.py"], tmp_path / "version.py")
    assert (tmp_path / "version.py").read_text() == "VERSION = '1.1'\n"


def test_rollback_to_older_metadata_is_refused(platform, repository, tmp_path):
    channel(platform, tmp_path).latest()  # the terminal has seen 1.1's metadata
    shutil.rmtree(repository)
    shutil.copytree(platform.at_1_0, repository)  # the server offers 1.0's, validly signed
    with pytest.raises(exceptions.BadVersionNumberError):
        channel(platform, tmp_path).latest()


def test_a_frozen_repository_is_refused_once_its_timestamp_expired(platform, repository,
                                                                   tmp_path):
    refresh_timestamp(platform.data_dir, platform.release_keys, days=1,
                      now=datetime.now(UTC) - timedelta(days=2))
    with pytest.raises(exceptions.ExpiredMetadataError):
        channel(platform, tmp_path).latest()


def test_mix_and_match_of_two_publications_is_refused(platform, repository, tmp_path):
    metadata = repository / "metadata"
    shutil.copy(metadata / "1.snapshot.json", metadata / "2.snapshot.json")
    with pytest.raises(exceptions.LengthOrHashMismatchError):
        channel(platform, tmp_path).latest()


def test_a_target_slipped_into_unsigned_metadata_is_refused(platform, repository, tmp_path):
    path = repository / "metadata" / "2.targets.json"
    targets = json.loads(path.read_text())
    targets["signed"]["targets"]["files/evil.so"] = {"length": 4, "hashes": {"sha256": "0" * 64}}
    path.write_text(json.dumps(targets))
    with pytest.raises(exceptions.UnsignedMetadataError):
        channel(platform, tmp_path).latest()


def test_a_file_that_is_no_signed_target_is_never_fetched(platform, repository, tmp_path):
    release = channel(platform, tmp_path).latest()
    forged = type(release.files["kiosk"])("../../etc/evil", "0" * 64, 4, 0o755)
    with pytest.raises(ReleaseInvalid):
        channel(platform, tmp_path).download(forged, tmp_path / "evil")
    assert not (tmp_path / "evil").exists()


def test_a_tampered_target_is_refused_and_not_written(platform, repository, tmp_path):
    updates = channel(platform, tmp_path)
    item = updates.latest().files["_internal/kiosk/version.py"]
    stored = repository / "targets" / "files" / "_internal" / "kiosk" / f"{item.sha256}.version.py"
    stored.write_text("VERSION = '6.6'\n")  # same length, other bytes
    with pytest.raises(exceptions.LengthOrHashMismatchError):
        updates.download(item, tmp_path / "version.py")
    assert not (tmp_path / "version.py").exists()


def test_endless_metadata_is_cut_off(platform, repository, tmp_path):
    with (repository / "metadata" / "timestamp.json").open("wb") as endless:
        endless.write(b"{" + b" " * (8 * 1024 * 1024))
    with pytest.raises(exceptions.DownloadLengthMismatchError):
        channel(platform, tmp_path).latest()


def test_an_endless_target_is_cut_off_at_its_signed_length(platform, repository, tmp_path):
    updates = channel(platform, tmp_path)
    item = updates.latest().files["_internal/lib0.so"]
    stored = repository / "targets" / "files" / "_internal" / f"{item.sha256}.lib0.so"
    with stored.open("ab") as endless:
        endless.write(b"\0" * (4 * 1024 * 1024))
    with pytest.raises(exceptions.DownloadLengthMismatchError):
        updates.download(item, tmp_path / "lib0.so")
    assert not (tmp_path / "lib0.so").exists()
