"""The outbox's records: what the kiosk hands in (:class:`SealedSubmission`) and what it reads
back (:class:`OutboxRecord`), with the states of the outbox state machine."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any


class SubmissionState(str, Enum):
    """Where a submission is in the outbox state machine."""

    SEALED = "sealed"
    QUEUED = "queued"
    SENDING = "sending"
    ACKED = "acked"
    PURGED = "purged"
    QUARANTINED = "quarantined"


def utc_text(value: datetime) -> str:
    """A time as the outbox stores it: fixed-width UTC ISO text (aware datetimes only)."""
    # Fixed-width UTC ISO text sorts in time order, so SQL can compare it directly.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("outbox times must be timezone-aware datetimes")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _dt_set(value: str) -> datetime:  # a NOT NULL column
    return datetime.fromisoformat(value)


def sha256_hex(data: bytes) -> str:
    """Lower-case hex SHA-256, the digest format of the outbox and the sync protocol."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class SealedSubmission:
    """What the kiosk hands to the outbox: the sealed envelope plus non-personal routing data."""

    id: str
    receipt_number: str
    service_id: str
    form_id: str
    form_version: str
    sealed: bytes = field(repr=False)
    digest: str
    created_at: datetime

    @classmethod
    def create(
        cls,
        *,
        id: str,
        receipt_number: str,
        service_id: str,
        form_id: str,
        form_version: str,
        sealed: bytes,
        created_at: datetime | None = None,
    ) -> SealedSubmission:
        """Build one with the digest computed from ``sealed`` and ``created_at`` defaulting to now."""
        return cls(
            id=id,
            receipt_number=receipt_number,
            service_id=service_id,
            form_id=form_id,
            form_version=form_version,
            sealed=bytes(sealed),
            digest=sha256_hex(sealed),
            created_at=created_at or datetime.now(UTC),
        )


@dataclass(frozen=True)
class OutboxRecord:
    """One row of the outbox as read back. ``sealed`` is ``None`` once purged."""

    id: str
    receipt_number: str
    service_id: str
    form_id: str
    form_version: str
    state: SubmissionState
    sealed: bytes | None = field(repr=False)
    digest: str
    size_bytes: int
    created_at: datetime
    updated_at: datetime
    attempts: int
    next_attempt_at: datetime
    lease_until: datetime | None
    last_error: str | None
    central_receipt: str | None
    acked_at: datetime | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> OutboxRecord:
        """The record of one ``submissions`` row (selected with :data:`COLUMNS`)."""
        return cls(
            id=row["id"],
            receipt_number=row["receipt_number"],
            service_id=row["service_id"],
            form_id=row["form_id"],
            form_version=row["form_version"],
            state=SubmissionState(row["state"]),
            sealed=row["sealed"],
            digest=row["digest"],
            size_bytes=row["size_bytes"],
            created_at=_dt_set(row["created_at"]),
            updated_at=_dt_set(row["updated_at"]),
            attempts=row["attempts"],
            next_attempt_at=_dt_set(row["next_attempt_at"]),
            lease_until=_dt(row["lease_until"]),
            last_error=row["last_error"],
            central_receipt=row["central_receipt"],
            acked_at=_dt(row["acked_at"]),
        )


#: The columns an :class:`OutboxRecord` is read from, in a SELECT.
COLUMNS = (
    "id, receipt_number, service_id, form_id, form_version, state, sealed, digest, size_bytes, "
    "created_at, updated_at, attempts, next_attempt_at, lease_until, last_error, "
    "central_receipt, acked_at"
)
