"""Issuing and verifying signed, expiring, single-use test codes (the service's worker threads;
:class:`CodeBook` is thread-safe)."""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

PREFIX = "NETID1"
#: How a 网证 proves identity, and the level each gives (higher is stronger).
LEVELS = {1: "netid", 2: "netid+face"}


class Refusal(StrEnum):
    """Why a code was not accepted."""

    MALFORMED = "malformed"
    BAD_SIGNATURE = "bad_signature"
    EXPIRED = "expired"
    ALREADY_USED = "already_used"
    UNKNOWN = "unknown"


class Refused(Exception):
    """A code was refused for ``reason``."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class Holder:
    """The person a code stands for."""

    name: str
    id_number: str
    level: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CodeBook:
    """Issues codes for holders and verifies them once each."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._key = Ed25519PrivateKey.generate()
        self._clock = clock
        self._holders: dict[str, tuple[Holder, float]] = {}
        self._used: set[str] = set()
        self._lock = threading.Lock()

    def issue(self, holder: Holder, ttl_s: float = 180.0, *, kind: str = "valid") -> tuple[str, float]:
        """A new code for ``holder`` and its expiry (Unix seconds). ``kind`` "expired" makes one
        already past its expiry, "forged" one signed by another key (demo buttons, tests)."""
        if holder.level not in LEVELS:
            raise ValueError(f"level must be one of {sorted(LEVELS)}")
        if kind not in ("valid", "expired", "forged"):
            raise ValueError("kind must be valid, expired or forged")
        now = self._clock()
        code_id = secrets.token_hex(12)
        expires = now - 1.0 if kind == "expired" else now + ttl_s
        payload = json.dumps({"id": code_id, "iat": int(now), "exp": expires, "iss": "netid-sim"},
                             separators=(",", ":")).encode()
        body = f"{PREFIX}.{_b64(payload)}"
        signer = Ed25519PrivateKey.generate() if kind == "forged" else self._key
        signature = signer.sign(body.encode("ascii"))
        with self._lock:
            self._holders[code_id] = (holder, expires)
        return f"{body}.{_b64(signature)}", expires

    def verify(self, code: str) -> Holder:
        """The holder of ``code``, which is then used up; raises :class:`Refused`."""
        parts = code.split(".")
        if len(parts) != 3 or parts[0] != PREFIX:
            raise Refused(Refusal.MALFORMED)
        try:
            payload_bytes, signature = _unb64(parts[1]), _unb64(parts[2])
        except (binascii.Error, ValueError):
            raise Refused(Refusal.MALFORMED) from None
        try:
            self._key.public_key().verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
        except (InvalidSignature, UnicodeEncodeError):
            raise Refused(Refusal.BAD_SIGNATURE) from None
        payload = json.loads(payload_bytes)
        code_id = payload["id"]
        with self._lock:
            if code_id in self._used:
                raise Refused(Refusal.ALREADY_USED)
            found = self._holders.get(code_id)
            if found is None:
                raise Refused(Refusal.UNKNOWN)
            if self._clock() >= found[1]:
                raise Refused(Refusal.EXPIRED)
            self._used.add(code_id)
            del self._holders[code_id]
        return found[0]
