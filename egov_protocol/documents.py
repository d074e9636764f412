"""Platform-signed documents: the catalog, forms and settings a terminal pulls, the platform's
sealing key, and the acknowledgements of a USB transfer.

A document is canonical JSON ``{"body", "etag", "expires_at", "issued_at", "kind", "signature",
"version"}``; ``signature`` is the platform's Ed25519 signature over a context string plus the
canonical JSON of every other field, so the version and the expiry are signed with the body.
``etag`` is the SHA-256 hex of the canonical body. ``version`` is an integer that only grows
for a kind (each publication takes the next one); ``expires_at`` (ISO 8601 UTC) is when the
document stops being acceptable as an update.

The terminal verifies before use and keeps the last good copy: it refuses a fetched document
whose version is lower than the one it holds (a rollback), one with the same version but other
content, and one already expired (``check_update``); it re-verifies its stored copy before
trusting it. Copies stored before versions and expiries were signed (context ``v1``, ``version``
a string) still verify with ``legacy=True`` and count as version -1, so any signed update
replaces them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KINDS = ("catalog", "forms", "settings")
#: The platform's current sealing key, signed like the other documents (``central.rekey``);
#: served from the platform's keys, never published by an operator.
PLATFORM_KEYS = "platform-keys"
#: How long a document signed on request (sealing key, acknowledgements, nothing published)
#: stays acceptable.
DEFAULT_VALIDITY = timedelta(days=30)
_CONTEXT = b"egov-kiosk/document/v2\x00"
_FIELDS = {"body", "etag", "expires_at", "issued_at", "kind", "signature", "version"}
_LEGACY_CONTEXT = b"egov-kiosk/document/v1\x00"
_LEGACY_FIELDS = _FIELDS - {"expires_at"}


class DocumentError(ValueError):
    """A document is malformed, for another kind, not signed by the platform, expired, or
    older than the copy held."""


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def body_etag(body: object) -> str:
    """The ETag of a document body."""
    return hashlib.sha256(_canonical(body)).hexdigest()


def sign_document(kind: str, body: dict[str, Any], key: Ed25519PrivateKey, *, version: int = 0,
                  expires_at: datetime | None = None, now: datetime | None = None) -> dict[str, Any]:
    """The signed document for ``body`` (platform side): ``version`` of this kind, acceptable
    until ``expires_at`` (default ``now`` + ``DEFAULT_VALIDITY``)."""
    now = now or datetime.now(UTC)
    etag = body_etag(body)
    document = {"kind": kind, "version": int(version), "etag": etag, "body": body,
                "issued_at": _iso(now), "expires_at": _iso(expires_at or now + DEFAULT_VALIDITY)}
    document["signature"] = base64.b64encode(key.sign(_CONTEXT + _canonical(document))).decode()
    return document


def document_version(document: dict[str, Any]) -> int:
    """The version of a verified document; -1 for a copy stored before versions were signed."""
    version = document.get("version")
    return version if isinstance(version, int) and not isinstance(version, bool) else -1


def http_etag(document: dict[str, Any]) -> str:
    """The HTTP ETag of a document (quoted): its version and body, so a re-publication of the
    same body under a new version or expiry is not answered 304."""
    return f'"{document_version(document)}.{document["etag"]}"'


def expires_at(document: dict[str, Any]) -> datetime | None:
    """When a verified document expires (``None`` for a legacy copy)."""
    value = document.get("expires_at")
    return None if value is None else datetime.fromisoformat(value)


def verify_document(data: object, kind: str, public_key: bytes, *, now: datetime | None = None,
                    legacy: bool = False) -> dict[str, Any]:
    """Check a document's shape, kind, ETag and signature, and with ``now`` that it has not
    expired; return it. ``legacy`` also accepts a copy signed before versions and expiries
    were (a stored copy, never a fresh one). Raises ``DocumentError``."""
    fields = set(data) if isinstance(data, dict) else None
    context = _CONTEXT
    if legacy and fields == _LEGACY_FIELDS:
        context = _LEGACY_CONTEXT
    elif fields != _FIELDS:
        raise DocumentError("document does not have the expected fields")
    assert isinstance(data, dict)  # the fields matched, so it is an object
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
            signature, context + _canonical(unsigned))
    except (binascii.Error, ValueError, TypeError, InvalidSignature):
        raise DocumentError("document is not signed by the platform") from None
    if context is _CONTEXT:
        try:
            ends = datetime.fromisoformat(data["expires_at"])
        except (TypeError, ValueError):
            raise DocumentError("document expiry is not a time") from None
        if document_version(data) < 0 or ends.tzinfo is None:
            raise DocumentError("document version or expiry is malformed")
        if now is not None and ends <= now:
            raise DocumentError(f"document version {data['version']} expired at {_iso(ends)}")
    return data


def check_update(fresh: dict[str, Any], held: dict[str, Any] | None) -> None:
    """Raise ``DocumentError`` if a verified ``fresh`` document must not replace ``held`` (the
    verified copy the terminal keeps): a lower version is a rollback, the same version with
    other content is a forgery or a platform fault."""
    if held is None:
        return
    fresh_version, held_version = document_version(fresh), document_version(held)
    if fresh_version < held_version:
        raise DocumentError(f"version {fresh_version} is older than the version {held_version} "
                            "held (rollback refused)")
    if fresh_version == held_version and fresh["etag"] != held["etag"]:
        raise DocumentError(f"version {fresh_version} has other content than the copy held")
