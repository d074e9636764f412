"""What ``CentralClient`` takes and gives back: the submission it sends and the platform's
answers to enrollment, re-keying and batches (plain values; no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from egov_protocol.errors import CentralRejected
from egov_protocol.protocol import CentralReceipt, PlatformInfo, TerminalRegistration


class SubmissionLike(Protocol):
    """What ``put_submission`` needs of an outbox record or a ``SealedSubmission``."""

    @property
    def id(self) -> str:
        """The submission's id."""

    @property
    def receipt_number(self) -> str:
        """The receipt number printed for the citizen."""

    @property
    def digest(self) -> str:
        """SHA-256 of the sealed envelope, hex."""

    @property
    def sealed(self) -> bytes | None:
        """The sealed envelope; None once purged after its ack."""


@dataclass(frozen=True)
class Enrolled:
    """What ``POST /v1/enroll`` returned: this terminal's id and the platform's keys."""

    registration: TerminalRegistration
    platform: PlatformInfo


@dataclass(frozen=True)
class Rekeyed:
    """``POST /v1/terminal-key``'s answer (``retired_key_id`` None: the key was registered)."""

    registration: TerminalRegistration
    platform: PlatformInfo
    retired_key_id: str | None


@dataclass(frozen=True)
class BatchResult:
    """One item of a batch answer: a receipt, a rejection, or ``missing`` blob refs (retry)."""

    id: str
    receipt: CentralReceipt | None = None
    rejected: CentralRejected | None = None
    missing: tuple[str, ...] = ()
