"""Threshold signing of the update root: a role's key replaced with the threshold of root keys
is followed by terminals through the new root; a root signed by fewer root keys than the
threshold (one stolen root key) is refused, and the platform will not even make one."""

from __future__ import annotations

import json

import pytest
from tuf.api import exceptions
from tuf.api.metadata import Metadata

from central.cli import main as central
from central.releases import ReleaseError, role_signer, rotate_key
from sync.updates import ReleaseChannel
from tests.update_builds import make_build, trusted_root


@pytest.fixture
def repository(tmp_path):
    data, keys = tmp_path / "platform", tmp_path / "keys"
    common = ["--keys", str(keys), "--data-dir", str(data)]
    assert central(["release", "init-keys", "--root-keys", "3", "--threshold", "2", *common]) == 0
    assert central(["release", "publish", str(make_build(tmp_path / "1.0", "1.0")),
                    "--version", "1.0", *common]) == 0
    return data, keys, common


def channel(data, tmp_path) -> ReleaseChannel:
    return ReleaseChannel.from_folder(data / "updates", tmp_path / "terminal-tuf",
                                      trusted_root(data))


def test_a_rotated_targets_key_is_followed_by_terminals(repository, tmp_path, capsys):
    data, keys, common = repository
    assert channel(data, tmp_path).latest().version == "1.0"
    (keys / "root-3.pem").rename(tmp_path / "offline-root-3.pem")  # two of three suffice
    assert central(["release", "rotate-key", "--role", "targets", *common]) == 0
    assert "root version 2" in capsys.readouterr().out
    assert list(keys.glob("targets.retired-*.pem"))
    assert central(["release", "publish", str(make_build(tmp_path / "1.1", "1.1")),
                    "--version", "1.1", *common]) == 0
    assert channel(data, tmp_path).latest().version == "1.1"
    root = json.loads((tmp_path / "terminal-tuf" / "root.json").read_text())
    assert root["signed"]["version"] == 2


def test_fewer_root_keys_than_the_threshold_make_no_root(repository, tmp_path):
    data, keys, _ = repository
    for name in ("root-2.pem", "root-3.pem"):
        (keys / name).rename(tmp_path / name)
    with pytest.raises(ReleaseError, match="needs 2 root keys; 1"):
        rotate_key(data, keys, "timestamp")
    assert not (data / "updates" / "metadata" / "2.root.json").exists()


def test_a_root_signed_with_one_stolen_root_key_is_refused(repository, tmp_path):
    data, keys, _ = repository
    assert channel(data, tmp_path).latest().version == "1.0"
    forged = Metadata.from_bytes((data / "updates/metadata/1.root.json").read_bytes())
    forged.signed.version = 2
    forged.signatures.clear()
    forged.sign(role_signer(keys, "root-1"))  # 1 of the 3, threshold 2
    (data / "updates/metadata/2.root.json").write_bytes(forged.to_bytes())
    with pytest.raises(exceptions.UnsignedMetadataError):
        channel(data, tmp_path).latest()
