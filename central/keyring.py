"""The platform's keys and their history: the current sealing key, the sealing keys retired by
``kiosk-central rotate-keys``, and the grace period of retired keys.

Terminals seal to the platform's X25519 key. A rotation writes a fresh one in place of
``platform-x25519.pem`` and keeps the old one as ``platform-x25519.retired-<UTC time>.pem`` (the
file name records when it was retired; mode 0600 in the 0700 key folder, like every key here).
Envelopes queued on a terminal before it learnt the new key are sealed to the old one, so for
``grace_days`` after its retirement a retired key still opens envelopes that arrive; after that
an envelope sealed to it is refused with a reason naming the key and the date. Retired keys are
kept (not deleted) afterwards: ``kiosk-central export`` needs them for what was stored under
them. The same grace applies to the terminals' retired signing keys (``central.terminal_keys``).

The Ed25519 key that signs the platform's documents is the terminals' trust anchor (pinned at
enrollment) and is not rotated here.

``PlatformKeyring`` notices a rotation made while the platform is serving (the key file is
replaced, so its inode changes; the folder gains a file) and reloads; it is thread-safe.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from egov_protocol.keys import (
    PLATFORM_ENCRYPTION_KEY_FILE,
    PlatformKeys,
    load_private_key,
    write_private_key,
    x25519_key_id,
)

GRACE_ENV = "KIOSK_CENTRAL_KEY_GRACE_DAYS"
DEFAULT_GRACE_DAYS = 30.0
RETIRED_PREFIX = "platform-x25519.retired-"
_STAMP = "%Y%m%dT%H%M%S.%fZ"
_RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


def grace_days(value: str | float | None = None) -> float:
    """The grace period in days: ``value``, else ``$KIOSK_CENTRAL_KEY_GRACE_DAYS``, else 30.
    Raises ``ValueError`` for a negative or unreadable value."""
    if value is None or value == "":
        value = os.environ.get(GRACE_ENV) or DEFAULT_GRACE_DAYS
    days = float(value)
    if not days >= 0:  # also refuses NaN
        raise ValueError(f"the key grace period must be 0 days or more, not {value!r}")
    return days


def _public(key: X25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(*_RAW)


@dataclass(frozen=True)
class RetiredSealingKey:
    """A sealing key replaced by a rotation, and when."""

    key: X25519PrivateKey = field(repr=False)
    key_id: str
    retired_at: datetime


def _retired_keys(directory: Path, current: bytes) -> tuple[RetiredSealingKey, ...]:
    found = []
    for path in directory.glob(f"{RETIRED_PREFIX}*.pem"):
        try:
            when = datetime.strptime(path.name[len(RETIRED_PREFIX):-4], _STAMP)
        except ValueError:
            continue  # not one of ours
        key = load_private_key(path, X25519PrivateKey)
        if _public(key) != current:  # a rotation interrupted before the new key was written
            found.append(RetiredSealingKey(key, x25519_key_id(_public(key)),
                                           when.replace(tzinfo=UTC)))
    return tuple(sorted(found, key=lambda k: k.retired_at, reverse=True))


class PlatformKeyring:
    """The platform's current keys plus its retired sealing keys, read from ``directory``
    (created at first use). Any thread."""

    def __init__(self, directory: str | Path, grace: float = DEFAULT_GRACE_DAYS) -> None:
        """``grace`` in days: how long a retired key still opens arriving envelopes."""
        self.directory = Path(directory)
        self.grace = timedelta(days=grace)
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._keys: PlatformKeys | None = None
        self._retired: tuple[RetiredSealingKey, ...] = ()
        self._refresh()

    def _refresh(self) -> PlatformKeys:
        try:  # a few microseconds per request; names, not the folder's coarse mtime
            current = os.stat(self.directory / PLATFORM_ENCRYPTION_KEY_FILE)
            stamp = (tuple(sorted(os.listdir(self.directory))), current.st_ino,
                     current.st_mtime_ns)
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if self._keys is None or stamp is None or stamp != self._stamp:
                keys = PlatformKeys.load_or_create(self.directory)
                self._retired = _retired_keys(self.directory, keys.x25519_public)
                self._keys = keys
                self._stamp = stamp
            return self._keys

    # -- what the current keys are -------------------------------------------------------------

    @property
    def encryption_key(self) -> X25519PrivateKey:
        """The current sealing key (private)."""
        return self._refresh().encryption_key

    @property
    def signing_key(self) -> Ed25519PrivateKey:
        """The Ed25519 key that signs documents and acknowledgements."""
        return self._refresh().signing_key

    @property
    def x25519_public(self) -> bytes:
        """The current sealing key, public."""
        return self._refresh().x25519_public

    @property
    def ed25519_public(self) -> bytes:
        """The platform's Ed25519 public key."""
        return self._refresh().ed25519_public

    @property
    def key_id(self) -> str:
        """The name of the platform's signing key."""
        return self._refresh().key_id

    @property
    def rotations(self) -> int:
        """How many times the sealing key was rotated (retired keys are kept, so it only
        grows): the version of the signed ``platform-keys`` document."""
        self._refresh()
        with self._lock:
            return len(self._retired)

    def sealing_key(self) -> dict:
        """The current sealing key as terminals learn it: ``x25519_public`` (base64),
        ``sealing_key_id`` and ``sealing_key_since`` (when it replaced the previous one, ISO
        8601 UTC; empty for a platform that never rotated). Terminals adopt a key only if its
        ``since`` is later than the one they hold, so a replayed old answer cannot roll back."""
        import base64

        keys = self._refresh()
        with self._lock:
            since = self._retired[0].retired_at.isoformat(timespec="microseconds") \
                if self._retired else ""
        return {"x25519_public": base64.b64encode(keys.x25519_public).decode(),
                "sealing_key_id": x25519_key_id(keys.x25519_public), "sealing_key_since": since}

    # -- which keys open an envelope -------------------------------------------------------------

    def opening_keys(self, now: datetime | None = None) -> list[X25519PrivateKey]:
        """The current sealing key, then the retired ones still within the grace period."""
        keys = self._refresh()
        now = now or datetime.now(UTC)
        with self._lock:
            retired = [r.key for r in self._retired if now - r.retired_at <= self.grace]
        return [keys.encryption_key, *retired]

    def expired(self, now: datetime | None = None) -> list[RetiredSealingKey]:
        """Retired sealing keys past the grace period (kept for export and for a clear refusal)."""
        self._refresh()
        now = now or datetime.now(UTC)
        with self._lock:
            return [r for r in self._retired if now - r.retired_at > self.grace]

    def all_sealing_keys(self) -> list[X25519PrivateKey]:
        """Every sealing key, current first: ``kiosk-central export`` opens what was stored."""
        keys = self._refresh()
        with self._lock:
            return [keys.encryption_key, *(r.key for r in self._retired)]


def rotate_sealing_key(directory: str | Path, now: datetime | None = None
                       ) -> tuple[str, str, datetime]:
    """Retire the current sealing key (kept as ``platform-x25519.retired-<time>.pem``) and put a
    fresh one in its place; returns ``(retired key id, new key id, retirement time)``.

    Crash-safe in order: the retired copy is written (fsynced) before the current file is
    atomically replaced, so no moment exists where the old key is in neither file."""
    directory = Path(directory)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    old = PlatformKeys.load_or_create(directory).encryption_key
    write_private_key(directory / f"{RETIRED_PREFIX}{now.strftime(_STAMP)}.pem", old)
    new = X25519PrivateKey.generate()
    write_private_key(directory / PLATFORM_ENCRYPTION_KEY_FILE, new, replace=True)
    return x25519_key_id(_public(old)), x25519_key_id(_public(new)), now
