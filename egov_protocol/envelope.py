"""Sealed envelopes: what a terminal stores and sends, readable only by the central platform.

``seal`` draws a fresh AES-256-GCM content key per submission, encrypts the payload and every
attachment under it (each with its own nonce, bound by AAD to its name), wraps the content key to
the platform's X25519 public key (ephemeral X25519, HKDF-SHA256 to a key-encryption key,
AES-256-GCM), and signs the whole document with the terminal's Ed25519 key.

Wire format (version 1), canonical JSON: sorted keys, no whitespace, ASCII, standard base64::

    {"alg": "X25519-HKDF-SHA256+A256GCM+Ed25519",
     "attachments": [{"ct": b64, "name": str, "nonce": b64}, ...],   # sorted by name
     "epk": b64(32), "kid": str,
     "payload": {"ct": b64, "nonce": b64},
     "sig": b64(64), "v": 1,
     "wrap": {"ct": b64(48), "nonce": b64(12)}}

The signature covers ``b"egov-kiosk/envelope/v1\\0"`` + the canonical JSON of every field except
``sig``. ``open_sealed`` accepts only the canonical encoding, so every changed byte is either a
parse failure or a signature failure. Attachment names travel in clear (they are authenticated,
not encrypted), so they must be generic ("photo.jpg", "form.pdf"), never personal. Attachments
are separate ciphertexts so that the next protocol issue can upload them as content-addressed,
resumable blobs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from .errors import EnvelopeError, NotAddressedToKey

__all__ = [
    "MAX_ENVELOPE_BYTES",
    "EnvelopeError",
    "EnvelopeInfo",
    "NotAddressedToKey",
    "envelope_attachment_refs",
    "envelope_key_id",
    "envelope_refs",
    "inspect_envelope",
    "open_parsed",
    "open_sealed",
    "seal",
    "seal_detached",
]

VERSION = 1
DETACHED_VERSION = 2
ALGORITHM = "X25519-HKDF-SHA256+A256GCM+Ed25519"
MAX_ENVELOPE_BYTES = 64 * 1024 * 1024
_SIGNING_CONTEXT = b"egov-kiosk/envelope/v1\x00"
_KEK_INFO = b"egov-kiosk/envelope/v1/kek"
_KEY_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_MAX_NAME = 255
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_TOP_KEYS = {"alg", "attachments", "epk", "kid", "payload", "sig", "v", "wrap"}
_RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


def seal(
    payload: bytes,
    attachments: dict[str, bytes],
    recipient_x25519_public: bytes,
    signing_key: Ed25519PrivateKey,
    key_id: str,
) -> bytes:
    """Encrypt ``payload`` and ``attachments`` to the platform and sign them; return the envelope.

    ``recipient_x25519_public`` is the platform's raw 32-byte X25519 key; ``key_id`` names the
    terminal's signing key. Raises ``ValueError`` for a bad key id, attachment name or key.
    """
    return _seal(payload, attachments, recipient_x25519_public, signing_key, key_id, False)[0]


def seal_detached(
    payload: bytes,
    attachments: dict[str, bytes],
    recipient_x25519_public: bytes,
    signing_key: Ed25519PrivateKey,
    key_id: str,
) -> tuple[bytes, dict[str, bytes]]:
    """Like ``seal`` but the attachment ciphertexts are returned apart: ``(envelope, blobs)``
    with ``blobs`` mapping SHA-256 hex to ciphertext (version 2)."""
    return _seal(payload, attachments, recipient_x25519_public, signing_key, key_id, True)


def _seal(payload: bytes, attachments: Mapping[str, bytes], recipient_x25519_public: bytes,
          signing_key: Ed25519PrivateKey, key_id: str, detached: bool) -> tuple[bytes, dict[str, bytes]]:
    if not _KEY_ID.fullmatch(key_id):
        raise ValueError("key_id must be 1-128 characters of A-Z a-z 0-9 . _ : -")
    for name in attachments:
        _check_name(name, ValueError)
    try:
        recipient = X25519PublicKey.from_public_bytes(recipient_x25519_public)
    except ValueError as exc:
        raise ValueError("recipient_x25519_public must be a raw 32-byte X25519 key") from exc
    ephemeral = X25519PrivateKey.generate()
    epk = ephemeral.public_key().public_bytes(*_RAW)
    kek = _derive_kek(ephemeral.exchange(recipient), epk, recipient_x25519_public)
    content_key = AESGCM.generate_key(bit_length=256)
    wrap_nonce = os.urandom(12)
    blobs: dict[str, bytes] = {}

    def attachment(name: str, data: bytes) -> dict[str, Any]:
        item = _encrypt_item(content_key, key_id, epk, _label(name), data)
        if detached:
            ciphertext = base64.b64decode(item.pop("ct"))
            item["ref"] = hashlib.sha256(ciphertext).hexdigest()
            blobs[item["ref"]] = ciphertext
        return {"name": name, **item}

    document = {
        "v": DETACHED_VERSION if detached else VERSION,
        "alg": ALGORITHM,
        "kid": key_id,
        "epk": _b64e(epk),
        "wrap": {
            "nonce": _b64e(wrap_nonce),
            "ct": _b64e(AESGCM(kek).encrypt(wrap_nonce, content_key, _wrap_aad(key_id, epk))),
        },
        "payload": _encrypt_item(content_key, key_id, epk, b"payload", payload),
        "attachments": [attachment(name, data) for name, data in sorted(attachments.items())],
    }
    document["sig"] = _b64e(signing_key.sign(_signing_input(document)))
    return _canonical(document), blobs


def open_sealed(
    envelope: bytes,
    recipient_private: X25519PrivateKey | Sequence[X25519PrivateKey],
    verify_key: Ed25519PublicKey,
    blobs: Callable[[str], bytes | None] | None = None,
) -> tuple[bytes, dict[str, bytes]]:
    """Verify and decrypt an envelope; return ``(payload, attachments)``.

    A version 2 envelope needs ``blobs(ref)`` to return each attachment's ciphertext; a missing
    blob or one that does not hash to its ref is an ``EnvelopeError``.

    Raises ``EnvelopeError`` (and nothing else) for malformed bytes, a bad signature, the wrong
    recipient key or any tampering. The signature is checked before anything is decrypted.
    """
    return open_parsed(_parse(envelope), recipient_private, verify_key, blobs)


@dataclass(frozen=True)
class EnvelopeInfo:
    """What can be read from an envelope without keys: signer, blob refs by attachment name."""

    key_id: str
    refs: dict[str, str]
    document: dict[str, Any] = field(repr=False)


def inspect_envelope(envelope: bytes) -> EnvelopeInfo:
    """Parse once (structure and canonical form checked; nothing verified or decrypted)."""
    document = _parse(envelope)
    refs = {item["name"]: item["ref"] for item in document["attachments"] if "ref" in item}
    return EnvelopeInfo(document["kid"], refs, document)


def open_parsed(
    document: dict[str, Any],
    recipient_private: X25519PrivateKey | Sequence[X25519PrivateKey],
    verify_key: Ed25519PublicKey,
    blobs: Callable[[str], bytes | None] | None = None,
    *,
    detached: bool = True,
) -> tuple[bytes, dict[str, bytes]]:
    """``open_sealed`` for a document from ``inspect_envelope`` (saves a second parse).

    ``detached=False`` verifies the signature and decrypts the payload and inline attachments
    but leaves detached ones (version 2) sealed and unread: the platform's receipt path, whose
    blobs are authenticated by the signed refs and decrypted later by ``kiosk-central export``.

    ``recipient_private`` may be several keys (the platform's current and retired sealing keys):
    the envelope does not name its recipient, so each is tried in order until one unwraps the
    content key; none doing so raises ``NotAddressedToKey``."""
    try:
        verify_key.verify(_b64d(document["sig"], 64), _signing_input(document))
    except InvalidSignature:
        raise EnvelopeError("envelope signature does not verify") from None
    epk = _b64d(document["epk"], 32)
    kid = document["kid"]
    wrap = document["wrap"]
    wrap_nonce, wrapped = _b64d(wrap["nonce"], 12), _b64d(wrap["ct"], 48)
    try:
        ephemeral = X25519PublicKey.from_public_bytes(epk)
    except ValueError as exc:
        raise EnvelopeError("envelope ephemeral key is unusable") from exc
    candidates = ([recipient_private] if isinstance(recipient_private, X25519PrivateKey)
                  else list(recipient_private))
    content_key = None
    for candidate in candidates:
        try:
            shared = candidate.exchange(ephemeral)
        except ValueError as exc:
            raise EnvelopeError("envelope ephemeral key is unusable") from exc
        kek = _derive_kek(shared, epk, candidate.public_key().public_bytes(*_RAW))
        try:
            content_key = AESGCM(kek).decrypt(wrap_nonce, wrapped, _wrap_aad(kid, epk))
            break
        except InvalidTag:
            continue
    if content_key is None:
        raise NotAddressedToKey("envelope is not addressed to this key or was altered")
    payload = _decrypt_item(content_key, kid, epk, b"payload", document["payload"])
    attachments = {}
    for item in document["attachments"]:
        name = item["name"]
        if "ref" in item and not detached:
            continue
        if "ref" in item:
            ciphertext = blobs(item["ref"]) if blobs is not None else None
            if ciphertext is None:
                raise EnvelopeError(f"attachment blob {item['ref']} is missing")
            if hashlib.sha256(ciphertext).hexdigest() != item["ref"]:
                raise EnvelopeError("attachment blob does not match its reference")
            attachments[name] = _decrypt(content_key, _b64d(item["nonce"], 12), ciphertext,
                                         _item_aad(kid, epk, _label(name)))
            continue
        attachments[name] = _decrypt_item(content_key, kid, epk, _label(name), item)
    return payload, attachments


def envelope_key_id(envelope: bytes) -> str:
    """The signer's key id, after a structural check only (nothing verified or decrypted)."""
    return str(_parse(envelope)["kid"])


def envelope_attachment_refs(envelope: bytes) -> dict[str, str]:
    """Attachment name -> blob ref of a version 2 envelope; structure only."""
    return {item["name"]: item["ref"] for item in _parse(envelope)["attachments"] if "ref" in item}


def envelope_refs(envelope: bytes) -> list[str]:
    """The blob references of a version 2 envelope (empty for version 1); structure only."""
    return [item["ref"] for item in _parse(envelope)["attachments"] if "ref" in item]


# -- internals --------------------------------------------------------------------------------


def _derive_kek(shared: bytes, epk: bytes, recipient_public: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=epk + recipient_public, info=_KEK_INFO)
    return hkdf.derive(shared)


def _wrap_aad(kid: str, epk: bytes) -> bytes:
    # Binding the key id means a stolen envelope cannot be re-signed under another terminal.
    return b"egov-kiosk/envelope/v1/wrap\x00" + kid.encode() + b"\x00" + epk


def _item_aad(kid: str, epk: bytes, label: bytes) -> bytes:
    return b"egov-kiosk/envelope/v1/item\x00" + kid.encode() + b"\x00" + epk + b"\x00" + label


def _label(name: str) -> bytes:
    return b"attachment:" + name.encode("utf-8")


def _encrypt_item(key: bytes, kid: str, epk: bytes, label: bytes, data: bytes) -> dict[str, Any]:
    nonce = os.urandom(12)
    ciphertext = AESGCM(key).encrypt(nonce, bytes(data), _item_aad(kid, epk, label))
    return {"nonce": _b64e(nonce), "ct": _b64e(ciphertext)}


def _decrypt_item(key: bytes, kid: str, epk: bytes, label: bytes, item: dict[str, Any]) -> bytes:
    return _decrypt(key, _b64d(item["nonce"], 12), _b64d(item["ct"]), _item_aad(kid, epk, label))


def _decrypt(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except InvalidTag:
        raise EnvelopeError("envelope content was altered") from None


def _canonical(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _signing_input(document: dict[str, Any]) -> bytes:
    return _SIGNING_CONTEXT + _canonical({k: v for k, v in document.items() if k != "sig"})


def _b64e(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64d(text: str, length: int | None = None) -> bytes:
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise EnvelopeError("envelope field is not base64") from None
    if _b64e(data) != text:
        raise EnvelopeError("envelope field is not canonical base64")
    if length is not None and len(data) != length:
        raise EnvelopeError(f"envelope field has {len(data)} bytes, expected {length}")
    return data


def _check_name(name: object, error: type[Exception]) -> None:
    if not isinstance(name, str) or not 0 < len(name) <= _MAX_NAME or not name.isprintable():
        raise error("attachment names must be 1-255 printable characters")


def _reject_duplicates(pairs: list[tuple[str, object]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise EnvelopeError("envelope has a duplicate key")
    return result


def _reject_constant(name: str) -> None:
    raise EnvelopeError(f"envelope contains {name}")


def _parse(envelope: bytes) -> dict[str, Any]:
    """Parse and check the structure; every failure is an ``EnvelopeError``."""
    if not isinstance(envelope, (bytes, bytearray, memoryview)):
        raise EnvelopeError("envelope must be bytes")
    envelope = bytes(envelope)
    if len(envelope) > MAX_ENVELOPE_BYTES:
        raise EnvelopeError(f"envelope is larger than {MAX_ENVELOPE_BYTES} bytes")
    try:
        document: dict[str, Any] = json.loads(  # a dict: _check_structure raises otherwise
            envelope.decode("utf-8"),
            object_pairs_hook=_reject_duplicates,
            parse_constant=_reject_constant,
        )
    except EnvelopeError:
        raise
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise EnvelopeError("envelope is not valid JSON") from None
    _check_structure(document)
    # Only the exact canonical encoding is accepted, so no two byte strings mean one envelope.
    if _canonical(document) != envelope:
        raise EnvelopeError("envelope is not in canonical form")
    return document


def _check_structure(document: object) -> None:
    if not isinstance(document, dict) or set(document) != _TOP_KEYS:
        raise EnvelopeError("envelope does not have the version 1 fields")
    if type(document["v"]) is not int or document["v"] not in (VERSION, DETACHED_VERSION):
        raise EnvelopeError(f"unsupported envelope version {document['v']!r}")
    if document["alg"] != ALGORITHM:
        raise EnvelopeError("unsupported envelope algorithm")
    if not isinstance(document["kid"], str) or not _KEY_ID.fullmatch(document["kid"]):
        raise EnvelopeError("envelope key id is malformed")
    for name in ("epk", "sig"):
        if not isinstance(document[name], str):
            raise EnvelopeError(f"envelope field {name} must be a string")
    _check_item(document["wrap"], {"nonce", "ct"})
    _check_item(document["payload"], {"nonce", "ct"})
    items = document["attachments"]
    if not isinstance(items, list):
        raise EnvelopeError("envelope attachments must be a list")
    names = []
    detached = document["v"] == DETACHED_VERSION
    for item in items:
        _check_item(item, {"name", "nonce", "ref"} if detached else {"name", "nonce", "ct"})
        _check_name(item["name"], EnvelopeError)
        if detached and not _HEX64.fullmatch(item["ref"]):
            raise EnvelopeError("attachment ref must be a SHA-256 hex string")
        names.append(item["name"])
    if names != sorted(set(names)):
        raise EnvelopeError("envelope attachments must be unique and sorted by name")


def _check_item(item: object, keys: set[str]) -> None:
    if not isinstance(item, dict) or set(item) != keys:
        raise EnvelopeError("envelope item has the wrong fields")
    if not all(isinstance(item[key], str) for key in keys):
        raise EnvelopeError("envelope item fields must be strings")
