"""The one idempotent path by which a sealed submission enters the platform.

Used by ``PUT /v1/submissions/{id}``, the batch endpoint and ``kiosk-central import`` alike, so a
submission delivered online and again from a USB folder is still stored exactly once.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from egov_protocol.envelope import EnvelopeError, NotAddressedToKey, inspect_envelope, open_parsed
from egov_protocol.keys import PlatformKeys
from egov_protocol.protocol import is_identifier

from .cases_intake import CaseIntakeDesk
from .errors import ReceiptNumberTaken
from .keyring import DEFAULT_GRACE_DAYS, PlatformKeyring
from .store import CentralStore, NewSubmission
from .terminal_keys import KeyNotKnown, KeyRetiredTooLong, envelope_signer


class Refusal(Exception):
    """A submission is refused with an HTTP status and a reason (``missing`` for 428)."""

    def __init__(self, status: int, detail: str, missing: list[str] | None = None) -> None:
        """``missing`` lists blob refs the platform still needs (status 428)."""
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.missing = missing or []


def receipt_body(row: dict) -> dict:
    """The acknowledgement returned for a stored submission."""
    keys = ("id", "receipt_number", "central_receipt", "digest", "received_at", "terminal_id")
    return {key: row[key] for key in keys}


def _text(document: dict, name: str) -> str | None:
    value = document.get(name)
    return value if isinstance(value, str) else str(value) if isinstance(value, int) else None


def prepare(store: CentralStore, keys: PlatformKeys | PlatformKeyring, terminal: dict,
            submission_id: str, receipt_number: str, digest: str, envelope: bytes, inline_blobs: dict[str, bytes],
            route: str = "online") -> tuple[NewSubmission, dict[str, bytes]]:
    """Verify one submission and open its payload (no write); ``(row to insert, blobs to keep)``.
    With a ``PlatformKeyring`` an envelope sealed to a retired platform key or signed with the
    terminal's retired key is accepted within the grace period. Raises ``Refusal``."""
    if not is_identifier(submission_id) or not is_identifier(receipt_number):
        raise Refusal(422, "submission id or receipt number is malformed")
    if not receipt_number.startswith(f"{terminal['terminal_id']}-"):
        # Numbers are allocated per site and terminal: another prefix is another terminal's.
        raise Refusal(422, f"receipt number {receipt_number} is not of terminal "
                           f"{terminal['terminal_id']} (numbers start with its site and terminal)")
    if hashlib.sha256(envelope).hexdigest() != digest:
        raise Refusal(422, "digest does not match the envelope")
    try:
        info = inspect_envelope(envelope)
    except EnvelopeError as exc:
        raise Refusal(422, f"envelope rejected: {exc}") from None
    signer = _signer(store, keys, terminal, info.key_id)
    refs = list(info.refs.values())
    blobs = {ref: data for ref, data in inline_blobs.items()
             if ref in refs and hashlib.sha256(data).hexdigest() == ref}
    for ref in refs:
        if ref not in blobs:
            held = store.blob(ref)
            if held is not None:
                blobs[ref] = held
    missing = [ref for ref in refs if ref not in blobs]
    if missing:
        raise Refusal(428, "attachment blobs must be uploaded first", missing)
    try:
        verify_key = Ed25519PublicKey.from_public_bytes(signer)
        # Signature checked, payload opened (its ids are compared below); detached attachments
        # stay sealed: their refs are signed and their bytes hashed above, export decrypts them.
        payload, attachments = open_parsed(info.document, _opening_keys(keys), verify_key,
                                           detached=False)
    except NotAddressedToKey:
        raise Refusal(422, _not_for_us(keys, info.document, verify_key)) from None
    except EnvelopeError as exc:
        raise Refusal(422, f"envelope rejected: {exc}") from None
    detached = info.refs
    try:
        text = payload.decode("utf-8")
        document = json.loads(text)
    except (ValueError, RecursionError):
        raise Refusal(422, "payload is not UTF-8 JSON") from None
    if not isinstance(document, dict):
        raise Refusal(422, "payload is not a JSON object")
    # The envelope is signed, the request fields are not: make sure they agree.
    for field, value in (("submission_id", submission_id), ("receipt_number", receipt_number)):
        if document.get(field) != value:  # a missing field does not match either
            raise Refusal(422, f"payload {field} is missing or does not match the request")
    received_at = datetime.now(UTC)
    new = NewSubmission(
        id=submission_id, receipt_number=receipt_number, terminal_id=terminal["terminal_id"],
        digest=digest,
        central_receipt=f"GOV-{received_at:%Y%m%d}-{secrets.token_hex(8).upper()}",
        service_id=_text(document, "service_id"), form_id=_text(document, "form_id"),
        form_version=_text(document, "form_version"), envelope=envelope, payload_json=text,
        # Detached attachments stay encrypted in the blob table (export decrypts them); only
        # their name, blob hash and size are recorded. Inline (version 1) ones are kept opened.
        attachments={**{name: (ref, b"") for name, ref in detached.items()},
                     **{name: (hashlib.sha256(data).hexdigest(), data)
                        for name, data in attachments.items()}},
        received_at=received_at.isoformat(timespec="microseconds"), route=route)
    return new, {ref: blobs[ref] for ref in refs}


def _grace(keys) -> timedelta:
    return getattr(keys, "grace", timedelta(days=DEFAULT_GRACE_DAYS))


def _opening_keys(keys) -> list:
    """The sealing keys that may open an arriving envelope (current, then retired in grace)."""
    opening = getattr(keys, "opening_keys", None)
    return opening() if opening is not None else [keys.encryption_key]


def _signer(store: CentralStore, keys, terminal: dict, key_id: str) -> bytes:
    try:
        return envelope_signer(store, terminal, key_id, _grace(keys))
    except KeyNotKnown:
        raise Refusal(422, "envelope is signed with a key this terminal never registered") from None
    except KeyRetiredTooLong as exc:
        raise Refusal(422, str(exc)) from None


def _not_for_us(keys, document: dict, verify_key: Ed25519PublicKey) -> str:
    """Why no usable key opens the envelope: sealed to a key retired past the grace period
    (named, with its date), or to no key of this platform."""
    for retired in getattr(keys, "expired", lambda: [])():
        try:
            open_parsed(document, retired.key, verify_key, detached=False)
        except EnvelopeError:
            continue
        return (f"envelope rejected: sealed to platform key {retired.key_id}, retired on "
                f"{retired.retired_at:%Y-%m-%d}, past the {_grace(keys).total_seconds() / 86400:g}"
                "-day grace period for retired keys: the terminal missed the key rotation; "
                "call the platform operators")
    return "envelope rejected: envelope is not addressed to this platform's keys or was altered"


def _settle(outcome, digest: str, submission_id: str, terminal_id: str) -> tuple[int, dict]:
    if isinstance(outcome, ReceiptNumberTaken):
        raise Refusal(409, "receipt number already used by another submission")
    created, row = outcome
    if row["terminal_id"] != terminal_id:
        raise Refusal(409, f"submission {submission_id} was sent by another terminal")
    if not created and row["digest"] != digest:
        raise Refusal(409, f"submission {submission_id} exists with a different digest")
    return (201 if created else 200), receipt_body(row)


def accept(store: CentralStore, keys: PlatformKeys | PlatformKeyring, terminal: dict, submission_id: str,
           receipt_number: str, digest: str, envelope: bytes, inline_blobs: dict[str, bytes],
           route: str = "online", cases: CaseIntakeDesk | None = None) -> tuple[int, dict]:
    """Verify, decrypt and store one submission; ``(201|200, receipt)`` or raise ``Refusal``.
    With ``cases`` a stored application is filed as a case in the transaction that stores it
    (``central.cases_intake``)."""
    existing = store.existing(submission_id)
    if existing is not None:  # a resend: answer before doing the expensive work
        return _settle((False, existing), digest, submission_id, terminal["terminal_id"])
    new, blobs = prepare(store, keys, terminal, submission_id, receipt_number, digest, envelope,
                         inline_blobs, route)
    [outcome] = store.insert_many([(new, blobs)],
                                  on_stored=None if cases is None else cases.filer(terminal))
    return _settle(outcome, digest, submission_id, terminal["terminal_id"])


def accept_many(store: CentralStore, keys: PlatformKeys | PlatformKeyring, terminal: dict,
                items: list[tuple[str, str, str, bytes, dict[str, bytes]]], *,
                nonce: tuple[str, float] | None = None,
                cases: CaseIntakeDesk | None = None, filed: dict[str, str] | None = None) -> list:
    """The batch form of ``accept`` for ``(id, receipt_number, digest, envelope, blobs)`` items:
    verification per item, then one transaction for every insert. Returns per item either
    ``(status, receipt)`` or a ``Refusal``. ``nonce`` ``(nonce, window_s)`` of the request is
    recorded in that same transaction (``NonceReplayed`` and nothing stored for a replay;
    ``TerminalChanged`` when the terminal is no longer active with the key that signed).
    With ``cases`` the applications stored are filed as cases in that same transaction (their
    case ids put into ``filed``)."""
    existing = store.existing_many([item[0] for item in items])
    results: list = [None] * len(items)
    pending: list[tuple[int, NewSubmission, dict[str, bytes]]] = []
    for index, (submission_id, receipt_number, digest, envelope, blobs) in enumerate(items):
        try:
            if submission_id in existing:
                results[index] = _settle((False, existing[submission_id]), digest,
                                         submission_id, terminal["terminal_id"])
                continue
            new, keep = prepare(store, keys, terminal, submission_id, receipt_number, digest,
                                envelope, blobs)
            pending.append((index, new, keep))
        except Refusal as exc:
            results[index] = exc
    outcomes = store.insert_many(
        [(new, keep) for _, new, keep in pending],
        nonce=None if nonce is None else (terminal["terminal_id"], *nonce, terminal["key_id"]),
        on_stored=None if cases is None else cases.filer(terminal, filed),
    ) if pending or nonce is not None else []
    for (index, new, _), outcome in zip(pending, outcomes, strict=False):
        try:
            results[index] = _settle(outcome, new.digest, new.id, terminal["terminal_id"])
        except Refusal as exc:
            results[index] = exc
    return results
