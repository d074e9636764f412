"""Signed acknowledgements: the platform's receipt for a submission, signed with its Ed25519 key.

A terminal purges a submission's sealed bytes once the platform acknowledged it, so an
acknowledgement must come from the platform and not from whatever answered on the way. The
platform signs each receipt it returns online (``PUT /v1/submissions/{id}``, ``POST
/v1/batches``) like it signs the USB ``acks.json``; a terminal that pinned the platform's key at
enrollment verifies the signature before it marks anything acknowledged.

The signed bytes: canonical JSON (sorted keys, no spaces, UTF-8) of ``{"purpose":
"egov-kiosk/ack/v1"}`` plus the receipt's ``id``, ``receipt_number``, ``central_receipt``,
``digest``, ``received_at`` and ``terminal_id``; ``signature`` is its standard base64.

A platform that keeps cases adds the case's progress token (``progress_token``: the secret of
the citizen's progress page ``<platform>/progress/<receipt number>?t=<token>``) and signs it
apart as ``progress_signature``, over ``{"purpose": "egov-kiosk/ack-progress/v1"}`` plus ``id``,
``receipt_number`` and ``progress_token``. The first signature stays what it was, so terminals
that know nothing of progress tokens verify the acknowledgement as before and ignore the rest.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .errors import CentralProtocolError

PURPOSE = "egov-kiosk/ack/v1"
SIGNED_FIELDS = ("id", "receipt_number", "central_receipt", "digest", "received_at", "terminal_id")
PROGRESS_PURPOSE = "egov-kiosk/ack-progress/v1"
PROGRESS_FIELDS = ("id", "receipt_number", "progress_token")


def ack_message(receipt: dict[str, Any]) -> bytes:
    """The bytes the platform signs for ``receipt``."""
    return _message(PURPOSE, SIGNED_FIELDS, receipt)


def _message(purpose: str, names: tuple[str, ...], receipt: dict[str, Any]) -> bytes:
    fields = {name: receipt.get(name) for name in names}
    return json.dumps({"purpose": purpose, **fields}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def add_progress_token(ack: dict[str, Any], token: str, key: Ed25519PrivateKey) -> dict[str, Any]:
    """``ack`` with the case's ``progress_token`` and its ``progress_signature`` (platform)."""
    extended = {**ack, "progress_token": token}
    signature = key.sign(_message(PROGRESS_PURPOSE, PROGRESS_FIELDS, extended))
    return {**extended, "progress_signature": base64.b64encode(signature).decode()}


def verified_progress_token(ack: object, platform_key: bytes) -> str | None:
    """The acknowledgement's progress token once its signature verifies with the pinned key;
    None when the platform sent none (it keeps no cases). Raises ``CentralProtocolError`` for
    a token whose signature is missing or wrong (the terminal side)."""
    if not isinstance(ack, dict) or "progress_token" not in ack:
        return None
    token, signature = ack.get("progress_token"), ack.get("progress_signature")
    if not isinstance(token, str) or not isinstance(signature, str):
        raise CentralProtocolError("the progress token is not signed by the platform")
    try:
        Ed25519PublicKey.from_public_bytes(platform_key).verify(
            base64.b64decode(signature, validate=True),
            _message(PROGRESS_PURPOSE, PROGRESS_FIELDS, ack))
    except (binascii.Error, ValueError, InvalidSignature):
        raise CentralProtocolError("the progress token's signature does not verify with the "
                                   "platform key pinned at enrollment") from None
    return token


def sign_ack(receipt: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """``receipt`` with its ``signature`` (the platform side)."""
    return {**receipt, "signature": base64.b64encode(key.sign(ack_message(receipt))).decode()}


def verify_ack(receipt: object, platform_key: bytes) -> None:
    """Check an acknowledgement's signature with the pinned platform key (the terminal side).
    Raises ``CentralProtocolError``: unsigned or not signed by that key (nothing is purged; the
    submission is sent again later)."""
    if not isinstance(receipt, dict) or not isinstance(receipt.get("signature"), str):
        raise CentralProtocolError("the acknowledgement is not signed by the platform")
    try:
        signature = base64.b64decode(receipt["signature"], validate=True)
        Ed25519PublicKey.from_public_bytes(platform_key).verify(signature, ack_message(receipt))
    except (binascii.Error, ValueError, InvalidSignature):
        raise CentralProtocolError("the acknowledgement's signature does not verify with the "
                                   "platform key pinned at enrollment") from None
