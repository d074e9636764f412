"""The applicant as the rest of the application sees them, derived from the document read.

Three views of one :class:`~drivers.idcard.Identity`: the prefill values a form may use, the
record that goes (sealed) into a submission, and the masked summary shown on screen.
"""

from __future__ import annotations

from typing import Any

from drivers.idcard import DocumentType, Identity

DOCUMENT_TYPE_LABELS: dict[DocumentType, dict[str, str]] = {
    DocumentType.RESIDENT_ID: {"zh-CN": "居民身份证", "en": "Resident ID card"},
    DocumentType.HMT_RESIDENCE_PERMIT: {"zh-CN": "港澳台居民居住证", "en": "HK/Macau/Taiwan residence permit"},
    DocumentType.FOREIGN_PERMANENT_RESIDENT: {
        "zh-CN": "外国人永久居留身份证", "en": "Foreign permanent resident ID card"},
    DocumentType.PASSPORT: {"zh-CN": "护照", "en": "Passport"},
}


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def prefill_values(identity: Identity | None) -> dict[str, Any]:
    """The ``identity.*`` keys a form definition may prefill from (empty without a document)."""
    if identity is None:
        return {}
    return {
        "identity.name": identity.name,
        "identity.sex": identity.sex.value,
        "identity.birth_date": _iso(identity.birth_date),
        "identity.id_number": identity.document_number,
        "identity.address": identity.address or "",
        "identity.nationality": identity.nationality,
        "identity.ethnicity": identity.ethnicity or "",
        "identity.document_type": identity.document_type.value,
    }


#: What staff reviewing the application read about an ePassport's chip data (never the citizen).
AUTHENTICATED, NOT_AUTHENTICATED = "authenticated", "not authenticated"


def document_check(identity: Identity) -> str | None:
    """For staff: an ePassport is "authenticated" only when its EF.SOD signature chain was verified
    up to a configured CSCA; a signature or hashes alone, or no EF.SOD, is "not authenticated".
    None for documents read otherwise (a SAM reader authenticates the card itself)."""
    if identity.document_type is not DocumentType.PASSPORT:
        return None
    return AUTHENTICATED if identity.authenticated == "chain" else NOT_AUTHENTICATED


def applicant_record(identity: Identity) -> dict[str, Any]:
    """Everything read from the document, for the sealed submission (never for logs), with what
    staff need to judge it: ``document_check`` and the files the chip lacked."""
    return {
        "document_type": identity.document_type.value,
        "name": identity.name,
        "name_latin": identity.name_latin,
        "sex": identity.sex.value,
        "birth_date": _iso(identity.birth_date),
        "nationality": identity.nationality,
        "document_number": identity.document_number,
        "ethnicity": identity.ethnicity,
        "address": identity.address,
        "issuing_authority": identity.issuing_authority,
        "valid_from": _iso(identity.valid_from),
        "valid_until": _iso(identity.valid_until),
        "photo_missing_reason": identity.photo_missing_reason,
        "document_check": document_check(identity),
        "document_authentication": identity.authenticated,
        "document_missing_files": list(identity.missing_files),
    }


def mask_document_number(number: str) -> str:
    """Show the first and last few characters only: ``1101**********002X``."""
    if len(number) <= 6:
        return number[:1] + "*" * (len(number) - 1)
    head, tail = (4, 4) if len(number) > 12 else (2, 2)
    return number[:head] + "*" * (len(number) - head - tail) + number[-tail:]


def identity_summary(identity: Identity | None, language: str) -> dict[str, Any] | None:
    """What the screen shows about the document: type, name, masked number."""
    if identity is None:
        return None
    return {
        "document_type": DOCUMENT_TYPE_LABELS[identity.document_type].get(language, ""),
        "name": identity.name,
        "document_number": mask_document_number(identity.document_number),
        "has_photo": identity.photo_jpeg is not None,
    }
