"""The sync protocol's shared vocabulary: the platform header, identifier rules, and the
documents the platform returns, parsed strictly (they are outside bytes to the terminal).

Payload convention (the JSON object inside an envelope): ``submission_id``, ``receipt_number``,
``service_id``, ``form_id``, ``form_version`` beside the answers. The platform checks the first
two against the request when present, so a valid envelope cannot be filed under another id.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from .errors import CentralProtocolError

#: ``form_id`` of a 好差评 rating record: it travels through the outbox and the submission
#: endpoints like a submission (no form id can start with "_"); its payload has ``level`` 1..5.
RATING_FORM_ID = "_rating"

CENTRAL_HEADER = "X-Egov-Central"
CENTRAL_HEADER_VALUE = "1"
API_PREFIX = "/v1"

#: The answer to a request whose nonce the platform has already seen: 425 with
#: ``X-Egov-Error: replayed-request``. Not a 401: the usual cause is something on the way
#: sending the terminal's request twice and handing back the second answer, not a terminal the
#: platform refuses; the terminal signs the request again (fresh nonce) instead of pausing.
REPLAYED_STATUS = 425
REPLAYED = "replayed request: nonce already used"
ERROR_HEADER = "X-Egov-Error"
REPLAYED_HEADER = {ERROR_HEADER: "replayed-request"}


def is_replayed_answer(status: int, headers: Mapping[str, str], detail: str) -> bool:
    """True for the platform's answer to a reused nonce; also the 401 ``replayed request: …``
    of platforms from before the distinct answer."""
    if status == REPLAYED_STATUS:
        return bool(headers.get(ERROR_HEADER) == REPLAYED_HEADER[ERROR_HEADER])
    return status == 401 and detail.startswith("replayed request")


def insecure_platform_url(url: str) -> str | None:
    """Why ``url`` may not be used to reach the platform, or None: only ``https://``, except
    ``http://`` to this machine (loopback: the demo, tests, a TLS proxy on the same host)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return None
    if parts.scheme != "http":
        return "must be an https:// URL"
    host = (parts.hostname or "").lower()
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    return None if loopback else ("must be https:// (http:// only to this machine, e.g. "
                                  "http://127.0.0.1:8700): requests and keys must not cross a "
                                  "network in clear")

# Ids travel in URL paths: keep them to a safe, bounded alphabet.
IDENTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def is_identifier(value: object) -> bool:
    """True when ``value`` may be used as a submission id, terminal id or receipt number."""
    return isinstance(value, str) and _IDENTIFIER.fullmatch(value) is not None


def is_digest(value: object) -> bool:
    """True for a lower-case hex SHA-256."""
    return isinstance(value, str) and _DIGEST.fullmatch(value) is not None


@dataclass(frozen=True)
class CentralReceipt:
    """The platform's acknowledgement of one submission. ``created`` is False for a resend."""

    submission_id: str
    receipt_number: str
    central_receipt: str
    digest: str
    received_at: datetime
    created: bool

    @classmethod
    def from_json(cls, data: object, *, created: bool) -> CentralReceipt:
        """Parse the body of a 200/201 answer to ``PUT /v1/submissions/{id}``."""
        fields = _object(data, "submission receipt")
        received_at = _string(fields, "received_at")
        try:
            when = datetime.fromisoformat(received_at)
        except ValueError:
            raise CentralProtocolError("received_at is not an ISO 8601 time") from None
        if when.tzinfo is None:
            raise CentralProtocolError("received_at has no time zone")
        digest = _string(fields, "digest")
        if not is_digest(digest):
            raise CentralProtocolError("digest is not a SHA-256 hex string")
        return cls(
            submission_id=_identifier(fields, "id"),
            receipt_number=_identifier(fields, "receipt_number"),
            central_receipt=_identifier(fields, "central_receipt"),
            digest=digest,
            received_at=when,
            created=created,
        )


@dataclass(frozen=True)
class PlatformInfo:
    """The platform's public keys, as ``GET /v1/platform`` returns them."""

    x25519_public: bytes
    ed25519_public: bytes
    key_id: str
    #: When the sealing key replaced the previous one (ISO 8601 UTC); "" before any rotation
    #: and from platforms that do not say.
    sealing_key_since: str = ""

    @classmethod
    def from_json(cls, data: object) -> PlatformInfo:
        """Parse the body of ``GET /v1/platform``."""
        fields = _object(data, "platform description")
        return cls(
            x25519_public=_key(fields, "x25519_public"),
            ed25519_public=_key(fields, "ed25519_public"),
            key_id=_string(fields, "key_id"),
            sealing_key_since=key_since(fields.get("sealing_key_since")),
        )


def key_since(value: object) -> str:
    """A ``sealing_key_since`` value checked: "" (absent) or an ISO 8601 time with a zone."""
    if value is None or value == "":
        return ""
    try:
        if not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is None:
            raise ValueError(value)
    except ValueError:
        raise CentralProtocolError("sealing_key_since is not an ISO 8601 time") from None
    return value


@dataclass(frozen=True)
class TerminalRegistration:
    """What the platform recorded for a terminal (``created`` is False when already known)."""

    terminal_id: str
    key_id: str
    created: bool

    @classmethod
    def from_json(cls, data: object, *, created: bool) -> TerminalRegistration:
        """Parse the body of a 200/201 answer to ``POST /v1/terminals``."""
        fields = _object(data, "terminal registration")
        return cls(
            terminal_id=_identifier(fields, "terminal_id"),
            key_id=_string(fields, "key_id"),
            created=created,
        )


def _object(data: object, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise CentralProtocolError(f"{what} is not a JSON object")
    return data


def _string(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name)
    if not isinstance(value, str) or not value or len(value) > 1024:
        raise CentralProtocolError(f"field {name!r} is missing or not a string")
    return value


def _identifier(fields: dict[str, Any], name: str) -> str:
    value = _string(fields, name)
    if not is_identifier(value):
        raise CentralProtocolError(f"field {name!r} is not a valid identifier")
    return value


def _key(fields: dict[str, Any], name: str) -> bytes:
    value = _string(fields, name)
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise CentralProtocolError(f"field {name!r} is not base64") from None
    if len(raw) != 32:
        raise CentralProtocolError(f"field {name!r} is not a 32-byte key")
    return raw
