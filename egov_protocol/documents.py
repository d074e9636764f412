"""Platform-signed documents: the catalog, forms and settings a terminal pulls.

A document is canonical JSON ``{"body", "etag", "issued_at", "kind", "signature", "version"}``;
``signature`` is the platform's Ed25519 signature over a context string plus the canonical JSON of
every other field. ``etag`` is the SHA-256 hex of the canonical body, sent as the HTTP ETag so an
unchanged document costs a 304. The terminal verifies before use and keeps the last good copy.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KINDS = ("catalog", "forms", "settings")
#: The platform's current sealing key, signed like the other documents (``central.rekey``);
#: served from the platform's keys, never published by an operator.
PLATFORM_KEYS = "platform-keys"
_CONTEXT = b"egov-kiosk/document/v1\x00"
_FIELDS = {"body", "etag", "issued_at", "kind", "signature", "version"}


class DocumentError(ValueError):
    """A pulled document is malformed, for another kind, or not signed by the platform."""


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def body_etag(body: object) -> str:
    """The ETag of a document body."""
    return hashlib.sha256(_canonical(body)).hexdigest()


def sign_document(kind: str, body: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """The signed document for ``body`` (platform side)."""
    etag = body_etag(body)
    document = {"kind": kind, "version": etag[:12], "etag": etag, "body": body,
                "issued_at": datetime.now(UTC).isoformat(timespec="seconds")}
    document["signature"] = base64.b64encode(key.sign(_CONTEXT + _canonical(document))).decode()
    return document


def verify_document(data: object, kind: str, public_key: bytes) -> dict[str, Any]:
    """Check a document's shape, kind, ETag and signature; return it. Raises ``DocumentError``."""
    if not isinstance(data, dict) or set(data) != _FIELDS:
        raise DocumentError("document does not have the expected fields")
    if data["kind"] != kind:
        raise DocumentError(f"document is a {data['kind']!r}, expected {kind!r}")
    if not isinstance(data["body"], dict):
        raise DocumentError("document body is not an object")
    if data["etag"] != body_etag(data["body"]):
        raise DocumentError("document etag does not match its body")
    try:
        signature = base64.b64decode(data["signature"], validate=True)
        unsigned = {k: v for k, v in data.items() if k != "signature"}
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            signature, _CONTEXT + _canonical(unsigned))
    except (binascii.Error, ValueError, TypeError, InvalidSignature):
        raise DocumentError("document is not signed by the platform") from None
    return data
