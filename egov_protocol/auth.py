"""Request signatures of the sync protocol (both sides; no HTTP library here).

Every terminal request after enrollment carries five headers::

    X-Egov-Terminal   the terminal id
    X-Egov-Date       RFC 3339 UTC time of signing, e.g. 2026-03-01T08:00:00.000000+00:00
    X-Egov-Nonce      32 lower-case hex characters, never reused
    X-Egov-Digest     SHA-256 hex of the exact body bytes (of b"" when there is none)
    X-Egov-Signature  standard base64 of the Ed25519 signature of ``signing_input``

The platform rejects a request whose date is more than ``WINDOW_S`` away from its clock, whose
digest does not match the body, whose signature does not verify, or whose nonce it has already
seen from that terminal (it remembers nonces for twice the window). Nothing secret is in a URL.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

WINDOW_S = 300.0
TERMINAL = "X-Egov-Terminal"
DATE = "X-Egov-Date"
NONCE = "X-Egov-Nonce"
DIGEST = "X-Egov-Digest"
SIGNATURE = "X-Egov-Signature"
_CONTEXT = "egov-kiosk/request/v1"
_NONCE = re.compile(r"^[0-9a-f]{32}$")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


class SignatureRejected(Exception):
    """The request's signature headers are missing, malformed, stale or do not verify."""


def signing_input(method: str, path: str, terminal_id: str, date: str, nonce: str,
                  digest: str) -> bytes:
    """The exact bytes signed: context, method, path (with query), terminal, date, nonce, digest."""
    return "\n".join((_CONTEXT, method.upper(), path, terminal_id, date, nonce, digest)).encode()


def sign_request(key: Ed25519PrivateKey, terminal_id: str, method: str, path: str, body: bytes,
                 now: datetime | None = None) -> dict[str, str]:
    """The signature headers for one request. Any thread."""
    date = (now or datetime.now(UTC)).astimezone(UTC).isoformat(
        timespec="microseconds")
    nonce = secrets.token_hex(16)
    digest = hashlib.sha256(body).hexdigest()
    signature = key.sign(signing_input(method, path, terminal_id, date, nonce, digest))
    return {TERMINAL: terminal_id, DATE: date, NONCE: nonce, DIGEST: digest,
            SIGNATURE: base64.b64encode(signature).decode("ascii")}


@dataclass(frozen=True)
class SignedRequest:
    """The parsed signature headers of a request, before the signature is checked."""

    terminal_id: str
    date: datetime
    date_text: str
    nonce: str
    digest: str
    signature: bytes

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> SignedRequest:
        """Parse the headers (any mapping with ``get``); raises ``SignatureRejected``."""
        found = {name: headers.get(name) for name in (TERMINAL, DATE, NONCE, DIGEST, SIGNATURE)}
        missing = [name for name, value in found.items() if not value]
        if missing:
            raise SignatureRejected(f"unsigned request: missing {', '.join(missing)}")
        values = {name: value for name, value in found.items() if value}
        try:
            when = datetime.fromisoformat(values[DATE])
        except ValueError:
            raise SignatureRejected("X-Egov-Date is not an RFC 3339 time") from None
        if when.tzinfo is None:
            raise SignatureRejected("X-Egov-Date has no time zone")
        if not _NONCE.fullmatch(values[NONCE]):
            raise SignatureRejected("X-Egov-Nonce must be 32 lower-case hex characters")
        if not _DIGEST.fullmatch(values[DIGEST]):
            raise SignatureRejected("X-Egov-Digest must be a SHA-256 hex string")
        try:
            signature = base64.b64decode(values[SIGNATURE], validate=True)
        except (binascii.Error, ValueError):
            raise SignatureRejected("X-Egov-Signature is not base64") from None
        if len(signature) != 64:
            raise SignatureRejected("X-Egov-Signature is not an Ed25519 signature")
        return cls(values[TERMINAL], when, values[DATE], values[NONCE], values[DIGEST], signature)

    def verify(self, public_key: bytes, method: str, path: str, body: bytes,
               now: datetime | None = None, window_s: float = WINDOW_S) -> None:
        """Check window, digest and signature (the caller records the nonce)."""
        if hashlib.sha256(body).hexdigest() != self.digest:
            raise SignatureRejected("body does not match X-Egov-Digest")
        self.verify_headers(public_key, method, path, now, window_s)

    def verify_headers(self, public_key: bytes, method: str, path: str,
                       now: datetime | None = None, window_s: float = WINDOW_S) -> None:
        """Check window and signature without the body: the signature covers the body's
        digest as the header states it, so a server can refuse a stranger before reading a
        byte of the body (``verify`` then checks the body against that digest)."""
        now = now or datetime.now(UTC)
        skew = abs((now - self.date).total_seconds())
        if skew > window_s:
            raise SignatureRejected(
                f"request date is {skew:.0f} s away from the platform clock (limit "
                f"{window_s:.0f} s): check the terminal's clock")
        try:
            Ed25519PublicKey.from_public_bytes(public_key).verify(
                self.signature,
                signing_input(method, path, self.terminal_id, self.date_text, self.nonce,
                              self.digest))
        except (InvalidSignature, ValueError):
            raise SignatureRejected("request signature does not verify") from None
