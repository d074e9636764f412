"""Key files of a terminal (Ed25519 signing key) and of the central platform (X25519 + Ed25519).

Private keys are unencrypted PKCS#8 PEM files of mode 0600 in a directory of mode 0700; a key file
that others can read is refused (like ssh does), because such a key may already be copied.
A TPM- or keystore-held key is a later step. Creation is atomic: the key is written to a temporary
file, fsynced and hard-linked into place, so two processes starting together agree on one key.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from .errors import KeyFileError

TERMINAL_SIGNING_KEY_FILE = "terminal-ed25519.pem"
PLATFORM_ENCRYPTION_KEY_FILE = "platform-x25519.pem"
PLATFORM_SIGNING_KEY_FILE = "platform-ed25519.pem"

_RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw
_Key = TypeVar("_Key", Ed25519PrivateKey, X25519PrivateKey)


def key_id_for(public_key: bytes) -> str:
    """A short, stable name for a raw public key: ``"ed25519:"`` + 16 hex of its SHA-256."""
    return "ed25519:" + hashlib.sha256(public_key).hexdigest()[:16]


def ed25519_public_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The raw 32-byte public key."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(*_RAW)


@dataclass(frozen=True)
class TerminalKeys:
    """The terminal's Ed25519 signing key, used to sign every sealed envelope."""

    signing_key: Ed25519PrivateKey = field(repr=False)
    public_key: bytes
    key_id: str

    @classmethod
    def load_or_create(cls, directory: str | Path) -> TerminalKeys:
        """Load the key from ``directory``, creating directory (0700) and key (0600) if absent.

        Raises ``KeyFileError`` when the file is malformed or readable by group/others.
        """
        key = _load_or_create(Path(directory) / TERMINAL_SIGNING_KEY_FILE, Ed25519PrivateKey)
        public = ed25519_public_bytes(key)
        return cls(signing_key=key, public_key=public, key_id=key_id_for(public))

    @property
    def public_key_b64(self) -> str:
        """The public key as standard base64, as the registration endpoint takes it."""
        return base64.b64encode(self.public_key).decode("ascii")


@dataclass(frozen=True)
class PlatformKeys:
    """The central platform's keys: X25519 to open envelopes, Ed25519 to sign what it issues."""

    encryption_key: X25519PrivateKey = field(repr=False)
    signing_key: Ed25519PrivateKey = field(repr=False)

    @classmethod
    def load_or_create(cls, directory: str | Path) -> PlatformKeys:
        """Load both keys from ``directory``, creating them at first start (same rules as above)."""
        directory = Path(directory)
        return cls(
            encryption_key=_load_or_create(
                directory / PLATFORM_ENCRYPTION_KEY_FILE, X25519PrivateKey
            ),
            signing_key=_load_or_create(directory / PLATFORM_SIGNING_KEY_FILE, Ed25519PrivateKey),
        )

    @property
    def x25519_public(self) -> bytes:
        """Raw 32-byte X25519 public key that terminals seal to."""
        return self.encryption_key.public_key().public_bytes(*_RAW)

    @property
    def ed25519_public(self) -> bytes:
        """Raw 32-byte Ed25519 public key of the platform."""
        return ed25519_public_bytes(self.signing_key)

    @property
    def key_id(self) -> str:
        """Name of the platform's signing key."""
        return key_id_for(self.ed25519_public)


def _ensure_private_directory(directory: Path) -> None:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    mode = stat.S_IMODE(directory.stat().st_mode)
    if mode & 0o077:
        # mkdir's mode is filtered by the umask and ignored for an existing directory.
        os.chmod(directory, 0o700)


def _load_or_create(path: Path, key_type: type[_Key]) -> _Key:
    _ensure_private_directory(path.parent)
    if not path.exists():
        _create(path, key_type.generate())
    return _load(path, key_type)


def _create(path: Path, key: Ed25519PrivateKey | X25519PrivateKey) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)  # fails if another process created the key first
        except FileExistsError:
            pass
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        temporary.unlink(missing_ok=True)


def _load(path: Path, key_type: type[_Key]) -> _Key:
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise KeyFileError(
                f"key file {path} has mode {mode:04o}; it must be 0600 (owner only). "
                "The key may have been copied: replace it and re-register the terminal."
            )
        data = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc}") from exc
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(f"key file {path} is not a PEM private key") from exc
    if not isinstance(key, key_type):
        raise KeyFileError(f"key file {path} holds a {type(key).__name__}, not a {key_type.__name__}")
    return key
