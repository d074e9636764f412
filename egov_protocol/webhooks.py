"""Signed webhooks between the platform and a province's business systems, both ways.

The platform POSTs each case event to an integration's URL (JSON body) with::

    X-Egov-Event:      case.accepted
    X-Egov-Event-Id:   <random id: the receiver's idempotency key; the same on every retry>
    X-Egov-Timestamp:  <unix seconds when this attempt was signed>
    X-Egov-Signature:  v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>

A 2xx answer means "done" (a receiver that has seen the event id answers 2xx again without
doing anything twice); anything else, or no answer in time, is retried with backoff.

The business system sends status updates back to
``POST /v1/integrations/<integration id>/status`` with the same ``X-Egov-Timestamp`` and
``X-Egov-Signature`` headers over its body (:func:`parse_status_update` says what it may hold).
Signatures older or newer than ``WINDOW_S`` are refused; an update's ``update_id`` makes a
re-sent update a no-op. Both sides share one secret per integration.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

EVENT_HEADER = "X-Egov-Event"
EVENT_ID_HEADER = "X-Egov-Event-Id"
TIMESTAMP_HEADER = "X-Egov-Timestamp"
SIGNATURE_HEADER = "X-Egov-Signature"
SIGNATURE_VERSION = "v1"
WINDOW_S = 300
CASE_ACCEPTED = "case.accepted"
STATUS_PATH = "/v1/integrations/{integration_id}/status"
MAX_BODY = 64 * 1024
_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_STATUS = re.compile(r"^[a-z][a-z_]{0,31}$")
MAX_NOTE = 1000


class WebhookRejected(Exception):
    """A signature that is missing, malformed, stale or wrong."""


class BadStatusUpdate(ValueError):
    """A status update body that is not what :func:`parse_status_update` accepts."""


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    """The ``X-Egov-Signature`` value for ``body`` signed at ``timestamp``."""
    mac = hmac.new(secret, str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={mac}"


def signed_headers(secret: bytes, timestamp: int, body: bytes) -> dict[str, str]:
    """The timestamp and signature headers of one request."""
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature(secret, timestamp, body)}


def verify(secret: bytes, timestamp: str | None, sig: str | None, body: bytes, now: float,
           window_s: int = WINDOW_S) -> None:
    """Check one request's headers over ``body`` at ``now`` (unix seconds); raises
    ``WebhookRejected`` saying what is wrong."""
    if not timestamp or not sig:
        raise WebhookRejected("the timestamp and signature headers are required")
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        raise WebhookRejected("the timestamp is not unix seconds")
    if abs(now - int(timestamp)) > window_s:
        raise WebhookRejected("the timestamp is outside the accepted window")
    if not hmac.compare_digest(sig.encode(), signature(secret, int(timestamp), body).encode()):
        raise WebhookRejected("the signature does not match")


@dataclass(frozen=True)
class StatusUpdate:
    """One status update from a business system about a case."""

    update_id: str
    receipt_number: str
    status: str
    note: str
    occurred_at: datetime


def _text(document: dict[str, Any], name: str, pattern: re.Pattern[str]) -> str:
    value = document.get(name)
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise BadStatusUpdate(f"{name} is missing or not of the expected form")
    return value


def parse_status_update(body: bytes) -> StatusUpdate:
    """The update in ``body``: a UTF-8 JSON object with ``update_id`` and ``receipt_number``
    (1-64 of ``A-Z a-z 0-9 . _ : -``), ``status`` (lower-case word, e.g. ``processing``,
    ``completed``), ``occurred_at`` (ISO 8601 with a UTC offset) and an optional ``note`` (at
    most 1000 characters, shown to the citizen: no personal data). Raises ``BadStatusUpdate``
    for anything else."""
    if len(body) > MAX_BODY:
        raise BadStatusUpdate("the body is too large")
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadStatusUpdate("the body is not UTF-8 JSON") from None
    if not isinstance(document, dict):
        raise BadStatusUpdate("the body is not a JSON object")
    note = document.get("note", "")
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise BadStatusUpdate(f"note must be text of at most {MAX_NOTE} characters")
    note = "".join(ch for ch in note if ch == "\n" or ch.isprintable()).strip()
    occurred = document.get("occurred_at")
    try:
        if not isinstance(occurred, str) or len(occurred) > 40:
            raise ValueError
        moment = datetime.fromisoformat(occurred)
    except ValueError:
        raise BadStatusUpdate("occurred_at is not an ISO 8601 time") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise BadStatusUpdate("occurred_at needs a UTC offset")
    return StatusUpdate(_text(document, "update_id", _ID),
                        _text(document, "receipt_number", _ID),
                        _text(document, "status", _STATUS), note, moment)
