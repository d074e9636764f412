"""Signed acknowledgements: the platform's receipt for a submission, signed with its Ed25519 key.

A terminal purges a submission's sealed bytes once the platform acknowledged it, so an
acknowledgement must come from the platform and not from whatever answered on the way. The
platform signs each receipt it returns online (``PUT /v1/submissions/{id}``, ``POST
/v1/batches``) like it signs the USB ``acks.json``; a terminal that pinned the platform's key at
enrollment verifies the signature before it marks anything acknowledged.

The signed bytes: canonical JSON (sorted keys, no spaces, UTF-8) of ``{"purpose":
"egov-kiosk/ack/v1"}`` plus the receipt's ``id``, ``receipt_number``, ``central_receipt``,
``digest``, ``received_at`` and ``terminal_id``; ``signature`` is its standard base64.
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


def ack_message(receipt: dict[str, Any]) -> bytes:
    """The bytes the platform signs for ``receipt``."""
    fields = {name: receipt.get(name) for name in SIGNED_FIELDS}
    return json.dumps({"purpose": PURPOSE, **fields}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


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
