"""Key files: modes, reloading, refusing damaged or exposed keys."""

from __future__ import annotations

import os
import stat

import pytest

from egov_protocol.errors import KeyFileError
from egov_protocol.keys import TERMINAL_SIGNING_KEY_FILE, PlatformKeys, TerminalKeys


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_load_or_create_makes_private_files(tmp_path):
    directory = tmp_path / "a" / "keys"
    keys = TerminalKeys.load_or_create(directory)
    assert mode(directory) == 0o700
    assert mode(directory / TERMINAL_SIGNING_KEY_FILE) == 0o600
    assert len(keys.public_key) == 32 and keys.key_id.startswith("ed25519:")
    assert [p.name for p in directory.iterdir()] == [TERMINAL_SIGNING_KEY_FILE]


def test_reloading_gives_the_same_key(tmp_path):
    first = TerminalKeys.load_or_create(tmp_path / "keys")
    second = TerminalKeys.load_or_create(tmp_path / "keys")
    assert first.public_key == second.public_key and first.key_id == second.key_id
    message = b"signed"
    first.signing_key.public_key().verify(second.signing_key.sign(message), message)


def test_an_existing_open_directory_is_tightened(tmp_path):
    directory = tmp_path / "keys"
    directory.mkdir(mode=0o755)
    os.chmod(directory, 0o755)
    TerminalKeys.load_or_create(directory)
    assert mode(directory) == 0o700


def test_a_key_readable_by_others_is_refused(tmp_path):
    TerminalKeys.load_or_create(tmp_path / "keys")
    os.chmod(tmp_path / "keys" / TERMINAL_SIGNING_KEY_FILE, 0o644)
    with pytest.raises(KeyFileError, match="0644"):
        TerminalKeys.load_or_create(tmp_path / "keys")


def test_a_damaged_key_file_is_refused(tmp_path):
    TerminalKeys.load_or_create(tmp_path / "keys")
    (tmp_path / "keys" / TERMINAL_SIGNING_KEY_FILE).write_bytes(b"-----BEGIN junk")
    with pytest.raises(KeyFileError, match="not a PEM private key"):
        TerminalKeys.load_or_create(tmp_path / "keys")


def test_a_key_of_the_wrong_type_is_refused(tmp_path):
    PlatformKeys.load_or_create(tmp_path / "keys")
    os.replace(tmp_path / "keys" / "platform-x25519.pem",
               tmp_path / "keys" / TERMINAL_SIGNING_KEY_FILE)
    with pytest.raises(KeyFileError, match="X25519"):
        TerminalKeys.load_or_create(tmp_path / "keys")


def test_platform_keys_are_created_once(tmp_path):
    first = PlatformKeys.load_or_create(tmp_path / "p")
    second = PlatformKeys.load_or_create(tmp_path / "p")
    assert first.x25519_public == second.x25519_public
    assert first.ed25519_public == second.ed25519_public
    assert "signing_key" not in repr(first) or "Ed25519PrivateKey" not in repr(first)
