"""Cases on the wire: the statuses of a citizen's applications, as the platform tells terminals.

Three signed terminal requests (``egov_protocol.auth``) read them:

``POST /v1/person-cases`` with ``{"person_hash": <hex>}`` -- the cases of one person. The
terminal never sends an ID number: it sends ``person_hash(key, number)``, an HMAC-SHA256 under
the platform's person key, which it fetches signed from ``GET /v1/person-cases/key``
(``{"key_id", "key_b64"}``). The platform decrypts every submission, so it computes the same
hash of the applicant's document number when the submission arrives and keeps only that. The
answer is ``{"cases": [CaseStatus, ...]}``, newest first.

``POST /v1/case-by-receipt`` with ``{"receipt_number", "token"}`` -- the one case a receipt's
QR code opens (the progress token printed on it), without the citizen's identity: ``{"case":
CaseStatus}``. A wrong token and an unknown receipt get the same 404, and failures are
throttled per terminal and receipt number (429), so numbers cannot be walked.

``GET /v1/case-updates?since=<cursor>`` -- status changes of the cases this terminal took,
after ``cursor`` (0 at first): ``{"updates": [StatusUpdate, ...], "next": <cursor>}``; ask
again with ``next`` until ``updates`` comes back empty.

No answer carries personal data: receipt numbers, services, statuses, dates, the next
step and the case worker's note for the citizen. Parsers here are strict (outside bytes to the
terminal) and raise ``CentralProtocolError``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeGuard

from .errors import CentralProtocolError
from .protocol import is_identifier

RECEIVED = "received"
ACCEPTED = "accepted"
CORRECTIONS_REQUESTED = "corrections_requested"
RESUBMITTED = "resubmitted"
REJECTED = "rejected"
COMPLETED = "completed"
STATUSES = (RECEIVED, ACCEPTED, CORRECTIONS_REQUESTED, RESUBMITTED, REJECTED, COMPLETED)

#: The payload field of a 补正 re-submission naming the receipt number of the submission it
#: corrects; the platform files it under that case when the case awaits corrections.
CORRECTS_FIELD = "corrects_receipt"

#: The payload field holding the SHA-256 (64 lower-case hex characters) of the case's progress
#: token. The terminal makes the token when it seals the submission, prints it on the receipt's
#: QR code (``<platform>/progress/<receipt number>?t=<token>``) and sends only its hash; the
#: platform files the hash as the case's, so the printed code works once the submission syncs.
PROGRESS_TOKEN_FIELD = "progress_token_sha256"
#: Bytes of randomness in a progress token (128 bits; 22 URL-safe base64 characters).
PROGRESS_TOKEN_BYTES = 16

PERSON_KEY_BYTES = 32
PERSON_CASES_PATH = "/v1/person-cases"
PERSON_KEY_PATH = "/v1/person-cases/key"
UPDATES_PATH = "/v1/case-updates"
CASE_BY_RECEIPT_PATH = "/v1/case-by-receipt"
MAX_UPDATES = 200
_CONTEXT = b"egov-kiosk/person/v1\x00"
_MAX_TEXT = 2000


def progress_token_hash(token: str) -> str:
    """The SHA-256 (hex) of a progress token: what a payload and the platform's database keep."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def is_progress_token_hash(value: object) -> TypeGuard[str]:
    """Whether ``value`` is a progress-token hash as the payload carries it (64 hex characters)."""
    return (isinstance(value, str) and len(value) == 64
            and all(c in "0123456789abcdef" for c in value))


def normalized_document_number(number: str) -> str:
    """The form both sides hash: NFKC (full-width digits become ASCII), no spaces, upper case
    (a resident ID's check character ``x`` is ``X``)."""
    folded = unicodedata.normalize("NFKC", number)
    return "".join(folded.split()).upper()


def person_hash(key: bytes, document_number: str) -> str:
    """HMAC-SHA256 (hex) of the normalized document number under the platform's person key."""
    # Typed text may hold anything, lone surrogates included: hash it, never fail on it.
    message = _CONTEXT + normalized_document_number(document_number).encode("utf-8",
                                                                            "surrogatepass")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class CaseStatus:
    """One case of a person: where it stands and what to do next (no personal data)."""

    receipt_number: str
    service_id: str
    status: str
    received_at: datetime
    updated_at: datetime
    next_step: str
    note: str
    correction_requested: bool

    def to_json(self) -> dict[str, Any]:
        """The wire form (the platform side)."""
        return {"receipt_number": self.receipt_number, "service_id": self.service_id,
                "status": self.status, "received_at": self.received_at.isoformat(),
                "updated_at": self.updated_at.isoformat(), "next_step": self.next_step,
                "note": self.note, "correction_requested": self.correction_requested}


@dataclass(frozen=True)
class StatusUpdate:
    """One status change of a case the asking terminal took; ``cursor`` orders them."""

    cursor: int
    receipt_number: str
    status: str
    at: datetime
    next_step: str
    note: str
    correction_requested: bool

    def to_json(self) -> dict[str, Any]:
        """The wire form (the platform side)."""
        return {"cursor": self.cursor, "receipt_number": self.receipt_number,
                "status": self.status, "at": self.at.isoformat(), "next_step": self.next_step,
                "note": self.note, "correction_requested": self.correction_requested}


def parse_person_key(data: object) -> tuple[str, bytes]:
    """``(key_id, key)`` from the answer of ``GET /v1/person-cases/key``."""
    fields = _object(data, "person key")
    key_id = fields.get("key_id")
    if not isinstance(key_id, str) or not is_identifier(key_id):
        raise CentralProtocolError("person key: key_id is not an identifier")
    try:
        key = base64.b64decode(_text(fields, "key_b64"), validate=True)
    except (binascii.Error, ValueError):
        raise CentralProtocolError("person key: key_b64 is not base64") from None
    if len(key) != PERSON_KEY_BYTES:
        raise CentralProtocolError(f"person key: {len(key)} bytes, not {PERSON_KEY_BYTES}")
    return key_id, key


def parse_case_statuses(data: object) -> list[CaseStatus]:
    """The cases of ``POST /v1/person-cases``'s answer."""
    items = _object(data, "cases").get("cases")
    if not isinstance(items, list):
        raise CentralProtocolError("cases: 'cases' is not a list")
    return [_case(raw) for raw in items]


def parse_receipt_case(data: object) -> CaseStatus:
    """The case of ``POST /v1/case-by-receipt``'s answer."""
    return _case(_object(data, "case by receipt").get("case"))


def _case(raw: object) -> CaseStatus:
    item = _object(raw, "case")
    return CaseStatus(receipt_number=_identifier(item, "receipt_number"),
                      service_id=_text(item, "service_id"), status=_status(item),
                      received_at=_time(item, "received_at"), updated_at=_time(item, "updated_at"),
                      next_step=_text(item, "next_step"), note=_text(item, "note"),
                      correction_requested=_flag(item, "correction_requested"))


def parse_status_updates(data: object) -> tuple[list[StatusUpdate], int]:
    """``(updates, next cursor)`` of ``GET /v1/case-updates``'s answer."""
    fields = _object(data, "updates")
    items, cursor = fields.get("updates"), _count(fields, "next")
    if not isinstance(items, list) or len(items) > MAX_UPDATES:
        raise CentralProtocolError(f"updates: not a list of at most {MAX_UPDATES}")
    updates = [StatusUpdate(cursor=_count(item, "cursor"),
                            receipt_number=_identifier(item, "receipt_number"),
                            status=_status(item), at=_time(item, "at"),
                            next_step=_text(item, "next_step"), note=_text(item, "note"),
                            correction_requested=_flag(item, "correction_requested"))
               for item in (_object(raw, "update") for raw in items)]
    if any(update.cursor > cursor for update in updates):
        raise CentralProtocolError("updates: an update is past the next cursor")
    return updates, cursor


def _object(data: object, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise CentralProtocolError(f"{what} is not a JSON object")
    return data


def _text(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name)
    if not isinstance(value, str) or len(value) > _MAX_TEXT:
        raise CentralProtocolError(f"{name} is not a text of at most {_MAX_TEXT} characters")
    return value


def _identifier(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name)
    if not isinstance(value, str) or not is_identifier(value):
        raise CentralProtocolError(f"{name} is not an identifier")
    return value


def _status(fields: dict[str, Any]) -> str:
    value = fields.get("status")
    if not isinstance(value, str) or value not in STATUSES:
        raise CentralProtocolError(f"status {value!r} is not a case status")
    return value


def _flag(fields: dict[str, Any], name: str) -> bool:
    value = fields.get(name)
    if not isinstance(value, bool):
        raise CentralProtocolError(f"{name} is not true or false")
    return value


def _count(fields: dict[str, Any], name: str) -> int:
    value = fields.get(name)
    if type(value) is not int or not 0 <= value < 2**63:
        raise CentralProtocolError(f"{name} is not a cursor")
    return value


def _time(fields: dict[str, Any], name: str) -> datetime:
    text = _text(fields, name)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise CentralProtocolError(f"{name} is not an ISO 8601 time") from None
    if when.tzinfo is None:
        raise CentralProtocolError(f"{name} has no time zone")
    return when
