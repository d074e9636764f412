"""The terminal's keys and its enrollment with the central platform.

The terminal signs with its own Ed25519 key (created once, kept in ``<data_dir>/keys``) and seals
to the platform's X25519 public key, which it learns when a staff member enrolls it with a
one-time token (``kioskctl enroll --token``). Until then it refuses submissions with a message
staff understand, rather than storing anything unsealed.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
import threading
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from egov_protocol.keys import TerminalKeys

PLATFORM_FILE = "platform.json"


@dataclass(frozen=True)
class PlatformKeys:
    """The central platform's public keys: X25519 to seal to, Ed25519 to verify what it signs."""

    x25519_public: bytes
    ed25519_public: bytes
    central_url: str
    terminal_id: str
    #: When the platform made ``x25519_public`` its sealing key ("" before any rotation): a
    #: sealing key is only ever replaced by one with a later time (no rollback by replay).
    sealing_key_since: str = ""

    def to_json(self) -> str:
        """Serialised form of ``platform.json``."""
        return json.dumps(
            {
                "x25519_public_key": base64.b64encode(self.x25519_public).decode(),
                "ed25519_public_key": base64.b64encode(self.ed25519_public).decode(),
                "central_url": self.central_url,
                "terminal_id": self.terminal_id,
                "sealing_key_since": self.sealing_key_since,
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> PlatformKeys:
        """Parse ``platform.json``; raises ``ValueError`` with the reason when it is unusable."""
        try:
            data = json.loads(text)
            keys = cls(
                base64.b64decode(data["x25519_public_key"], validate=True),
                base64.b64decode(data["ed25519_public_key"], validate=True),
                str(data["central_url"]),
                str(data["terminal_id"]),
                str(data.get("sealing_key_since") or ""),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"platform keys file is not usable: {exc}") from None
        if len(keys.x25519_public) != 32 or len(keys.ed25519_public) != 32:
            raise ValueError("platform keys file is not usable: keys must be 32 bytes")
        return keys


class Enrollment:
    """Keys and enrollment state under ``<data_dir>``. Thread-safe; file I/O happens on first use."""

    def __init__(self, data_dir: Path, platform_keys_file: str = "") -> None:
        """Keys live in ``data_dir/keys``; the platform's keys in ``platform_keys_file``."""
        self._data_dir = data_dir
        self._platform_file = Path(platform_keys_file) if platform_keys_file else data_dir / PLATFORM_FILE
        self._lock = threading.Lock()
        self._terminal_keys: TerminalKeys | None = None

    @property
    def data_dir(self) -> Path:
        """The terminal's data folder."""
        return self._data_dir

    def _keys(self) -> TerminalKeys:
        with self._lock:
            if self._terminal_keys is None:
                self._terminal_keys = TerminalKeys.load_or_create(self._data_dir / "keys")
            return self._terminal_keys

    def signing_key(self) -> Ed25519PrivateKey:
        """The terminal's Ed25519 signing key (created on first use)."""
        return self._keys().signing_key

    def public_key_bytes(self) -> bytes:
        """The terminal's raw 32-byte Ed25519 public key, for registration."""
        return self._keys().public_key

    def terminal_key_id(self) -> str:
        """A short fingerprint of the terminal key, carried in every envelope."""
        return self._keys().key_id

    def platform_keys(self) -> PlatformKeys | None:
        """The enrolled platform's keys, or ``None`` when this terminal is not enrolled."""
        try:
            text = self._platform_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return PlatformKeys.from_json(text)

    def forget_cached_keys(self) -> None:
        """Read the terminal key from disk again on next use (after ``kioskctl rekey``)."""
        with self._lock:
            self._terminal_keys = None

    def adopt_sealing_key(self, body: dict[str, Any]) -> bool:
        """Seal to the key of a verified ``platform-keys`` document body from now on, if it is
        newer than the one held (``sealing_key_since`` later); True when it changed. Raises
        ``ValueError`` for a malformed body. Calling thread (file I/O)."""
        try:
            x25519 = base64.b64decode(body["x25519_public"], validate=True)
            since = str(body.get("sealing_key_since") or "")
            since_at = datetime.fromisoformat(since) if since else None
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"platform-keys document is not usable: {exc}") from None
        if len(x25519) != 32 or (since_at is not None and since_at.tzinfo is None):
            raise ValueError("platform-keys document is not usable: bad key or time")
        held = self.platform_keys()
        if held is None or since_at is None or x25519 == held.x25519_public:
            return False
        if held.sealing_key_since and datetime.fromisoformat(held.sealing_key_since) >= since_at:
            return False  # an older document (replayed, or fetched before a re-enrollment)
        self.save_platform_keys(replace(held, x25519_public=x25519, sealing_key_since=since))
        return True

    def save_platform_keys(self, keys: PlatformKeys) -> None:
        """Record a completed enrollment atomically (write, fsync, rename)."""
        self._platform_file.parent.mkdir(parents=True, exist_ok=True)
        # A temporary of its own: the sync thread and maintenance may both record at once.
        fd, name = tempfile.mkstemp(prefix=".platform.", suffix=".tmp", dir=self._platform_file.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(keys.to_json())
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(name, self._platform_file)
        finally:
            Path(name).unlink(missing_ok=True)
