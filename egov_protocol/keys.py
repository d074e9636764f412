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
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from .errors import KeyFileError

TERMINAL_SIGNING_KEY_FILE = "terminal-ed25519.pem"
#: A re-key's new signing key until the platform has registered it (``kioskctl rekey``).
TERMINAL_NEXT_KEY_FILE = "terminal-ed25519.next.pem"
PLATFORM_ENCRYPTION_KEY_FILE = "platform-x25519.pem"
PLATFORM_SIGNING_KEY_FILE = "platform-ed25519.pem"

_RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw
_Key = TypeVar("_Key", Ed25519PrivateKey, X25519PrivateKey)


def key_id_for(public_key: bytes) -> str:
    """A short, stable name for a raw public key: ``"ed25519:"`` + 16 hex of its SHA-256."""
    return "ed25519:" + hashlib.sha256(public_key).hexdigest()[:16]


def platform_fingerprint(ed25519_public: bytes) -> str:
    """What an operator hands over with an enrollment token so the terminal can pin the
    platform's signing key: ``"sha256:"`` + the full SHA-256 hex of the raw Ed25519 key."""
    return "sha256:" + hashlib.sha256(ed25519_public).hexdigest()


def x25519_key_id(public_key: bytes) -> str:
    """The name of a platform sealing key: ``"x25519:"`` + 16 hex of its SHA-256."""
    return "x25519:" + hashlib.sha256(public_key).hexdigest()[:16]


_REKEY_CONTEXT = b"egov-kiosk/rekey/v1\x00"


def rekey_proof_message(terminal_id: str, public_key: bytes) -> bytes:
    """What a terminal's new key signs to show the platform it holds that key (``kioskctl
    rekey``): a registration cannot name a key its sender does not have."""
    return _REKEY_CONTEXT + terminal_id.encode() + b"\x00" + public_key


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

    @classmethod
    def load_or_create_next(cls, directory: str | Path) -> TerminalKeys:
        """The pending key of a re-key (``terminal-ed25519.next.pem``), created once: a re-key
        interrupted after the platform registered it goes on with the same key."""
        key = _load_or_create(Path(directory) / TERMINAL_NEXT_KEY_FILE, Ed25519PrivateKey)
        public = ed25519_public_bytes(key)
        return cls(signing_key=key, public_key=public, key_id=key_id_for(public))

    @staticmethod
    def promote_next(directory: str | Path) -> None:
        """Make the pending key the terminal's key (atomic rename; the old key is gone)."""
        directory = Path(directory)
        os.replace(directory / TERMINAL_NEXT_KEY_FILE, directory / TERMINAL_SIGNING_KEY_FILE)
        _fsync_directory(directory)

    def rekey_proof(self, terminal_id: str) -> bytes:
        """This key's signature of ``rekey_proof_message`` for ``terminal_id``."""
        return self.signing_key.sign(rekey_proof_message(terminal_id, self.public_key))

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


def _create(path: Path, key: Ed25519PrivateKey | X25519PrivateKey, *,
            replace: bool = False) -> None:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # A name of its own for every writer: two threads of one process may create the key at once
    # (the audit chain and enrollment both ask for it on first start).
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            if replace:
                os.replace(temporary, path)
            else:
                os.link(temporary, path)  # fails if another process created the key first
        except FileExistsError:
            pass
        _fsync_directory(path.parent)
    finally:
        temporary.unlink(missing_ok=True)


def write_private_key(path: Path, key: Ed25519PrivateKey | X25519PrivateKey, *,
                      replace: bool = False) -> None:
    """Write ``key`` to ``path`` (mode 0600, in a 0700 directory), fsynced; atomically replacing
    an existing file when ``replace`` (a platform key rotation), else keeping one that exists."""
    _ensure_private_directory(path.parent)
    _create(path, key, replace=replace)


def load_private_key(path: Path, key_type: type[_Key]) -> _Key:
    """Load a key file written by this module (mode checked, see the module docstring)."""
    return _load(path, key_type)


def _fsync_directory(directory: Path) -> None:
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


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
